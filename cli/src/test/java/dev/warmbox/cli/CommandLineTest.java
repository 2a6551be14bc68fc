package dev.warmbox.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI in-process, with no server: parsing, precedence as the commands see it, usage errors and their codes. */
class CommandLineTest {
    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {}

    private Run run(Map<String, String> env, String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, env, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Run run(String... args) {
        return run(Map.of("HOME", dir.toString()), "", args);
    }

    @Test
    void globalFlagsCountAfterTheSubcommandAndBeatTheEnvironment() throws Exception {
        Run run = run(Map.of("HOME", dir.toString(), "WARMBOX_URL", "http://env:1", "WARMBOX_API_KEY", "env-key-123456"), "",
                "config", "--server", "http://flag:2", "-o", "json");
        assertThat(run.code()).as(run.err()).isZero();
        JsonNode shown = new ObjectMapper().readTree(run.out());
        assertThat(shown.path("server").asText()).isEqualTo("http://flag:2");
        assertThat(shown.path("serverFrom").asText()).isEqualTo("--server");
        assertThat(shown.path("apiKeyFrom").asText()).isEqualTo("WARMBOX_API_KEY");
        assertThat(shown.path("apiKey").asText()).as("masked").isEqualTo("env-…56");
    }

    @Test
    void printsABashAndZshCompletionScriptNamingEveryCommand() {
        Run run = run("generate-completion");
        assertThat(run.code()).isZero();
        assertThat(run.out()).contains("complete -F _complete_warmbox").contains("environments").contains("warm-pools").contains("--stdin-file");
    }

    @Test
    void anUnknownOptionIsAUsageErrorOnOneLineWithTheWayToHelp() {
        Run run = run("pools", "--bogus");
        assertThat(run.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).isEqualTo("warmbox: Unknown option: '--bogus'\nTry 'warmbox pools --help'.\n");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void aMissingKeyIsAUsageErrorBeforeAnyCall() {
        Run run = run("pools");
        assertThat(run.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).startsWith("warmbox: no API key: pass --api-key, set WARMBOX_API_KEY");
    }

    @Test
    void anUnknownFormatIsAUsageError() {
        Run run = run("pools", "--format", "xml", "--api-key", "k");
        assertThat(run.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("xml").contains("table, json, yaml");
    }

    @Test
    void executeTakesTheLanguageFromTheExtensionAndEverythingAfterTheFileAsArguments() throws Exception {
        Path program = Files.writeString(dir.resolve("hello.go"), "package main\n");
        ExecuteCommand execute = parse("execute", "--stdin", "in", "--timeout", "1500ms", program.toString(), "--verbose", "x");
        Map<String, Object> request = execute.request();
        assertThat(request).containsEntry("language", "go").containsEntry("code", "package main\n")
                .containsEntry("stdin", "in").containsEntry("args", List.of("--verbose", "x")).containsEntry("timeout_ms", 1500L);
    }

    @Test
    void executeReadsTheProgramFromStdinOnlyWithALanguageAndItsInputFromAFile() throws Exception {
        Path input = Files.writeString(dir.resolve("input.txt"), "abc");
        ExecuteCommand execute = parse("execute", "--language", "python", "--stdin-file", input.toString());
        Map<String, Object> request = execute.request();
        assertThat(request).containsEntry("language", "python").containsEntry("code", "print(1)\n").containsEntry("stdin", "abc");

        Run noLanguage = run(Map.of("HOME", dir.toString(), "WARMBOX_API_KEY", "k"), "print(1)\n", "execute");
        assertThat(noLanguage.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(noLanguage.err()).contains("say its language with --language");
    }

    @Test
    void executeRefusesAFileOfUnknownLanguageOrMissing() throws Exception {
        Path unknown = Files.writeString(dir.resolve("prog.rb"), "puts 1\n");
        Map<String, String> env = Map.of("HOME", dir.toString(), "WARMBOX_API_KEY", "k");
        Run run = run(env, "", "execute", unknown.toString());
        assertThat(run.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("cannot tell the language of " + unknown).contains("--language");
        Run missing = run(env, "", "execute", dir.resolve("absent.py").toString());
        assertThat(missing.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(missing.err()).contains("no such file: " + dir.resolve("absent.py"));
    }

    @Test
    void languagesAndTimeoutsAreReadAsDocumented() {
        assertThat(Languages.ofFile(Path.of("a/Main.JAVA"))).contains("java");
        assertThat(Languages.ofFile(Path.of("x.mjs"))).contains("javascript");
        assertThat(Languages.ofFile(Path.of("Makefile"))).isEmpty();
        assertThat(Timeouts.toMillis("2m")).isEqualTo(120_000);
        assertThat(Timeouts.toMillis("7")).isEqualTo(7_000);
        assertThatThrownBy(() -> Timeouts.toMillis("0s")).hasMessageContaining("more than zero");
        assertThatThrownBy(() -> Timeouts.toMillis("soon")).hasMessageContaining("1500ms, 10s or 2m");
    }

    @Test
    void theProgramsExitCodeIsPassedOnAndOneNoProcessCanHaveBecomes255() throws Exception {
        ObjectMapper json = new ObjectMapper();
        assertThat(ExecuteCommand.exitCode(json.readTree("{\"exit_code\": 3}"))).isEqualTo(3);
        assertThat(ExecuteCommand.exitCode(json.readTree("{\"exit_code\": 137}"))).isEqualTo(137);
        assertThat(ExecuteCommand.exitCode(json.readTree("{\"exit_code\": -1}"))).isEqualTo(255);
    }

    @Test
    void serverErrorsCarryTheServersMessageAndAuthFailuresTheirOwnCode() {
        Settings settings = Settings.resolve(null, "k", null, Map.of(), Optional.empty());
        CliException unauthorized = ServerError.of(401, "{\"error\":{\"code\":\"unauthorized\",\"message\":\"the API key is not valid\"}}",
                "GET /x", settings);
        assertThat(unauthorized.exitCode()).isEqualTo(ExitCodes.AUTH);
        assertThat(unauthorized.getMessage()).isEqualTo("the API key is not valid (HTTP 401 unauthorized); the key came from --api-key");
        CliException conflict = ServerError.of(409, "{\"error\":{\"code\":\"in_use\",\"message\":\"still used\"}}", "DELETE /x", settings);
        assertThat(conflict.exitCode()).isEqualTo(ExitCodes.SERVER);
        assertThat(conflict.getMessage()).isEqualTo("still used (HTTP 409 in_use)");
        CliException proxy = ServerError.of(502, "<html>\n<body>Bad Gateway</body></html>", "GET /x", settings);
        assertThat(proxy.getMessage()).isEqualTo("GET /x answered HTTP 502: <html> <body>Bad Gateway</body></html>");
    }

    /** The execute command as picocli fills it, with "print(1)" on its stdin. */
    private ExecuteCommand parse(String... args) {
        WarmboxCommand root = new WarmboxCommand();
        Session session = new Session(Map.of("HOME", dir.toString()), new ByteArrayInputStream("print(1)\n".getBytes(StandardCharsets.UTF_8)),
                System.out, System.err, root);
        picocli.CommandLine cli = new picocli.CommandLine(root, Main.factory(session));
        cli.getSubcommands().get("execute").setStopAtPositional(true);
        var parsed = cli.parseArgs(args);
        return (ExecuteCommand) parsed.subcommand().commandSpec().userObject();
    }
}
