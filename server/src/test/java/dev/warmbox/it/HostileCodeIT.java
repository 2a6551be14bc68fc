package dev.warmbox.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Code written to starve or outlive its sandbox, in the one container of a python pool of size 1: each
 * gets a clear answer, and afterwards the server serves the next request and the engine holds exactly
 * the pool's container again.
 */
@Tag(RunningServer.HOSTILE)
class HostileCodeIT {
    private static RunningServer server;

    /**
     * 768 MB: under gVisor a fork bomb held at the 64-process limit costs gVisor itself about 400 MB of the
     * container's memory (measured peak 409 MB), and at the default 512 MB it would end as an out-of-memory
     * kill instead of at its timeout.
     */
    @BeforeAll
    static void start() {
        server = new RunningServer(Map.of("WARM_POOL_SIZE_PER_RUNTIME", "0", "WARM_POOL_PYTHON_SIZE", "1",
                "WARM_POOL_ACQUIRE_WAIT_MS", "5000", "WARMBOX_MEMORY_LIMIT", "768m", "WARMBOX_PIDS_LIMIT", "64"));
        Awaits.warm(server);
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    @AfterEach
    void theServerStillServesAndThePoolIsWhole() {
        JsonNode next = server.execute(Map.of("language", "python", "code", "import os; print(len(os.listdir('/tmp')))"));
        assertThat(next.get("stdout").asText()).as("served, with nothing left in /tmp").isEqualTo("0\n");
        await().atMost(Duration.ofSeconds(60)).until(() ->
                server.containers().size() == 1 && Awaits.allAvailable(server.status()));
    }

    private static JsonNode run(String code, int timeoutMs) {
        return server.execute(Map.of("language", "python", "code", code, "timeout_ms", timeoutMs));
    }

    @Test
    void aForkBombIsKilledAtItsTimeout() {
        JsonNode r = run("import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n", 2000);
        assertThat(r.get("signal").asText()).as("answer: %s", r).isEqualTo("SIGKILL");
        if (RunningServer.underGvisor() && !r.get("timed_out").asBoolean()) {
            // gVisor may reach the sandbox's host-thread backstop before the timeout: the sandbox dies
            // with the bomb, which is answered as killed and names the limit.
            assertThat(r.get("stderr").asText()).as("answer: %s", r).contains("host thread limit", "WARMBOX_PIDS_LIMIT");
        } else {
            assertThat(r.get("timed_out").asBoolean()).as("answer: %s", r).isTrue();
        }
    }

    @Test
    void theUsersProcessesAreBoundedByThePidsLimit() {
        // Forks children that wait until the program ends, up to 1000, and counts them: the limit (64)
        // must stop it well before, under runc (the pids cgroup) and under gVisor (RLIMIT_NPROC in its kernel).
        JsonNode r = run("""
                import os, sys
                children = 0
                r, w = os.pipe()
                for _ in range(1000):
                    try:
                        pid = os.fork()
                    except OSError:
                        break
                    if pid == 0:
                        os.close(w)
                        os.read(r, 1)
                        os._exit(0)
                    children += 1
                print(children)
                sys.stdout.flush()
                os.close(w)
                """, 10000);
        assertThat(r.get("exit_code").asInt()).as("answer: %s", r).isZero();
        assertThat(r.get("stdout").asText().trim()).as("children the program could start").matches("\\d+");
        assertThat(Integer.parseInt(r.get("stdout").asText().trim())).as("answer: %s", r).isBetween(8, 64);
    }

    @Test
    void aMemoryBombDiesWithoutTakingTheSandboxDown() {
        JsonNode r = run("blocks = []\nwhile True:\n    blocks.append(bytearray(16 * 1024 * 1024))\n", 10000);
        assertThat(r.get("exit_code").asInt()).as("killed by the OOM killer (137) or MemoryError (1): %s", r).isIn(1, 137);
        assertThat(r.get("timed_out").asBoolean()).isFalse();
    }

    @Test
    void oneHundredMegabytesOfOutputAreCutAtTheLimit() {
        JsonNode r = run("import sys\nchunk = 'x' * 1_000_000\nfor _ in range(100):\n    sys.stdout.write(chunk)\n    sys.stderr.write(chunk)\n", 10000);
        assertThat(r.get("output_truncated").asBoolean()).isTrue();
        assertThat(r.get("stdout").asText()).hasSize(1 << 20);
        assertThat(r.get("stderr").asText().length()).isLessThanOrEqualTo(1 << 20);
    }

    @Test
    void aProgramThatStopsItselfStillEndsAtItsTimeout() {
        JsonNode r = run("import os, signal\nos.kill(os.getpid(), signal.SIGSTOP)\n", 1000);
        assertThat(r.get("timed_out").asBoolean()).isTrue();
        assertThat(r.get("duration_ms").asLong()).as("wall clock, not CPU time: ended at its 1 s timeout").isGreaterThanOrEqualTo(1000).isLessThan(5000);
    }

    @Test
    void fillingTheWritableFilesystemFailsInsideTheSandboxOnly() {
        JsonNode r = run("""
                try:
                    with open('/tmp/fill', 'wb') as f:
                        while True:
                            f.write(b'0' * 1_048_576)
                except OSError as e:
                    print('full', e.errno)
                """, 20000);
        assertThat(r.get("stdout").asText()).isEqualTo("full 28\n");
    }

    @Test
    void writingTheRootFilesystemIsRefused() {
        JsonNode r = run("""
                for p in ['/etc/passwd', '/usr/bin/python3', '/x']:
                    try:
                        open(p, 'a').close()
                        print('wrote', p)
                    except OSError as e:
                        print('refused', p, e.errno)
                """, 5000);
        assertThat(r.get("stdout").asText()).as("each write refused (EROFS or EACCES): %s", r)
                .matches("refused /etc/passwd (30|13)\nrefused /usr/bin/python3 (30|13)\nrefused /x (30|13)\n");
    }

    @Test
    void aCpuSpinEndsAtItsTimeoutWhileOtherRequestsAreServed() throws Exception {
        try (var executor = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            var spin = executor.submit(() -> run("while True:\n    pass\n", 8000));
            await().atMost(Duration.ofSeconds(10)).until(() -> server.status().at("/pools/python/in_use").asInt() == 1);
            JsonNode meanwhile = run("print(6 * 7)", 5000);
            assertThat(meanwhile.get("stdout").asText()).isEqualTo("42\n");
            assertThat(meanwhile.get("pool").asText()).as("the only warm container is busy spinning").isEqualTo("miss");
            assertThat(spin.isDone()).as("served while the spin still ran").isFalse();
            JsonNode r = spin.get();
            assertThat(r.get("timed_out").asBoolean()).as("answer: %s", r).isTrue();
        }
    }

    @Test
    void deepRecursionEndsWithRecursionErrorOrACrashOfItsOwn() {
        JsonNode plain = run("def f(n):\n    return f(n + 1) + 1\nf(0)\n", 10000);
        assertThat(plain.get("exit_code").asInt()).isEqualTo(1);
        assertThat(plain.get("stderr").asText()).contains("RecursionError");

        JsonNode unbounded = run("import sys\nsys.setrecursionlimit(10**9)\ndef f(n):\n    return f(n + 1) + 1\nf(0)\n", 10000);
        assertThat(unbounded.get("exit_code").asInt()).as("the stack overflows: %s", unbounded).isNotZero();
        assertThat(unbounded.get("timed_out").asBoolean()).isFalse();
    }

    @Test
    void stdinUpToItsLimitIsReadWhole() {
        String stdin = "y".repeat((1 << 20) - 1) + "\n";
        JsonNode r = server.execute(Map.of("language", "python", "stdin", stdin, "timeout_ms", 10000,
                "code", "import sys, hashlib\ndata = sys.stdin.buffer.read()\nprint(len(data), hashlib.sha256(data).hexdigest()[:16])\n"));
        assertThat(r.get("stdout").asText()).isEqualTo((1 << 20) + " " + sha256(stdin).substring(0, 16) + "\n");
    }

    @Test
    void aProgramThatIgnoresItsStdinIsNotBlockedByIt() {
        JsonNode r = server.execute(Map.of("language", "python", "stdin", "z".repeat(1 << 20), "timeout_ms", 10000,
                "code", "print('did not read')\n"));
        assertThat(r.get("stdout").asText()).isEqualTo("did not read\n");
        assertThat(r.get("timed_out").asBoolean()).isFalse();
    }

    private static String sha256(String text) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
