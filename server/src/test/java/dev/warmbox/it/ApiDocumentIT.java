package dev.warmbox.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warmbox.api.OpenApiDocument;
import dev.warmbox.routing.EnvironmentRouter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The API document against a real server: every route the server serves is in it (and nothing it
 * does not serve), and real answers, from executions in three languages to development environments
 * claimed through a warm pool, the router's refusals and every kind of error, validate against the
 * schema the document declares for their path, method and status. And the page to browse it: served
 * without a key, from this server's files only, and rendering every operation in a real browser under its
 * Content-Security-Policy.
 */
class ApiDocumentIT {
    private static final OpenApiDocument DOCUMENT = OpenApiDocument.load();
    private static final String ADMIN = RunningServer.API_KEY;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final List<String> prebuildIds = new ArrayList<>();
    private static RunningServer server;

    @BeforeAll
    static void start() {
        DevEnvFixture.requireImage();
        // No warm execution pools: executions are misses, which is all these answers need, at a fraction of the
        // containers. Small limits, so that a body over the request limit (about 1.6 MB here) is cheap to send.
        server = new RunningServer(Map.of("WARM_POOL_SIZE_PER_RUNTIME", "0", "DEVENV_RECONCILE_INTERVAL", "1", "DEVENV_LEAD_TIME", "1",
                "WARMBOX_CODE_MAX", "65536", "WARMBOX_STDIN_MAX", "65536", "WARMBOX_FILES_MAX", "2", "WARMBOX_FILE_MAX", "65536"));
    }

    @AfterAll
    static void stop() {
        if (server == null) return;
        server.close();
        DevEnvFixture.cleanUp(server.instanceId, prebuildIds);
    }

    @Test
    void everyServedRouteIsDocumentedAndEveryDocumentedRouteServed() {
        List<String> served = new ArrayList<>(server.warmbox.httpRoutes());
        for (String path : EnvironmentRouter.PATHS) {
            for (String method : OpenApiDocument.ANY_METHOD) served.add(method + " " + path);
        }
        assertThat(served).as("Javalin's routes were read").contains("POST /execute", "GET /openapi.json");
        assertThat(DOCUMENT.undocumented(served)).as("routes missing from openapi.yaml (pages for people: %s)", OpenApiDocument.NOT_API).isEmpty();
        assertThat(DOCUMENT.unserved(served)).as("operations in openapi.yaml that nothing serves").isEmpty();
    }

    @Test
    void executionAnswersMatchTheDocument() {
        JsonNode python = conforms(post("/execute", "{\"language\":\"python\",\"code\":\"print(input()[::-1])\",\"stdin\":\"abc\"}", ADMIN), 200);
        assertThat(python.get("stdout").asText()).isEqualTo("cba\n");
        JsonNode javascript = conforms(post("/execute", "{\"language\":\"js\",\"code\":\"process.exit(3)\"}", ADMIN), 200);
        assertThat(javascript.get("exit_code").asInt()).isEqualTo(3);
        JsonNode go = conforms(post("/execute", "{\"language\":\"go\",\"code\":\"package main\\nfunc main() { undefined() }\"}", ADMIN), 200);
        assertThat(go.get("compile").isObject()).as("go compiles, and this does not: %s", go).isTrue();

        conforms(post("/execute", "{\"language\":\"python\",\"code\":\"1\",\"colour\":\"red\"}", ADMIN), 400);
        conforms(post("/execute", "{\"language\":", ADMIN), 400);
        conforms(post("/execute", "{\"language\":\"python\",\"code\":\"1\"}", null), 401);
        conforms(post("/execute", "{\"language\":\"python\",\"code\":\"1\"}", "wb_not_a_key"), 401);
        conforms(post("/execute", "{\"language\":\"python\",\"code\":\"" + "x".repeat(128 * 1024) + "\"}", ADMIN), 413);
        conforms(post("/execute", "x".repeat(2 * 1024 * 1024), ADMIN), 413);
        conforms(server.post("/execute", "print(1)", "text/plain", ADMIN), 415);
    }

