package dev.warmbox.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warmbox.config.DatabaseSettings;
import dev.warmbox.provider.ContainerState;
import dev.warmbox.store.PostgresCluster;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Two servers on one PostgreSQL database as operators run them: the shaded jar, each in its own process with
 * its own instance id and warm pools, on the machine's engine, sharing a run directory as servers on one host do.
 * The first leads the development-environment reconciler and keeps a pool's instance warm; then it is SIGKILLed.
 * The steps run in order: a third server under the first one's id is refused; the second takes the reconciler
 * over within 15 s (the reconcile interval at its 10 s default); the second removes the first one's sandboxes
 * within a minute and leaves its own alone.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SeveralServersIT {
    private static final String ADMIN = RunningServer.API_KEY;
    private static final String LEADS = "this server leads the development-environment reconciler now";
    private static final Duration TAKEOVER = Duration.ofSeconds(15);
    private static final Duration SWEPT = Duration.ofMinutes(1);

    private static Path state;
    private static DatabaseSettings.Postgres database;
    private static String url;
    private static final String firstId = RunningServer.newInstanceId();
    private static final String secondId = RunningServer.newInstanceId();
    private static ServerProcess first;
    private static ServerProcess second;
    private static String poolId;
    private static final List<String> prebuildIds = new ArrayList<>();
    private static long killedAt;

    @BeforeAll
    static void twoServersOnOneDatabaseWithTheFirstLeading() throws IOException {
        Engine.requireAvailable();
        DevEnvFixture.requireImage();
        // A short name: the agent sockets' paths under it must fit in 107 bytes.
        state = Files.createTempDirectory("wb-srv-");
        PostgresCluster cluster = PostgresCluster.shared();
        database = cluster.newDatabase();
        url = cluster.url(database.address().substring(database.address().lastIndexOf('/') + 1));

        first = ServerProcess.start(variables(firstId), state.resolve("first.log"));
        first.awaitReady();
        await().atMost(Duration.ofSeconds(30)).until(() -> first.output().contains(LEADS));
        second = ServerProcess.start(variables(secondId), state.resolve("second.log"));
        second.awaitReady();
        assertThat(second.output()).as("one leader at a time").doesNotContain(LEADS);
        assertThat(sandboxes(firstId)).hasSize(2);
        assertThat(sandboxes(secondId)).hasSize(2);
        warmDevEnvironmentPool();
    }

    private static Map<String, String> variables(String instanceId) {
        Map<String, String> variables = new HashMap<>(Map.of(
                "WARMBOX_DATABASE_URL", url,
                "WARMBOX_INSTANCE_ID", instanceId,
                "WARMBOX_RUN_DIR", state.resolve("run").toString(),
                "WARMBOX_API_KEY", ADMIN,
                "WARM_POOL_SIZE_PER_RUNTIME", "0",
                "WARM_POOL_PYTHON_SIZE", "2",
                "WARM_POOL_MAX_SIZE_PER_RUNTIME", "0",
                "WARM_POOL_GRACEFUL_SHUTDOWN", "5"));
        // The autoscaler keeps the pool at minSize whatever the claims; the reconcile interval stays at its 10 s default.
        variables.put("DEVENV_LEAD_TIME", "1");
        return variables;
    }

    /** A pool of one warm instance, prebuilt and launched through the first server, which leads. */
    private static void warmDevEnvironmentPool() throws IOException {
        Path repo = DevEnvFixture.gitRepository(state.resolve("repo"));
        String classId = created(first.post("/api/v1/environment-classes", RunningServer.write(Map.of("name", "small", "cpu", 1, "memoryBytes", 512L << 20)), ADMIN), 201)
                .get("id").asText();
        String projectId = created(first.post("/api/v1/projects", RunningServer.write(Map.of(
                "name", "demo",
                "source", Map.of("image", DevEnvFixture.IMAGE, "git", Map.of("url", repo.toUri().toString(), "ref", "main")),
                "prebuildEnvironmentClassIds", List.of(classId),
                "idePort", 7681,
                "user", "dev")), ADMIN), 201).get("id").asText();
        poolId = created(first.post("/api/v1/warm-pools", RunningServer.write(Map.of("projectId", projectId, "environmentClassId", classId,
                "minSize", 1, "maxSize", 1, "releasePolicy", "RELEASE_POLICY_DESTROY")), ADMIN), 201).get("warmPool").get("id").asText();
        String prebuildId = created(first.post("/api/v1/projects/" + projectId + "/prebuilds",
                RunningServer.write(Map.of("environmentClassId", classId)), ADMIN), 202).get("id").asText();
        prebuildIds.add(prebuildId);
        await().atMost(DevEnvFixture.DEADLINE).pollInterval(Duration.ofMillis(250)).until(() -> created(
                first.get("/api/v1/projects/" + projectId + "/prebuilds/" + prebuildId, ADMIN), 200).at("/prebuild/status").asText()
                .equals("PREBUILD_STATUS_SUCCEEDED"));
        await().atMost(DevEnvFixture.DEADLINE).pollInterval(Duration.ofMillis(250)).until(() -> instances(firstId).stream().anyMatch(ContainerState::running)
                && created(first.get("/api/v1/warm-pools/" + poolId, ADMIN), 200).at("/warmPool/status/runningInstances").asInt() == 1);
    }

    @AfterAll
    static void cleanUp() throws IOException {
        try {
            if (second != null) second.close();
            if (first != null) first.kill();
        } finally {
            for (String id : List.of(firstId, secondId)) {
                for (ContainerState leftover : sandboxes(id)) Engine.provider().remove(leftover.id());
                DevEnvFixture.cleanUp(id, prebuildIds);
            }
            if (database != null) PostgresCluster.shared().drop(database);
            if (state != null) RunningServer.deleteRecursively(state);
        }
    }

    @Test
    @Order(1)
    void aThirdServerUnderTheFirstOnesInstanceIdIsRefusedAndTouchesNothing() throws Exception {
        Set<String> before = names(sandboxes(firstId));
        ServerProcess third = ServerProcess.start(variables(firstId), state.resolve("third.log"));
        assertThat(third.awaitExit(Duration.ofMinutes(1))).as("an operator's mistake: exit 2\n%s", third.output()).isEqualTo(2);
        assertThat(third.output()).contains("warmbox cannot start: another server on the PostgreSQL database")
                .contains("runs with WARMBOX_INSTANCE_ID=" + firstId)
                .contains("each server sharing a database needs its own WARMBOX_INSTANCE_ID");
        assertThat(names(sandboxes(firstId))).as("the first server's sandboxes were not taken for the third's leftovers").isEqualTo(before);
        assertThat(servers()).containsExactlyInAnyOrder(firstId, secondId);
    }

    @Test
    @Order(2)
    void theReconcilersLeaderSigkilledAnotherReconcilesWithinFifteenSeconds() throws Exception {
        String instance = instances(firstId).getFirst().name();
        assertThat(instanceRows()).contains(instance);
        first.kill();
        killedAt = System.nanoTime();
        // The instance deleted from outside: only a reconciler pass removes its row, and only a leader passes. (Its
        // replacement is not awaited: snapshot images are still named by the server that made them, so the second
        // server cannot launch from the first one's; docs/configuration.md#postgresql says so.)
        Engine.provider().remove(instance);
        within(TAKEOVER, second, () -> !instanceRows().contains(instance));
        Duration took = Duration.ofNanos(System.nanoTime() - killedAt);
        System.out.printf("SeveralServersIT: the second server reconciled %d ms after the leader's SIGKILL%n", took.toMillis());
        assertThat(second.output()).as("the second server took the lead over").contains(LEADS);
    }

    @Test
    @Order(3)
    void theDeadServersSandboxesAreRemovedByTheOtherWithinAMinuteAndTheSurvivorsAreUntouched() throws Exception {
        Set<String> survivors = names(sandboxes(secondId));
        assertThat(survivors).hasSize(2);
        assertThat(Files.isDirectory(state.resolve("run").resolve(firstId))).as("the killed server left its socket directories").isTrue();
        Duration left = SWEPT.minusNanos(System.nanoTime() - killedAt);
        within(left, second, () -> sandboxes(firstId).isEmpty());
        Duration took = Duration.ofNanos(System.nanoTime() - killedAt);
        System.out.printf("SeveralServersIT: the killed server's sandboxes were gone %d ms after its SIGKILL%n", took.toMillis());
        await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(state.resolve("run").resolve(firstId)) && servers().equals(List.of(secondId)));

        assertThat(names(sandboxes(secondId))).as("the survivor's own sandboxes, the same containers").isEqualTo(survivors);
        assertThat(Files.isDirectory(state.resolve("run").resolve(secondId))).isTrue();
        assertThat(second.output()).contains("dead server " + firstId + " swept");
        assertThat(second.get("/health/ready", null).statusCode()).isEqualTo(200);
    }

    /** Awaits the condition; a timeout shows what the server said meanwhile. */
    private static void within(Duration deadline, ServerProcess server, java.util.concurrent.Callable<Boolean> condition) {
        try {
            await().atMost(deadline).pollInterval(Duration.ofMillis(100)).until(condition);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            String log = server.output();
            throw new AssertionError(e.getMessage() + "\nthe server's log ends:\n" + log.substring(Math.max(0, log.length() - 6000)), e);
        }
    }

    private static JsonNode created(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        return RunningServer.read(response.body());
    }

    private static List<ContainerState> sandboxes(String instanceId) {
        return Engine.provider().list(Map.of("warmbox.managed", "true", "warmbox.owner", instanceId));
    }

    private static List<ContainerState> instances(String instanceId) {
        return Engine.provider().list(Map.of("warmbox.devenv", instanceId, "warmbox.devenv.kind", "instance"));
    }

    private static Set<String> names(List<ContainerState> containers) {
        return containers.stream().map(c -> c.id() + " " + c.name()).collect(Collectors.toSet());
    }

    /** The servers table, read as an operator would. */
    private static List<String> servers() throws SQLException {
        return column("SELECT instance_id FROM servers ORDER BY instance_id");
    }

    /** The development-environment instances the database knows. */
    private static List<String> instanceRows() throws SQLException {
        return column("SELECT name FROM devenv_instances ORDER BY name");
    }

    private static List<String> column(String query) throws SQLException {
        try (Connection c = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password().orElse(null));
                Statement s = c.createStatement(); ResultSet r = s.executeQuery(query)) {
            List<String> values = new ArrayList<>();
            while (r.next()) values.add(r.getString(1));
            return values;
        }
    }
}
