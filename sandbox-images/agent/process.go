package main

import (
	"bytes"
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
	return &syscall.SysProcAttr{
		Setsid:      true,
		Credential:  &syscall.Credential{Uid: sandboxUID, Gid: sandboxGID, Groups: []uint32{}},
	}
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
	cmd            *exec.Cmd
	stdin          *os.File
	stdout, stderr *os.File
}

// start spawns argv as the sandbox user with pipes the agent owns. Pipes are os.Pipe, not
// exec.Cmd's, so Wait returns when the process exits even if a detached child still holds them.
func start(argv []string, env map[string]string, extra []*os.File) (*running, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	if strings.Contains(argv[0], "/") {
		cmd.Path = argv[0]
	} else if path, err := lookPath(argv[0], env["PATH"]); err == nil {
		cmd.Path = path
	}
	cmd.Dir = workDir
	cmd.Env = environ(env)
	cmd.SysProcAttr = sandboxAttrs()
	cmd.ExtraFiles = extra
	inR, inW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = inR, outW, errW
	startErr := cmd.Start()
	inR.Close()
	outW.Close()
	errW.Close()
	for _, f := range extra {
		f.Close()
	}
	if startErr != nil {
		inW.Close()
		outR.Close()
		errR.Close()
		return nil, startErr
	}
	return &running{cmd: cmd, stdin: inW, stdout: outR, stderr: errR}, nil
}

func lookPath(name, path string) (string, error) {
	for _, dir := range strings.Split(path, ":") {
		candidate := dir + "/" + name
		if info, err := os.Stat(candidate); err == nil && !info.IsDir() && info.Mode()&0o111 != 0 {
			return candidate, nil
		}
	}
	return "", exec.ErrNotFound
}

// finish feeds stdin, captures output, enforces the wall-clock limit and, once the process has
// exited for any reason, kills every process of the sandbox user so nothing outlives the step.
func (p *running) finish(stdin string, timeout time.Duration, limit int, started time.Time) *StepResult {
	killOnce := sync.Once{}
	killEverything := func() { killOnce.Do(func() { killAll() }) }
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

	exited := make(chan error, 1)
	go func() { exited <- p.cmd.Wait() }()
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
	duration := time.Since(started)
	killAll() // detached, double-forked and stopped leftovers of this step
	waitOrGiveUp(&drained, 2*time.Second)
	p.stdout.Close()
	p.stderr.Close()

	result := &StepResult{
		Stdout:          out.buf.String(),
		Stderr:          errs.buf.String(),
		TimedOut:        timedOut,
		OutputTruncated: out.truncated || errs.truncated,
		DurationMs:      duration.Milliseconds(),
	}
	status := p.cmd.ProcessState.Sys().(syscall.WaitStatus)
	if status.Signaled() {
		name := signalName(status.Signal())
		result.Signal = &name
		result.ExitCode = 128 + int(status.Signal())
	} else {
		result.ExitCode = status.ExitStatus()
	}
	return result
}

func waitOrGiveUp(wg *sync.WaitGroup, limit time.Duration) {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(limit):
	}
}

// killAll kills every live process of the sandbox user, repeating until /proc shows none. It
// signals by pid from the agent instead of forking a helper, so it works even when a fork bomb has
// used up the container's pids limit. Stopped processes die from SIGKILL like any other.
func killAll() bool {
	for round := 0; round < 2000; round++ {
		pids := sandboxPids()
		if len(pids) == 0 {
			return true
		}
		for _, pid := range pids {
			syscall.Kill(pid, syscall.SIGKILL)
		}
		if round > 10 {
			time.Sleep(time.Millisecond)
		}
	}
	return len(sandboxPids()) == 0
}

// sandboxPids lists live (not zombie) processes owned by the sandbox user.
func sandboxPids() []int {
	dir, err := os.Open("/proc")
	if err != nil {
		return nil
	}
	defer dir.Close()
	names, _ := dir.Readdirnames(-1)
	var pids []int
	for _, name := range names {
		pid, err := strconv.Atoi(name)
		if err != nil {
			continue
		}
		var st syscall.Stat_t
		if syscall.Stat("/proc/"+name, &st) != nil || st.Uid != sandboxUID {
			continue
		}
		if zombie(name) {
			continue
		}
		pids = append(pids, pid)
	}
	return pids
}

func zombie(pid string) bool {
	stat, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return true // gone
	}
	// The state follows the command name, which is in parentheses and may itself contain ')'.
	i := bytes.LastIndexByte(stat, ')')
	return i < 0 || i+2 >= len(stat) || stat[i+2] == 'Z' || stat[i+2] == 'X'
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
