# The pristine template process of a python sandbox (docs/agent-protocol.md, "template").
#
# The agent starts it once per container, as root, with `python3 -I -B -u -c <this> <loader>`: -I so
# that it reads nothing the sandbox user can write (no environment variables, no user site, no
# working directory on sys.path), -B and -u because -I ignores PYTHONDONTWRITEBYTECODE and
# PYTHONUNBUFFERED, which the language's environment sets. Its fd 3 is a SOCK_SEQPACKET socket to
# the agent. It never receives user code or data: each request carries only five file descriptors
# (the child's stdin, stdout, stderr, control and ready ends), and it forks a child that drops to
# the sandbox user before it reads anything, then runs the loader (argv[1], Language.PYTHON_LOADER).
# It reaps its children and tells the agent how each ended. Everything it needs is imported here,
# before any user code has run anywhere: it imports nothing later.
import builtins, ctypes, json, os, select, signal, socket, sys

SANDBOX_UID = SANDBOX_GID = 10000
WORKDIR = '/workspace'
CHILD_FDS = 5  # stdin, stdout, stderr, control (fd 3), ready (fd 4)
PR_SET_DUMPABLE = 4

loader = compile(sys.argv[1], '<string>', 'exec')
libc = ctypes.CDLL(None, use_errno=True)
agent = socket.socket(fileno=3)
# The wakeup pipe takes the lowest free numbers (4 and up), so descriptors received later are above
# the child's 0-4 and dup2 onto them never overwrites one still to be moved.
wake_r, wake_w = os.pipe()
os.set_blocking(wake_r, False)
os.set_blocking(wake_w, False)
signal.set_wakeup_fd(wake_w)
signal.signal(signal.SIGCHLD, lambda signum, frame: None)


def become_sandbox_user(fds):
    """In the forked child: the process a sandbox user's interpreter would be, before it reads anything."""
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    os.setsid()
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
    os.closerange(CHILD_FDS, 1 << 20)
    os.chdir(WORKDIR)
    os.setgroups([])
    os.setgid(SANDBOX_GID)
    os.setuid(SANDBOX_UID)  # from root to another user: every capability is gone
    if os.getresuid() != (SANDBOX_UID,) * 3 or os.getresgid() != (SANDBOX_GID,) * 3:
        raise OSError('the credentials did not change')
    # setuid made the process non-dumpable, which would leave its /proc files owned by root; an
    # interpreter the sandbox user started itself is dumpable.
    if libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), 'prctl(PR_SET_DUMPABLE)')
    sys.path.insert(0, '')  # what -c puts first, and what the loader replaces with the program's directory


def fork_child(fds):
    pid = os.fork()
    if pid != 0:
        return pid
    try:
        become_sandbox_user(fds)
    except BaseException as error:
        os.write(2, f'warmbox template: cannot prepare the interpreter: {error!r}\n'.encode())
        os._exit(127)
    try:
        exec(loader, {'__name__': '__main__', '__builtins__': builtins})
    finally:
        os._exit(1)  # the loader ends with os._exit; never return into the template


def serve_fork():
    message, fds, _, _ = socket.recv_fds(agent, 4096, CHILD_FDS)
    if not message:
        os._exit(0)  # the agent is gone
    try:
        if len(fds) != CHILD_FDS:
            reply = {'error': f'expected {CHILD_FDS} descriptors, got {len(fds)}'}
        else:
            reply = {'pid': fork_child(fds)}
    except OSError as error:
        reply = {'error': f'fork: {error}'}
    finally:
        for fd in fds:
            os.close(fd)
    agent.send(json.dumps(reply).encode())


def reap():
    try:
        while os.read(wake_r, 4096):
            pass
    except BlockingIOError:
        pass
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        agent.send(json.dumps({'exited': pid, 'status': status}).encode())


while True:
    ready, _, _ = select.select([agent, wake_r], [], [])
    if wake_r in ready:
        reap()
    if agent in ready:
        serve_fork()
