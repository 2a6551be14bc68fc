package dev.warmbox.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** With one container in the pool, nothing one execution leaves is visible to the next. */
@Tag(RunningServer.HOSTILE)
class ScrubIT {
    private static RunningServer server;

    @BeforeAll
    static void start() {
        server = new RunningServer(Map.of("WARM_POOL_SIZE_PER_RUNTIME", "0", "WARM_POOL_PYTHON_SIZE", "1",
                "WARM_POOL_JAVASCRIPT_SIZE", "1",
                "WARM_POOL_ACQUIRE_WAIT_MS", "5000"));
        Awaits.warm(server);
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    @Test
    void theNextExecutionInTheSameContainerSeesNothingOfThePrevious() {
        JsonNode first = server.execute(Map.of("language", "python", "code", """
                import os, socket, subprocess
                for d in ['/workspace', '/tmp', '/dev/shm', '/home/sandbox']:
                    open(os.path.join(d, 'secret.txt'), 'w').write('previous user')
                os.environ['SECRET_TOKEN'] = 'previous user'
                subprocess.Popen(['sleep', '1000'], start_new_session=True, env=dict(os.environ))
                subprocess.Popen('nohup sleep 999 >/dev/null 2>&1 &', shell=True)
                if os.fork() == 0:
                    os.setsid()
                    if os.fork() == 0:
                        os.execvp('sleep', ['sleep', '998'])
                    os._exit(0)
                print(socket.gethostname())
                """));
        assertThat(first.get("exit_code").asInt()).as("first execution: %s", first).isZero();
        assertThat(first.get("pool").asText()).isEqualTo("hit");

        JsonNode second = server.execute(Map.of("language", "python", "code", """
                import os, socket
                left = [p for d in ['/workspace', '/tmp', '/dev/shm', '/home/sandbox'] for p in [os.path.join(d, 'secret.txt')] if os.path.exists(p)]
                procs = [open(f'/proc/{p}/cmdline').read().replace('\\0', ' ') for p in os.listdir('/proc') if p.isdigit()]
                print(socket.gethostname())
                print('files', left)
                print('env', os.environ.get('SECRET_TOKEN'))
                print('sleepers', [p for p in procs if 'sleep' in p])
                """));
        String[] lines = second.get("stdout").asText().split("\n");
        assertThat(second.get("pool").asText()).isEqualTo("hit");
        assertThat(lines[0]).as("same container, so the scrub is what is tested").isEqualTo(first.get("stdout").asText().trim());
        assertThat(lines[1]).isEqualTo("files []");
        assertThat(lines[2]).isEqualTo("env None");
        assertThat(lines[3]).isEqualTo("sleepers []");
    }

    /**
     * Each python execution gets its own interpreter, forked from a template that never ran user
     * code: what a program does to the interpreter (modules, builtins, sys, random state) is gone in
     * the next, which still comes from the same template.
     */
    @Test
    void pythonInterpreterStateDoesNotCarryOver() {
        JsonNode first = server.execute(Map.of("language", "python", "code", """
                import builtins, json, os, random, sys, decimal
                builtins.LEAK = 'previous user'
                json.dumps = lambda *a, **k: 'patched by the previous user'
                sys.path.append('/previous-user')
                sys.setrecursionlimit(77)
                os.umask(0)
                print(os.getppid(), random.getrandbits(64))
                """));
        JsonNode second = server.execute(Map.of("language", "python", "code", """
                import builtins, json, os, random, sys
                print(os.getppid(), random.getrandbits(64))
                print(hasattr(builtins, 'LEAK'), json.dumps(1), '/previous-user' in sys.path, sys.getrecursionlimit(),
                      oct(os.umask(0o22)), 'decimal' in sys.modules)
                """));
        assertThat(second.get("pool").asText()).isEqualTo("hit");
        String[] before = first.get("stdout").asText().trim().split(" ");
        String[] after = second.get("stdout").asText().split("\n");
        String[] afterIds = after[0].split(" ");
        assertThat(afterIds[0]).as("forked from the same template: %s / %s", first, second).isEqualTo(before[0]);
        assertThat(afterIds[1]).as("random is seeded afresh in each child").isNotEqualTo(before[1]);
        assertThat(after[1]).isEqualTo("False 1 False 1000 0o22 False");
    }

    /** Every place the sandbox user can write, with everything in it, and the IPC objects it can make. */
    private static final String WRITABLE_STATE = """
            import os
            writable = []
            for root, dirs, files in os.walk('/'):
                if root.startswith(('/proc', '/sys')):
                    dirs[:] = []
                    continue
                if os.access(root, os.W_OK):
                    writable.append(root)
            content = set()
            for place in writable:
                for root, dirs, files in os.walk(place):
                    content.update(os.path.join(root, n) for n in dirs + files)
            if os.path.isdir('/proc/sysvipc'):
                ipc = [l for kind in ['shm', 'msg', 'sem'] for l in open('/proc/sysvipc/' + kind).read().splitlines()[1:]]
            else:  # gVisor lists them nowhere: how many of each kind the kernel counts (SHM_INFO, MSG_INFO, SEM_INFO)
                import ctypes, struct
                libc, info = ctypes.CDLL(None), ctypes.create_string_buffer(256)
                ipc = []
                for count in [lambda: libc.shmctl(0, 14, info), lambda: libc.msgctl(0, 12, info), lambda: libc.semctl(0, 0, 19, info)]:
                    assert count() >= 0
                    ipc.append(struct.unpack('8i', info.raw[:32]))
                ipc = [ipc[0][0], ipc[1][0], ipc[2][7]]
            print('writable', sorted(writable))
            print('content', sorted(content))
            print('ipc', ipc)
            """;

    @Test
    void everyWritablePlaceIsAsFreshAsBeforeAfterHistoryCachesAndIpcWereLeft() {
        JsonNode before = server.execute(Map.of("language", "python", "code", WRITABLE_STATE));
        String[] fresh = before.get("stdout").asText().split("\n");
        assertThat(fresh[0]).as("the probe sees the places it must").contains("'/workspace'", "'/tmp'", "'/home/sandbox'", "'/dev/shm'");

        JsonNode dirty = server.execute(Map.of("language", "python", "code", """
                import ctypes, os, subprocess
                home = os.path.expanduser('~')
                for name in ['.bash_history', '.python_history', '.cache/pip/http/secret', '.config/app/token', '.local/share/x']:
                    os.makedirs(os.path.dirname(os.path.join(home, name)), exist_ok=True)
                    open(os.path.join(home, name), 'w').write('previous user')
                open('/workspace/helper.py', 'w').write('SECRET = 1\\n')
                subprocess.run(['python3', '-c', 'import sys; sys.path.insert(0, "/workspace"); import helper'], check=True)
                subprocess.run(['bash', '-c', 'HISTFILE=~/.bash_history; history -s secret-command; history -w'], check=True)
                libc = ctypes.CDLL(None, use_errno=True)
                print('shm', libc.shmget(0x5ec7e7, 4096, 0o1666) >= 0)
                print('msg', libc.msgget(0x5ec7e8, 0o1666) >= 0)
                """, "timeout_ms", 10000));
        assertThat(dirty.get("stdout").asText()).as("the previous user left state: %s", dirty).isEqualTo("shm True\nmsg True\n");

        JsonNode after = server.execute(Map.of("language", "python", "code", WRITABLE_STATE));
        assertThat(after.get("pool").asText()).isEqualTo("hit");
        assertThat(after.get("stdout").asText()).isEqualTo(before.get("stdout").asText());
    }

    @Test
    void javascriptStateDoesNotCarryOver() {
        JsonNode first = server.execute(Map.of("language", "javascript", "code", """
                const fs = require('fs');
                globalThis.leak = 'previous user';
                process.env.LEAK = 'previous user';
                fs.writeFileSync('/tmp/leak', 'previous user');
                require('child_process').spawn('sleep', ['997'], {detached: true, stdio: 'ignore'}).unref();
                fs.readFileSync = () => 'patched by the previous user';
                console.log(require('os').hostname());
                """));
        JsonNode second = server.execute(Map.of("language", "javascript", "code", """
                const fs = require('fs');
                const sleepers = fs.readdirSync('/proc').filter(p => /^\\d+$/.test(p)).filter(p => {
                  try { return fs.readFileSync('/proc/' + p + '/cmdline', 'utf8').startsWith('sleep'); } catch (e) { return false; }
                });
                console.log(require('os').hostname());
                console.log(typeof globalThis.leak, String(process.env.LEAK), fs.existsSync('/tmp/leak'), sleepers.length);
                """));
        assertThat(second.get("pool").asText()).isEqualTo("hit");
        assertThat(second.get("stdout").asText()).as("same container; nothing left: %s", second)
                .isEqualTo(first.get("stdout").asText() + "undefined undefined false 0\n");
    }
}
