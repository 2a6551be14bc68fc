// warmbox-agent runs inside every sandbox container. It serves the protocol in
// docs/agent-protocol.md on a Unix socket: run code as the unprivileged sandbox user with time and
// output limits, and scrub everything that user left behind. It never runs user code as root.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"log"
	"net"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
)

const (
	sandboxUID      = 10000
	sandboxUIDText  = "10000" // as /proc shows it
	sandboxGID      = 10000
	workDir         = "/workspace"
	maxRequestBytes = 256 << 20
)

// selfExe is the agent's own executable, started again as the sandbox user for ipc-clean.
var selfExe string

func main() {
	// The helper the agent runs as the sandbox user to remove System V IPC objects (scrub.go).
	if len(os.Args) == 2 && os.Args[1] == "ipc-clean" {
		os.Exit(ipcCleanMain())
	}
	socketPath := flag.String("socket", "/run/warmbox/agent.sock", "Unix socket to serve on")
	userProcesses := flag.Uint64("user-processes", 0, "RLIMIT_NPROC for the sandbox user's processes and threads, 0 for none; "+
		"set only where the sandbox has a kernel of its own (gVisor), as Linux counts it per user across the host")
	listen := flag.String("listen", "", "where to serve: empty for the Unix socket of -socket, or tcp:PORT (then -secret-file is required)")
	secretFile := flag.String("secret-file", "", "over TCP: a file only root can read holding the secret every request must present")
	flag.Parse()
	log.SetFlags(log.LstdFlags | log.Lmicroseconds)
	log.SetPrefix("warmbox-agent ")

	var err error
	if selfExe, err = os.Executable(); err != nil {
		log.Fatalf("cannot find the agent's own executable: %v", err)
	}
	// No core dumps (children inherit the limit): with a plain core_pattern a crashing program
	// would write its memory into /workspace, filling the tmpfs and delaying its death.
	if err := syscall.Setrlimit(syscall.RLIMIT_CORE, &syscall.Rlimit{}); err != nil {
		log.Fatalf("cannot disable core dumps: %v", err)
	}

	if *userProcesses > 0 {
		if err := limitUserProcesses(*userProcesses); err != nil {
			log.Fatalf("cannot limit the sandbox user's processes: %v", err)
		}
	}

	reserveThreads(spareThreads)

	agent := &Agent{}
	listener := agent.listen(*listen, *socketPath, *secretFile)
	for {
		conn, err := listener.Accept()
		if err != nil {
			log.Printf("accept: %v", err)
			continue
		}
		go agent.serve(conn)
	}
}

// Agent serves one exec or reset at a time; ping is always answered.
type Agent struct {
	work     sync.Mutex
	prepared *Prepared // an interpreter started after the last scrub, waiting for code; nil if none
	// hasPrepared mirrors prepared != nil for ping, which does not take the work lock.
	hasPrepared atomic.Bool
	forked      bool      // the prepared interpreter is a child of the template
	template    *Template // started at the first reset that asks for one; nil if none
	// brokenTemplate is the key of a template spec that never worked: it is not started again.
	brokenTemplate string
	// secret, when set (over TCP), must be the first line of every connection (listen.go).
	secret []byte
}

func (a *Agent) serve(conn net.Conn) {
	defer conn.Close()
	reader := bufio.NewReaderSize(conn, 64<<10)
	if a.secret != nil {
		if err := authenticate(conn, reader, a.secret); err != nil {
			reply(conn, failure(err.Error()))
			return
		}
	}
	var req Request
	decoder := json.NewDecoder(&limitedReader{r: reader, left: maxRequestBytes})
	if err := decoder.Decode(&req); err != nil {
		reply(conn, failure("bad request: "+err.Error()))
		return
	}
	reply(conn, a.handle(&req))
}

func (a *Agent) handle(req *Request) any {
	switch req.Op {
	case "ping":
		return a.ping()
	case "exec", "reset":
		if !a.work.TryLock() {
			return failure("busy")
		}
		defer a.work.Unlock()
		if req.Op == "exec" {
			return a.exec(req)
		}
		return a.reset(req)
	default:
		return failure("unknown op " + req.Op)
	}
}

func reply(conn net.Conn, answer any) {
	body, err := json.Marshal(answer)
	if err != nil {
		body, _ = json.Marshal(failure("cannot encode answer: " + err.Error()))
	}
	conn.Write(append(body, '\n'))
}

func failure(message string) map[string]any {
	return map[string]any{"ok": false, "error": message}
}

type limitedReader struct {
	r    *bufio.Reader
	left int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		return 0, errTooLarge
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

// limitUserProcesses sets RLIMIT_NPROC, which every process the agent starts inherits. The kernel
// counts it per real uid and never applies it to root, so it bounds what the sandbox user runs and
// leaves the agent's own threads (root) alone. Under gVisor the count is the sandbox's own kernel's,
// so it bounds this sandbox only; there the container's pids cgroup counts gVisor's host threads
// (several per user process) and is kept only as a backstop. On a shared kernel (runc) the count
// would be the sum over every sandbox of the host, so the server leaves it unset and relies on the
// container's pids cgroup instead.
func limitUserProcesses(n uint64) error {
	return syscall.Setrlimit(rlimitNPROC, &syscall.Rlimit{Cur: n, Max: n})
}

// rlimitNPROC is RLIMIT_NPROC on Linux (the generic value, x86 and arm alike); package syscall does
// not name it and the agent has no dependencies.
const rlimitNPROC = 6

// spareThreads is how many OS threads the agent starts up front. Threads count against the
// container's pids limit like processes, and the Go runtime treats a failure to create a thread
// as fatal: without spares a fork bomb that fills the limit would crash the agent the first time
// it needs one more thread. The runtime keeps threads it no longer needs idle and reuses them, and
// the agent never has more than a few goroutines in blocking system calls at once.
const spareThreads = 16

// reserveThreads makes the runtime create n threads now: each goroutine locks its own thread and
// holds it until all are running, then hands it back to the runtime's idle list.
func reserveThreads(n int) {
	var running, done sync.WaitGroup
	release := make(chan struct{})
	running.Add(n)
	done.Add(n)
	for i := 0; i < n; i++ {
		go func() {
			defer done.Done()
			runtime.LockOSThread()
			running.Done()
			<-release
			runtime.UnlockOSThread() // unlocked before the goroutine ends, so the thread is kept
		}()
	}
	running.Wait()
	close(release)
	done.Wait()
}