    @Test
    void operationsAnswersMatchTheDocument() {
        JsonNode status = conforms(server.get("/api/v1/warm-pool/status"), 200);
        assertThat(status.get("pools").size()).as("one pool per language").isEqualTo(4);
        conforms(server.get("/api/v1/warm-pool/status", null), 401);
        conforms(server.get("/health/live", null), 200);
        conforms(server.get("/health/ready", null), 200);
        conforms(server.get("/metrics", ADMIN), 200);
        conforms(server.get("/metrics", null), 401);
        conforms(bearer("/api/v1/warm-pool/status", ADMIN), 200);
        conforms(bearer("/metrics", "wb_not_a_key"), 401);
        JsonNode document = conforms(server.get("/openapi.json", null), 200);
        assertThat(document).as("served without a key, as written").isEqualTo(DOCUMENT.root());
        // Answers to what the document does not have, a path or a method, are still its error shape.
        HttpResponse<String> unknown = server.get("/api/v1/no-such-thing");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(DOCUMENT.violationsOf("Error", unknown.body())).as("an unknown path").isEmpty();
        HttpResponse<String> wrongMethod = server.get("/execute");
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(DOCUMENT.violationsOf("Error", wrongMethod.body())).as("a method the path does not take").isEmpty();
    }

    @Test
    void apiKeyAnswersMatchTheDocument() {
        JsonNode member = conforms(request("POST", "/api/v1/api-keys", "{\"name\":\"docs-member\",\"role\":\"member\"}", ADMIN), 201);
        String memberKey = member.get("key").asText();
        conforms(request("POST", "/api/v1/api-keys", "{\"name\":\"\"}", ADMIN), 400);
        conforms(request("POST", "/api/v1/api-keys", "{\"name\":\"x\"}", memberKey), 403);
        JsonNode keys = conforms(request("GET", "/api/v1/api-keys", null, ADMIN), 200);
        assertThat(keys.get("apiKeys").findValuesAsText("id")).contains(member.get("id").asText());
        conforms(request("GET", "/api/v1/api-keys", null, memberKey), 403);
        conforms(request("DELETE", "/api/v1/api-keys/" + member.get("id").asText(), null, ADMIN), 204);
        conforms(request("DELETE", "/api/v1/api-keys/no-such-key", null, ADMIN), 404);
        conforms(request("GET", "/api/v1/api-keys", null, memberKey), 401);
    }

    @Test
    void developmentEnvironmentAnswersMatchTheDocument() {
        for (String list : List.of("/api/v1/environment-classes", "/api/v1/projects", "/api/v1/warm-pools", "/api/v1/environments")) {
            conforms(request("GET", list, null, ADMIN), 200);
        }
        String classId = conforms(request("POST", "/api/v1/environment-classes", "{\"name\":\"docs-small\",\"memoryBytes\":536870912}", ADMIN), 201)
                .get("id").asText();
        conforms(request("POST", "/api/v1/environment-classes", "{\"name\":\"docs-small\"}", ADMIN), 409);
        conforms(request("PATCH", "/api/v1/environment-classes/" + classId, "{\"cpu\":0.5}", ADMIN), 200);
        conforms(request("GET", "/api/v1/environment-classes/" + classId, null, ADMIN), 200);
        conforms(request("GET", "/api/v1/environment-classes/none", null, ADMIN), 404);
        String spare = conforms(request("POST", "/api/v1/environment-classes", "{\"name\":\"docs-spare\",\"ociRuntime\":null}", ADMIN), 201)
                .get("id").asText();
        conforms(request("DELETE", "/api/v1/environment-classes/" + spare, null, ADMIN), 204);
        String memberKey = conforms(request("POST", "/api/v1/api-keys", "{\"name\":\"docs-devenv-member\"}", ADMIN), 201).get("key").asText();
        conforms(request("POST", "/api/v1/environment-classes", "{\"name\":\"docs-other\"}", memberKey), 403);
        conforms(request("GET", "/api/v1/environment-classes", null, memberKey), 200);
        String projectId = conforms(request("POST", "/api/v1/projects", RunningServer.write(Map.of("name", "docs-project",
                "source", Map.of("image", DevEnvFixture.IMAGE), "prebuildEnvironmentClassIds", List.of(classId), "user", "dev")), ADMIN), 201)
                .get("id").asText();
        conforms(request("POST", "/api/v1/projects", "{\"name\":\"docs-bad\",\"source\":{\"image\":\"no/such:image\"}}", ADMIN), 400);
        conforms(request("PATCH", "/api/v1/projects/" + projectId, "{\"postStartCommand\":\"true\"}", ADMIN), 200);
        conforms(request("GET", "/api/v1/projects/" + projectId, null, ADMIN), 200);
        conforms(request("POST", "/api/v1/environments", RunningServer.write(Map.of("projectId", projectId, "environmentClassId", classId)), ADMIN), 409);

        JsonNode prebuild = conforms(request("POST", "/api/v1/projects/" + projectId + "/prebuilds",
                "{\"environmentClassId\":\"" + classId + "\"}", ADMIN), 202);
        prebuildIds.add(prebuild.get("id").asText());
        DevEnvFixture.awaitPrebuild(server, projectId, prebuild.get("id").asText());
        conforms(request("GET", "/api/v1/projects/" + projectId + "/prebuilds/" + prebuild.get("id").asText(), null, ADMIN), 200);
        conforms(request("GET", "/api/v1/projects/" + projectId + "/prebuilds", null, ADMIN), 200);
        conforms(request("GET", "/api/v1/projects/" + projectId + "/prebuilds/none", null, ADMIN), 404);

        String poolId = conforms(request("POST", "/api/v1/warm-pools", RunningServer.write(Map.of("projectId", projectId,
                "environmentClassId", classId, "minSize", 0, "maxSize", 1)), ADMIN), 201).at("/warmPool/id").asText();
        conforms(request("PATCH", "/api/v1/warm-pools/" + poolId, "{\"maxInstances\":2}", ADMIN), 200);
        conforms(request("PATCH", "/api/v1/warm-pools/" + poolId, "{\"maxSize\":1,\"specVersion\":\"0\"}", ADMIN), 409);
        conforms(request("PATCH", "/api/v1/warm-pools/" + poolId, "{\"minSize\":99}", ADMIN), 400);
        conforms(request("PATCH", "/service/admin/appdefinition/" + poolId, "{\"minInstances\":0}", ADMIN), 200);
        conforms(request("PATCH", "/service/admin/appdefinition/none", "{\"minInstances\":0}", ADMIN), 404);
        conforms(request("GET", "/api/v1/warm-pools?projectId=" + projectId, null, ADMIN), 200);

        claimOpenAndDelete(projectId, classId);

        conforms(request("DELETE", "/api/v1/warm-pools/" + poolId, null, ADMIN), 202);
        conforms(request("GET", "/api/v1/warm-pools/" + poolId, null, ADMIN), 200);
    }

