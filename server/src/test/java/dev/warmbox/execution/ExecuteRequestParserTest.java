package dev.warmbox.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warmbox.config.WarmboxConfig;
import dev.warmbox.sandbox.Job;
import dev.warmbox.sandbox.Language;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ExecuteRequestParserTest {
    private final ExecuteRequestParser parser = new ExecuteRequestParser(
            WarmboxConfig.fromEnvironment(Map.of("WARMBOX_CODE_MAX", "1024", "WARMBOX_TIMEOUT_MAX_MS", "20000",
                    "WARMBOX_TIMEOUT_DEFAULT_MS", "5000")).limits());

    private Job parse(String json) {
        return parser.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static Rejection rejected(Runnable r) {
        try {
            r.run();
        } catch (Rejection e) {
            return e;
        }
        throw new AssertionError("expected a rejection");
    }

    @Test
    void parsesEveryField() {
        Job job = parse("""
                {"language":"py","code":"print(1)","stdin":"in","args":["a","b"],"timeout_ms":1500,
                 "files":[{"name":"data.txt","content":"x"}]}""");
        assertThat(job.language()).isEqualTo(Language.PYTHON);
        assertThat(job.code()).isEqualTo("print(1)");
        assertThat(job.stdin()).isEqualTo("in");
        assertThat(job.args()).containsExactly("a", "b");
        assertThat(job.timeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(job.files()).containsExactly(new Job.SourceFile("data.txt", "x"));
    }

    @ParameterizedTest
    @CsvSource({"python,PYTHON", "py,PYTHON", "javascript,JAVASCRIPT", "node,JAVASCRIPT", "js,JAVASCRIPT",
            "go,GO", "golang,GO", "java,JAVA", "PYTHON,PYTHON"})
    void acceptsLanguageAliases(String name, Language expected) {
        assertThat(parse("{\"language\":\"" + name + "\",\"code\":\"x\"}").language()).isEqualTo(expected);
    }

    @Test
    void defaultsTimeoutAndOptionalFields() {
        Job job = parse("{\"language\":\"go\",\"code\":\"package main\"}");
        assertThat(job.timeout()).isEqualTo(Duration.ofMillis(5000));
        assertThat(job.stdin()).isEmpty();
        assertThat(job.args()).isEmpty();
        assertThat(job.files()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"code\":\"x\"}|language is required",
            "{\"language\":\"cobol\",\"code\":\"x\"}|language must be one of python, javascript, go, java",
            "{\"language\":5,\"code\":\"x\"}|language must be a string, got number",
            "{\"language\":\"python\"}|code is required",
            "{\"language\":\"python\",\"code\":\"\"}|code must not be empty",
            "{\"language\":\"python\",\"code\":\"x\",\"extra\":1}|unknown field 'extra'",
            "{\"language\":\"python\",\"code\":\"x\",\"timeout_ms\":0}|timeout_ms must be an integer from 1 to 20000",
            "{\"language\":\"python\",\"code\":\"x\",\"timeout_ms\":20001}|timeout_ms must be an integer from 1 to 20000",
            "{\"language\":\"python\",\"code\":\"x\",\"timeout_ms\":1.5}|timeout_ms must be an integer",
            "{\"language\":\"python\",\"code\":\"x\",\"timeout_ms\":\"9\"}|timeout_ms must be an integer",
            "{\"language\":\"python\",\"code\":\"x\",\"args\":[1]}|args[0] must be a string",
            "{\"language\":\"python\",\"code\":\"x\",\"args\":\"a\"}|args must be an array",
            "{\"language\":\"python\",\"code\":\"x\",\"stdin\":[]}|stdin must be a string",
            "{\"language\":\"python\",\"code\":\"x\",\"files\":{}}|files must be an array",
            "{\"language\":\"python\",\"code\":\"x\",\"files\":[{\"name\":\"a\",\"mode\":1}]}|unknown field 'mode' in files[0]",
            "{\"language\":\"python\",\"code\":\"x\",\"files\":[{\"name\":\"main.py\"}]}|is used twice or by the program itself",
            "{\"language\":\"python\",\"code\":\"x\",\"language\":\"go\"}|not valid JSON",
            "{\"language\":\"python\",\"code\":\"x\"} {}|not valid JSON",
            "[1,2]|must be a JSON object",
            "{bad json|not valid JSON"})
    void rejectsBadRequestsNamingTheField(String body, String message) {
        Rejection e = rejected(() -> parse(body));
        assertThat(e.kind()).isEqualTo(Rejection.Kind.INVALID);
        assertThat(e.getMessage()).contains(message);
    }

    @ParameterizedTest
    @ValueSource(strings = {"../etc/passwd", "/etc/passwd", "a/b", "..", ".", "", "a\\u0000b", " spaced", "-rf"})
    void rejectsPathTricksInFileNames(String name) {
        Rejection e = rejected(() -> parse("{\"language\":\"python\",\"code\":\"x\",\"files\":[{\"name\":\"" + name + "\",\"content\":\"\"}]}"));
        assertThat(e.kind()).as("file name %s", name).isEqualTo(Rejection.Kind.INVALID);
        assertThat(e.getMessage()).contains("files[0].name");
    }

    @Test
    void refusesCodeOverTheLimitAsTooLarge() {
        Rejection e = rejected(() -> parse("{\"language\":\"python\",\"code\":\"" + "x".repeat(1025) + "\"}"));
        assertThat(e.kind()).isEqualTo(Rejection.Kind.TOO_LARGE);
        assertThat(e.getMessage()).contains("code is 1025 bytes; the limit is 1024");
    }

    @Test
    void codeBetweenItsLimitAndJacksonsStringCeilingIsA413NamingTheLimit() {
        // 21 M characters: over Jackson's default 20 M string ceiling, under the default body limit (~31 MB).
        ExecuteRequestParser defaults = new ExecuteRequestParser(WarmboxConfig.fromEnvironment(Map.of()).limits());
        byte[] body = ("{\"language\":\"python\",\"code\":\"" + "x".repeat(21_000_000) + "\"}").getBytes(StandardCharsets.UTF_8);
        Rejection e = rejected(() -> defaults.parse(body));
        assertThat(e.kind()).isEqualTo(Rejection.Kind.TOO_LARGE);
        assertThat(e.getMessage()).contains("code is 21000000 bytes").contains("WARMBOX_CODE_MAX");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"language\":", "{\"language\" \"python\"}", "{'language':'python'}", "{\"a\":1,\"a\":2}",
            "{\"language\":\"python\"} trailing", "[1,2", "{\"code\":\"\\uZZZZ\"}", "{\"x\":01}", "nul"})
    void malformedJsonIsDescribedWithoutTheParsersInternals(String body) {
        Rejection e = rejected(() -> parse(body));
        assertThat(e.kind()).isEqualTo(Rejection.Kind.INVALID);
        assertThat(e.getMessage()).as("message for %s", body)
                .doesNotContainPattern("(com|java|javax|org)\\.[a-z]+\\.").doesNotContain("`").doesNotContain("Jackson")
                .doesNotContainIgnoringCase("exception").doesNotContain("Unexpected character");
    }

    @Test
    void refusesInvalidUtf8() {
        byte[] body = {'{', '"', 'l', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
        assertThat(rejected(() -> parser.parse(body)).getMessage()).contains("not valid JSON");
    }

    @Test
    void refusesAnEmptyBody() {
        assertThatThrownBy(() -> parser.parse(new byte[0])).isInstanceOf(Rejection.class).hasMessageContaining("empty");
    }

    @Test
    void namesJavaSourceFilesAfterThePublicClass() {
        assertThat(Language.JAVA.sourceFile("public final class Hello { }")).isEqualTo("Hello.java");
        assertThat(Language.JAVA.sourceFile("class X { }")).isEqualTo("Main.java");
    }
}
