package main

import (
	"encoding/json"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// prepareTimeout bounds how long a reset waits for the prepared interpreter to say it is ready.
const prepareTimeout = 10 * time.Second

// Prepared is an interpreter started as the sandbox user right after a scrub. It has loaded its
// runtime and blocks reading fd 3; exec hands it the program's argv there, which saves the
// interpreter's start-up on the request path. It saw nothing of any previous execution.
type Prepared struct {
	proc    *running
	control *os.File
}

func (a *Agent) exec(req *Request) any {
	if req.Run == nil || len(req.Run.Argv) == 0 {
		return failure("exec needs run.argv")
	}
	if err := writeFiles(workDir, req.Files); err != nil {
		return failure(err.Error())
	}
	limit := req.OutputLimit
	if limit <= 0 {
		limit = 1 << 20
	}
	answer := ExecAnswer{OK: true, Version: runtimeVersion()}
	if req.Compile != nil && len(req.Compile.Argv) > 0 {
		var err error
		answer.Compile, err = a.step(req.Compile.Argv, req.Env, "", millis(req.Compile.TimeoutMs, 30000), limit)
		if err != nil {
			return failure("compile: " + err.Error())
		}
		if answer.Compile.ExitCode != 0 {
			a.discardPrepared()
			return answer
		}
	}
	timeout := millis(req.TimeoutMs, 10000)
	if a.prepared != nil && a.prepared.proc.proc.exited() {
		a.discardPrepared() // died waiting, or its template died and can no longer report its end
	}
	if req.Run.Prepared && a.prepared != nil {
		result, err := a.runPrepared(req.Run.Argv, req.Stdin, timeout, limit)
		if err != nil {
			return failure("run: " + err.Error())
		}
		if result != nil {
			answer.Run, answer.Prepared = result, true
			return answer
		}
	}
	a.discardPrepared()
	var err error
	if answer.Run, err = a.step(req.Run.Argv, req.Env, req.Stdin, timeout, limit); err != nil {
		return failure("run: " + err.Error())
	}
	return answer
}

func (a *Agent) step(argv []string, env map[string]string, stdin string, timeout time.Duration, limit int) (*StepResult, error) {
	started := time.Now()
	proc, err := start(argv, env, nil)
	if err != nil {
		return &StepResult{Stderr: fmt.Sprintf("cannot start %s: %v\n", argv[0], err), ExitCode: 127}, nil
	}
	return proc.finish(stdin, timeout, limit, started)
}

// runPrepared hands argv to the waiting interpreter; nil when it is gone (then the caller spawns).
func (a *Agent) runPrepared(argv []string, stdin string, timeout time.Duration, limit int) (*StepResult, error) {
	prepared := a.prepared
	a.setPrepared(nil)
	started := time.Now()
	message, _ := json.Marshal(map[string]any{"argv": argv})
	_, err := prepared.control.Write(message)
	prepared.control.Close()
	if err != nil { // it died (e.g. killed under memory pressure): clean up, let the caller spawn
		prepared.proc.close()
		if err := killAll(); err != nil {
			return nil, err
		}
		prepared.proc.proc.wait()
		return nil, nil
	}
	return prepared.proc.finish(stdin, timeout, limit, started)
}

// prepare starts the interpreter and waits until it says (one byte on fd 4) that it has loaded and
// blocks on fd 3: only then is the sandbox worth handing out. When the spec names a template the
// interpreter is forked from it; if that fails it is spawned as without one. A slow or failing
// interpreter is discarded and the next exec spawns normally.
func (a *Agent) prepare(spec *PrepareSpec) error {
	if spec.Template != nil && len(spec.Template.Argv) > 0 {
		if t := a.templateFor(spec); t != nil {
			err := a.prepareWith(func(extra []*os.File) (*running, error) { return startForked(t, extra) })
			if err == nil {
				t.worked = true
				a.forked = true
				return nil
			}
			a.templateFailed(t, err)
		}
	}
	return a.prepareWith(func(extra []*os.File) (*running, error) { return start(spec.Argv, spec.Env, extra) })
}

// prepareWith starts a prepared interpreter with launch, which gets its fds 3 and 4.
func (a *Agent) prepareWith(launch func(extra []*os.File) (*running, error)) error {
	controlR, controlW, err := os.Pipe()
	if err != nil {
		return err
	}
	readyR, readyW, err := os.Pipe()
	if err != nil {
		controlR.Close()
		controlW.Close()
		return err
	}
	defer readyR.Close()
	proc, err := launch([]*os.File{controlR, readyW})
	closeAll(controlR, readyW) // the interpreter has its own copies, or none: ready reads EOF when it dies
	if err != nil {
		controlW.Close()
		return err
	}
	a.setPrepared(&Prepared{proc: proc, control: controlW})
	readyR.SetReadDeadline(time.Now().Add(prepareTimeout))
	if _, err := readyR.Read(make([]byte, 1)); err != nil {
		a.discardPrepared()
		return fmt.Errorf("the interpreter did not become ready: %v", err)
	}
	return nil
}

// templateFor returns the running template for spec, starting one if there is none (or it died, or
// was started for another spec); nil when spec's template is known not to work.
func (a *Agent) templateFor(spec *PrepareSpec) *Template {
	key := templateKey(spec)
	if a.brokenTemplate == key {
		return nil
	}
	if a.template != nil && (a.template.key != key || !a.template.alive()) {
		if !a.template.alive() {
			log.Printf("the template ended; starting it again")
		}
		a.template.stop()
		a.template = nil
	}
	if a.template == nil {
		t, err := startTemplate(spec)
		if err != nil {
			a.brokenTemplate = key
			log.Printf("template %q cannot start, prepared interpreters are spawned instead: %v", spec.Template.Argv[0], err)
			return nil
		}
		a.template = t
	}
	return a.template
}

// templateFailed stops a template that could not prepare an interpreter. One that never did is not
// started again for the same spec (logged once); one that worked before is restarted next time.
func (a *Agent) templateFailed(t *Template, err error) {
	t.stop()
	if a.template == t {
		a.template = nil
	}
	if !t.worked {
		a.brokenTemplate = t.key
		log.Printf("the template does not work, prepared interpreters are spawned instead: %v", err)
	} else {
		log.Printf("the template failed and will be restarted: %v", err)
	}
}

func (a *Agent) discardPrepared() {
	if a.prepared == nil {
		return
	}
	a.prepared.control.Close()
	if proc := a.prepared.proc.proc; !proc.exited() {
		// Not yet reported exited; nothing else in the container forks meanwhile, so the pid is its own.
		syscall.Kill(proc.pid(), syscall.SIGKILL)
		proc.wait()
	}
	a.prepared.proc.close()
	a.setPrepared(nil)
}

func (a *Agent) setPrepared(p *Prepared) {
	a.prepared = p
	a.hasPrepared.Store(p != nil)
	if p == nil {
		a.forked = false
	}
}

// writeFiles creates each file in dir (the working directory), never through a symbolic link.
func writeFiles(dir string, files []File) error {
	for _, f := range files {
		if !plainName(f.Name) {
			return fmt.Errorf("file name %q is not a plain file name", f.Name)
		}
		path := filepath.Join(dir, f.Name)
		fd, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, 0o644)
		if err != nil {
			return fmt.Errorf("cannot create %s: %v", f.Name, err)
		}
		_, werr := fd.WriteString(f.Content)
		cerr := fd.Chown(sandboxUID, sandboxGID)
		fd.Close()
		if werr != nil || cerr != nil {
			return fmt.Errorf("cannot write %s: %v %v", f.Name, werr, cerr)
		}
	}
	return nil
}

func plainName(name string) bool {
	return name != "" && name != "." && name != ".." && !strings.ContainsAny(name, "/\x00") &&
		!strings.Contains(name, "..") && len(name) <= 255
}

func millis(ms int64, fallback int64) time.Duration {
	if ms <= 0 {
		ms = fallback
	}
	return time.Duration(ms) * time.Millisecond
}

func runtimeVersion() string {
	data, err := os.ReadFile("/etc/warmbox/runtime-version")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(strings.SplitN(string(data), "\n", 2)[0])
}
