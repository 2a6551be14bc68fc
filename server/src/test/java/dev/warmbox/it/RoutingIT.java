package dev.warmbox.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code /environments/{id}/...} on the real server, in front of real devenv-sample containers: who
 * gets in, HTTP and WebSocket through the proxy, the access link, the restart contract of the image,
 * and two environments used at once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RoutingIT {
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NEVER).build();
    private RoutedEnvironments env;
    private String containerA;
    private String containerB;

    @BeforeAll
    void start() {
        env = new RoutedEnvironments();
        containerA = env.startContainer("a");
        containerB = env.startContainer("b");
        env.route("env-a", env.ownerKeyId, env.ideOf(containerA), true);
        env.route("env-b", env.strangerKeyId, env.ideOf(containerB), true);
        env.route("env-warming", env.ownerKeyId, env.ideOf(containerA), false);
        // Port 1 on loopback: nothing listens there, so the IDE is "down".
        env.route("env-down", env.ownerKeyId, URI.create("http://127.0.0.1:1"), true);
    }

    @AfterAll
    void stop() {
        if (env != null) env.close();
    }

    @Test
    void theOwnerWithAnApiKeyGetsTheIdePageAndItsAssets() {
        HttpResponse<String> page = get("/environments/env-a/", Map.of("X-API-Key", env.ownerKey));
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).as("the devenv-sample terminal page, through the proxy").contains("<title>warmbox terminal</title>");
        assertThat(get("/environments/env-a/xterm/xterm.js", Map.of("X-API-Key", env.ownerKey)).statusCode())
                .as("assets load relative to the page, under the prefix").isEqualTo(200);
    }

    @Test
    void theEnvironmentRootWithoutTrailingSlashRedirectsToIt() {
        HttpResponse<String> response = get("/environments/env-a?x=1", Map.of("X-API-Key", env.ownerKey));
        assertThat(response.statusCode()).isEqualTo(308);
        assertThat(response.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/environments/env-a/?x=1"));
    }

    @Test
    void anotherKeyIsForbiddenAndNoCredentialsAreUnauthorized() {
        assertError(get("/environments/env-a/", Map.of("X-API-Key", env.strangerKey)), 403, "forbidden");
        assertError(get("/environments/env-b/", Map.of("X-API-Key", env.ownerKey)), 403, "forbidden");
        assertError(get("/environments/env-a/", Map.of()), 401, "unauthorized");
        assertError(get("/environments/env-a/", Map.of("X-API-Key", "wb_not_a_key")), 401, "unauthorized");
        assertError(get("/environments/env-a/", Map.of("X-API-Key", RoutedEnvironments.ADMIN_KEY)), 403, "forbidden");
    }

    @Test
    void theOwnerGetsInWithAuthorizationBearerAsWithXApiKey() {
        HttpResponse<String> page = get("/environments/env-a/", Map.of("Authorization", "Bearer " + env.ownerKey));
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<title>warmbox terminal</title>");
        assertError(get("/environments/env-a/", Map.of("Authorization", "Bearer " + env.strangerKey)), 403, "forbidden");
        HttpResponse<String> wrong = get("/environments/env-a/", Map.of("Authorization", "Bearer wb_not_a_key"));
        assertError(wrong, 401, "unauthorized");
        assertThat(wrong.headers().firstValue("WWW-Authenticate")).as("the challenge clients expect").hasValue("Bearer realm=\"warmbox\"");
        assertThat(get("/environments/env-a/", Map.of("X-API-Key", env.ownerKey, "Authorization", "Bearer " + env.ownerKey)).statusCode())
                .as("the same key in both headers").isEqualTo(200);
    }

    @Test
    void twoDifferentKeysOrOnlyAnotherSchemeAreUnauthorized() {
        HttpResponse<String> ambiguous = get("/environments/env-a/", Map.of("X-API-Key", env.ownerKey, "Authorization", "Bearer " + env.strangerKey));
        assertError(ambiguous, 401, "unauthorized");
        assertThat(RunningServer.read(ambiguous.body()).get("error").get("message").asText()).contains("two different API keys");
        HttpResponse<String> basic = get("/environments/env-a/", Map.of("Authorization", "Basic dXNlcjpwYXNz"));
        assertError(basic, 401, "unauthorized");
        assertThat(RunningServer.read(basic.body()).get("error").get("message").asText()).contains("Authorization: Bearer <key>").contains("X-API-Key");
    }

    @Test
    void aTerminalOverWebSocketOpensWithAuthorizationBearer() {
        try (TerminalClient terminal = TerminalClient.open(env.webSocketUri("/environments/env-a/ws"),
                Map.of("Authorization", "Bearer " + env.ownerKey))) {
            assertThat(terminal.run("echo bearer-$((3*3))", "bearer-9")).contains("bearer-9");
        }
        assertThatThrownBy(() -> TerminalClient.open(env.webSocketUri("/environments/env-a/ws"), Map.of("Authorization", "Bearer " + env.strangerKey)))
                .isInstanceOf(CompletionException.class).hasCauseInstanceOf(WebSocketHandshakeException.class)
                .satisfies(e -> assertThat(((WebSocketHandshakeException) e.getCause()).getResponse().statusCode()).isEqualTo(403));
    }

    @Test
    void unknownEnvironmentsAreNotFound() {
        assertError(get("/environments/env-nope/", Map.of("X-API-Key", env.ownerKey)), 404, "not_found");
        assertError(get("/environments/a%20b/", Map.of()), 404, "not_found");
    }

    @Test
    void aFailingRouteLookupIsA500InTheApiShapeWithoutDetails() {
        env.breakLookupOf("env-broken");
        HttpResponse<String> response = get("/environments/env-broken/", Map.of("X-API-Key", env.ownerKey));
        assertError(response, 500, "internal_error");
        assertThat(response.body()).doesNotContain("store failed").doesNotContain("Exception");
    }

    @Test
    void aMalformedQueryIsABadRequestNotAFailure() throws IOException {
        // Raw HTTP: Java's URI refuses to build this request at all.
        String answer = rawGet("/environments/env-a/?token=%zz");
        assertThat(answer).startsWith("HTTP/1.1 400 ").contains("\"code\":\"invalid_request\"").doesNotContain("Exception");
    }

    @Test
    void aRouteNotYetActiveAnswers503WithRetryAfter() {
        HttpResponse<String> response = get("/environments/env-warming/", Map.of("X-API-Key", env.ownerKey));
        assertError(response, 503, "not_ready");
        assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
    }

    @Test
    void anIdeThatDoesNotAnswerIsABadGateway() {
        assertError(get("/environments/env-down/", Map.of("X-API-Key", env.ownerKey)), 502, "bad_gateway");
        assertThatThrownBy(() -> TerminalClient.open(env.webSocketUri("/environments/env-down/ws"), Map.of("X-API-Key", env.ownerKey)))
                .isInstanceOf(CompletionException.class).hasCauseInstanceOf(WebSocketHandshakeException.class)
                .satisfies(e -> assertThat(((WebSocketHandshakeException) e.getCause()).getResponse().statusCode()).isEqualTo(502));
    }

    @Test
    void theAccessLinkSetsAPathScopedCookieAndRedirectsToTheCleanUrl() {
        String link = env.issueLink("env-a");
        HttpResponse<String> exchanged = get(link, Map.of());
        assertThat(exchanged.statusCode()).isEqualTo(303);
        assertThat(exchanged.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l).endsWith("/environments/env-a/"));
        String setCookie = exchanged.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(setCookie).startsWith("warmbox_access=wbe_").contains("Path=/environments/env-a/").contains("HttpOnly")
                .containsIgnoringCase("SameSite=Lax");
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));

        assertThat(get("/environments/env-a/", Map.of("Cookie", cookie)).statusCode()).as("the cookie opens the environment").isEqualTo(200);
        assertError(get("/environments/env-b/", Map.of("Cookie", cookie)), 401, "unauthorized");
        assertError(get("/environments/env-a/?token=wbe_forged", Map.of()), 401, "unauthorized");

        env.issueLink("env-a");
        assertError(get("/environments/env-a/", Map.of("Cookie", cookie)), 401, "unauthorized");
    }

    @Test
    void theIdeSeesThePathWithoutPrefixAndNeitherApiKeyNorAccessCookie() throws Exception {
        // A recorder on loopback stands in for an IDE, to see exactly what the proxy sends.
        HttpServer recorder = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        recorder.createContext("/", exchange -> {
            seen.add(exchange.getRequestURI() + " key=" + exchange.getRequestHeaders().getFirst("X-API-Key")
                    + " cookie=" + exchange.getRequestHeaders().getFirst("Cookie"));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        recorder.start();
        try {
            env.route("env-recorder", env.ownerKeyId, URI.create("http://127.0.0.1:" + recorder.getAddress().getPort()), true);
            String link = env.issueLink("env-recorder");
            String setCookie = get(link, Map.of()).headers().firstValue("Set-Cookie").orElseThrow();
            String cookie = setCookie.substring(0, setCookie.indexOf(';'));

            assertThat(get("/environments/env-recorder/a/b%20c?x=1&y=2", Map.of("X-API-Key", env.ownerKey, "Cookie", "theme=dark"))
                    .statusCode()).isEqualTo(204);
            assertThat(get("/environments/env-recorder/", Map.of("Cookie", "theme=dark; " + cookie)).statusCode()).isEqualTo(204);
            assertThat(seen).containsExactly("/a/b%20c?x=1&y=2 key=null cookie=theme=dark", "/ key=null cookie=theme=dark");
        } finally {
            recorder.stop(0);
        }
    }

    @Test
    void theIdeNeverSeesABearerKeyButGetsItsOwnAuthorizationSchemes() throws Exception {
        HttpServer recorder = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        recorder.createContext("/", exchange -> {
            seen.add(exchange.getRequestURI() + " authorization=" + exchange.getRequestHeaders().getFirst("Authorization"));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        recorder.start();
        try {
            env.route("env-recorder-bearer", env.ownerKeyId, URI.create("http://127.0.0.1:" + recorder.getAddress().getPort()), true);
            String setCookie = get(env.issueLink("env-recorder-bearer"), Map.of()).headers().firstValue("Set-Cookie").orElseThrow();
            String cookie = setCookie.substring(0, setCookie.indexOf(';'));

            assertThat(get("/environments/env-recorder-bearer/a", Map.of("Authorization", "Bearer " + env.ownerKey)).statusCode()).isEqualTo(204);
            assertThat(get("/environments/env-recorder-bearer/b", Map.of("Cookie", cookie, "Authorization", "Basic aWRlOmlkZQ=="))
                    .statusCode()).as("the IDE's own Basic auth, beside the access cookie").isEqualTo(204);
            assertThat(seen).containsExactly("/a authorization=null", "/b authorization=Basic aWRlOmlkZQ==");
        } finally {
            recorder.stop(0);
        }
    }

    @Test
    void aTerminalOverWebSocketRunsCommandsThroughTheProxy() {
        try (TerminalClient terminal = TerminalClient.open(env.webSocketUri("/environments/env-a/ws?cols=100&rows=30"),
                Map.of("X-API-Key", env.ownerKey))) {
            String output = terminal.run("echo \"marker-$((6*7)) $(whoami) $(stty size)\"", "marker-42");
            assertThat(output).as("a shell as dev on a 30x100 pseudo-terminal").contains("marker-42 dev 30 100");
        }
    }

    @Test
    void aBrowserWebSocketNeedsTheCookieAndItsOwnOrigin() {
        String link = env.issueLink("env-a");
        String setCookie = get(link, Map.of()).headers().firstValue("Set-Cookie").orElseThrow();
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        String sameOrigin = "http://127.0.0.1:" + env.warmbox.port();
        try (TerminalClient terminal = TerminalClient.open(env.webSocketUri("/environments/env-a/ws"),
                Map.of("Cookie", cookie, "Origin", sameOrigin))) {
            assertThat(terminal.run("echo cookie-$((2+3))", "cookie-5")).contains("cookie-5");
        }
        assertThatThrownBy(() -> TerminalClient.open(env.webSocketUri("/environments/env-a/ws"),
                Map.of("Cookie", cookie, "Origin", "http://elsewhere.example")))
                .hasCauseInstanceOf(WebSocketHandshakeException.class)
                .satisfies(e -> assertThat(((WebSocketHandshakeException) e.getCause()).getResponse().statusCode()).isEqualTo(403));
    }

    @Test
    void userVariablesReachNewTerminalsAfterTheIdeRestarts() {
        String value = "hello \"quoted\" $world `x` \\n";
        TerminalClient before = TerminalClient.open(env.webSocketUri("/environments/env-a/ws"), Map.of("X-API-Key", env.ownerKey));
        RoutedEnvironments.ExecResult applied = env.exec(containerA, "warmbox-ide", "apply", "ROUTING_IT_GREETING=" + value);
        assertThat(applied.exitCode()).as("warmbox-ide apply: %s", applied.output()).isZero();
        before.awaitClosed();
        try (TerminalClient terminal = TerminalClient.open(env.webSocketUri("/environments/env-a/ws"), Map.of("X-API-Key", env.ownerKey))) {
            String output = terminal.run("printf '[%s]\\n' \"$ROUTING_IT_GREETING\"", "[hello");
            assertThat(output).as("the value arrives verbatim, not evaluated as shell").contains("[" + value + "]");
        }
        assertThat(get("/environments/env-a/", Map.of("X-API-Key", env.ownerKey)).statusCode()).isEqualTo(200);
    }

    @Test
    void closingTheBrowserSideEndsTheShellInTheEnvironment() {
        TerminalClient terminal = TerminalClient.open(env.webSocketUri("/environments/env-b/ws"), Map.of("X-API-Key", env.strangerKey));
        terminal.run("exec -a routing-it-shell bash --norc", "$");
        terminal.run("echo \"shell-$((1+1))\"", "shell-2");
        assertThat(shellsNamed(containerB, "routing-it-shell")).isEqualTo(1);
        terminal.close();
        await("the shell behind the closed terminal ends").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> shellsNamed(containerB, "routing-it-shell") == 0);
    }

    private int shellsNamed(String container, String name) {
        RoutedEnvironments.ExecResult found = env.exec(container, "pgrep", "-c", "-f", "^" + name);
        return Integer.parseInt(found.output().strip());
    }

    @Test
    void anEnvironmentCannotReachAnotherEnvironmentsIdeDirectly() {
        String ownIde = env.ideOf(containerA).getHost();
        String otherIde = env.ideOf(containerB).getHost();
        assertThat(env.exec(containerA, "timeout", "3", "bash", "-c", "exec 3<>/dev/tcp/" + ownIde + "/7681").exitCode())
                .as("control: the probe works against its own IDE").isZero();
        assertThat(env.exec(containerA, "timeout", "3", "bash", "-c", "exec 3<>/dev/tcp/" + otherIde + "/7681").exitCode())
                .as("the other environment's IDE has no authentication of its own: only the proxy may reach it").isNotZero();
    }

    @Test
    void twoEnvironmentsUsedAtOnceNeverCross() throws Exception {
        for (String container : List.of(containerA, containerB)) {
            assertThat(env.exec(container, "sh", "-c", "hostname > /usr/share/warmbox-ide/www/whoami.txt").exitCode()).isZero();
        }
        Map<String, String> expected = Map.of("env-a", containerA.substring(0, 12), "env-b", containerB.substring(0, 12));
        Map<String, String> keyOf = Map.of("env-a", env.ownerKey, "env-b", env.strangerKey);
        ExecutorService workers = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> answers = new ArrayList<>();
            List<String> asked = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                String id = i % 2 == 0 ? "env-a" : "env-b";
                asked.add(id);
                answers.add(workers.submit(() -> get("/environments/" + id + "/whoami.txt", Map.of("X-API-Key", keyOf.get(id))).body().strip()));
            }
            List<Future<String>> terminals = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                String id = i % 2 == 0 ? "env-a" : "env-b";
                terminals.add(workers.submit(() -> {
                    try (TerminalClient terminal = TerminalClient.open(env.webSocketUri("/environments/" + id + "/ws"),
                            Map.of("X-API-Key", keyOf.get(id)))) {
                        String output = terminal.run("echo \"host-is-$(hostname)-end\"", "-end\r");
                        return id + " " + output.substring(output.lastIndexOf("host-is-") + 8, output.lastIndexOf("-end"));
                    }
                }));
            }
            for (int i = 0; i < answers.size(); i++) {
                assertThat(answers.get(i).get()).as("HTTP answer %d for %s", i, asked.get(i)).isEqualTo(expected.get(asked.get(i)));
            }
            for (Future<String> terminal : terminals) {
                String[] answer = terminal.get().split(" ");
                assertThat(answer[1]).as("the terminal of %s", answer[0]).isEqualTo(expected.get(answer[0]));
            }
        } finally {
            workers.shutdownNow();
        }
    }

    private void assertError(HttpResponse<String> response, int status, String code) {
        assertThat(response.statusCode()).as("status of %s", response.uri()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        JsonNode error = RunningServer.read(response.body()).get("error");
        assertThat(error.get("code").asText()).isEqualTo(code);
        assertThat(error.get("message").asText()).isNotBlank();
    }

    private String rawGet(String target) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", env.warmbox.port())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private HttpResponse<String> get(String path, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(env.uri(path)).timeout(Duration.ofSeconds(60)).GET();
        headers.forEach(request::header);
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
