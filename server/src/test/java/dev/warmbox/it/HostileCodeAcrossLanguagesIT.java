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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The resource abuse of {@link HostileCodeIT}, written in JavaScript, Go and Java, each in the one
 * container of its pool: every program gets a clear answer, and afterwards the same container (or its
 * replacement) serves the next request and the engine holds exactly the pools' containers.
 */
@Tag(RunningServer.HOSTILE)
class HostileCodeAcrossLanguagesIT {
    private static RunningServer server;

    @BeforeAll
    static void start() {
        server = new RunningServer(Map.of("WARM_POOL_SIZE_PER_RUNTIME", "0", "WARM_POOL_JAVASCRIPT_SIZE", "1",
                "WARM_POOL_GO_SIZE", "1", "WARM_POOL_JAVA_SIZE", "1", "WARM_POOL_ACQUIRE_WAIT_MS", "10000",
                "WARMBOX_MEMORY_LIMIT", "256m", "WARMBOX_PIDS_LIMIT", "64"));
        Awaits.warm(server);
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    @AfterEach
    void everyPoolServesAgainAndIsWhole() {
        for (String language : new String[] {"javascript", "go", "java"}) {
            JsonNode next = run(language, HELLO.get(language), 20000);
            assertThat(next.get("stdout").asText()).as("%s serves after the abuse: %s", language, next).isEqualTo("hello\n");
        }
        await().atMost(Duration.ofSeconds(60)).until(() ->
                server.containers().size() == 3 && Awaits.allAvailable(server.status()));
    }

    private static final Map<String, String> HELLO = Map.of(
            "javascript", "console.log('hello')",
            "go", "package main\nimport \"fmt\"\nfunc main() { fmt.Println(\"hello\") }\n",
            "java", "public class Main { public static void main(String[] a) { System.out.println(\"hello\"); } }");

    /** Counts the bomb's `sleep` children still alive in the container. */
    private static final Map<String, String> SLEEPERS = Map.of(
            "javascript", """
                    const fs = require('fs');
                    const alive = fs.readdirSync('/proc').filter(p => /^\\d+$/.test(p)).filter(p => {
                      try { return fs.readFileSync('/proc/' + p + '/cmdline', 'utf8').startsWith('sleep'); } catch (e) { return false; }
                    });
                    console.log(alive.length);""",
            "go", go("\"fmt\"; \"os\"; \"strings\"", """
                    n := 0
                    entries, _ := os.ReadDir("/proc")
                    for _, e := range entries {
                        b, err := os.ReadFile("/proc/" + e.Name() + "/cmdline")
                        if err == nil && strings.HasPrefix(string(b), "sleep") { n++ }
                    }
                    fmt.Println(n)"""),
            "java", java("""
                    System.out.println(ProcessHandle.allProcesses()
                            .filter(p -> p.info().command().orElse("").endsWith("/sleep")).count());"""));

    private static JsonNode run(String language, String code, int timeoutMs) {
        return server.execute(Map.of("language", language, "code", code, "timeout_ms", timeoutMs));
    }

    private static String go(String imports, String body) {
        return "package main\nimport (" + imports + ")\nfunc main() {\n" + body + "\n}\n";
    }

    private static String java(String body) {
        return "public class Main { public static void main(String[] a) throws Exception {\n" + body + "\n} }";
    }

    @ParameterizedTest
    @ValueSource(strings = {"javascript", "go", "java"})
    void aForkBombIsKilledAtItsTimeout(String language) {
        String code = switch (language) {
            case "javascript" -> "const {spawn} = require('child_process');\nfor (;;) { try { spawn('sleep', ['100']).on('error', () => {}); } catch (e) {} }";
            case "go" -> go("\"os/exec\"", "for { exec.Command(\"sleep\", \"100\").Start() }");
            default -> java("for (;;) { try { new ProcessBuilder(\"sleep\", \"100\").start(); } catch (Exception e) { } }");
        };
        JsonNode r = run(language, code, 3000);
        // Go's and Java's runtimes die on their own once the pids limit refuses them a thread; node spins on.
        boolean stoppedByPidsLimit = r.get("exit_code").asInt() != 0 && r.get("stderr").asText()
                .matches("(?s).*(failed to create new OS thread|unable to create native thread).*");
        assertThat(r.get("timed_out").asBoolean() || stoppedByPidsLimit).as("answer: %s", r).isTrue();
        JsonNode after = run(language, SLEEPERS.get(language), 20000);
        assertThat(after.get("stdout").asText()).as("processes left in the same container: %s", after).isEqualTo("0\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"javascript", "go", "java"})
    void aMemoryBombEndsWithoutTakingTheSandboxDown(String language) {
        String code = switch (language) {
            case "javascript" -> "const keep = [];\nfor (;;) keep.push(Buffer.alloc(16 * 1024 * 1024, 1));";
            case "go" -> go("\"fmt\"", "var keep [][]byte\nfor { b := make([]byte, 16<<20); for i := range b { b[i] = 1 }; keep = append(keep, b); fmt.Print(\"\") }");
            default -> java("var keep = new java.util.ArrayList<byte[]>();\nfor (;;) keep.add(new byte[16 << 20]);");
        };
        JsonNode r = run(language, code, 20000);
        assertThat(r.get("exit_code").asInt()).as("out of memory, one way or another: %s", r).isNotZero();
        assertThat(r.get("timed_out").asBoolean()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"javascript", "go", "java"})
    void aCpuSpinEndsAtItsTimeout(String language) {
        String code = switch (language) {
            case "javascript" -> "for (;;) {}";
            case "go" -> go("", "for {}");
            default -> java("long n = 0; for (;;) { n++; }");
        };
        JsonNode r = run(language, code, 1500);
        assertThat(r.get("timed_out").asBoolean()).as("answer: %s", r).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"javascript", "go", "java"})
    void oneHundredMegabytesOfOutputAreCutAtTheLimit(String language) {
        String code = switch (language) {
            case "javascript" -> "const c = 'x'.repeat(1000000);\nfor (let i = 0; i < 100; i++) { process.stdout.write(c); process.stderr.write(c); }";
            case "go" -> go("\"os\"; \"strings\"", "c := strings.Repeat(\"x\", 1000000)\nfor i := 0; i < 100; i++ { os.Stdout.WriteString(c); os.Stderr.WriteString(c) }");
            default -> java("String c = \"x\".repeat(1000000);\nfor (int i = 0; i < 100; i++) { System.out.print(c); System.err.print(c); }");
        };
        JsonNode r = run(language, code, 20000);
        assertThat(r.get("output_truncated").asBoolean()).as("answer without output: exit %s", r.get("exit_code")).isTrue();
        int stdout = r.get("stdout").asText().length();
        int stderr = r.get("stderr").asText().length();
        assertThat(Math.max(stdout, stderr)).as("the stream that passed the limit holds exactly the limit").isEqualTo(1 << 20);
        assertThat(Math.min(stdout, stderr)).isLessThanOrEqualTo(1 << 20);
    }

    @ParameterizedTest
    @ValueSource(strings = {"javascript", "go", "java"})
    void deepRecursionFailsLikeTheLanguageSays(String language) {
        String code = switch (language) {
            case "javascript" -> "function f(n) { return f(n + 1) + 1; }\nf(0);";
            case "go" -> go("", "f(0)\n}\nfunc f(n int) int {\nreturn f(n+1) + 1");
            default -> java("f(0);\n}\nstatic int f(int n) {\nreturn f(n + 1) + 1;");
        };
        JsonNode r = run(language, code, 30000);
        assertThat(r.get("exit_code").asInt()).as("answer: %s", r).isNotZero();
        assertThat(r.get("timed_out").asBoolean()).isFalse();
        if (!language.equals("go")) {
            // Go's stack may grow into the memory limit first, in which case the kernel kills it quietly.
            assertThat(r.get("stderr").asText())
                    .contains(language.equals("javascript") ? "Maximum call stack size exceeded" : "StackOverflowError");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"javascript", "go", "java"})
    void fillingTheWritableFilesystemFailsInsideTheSandboxOnly(String language) {
        String code = switch (language) {
            case "javascript" -> """
                    const fs = require('fs');
                    const fd = fs.openSync('/tmp/fill', 'w');
                    const block = Buffer.alloc(1 << 20);
                    try { for (;;) fs.writeSync(fd, block); } catch (e) { console.log('full', e.code); }""";
            case "go" -> go("\"errors\"; \"fmt\"; \"os\"; \"syscall\"", """
                    f, _ := os.Create("/tmp/fill")
                    block := make([]byte, 1<<20)
                    for {
                        if _, err := f.Write(block); err != nil { fmt.Println("full", errors.Is(err, syscall.ENOSPC)); return }
                    }""");
            default -> java("""
                    try (var out = new java.io.FileOutputStream("/tmp/fill")) {
                        byte[] block = new byte[1 << 20];
                        for (;;) out.write(block);
                    } catch (java.io.IOException e) { System.out.println("full " + e.getMessage()); }""");
        };
        JsonNode r = run(language, code, 30000);
        String full = switch (language) {
            case "javascript" -> "full ENOSPC\n";
            case "go" -> "full true\n";
            default -> "full No space left on device\n";
        };
        assertThat(r.get("stdout").asText()).as("answer: %s", r).isEqualTo(full);
    }

    @ParameterizedTest
    @ValueSource(strings = {"javascript", "go", "java"})
    void aProgramThatStopsItselfStillEndsAtItsTimeout(String language) {
        String code = switch (language) {
            case "javascript" -> "process.kill(process.pid, 'SIGSTOP');";
            case "go" -> go("\"os\"; \"syscall\"", "syscall.Kill(os.Getpid(), syscall.SIGSTOP)");
            default -> java("new ProcessBuilder(\"sh\", \"-c\", \"kill -STOP $PPID\").start().waitFor();");
        };
        JsonNode r = run(language, code, 1500);
        assertThat(r.get("timed_out").asBoolean()).as("answer: %s", r).isTrue();
    }
}
