package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"
)

// maxKillRounds bounds killAll: after the sweep it waits, a little longer each round, for the
// killed to finish exiting (about 0.8 s in all).
const maxKillRounds = 50

// killAll kills every process of the sandbox user and returns once /proc shows none alive.
//
// The kill is one kill(-1, SIGKILL) from the agent: as root it reaches every process of the
// container except init and the agent itself, which are the only ones that are not the sandbox
// user's (the server never runs anything else in a sandbox). The kernel delivers it in one sweep
// under the task list lock, so no process escapes by forking meanwhile (a process with SIGKILL
// pending cannot fork), and it needs no new process: a fork bomb that used up the pids limit, or
// that starves the agent of CPU, cannot outrun it the way a kill by pid after a scan of /proc
// can. Stopped, detached and double-forked processes die like any other.
//
// With nothing left behind this costs one system call and one scan of /proc (tens of µs).
func killAll() error {
	for round := 0; round < maxKillRounds; round++ {
		if round%10 == 0 { // at once, then again now and then in case a signal was delayed
			if err := syscall.Kill(-1, syscall.SIGKILL); err != nil && err != syscall.ESRCH {
				return fmt.Errorf("kill(-1): %w", err)
			}
		} else {
			// The killed are still exiting (freeing a large memory takes a while).
			time.Sleep(time.Duration(min(round, 20)) * time.Millisecond)
		}
		if sandboxProcs() == 0 {
			return nil
		}
	}
	return fmt.Errorf("%d processes of the sandbox user survived SIGKILL", sandboxProcs())
}

// sandboxProcs counts the live processes of the sandbox user that /proc shows.
func sandboxProcs() int {
	dir, err := os.Open("/proc")
	if err != nil {
		return 0
	}
	defer dir.Close()
	names, _ := dir.Readdirnames(-1)
	alive := 0
	for _, name := range names {
		if name[0] < '0' || name[0] > '9' {
			continue
		}
		status, err := os.ReadFile("/proc/" + name + "/status")
		if err != nil {
			continue // gone meanwhile
		}
		if ours, live := sandboxProcState(status); ours && live {
			alive++
		}
	}
	return alive
}

// sandboxProcState reads /proc/<pid>/status: the process is ours when its real, effective or
// saved uid is the sandbox user's, and live unless it is a zombie or dead (init reaps those). The
// owner of /proc/<pid> is not used: some kernels show root there for a process that made itself
// non-dumpable, which would let it survive every kill.
func sandboxProcState(status []byte) (ours, live bool) {
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		key, value, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		fields := strings.Fields(value)
		switch key {
		case "State":
			live = len(fields) > 0 && fields[0] != "Z" && fields[0] != "X"
		case "Uid": // after State in the file
			for i := 0; i < len(fields) && i < 3; i++ {
				if fields[i] == sandboxUIDText {
					return true, live
				}
			}
			return false, false
		}
	}
	return false, false
}
