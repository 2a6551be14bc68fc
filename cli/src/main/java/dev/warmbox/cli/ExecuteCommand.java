package dev.warmbox.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code POST /execute}: the program from a file or stdin, its output on the CLI's own stdout and stderr,
 * its exit code as the CLI's. {@code --format json|yaml} prints the whole answer instead.
 */
@Command(name = "execute", description = {"Run a program in a warm sandbox and exit with its exit code.",
        "Options go before FILE; everything after FILE is the program's arguments. Without FILE (or with -) "
                + "the program is read from stdin and --language is required."})
final class ExecuteCommand implements Callable<Integer> {
    private final Session session;

    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE", description = "The program (- or none: stdin).")
    String file;

    @Parameters(index = "1..*", paramLabel = "ARG", description = "Arguments for the program.")
    List<String> args = new ArrayList<>();

    @Option(names = {"-l", "--language"}, description = "python, javascript, go or java (default: from FILE's extension).")
    String language;

    @Option(names = "--stdin", paramLabel = "TEXT", description = "The program's stdin.")
    String stdin;

    @Option(names = "--stdin-file", paramLabel = "PATH", description = "The program's stdin from a file (-: this command's stdin).")
    String stdinFile;

    @Option(names = {"-t", "--timeout"}, paramLabel = "DURATION", description = "Run-time limit: 1500ms, 10s, 2m (default: the server's).")
    String timeout;

    @Option(names = "--add-file", paramLabel = "PATH", description = "Another file next to the program (repeatable).")
    List<Path> extraFiles = new ArrayList<>();

    ExecuteCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        Map<String, Object> request = request();
        long timeoutMs = request.containsKey("timeout_ms") ? (Long) request.get("timeout_ms") : 0;
        JsonNode answer = session.api().post("/execute", request, Duration.ofMinutes(5).plusMillis(timeoutMs));
        Output output = session.output();
        if (output.format() == Format.table) printProgramOutput(answer);
        else output.whole(answer);
        return exitCode(answer);
    }

    Map<String, Object> request() {
        boolean fromStdin = file == null || file.equals("-");
        if (fromStdin && "-".equals(stdinFile)) throw CliException.usage("stdin cannot be both the program and its input; give the program as FILE");
        if (stdin != null && stdinFile != null) throw CliException.usage("give the program's stdin with --stdin or --stdin-file, not both");
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("language", language(fromStdin));
        request.put("code", fromStdin ? readAll("the program from stdin", null) : read(Path.of(file)));
        String input = stdinFile == null ? stdin : "-".equals(stdinFile) ? readAll("stdin", null) : read(Path.of(stdinFile));
        if (input != null) request.put("stdin", input);
        if (!args.isEmpty()) request.put("args", args);
        if (timeout != null) request.put("timeout_ms", Timeouts.toMillis(timeout));
        if (!extraFiles.isEmpty()) {
            List<Map<String, String>> files = new ArrayList<>();
            for (Path extra : extraFiles) files.add(Map.of("name", extra.getFileName().toString(), "content", read(extra)));
            request.put("files", files);
        }
        return request;
    }

    private String language(boolean fromStdin) {
        if (language != null) return language;
        if (fromStdin) throw CliException.usage("the program comes from stdin: say its language with --language (python, javascript, go, java)");
        return Languages.ofFile(Path.of(file)).orElseThrow(() -> CliException.usage("cannot tell the language of " + file
                + " from its extension (known: " + Languages.known() + "); give it with --language"));
    }

    private String read(Path path) {
        if (!Files.isRegularFile(path)) throw CliException.usage("no such file: " + path);
        return readAll(path.toString(), path);
    }

    private String readAll(String what, Path path) {
        try {
            byte[] bytes = path == null ? session.in.readAllBytes() : Files.readAllBytes(path);
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw CliException.usage("cannot read " + what + ": " + e.getMessage(), e);
        }
    }

    private void printProgramOutput(JsonNode answer) {
        JsonNode compile = answer.path("compile");
        if (compile.isObject() && compile.path("exit_code").asInt() != 0) {
            session.err.print(compile.path("stdout").asText(""));
            session.err.print(compile.path("stderr").asText(""));
        }
        session.out.print(answer.path("stdout").asText(""));
        session.out.flush();
        session.err.print(answer.path("stderr").asText(""));
        if (answer.path("timed_out").asBoolean()) session.note("the program was stopped at its time limit");
        if (answer.path("output_truncated").asBoolean()) session.note("the program's output was cut at the server's limit");
    }

    /** The program's exit code; one outside 0-255 (which no process can exit with) becomes 255. */
    static int exitCode(JsonNode answer) {
        int code = answer.path("exit_code").asInt(255);
        return code < 0 || code > 255 ? 255 : code;
    }
}
