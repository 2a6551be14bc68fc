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
	"sync"
	"sync/atomic"
)

const (
	sandboxUID      = 10000
	sandboxGID      = 10000
	workDir         = "/workspace"
	maxRequestBytes = 256 << 20
)

func main() {
	socketPath := flag.String("socket", "/run/warmbox/agent.sock", "Unix socket to serve on")
	flag.Parse()
	log.SetFlags(log.LstdFlags | log.Lmicroseconds)
	log.SetPrefix("warmbox-agent ")

	os.Remove(*socketPath)
	listener, err := net.Listen("unix", *socketPath)
	if err != nil {
		log.Fatalf("cannot listen on %s: %v", *socketPath, err)
	}
	// The directory above the socket is private to the server; the socket itself must be
	// connectable by a server that does not run as root.
	if err := os.Chmod(*socketPath, 0o666); err != nil {
		log.Fatalf("cannot chmod %s: %v", *socketPath, err)
	}
	agent := &Agent{}
	log.Printf("serving on %s", *socketPath)
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
}

func (a *Agent) serve(conn net.Conn) {
	defer conn.Close()
	reader := bufio.NewReaderSize(conn, 64<<10)
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
