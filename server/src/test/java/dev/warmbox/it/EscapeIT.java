package dev.warmbox.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Code that tries to get out of its sandbox, raise its privileges or tamper with what the pool runs
 * inside the container. Each attempt is refused, and the one container of the pool keeps serving.
 */
@Tag(RunningServer.HOSTILE)
class EscapeIT {
    private static RunningServer server;

    @BeforeAll
    static void start() {
        server = new RunningServer(Map.of("WARM_POOL_SIZE_PER_RUNTIME", "0", "WARM_POOL_PYTHON_SIZE", "1",
                "WARM_POOL_ACQUIRE_WAIT_MS", "5000"));
        Awaits.warm(server);
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    @AfterEach
    void theSameContainerStillServes() {
        JsonNode next = python("print('served')");
        assertThat(next.get("stdout").asText()).isEqualTo("served\n");
        await().atMost(Duration.ofSeconds(60)).until(() ->
                server.containers().size() == 1 && Awaits.allAvailable(server.status()));
    }

    private static JsonNode python(String code) {
        return server.execute(Map.of("language", "python", "code", code, "timeout_ms", 10000));
    }

    /** Runs code that prints one line per probe and returns those lines. */
    private static List<String> probe(String code) {
        JsonNode r = python(code);
        assertThat(r.get("exit_code").asInt()).as("probe ran: %s", r).isZero();
        return r.get("stdout").asText().lines().toList();
    }

    /**
     * Under gVisor (runsc 20221219) the sandbox user may read a root process's {@code /proc/<pid>/environ}
     * (and list, not open, its {@code fd/}), where Linux refuses: docs/security.md lists it. What that
     * reveals must be nothing the program does not have already: the probe prints the names of variables
     * it finds there beyond its own environment and the container's HOSTNAME, and there must be none.
     * Everywhere else the read is refused like every other attempt.
     */
    private static boolean notAGvisorEnvironRead(String line) {
        if (!RunningServer.underGvisor()) return true;
        if (line.startsWith("environ names")) {
            assertThat(line.strip()).as("a root process's environment holds only what the program has").isEqualTo("environ names");
            return false;
        }
        return !line.equals("environ worked");
    }

    @Test
    void noPrivilegeCanBeGained() {
        List<String> lines = probe("""
                import ctypes, os
                status = dict(l.split(':\\t', 1) for l in open('/proc/self/status').read().splitlines() if ':\\t' in l)
                print('uid', status['Uid'].split()[0])
                print('caps', status['CapEff'].strip(), status['CapPrm'].strip())
                # PR_GET_NO_NEW_PRIVS: gVisor's /proc/self/status has no NoNewPrivs line
                print('nonewprivs', ctypes.CDLL(None).prctl(39, 0, 0, 0, 0))
                try:
                    os.setuid(0); print('setuid worked')
                except PermissionError:
                    print('setuid refused')
                special = []
                for root, dirs, files in os.walk('/'):
                    if root.startswith(('/proc', '/sys')): dirs[:] = []; continue
                    for name in files:
                        try:
                            mode = os.lstat(os.path.join(root, name)).st_mode
                        except OSError:
                            continue
                        if mode & 0o6000: special.append(os.path.join(root, name))
                print('setuid files', special)
                """);
        assertThat(lines).containsExactly(
                "uid 10000",
                "caps 0000000000000000 0000000000000000",
                "nonewprivs 1",
                "setuid refused",
                "setuid files []");
    }

    @Test
    void theAgentCannotBeKilledTracedOrReached() {
        List<String> lines = probe("""
                import ctypes, errno, os, signal, socket
                ENVIRON_NAMES = lambda pid: ','.join(sorted({e.split(b'=')[0].decode() for e in open(f'/proc/{pid}/environ', 'rb').read().split(b'\\0') if e} - set(os.environ) - {'HOSTNAME'}))
                roots = [int(p) for p in os.listdir('/proc') if p.isdigit() and os.stat('/proc/' + p).st_uid == 0]
                print('root processes exist', len(roots) > 0)
                def attempt(what, fn):
                    try:
                        fn(); print(what, 'worked')
                    except OSError as e:
                        print(what, errno.errorcode[e.errno])
                for pid in roots:
                    attempt('kill', lambda: os.kill(pid, signal.SIGKILL))
                    attempt('mem', lambda: open(f'/proc/{pid}/mem', 'rb').read(1))
                    attempt('environ', lambda: print('environ names', ENVIRON_NAMES(pid)))
                libc = ctypes.CDLL(None, use_errno=True)
                for pid in roots:
                    print('ptrace', libc.ptrace(16, pid, None, None), errno.errorcode[ctypes.get_errno()])
                attempt('socket', lambda: socket.socket(socket.AF_UNIX).connect('/run/warmbox/agent.sock'))
                attempt('socket dir', lambda: os.listdir('/run/warmbox'))
                """);
        assertThat(lines.getFirst()).isEqualTo("root processes exist True");
        assertThat(lines.subList(1, lines.size()).stream().filter(EscapeIT::notAGvisorEnvironRead)).allSatisfy(line ->
                assertThat(line).doesNotContain("worked").containsAnyOf("EPERM", "EACCES", "ENOENT"));
        assertThat(lines).contains("socket EACCES", "socket dir EACCES");
    }

    /**
     * A python program runs in an interpreter forked from the template, a root process that forked
     * it: the program's parent. The program is the plain sandbox user (no capability, no group,
     * dumpable like a process it started itself, nothing open but stdio) and cannot reach the
     * template, which therefore serves the next execution untouched (the same parent again).
     */
    @Test
    void theTemplatePythonIsForkedFromIsOutOfTheSandboxUsersReach() {
        String code = """
                import ctypes, errno, os, signal
                ENVIRON_NAMES = lambda pid: ','.join(sorted({e.split(b'=')[0].decode() for e in open(f'/proc/{pid}/environ', 'rb').read().split(b'\\0') if e} - set(os.environ) - {'HOSTNAME'}))
                def status(pid):
                    return dict(l.split(':\t', 1) for l in open(f'/proc/{pid}/status').read().splitlines() if ':\t' in l)
                parent, me = os.getppid(), status('self')
                print('parent', parent, status(parent)['Uid'].split(), open(f'/proc/{parent}/cmdline').read().split('\\0')[:3])
                libc = ctypes.CDLL(None, use_errno=True)
                # PR_CAP_AMBIENT_IS_SET for every capability: gVisor's /proc/self/status has no CapAmb line
                ambient = sum(1 << cap for cap in range(41) if libc.prctl(47, 1, cap, 0, 0) == 1)
                print('me', me['Uid'].split(), me['Gid'].split(), me['Groups'].strip(), me['CapEff'], me['CapPrm'], '%016x' % ambient)
                print('dumpable', os.stat('/proc/self').st_uid, 'fds', sorted(os.listdir('/proc/self/fd')))
                def attempt(what, fn):
                    try:
                        fn(); print(what, 'worked')
                    except OSError as e:
                        print(what, errno.errorcode[e.errno])
                for sig in (signal.SIGKILL, signal.SIGSTOP, signal.SIGTERM):
                    attempt('kill', lambda: os.kill(parent, sig))
                attempt('mem', lambda: open(f'/proc/{parent}/mem', 'rb').read(1))
                attempt('environ', lambda: print('environ names', ENVIRON_NAMES(parent)))
                attempt('fds', lambda: os.listdir(f'/proc/{parent}/fd'))
                libc = ctypes.CDLL(None, use_errno=True)
                print('ptrace', libc.ptrace(16, parent, None, None), errno.errorcode[ctypes.get_errno()])
                """;
        List<String> first = probe(code);
        String parent = first.getFirst();
        assertThat(parent).as("forked from a root python -I")
                .matches("parent \\d+ \\['0', '0', '0', '0'\\] \\['python3', '-I', '-B'\\]");
        assertThat(first.get(1)).isEqualTo("me ['10000', '10000', '10000', '10000'] ['10000', '10000', '10000', '10000'] "
                + " 0000000000000000 0000000000000000 0000000000000000");
        assertThat(first.get(2)).isEqualTo("dumpable 10000 fds ['0', '1', '2', '3']");
        assertThat(first.subList(3, first.size()).stream().filter(EscapeIT::notAGvisorEnvironRead)
                .filter(line -> !(RunningServer.underGvisor() && line.equals("fds worked")))).allSatisfy(line ->
                assertThat(line).doesNotContain("worked").containsAnyOf("EPERM", "EACCES"));
        assertThat(probe(code).getFirst()).as("the next execution is forked from the same, living template")
                .isEqualTo(parent);
    }

    @Test
    void killingEveryProcessItCanReachLeavesTheAgentAlive() {
        JsonNode r = python("""
                import os, signal, subprocess
                child = subprocess.Popen(['sleep', '100'])
                os.kill(-1, signal.SIGKILL)
                print('child', child.wait())
                """);
        assertThat(r.get("stdout").asText()).as("kill(-1) reaches the sandbox user's own processes: %s", r)
                .isEqualTo("child -9\n");
        // The agent is root, so it survived: the check after each test runs the next program through it.
    }

    @Test
    void hostFilesAndTheEngineAreOutOfReach() {
        Path database = server.stateDir.resolve("warmbox.db");
        assertThat(database).as("the probe below is meaningful").exists();
        List<String> lines = probe("""
                import os
                for p in ['/var/run/docker.sock', '/run/docker.sock', '%s', '/proc/1/root/etc', '/proc/1/cwd']:
                    try:
                        os.listdir(p) if os.path.isdir(p) else open(p, 'rb').read(1)
                        print('read', p)
                    except OSError as e:
                        print('refused', type(e).__name__)
                mounts = sorted(l.split()[4] for l in open('/proc/self/mountinfo'))
                binds = [m for m in mounts if not m.startswith(('/proc', '/sys', '/dev'))]
                print('mounts', binds)
                """.formatted(database));
        assertThat(lines.subList(0, 5)).allSatisfy(line -> assertThat(line).startsWith("refused"));
        assertThat(lines.get(5)).as("only the image, its tmpfs, the engine's init and the agent's socket directory")
                .isEqualTo("mounts ['/', '/etc/hostname', '/etc/hosts', '/etc/resolv.conf', '/home/sandbox', '/run/warmbox', '/tmp', '/usr/sbin/docker-init', '/workspace']");
    }

    @Test
    void thereIsNoNetworkButLoopback() {
        List<String> lines = probe("""
                import errno, os, socket
                print('interfaces', sorted(os.listdir('/sys/class/net')))
                def connect(host, port):
                    s = socket.socket(); s.settimeout(3)
                    try:
                        s.connect((host, port)); print('connected', host, port)
                    except OSError as e:
                        print('no', host, errno.errorcode.get(e.errno, type(e).__name__))
                connect('172.17.0.1', 2375)
                connect('172.17.0.1', %d)
                connect('127.0.0.1', %d)
                try:
                    socket.getaddrinfo('localhost.warmbox.invalid', 80); print('resolved')
                except OSError:
                    print('no dns')
                """.formatted(server.warmbox.port(), server.warmbox.port()));
        int port = server.warmbox.port();
        // Linux says the network is unreachable (no route at all), gVisor's own network stack that the host is
        String unreachable = RunningServer.underGvisor() ? "EHOSTUNREACH" : "ENETUNREACH";
        assertThat(lines).containsExactly(
                "interfaces ['lo']",
                "no 172.17.0.1 " + unreachable,
                "no 172.17.0.1 " + unreachable,
                "no 127.0.0.1 ECONNREFUSED",
                "no dns");
        assertThat(server.get("/health/live", null).statusCode()).as("the server answers on port %d from the host all along", port).isEqualTo(200);
    }

    @Test
    void plantedSymbolicLinksAreNeverFollowed() throws Exception {
        Path socketDir = Files.list(server.stateDir.resolve("run").resolve(server.instanceId)).findFirst().orElseThrow();
        JsonNode plant = python("""
                import os
                links = {'/workspace/data.txt': '/run/warmbox/agent.sock', '/workspace/main.py': '/etc/passwd',
                         '/tmp/run': '/run/warmbox', '/home/sandbox/root': '/', '/dev/shm/dev': '/dev',
                         '/tmp/loop': '/tmp', '/workspace/agent': '/proc/1/exe'}
                for link, target in links.items():
                    if os.path.lexists(link): os.remove(link)
                    os.symlink(target, link)
                print('planted', len(links))
                """);
        assertThat(plant.get("stdout").asText()).isEqualTo("planted 7\n");

        JsonNode next = server.execute(Map.of("language", "python", "code", """
                import os
                print(open('data.txt').read())
                print([p for d in ['/workspace', '/tmp', '/home/sandbox', '/dev/shm'] for p in os.listdir(d) if os.path.islink(os.path.join(d, p))])
                """, "files", List.of(Map.of("name", "data.txt", "content", "mine"))));
        assertThat(next.get("stdout").asText()).as("answer: %s", next).isEqualTo("mine\n[]\n");
        assertThat(socketDir.resolve("agent.sock")).as("the host side of the agent socket is untouched").exists();
    }
}
