package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Template is the pristine template process of a container: an interpreter the agent starts as
// root, once, which never receives user code and forks each prepared interpreter, so preparing
// costs a fork instead of an interpreter's start-up. It talks to the agent over a SOCK_SEQPACKET
// socketpair (its fd 3): the agent sends one message with the child's five descriptors
// (SCM_RIGHTS) per fork; the template answers {"pid":N} or {"error":"..."}, and sends
// {"exited":N,"status":S} (a raw wait status) for every child it reaps. One goroutine reads it all.
type Template struct {
	key    string // argv and env it was started with: another spec starts another template
	worked bool   // an interpreter it forked became ready
	cmd  *exec.Cmd
	conn *net.UnixConn

	replies chan templateReply
	dead    chan struct{} // closed when the socket fails: the template is gone
	waited  chan struct{} // closed once cmd.Wait has returned

	mu       sync.Mutex
	children map[int]*templateChild // forked and not yet reported as exited
	gone     bool                   // dead has been closed: new children cannot be tracked
}

type templateReply struct {
	child *templateChild
	err   error
}

// templateChild is a process the template forked; the agent learns of its end from the template.
type templateChild struct {
	id     int
	done   chan struct{}
	status syscall.WaitStatus
}

func (c *templateChild) pid() int { return c.id }

func (c *templateChild) wait() syscall.WaitStatus {
	<-c.done
	return c.status
}

func (c *templateChild) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// templateMessage is anything the template sends.
type templateMessage struct {
	Pid    int    `json:"pid"`
	Error  string `json:"error"`
	Exited int    `json:"exited"`
	Status int    `json:"status"`
}

func templateKey(spec *PrepareSpec) string {
	return strings.Join(spec.Template.Argv, "\x00") + "\x01" + strings.Join(environ(spec.Env), "\x00")
}

// startTemplate runs spec.Template.Argv as root (the agent's own credentials and capabilities), in
// a session of its own, in / (read-only), with the prepare env, stdin and stdout on /dev/null and
// stderr on the agent's log.
func startTemplate(spec *PrepareSpec) (*Template, error) {
	argv := spec.Template.Argv
	path := argv[0]
	if !strings.Contains(path, "/") {
		found, err := lookPath(path, spec.Env["PATH"])
		if err != nil {
			return nil, err
		}
		path = found
	}
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_SEQPACKET|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("socketpair: %v", err)
	}
	ours, theirs := os.NewFile(uintptr(fds[0]), "template"), os.NewFile(uintptr(fds[1]), "template-child")
	defer theirs.Close()
	conn, err := net.FileConn(ours) // dups the descriptor
	ours.Close()
	if err != nil {
		return nil, fmt.Errorf("template socket: %v", err)
	}
	cmd := &exec.Cmd{
		Path: path, Args: argv, Dir: "/", Env: environ(spec.Env), Stderr: os.Stderr,
		ExtraFiles: []*os.File{theirs}, SysProcAttr: &syscall.SysProcAttr{Setsid: true},
	}
	if err := cmd.Start(); err != nil {
		conn.Close()
		return nil, err
	}
	t := newTemplate(templateKey(spec), cmd, conn.(*net.UnixConn))
	go func() { cmd.Wait(); close(t.waited) }()
	return t, nil
}

// newTemplate tracks a started template process (cmd) talking on conn, and starts reading it.
func newTemplate(key string, cmd *exec.Cmd, conn *net.UnixConn) *Template {
	t := &Template{
		key: key, cmd: cmd, conn: conn,
		replies: make(chan templateReply, 1), dead: make(chan struct{}), waited: make(chan struct{}),
		children: map[int]*templateChild{},
	}
	go t.read()
	return t
}

// read demultiplexes the template's messages: fork replies go to the waiting fork, exit reports to
// the child's waiters. A child is registered here, before the next message is read, so its exit
// report always finds it.
func (t *Template) read() {
	buf := make([]byte, 4096)
	for {
		n, err := t.conn.Read(buf)
		if err != nil || n == 0 {
			t.fail()
			return
		}
		var m templateMessage
		if err := json.Unmarshal(buf[:n], &m); err != nil {
			t.fail()
			return
		}
		switch {
		case m.Exited > 0:
			t.mu.Lock()
			child := t.children[m.Exited]
			delete(t.children, m.Exited)
			t.mu.Unlock()
			if child != nil {
				child.status = syscall.WaitStatus(m.Status)
				close(child.done)
			}
		case m.Pid > 0:
			child := &templateChild{id: m.Pid, done: make(chan struct{})}
			t.mu.Lock()
			t.children[m.Pid] = child
			t.mu.Unlock()
			t.replies <- templateReply{child: child}
		default:
			t.replies <- templateReply{err: errors.New("template: " + m.Error)}
		}
	}
}

// fail marks the template gone. Its children, if any still run, are the sandbox user's and die at
// the next killAll; as nobody will report how they ended, they count as killed.
func (t *Template) fail() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.gone {
		return
	}
	t.gone = true
	close(t.dead)
	for pid, child := range t.children {
		child.status = syscall.WaitStatus(syscall.SIGKILL)
		close(child.done)
		delete(t.children, pid)
	}
	t.conn.Close()
}

func (t *Template) alive() bool {
	select {
	case <-t.dead:
		return false
	default:
		return true
	}
}

// stop kills the template and waits for it.
func (t *Template) stop() {
	t.cmd.Process.Signal(syscall.SIGKILL)
	t.fail()
	<-t.waited
}

// fork has the template fork a child with files as its fds 0-4. The caller closes files.
func (t *Template) fork(files []*os.File) (*templateChild, error) {
	fds := make([]int, len(files))
	for i, f := range files {
		fds[i] = int(f.Fd())
	}
	if _, _, err := t.conn.WriteMsgUnix([]byte(`{"op":"fork"}`), syscall.UnixRights(fds...), nil); err != nil {
		t.stop()
		return nil, fmt.Errorf("template: send: %v", err)
	}
	timer := time.NewTimer(prepareTimeout)
	defer timer.Stop()
	select {
	case r := <-t.replies:
		return r.child, r.err
	case <-t.dead:
		return nil, errors.New("template: it ended")
	case <-timer.C:
		t.stop()
		return nil, errors.New("template: no answer to fork")
	}
}

// startForked is start (process.go) for a prepared interpreter forked from the template: the same
// pipes, with the child's ends handed to the template instead of to exec. extra become fds 3 and 4,
// stay the caller's.
func startForked(t *Template, extra []*os.File) (*running, error) {
	pipes, err := stdioPipes()
	if err != nil {
		return nil, err
	}
	child, err := t.fork(append([]*os.File{pipes[0], pipes[3], pipes[5]}, extra...))
	closeAll(pipes[0], pipes[3], pipes[5])
	if err != nil {
		closeAll(pipes[1], pipes[2], pipes[4])
		return nil, err
	}
	return &running{proc: child, stdin: pipes[1], stdout: pipes[2], stderr: pipes[4]}, nil
}
