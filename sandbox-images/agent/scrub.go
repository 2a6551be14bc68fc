package main

import (
	"bufio"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"
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
	if err := killAll(); err != nil {
		return failure(err.Error())
	}
	for _, place := range writable {
		if err := empty(place.path, place.uid, place.mode); err != nil {
			return failure(err.Error())
		}
	}
	if err := removeIPC(); err != nil {
		return failure(err.Error())
	}
	if req.Prepare != nil && len(req.Prepare.Argv) > 0 {
		if err := a.prepare(req.Prepare); err != nil {
			// Still a clean sandbox: the next exec spawns its interpreter instead.
			log.Printf("no prepared interpreter: %v", err)
		}
	}
	return map[string]any{"ok": true, "prepared": a.prepared != nil, "forked": a.forked,
		"duration_ms": time.Since(started).Milliseconds()}
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

// ipcTables list the System V IPC objects of the container's IPC namespace: shared memory,
// message queues, semaphores. They live in no file, so emptying directories does not reach them.
// Linux lists them in /proc/sysvipc; gVisor has no such files, and there the scrub asks the kernel
// how many objects of a kind exist (SHM_INFO, MSG_INFO, SEM_INFO) and removes by id instead.
var ipcTables = []struct {
	file  string
	rmctl func(id int) syscall.Errno
	inUse func() int
}{
	{"/proc/sysvipc/shm", func(id int) syscall.Errno {
		_, _, e := syscall.Syscall(syscall.SYS_SHMCTL, uintptr(id), ipcRmid, 0)
		return e
	}, func() int {
		var info [64]int32 // struct shm_info: int used_ids, then longs
		r, _, e := syscall.Syscall(syscall.SYS_SHMCTL, 0, shmInfo, uintptr(unsafe.Pointer(&info[0])))
		return infoCount(r, e, info[0])
	}},
	{"/proc/sysvipc/msg", func(id int) syscall.Errno {
		_, _, e := syscall.Syscall(syscall.SYS_MSGCTL, uintptr(id), ipcRmid, 0)
		return e
	}, func() int {
		var info [64]int32 // struct msginfo: msgpool (the queues in use under MSG_INFO) first
		r, _, e := syscall.Syscall(syscall.SYS_MSGCTL, 0, msgInfo, uintptr(unsafe.Pointer(&info[0])))
		return infoCount(r, e, info[0])
	}},
	{"/proc/sysvipc/sem", func(id int) syscall.Errno {
		_, _, e := syscall.Syscall6(syscall.SYS_SEMCTL, uintptr(id), 0, ipcRmid, 0, 0, 0)
		return e
	}, func() int {
		var info [64]int32 // struct seminfo: semusz (the sets in use under SEM_INFO) is the eighth int
		r, _, e := syscall.Syscall6(syscall.SYS_SEMCTL, 0, 0, semInfo, uintptr(unsafe.Pointer(&info[0])), 0, 0)
		return infoCount(r, e, info[7])
	}},
}

const (
	shmInfo = 14
	msgInfo = 12
	semInfo = 19
	// ipcMaxID bounds the ids the scrub tries where it cannot list them (IPCMNI: gVisor hands out ids
	// below it, counting up from 1).
	ipcMaxID = 32768
)

// infoCount is the count an *_INFO call reported, or 0 when the call failed.
func infoCount(r uintptr, e syscall.Errno, count int32) int {
	if e != 0 || int(r) < 0 || count < 0 {
		return 0
	}
	return int(count)
}

// ipcCount is how many objects of a table's kind exist.
func ipcCount(file string, inUse func() int) int {
	if _, err := os.Stat(file); err == nil {
		return len(ipcIDs(file))
	}
	return inUse()
}

const ipcRmid = 0

// removeIPC removes every System V IPC object. IPC_RMID is allowed to an object's owner or creator,
// or with CAP_SYS_ADMIN, which the agent does not have; every object here was created by sandbox
// code (its creator stays uid 10000 whatever owner it sets), so the removal runs in the
// `ipc-clean` helper as the sandbox user, and only when there is something to remove.
func removeIPC() error {
	if ipcObjectCount() == 0 {
		return nil
	}
	cmd := &exec.Cmd{
		Path: selfExe, Args: []string{selfExe, "ipc-clean"}, Env: []string{}, Dir: "/",
		Stderr:      os.Stderr,
		SysProcAttr: &syscall.SysProcAttr{Credential: sandboxCredential()},
	}
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("ipc-clean helper: %v", err)
	}
	if left := ipcObjectCount(); left > 0 {
		return fmt.Errorf("%d System V IPC objects could not be removed", left)
	}
	return nil
}

func ipcObjectCount() int {
	n := 0
	for _, table := range ipcTables {
		n += ipcCount(table.file, table.inUse)
	}
	return n
}

// ipcCleanMain is the `ipc-clean` subcommand, run as the sandbox user.
func ipcCleanMain() int {
	status := 0
	for _, table := range ipcTables {
		if _, err := os.Stat(table.file); err != nil {
			if !removeByScan(table.file, table.rmctl, table.inUse()) {
				status = 1
			}
			continue
		}
		for _, id := range ipcIDs(table.file) {
			// EINVAL/EIDRM: removed meanwhile.
			if e := table.rmctl(id); e != 0 && e != syscall.EINVAL && e != syscall.EIDRM {
				log.Printf("ipc-clean: %s id %d: %v", table.file, id, e)
				status = 1
			}
		}
	}
	return status
}

// removeByScan removes objects by trying ids from 0 up until it has met as many as exist (an id that
// exists answers IPC_RMID with success or EPERM, one that does not with EINVAL); a program that pushed
// an object to a high id only makes its own scrub longer. It reports whether every object met went.
func removeByScan(kind string, rmctl func(id int) syscall.Errno, existing int) bool {
	ok := true
	for id, met := 0, 0; met < existing && id < ipcMaxID; id++ {
		switch e := rmctl(id); e {
		case 0:
			met++
		case syscall.EINVAL, syscall.EIDRM:
		default:
			met++
			ok = false
			log.Printf("ipc-clean: %s id %d: %v", kind, id, e)
		}
	}
	return ok
}

// ipcIDs reads the ids (second column) of a /proc/sysvipc table, below its header line.
func ipcIDs(file string) []int {
	f, err := os.Open(file)
	if err != nil {
		return nil
	}
	defer f.Close()
	return parseIPCTable(f)
}

func parseIPCTable(r io.Reader) []int {
	var ids []int
	scanner := bufio.NewScanner(r)
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
	processes := sandboxProcs()
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