    /** A claim (cold: the pool keeps none warm), the environment through the router, and its release. */
    private void claimOpenAndDelete(String projectId, String classId) {
        JsonNode claimed = conforms(request("POST", "/api/v1/environments", RunningServer.write(Map.of("projectId", projectId,
                "environmentClassId", classId, "env", Map.of("GREETING", "hi"))), ADMIN), 201).get("environment");
        String id = claimed.get("id").asText();
        conforms(request("GET", "/api/v1/environments/" + id, null, ADMIN), 200);
        DevEnvFixture.awaitPhase(server, id, ADMIN, "ENVIRONMENT_PHASE_RUNNING");
        conforms(request("GET", "/api/v1/environments/" + id, null, ADMIN), 200);
        conforms(request("GET", "/api/v1/environments", null, ADMIN), 200);

        conforms(request("GET", "/environments/" + id, null, ADMIN), 308);
        HttpResponse<String> ide = request("GET", "/environments/" + id + "/", null, ADMIN);
        assertThat(ide.statusCode()).as("the IDE's own page, through the router").isEqualTo(200);
        conforms(ide, 200);
        conforms(request("GET", "/environments/" + id + "/", null, null), 401);
        conforms(request("GET", "/environments/" + id + "/x?token=wbe_wrong", null, null), 401);
        conforms(request("GET", "/environments/no-such-env/deep/path", null, ADMIN), 404);
        JsonNode link = conforms(request("POST", "/api/v1/environments/" + id + "/access-link", null, ADMIN), 200);
        assertThat(link.get("accessUrl").asText()).contains("/environments/" + id + "/");
        conforms(request("POST", "/api/v1/environments/no-such-env/access-link", null, ADMIN), 404);

        conforms(request("DELETE", "/api/v1/environments/" + id, null, ADMIN), 204);
        conforms(request("GET", "/api/v1/environments/" + id, null, ADMIN), 404);
    }

