package dev.warmbox.devenv.requests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.warmbox.MutableClock;
import dev.warmbox.config.Limits;
import dev.warmbox.config.WarmboxConfig;
import dev.warmbox.devenv.catalog.Catalog;
import dev.warmbox.provider.FakeContainerProvider;
import dev.warmbox.store.Database;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Request bodies over a limit are 413s that name the limit; nothing a client reads names a library's internals. */
class FieldsTest {
    private static final long BODY_LIMIT = WarmboxConfig.fromEnvironment(Map.of()).limits().maxRequestBytes();
    private final Fields.Reader bodies = new Fields.Reader(BODY_LIMIT);
    private final ObjectMapper json = JsonMapper.builder().findAndAddModules().build();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T09:00:00Z"));

    @TempDir
    Path dir;

    @Test
    void aStringBeyondJacksonsDefaultCeilingButWithinTheBodyLimitIsA413NamingTheFieldsLimit() {
        // 21 M characters: over Jackson's default 20 M string ceiling, under the default body limit (~31 MB).
        byte[] body = ("{\"name\": \"" + "x".repeat(21_000_000) + "\"}").getBytes(StandardCharsets.UTF_8);
        assertThat((long) body.length).as("the body limit lets this body in").isLessThan(BODY_LIMIT);
        try (Database database = new Database(dir.resolve("warmbox.db"))) {
            Catalog catalog = new Catalog(database, json, bodies, new FakeContainerProvider(clock, "base"), clock);
            DevEnvException e = catchThrowableOfType(DevEnvException.class, () -> catalog.createClass(body));
            assertThat(e.kind()).as("too large, not malformed: %s", e.getMessage()).isEqualTo(DevEnvException.Kind.TOO_LARGE);
            assertThat(e.getMessage()).isEqualTo("name is 21000000 characters; the limit is 16384");
        }
    }

    @Test
    void nestingBeyondWhatAnyRequestNeedsIsA413NamingTheBodyLimit() {
        byte[] body = ("{\"env\": " + "[".repeat(5_000) + "]".repeat(5_000) + "}").getBytes(StandardCharsets.UTF_8);
        DevEnvException e = catchThrowableOfType(DevEnvException.class, () -> bodies.read(body, Set.of("env")));
        assertThat(e.kind()).isEqualTo(DevEnvException.Kind.TOO_LARGE);
        assertThat(e.code()).isEqualTo("payload_too_large");
        assertThat(e.getMessage()).contains(BODY_LIMIT + " bytes").contains(Limits.MAX_REQUEST_RULE);
        assertThat(e.getMessage()).doesNotContainIgnoringCase("jackson").doesNotContainIgnoringCase("exception").doesNotContain("StreamReadConstraints");
    }

    @Test
    void everyValueOverItsLimitIsTooLargeAndNamesItsField() {
        String long_ = "\"" + "y".repeat(Fields.MAX_TEXT + 1) + "\"";
        assertTooLarge("{\"cmd\": " + long_ + "}", f -> f.text("cmd", null), "cmd is 16385 characters; the limit is 16384");
        assertTooLarge("{\"cmds\": [\"ok\", " + long_ + "]}", f -> f.texts("cmds", 4), "cmds[1] is 16385 characters");
        assertTooLarge("{\"cmds\": [\"a\", \"b\", \"c\"]}", f -> f.texts("cmds", 2), "cmds has 3 entries; the limit is 2");
        assertTooLarge("{\"env\": {\"A\": " + long_ + "}}", f -> f.variables("env"), "env.A is 16385 characters");
        StringBuilder many = new StringBuilder("{\"env\": {");
        for (int i = 0; i < 257; i++) many.append(i == 0 ? "" : ", ").append("\"V").append(i).append("\": \"v\"");
        assertTooLarge(many + "}}", f -> f.variables("env"), "env has 257 entries; the limit is 256");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{bad", "{\"a\": 01}", "[1, 2", "{\"a\": \"\\uZZZZ\"}", "nul", "{\"a\" 1}"})
    void malformedJsonIsA400WithoutTheParsersWords(String body) {
        DevEnvException e = catchThrowableOfType(DevEnvException.class, () -> bodies.read(body.getBytes(StandardCharsets.UTF_8), Set.of("a")));
        assertThat(e.kind()).isEqualTo(DevEnvException.Kind.INVALID);
        assertThat(e.getMessage()).as("message for %s", body).isEqualTo("the body is not valid JSON");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"a\": \"x\", \"a\": \"y\"}", "{\"a\": \"x\"} {\"a\": \"y\"}", "{\"a\": \"x\"} trailing"})
    void aBodyThatSaysTwoThingsIsRefusedNotReadHalfway(String body) {
        // Which of two values for one field wins, or whether what follows the object counts, is the parser's
        // choice, not the client's: refused, as POST /execute refuses them.
        DevEnvException e = catchThrowableOfType(DevEnvException.class, () -> bodies.read(body.getBytes(StandardCharsets.UTF_8), Set.of("a")));
        assertThat(e).as("refused: %s", body).isNotNull();
        assertThat(e.kind()).isEqualTo(DevEnvException.Kind.INVALID);
        assertThat(e.getMessage()).isEqualTo("the body is not valid JSON");
    }

    private void assertTooLarge(String body, java.util.function.Consumer<Fields> read, String message) {
        Fields fields = bodies.read(body.getBytes(StandardCharsets.UTF_8), Set.of("cmd", "cmds", "env"));
        DevEnvException e = catchThrowableOfType(DevEnvException.class, () -> read.accept(fields));
        assertThat(e).as("%s is refused", message).isNotNull();
        assertThat(e.kind()).as(e.getMessage()).isEqualTo(DevEnvException.Kind.TOO_LARGE);
        assertThat(e.getMessage()).startsWith(message);
    }
}
