package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// sandboxAttrs runs a process as the sandbox user, in a session of its own, without any of the
// agent's supplementary groups. The setuid to a non-root user drops every capability.
func sandboxAttrs() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setsid: true, Credential: sandboxCredential()}
}

// sandboxCredential is uid/gid 10000 with no supplementary groups: the empty, non-nil Groups makes
// the runtime call setgroups(0) instead of keeping the agent's.
func sandboxCredential() *syscall.Credential {
	return &syscall.Credential{Uid: sandboxUID, Gid: sandboxGID, Groups: []uint32{}}
}

func environ(env map[string]string) []string {
	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// capture keeps up to limit bytes of a stream; past the limit it calls overflow once and keeps
// draining, so the writer never blocks on a full pipe before it is killed.
type capture struct {
	buf       bytes.Buffer
	limit     int
	truncated bool
	overflow  func()
}

func (c *capture) drain(r io.Reader, done *sync.WaitGroup) {
	defer done.Done()
	chunk := make([]byte, 32<<10)
	for {
		n, err := r.Read(chunk)
		if n > 0 {
			room := c.limit - c.buf.Len()
			if n > room {
				if room > 0 {
					c.buf.Write(chunk[:room])
				}
				if !c.truncated {
					c.truncated = true
					c.overflow()
				}
			} else {
				c.buf.Write(chunk[:n])
			}
		}
		if err != nil {
			return
		}
	}
}

// running is a started process with its output being captured.
type running struct {
	proc           process
	stdin          *os.File
	stdout, stderr *os.File
}

// process is a step's process: one the agent exec'd, or a child of the template (template.go),
// which the agent cannot wait for itself. wait may be called any number of times.
type process interface {
	pid() int
	wait() syscall.WaitStatus
	exited() bool
}

// execProcess is a process the agent exec'd and reaps itself.
type execProcess struct {
	cmd    *exec.Cmd
	once   sync.Once
	done   chan struct{}
	status syscall.WaitStatus
}

func newExecProcess(cmd *exec.Cmd) *execProcess {
	return &execProcess{cmd: cmd, done: make(chan struct{})}
}

func (p *execProcess) pid() int { return p.cmd.Process.Pid }

func (p *execProcess) wait() syscall.WaitStatus {
	p.once.Do(func() {
		p.cmd.Wait()
		p.status = p.cmd.ProcessState.Sys().(syscall.WaitStatus)
		close(p.done)
	})
	<-p.done
	return p.status
}

func (p *execProcess) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// start spawns argv as the sandbox user with pipes the agent owns. Pipes are os.Pipe, not
// exec.Cmd's, so Wait returns when the process exits even if a detached child still holds them.
// The extra files (the child's fd 3 on) stay the caller's.
func start(argv []string, env map[string]string, extra []*os.File) (*running, error) {
	path := argv[0]
	if !strings.Contains(path, "/") {
		found, err := lookPath(path, env["PATH"]) // the request's PATH, not the agent's
		if err != nil {
			return nil, err
		}
		path = found
	}
	pipes, err := stdioPipes()
	if err != nil {
		return nil, err
	}
	cmd := &exec.Cmd{
		Path: path, Args: argv, Dir: workDir, Env: environ(env),
		Stdin: pipes[0], Stdout: pipes[3], Stderr: pipes[5], ExtraFiles: extra,
		SysProcAttr: sandboxAttrs(),
	}
	err = cmd.Start()
	closeAll(pipes[0], pipes[3], pipes[5]) // the child's ends: ours would keep the pipes open
	if err != nil {
		closeAll(pipes[1], pipes[2], pipes[4])
		return nil, err
	}
	return &running{proc: newExecProcess(cmd), stdin: pipes[1], stdout: pipes[2], stderr: pipes[4]}, nil
}

// stdioPipes makes the pipes of a step: stdin r/w, stdout r/w, stderr r/w.
func stdioPipes() ([6]*os.File, error) {
	var pipes [6]*os.File
	for i := 0; i < len(pipes); i += 2 {
		r, w, err := os.Pipe()
		if err != nil {
			closeAll(pipes[:i]...)
			return pipes, err
		}
		pipes[i], pipes[i+1] = r, w
	}
	return pipes, nil
}

func closeAll(files ...*os.File) {
	for _, f := range files {
		f.Close()
	}
}

// close closes the agent's ends of the process's pipes.
func (p *running) close() {
	closeAll(p.stdin, p.stdout, p.stderr)
}

func lookPath(name, path string) (string, error) {
	for _, dir := range strings.Split(path, ":") {
		if dir == "" {
			continue // would mean the working directory, i.e. user files
		}
		candidate := dir + "/" + name
		if info, err := os.Stat(candidate); err == nil && !info.IsDir() && info.Mode()&0o111 != 0 {
			return candidate, nil
		}
	}
	return "", fmt.Errorf("%s: %w in PATH %q", name, exec.ErrNotFound, path)
}

// finish feeds stdin, captures output, enforces the wall-clock limit and, once the process has
// exited for any reason, kills every process of the sandbox user so nothing outlives the step.
// An error means some of them could not be killed: the sandbox must then be discarded.
func (p *running) finish(stdin string, timeout time.Duration, limit int, started time.Time) (*StepResult, error) {
	killOnce := sync.Once{}
	var killErr error
	killEverything := func() { killOnce.Do(func() { killErr = killAll() }) }
	out := &capture{limit: limit, overflow: killEverything}
	errs := &capture{limit: limit, overflow: killEverything}
	var drained sync.WaitGroup
	drained.Add(2)
	go out.drain(p.stdout, &drained)
	go errs.drain(p.stderr, &drained)
	go func() {
		io.WriteString(p.stdin, stdin) // EPIPE when the program does not read stdin: fine
		p.stdin.Close()
	}()

	exited := make(chan struct{})
	var ended time.Time
	var status syscall.WaitStatus
	go func() { status = p.proc.wait(); ended = time.Now(); close(exited) }()
	timedOut := false
	timer := time.NewTimer(timeout)
	select {
	case <-exited:
		timer.Stop()
	case <-timer.C:
		timedOut = true
		killEverything()
		<-exited
	}
	// Detached, double-forked and stopped leftovers of this step; once they are dead nobody
	// holds the pipes any more and the drains reach EOF.
	if err := killAll(); err != nil {
		return nil, err
	}
	if !waitOrGiveUp(&drained, 2*time.Second) {
		p.stdout.Close() // unblocks the drains
		p.stderr.Close()
		drained.Wait()
	}
	p.stdout.Close()
	p.stderr.Close()
	killOnce.Do(func() {}) // an overflow kill in flight has finished, so killErr is settled
	if killErr != nil {
		return nil, killErr
	}

	result := &StepResult{
		Stdout:          out.buf.String(),
		Stderr:          errs.buf.String(),
		TimedOut:        timedOut,
		OutputTruncated: out.truncated || errs.truncated,
		DurationMs:      ended.Sub(started).Milliseconds(),
	}
	if status.Signaled() {
		name := signalName(status.Signal())
		result.Signal = &name
		result.ExitCode = 128 + int(status.Signal())
	} else {
		result.ExitCode = status.ExitStatus()
	}
	return result, nil
}

// waitOrGiveUp waits for wg at most limit: false when it gave up.
func waitOrGiveUp(wg *sync.WaitGroup, limit time.Duration) bool {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-time.After(limit):
		return false
	}
}

var signalNames = map[syscall.Signal]string{
	1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 5: "SIGTRAP", 6: "SIGABRT", 7: "SIGBUS",
	8: "SIGFPE", 9: "SIGKILL", 10: "SIGUSR1", 11: "SIGSEGV", 12: "SIGUSR2", 13: "SIGPIPE",
	14: "SIGALRM", 15: "SIGTERM", 16: "SIGSTKFLT", 17: "SIGCHLD", 18: "SIGCONT", 19: "SIGSTOP",
	20: "SIGTSTP", 21: "SIGTTIN", 22: "SIGTTOU", 23: "SIGURG", 24: "SIGXCPU", 25: "SIGXFSZ",
	26: "SIGVTALRM", 27: "SIGPROF", 28: "SIGWINCH", 29: "SIGIO", 30: "SIGPWR", 31: "SIGSYS",
}

func signalName(s syscall.Signal) string {
	if name, ok := signalNames[s]; ok {
		return name
	}
	return "SIG" + strconv.Itoa(int(s))
}
