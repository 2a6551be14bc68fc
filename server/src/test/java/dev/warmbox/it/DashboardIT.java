package dev.warmbox.it;

import static dev.warmbox.it.DevEnvFixture.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The web dashboard at /ui/ in Debian's Chromium against a real server on the real engine: signing in
 * with a key (a wrong one refused), the execution pools' figures moving while executions run, the
 * development-environment pool, prebuild and log, and a member opening her claimed environment through
 * its link into the IDE behind the router. Every URL the page requested is checked for the keys. The
 * steps run in order on one server and one browser.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardIT {
    private static final String ADMIN = RunningServer.API_KEY;
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final String EXECUTION_ROW = "[data-panel=execution-pools] tr[data-runtime=python] [data-field=%s]";

    private static RunningServer server;
    private static HeadlessChromium chromium;
    private static String alice;
    private static String bob;
    private static String environmentId;
    private static String claimLink;
    private static final List<String> prebuildIds = new ArrayList<>();
    private static final List<String> wrongKeys = List.of("wb_not_a_key_of_this_server");

    @BeforeAll
    static void startServerWithAClaimedEnvironment() throws Exception {
        server = new RunningServer(Map.of("WARM_POOL_SIZE_PER_RUNTIME", "0", "WARM_POOL_PYTHON_SIZE", "1", "WARM_POOL_JAVASCRIPT_SIZE", "1",
                "DEVENV_RECONCILE_INTERVAL", "1", "DEVENV_LEAD_TIME", "1"));
        DevEnvFixture.requireImage();
        alice = DevEnvFixture.key(server, "alice", "member").get("key").asText();
        bob = DevEnvFixture.key(server, "bob", "member").get("key").asText();
        Path repo = DevEnvFixture.gitRepository(server.stateDir.resolve("repo"));
        String classId = call(server, "POST", "/api/v1/environment-classes", Map.of("name", "small", "cpu", 1, "memoryBytes", 512L << 20), ADMIN, 201)
                .get("id").asText();
        String projectId = call(server, "POST", "/api/v1/projects", Map.of("name", "course",
                "source", Map.of("image", DevEnvFixture.IMAGE, "git", Map.of("url", repo.toUri().toString(), "ref", "main")),
                "prebuildCommands", List.of("echo built > /workspace/.prebuilt"), "prebuildEnvironmentClassIds", List.of(classId),
                "idePort", 7681, "user", "dev"), ADMIN, 201).get("id").asText();
        String poolId = call(server, "POST", "/api/v1/warm-pools", Map.of("projectId", projectId, "environmentClassId", classId,
                "minSize", 1, "maxSize", 2), ADMIN, 201).at("/warmPool/id").asText();
        String prebuildId = call(server, "POST", "/api/v1/projects/" + projectId + "/prebuilds", Map.of("environmentClassId", classId), ADMIN, 202)
                .get("id").asText();
        prebuildIds.add(prebuildId);
        DevEnvFixture.awaitPrebuild(server, projectId, prebuildId);
        DevEnvFixture.awaitRunningInstances(server, poolId, 1);
        JsonNode claimed = call(server, "POST", "/api/v1/environments", Map.of("projectId", projectId, "environmentClassId", classId), alice, 201)
                .get("environment");
        environmentId = claimed.get("id").asText();
        claimLink = claimed.get("accessUrl").asText();
        DevEnvFixture.awaitPhase(server, environmentId, alice, "ENVIRONMENT_PHASE_RUNNING");
        server.awaitReady(DEADLINE);

        chromium = new HeadlessChromium();
        chromium.call("Network.enable", Map.of());
        chromium.call("Log.enable", Map.of());
        chromium.call("Emulation.setDeviceMetricsOverride", Map.of("width", 1360, "height", 1000, "deviceScaleFactor", 1, "mobile", false));
    }

    @AfterAll
    static void cleanUp() {
        try {
            if (chromium != null) chromium.close();
        } finally {
            if (server != null) {
                server.close();
                DevEnvFixture.cleanUp(server.instanceId, prebuildIds);
            }
        }
    }

    @Test
    @Order(1)
    void thePageIsServedWithoutAKeyUnderASelfOnlyPolicyAndTheApiStillWantsOne() {
        HttpResponse<String> page = server.get("/ui/", null);
        assertThat(page.statusCode()).as("the page itself needs no key").isEqualTo(200);
        assertThat(page.body()).contains("<div id=\"app\"></div>").doesNotContain("http://", "https://");
        assertThat(page.headers().firstValue("Content-Security-Policy")).as("self only").hasValueSatisfying(csp ->
                assertThat(csp).contains("default-src 'self'", "script-src 'self'", "connect-src 'self'").doesNotContain("unsafe", "http"));
        assertThat(server.get("/ui/nope.js", null).statusCode()).isEqualTo(404);
        assertThat(server.get("/api/v1/warm-pool/status", null).statusCode()).as("the data still needs a key").isEqualTo(401);
    }

    @Test
    @Order(2)
    void aWrongKeyIsRefusedAndTheRightOneSignsIn() {
        chromium.call("Page.navigate", Map.of("url", server.uri("/ui/").toString()));
        awaitPage("the sign-in form", "!!document.querySelector('[data-form=signin]')");
        signIn(wrongKeys.getFirst());
        awaitPage("the refusal", "(document.querySelector('[data-field=signin-error]') || {}).textContent === 'That API key is not valid.'");
        assertThat(chromium.evaluate("sessionStorage.length").asInt()).as("a refused key is not kept").isZero();

        signIn(ADMIN);
        awaitPage("the python pool's row", "!!document.querySelector('" + EXECUTION_ROW.formatted("size") + "')");
        assertThat(text(EXECUTION_ROW.formatted("size"))).isEqualTo("1");
        assertThat(chromium.evaluate("location.href").asText()).isEqualTo(server.uri("/ui/").toString());
    }

    @Test
    @Order(3)
    void theExecutionPoolsMoveWhileExecutionsRun() throws Exception {
        long before = metric("warm_pool_hits_total") + metric("warm_pool_misses_total");
        ExecutorService clients = Executors.newFixedThreadPool(2, Thread.ofVirtual().name("dashboard-it-client-", 0).factory());
        try {
            List<Future<JsonNode>> runs = new ArrayList<>();
            // Three after another on each of two clients: long enough for the page (every 2 s) to see one in use.
            for (int i = 0; i < 2; i++) {
                runs.add(clients.submit(() -> {
                    JsonNode last = null;
                    for (int j = 0; j < 3; j++) last = server.execute(Map.of("language", "python", "code", "import time; time.sleep(1.5); print('ok')"));
                    return last;
                }));
            }
            await("the page showing a python sandbox in use").atMost(DEADLINE).pollInterval(Duration.ofMillis(200))
                    .until(() -> Integer.parseInt(text(EXECUTION_ROW.formatted("in_use"))) >= 1);
            for (Future<JsonNode> run : runs) assertThat(run.get().get("stdout").asText()).isEqualTo("ok\n");
        } finally {
            clients.shutdownNow();
        }
        long hits = metric("warm_pool_hits_total");
        long misses = metric("warm_pool_misses_total");
        assertThat(hits + misses).as("six executions, each a hit or a miss").isEqualTo(before + 6);
        await("the page's hits and misses catching up with the server's").atMost(DEADLINE).pollInterval(Duration.ofMillis(200))
                .until(() -> text(EXECUTION_ROW.formatted("hits")).equals(Long.toString(hits))
                        && text(EXECUTION_ROW.formatted("misses")).equals(Long.toString(misses)));
        await("the page showing the sandbox back").atMost(DEADLINE).pollInterval(Duration.ofMillis(200))
                .until(() -> text(EXECUTION_ROW.formatted("in_use")).equals("0"));
        assertThat(text(EXECUTION_ROW.formatted("p50"))).as("latency from the histogram in /metrics").matches("\\d+(\\.\\d)? ms");
        assertThat(text("[data-panel=execution-pools] [data-field=hit_rate] .card-value")).as("the status endpoint's hit rate")
                .isEqualTo(String.format(java.util.Locale.ROOT, "%.1f%%", server.status().get("hit_rate").asDouble() * 100));
    }

    /** A python counter from /metrics, as the server publishes it. */
    private static long metric(String name) {
        String prefix = name + "{runtime=\"python\"} ";
        return server.get("/metrics").body().lines().filter(l -> l.startsWith(prefix))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(prefix.length()).strip())).findFirst()
                .orElseThrow(() -> new AssertionError("no " + prefix + "in /metrics"));
    }

    @Test
    @Order(4)
    void theAdminSeesThePoolThePrebuildWithItsLogAndEveryonesEnvironments() throws Exception {
        awaitPage("the pool's phase", "(document.querySelector('[data-panel=devenv-pools] [data-field=phase]') || {}).textContent === 'ready'");
        assertThat(text("[data-panel=devenv-pools] [data-field=claimed]")).as("alice's environment").isEqualTo("1");
        awaitPage("alice's environment, listed for the admin",
                "!!document.querySelector('[data-panel=environments] tr[data-environment=\"" + environmentId + "\"]')");
        assertThat(text("[data-panel=prebuilds] [data-field=phase]")).isEqualTo("succeeded");
        click("[data-panel=prebuilds] [data-action=log]");
        awaitPage("the prebuild's log", "((document.querySelector('[data-panel=prebuilds] [data-field=log]') || {}).textContent || '').includes('committed as')");
        assertThat(text("[data-panel=prebuilds] [data-field=log]")).contains("$ echo built > /workspace/.prebuilt");
        screenshot("dashboard.png");
    }

    @Test
    @Order(5)
    void aMemberSeesOnlyHerOwnEnvironmentsAndOpensOneThroughItsLink() {
        click("[data-action=signout]");
        awaitPage("the sign-in form", "!!document.querySelector('[data-form=signin]')");
        assertThat(chromium.evaluate("sessionStorage.length").asInt()).as("signing out forgets the key").isZero();
        signIn(bob);
        awaitPage("bob's empty list", "(document.querySelector('[data-panel=environments] .empty') || {}).textContent === 'No environments.'");

        click("[data-action=signout]");
        signIn(alice);
        String row = "[data-panel=environments] tr[data-environment=\"" + environmentId + "\"]";
        awaitPage("alice's own environment", "!!document.querySelector('" + row + " [data-action=open]')");
        assertThat(chromium.evaluate("document.querySelectorAll('[data-panel=environments] tbody tr').length").asInt()).isEqualTo(1);
        click(row + " [data-action=open]");
        await("the IDE's terminal, through the router").atMost(DEADLINE).pollInterval(Duration.ofMillis(200))
                .until(() -> "connected".equals(chromium.evaluate("document.body ? document.body.dataset.state : ''").asText()));
        assertThat(chromium.evaluate("location.pathname + location.search").asText())
                .as("on the environment's clean URL, the link's token swapped for the cookie").isEqualTo("/environments/" + environmentId + "/");
        screenshot("dashboard-environment.png");
        assertThat(server.get(java.net.URI.create(claimLink).getRawPath() + "?" + java.net.URI.create(claimLink).getRawQuery(), null).statusCode())
                .as("the claim's link stopped working when open made a new one").isEqualTo(401);
    }

    @Test
    @Order(6)
    void onlyTheOwnerGetsANewAccessLink() {
        String path = "/api/v1/environments/" + environmentId + "/access-link";
        assertThat(call(server, "POST", path, null, ADMIN, 403).at("/error/message").asText()).as("not even an admin: the link lets one in")
                .contains("only the owner");
        call(server, "POST", path, null, bob, 404);
        String link = call(server, "POST", path, null, alice, 200).get("accessUrl").asText();
        assertThat(link).startsWith(server.uri("/environments/" + environmentId + "/?token=wbe_").toString());
    }

    @Test
    @Order(7)
    void noKeyEverAppearedInAUrlAndNoContentWasBlocked() {
        List<String> urls = chromium.events("Network.requestWillBeSent").stream().map(e -> e.at("/request/url").asText()).toList();
        assertThat(urls).as("the page did call the API").anyMatch(u -> u.endsWith("/api/v1/warm-pool/status")).anyMatch(u -> u.contains("/access-link"));
        List<String> keys = new ArrayList<>(List.of(ADMIN, alice, bob));
        keys.addAll(wrongKeys);
        for (String key : keys) {
            assertThat(urls).as("no URL carries a key").noneMatch(u -> u.contains(key) || u.contains(java.net.URLEncoder.encode(key, java.nio.charset.StandardCharsets.UTF_8)));
        }
        assertThat(urls).as("nothing from anywhere else").allMatch(u -> u.startsWith(server.uri("/").toString()) || u.startsWith("data:"));
        List<String> blocked = chromium.events("Log.entryAdded").stream().map(e -> e.at("/entry/text").asText())
                .filter(t -> t.contains("Content Security Policy")).toList();
        assertThat(blocked).as("the page runs under its own policy").isEmpty();
    }

    private static void signIn(String key) {
        awaitPage("the sign-in form", "!!document.getElementById('api-key')");
        chromium.evaluate("(() => { const i = document.getElementById('api-key'); i.focus(); i.select(); return true; })()");
        chromium.call("Input.insertText", Map.of("text", key));
        click("[data-form=signin] button[type=submit]");
    }

    /** A real mouse click in the middle of the element. */
    private static void click(String selector) {
        awaitPage(selector, "!!document.querySelector('" + selector + "')");
        JsonNode box = chromium.evaluate("(() => { const e = document.querySelector('" + selector + "'); e.scrollIntoView({block: 'center'});"
                + " const r = e.getBoundingClientRect(); return {x: r.x + r.width / 2, y: r.y + r.height / 2}; })()");
        for (String type : List.of("mousePressed", "mouseReleased")) {
            Map<String, Object> event = new HashMap<>(Map.of("type", type, "x", box.get("x").asDouble(), "y", box.get("y").asDouble(),
                    "button", "left", "clickCount", 1));
            chromium.call("Input.dispatchMouseEvent", event);
        }
    }

    private static String text(String selector) {
        return chromium.evaluate("(document.querySelector('" + selector + "') || {}).textContent || ''").asText().strip();
    }

    private static void awaitPage(String what, String condition) {
        await(what).atMost(DEADLINE).pollInterval(Duration.ofMillis(200)).until(() -> chromium.evaluate(condition).asBoolean());
    }

    /** For people to look at: target/dashboard-*.png (docs/images/ holds the ones the docs show). */
    private static void screenshot(String name) throws RuntimeException {
        chromium.evaluate("window.scrollTo(0, 0)");
        String png = chromium.call("Page.captureScreenshot", Map.of("format", "png")).get("data").asText();
        try {
            Files.write(Path.of("target", name), Base64.getDecoder().decode(png));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
