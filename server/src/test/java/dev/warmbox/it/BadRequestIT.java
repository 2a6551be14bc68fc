package dev.warmbox.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Untrusted requests over real HTTP: a JSON error with the right status, and the server keeps serving. */
class BadRequestIT {
    private static RunningServer server;

    @BeforeAll
    static void start() {
        server = new RunningServer(Map.of("WARM_POOL_SIZE_PER_RUNTIME", "0", "WARM_POOL_PYTHON_SIZE", "1",
                "WARMBOX_MAX_CONCURRENT_EXECUTIONS", "3"));
        Awaits.warm(server);
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    private static JsonNode error(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as("answer %s", response.body()).isEqualTo(status);
        JsonNode error = RunningServer.read(response.body()).get("error");
        assertThat(error.get("code").asText()).isNotBlank();
        assertThat(error.get("message").asText()).doesNotContain("Exception").doesNotContain("\tat ");
        return error;
    }

    private static HttpResponse<String> post(String body) {
        return server.post("/execute", body, "application/json", RunningServer.API_KEY);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "", "null", "42", "\"text\"", "[]", "{", "{\"language\": \"python\", \"code\": \"x\",}",
            "{\"language\": [\"python\"], \"code\": \"x\"}", "{\"language\": \"python\", \"code\": 1}",
            "{\"language\": \"python\", \"code\": \"x\", \"timeout_ms\": -5}",
            "{\"language\": \"python\", \"code\": \"x\", \"timeout_ms\": 1e12}",
            "{\"language\": \"python\", \"code\": \"x\", \"admin\": true}",
            "{\"language\": \"python\", \"code\": \"x\", \"files\": [{\"name\": \"../../etc/passwd\", \"content\": \"\"}]}",
            "{\"language\": \"python\", \"code\": \"x\", \"files\": [{\"name\": \"/etc/passwd\", \"content\": \"\"}]}",
            "{\"language\": \"python\", \"code\": \"x\", \"files\": [{\"name\": \"a\\u0000b\", \"content\": \"\"}]}",
            "{\"language\": \"python\", \"code\": \"x\", \"args\": [\"a\\u0000b\"]}"})
    void malformedBodiesGet400(String body) {
        assertThat(error(post(body), 400).get("code").asText()).isEqualTo("invalid_request");
    }

    @Test
    void invalidUtf8Gets400() throws Exception {
        byte[] body = {'{', '"', 'c', 'o', 'd', 'e', '"', ':', '"', (byte) 0xff, (byte) 0xfe, '"', '}'};
        var request = HttpRequest.newBuilder(server.uri("/execute"))
                .header("Content-Type", "application/json").header("X-API-Key", RunningServer.API_KEY)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        var response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(error(response, 400).get("code").asText()).isEqualTo("invalid_request");
    }

    @Test
    void moreConcurrentRequestsThanTheCapGet429WithRetryAfterAndNeverHang() throws Exception {
        String slow = RunningServer.write(Map.of("language", "python", "code", "import time; time.sleep(1.5); print('done')"));
        List<HttpResponse<String>> answers = new ArrayList<>();
        JsonNode before = server.status();
        try (var clients = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<HttpResponse<String>>> pending = new ArrayList<>();
            for (int i = 0; i < 8; i++) pending.add(clients.submit(() -> post(slow)));
            for (var f : pending) answers.add(f.get(60, java.util.concurrent.TimeUnit.SECONDS));
        }
        long served = answers.stream().filter(a -> a.statusCode() == 200).count();
        List<HttpResponse<String>> refused = answers.stream().filter(a -> a.statusCode() != 200).toList();
        assertThat(served).as("the cap of 3 is served, misses included (pool size 1)").isEqualTo(3);
        assertThat(answers.stream().filter(a -> a.statusCode() == 200))
                .allSatisfy(a -> assertThat(RunningServer.read(a.body()).get("stdout").asText()).isEqualTo("done\n"));
        assertThat(refused).hasSize(5).allSatisfy(a -> {
            assertThat(error(a, 429).get("code").asText()).isEqualTo("too_many_requests");
            assertThat(a.headers().firstValue("Retry-After")).hasValue("1");
        });
        JsonNode after = server.status();
        long hits = after.get("total_hits").asLong() - before.get("total_hits").asLong();
        long misses = after.get("total_misses").asLong() - before.get("total_misses").asLong();
        assertThat(hits + misses).as("each served request counted once, as a hit or a miss").isEqualTo(3);
        assertThat(misses).as("requests beyond the pool of one were served fresh (a queued one may get the scrubbed sandbox)").isBetween(1L, 2L);
    }

    @ParameterizedTest
    @ValueSource(strings = {"code", "stdin", "file"})
    void aFieldOverItsLimitGets413NamingIt(String field) {
        String big = "x".repeat((1 << 20) + 1);
        Map<String, Object> request = new java.util.HashMap<>(Map.of("language", "python", "code", "print(1)"));
        switch (field) {
            case "code" -> request.put("code", "#" + big);
            case "stdin" -> request.put("stdin", big);
            default -> request.put("files", List.of(Map.of("name", "big.txt", "content", big)));
        }
        JsonNode error = error(post(RunningServer.write(request)), 413);
        assertThat(error.get("code").asText()).isEqualTo("payload_too_large");
        assertThat(error.get("message").asText()).containsIgnoringCase(field);
    }

    @Test
    void aBodyBeyondAnyValidSizeIsRefusedBeforeItIsRead() {
        String huge = "{\"language\": \"python\", \"code\": \"print(1)\", \"stdin\": \"" + "y".repeat(64 << 20) + "\"}";
        JsonNode error = error(post(huge), 413);
        assertThat(error.get("code").asText()).isEqualTo("payload_too_large");
        assertThat(error.get("message").asText()).as("names the limit and where it comes from").contains("WARMBOX_STDIN_MAX").containsPattern("\\d+ bytes");
    }

    @Test
    void theServerKeepsServingAfterAllOfThat() {
        assertThat(server.execute(Map.of("language", "python", "code", "print('ok')")).get("stdout").asText()).isEqualTo("ok\n");
    }
}
