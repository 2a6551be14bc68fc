package main

import (
	"bufio"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const testSecret = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func TestListenSpec(t *testing.T) {
	if n, a, err := listenSpec("", "/run/warmbox/agent.sock"); err != nil || n != "unix" || a != "/run/warmbox/agent.sock" {
		t.Errorf("default: %s %s %v", n, a, err)
	}
	if n, a, err := listenSpec("tcp:7070", "/x"); err != nil || n != "tcp" || a != ":7070" {
		t.Errorf("tcp: %s %s %v", n, a, err)
	}
	for _, bad := range []string{"tcp:", "tcp:x", "tcp:0", "tcp:70000", "tcp:1.2.3.4:80", "udp:53", "7070"} {
		if _, _, err := listenSpec(bad, "/x"); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestReadSecretNeedsAFileOnlyItsOwnerReads(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string, mode os.FileMode) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
		os.Chmod(path, mode)
		return path
	}
	if got, err := readSecret(write("good", testSecret+"\n", 0o400)); err != nil || string(got) != testSecret {
		t.Errorf("0400: got %q %v", got, err)
	}
	for name, mode := range map[string]os.FileMode{"group": 0o440, "world": 0o404, "all": 0o644} {
		if _, err := readSecret(write(name, testSecret, mode)); err == nil {
			t.Errorf("a secret file of mode %v was accepted", mode)
		}
	}
	if _, err := readSecret(write("short", "tooshort", 0o400)); err == nil {
		t.Error("a short secret was accepted")
	}
	if _, err := readSecret(filepath.Join(dir, "missing")); err == nil {
		t.Error("a missing file was accepted")
	}
}

// call sends raw bytes to an agent with a secret and returns its answer.
func call(t *testing.T, a *Agent, raw string) map[string]any {
	t.Helper()
	client, server := net.Pipe()
	go a.serve(server)
	go func() { client.Write([]byte(raw)) }()
	line, err := bufio.NewReader(client).ReadString('\n')
	client.Close()
	if err != nil {
		t.Fatalf("no answer to %q: %v", raw, err)
	}
	var answer map[string]any
	if err := json.Unmarshal([]byte(line), &answer); err != nil {
		t.Fatalf("answer %q: %v", line, err)
	}
	return answer
}

func TestEveryRequestMustPresentTheSecret(t *testing.T) {
	a := &Agent{secret: []byte(testSecret)}
	ping := `{"op":"ping"}` + "\n"
	cases := map[string]string{
		"no secret":       ping,
		"a wrong secret":  strings.Replace(testSecret, "0", "1", 1) + "\n" + ping,
		"a prefix of it":  testSecret[:40] + "\n" + ping,
		"it and more":     testSecret + "x\n" + ping,
		"an endless line": strings.Repeat("a", 4096) + "\n" + ping,
		"an empty line":   "\n" + ping,
	}
	for name, raw := range cases {
		if answer := call(t, a, raw); answer["ok"] != false || answer["error"] != "unauthorized" {
			t.Errorf("%s: got %v", name, answer)
		}
	}
	if answer := call(t, a, testSecret+"\n"+ping); answer["ok"] != true {
		t.Errorf("the right secret: got %v", answer)
	}
	if answer := call(t, &Agent{}, ping); answer["ok"] != true {
		t.Errorf("no secret needed on the Unix socket: got %v", answer)
	}
}