    @Test
    void theApiPageIsServedWithoutAKeyFromThisServersFilesOnly() {
        HttpResponse<String> page = server.get("/docs/", null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(contentType(page)).startsWith("text/html");
        assertThat(page.headers().firstValue("Content-Security-Policy")).as("only this server").hasValueSatisfying(policy -> {
            assertThat(policy).contains("default-src 'self'").doesNotContain("http:", "https:", "*", "unsafe");
        });
        List<String> assets = Pattern.compile("(?:src|href)=\"([^\"]+)\"").matcher(page.body()).results().map(m -> m.group(1)).toList();
        assertThat(assets).as("the page's files").hasSizeGreaterThanOrEqualTo(3).allSatisfy(asset -> assertThat(asset).startsWith("/docs/"));
        for (String asset : assets) {
            HttpResponse<String> file = server.get(asset, null);
            assertThat(file.statusCode()).as("%s without a key", asset).isEqualTo(200);
            assertThat(contentType(file)).as(asset).startsWith(asset.endsWith(".js") ? "text/javascript" : asset.endsWith(".css") ? "text/css" : "image/png");
        }
        assertThat(server.get("/docs/docs.js", null).body()).as("pointed at this server's document").contains("url: '/openapi.json'");
        assertThat(server.get("/docs", null).body()).as("without the slash too").isEqualTo(page.body());
        HttpResponse<String> initializer = server.get("/docs/swagger-initializer.js", null);
        assertThat(initializer.statusCode()).as("the webjar's own initializer, which points at a document elsewhere, is not served").isEqualTo(404);
        conforms(server.get("/openapi.json", "wb_not_a_key"), 200);
    }

    @Test
    void aBrowserRendersEveryOperationUnderThePagesPolicy() throws Exception {
        try (HeadlessChromium chromium = new HeadlessChromium()) {
            chromium.call("Page.enable", Map.of());
            chromium.call("Page.addScriptToEvaluateOnNewDocument", Map.of("source", "window.violations = [];"
                    + "document.addEventListener('securitypolicyviolation', e => window.violations.push(e.violatedDirective + ' ' + e.blockedURI));"));
            chromium.call("Page.navigate", Map.of("url", server.uri("/docs/").toString()));
            int operations = DOCUMENT.operations().size();
            await("Swagger UI shows every operation").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> chromium.evaluate("document.querySelectorAll('.opblock').length").asInt() == operations);
            assertThat(chromium.evaluate("document.querySelector('.info .title').textContent").asText()).startsWith("warmbox");
            assertThat(chromium.evaluate("JSON.stringify(window.violations)").asText()).as("nothing the policy refused").isEqualTo("[]");
            String origin = server.uri("/").toString();
            JsonNode loaded = RunningServer.read(chromium.evaluate("JSON.stringify(performance.getEntriesByType('resource').map(r => r.name))").asText());
            List<String> urls = new ArrayList<>();
            loaded.forEach(url -> urls.add(url.asText()));
            assertThat(urls).as("everything the page loaded").contains(origin + "openapi.json").allSatisfy(url -> assertThat(url).startsWith(origin));
            String png = chromium.call("Page.captureScreenshot", Map.of("format", "png")).get("data").asText();
            Files.write(Path.of("target", "api-docs-page.png"), Base64.getDecoder().decode(png));
        }
    }

    /** Asserts the status and that the answer validates against the document; returns the body read as JSON (or null). */
    private static JsonNode conforms(HttpResponse<String> response, int status) {
        String method = response.request().method();
        String path = response.request().uri().getRawPath();
        assertThat(response.statusCode()).as("%s %s answered %s", method, path, response.body()).isEqualTo(status);
        assertThat(DOCUMENT.violations(method, path, status, contentType(response), response.body()))
                .as("%s %s %s against openapi.yaml", method, path, status).isEmpty();
        String type = contentType(response);
        return type != null && type.startsWith("application/json") && !response.body().isEmpty() ? RunningServer.read(response.body()) : null;
    }

    private static String contentType(HttpResponse<String> response) {
        return response.headers().firstValue("Content-Type").orElse(null);
    }

    private static HttpResponse<String> post(String path, String json, String key) {
        return server.post(path, json, "application/json", key);
    }

    /** Any method, without following redirects (the router's 308 is an answer to check). */
    /** A GET with the key as {@code Authorization: Bearer}, the document's second security scheme. */
    private static HttpResponse<String> bearer(String path, String key) {
        try {
            return HTTP.send(HttpRequest.newBuilder(server.uri(path)).timeout(Duration.ofSeconds(60))
                    .header("Authorization", "Bearer " + key).GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static HttpResponse<String> request(String method, String path, String json, String key) {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.uri(path)).timeout(Duration.ofSeconds(60))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) request.header("Content-Type", "application/json");
        if (key != null) request.header("X-API-Key", key);
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
