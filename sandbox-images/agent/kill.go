package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"runtime"
	"strings"
	"syscall"
	"time"
	"unsafe"
)

// maxKillRounds bounds killAll: after the sweep it waits, a little longer each round, for the
// killed to finish exiting (about 0.8 s in all).
const maxKillRounds = 50

// killAll kills every process of the sandbox user and returns once /proc shows none alive.
//
// The kill is one kill(-1, SIGKILL) from the agent, made with the sandbox user's credentials (see
// sweep): it reaches every process whose real or saved uid is the sandbox user's, and nothing else,
// so the template (root) and init live on. The kernel delivers it in one sweep under the task list
// lock, so no process escapes by forking meanwhile (a process with SIGKILL pending cannot fork), and
// it needs no new process or thread: a fork bomb that used up the pids limit, or that starves the
// agent of CPU, cannot outrun it the way a kill by pid after a scan of /proc can. Stopped, detached
// and double-forked processes die like any other.
//
// With nothing left behind this costs a few system calls and one scan of /proc (tens of µs).
func killAll() error {
	for round := 0; round < maxKillRounds; round++ {
		if round%10 == 0 { // at once, then again now and then in case a signal was delayed
			if err := sweep(); err != nil {
				return err
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

// sweepRealUID is the real uid of the sweeping thread: no process has it. With it as real and the
// sandbox user as effective uid, kill(-1) reaches the processes whose real or saved uid is the
// sandbox user's (the effective uid matches them) and no others; and the thread is never a target
// of the sandbox user's signals meanwhile, which check its real and saved uid (neither is 10000).
const sweepRealUID = 10001

// sweep sends SIGKILL to every process of the sandbox user. Linux credentials belong to a thread,
// so one locked OS thread takes uids (10001, 10000, 0) for the kill(-1), which also clears its
// effective capabilities (CAP_KILL would reach everything), and takes back (0, 0, 0), which the
// saved uid 0 allows. Raw system calls: syscall.Setresuid would change every thread of the agent.
// A thread whose root credentials did not come back is never handed back to the runtime: its
// goroutine ends while locked, and the runtime ends the thread with it.
func sweep() error {
	result := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		restored, err := sweepOnThisThread()
		if restored {
			runtime.UnlockOSThread()
		}
		result <- err
	}()
	return <-result
}

func sweepOnThisThread() (restored bool, err error) {
	if _, _, e := syscall.RawSyscall(syscall.SYS_SETRESUID, sweepRealUID, sandboxUID, 0); e != 0 {
		return threadIsRoot(), fmt.Errorf("setresuid for the kill: %v", e)
	}
	_, _, killErr := syscall.RawSyscall(syscall.SYS_KILL, ^uintptr(0) /* -1 */, uintptr(syscall.SIGKILL), 0)
	_, _, e := syscall.RawSyscall(syscall.SYS_SETRESUID, 0, 0, 0)
	if restored = threadIsRoot(); !restored {
		return false, fmt.Errorf("the killing thread did not get its root credentials back: %v", e)
	}
	if killErr != 0 && killErr != syscall.ESRCH { // ESRCH: nothing to kill
		return true, fmt.Errorf("kill(-1): %v", killErr)
	}
	return true, nil
}

// threadIsRoot reads the calling thread's real, effective and saved uid.
func threadIsRoot() bool {
	var r, e, s uint32
	syscall.RawSyscall(syscall.SYS_GETRESUID, uintptr(unsafe.Pointer(&r)), uintptr(unsafe.Pointer(&e)), uintptr(unsafe.Pointer(&s)))
	return r == 0 && e == 0 && s == 0
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
