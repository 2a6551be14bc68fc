package main

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
)

func TestPlainName(t *testing.T) {
	for _, ok := range []string{"main.py", "Main.java", "a", ".hidden", "data.tar.gz"} {
		if !plainName(ok) {
			t.Errorf("%q refused", ok)
		}
	}
	for _, bad := range []string{"", ".", "..", "a/b", "/etc", "../x", "a..b", "nul\x00", strings.Repeat("a", 256)} {
		if plainName(bad) {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestSandboxProcState(t *testing.T) {
	status := func(state, uids string) []byte {
		return []byte("Name:\tsleep\nUmask:\t0022\nState:\t" + state + "\nTgid:\t7\nUid:\t" + uids + "\nGid:\t0\t0\t0\t0\n")
	}
	cases := []struct {
		state, uids string
		ours, live  bool
	}{
		{"S (sleeping)", "10000\t10000\t10000\t10000", true, true},
		{"T (stopped)", "10000\t10000\t10000\t10000", true, true},
		{"Z (zombie)", "10000\t10000\t10000\t10000", true, false},
		{"X (dead)", "10000\t10000\t10000\t10000", true, false},
		{"S (sleeping)", "0\t0\t0\t0", false, false},
		{"R (running)", "0\t10000\t0\t0", true, true},
		{"S (sleeping)", "0\t0\t0\t10000", false, false}, // the fs uid alone does not make it ours
		{"S (sleeping)", "100000\t100000\t100000\t100000", false, false},
	}
	for _, c := range cases {
		if ours, live := sandboxProcState(status(c.state, c.uids)); ours != c.ours || live != c.live {
			t.Errorf("%s uids %s: got ours=%v live=%v", c.state, c.uids, ours, live)
		}
	}
}

func TestParseIPCTable(t *testing.T) {
	table := "       key      shmid perms       size  cpid  lpid\n" +
		"         0         32   600    1048576   123     0\n" +
		"  12345678         33   644       4096   124     0\n"
	got := parseIPCTable(strings.NewReader(table))
	if len(got) != 2 || got[0] != 32 || got[1] != 33 {
		t.Errorf("got %v", got)
	}
	if ids := parseIPCTable(strings.NewReader("       key      msqid perms\n")); len(ids) != 0 {
		t.Errorf("header only: got %v", ids)
	}
}

func TestEnvironIsExactlyTheRequest(t *testing.T) {
	if got := strings.Join(environ(map[string]string{"B": "2", "A": "1"}), ","); got != "A=1,B=2" {
		t.Errorf("got %v", got)
	}
	if environ(nil) == nil {
		t.Error("an empty env must be a non-nil list, or os/exec passes the agent's own")
	}
}

func TestLookPathUsesTheGivenPath(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(dir+"/prog", []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(dir+"/data", nil, 0o644)
	if got, err := lookPath("prog", "/nonexistent::"+dir); err != nil || got != dir+"/prog" {
		t.Errorf("got %q %v", got, err)
	}
	if _, err := lookPath("data", dir); err == nil {
		t.Error("a file that is not executable was found")
	}
}

func TestSignalName(t *testing.T) {
	if signalName(9) != "SIGKILL" || signalName(15) != "SIGTERM" || signalName(40) != "SIG40" {
		t.Error(signalName(9), signalName(15), signalName(40))
	}
}

func TestCaptureKeepsTheLimitAndReportsOverflowOnce(t *testing.T) {
	overflows := 0
	c := &capture{limit: 10, overflow: func() { overflows++ }}
	r, w, _ := os.Pipe()
	go func() { w.WriteString(strings.Repeat("x", 100)); w.WriteString("more"); w.Close() }()
	var wg sync.WaitGroup
	wg.Add(1)
	c.drain(r, &wg)
	if c.buf.String() != strings.Repeat("x", 10) || !c.truncated || overflows != 1 {
		t.Errorf("got %q truncated=%v overflows=%d", c.buf.String(), c.truncated, overflows)
	}

	exact := &capture{limit: 10, overflow: func() { t.Error("output of exactly the limit overflowed") }}
	r2, w2, _ := os.Pipe()
	go func() { w2.WriteString("0123456789"); w2.Close() }()
	wg.Add(1)
	exact.drain(r2, &wg)
	if exact.truncated || exact.buf.Len() != 10 {
		t.Errorf("exactly the limit: truncated=%v len=%d", exact.truncated, exact.buf.Len())
	}
}

// A link planted where the next file will be written is refused, and its target stays untouched.
func TestWriteFilesNeverFollowsAPlantedLink(t *testing.T) {
	dir, outside := t.TempDir(), t.TempDir()
	target := filepath.Join(outside, "victim")
	if err := os.WriteFile(target, []byte("untouched"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, filepath.Join(dir, "main.py")); err != nil {
		t.Fatal(err)
	}
	if err := writeFiles(dir, []File{{Name: "main.py", Content: "evil"}}); err == nil {
		t.Fatal("writing through a planted link must fail")
	}
	if b, _ := os.ReadFile(target); string(b) != "untouched" {
		t.Fatalf("the link's target was written: %q", b)
	}
}

// The scrub removes links (to files and to directories) without touching what they point at.
func TestEmptyRemovesLinksWithoutFollowingThem(t *testing.T) {
	dir, outside := t.TempDir(), t.TempDir()
	keep := filepath.Join(outside, "keep")
	if err := os.WriteFile(keep, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, target := range map[string]string{"dirlink": outside, "filelink": keep, "loop": dir} {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := empty(dir, os.Getuid(), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(keep); err != nil {
		t.Fatalf("a link's target was removed: %v", err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Fatalf("left after the scrub: %v", left)
	}
}

// fakeTemplate is the template's end of the socket, played by the test; the Template under test
// has no process.
func fakeTemplate(t *testing.T) (*Template, *net.UnixConn) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_SEQPACKET|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	conn := func(fd int) *net.UnixConn {
		f := os.NewFile(uintptr(fd), "socket")
		defer f.Close()
		c, err := net.FileConn(f)
		if err != nil {
			t.Fatal(err)
		}
		return c.(*net.UnixConn)
	}
	tpl := newTemplate("key", nil, conn(fds[0]))
	peer := conn(fds[1])
	t.Cleanup(func() { peer.Close(); tpl.fail() })
	return tpl, peer
}

// The five descriptors travel with the fork request; the reply names the child, whose exit report
// (sent right after the reply, as a child that dies at once causes) reaches its waiter.
func TestTemplateForkPassesDescriptorsAndReportsTheChildsEnd(t *testing.T) {
	tpl, peer := fakeTemplate(t)
	r, w, _ := os.Pipe()
	defer r.Close()
	go func() {
		buf, oob := make([]byte, 256), make([]byte, 256)
		n, oobn, _, _, err := peer.ReadMsgUnix(buf, oob)
		if err != nil || string(buf[:n]) != `{"op":"fork"}` {
			t.Errorf("request %q %v", buf[:n], err)
			return
		}
		msgs, _ := syscall.ParseSocketControlMessage(oob[:oobn])
		fds, _ := syscall.ParseUnixRights(&msgs[0])
		if len(fds) != 5 {
			t.Errorf("got %d descriptors", len(fds))
		}
		syscall.Write(fds[4], []byte("r")) // the fifth is w: what the child writes arrives in r
		for _, fd := range fds {
			syscall.Close(fd)
		}
		peer.Write([]byte(`{"pid":4242}`))
		peer.Write([]byte(`{"exited":4242,"status":256}`))
	}()
	child, err := tpl.fork([]*os.File{w, w, w, w, w})
	w.Close()
	if err != nil {
		t.Fatal(err)
	}
	if child.pid() != 4242 {
		t.Errorf("pid %d", child.pid())
	}
	if status := child.wait(); status.ExitStatus() != 1 || !child.exited() {
		t.Errorf("status %v", status)
	}
	if b := make([]byte, 1); func() bool { n, _ := r.Read(b); return n == 1 }() == false {
		t.Error("the descriptor did not reach the template")
	}
}

// A template that refuses, or that dies, fails the fork instead of hanging it; children it was to
// report on count as killed, so no step waits for ever.
func TestTemplateFailureEndsForksAndChildren(t *testing.T) {
	tpl, peer := fakeTemplate(t)
	go func() {
		buf := make([]byte, 256)
		peer.Read(buf)
		peer.Write([]byte(`{"error":"fork: no memory"}`))
		peer.Read(buf)
		peer.Write([]byte(`{"pid":7}`))
		peer.Read(buf)
		peer.Close()
	}()
	if _, err := tpl.fork(nil); err == nil || !strings.Contains(err.Error(), "no memory") {
		t.Fatalf("refusal: %v", err)
	}
	child, err := tpl.fork(nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tpl.fork(nil); err == nil {
		t.Fatal("a fork from a dead template succeeded")
	}
	if status := child.wait(); !status.Signaled() || status.Signal() != syscall.SIGKILL {
		t.Errorf("status %v", status)
	}
	if tpl.alive() {
		t.Error("a template whose socket closed is alive")
	}
}

// The sweep kills the sandbox user's processes and spares root's, and the thread that made it is
// root again. It needs root and kills every process of uid 10000 in its pid namespace, so it runs
// only where the image build asks for it (a container of its own).
func TestSweepKillsOnlyTheSandboxUser(t *testing.T) {
	if os.Getenv("WARMBOX_AGENT_ROOT_TESTS") != "1" || os.Getuid() != 0 {
		t.Skip("needs root in a pid namespace of its own (WARMBOX_AGENT_ROOT_TESTS=1, set by the image build)")
	}
	sandboxed := exec.Command("sleep", "100")
	sandboxed.SysProcAttr = &syscall.SysProcAttr{Credential: sandboxCredential()}
	rooted := exec.Command("sleep", "100")
	if err := sandboxed.Start(); err != nil {
		t.Fatal(err)
	}
	if err := rooted.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { rooted.Process.Kill(); rooted.Wait() }()
	for i := 0; i < 20; i++ { // every thread the runtime has: none may keep the sweep's uids
		if err := sweep(); err != nil {
			t.Fatal(err)
		}
	}
	sandboxed.Wait()
	if status := sandboxed.ProcessState.Sys().(syscall.WaitStatus); status.Signal() != syscall.SIGKILL {
		t.Errorf("the sandbox user's process ended with %v", status)
	}
	if err := rooted.Process.Signal(syscall.Signal(0)); err != nil {
		t.Errorf("root's process was killed: %v", err)
	}
	if err := exec.Command("true").Run(); err != nil { // forked from some thread, as root
		t.Errorf("after the sweep: %v", err)
	}
	if os.Getuid() != 0 || os.Geteuid() != 0 {
		t.Error("the agent is no longer root")
	}
}

// Where /proc/sysvipc is missing (gVisor) the scrub removes by id: it must stop once it met as many
// objects as the kernel counts, reach ids far up, and report an object it could not remove.
func TestRemoveByScanFindsEveryObjectAndStops(t *testing.T) {
	objects := map[int]syscall.Errno{1: 0, 7: 0, 30000: 0}
	tried := 0
	rmctl := func(id int) syscall.Errno {
		tried++
		if e, ok := objects[id]; ok {
			delete(objects, id)
			return e
		}
		return syscall.EINVAL
	}
	if !removeByScan("shm", rmctl, 3) {
		t.Fatal("reported a failure where every object was removable")
	}
	if len(objects) != 0 || tried != 30001 {
		t.Fatalf("left %v after %d tries; want none left after 30001", objects, tried)
	}
	objects = map[int]syscall.Errno{2: syscall.EPERM}
	if removeByScan("msg", rmctl, 1) {
		t.Fatal("an object that could not be removed was not reported")
	}
	tried = 0
	if !removeByScan("sem", rmctl, 0) || tried != 0 {
		t.Fatalf("with nothing to remove it tried %d ids", tried)
	}
}
