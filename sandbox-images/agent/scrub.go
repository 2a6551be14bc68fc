package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// writable lists every place the sandbox user can write, with the owner and mode it must have
// again after a scrub.
var writable = []struct {
	path string
	uid  int
	mode os.FileMode
}{
	{"/workspace", sandboxUID, 0o755},
	{"/home/sandbox", sandboxUID, 0o755},
	{"/tmp", 0, 0o777 | os.ModeSticky},
	{"/dev/shm", 0, 0o777 | os.ModeSticky},
	{"/dev/mqueue", 0, 0o777 | os.ModeSticky},
}

func (a *Agent) reset(req *Request) any {
	started := time.Now()
	a.discardPrepared()
	if !killAll() {
		return failure("sandbox processes survived SIGKILL")
	}
	for _, place := range writable {
		if err := empty(place.path, place.uid, place.mode); err != nil {
			return failure(err.Error())
		}
	}
	removeIPC()
	if req.Prepare != nil && len(req.Prepare.Argv) > 0 {
		if err := a.prepare(req.Prepare); err != nil {
			return failure("cannot prepare the interpreter: " + err.Error())
		}
	}
	return map[string]any{"ok": true, "duration_ms": time.Since(started).Milliseconds()}
}

// empty removes everything inside dir without following symbolic links (RemoveAll removes a link,
// never its target) and restores the directory's owner and mode.
func empty(dir string, uid int, mode os.FileMode) error {
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("cannot list %s: %v", dir, err)
	}
	for _, entry := range entries {
		if err := os.RemoveAll(filepath.Join(dir, entry.Name())); err != nil {
			return fmt.Errorf("cannot remove %s: %v", filepath.Join(dir, entry.Name()), err)
		}
	}
	if err := os.Lchown(dir, uid, uid); err != nil {
		return fmt.Errorf("cannot restore the owner of %s: %v", dir, err)
	}
	if err := os.Chmod(dir, mode); err != nil {
		return fmt.Errorf("cannot restore the mode of %s: %v", dir, err)
	}
	left, _ := os.ReadDir(dir)
	if len(left) > 0 {
		return fmt.Errorf("%s is not empty after the scrub", dir)
	}
	return nil
}

// removeIPC removes System V shared memory, message queues and semaphores: they live in the
// container's IPC namespace, not in any file, so emptying directories does not reach them.
func removeIPC() {
	for _, kind := range []struct {
		file string
		call uintptr
	}{{"/proc/sysvipc/shm", syscall.SYS_SHMCTL}, {"/proc/sysvipc/msg", syscall.SYS_MSGCTL}, {"/proc/sysvipc/sem", syscall.SYS_SEMCTL}} {
		for _, id := range ipcIDs(kind.file) {
			const ipcRmid = 0
			if kind.call == syscall.SYS_SEMCTL {
				syscall.Syscall6(kind.call, uintptr(id), 0, ipcRmid, 0, 0, 0)
			} else {
				syscall.Syscall(kind.call, uintptr(id), ipcRmid, 0)
			}
		}
	}
}

func ipcIDs(file string) []int {
	f, err := os.Open(file)
	if err != nil {
		return nil
	}
	defer f.Close()
	var ids []int
	scanner := bufio.NewScanner(f)
	scanner.Scan() // header
	for scanner.Scan() {
		fields := strings.Fields(scanner.Text())
		if len(fields) > 1 {
			if id, err := strconv.Atoi(fields[1]); err == nil {
				ids = append(ids, id)
			}
		}
	}
	return ids
}

func (a *Agent) ping() any {
	processes := len(sandboxPids())
	prepared := a.hasPrepared.Load()
	if prepared && processes > 0 {
		processes-- // the prepared interpreter is ours, not a leftover
	}
	used, limit := memory()
	return map[string]any{
		"ok": true, "version": runtimeVersion(), "processes": processes, "prepared": prepared,
		"memory_bytes": used, "memory_limit_bytes": limit,
	}
}

func memory() (int64, int64) {
	if used, err := readInt("/sys/fs/cgroup/memory/memory.usage_in_bytes"); err == nil {
		limit, _ := readInt("/sys/fs/cgroup/memory/memory.limit_in_bytes")
		return used, limit
	}
	used, err := readInt("/sys/fs/cgroup/memory.current")
	if err != nil {
		return -1, -1
	}
	limit, err := readInt("/sys/fs/cgroup/memory.max")
	if err != nil {
		limit = -1
	}
	return used, limit
}

func readInt(path string) (int64, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
}
