package dev.warmbox.devenv;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.warmbox.config.DevEnvSettings;
import dev.warmbox.devenv.prebuilds.Prebuild;
import dev.warmbox.provider.FakeContainerProvider;
import dev.warmbox.store.Database;
import dev.warmbox.store.OnEachDatabase;
import dev.warmbox.store.TestDatabase;
import dev.warmbox.store.Principal;
import dev.warmbox.store.Role;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;

/** The seed file creates what is missing and never resets what exists: live scaling survives restarts. */
class SeedsTest {
    private static final Principal ADMIN = new Principal("admin", "admin", Role.ADMIN);
    private static final Principal MEMBER = new Principal("member", "member", Role.MEMBER);
    private final ObjectMapper json = JsonMapper.builder().findAndAddModules().build();

    @TempDir
    Path dir;

    private DevEnvironments start(Database database, FakeContainerProvider engine, Path seed) {
        DevEnvSettings settings = new DevEnvSettings("warmbox-devenv", Duration.ofHours(1), 2, Duration.ofMinutes(1), Duration.ofSeconds(5),
                Optional.empty(), Optional.of(seed), DevEnvSettings.Scaling.DEFAULTS,
                Duration.ZERO);
        DevEnvironments devEnvs = new DevEnvironments(database, engine, json, 1 << 20, settings, "seed-test", Clock.systemUTC());
        devEnvs.start();
        return devEnvs;
    }

    @OnEachDatabase
    void seedsOnlyWhatDoesNotExistSoLiveValuesSurviveARestart(TestDatabase storage) throws Exception {
        Path seed = Files.writeString(dir.resolve("seed.json"), """
                {"environmentClasses": [{"name": "small", "cpu": 1}],
                 "projects": [{"name": "course", "source": {"image": "img"}, "prebuildEnvironmentClasses": ["small"]}],
                 "warmPools": [{"project": "course", "environmentClass": "small", "minSize": 2, "maxSize": 4, "maxInstances": 10}]}""");
        FakeContainerProvider engine = new FakeContainerProvider("img");
        try (Database database = storage.open()) {
            try (DevEnvironments first = start(database, engine, seed)) {
                JsonNode pool = pools(first).get(0).get("spec");
                assertThat(pool.get("minSize").asInt()).isEqualTo(2);
                assertThat(pool.get("maxInstances").asInt()).isEqualTo(10);
                first.patchAppDefinition(ADMIN, "course", "{\"minInstances\": 5, \"maxInstances\": 30}".getBytes());
            }
            try (DevEnvironments second = start(database, engine, seed)) {
                JsonNode pools = pools(second);
                assertThat(pools).as("the seed's pool exists; no second one").hasSize(1);
                assertThat(pools.get(0).at("/spec/minSize").asInt()).as("minInstances set at runtime survives").isEqualTo(5);
                assertThat(pools.get(0).at("/spec/maxSize").asInt()).as("maxSize grew with it").isEqualTo(5);
                assertThat(pools.get(0).at("/spec/maxInstances").asInt()).isEqualTo(30);
                assertThat(json.valueToTree(second.classes(MEMBER)).get("environmentClasses")).as("no duplicate class").hasSize(1);
            }
        }
    }

    @OnEachDatabase
    void timesReachClientsAsIso8601TextThoughTheyAreStoredAsMilliseconds(TestDatabase storage) throws Exception {
        Path seed = Files.writeString(dir.resolve("seed.json"), """
                {"environmentClasses": [{"name": "small"}],
                 "projects": [{"name": "course", "source": {"image": "img"}, "prebuildEnvironmentClasses": ["small"]}],
                 "warmPools": [{"project": "course", "environmentClass": "small", "minSize": 0}]}""");
        try (Database database = storage.open();
                DevEnvironments devEnvs = start(database, new FakeContainerProvider("img"), seed)) {
            JsonNode pool = pools(devEnvs).get(0);
            JsonNode environmentClass = json.valueToTree(devEnvs.classes(MEMBER)).at("/environmentClasses/0");
            JsonNode project = json.valueToTree(devEnvs.projects(MEMBER)).at("/projects/0");
            for (JsonNode time : java.util.List.of(pool.at("/metadata/createdAt"), pool.at("/metadata/updatedAt"), environmentClass.get("createdAt"),
                    project.get("updatedAt"))) {
                assertThat(time.isTextual()).as("%s is ISO-8601 text", time).isTrue();
                assertThat(java.time.Instant.parse(time.asText())).isBefore(java.time.Instant.now().plusSeconds(1));
            }
            JsonNode prebuild = json.valueToTree(new Prebuild("p", "project", "class", Prebuild.SUCCEEDED, "p", null,
                    java.time.Instant.parse("2026-01-01T00:00:00.500Z"), java.time.Instant.parse("2026-01-01T00:01:00Z")));
            assertThat(prebuild.get("createdAt").asText()).isEqualTo("2026-01-01T00:00:00.500Z");
            assertThat(prebuild.get("finishedAt").asText()).isEqualTo("2026-01-01T00:01:00Z");
        }
    }

    private JsonNode pools(DevEnvironments devEnvs) {
        return json.valueToTree(devEnvs.pools(MEMBER, null, null)).get("warmPools");
    }
}
