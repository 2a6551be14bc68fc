package dev.warmbox.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Each language through the real engine: output, input, arguments, exit codes, compile errors. */
class ExecutionIT {
    private static RunningServer server;

    @BeforeAll
    static void start() {
        server = new RunningServer(Map.of());
        Awaits.warm(server);
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    private static JsonNode run(String language, String code, Map<String, Object> extra) {
        var fields = new java.util.HashMap<String, Object>(extra);
        fields.put("language", language);
        fields.put("code", code);
        return server.execute(fields);
    }

    @Test
    void pythonSeparatesStdoutStderrAndExitCode() {
        JsonNode r = run("python", "import sys\nprint('out')\nprint('err', file=sys.stderr)\nsys.exit(3)", Map.of());
        assertThat(r.get("stdout").asText()).isEqualTo("out\n");
        assertThat(r.get("stderr").asText()).isEqualTo("err\n");
        assertThat(r.get("exit_code").asInt()).isEqualTo(3);
        assertThat(r.get("signal").isNull()).isTrue();
        assertThat(r.get("timed_out").asBoolean()).isFalse();
        assertThat(r.get("compile").isNull()).as("python is not compiled").isTrue();
        assertThat(r.get("language").asText()).isEqualTo("python");
        assertThat(r.get("version").asText()).startsWith("Python 3");
        assertThat(r.get("pool").asText()).as("the pool is warm").isEqualTo("hit");
    }

    @Test
    void pythonReadsStdinArgsAndFiles() {
        JsonNode r = run("py", "import sys\nprint(sys.stdin.read().upper(), sys.argv[1:], open('data.txt').read())",
                Map.of("stdin", "hello", "args", List.of("a", "b c"), "files", List.of(Map.of("name", "data.txt", "content", "D"))));
        assertThat(r.get("stdout").asText()).isEqualTo("HELLO ['a', 'b c'] D\n");
        assertThat(r.get("exit_code").asInt()).isZero();
    }

    @Test
    void pythonRunsTheProgramAsMainWithAPlainTraceback() {
        JsonNode r = run("python", "import sys\nprint(__name__, sys.argv, sys.path[0])\nraise ValueError('boom')", Map.of("args", List.of("x")));
        assertThat(r.get("stdout").asText()).isEqualTo("__main__ ['/workspace/main.py', 'x'] /workspace\n");
        assertThat(r.get("stderr").asText())
                .startsWith("Traceback (most recent call last):\n  File \"/workspace/main.py\", line 3, in <module>")
                .endsWith("ValueError: boom\n")
                .as("no frames of the prepared interpreter").doesNotContain("runpy").doesNotContain("<string>");
        assertThat(r.get("exit_code").asInt()).isEqualTo(1);
    }

    @Test
    void aWarmPythonHitRunsInTheInterpreterPreparedAfterTheLastScrub() {
        // The loader imported json before the program arrived; `python3 main.py` would not have.
        JsonNode r = run("python", "import sys\nprint('json' in sys.modules)", Map.of());
        assertThat(r.get("pool").asText()).isEqualTo("hit");
        assertThat(r.get("stdout").asText()).as("the prepared interpreter ran the program").isEqualTo("True\n");
    }

    @Test
    void aWarmJavascriptHitRunsInTheInterpreterStartedFromTheImagesSnapshotAsPlainNodeWould() {
        JsonNode r = run("javascript", """
                const cp = require('child_process');
                const fromSnapshot = new Error().stack.includes('deserializeMain');
                const child = cp.execFileSync(process.execPath, ['-e', 'console.log(process.argv.length)']).toString().trim();
                console.log(fromSnapshot, require.main === module, __filename, process.argv.slice(2), process.execArgv, child);
                """, Map.of("args", List.of("a")));
        assertThat(r.get("pool").asText()).isEqualTo("hit");
        assertThat(r.get("stdout").asText()).as("prepared from the snapshot, the program is the main module, a child node is plain")
                .isEqualTo("true true /workspace/main.js [ 'a' ] [] 1\n");
    }

    @Test
    void pythonExitKeepsThePlainInterpretersPromises() {
        JsonNode r = run("python", """
                import atexit, sys, threading, time
                atexit.register(lambda: print('atexit ran'))
                threading.Thread(target=lambda: (time.sleep(0.2), print('thread joined'))).start()
                sys.stdout.write('no newline, unflushed')
                """, Map.of());
        assertThat(r.get("stdout").asText()).isEqualTo("no newline, unflushedthread joined\natexit ran\n");
        assertThat(r.get("exit_code").asInt()).isZero();
        JsonNode message = run("python", "import sys\nsys.exit('bad input')", Map.of());
        assertThat(message.get("stderr").asText()).isEqualTo("bad input\n");
        assertThat(message.get("exit_code").asInt()).isEqualTo(1);
        assertThat(run("python", "raise SystemExit(300)", Map.of()).get("exit_code").asInt()).isEqualTo(300 & 0xff);
    }

    @Test
    void pythonSyntaxErrorLooksLikePythons() {
        JsonNode r = run("python", "print('ok'\n", Map.of());
        assertThat(r.get("stderr").asText()).contains("File \"/workspace/main.py\", line 1").contains("SyntaxError").doesNotContain("runpy");
        assertThat(r.get("exit_code").asInt()).isEqualTo(1);
    }

    @Test
    void javascriptRunsTheProgramAsTheMainModule() {
        JsonNode r = run("javascript", "console.log(require.main === module, process.argv.slice(1).join(' '), __filename)",
                Map.of("args", List.of("a")));
        assertThat(r.get("stdout").asText()).isEqualTo("true /workspace/main.js a /workspace/main.js\n");
        JsonNode thrown = run("javascript", "throw new Error('boom')", Map.of());
        assertThat(thrown.get("exit_code").asInt()).isEqualTo(1);
        assertThat(thrown.get("stderr").asText()).contains("/workspace/main.js:1").contains("Error: boom");
    }

    @Test
    void javascriptRunsWithStdinArgsAndExitCode() {
        JsonNode r = run("node", """
                const input = require('fs').readFileSync(0, 'utf8');
                console.log(input.trim() + ' ' + process.argv.slice(2).join(','));
                console.error('warn');
                process.exit(4);
                """, Map.of("stdin", "in", "args", List.of("x", "y")));
        assertThat(r.get("stdout").asText()).isEqualTo("in x,y\n");
        assertThat(r.get("stderr").asText()).isEqualTo("warn\n");
        assertThat(r.get("exit_code").asInt()).isEqualTo(4);
        assertThat(r.get("language").asText()).isEqualTo("javascript");
        assertThat(r.get("version").asText()).contains("v20");
    }

    @Test
    void goCompilesThenRunsWithStdinArgsAndExitCode() {
        JsonNode r = run("golang", """
                package main
                import ("bufio"; "fmt"; "os")
                func main() {
                    line, _ := bufio.NewReader(os.Stdin).ReadString('\\n')
                    fmt.Println(line, os.Args[1:])
                    fmt.Fprintln(os.Stderr, "to stderr")
                    os.Exit(5)
                }
                """, Map.of("stdin", "gopher\n", "args", List.of("1", "2")));
        assertThat(r.get("compile").get("exit_code").asInt()).as("compiled: %s", r.get("compile")).isZero();
        assertThat(r.get("compile").get("duration_ms").asLong()).isPositive();
        assertThat(r.get("stdout").asText()).isEqualTo("gopher\n [1 2]\n");
        assertThat(r.get("stderr").asText()).isEqualTo("to stderr\n");
        assertThat(r.get("exit_code").asInt()).isEqualTo(5);
        assertThat(r.get("version").asText()).contains("go1.");
    }

    @Test
    void goCompileErrorIsReportedAndNothingRuns() {
        JsonNode r = run("go", "package main\nfunc main() { undefinedThing() }\n", Map.of());
        assertThat(r.get("compile").get("exit_code").asInt()).as("go build's exit code for a compile error").isEqualTo(1);
        assertThat(r.get("compile").get("stderr").asText()).contains("undefined: undefinedThing");
        assertThat(r.get("exit_code").asInt()).as("the top-level exit code is the compiler's").isEqualTo(1);
        assertThat(r.get("stdout").asText()).isEmpty();
    }

    @Test
    void javaCompilesThenRunsWithStdinArgsAndExitCode() {
        JsonNode r = run("java", """
                import java.util.Scanner;
                public class Greeter {
                    public static void main(String[] args) {
                        String name = new Scanner(System.in).nextLine();
                        System.out.println("hi " + name + " " + String.join("+", args));
                        System.err.println("e");
                        System.exit(6);
                    }
                }
                """, Map.of("stdin", "duke\n", "args", List.of("p", "q")));
        assertThat(r.get("compile").get("exit_code").asInt()).as("compiled: %s", r.get("compile")).isZero();
        assertThat(r.get("stdout").asText()).isEqualTo("hi duke p+q\n");
        assertThat(r.get("stderr").asText()).isEqualTo("e\n");
        assertThat(r.get("exit_code").asInt()).isEqualTo(6);
        assertThat(r.get("version").asText()).contains("21");
    }

    @Test
    void javaCompileErrorIsReportedAndNothingRuns() {
        JsonNode r = run("java", "public class Main { public static void main(String[] a) { int x = \"s\"; } }", Map.of());
        assertThat(r.get("compile").get("exit_code").asInt()).as("javac's exit code for a compile error").isEqualTo(1);
        assertThat(r.get("compile").get("stderr").asText()).contains("incompatible types");
        assertThat(r.get("stdout").asText()).isEmpty();
        assertThat(r.get("exit_code").asInt()).as("the top-level exit code is the compiler's").isEqualTo(1);
    }

    @Test
    void aProgramPastItsTimeoutIsKilledAndTheServerKeepsServing() {
        JsonNode r = run("python", "while True: pass", Map.of("timeout_ms", 1000));
        assertThat(r.get("timed_out").asBoolean()).isTrue();
        assertThat(r.get("signal").asText()).isEqualTo("SIGKILL");
        assertThat(r.get("exit_code").asInt()).isEqualTo(137);
        assertThat(run("python", "print(42)", Map.of()).get("stdout").asText()).isEqualTo("42\n");
    }

    @Test
    void aProgramKilledBySignalReportsIt() {
        JsonNode r = run("python", "import os, signal\nos.kill(os.getpid(), signal.SIGTERM)", Map.of());
        assertThat(r.get("signal").asText()).isEqualTo("SIGTERM");
        assertThat(r.get("exit_code").asInt()).isEqualTo(143);
        assertThat(r.get("timed_out").asBoolean()).isFalse();
    }
}
