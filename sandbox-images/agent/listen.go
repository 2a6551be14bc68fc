package main

import (
	"bufio"
	"crypto/subtle"
	"errors"
	"fmt"
	"log"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Where the agent listens: a Unix socket (the default; the server reaches it through a host
// directory bind-mounted into the sandbox), or a TCP port (-listen tcp:PORT) where the server reaches
// the sandbox by its address, as on Kubernetes. In the sandbox's own network namespace the sandbox
// user can connect to that port too, so over TCP every request must first present the per-sandbox
// secret, which only root can read (docs/agent-protocol.md).

const (
	// minSecretBytes: a secret shorter than this is refused at start (the server sends 32 random
	// bytes in hex, 64 characters).
	minSecretBytes = 32
	// maxSecretLine bounds the first line of a connection; a longer one is refused unread.
	maxSecretLine = 512
	// secretWait bounds how long a connection may take to present its secret.
	secretWait = 10 * time.Second
)

var errUnauthorized = errors.New("unauthorized")

// listen opens where the agent serves; over TCP it first reads the secret and prepares the
// writable places. Any failure ends the agent: a sandbox that cannot be reached safely must not run.
func (a *Agent) listen(listen, socketPath, secretFile string) net.Listener {
	network, address, err := listenSpec(listen, socketPath)
	if err != nil {
		log.Fatal(err)
	}
	var listener net.Listener
	if network == "tcp" {
		if secretFile == "" {
			log.Fatalf("-listen %s needs -secret-file", listen)
		}
		if a.secret, err = readSecret(secretFile); err != nil {
			log.Fatal(err)
		}
		if err := restoreWritablePlaces(); err != nil {
			log.Fatalf("cannot prepare the writable places: %v", err)
		}
		if listener, err = net.Listen("tcp", address); err != nil {
			log.Fatalf("cannot listen on %s: %v", address, err)
		}
	} else {
		os.Remove(address)
		if listener, err = net.Listen("unix", address); err != nil {
			log.Fatalf("cannot listen on %s: %v", address, err)
		}
		// The directory above the socket is private to the server; the socket itself must be
		// connectable by a server that does not run as root.
		if err := os.Chmod(address, 0o666); err != nil {
			log.Fatalf("cannot chmod %s: %v", address, err)
		}
	}
	log.Printf("serving on %s %s", network, address)
	return listener
}

// listenSpec parses -listen: "" (the Unix socket of -socket) or "tcp:PORT".
func listenSpec(listen, socketPath string) (network, address string, err error) {
	if listen == "" || listen == "unix:"+socketPath {
		return "unix", socketPath, nil
	}
	if port, ok := strings.CutPrefix(listen, "tcp:"); ok {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return "", "", fmt.Errorf("-listen %q: the port is not a number", listen)
		}
		return "tcp", ":" + port, nil
	}
	return "", "", fmt.Errorf("-listen %q: expected tcp:PORT", listen)
}

// readSecret reads the secret from a file that must be a regular file owned by the agent's own
// user and readable by nobody else (a Kubernetes Secret mounted with mode 0400): the sandbox user
// must never be able to read it. Surrounding white space is not part of the secret.
func readSecret(path string) ([]byte, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read the secret file: %v", err)
	}
	st, ok := info.Sys().(*syscall.Stat_t)
	if !info.Mode().IsRegular() || !ok {
		return nil, fmt.Errorf("the secret file %s is not a regular file", path)
	}
	if int(st.Uid) != os.Getuid() || info.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("the secret file %s must be owned by uid %d and readable by it alone (it is uid %d, mode %v)",
			path, os.Getuid(), st.Uid, info.Mode().Perm())
	}
	content, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read the secret file: %v", err)
	}
	secret := []byte(strings.TrimSpace(string(content)))
	if len(secret) < minSecretBytes {
		return nil, fmt.Errorf("the secret in %s is shorter than %d bytes", path, minSecretBytes)
	}
	return secret, nil
}

// authenticate reads the connection's first line and compares it with the secret in constant
// time. A line longer than maxSecretLine, or none within secretWait, is refused.
func authenticate(conn net.Conn, reader *bufio.Reader, secret []byte) error {
	conn.SetReadDeadline(time.Now().Add(secretWait))
	defer conn.SetReadDeadline(time.Time{})
	line := make([]byte, 0, 128)
	for {
		b, err := reader.ReadByte()
		if err != nil {
			return errUnauthorized
		}
		if b == '\n' {
			break
		}
		if len(line) == maxSecretLine {
			return errUnauthorized
		}
		line = append(line, b)
	}
	if subtle.ConstantTimeCompare([]byte(strings.TrimRight(string(line), "\r")), secret) != 1 {
		return errUnauthorized
	}
	return nil
}

// restoreWritablePlaces gives every writable place the owner and mode a scrub leaves it with. Over
// TCP the places are volumes of the orchestrator (Kubernetes' memory-backed emptyDirs), created
// owned by root with mode 0777; Docker's tmpfs mounts come with them already.
func restoreWritablePlaces() error {
	for _, place := range writable {
		if err := empty(place.path, place.uid, place.mode); err != nil {
			return err
		}
	}
	return nil
}
