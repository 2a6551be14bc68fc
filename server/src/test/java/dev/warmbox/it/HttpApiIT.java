package dev.warmbox.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Authentication, the status shape, metric names and error answers of the real server. */
class HttpApiIT {
    private static RunningServer server;

    @BeforeAll
    static void start() {
        server = new RunningServer(Map.of("WARM_POOL_GO_SIZE", "0", "WARM_POOL_JAVA_SIZE", "0", "WARM_POOL_JAVASCRIPT_SIZE", "0"));
        Awaits.warm(server);
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    private static void assertError(HttpResponse<String> response, int status, String code) {
        assertThat(response.statusCode()).as("status of %s", response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        JsonNode error = RunningServer.read(response.body()).get("error");
        assertThat(error.get("code").asText()).isEqualTo(code);
        assertThat(error.get("message").asText()).isNotBlank().doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void refusesRequestsWithoutAKey() {
        assertError(server.post("/execute", "{\"language\":\"python\",\"code\":\"print(1)\"}", "application/json", null), 401, "unauthorized");
        assertError(server.get("/api/v1/warm-pool/status", null), 401, "unauthorized");
        assertError(server.get("/metrics", null), 401, "unauthorized");
    }

    @Test
    void refusesAWrongKey() {
        assertError(server.get("/api/v1/warm-pool/status", "wb_wrong"), 401, "unauthorized");
        assertError(server.get("/api/v1/warm-pool/status", RunningServer.API_KEY + "x"), 401, "unauthorized");
    }

    @Test
    void acceptsTheKeyAsAuthorizationBearerOnTheApiAndMetrics() {
        assertThat(server.getWith("/api/v1/warm-pool/status", Map.of("Authorization", "Bearer " + RunningServer.API_KEY)).statusCode()).isEqualTo(200);
        HttpResponse<String> metrics = server.getWith("/metrics", Map.of("Authorization", "bearer " + RunningServer.API_KEY));
        assertThat(metrics.statusCode()).as("the scheme is case-insensitive").isEqualTo(200);
        assertThat(metrics.body()).contains("warm_pool_hits_total");
        assertThat(server.getWith("/api/v1/warm-pool/status", Map.of("X-API-Key", RunningServer.API_KEY,
                "Authorization", "Bearer " + RunningServer.API_KEY)).statusCode()).as("the same key in both headers").isEqualTo(200);
        HttpResponse<String> executed = server.requestWith("POST", "/execute", Map.of("Authorization", "Bearer " + RunningServer.API_KEY,
                "Content-Type", "application/json"), "{\"language\":\"python\",\"code\":\"print(6*7)\"}");
        assertThat(executed.statusCode()).isEqualTo(200);
        assertThat(RunningServer.read(executed.body()).get("stdout").asText()).isEqualTo("42\n");
    }

    @Test
    void every401ChallengesWithBearer() {
        assertThat(server.getWith("/metrics", Map.of()).headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"warmbox\"");
        HttpResponse<String> wrong = server.getWith("/metrics", Map.of("Authorization", "Bearer wb_wrong"));
        assertError(wrong, 401, "unauthorized");
        assertThat(wrong.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"warmbox\", error=\"invalid_token\"");
        assertThat(server.get("/metrics", "wb_wrong").headers().firstValue("WWW-Authenticate")).as("X-API-Key alike")
                .hasValue("Bearer realm=\"warmbox\", error=\"invalid_token\"");
    }

    @Test
    void refusesTwoDifferentKeysAndOtherSchemesNamingTheAcceptedForms() {
        HttpResponse<String> ambiguous = server.getWith("/api/v1/warm-pool/status", Map.of("X-API-Key", RunningServer.API_KEY,
                "Authorization", "Bearer wb_someone_else"));
        assertError(ambiguous, 401, "unauthorized");
        assertThat(message(ambiguous)).as("one valid key does not win over the other").contains("two different API keys");
        assertThat(ambiguous.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"warmbox\", error=\"invalid_request\"");
        HttpResponse<String> basic = server.getWith("/metrics", Map.of("Authorization", "Basic d2FybWJveDp4"));
        assertError(basic, 401, "unauthorized");
        assertThat(message(basic)).contains("'Basic'").contains("Authorization: Bearer <key>").contains("X-API-Key");
        assertThat(server.getWith("/api/v1/warm-pool/status", Map.of("X-API-Key", RunningServer.API_KEY, "Authorization", "Basic d2FybWJveDp4"))
                .statusCode()).as("a proxy's own Basic header beside X-API-Key is not ours to refuse").isEqualTo(200);
        assertError(server.getWith("/metrics", Map.of("Authorization", "Bearer")), 401, "unauthorized");
        assertThat(message(server.getWith("/metrics", Map.of()))).contains("Authorization: Bearer <key>").contains("X-API-Key");
    }

    private static String message(HttpResponse<String> response) {
        return RunningServer.read(response.body()).get("error").get("message").asText();
    }

    @Test
    void healthNeedsNoKey() {
        assertThat(server.get("/health/live", null).statusCode()).isEqualTo(200);
        HttpResponse<String> ready = server.get("/health/ready", null);
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(RunningServer.read(ready.body()).get("status").asText()).isEqualTo("ready");
    }

    @Test
    void statusHasTheSeedShapeWithScalingBesideIt() {
        server.execute(Map.of("language", "python", "code", "print(1)"));
        JsonNode status = server.status();
        assertThat(fieldNames(status)).containsExactly("enabled", "pools", "total_hits", "total_misses", "hit_rate", "scaling");
        assertThat(fieldNames(status.get("scaling"))).as("one entry per runtime").containsExactly("python", "javascript", "go", "java");
        for (JsonNode scaling : status.get("scaling")) {
            assertThat(fieldNames(scaling)).containsExactlyInAnyOrder("target", "min_size", "max_size", "waiting");
        }
        assertThat(status.get("scaling").get("python").get("target").asInt()).as("a fixed pool of one").isEqualTo(1);
        assertThat(fieldNames(status.get("pools"))).containsExactly("python", "javascript", "go", "java");
        for (JsonNode pool : status.get("pools")) {
            assertThat(fieldNames(pool)).containsExactlyInAnyOrder("size", "available", "in_use");
        }
        assertThat(status.get("enabled").asBoolean()).isTrue();
        assertThat(status.get("pools").get("python").get("size").asInt()).isEqualTo(1);
        long hits = status.get("total_hits").asLong();
        long misses = status.get("total_misses").asLong();
        assertThat(hits + misses).isGreaterThanOrEqualTo(1);
        assertThat(status.get("hit_rate").asDouble()).as("hits over executions, to three places")
                .isEqualTo(Math.round(1000.0 * hits / (hits + misses)) / 1000.0);
    }

    @Test
    void countsAHitAndAMiss() {
        JsonNode before = server.status();
        server.execute(Map.of("language", "python", "code", "print(1)"));
        server.execute(Map.of("language", "go", "code", "package main\nfunc main() {}"));
        JsonNode after = server.status();
        assertThat(after.get("total_hits").asLong() - before.get("total_hits").asLong()).as("python pool has a container").isEqualTo(1);
        assertThat(after.get("total_misses").asLong() - before.get("total_misses").asLong()).as("go pool is empty").isEqualTo(1);
    }

    @Test
    void metricsCarryTheSeedNames() {
        server.execute(Map.of("language", "python", "code", "print(1)"));
        String metrics = server.get("/metrics").body();
        assertThat(metrics)
                .contains("warm_pool_size{runtime=\"python\"} 1")
                .contains("warm_pool_hits_total{runtime=\"python\"}")
                .contains("warm_pool_misses_total{runtime=\"go\"}")
                .contains("warm_pool_health_failures_total{runtime=\"java\"}")
                .containsPattern("warmbox_execution_duration_seconds_bucket\\{pool=\"hit\",runtime=\"python\",le=\"[^\"]+\"\\}");
    }

    @Test
    void badRequestsGetJsonErrorsNotStackTraces() {
        assertError(server.post("/execute", "{not json", "application/json", RunningServer.API_KEY), 400, "invalid_request");
        assertError(server.post("/execute", "{\"language\":\"cobol\",\"code\":\"x\"}", "application/json", RunningServer.API_KEY), 400, "invalid_request");
        assertError(server.post("/execute", "{\"language\":\"python\",\"code\":\"x\"}", "text/plain", RunningServer.API_KEY), 415, "unsupported_media_type");
        assertError(server.post("/execute", "{\"language\":\"python\",\"code\":\"" + "x".repeat(300_000) + "\"}", "application/json", RunningServer.API_KEY), 413, "payload_too_large");
        assertError(server.get("/nope"), 404, "not_found");
        assertError(server.get("/execute"), 405, "method_not_allowed");
        assertThat(server.execute(Map.of("language", "python", "code", "print('still serving')")).get("stdout").asText()).isEqualTo("still serving\n");
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
