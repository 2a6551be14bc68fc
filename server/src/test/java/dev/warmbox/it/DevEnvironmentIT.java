package dev.warmbox.it;

import static dev.warmbox.it.DevEnvFixture.call;
import static dev.warmbox.it.DevEnvFixture.exec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warmbox.provider.ContainerState;
import dev.warmbox.routing.Route;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
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
 * The whole development-environment flow on the real engine, one server for all steps (a prebuild
 * and instance launches are the expensive part): class, project from a git repository, prebuild,
 * pool, claim, personalization seen inside the instance, release and reset, concurrency and capacity,
 * a restart, and the pool's deletion. The steps run in order and build on each other.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DevEnvironmentIT {
    private static final String ADMIN = RunningServer.API_KEY;
    private static RunningServer server;
    private static Path stateDir;
    private static String alice;
    private static String aliceId;
    private static String bob;
    private static String classId;
    private static String projectId;
    private static String poolId;
    private static JsonNode pendingPool;
    private static JsonNode prebuild;
    private static final List<String> prebuildIds = new ArrayList<>();
    private static String resetContainer;

    @BeforeAll
    static void prebuildAndWarmAPool() throws Exception {
        server = start(null);
        DevEnvFixture.requireImage();
        stateDir = server.stateDir;
        JsonNode aliceKey = DevEnvFixture.key(server, "alice", "member");
        alice = aliceKey.get("key").asText();
        aliceId = aliceKey.get("id").asText();
        bob = DevEnvFixture.key(server, "bob", "member").get("key").asText();
        Path repo = DevEnvFixture.gitRepository(stateDir.resolve("repo"));

        classId = call(server, "POST", "/api/v1/environment-classes", Map.of("name", "small", "cpu", 1, "memoryBytes", 512L << 20), ADMIN, 201).get("id").asText();
        projectId = call(server, "POST", "/api/v1/projects", Map.of(
                "name", "demo",
                "source", Map.of("image", DevEnvFixture.IMAGE, "git", Map.of("url", repo.toUri().toString(), "ref", "main")),
                "prebuildCommands", List.of("echo built > /workspace/.prebuilt"),
                "prebuildEnvironmentClassIds", List.of(classId),
                "postCreateCommand", "echo created > /tmp/created",
                "postStartCommand", "echo \"started $GREETING\" > /tmp/started",
                "postAttachCommand", "echo attached > /tmp/attached",
                "secrets", Map.of("API_TOKEN", "shared-placeholder"),
                "idePort", 7681,
                "user", "dev"), ADMIN, 201).get("id").asText();
        pendingPool = call(server, "POST", "/api/v1/warm-pools", Map.of("projectId", projectId, "environmentClassId", classId,
                "minSize", 1, "maxSize", 1, "releasePolicy", "RELEASE_POLICY_RESET"), ADMIN, 201).get("warmPool");
        poolId = pendingPool.get("id").asText();

        String prebuildId = call(server, "POST", "/api/v1/projects/" + projectId + "/prebuilds", Map.of("environmentClassId", classId), ADMIN, 202)
                .get("id").asText();
        prebuildIds.add(prebuildId);
        prebuild = DevEnvFixture.awaitPrebuild(server, projectId, prebuildId);
        DevEnvFixture.awaitRunningInstances(server, poolId, 1);
    }

    private static RunningServer start(RunningServer previous) {
        // A lead time of 1 s keeps the autoscaler's target at minSize whatever the claims: scaling is DevEnvScalingIT's.
        Map<String, String> env = new java.util.HashMap<>(Map.of("WARM_POOL_SIZE_PER_RUNTIME", "0", "DEVENV_RECONCILE_INTERVAL", "1",
                "DEVENV_LEAD_TIME", "1"));
        return previous == null ? new RunningServer(env) : previous.restartedWith(env);
    }

    @AfterAll
    static void cleanUp() {
        if (server == null) return;
        server.close();
        DevEnvFixture.cleanUp(server.instanceId, prebuildIds);
    }

    @Test
    @Order(1)
    void aPoolIsPendingUntilItsPrebuildSnapshotExistsThenWarms() {
        assertThat(pendingPool.at("/status/phase").asText()).as("no snapshot yet").isEqualTo("WARM_POOL_PHASE_PENDING");
        assertThat(pendingPool.at("/spec/snapshotId").isNull()).isTrue();
        assertThat(prebuild.get("log").asText()).as("the log shows each step")
                .contains("$ clone " + stateDir.resolve("repo").toUri()).contains("$ echo built > /workspace/.prebuilt").contains("committed as")
                .containsPattern("commit [0-9a-f]{40}\n");
        JsonNode pool = call(server, "GET", "/api/v1/warm-pools/" + poolId, null, ADMIN, 200).get("warmPool");
        assertThat(pool.at("/spec/snapshotId").asText()).as("the pool launches from the prebuild's snapshot").isEqualTo(prebuild.at("/prebuild/id").asText());
        assertThat(pool.at("/status/phase").asText()).isEqualTo("WARM_POOL_PHASE_READY");
        assertThat(pool.at("/spec/specVersion").asText()).as("the snapshot update bumped the spec version").isEqualTo("2");
        assertThat(pool.at("/metadata/projectId").asText()).isEqualTo(projectId);
        assertThat(DevEnvFixture.instances(server)).as("one warm instance container").hasSize(1);
        assertThat(call(server, "GET", "/api/v1/warm-pools?projectId=" + projectId + "&environmentClassId=" + classId, null, alice, 200)
                .get("warmPools").findValuesAsText("id")).as("members read pools; filtered by project and class").containsExactly(poolId);
        assertThat(call(server, "GET", "/api/v1/warm-pools?environmentClassId=none", null, alice, 200).get("warmPools")).isEmpty();
    }

    @Test
    @Order(2)
    void onlyAdminsConfigureAndEveryValidationErrorNamesItsField() {
        assertError(call(server, "POST", "/api/v1/environment-classes", Map.of("name", "x"), alice, 403), "forbidden", "admins");
        assertError(call(server, "POST", "/api/v1/warm-pools", Map.of("projectId", projectId, "environmentClassId", classId), alice, 403), "forbidden", "admins");
        assertError(call(server, "POST", "/api/v1/api-keys", Map.of("name", "eve", "role", "admin"), alice, 403), "forbidden", "admins");
        String pools = "/api/v1/warm-pools";
        assertError(call(server, "POST", pools, Map.of("projectId", projectId, "environmentClassId", classId, "minSize", 21), ADMIN, 400), "invalid_request", "minSize");
        assertError(call(server, "POST", pools, Map.of("projectId", projectId, "environmentClassId", classId, "minSize", 3, "maxSize", 2), ADMIN, 400), "invalid_request", "maxSize");
        assertError(call(server, "POST", pools, Map.of("projectId", projectId, "environmentClassId", classId, "maxSize", 0), ADMIN, 400), "invalid_request", "maxSize");
        assertError(call(server, "POST", pools, Map.of("projectId", "nope", "environmentClassId", classId), ADMIN, 400), "invalid_request", "projectId");
        assertError(call(server, "POST", pools, Map.of("projectId", projectId, "environmentClassId", classId, "desiredSize", 2), ADMIN, 409), "already_exists", "only one");
        String other = call(server, "POST", "/api/v1/environment-classes", Map.of("name", "other"), ADMIN, 201).get("id").asText();
        assertError(call(server, "POST", pools, Map.of("projectId", projectId, "environmentClassId", other), ADMIN, 400), "invalid_request", "prebuilds enabled");
        assertError(call(server, "PATCH", pools + "/" + poolId, Map.of("minSize", 1, "specVersion", "1"), ADMIN, 409), "stale_spec_version", "specVersion");
        assertError(call(server, "POST", "/api/v1/environments", Map.of("projectId", projectId, "environmentClassId", other), alice, 409), "no_snapshot", "prebuild");
        assertError(call(server, "POST", "/api/v1/environments", Map.of("projectId", projectId, "environmentClassId", classId, "env", Map.of("1BAD", "x")), alice, 400),
                "invalid_request", "env.1BAD");
        call(server, "DELETE", "/api/v1/environment-classes/" + other, null, ADMIN, 204);
        assertError(call(server, "DELETE", "/api/v1/environment-classes/" + classId, null, ADMIN, 409), "in_use",
                "warm pool " + poolId + " (WARM_POOL_PHASE_READY)");
        assertError(call(server, "POST", "/api/v1/api-keys", Map.of("name", "x", "role", "root"), ADMIN, 400), "invalid_request", "role");
        HttpResponse<String> malformed = server.request("POST", "/api/v1/projects", "{not json", ADMIN);
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertError(RunningServer.read(malformed.body()), "invalid_request", "JSON");
        // Under the body limit, over Jackson's own 20 M-character ceiling: too large, as a 413 naming the field's limit.
        HttpResponse<String> huge = server.request("POST", "/api/v1/projects", "{\"name\": \"" + "x".repeat(21_000_000) + "\"}", ADMIN);
        assertThat(huge.statusCode()).as(huge.body()).isEqualTo(413);
        assertError(RunningServer.read(huge.body()), "payload_too_large", "name is 21000000 characters; the limit is 16384");
        assertError(call(server, "POST", "/api/v1/projects", Map.of("name", "p2", "source", Map.of("image", "nope/none:1")), ADMIN, 400),
                "invalid_request", "source.image");
        assertError(call(server, "POST", "/api/v1/projects", Map.of("name", "p3", "source", Map.of("image", DevEnvFixture.IMAGE,
                "git", Map.of("url", "https://example.com/repo.git"))), ADMIN, 400), "invalid_request", "source.git.url");
    }

    @Test
    @Order(3)
    void aWarmClaimIsPersonalizedForItsOwnerOnlyAndThePoolRefills() throws Exception {
        String warmBefore = DevEnvFixture.instances(server).getFirst().name();
        JsonNode claimed = call(server, "POST", "/api/v1/environments", Map.of("projectId", projectId, "environmentClassId", classId,
                "secrets", Map.of("API_TOKEN", "alice-token"), "env", Map.of("GREETING", "hi alice")), alice, 201).get("environment");
        String id = claimed.get("id").asText();
        assertThat(claimed.get("warm").asBoolean()).as("the pool had a warm instance").isTrue();
        assertThat(claimed.get("url").asText()).isEqualTo("http://127.0.0.1:" + server.warmbox.port() + "/environments/" + id + "/");
        String token = java.net.URLDecoder.decode(claimed.get("accessUrl").asText().substring(claimed.get("url").asText().length() + "?token=".length()),
                java.nio.charset.StandardCharsets.UTF_8);
        assertThat(token).as("the browser's link carries a fresh token: 32 random bytes, base64url").matches("wbe_[A-Za-z0-9_-]{43}");
        assertThat(server.warmbox.accessTokenHash(id)).as("only its hash is kept, for the router").hasValue(java.util.HexFormat.of().formatHex(
                java.security.MessageDigest.getInstance("SHA-256").digest(token.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
        assertThat(call(server, "GET", "/api/v1/environments/" + id, null, alice, 200).at("/environment/accessUrl").isMissingNode())
                .as("the token is shown once").isTrue();

        DevEnvFixture.awaitPhase(server, id, alice, "ENVIRONMENT_PHASE_RUNNING");
        Route route = server.warmbox.routes().find(id).orElseThrow();
        assertThat(route.active()).as("routable once personalized").isTrue();
        assertThat(route.ownerKeyId()).as("only alice's key may open it").isEqualTo(aliceId);
        String container = DevEnvFixture.containerOf(server, id);
        assertThat(container).as("the warm instance was handed out, not a new one").isEqualTo(warmBefore);
        resetContainer = container;

        assertThat(exec(container, "dev", "cat /etc/warmbox/secrets/API_TOKEN").stdout()).as("the placeholder was replaced").isEqualTo("alice-token");
        assertThat(ideEnvironment(container)).as("the IDE was restarted with alice's variables and secrets")
                .contains("GREETING=hi alice", "API_TOKEN=alice-token");
        assertThat(exec(container, "dev", "cat /tmp/created /tmp/started /tmp/attached").stdout()).as("postCreate, postStart, postAttach ran")
                .isEqualTo("created\nstarted hi alice\nattached\n");
        assertThat(exec(container, "dev", "cat /workspace/README /workspace/.prebuilt").stdout()).as("the clone and the prebuild are in the snapshot")
                .isEqualTo("hello from the repo\nbuilt\n");
        HttpResponse<String> ide = HttpClient.newHttpClient().send(HttpRequest.newBuilder(route.target().resolve("/")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ide.statusCode()).as("the route's target answers HTTP").isEqualTo(200);

        HttpClient plain = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
        URI url = URI.create(claimed.get("url").asText());
        assertThat(plain.send(HttpRequest.newBuilder(url).header("X-API-Key", alice).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                .as("the owner gets through the router").isEqualTo(200);
        assertThat(plain.send(HttpRequest.newBuilder(url).header("X-API-Key", bob).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                .as("someone else does not").isEqualTo(403);
        HttpResponse<String> link = plain.send(HttpRequest.newBuilder(URI.create(claimed.get("accessUrl").asText())).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(link.statusCode()).as("the access link sets the cookie: %s", link.body()).isEqualTo(303);
        assertThat(link.headers().firstValue("Set-Cookie")).hasValueSatisfying(c -> assertThat(c).startsWith("warmbox_access="));
        assertError(call(server, "GET", "/api/v1/environments/" + id, null, bob, 404), "not_found", id);
        assertError(call(server, "DELETE", "/api/v1/environments/" + id, null, bob, 404), "not_found", id);
        assertThat(call(server, "GET", "/api/v1/environments", null, bob, 200).get("environments")).as("bob sees none of alice's").isEmpty();
        assertThat(call(server, "GET", "/api/v1/environments", null, ADMIN, 200).get("environments").findValuesAsText("id")).as("admins see all").contains(id);

        JsonNode refilled = DevEnvFixture.awaitRunningInstances(server, poolId, 1);
        assertThat(refilled.at("/status/claimedInstances").asInt()).isEqualTo(1);
        assertThat(DevEnvFixture.instances(server)).as("the claimed one and its replacement").hasSize(2);
        assertThat(server.get("/metrics").body()).contains("warm_pool_claims_total{result=\"success\"} 1.0")
                .contains("warm_pool_instances_by_state{state=\"claimed\"} 1.0")
                .containsPattern("warm_pool_claim_to_ready_seconds_count\\{start=\"warm\"\\} 1(\\.0)?\n");
    }

    @Test
    @Order(4)
    void aReleasedInstanceIsResetAndShowsTheNextUserNothingOfThePrevious() {
        String aliceEnv = call(server, "GET", "/api/v1/environments", null, alice, 200).get("environments").get(0).get("id").asText();
        assertThat(exec(resetContainer, "dev", "echo secret > /workspace/alice.txt && echo x > /home/dev/.alice && echo y > /tmp/alice"
                + " && (sleep 1000 </dev/null >/dev/null 2>&1 &)").exitCode()).isZero();

        call(server, "DELETE", "/api/v1/environments/" + aliceEnv, null, alice, 204);
        assertThat(server.warmbox.accessTokenHash(aliceEnv)).as("a deleted environment's link stops working").isEmpty();
        // Reset, returned, and the surplus replacement removed: the pool holds exactly the reset instance.
        await().atMost(DevEnvFixture.DEADLINE).pollInterval(Duration.ofMillis(200)).until(() ->
                DevEnvFixture.instances(server).stream().map(ContainerState::name).toList().equals(List.of(resetContainer))
                        && call(server, "GET", "/api/v1/warm-pools/" + poolId, null, ADMIN, 200).at("/warmPool/status/runningInstances").asInt() == 1);

        String bobEnv = call(server, "POST", "/api/v1/environments", Map.of("projectId", projectId, "environmentClassId", classId,
                "secrets", Map.of("API_TOKEN", "bob-token"), "env", Map.of("GREETING", "hi bob")), bob, 201).at("/environment/id").asText();
        DevEnvFixture.awaitPhase(server, bobEnv, bob, "ENVIRONMENT_PHASE_RUNNING");
        assertThat(DevEnvFixture.containerOf(server, bobEnv)).as("bob got the instance alice released").isEqualTo(resetContainer);
        assertThat(exec(resetContainer, "dev", "ls -A /workspace; ls -A /home/dev; ls -A /tmp").stdout())
                .as("alice's files are gone, the prebuilt workspace is back").contains("README", ".prebuilt")
                .doesNotContain("alice");
        assertThat(exec(resetContainer, "0", "ps -e -o user=,args= | grep -c '^dev .*sleep 1000' || true").stdout().strip())
                .as("alice's processes were killed").isEqualTo("0");
        assertThat(exec(resetContainer, "dev", "cat /etc/warmbox/secrets/API_TOKEN").stdout()).isEqualTo("bob-token");
        assertThat(ideEnvironment(resetContainer)).contains("GREETING=hi bob").doesNotContain("alice");
        assertThat(exec(resetContainer, "dev", "cat /tmp/started").stdout()).isEqualTo("started hi bob\n");
        call(server, "DELETE", "/api/v1/environments/" + bobEnv, null, bob, 204);
    }

    @Test
    @Order(5)
    void parallelClaimsNeverShareAnInstanceAndMaxInstancesRefusesTheRest() throws Exception {
        JsonNode scaled = call(server, "PATCH", "/service/admin/appdefinition/" + poolId, Map.of("minInstances", 2, "maxInstances", 2), ADMIN, 200);
        assertThat(scaled.get("minInstances").asInt()).isEqualTo(2);
        assertThat(scaled.at("/warmPool/spec/maxInstances").asInt()).isEqualTo(2);
        DevEnvFixture.awaitRunningInstances(server, poolId, 2);

        List<HttpResponse<String>> answers = claimAtOnce(4, alice);
        List<String> warm = new ArrayList<>();
        int refused = 0;
        for (HttpResponse<String> answer : answers) {
            if (answer.statusCode() == 201) {
                JsonNode env = RunningServer.read(answer.body()).get("environment");
                assertThat(env.get("warm").asBoolean()).as("within capacity every claim was warm").isTrue();
                warm.add(env.get("id").asText());
            } else {
                assertThat(answer.statusCode()).as(answer.body()).isEqualTo(409);
                assertThat(RunningServer.read(answer.body()).at("/error/code").asText()).isEqualTo("capacity_exhausted");
                refused++;
            }
        }
        assertThat(warm).as("exactly the pool's two warm instances were handed out").hasSize(2);
        assertThat(refused).as("the rest was refused by maxInstances").isEqualTo(2);
        assertThat(distinctContainers(warm, alice)).as("no instance was handed out twice").hasSize(2);
        for (String id : warm) call(server, "DELETE", "/api/v1/environments/" + id, null, alice, 204);

        Map<String, Object> uncapped = new java.util.HashMap<>(Map.of("minInstances", 1));
        uncapped.put("maxInstances", null);
        JsonNode byProjectName = call(server, "PATCH", "/service/admin/appdefinition/demo", uncapped, ADMIN, 200);
        assertThat(byProjectName.at("/warmPool/spec/maxInstances").isNull()).as("null removes the cap").isTrue();
        // minInstances 2 raised maxSize to 2; back to 1 so no stopped instance joins (DevEnvScalingIT covers those).
        call(server, "PATCH", "/api/v1/warm-pools/" + poolId, Map.of("maxSize", 1), ADMIN, 200);
        DevEnvFixture.awaitRunningInstances(server, poolId, 1);
        List<String> all = new ArrayList<>();
        int warmCount = 0;
        for (HttpResponse<String> answer : claimAtOnce(3, bob)) {
            assertThat(answer.statusCode()).as("without a cap nobody is refused: %s", answer.body()).isEqualTo(201);
            JsonNode env = RunningServer.read(answer.body()).get("environment");
            all.add(env.get("id").asText());
            if (env.get("warm").asBoolean()) warmCount++;
        }
        // The warm one went to one claim; a replacement launched meanwhile may be claimed while it
        // still initializes (an optimistic claim), so more than one can be warm, never fewer.
        assertThat(warmCount).as("the pool's warm instance was handed out").isGreaterThanOrEqualTo(1);
        assertThat(distinctContainers(all, bob)).as("three claims, three instances").hasSize(3);
        URI first = server.warmbox.routes().find(all.get(0)).orElseThrow().target();
        String second = DevEnvFixture.containerOf(server, all.get(1));
        assertThat(exec(second, "dev", "timeout 3 bash -c 'echo > /dev/tcp/" + first.getHost() + "/" + first.getPort() + "'").exitCode())
                .as("one environment cannot reach another's IDE (the network has inter-container traffic off)").isNotZero();
        assertThat(HttpClient.newHttpClient().send(HttpRequest.newBuilder(first.resolve("/")).build(), HttpResponse.BodyHandlers.discarding()).statusCode())
                .as("while the server reaches it").isEqualTo(200);
        int cold = 3 - warmCount;
        assertThat(server.get("/metrics").body()).containsPattern("warm_pool_claims_total\\{result=\"instance_not_found\"\\} " + cold + "(\\.0)?\n")
                .containsPattern("warm_pool_claims_total\\{result=\"capacity_exhausted\"\\} 2(\\.0)?\n")
                .containsPattern("warm_pool_claim_to_ready_seconds_count\\{start=\"cold\"\\} " + cold + "(\\.0)?\n");
        for (String id : all) call(server, "DELETE", "/api/v1/environments/" + id, null, bob, 204);
    }

    @Test
    @Order(6)
    void aRestartKeepsWarmInstancesAndRunningEnvironmentsAndLaunchesNothingTwice() {
        String id = call(server, "POST", "/api/v1/environments", Map.of("projectId", projectId, "environmentClassId", classId), alice, 201)
                .at("/environment/id").asText();
        DevEnvFixture.awaitPhase(server, id, alice, "ENVIRONMENT_PHASE_RUNNING");
        DevEnvFixture.awaitRunningInstances(server, poolId, 1);
        // Settled: the environment's instance and one warm one, nothing left draining from earlier steps.
        await().during(Duration.ofSeconds(2)).atMost(DevEnvFixture.DEADLINE).until(() -> DevEnvFixture.instances(server).size() == 2
                && DevEnvFixture.instances(server).stream().allMatch(ContainerState::running));
        URI target = server.warmbox.routes().find(id).orElseThrow().target();
        Set<String> before = names(DevEnvFixture.instances(server));

        server.warmbox.close();
        server = start(server);

        assertThat(server.warmbox.routes().find(id)).as("the route survives the restart")
                .hasValueSatisfying(r -> assertThat(r.target()).isEqualTo(target)).hasValueSatisfying(r -> assertThat(r.active()).isTrue());
        assertThat(call(server, "GET", "/api/v1/environments/" + id, null, alice, 200).at("/environment/status/phase").asText()).isEqualTo("ENVIRONMENT_PHASE_RUNNING");
        JsonNode pool = DevEnvFixture.awaitRunningInstances(server, poolId, 1);
        assertThat(pool.at("/status/phase").asText()).isEqualTo("WARM_POOL_PHASE_READY");
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(names(DevEnvFixture.instances(server))).as("the same instances, none replaced or added").isEqualTo(before));
        call(server, "DELETE", "/api/v1/environments/" + id, null, alice, 204);
    }

    @Test
    @Order(7)
    void aNewSnapshotRemovesTheOneItSupersededOnceNoInstanceUsesItAndKeepsTheLiveOne() {
        String first = snapshotImage(prebuildIds.getFirst());
        String id = call(server, "POST", "/api/v1/environments", Map.of("projectId", projectId, "environmentClassId", classId), alice, 201)
                .at("/environment/id").asText();
        DevEnvFixture.awaitPhase(server, id, alice, "ENVIRONMENT_PHASE_RUNNING");
        String claimed = DevEnvFixture.containerOf(server, id);

        String secondId = call(server, "POST", "/api/v1/projects/" + projectId + "/prebuilds", Map.of("environmentClassId", classId), ADMIN, 202)
                .get("id").asText();
        prebuildIds.add(secondId);
        DevEnvFixture.awaitPrebuild(server, projectId, secondId);
        String second = snapshotImage(secondId);
        // The pool switched and replaced its warm instance; the claimed one keeps the first snapshot.
        await().atMost(DevEnvFixture.DEADLINE).pollInterval(Duration.ofMillis(200)).until(() -> {
            JsonNode pool = call(server, "GET", "/api/v1/warm-pools/" + poolId, null, ADMIN, 200).get("warmPool");
            return pool.at("/spec/snapshotId").asText().equals(secondId) && pool.at("/status/runningInstances").asInt() == 1
                    && DevEnvFixture.instances(server).size() == 2;
        });
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(DevEnvFixture.ENGINE.imageExists(first)).as("the claimed instance %s still runs from %s", claimed, first).isTrue());

        call(server, "DELETE", "/api/v1/environments/" + id, null, alice, 204);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> !DevEnvFixture.ENGINE.imageExists(first));
        assertThat(DevEnvFixture.ENGINE.imageExists(second)).as("the pool's snapshot %s stays", second).isTrue();
        assertThat(DevEnvFixture.instances(server)).as("only the warm instance of the new snapshot is left").hasSize(1);
    }

    @Test
    @Order(8)
    void deletingAPoolDrainsItsInstances() {
        for (JsonNode e : call(server, "GET", "/api/v1/environments", null, ADMIN, 200).get("environments")) {
            call(server, "DELETE", "/api/v1/environments/" + e.get("id").asText(), null, ADMIN, 204);
        }
        JsonNode deleting = call(server, "DELETE", "/api/v1/warm-pools/" + poolId, null, ADMIN, 202).get("warmPool");
        assertThat(deleting.at("/spec/desiredPhase").asText()).isEqualTo("WARM_POOL_PHASE_DELETED");
        assertThat(deleting.at("/status/phase").asText()).as("its warm instance is still to be removed").isEqualTo("WARM_POOL_PHASE_DELETING");
        await().atMost(DevEnvFixture.DEADLINE).pollInterval(Duration.ofMillis(200)).until(() ->
                call(server, "GET", "/api/v1/warm-pools/" + poolId, null, ADMIN, 200).at("/warmPool/status/phase").asText().equals("WARM_POOL_PHASE_DELETED"));
        await().atMost(DevEnvFixture.DEADLINE).until(() -> DevEnvFixture.instances(server).isEmpty());
        JsonNode again = call(server, "POST", "/api/v1/warm-pools", Map.of("projectId", projectId, "environmentClassId", classId, "desiredSize", 1), ADMIN, 201)
                .get("warmPool");
        assertThat(again.at("/spec/minSize").asInt()).as("a deleted pool frees its project and class; desiredSize sets min = max").isEqualTo(1);
        poolId = again.get("id").asText();
    }

    @Test
    @Order(9)
    void aProjectAndAClassAreDeletedWithTheirHistoryOnceNothingLiveUsesThem() {
        String project = "/api/v1/projects/" + projectId;
        String environmentClass = "/api/v1/environment-classes/" + classId;
        String livePool = "warm pool " + poolId + " (WARM_POOL_PHASE_";
        assertError(call(server, "DELETE", project, null, ADMIN, 409), "in_use", livePool);
        assertError(call(server, "DELETE", environmentClass, null, ADMIN, 409), "in_use", livePool);
        assertError(call(server, "DELETE", environmentClass, null, ADMIN, 409), "in_use",
                "project " + projectId + " (prebuildEnvironmentClassIds)");

        call(server, "DELETE", "/api/v1/warm-pools/" + poolId, null, ADMIN, 202);
        await().atMost(DevEnvFixture.DEADLINE).pollInterval(Duration.ofMillis(200)).until(() -> DevEnvFixture.instances(server).isEmpty()
                && call(server, "GET", "/api/v1/warm-pools/" + poolId, null, ADMIN, 200).at("/warmPool/status/phase").asText().equals("WARM_POOL_PHASE_DELETED"));
        call(server, "DELETE", project, null, ADMIN, 204);

        call(server, "GET", project, null, ADMIN, 404);
        assertThat(call(server, "GET", "/api/v1/warm-pools?projectId=" + projectId, null, ADMIN, 200).get("warmPools"))
                .as("its deleted pools went with it").isEmpty();
        for (String prebuildId : prebuildIds) {
            assertThat(DevEnvFixture.ENGINE.imageExists(snapshotImage(prebuildId))).as("and its snapshot %s", prebuildId).isFalse();
        }
        call(server, "DELETE", environmentClass, null, ADMIN, 204);
        call(server, "GET", environmentClass, null, ADMIN, 404);
    }

    private static String snapshotImage(String prebuildId) {
        return "warmbox-devenv/" + server.instanceId.toLowerCase(java.util.Locale.ROOT) + ":" + prebuildId;
    }

    private static List<HttpResponse<String>> claimAtOnce(int n, String key) throws Exception {
        String body = RunningServer.write(Map.of("projectId", projectId, "environmentClassId", classId));
        try (ExecutorService threads = Executors.newFixedThreadPool(n)) {
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            List<Future<HttpResponse<String>>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Callable<HttpResponse<String>> claim = () -> {
                    go.await();
                    return server.request("POST", "/api/v1/environments", body, key);
                };
                futures.add(threads.submit(claim));
            }
            go.countDown();
            List<HttpResponse<String>> answers = new ArrayList<>();
            for (Future<HttpResponse<String>> f : futures) answers.add(f.get());
            return answers;
        }
    }

    private static Set<String> distinctContainers(List<String> environmentIds, String key) {
        Set<String> containers = new HashSet<>();
        for (String id : environmentIds) {
            DevEnvFixture.awaitPhase(server, id, key, "ENVIRONMENT_PHASE_RUNNING");
            containers.add(DevEnvFixture.containerOf(server, id));
        }
        return containers;
    }

    private static Set<String> names(List<ContainerState> containers) {
        Set<String> names = new HashSet<>();
        containers.forEach(c -> names.add(c.name()));
        return names;
    }

    /** The variables the running IDE process has (read as its own user, as root lacks ptrace here). */
    private static String ideEnvironment(String container) {
        return exec(container, "dev", "tr '\\0' '\\n' < /proc/$(pgrep -o websocketd)/environ").stdout();
    }

    private static void assertError(JsonNode body, String code, String messagePart) {
        assertThat(body.at("/error/code").asText()).as("%s", body).isEqualTo(code);
        assertThat(body.at("/error/message").asText()).as("%s", body).contains(messagePart);
    }
}
