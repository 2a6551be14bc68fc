package dev.warmbox.it;

import static dev.warmbox.it.DevEnvFixture.call;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Pools that follow demand, on the real engine, with the autoscaler's windows shortened to seconds:
 * one pool with minSize 0 empties after the idle guard, the next claim is a cold start, the pool comes
 * back, and sustained claims scale it out to maxSize. The rules themselves are tested on a simulated
 * clock (ReconcileScalingTest); this shows them once end to end. Steps run in order on one pool.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DevEnvScalingIT {
    private static final String ADMIN = RunningServer.API_KEY;
    private static final Duration SHORT = Duration.ofSeconds(90);
    private static RunningServer server;
    private static String member;
    private static String projectId;
    private static String classId;
    private static String poolId;
    private static final List<String> prebuildIds = new ArrayList<>();
    private static final List<String> environments = new ArrayList<>();

    @BeforeAll
    static void prebuildAPoolThatMayScaleToZero() {
        server = new RunningServer(Map.of("WARM_POOL_SIZE_PER_RUNTIME", "0", "DEVENV_RECONCILE_INTERVAL", "1",
                "DEVENV_IDLE_GUARD", "4", "DEVENV_DEMAND_WINDOW", "30", "DEVENV_LEAD_TIME", "15",
                "DEVENV_SCALE_OUT_WINDOW", "2", "DEVENV_SCALE_IN_WINDOW", "4"));
        DevEnvFixture.requireImage();
        member = DevEnvFixture.key(server, "member", "member").get("key").asText();
        classId = call(server, "POST", "/api/v1/environment-classes", Map.of("name", "small", "memoryBytes", 256L << 20), ADMIN, 201).get("id").asText();
        projectId = call(server, "POST", "/api/v1/projects", Map.of("name", "scaling", "source", Map.of("image", DevEnvFixture.IMAGE),
                "prebuildEnvironmentClassIds", List.of(classId), "user", "dev"), ADMIN, 201).get("id").asText();
        String prebuildId = call(server, "POST", "/api/v1/projects/" + projectId + "/prebuilds", Map.of("environmentClassId", classId), ADMIN, 202)
                .get("id").asText();
        prebuildIds.add(prebuildId);
        DevEnvFixture.awaitPrebuild(server, projectId, prebuildId);
        poolId = call(server, "POST", "/api/v1/warm-pools", Map.of("projectId", projectId, "environmentClassId", classId, "minSize", 0,
                "maxSize", 2, "cronSchedule", "* * * * *", "cronTimezone", "Europe/Berlin"), ADMIN, 201).at("/warmPool/id").asText();
    }

    @AfterAll
    static void cleanUp() {
        if (server == null) return;
        server.close();
        DevEnvFixture.cleanUp(server.instanceId, prebuildIds);
    }

    private static JsonNode pool() {
        return call(server, "GET", "/api/v1/warm-pools/" + poolId, null, ADMIN, 200).get("warmPool");
    }

    private static JsonNode awaitPool(String what, java.util.function.Predicate<JsonNode> condition) {
        JsonNode[] last = new JsonNode[1];
        await(what).atMost(SHORT).pollInterval(Duration.ofMillis(200)).until(() -> condition.test(last[0] = pool()));
        return last[0];
    }

    private static JsonNode claim() {
        JsonNode environment = call(server, "POST", "/api/v1/environments", Map.of("projectId", projectId, "environmentClassId", classId),
                member, 201).get("environment");
        environments.add(environment.get("id").asText());
        return environment;
    }

    @Test
    @Order(1)
    void theScheduleIsStoredAndABadOneIsRefusedNamingItsField() {
        JsonNode spec = pool().get("spec");
        assertThat(spec.get("cronSchedule").asText()).isEqualTo("* * * * *");
        assertThat(spec.get("cronTimezone").asText()).isEqualTo("Europe/Berlin");
        JsonNode bad = call(server, "PATCH", "/api/v1/warm-pools/" + poolId, Map.of("cronSchedule", "0 25 * * *"), ADMIN, 400);
        assertThat(bad.at("/error/message").asText()).startsWith("cronSchedule");
        bad = call(server, "PATCH", "/api/v1/warm-pools/" + poolId, Map.of("cronTimezone", "Mars/Olympus"), ADMIN, 400);
        assertThat(bad.at("/error/message").asText()).startsWith("cronTimezone");
    }

    @Test
    @Order(2)
    void withMinSizeZeroThePoolEmptiesAfterTheIdleGuard() {
        awaitPool("one instance wanted while the pool is new", p -> p.at("/status/desiredSize").asInt() == 1);
        JsonNode empty = awaitPool("empty after the 4 s idle guard", p -> p.at("/status/desiredSize").asInt() == 0
                && p.at("/status/runningInstances").asInt() == 0);
        assertThat(empty.at("/status/phase").asText()).isEqualTo("WARM_POOL_PHASE_READY");
        await("its container removed").atMost(SHORT).ignoreExceptions().until(() -> DevEnvFixture.instances(server).isEmpty());
    }

    @Test
    @Order(3)
    void theFirstClaimAfterThatIsColdAndThePoolComesBackWithDemand() {
        JsonNode cold = claim();
        assertThat(cold.get("warm").asBoolean()).as("nothing warm to take").isFalse();
        DevEnvFixture.awaitPhase(server, cold.get("id").asText(), member, "ENVIRONMENT_PHASE_RUNNING");
        JsonNode back = awaitPool("the pool comes back", p -> p.at("/status/runningInstances").asInt() == 1);
        assertThat(back.at("/status/desiredSize").asInt()).as("1 claim in the 30 s demand window x 15 s lead time, rounded up").isEqualTo(1);
        assertThat(back.at("/status/claimedInstances").asInt()).isEqualTo(1);
    }

    @Test
    @Order(4)
    void sustainedClaimsScaleThePoolOutToMaxSize() {
        // 1 claim in the 30 s demand window x 15 s lead time = 1; three more make 2, held for the 2 s scale-out window.
        for (int i = 0; i < 3; i++) claim();
        JsonNode out = awaitPool("scaled out to maxSize", p -> p.at("/status/desiredSize").asInt() == 2 && p.at("/status/runningInstances").asInt() == 2);
        assertThat(out.at("/spec/maxSize").asInt()).isEqualTo(2);
        for (String id : environments) DevEnvFixture.awaitPhase(server, id, member, "ENVIRONMENT_PHASE_RUNNING");
        for (String id : environments) call(server, "DELETE", "/api/v1/environments/" + id, null, member, 204);
        environments.clear();
    }

    @Test
    @Order(5)
    void withStopAfterInitializationEveryWarmInstanceIsStoppedAndAClaimStartsOne() throws Exception {
        call(server, "PATCH", "/api/v1/warm-pools/" + poolId, Map.of("minSize", 1, "stopAfterInitialization", true), ADMIN, 200);
        JsonNode stopped = awaitPool("all warm instances stopped", p -> p.at("/status/runningInstances").asInt() == 0
                && p.at("/status/stoppedInstances").asInt() == 2 && p.at("/status/claimedInstances").asInt() == 0);
        assertThat(stopped.at("/spec/stopAfterInitialization").asBoolean()).isTrue();
        await().atMost(SHORT).ignoreExceptions().until(() -> DevEnvFixture.instances(server).size() == 2
                && DevEnvFixture.instances(server).stream().noneMatch(c -> c.running()));
        assertThat(server.get("/metrics").body()).contains("warm_pool_instances_by_state{state=\"stopped\"} 2.0");

        JsonNode claimed = claim();
        assertThat(claimed.get("warm").asBoolean()).as("served from a stopped instance, not a cold start").isTrue();
        String id = claimed.get("id").asText();
        DevEnvFixture.awaitPhase(server, id, member, "ENVIRONMENT_PHASE_RUNNING");
        java.net.URI target = server.warmbox.routes().find(id).orElseThrow().target();
        assertThat(DevEnvFixture.instances(server)).as("the route points at the started instance's address").anySatisfy(c -> {
            assertThat(c.running()).isTrue();
            assertThat(c.ipAddress()).isEqualTo(target.getHost());
        });
        java.net.http.HttpResponse<String> ide = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(claimed.get("url").asText())).header("X-API-Key", member).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(ide.statusCode()).as("the owner reaches the IDE through the router").isEqualTo(200);
        awaitPool("the pool refills with a stopped instance", p -> p.at("/status/stoppedInstances").asInt() == 2
                && p.at("/status/runningInstances").asInt() == 0);
        call(server, "DELETE", "/api/v1/environments/" + id, null, member, 204);
    }

    @Test
    @Order(6)
    void outsideItsActiveHoursThePoolIsEmptyAndItRefillsWhenTheyBegin() {
        // Active only at midnight on January 1st: not now (the rule itself is tested on a simulated clock).
        call(server, "PATCH", "/api/v1/warm-pools/" + poolId, Map.of("cronSchedule", "0 0 1 1 *", "cronTimezone", "UTC"), ADMIN, 200);
        awaitPool("empty outside active hours", p -> p.at("/status/desiredSize").asInt() == 0 && p.at("/status/stoppedInstances").asInt() == 0
                && p.at("/status/runningInstances").asInt() == 0);
        await("its containers removed").atMost(SHORT).ignoreExceptions().until(() -> DevEnvFixture.instances(server).isEmpty());
        Map<String, Object> always = new java.util.HashMap<>();
        always.put("cronSchedule", null);
        assertThat(call(server, "PATCH", "/api/v1/warm-pools/" + poolId, always, ADMIN, 200).at("/warmPool/spec/cronSchedule").isNull()).isTrue();
        awaitPool("back at minSize, stopped after initialization", p -> p.at("/status/stoppedInstances").asInt() == 2);
    }

    @Test
    @Order(7)
    void changingTheProjectRecreatesEveryUnclaimedInstanceButNotTheClaimedOne() {
        JsonNode claimed = claim();
        String id = claimed.get("id").asText();
        DevEnvFixture.awaitPhase(server, id, member, "ENVIRONMENT_PHASE_RUNNING");
        String inUse = DevEnvFixture.containerOf(server, id);
        awaitPool("refilled", p -> p.at("/status/stoppedInstances").asInt() == 2);
        java.util.Set<String> before = new java.util.HashSet<>(names());
        before.remove(inUse);

        JsonNode bad = call(server, "PATCH", "/api/v1/projects/" + projectId, Map.of("idePort", 0), ADMIN, 400);
        assertThat(bad.at("/error/message").asText()).startsWith("idePort");
        call(server, "PATCH", "/api/v1/projects/" + projectId, Map.of("name", "x"), member, 403);
        JsonNode project = call(server, "PATCH", "/api/v1/projects/" + projectId, Map.of("env", Map.of("ROTATED", "yes")), ADMIN, 200);
        assertThat(project.at("/env/ROTATED").asText()).isEqualTo("yes");
        assertThat(project.at("/source/image").asText()).as("fields left out are kept").isEqualTo(DevEnvFixture.IMAGE);

        // Each unclaimed instance is removed, launched again, warmed up and stopped: a launch's allowance per instance.
        // On timeout the message says what was there: containers, pool status, the claimed environment.
        await("every unclaimed instance recreated").atMost(SHORT.multipliedBy(before.size())).pollInterval(Duration.ofMillis(500))
                .ignoreExceptions().untilAsserted(() -> {
                    List<String> now = names();
                    JsonNode status = pool().get("status");
                    assertThat(now.contains(inUse) && now.size() == 3 && now.stream().noneMatch(before::contains)
                            && status.get("stoppedInstances").asInt() == 2)
                            .as("want the claimed %s and 2 new stopped instances, none of %s; containers %s, pool status %s, environment %s",
                                    inUse, before, described(), status, call(server, "GET", "/api/v1/environments/" + id, null, member, 200).at("/environment/status"))
                            .isTrue();
                });
        assertThat(call(server, "GET", "/api/v1/environments/" + id, null, member, 200).at("/environment/status/phase").asText())
                .as("the claimed one is untouched").isEqualTo("ENVIRONMENT_PHASE_RUNNING");
        call(server, "DELETE", "/api/v1/environments/" + id, null, member, 204);
    }

    private static List<String> names() {
        return DevEnvFixture.instances(server).stream().map(c -> c.name()).toList();
    }

    /** The instance containers as name (running or stopped, address), for a failure message. */
    private static List<String> described() {
        return DevEnvFixture.instances(server).stream().map(c -> c.name() + " (" + (c.running() ? "running " + c.ipAddress() : "stopped") + ")").toList();
    }

    @Test
    @Order(8)
    void repeatedLaunchFailuresDegradeThePoolAndItRecoversByItselfOnceLaunchesSucceed() {
        // A runtime the engine does not have: every launch fails (and the class change recreates the instances).
        call(server, "PATCH", "/api/v1/environment-classes/" + classId, Map.of("ociRuntime", "warmbox-missing-runtime"), ADMIN, 200);
        JsonNode degraded = awaitPool("degraded", p -> p.at("/status/phase").asText().equals("WARM_POOL_PHASE_DEGRADED"));
        assertThat(degraded.at("/status/failureMessage").asText()).as("says why").contains("warmbox-missing-runtime");
        assertThat(server.get("/metrics").body()).as("the meter deploy/prometheus/ alerts on")
                .contains("warm_pool_pools_by_phase{phase=\"degraded\"} 1.0").contains("warm_pool_pools_by_phase{phase=\"ready\"} 0.0");

        Map<String, Object> defaultRuntime = new java.util.HashMap<>();
        defaultRuntime.put("ociRuntime", null);
        call(server, "PATCH", "/api/v1/environment-classes/" + classId, defaultRuntime, ADMIN, 200);
        JsonNode ready = awaitPool("ready again after the back-off, with no one stepping in",
                p -> p.at("/status/phase").asText().equals("WARM_POOL_PHASE_READY") && p.at("/status/stoppedInstances").asInt() == 2);
        assertThat(ready.at("/status/failureMessage").isNull()).isTrue();
        assertThat(server.get("/metrics").body())
                .contains("warm_pool_pools_by_phase{phase=\"degraded\"} 0.0").contains("warm_pool_pools_by_phase{phase=\"ready\"} 1.0");
    }
}
