package dev.warmbox.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WarmboxConfigTest {

    @Test
    void usesTheSeedDefaults() {
        WarmboxConfig config = WarmboxConfig.fromEnvironment(Map.of());
        PoolSettings pools = config.pools();
        assertThat(config.port()).isEqualTo(8002);
        assertThat(pools.enabled()).isTrue();
        assertThat(pools.sizes()).containsOnly(
                Map.entry("python", 3), Map.entry("javascript", 3), Map.entry("go", 3), Map.entry("java", 3));
        assertThat(pools.containerTtl()).isEqualTo(Duration.ofSeconds(3600));
        assertThat(pools.healthCheckInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(pools.gracefulShutdown()).isEqualTo(Duration.ofSeconds(30));
        assertThat(pools.maxConcurrentHealthChecks()).as("health checks side by side in a round").isEqualTo(16);
    }

    @Test
    void serversBeatEveryFiveSecondsAndAreDeadAfterThirtyUnlessConfiguredWithRoomForLateBeats() {
        assertThat(WarmboxConfig.fromEnvironment(Map.of()).servers()).isEqualTo(ServerSettings.DEFAULTS);
        assertThat(ServerSettings.DEFAULTS).isEqualTo(new ServerSettings(Duration.ofSeconds(5), Duration.ofSeconds(30)));
        assertThat(WarmboxConfig.fromEnvironment(Map.of("WARMBOX_SERVER_HEARTBEAT_INTERVAL", "2", "WARMBOX_SERVER_DEAD_AFTER", "6")).servers())
                .isEqualTo(new ServerSettings(Duration.ofSeconds(2), Duration.ofSeconds(6)));
        assertThatThrownBy(() -> WarmboxConfig.fromEnvironment(Map.of("WARMBOX_SERVER_DEAD_AFTER", "14")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("WARMBOX_SERVER_DEAD_AFTER (14 s) must be at least three WARMBOX_SERVER_HEARTBEAT_INTERVALs (5 s), "
                        + "so that a late heartbeat is not a death");
        assertThatThrownBy(() -> WarmboxConfig.fromEnvironment(Map.of("WARMBOX_SERVER_HEARTBEAT_INTERVAL", "0")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("WARMBOX_SERVER_HEARTBEAT_INTERVAL");
    }

    @Test
    void perRuntimeSizesOverrideTheSharedSize() {
        PoolSettings pools = WarmboxConfig.fromEnvironment(Map.of("WARM_POOL_SIZE_PER_RUNTIME", "2",
                "WARM_POOL_PYTHON_SIZE", "5", "WARM_POOL_JAVASCRIPT_SIZE", "4", "WARM_POOL_JAVA_SIZE", "0")).pools();
        assertThat(pools.sizeOf("python")).isEqualTo(5);
        assertThat(pools.sizeOf("javascript")).isEqualTo(4);
        assertThat(pools.sizeOf("go")).isEqualTo(2);
        assertThat(pools.sizeOf("java")).isZero();
    }

    @Test
    void theCeilingDefaultsTo16AndTheSharedOneNeverHoldsARuntimeBelowItsFloor() {
        PoolSettings defaults = WarmboxConfig.fromEnvironment(Map.of("WARM_POOL_PYTHON_SIZE", "20")).pools();
        assertThat(defaults.maxSizeOf("go")).isEqualTo(16);
        assertThat(defaults.maxSizeOf("python")).as("a floor above the default ceiling lifts it").isEqualTo(20);
        PoolSettings shared = WarmboxConfig.fromEnvironment(Map.of("WARM_POOL_MAX_SIZE_PER_RUNTIME", "4",
                "WARM_POOL_PYTHON_SIZE", "6", "WARM_POOL_GO_MAX_SIZE", "9")).pools();
        assertThat(shared.maxSizeOf("java")).isEqualTo(4);
        assertThat(shared.maxSizeOf("python")).isEqualTo(6);
        assertThat(shared.maxSizeOf("go")).isEqualTo(9);
        assertThatThrownBy(() -> WarmboxConfig.fromEnvironment(Map.of("WARM_POOL_PYTHON_SIZE", "6", "WARM_POOL_PYTHON_MAX_SIZE", "5")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("python pool (5) is below its size (6)");
    }

    @Test
    void disabledPoolsHaveNoSize() {
        PoolSettings pools = WarmboxConfig.fromEnvironment(Map.of("WARM_POOL_ENABLED", "false")).pools();
        assertThat(pools.sizeOf("python")).as("pools disabled: every request is fresh").isZero();
    }

    @Test
    void readsSizesWithUnits() {
        Limits limits = WarmboxConfig.fromEnvironment(Map.of("WARMBOX_MEMORY_LIMIT", "1g", "WARMBOX_OUTPUT_LIMIT", "64k")).limits();
        assertThat(limits.memoryBytes()).isEqualTo(1L << 30);
        assertThat(limits.outputBytes()).isEqualTo(64 * 1024);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "WARM_POOL_SIZE_PER_RUNTIME|three|WARM_POOL_SIZE_PER_RUNTIME must be an integer",
            "WARM_POOL_PYTHON_SIZE|-1|WARM_POOL_PYTHON_SIZE must be an integer from 0 to 100",
            "WARM_POOL_ENABLED|maybe|WARM_POOL_ENABLED must be true or false",
            "WARM_POOL_CONTAINER_TTL|0|WARM_POOL_CONTAINER_TTL must be an integer from 1",
            "WARM_POOL_MAX_CONCURRENT_HEALTH_CHECKS|0|WARM_POOL_MAX_CONCURRENT_HEALTH_CHECKS must be an integer from 1 to 256",
            "WARMBOX_PORT|70000|WARMBOX_PORT must be an integer from 0 to 65535",
            "WARMBOX_MEMORY_LIMIT|lots|WARMBOX_MEMORY_LIMIT must be a size",
            "WARMBOX_CPU_LIMIT|0|WARMBOX_CPU_LIMIT must be a number",
            "WARMBOX_INSTANCE_ID|a b|WARMBOX_INSTANCE_ID must be",
            "WARMBOX_TIMEOUT_DEFAULT_MS|90000|must not exceed WARMBOX_TIMEOUT_MAX_MS"})
    void aBadValueNamesTheVariable(String variable, String value, String message) {
        assertThatThrownBy(() -> WarmboxConfig.fromEnvironment(Map.of(variable, value)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(message);
    }

    @Test
    void neverPrintsTheApiKey() {
        WarmboxConfig config = WarmboxConfig.fromEnvironment(Map.of("WARMBOX_API_KEY", "wb_secret_value"));
        assertThat(config.bootstrapApiKey()).contains("wb_secret_value");
        assertThat(config.toString()).doesNotContain("wb_secret_value");
    }

    @Test
    void theDatabaseIsTheSqliteFileUnlessAUrlIsGiven() {
        assertThat(WarmboxConfig.fromEnvironment(Map.of()).database()).isEqualTo(new DatabaseSettings.Sqlite(Path.of("data/warmbox.db")));
        assertThat(WarmboxConfig.fromEnvironment(Map.of("WARMBOX_DB_PATH", "/srv/w.db")).database())
                .isEqualTo(new DatabaseSettings.Sqlite(Path.of("/srv/w.db")));
        assertThat(WarmboxConfig.fromEnvironment(Map.of("WARMBOX_DB_PATH", "/srv/w.db", "WARMBOX_DATABASE_URL", "postgresql://w:pw@db/warmbox"))
                .database()).as("the URL wins over the file start.sh always sets").isInstanceOf(DatabaseSettings.Postgres.class);
    }

    @Test
    void readsPostgresUrlsWithTheirCredentialsInTheUrlOrInVariables() {
        assertThat(postgres(Map.of("WARMBOX_DATABASE_URL", "postgresql://warmbox:s%40cret@db.example:6432/wb?sslmode=require")))
                .isEqualTo(new DatabaseSettings.Postgres("jdbc:postgresql://db.example:6432/wb?sslmode=require", "db.example:6432/wb", "warmbox",
                        Optional.of("s@cret")));
        assertThat(postgres(Map.of("WARMBOX_DATABASE_URL", "jdbc:postgresql://db/wb", "WARMBOX_DATABASE_USER", "app",
                "WARMBOX_DATABASE_PASSWORD", "from-a-secret")))
                .isEqualTo(new DatabaseSettings.Postgres("jdbc:postgresql://db/wb", "db/wb", "app", Optional.of("from-a-secret")));
        assertThat(postgres(Map.of("WARMBOX_DATABASE_URL", "postgres://url-user:url-pw@db/wb", "WARMBOX_DATABASE_PASSWORD", "variable-pw")))
                .as("the variables win over the URL's").extracting(DatabaseSettings.Postgres::user, DatabaseSettings.Postgres::password)
                .containsExactly("url-user", Optional.of("variable-pw"));
        assertThat(postgres(Map.of("WARMBOX_DATABASE_URL", "postgresql://warmbox:hunter2@db/wb")).toString()).doesNotContain("hunter2");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "mysql://w:hunter2@db/wb | must start with postgresql:// or jdbc:postgresql://",
            "postgresql://w:hunter2@/wb | names no host",
            "postgresql://w:hunter2@db | names no database",
            "postgresql://w:hunter2@db/ | names no database",
            "postgresql://db/wb | names no user",
            "postgresql://db/wb?user=w&password=hunter2 | carries user or password as a parameter",
            "postgresql://w:hunter2@db:port/wb | names no host",
            "jdbc:postgresql://w:hunter2@db/wb x | is not a URL"})
    void aBadDatabaseUrlNamesTheVariableAndNeverThePassword(String url, String problem) {
        assertThatThrownBy(() -> WarmboxConfig.fromEnvironment(Map.of("WARMBOX_DATABASE_URL", url)))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("WARMBOX_DATABASE_URL " + problem)
                .hasMessageNotContaining("hunter2");
    }

    private static DatabaseSettings.Postgres postgres(Map<String, String> environment) {
        return (DatabaseSettings.Postgres) WarmboxConfig.fromEnvironment(environment).database();
    }

    @Test
    void theProviderIsDockerUnlessKubernetesIsChosenAndABadValueNamesTheVariable() {
        assertThat(WarmboxConfig.fromEnvironment(Map.of()).provider()).isEqualTo(Provider.DOCKER);
        WarmboxConfig kube = WarmboxConfig.fromEnvironment(Map.of("WARMBOX_PROVIDER", "kubernetes", "WARMBOX_KUBERNETES_NAMESPACE", "sandboxes",
                "WARMBOX_KUBERNETES_RUNTIME_CLASS", "gvisor"));
        assertThat(kube.provider()).isEqualTo(Provider.KUBERNETES);
        assertThat(kube.kubernetes().namespace()).isEqualTo("sandboxes");
        assertThat(kube.kubernetes().runtimeClassName()).contains("gvisor");
        assertThat(kube.kubernetes().imagePullPolicy()).as("images are loaded onto the nodes").isEqualTo("Never");
        assertThat(WarmboxConfig.fromEnvironment(Map.of("WARMBOX_PROVIDER", "kubernetes")).kubernetes().namespace()).isEqualTo("warmbox");

        assertThatThrownBy(() -> WarmboxConfig.fromEnvironment(Map.of("WARMBOX_PROVIDER", "nomad")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("WARMBOX_PROVIDER").hasMessageContaining("nomad");
        assertThatThrownBy(() -> WarmboxConfig.fromEnvironment(Map.of("WARMBOX_PROVIDER", "kubernetes", "WARMBOX_KUBERNETES_NAMESPACE", "Bad_NS")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("WARMBOX_KUBERNETES_NAMESPACE");
        assertThatThrownBy(() -> WarmboxConfig.fromEnvironment(Map.of("WARMBOX_PROVIDER", "kubernetes", "WARMBOX_OCI_RUNTIME", "runsc")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("WARMBOX_KUBERNETES_RUNTIME_CLASS");
        assertThatThrownBy(() -> WarmboxConfig.fromEnvironment(Map.of("WARMBOX_KUBERNETES_IMAGE_PULL_POLICY", "Sometimes")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("WARMBOX_KUBERNETES_IMAGE_PULL_POLICY");
    }

    @Test
    void aKubeconfigThatIsNotThereStopsStartUpOnlyWhenKubernetesIsChosen() {
        Map<String, String> missing = Map.of("KUBECONFIG", "/nonexistent/kubeconfig");
        assertThat(WarmboxConfig.fromEnvironment(missing).kubernetes().kubeconfig()).as("Docker does not read it").isPresent();
        assertThatThrownBy(() -> WarmboxConfig.fromEnvironment(Map.of("KUBECONFIG", "/nonexistent/kubeconfig", "WARMBOX_PROVIDER", "kubernetes")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("KUBECONFIG").hasMessageContaining("/nonexistent/kubeconfig");
        assertThatThrownBy(() -> WarmboxConfig.fromEnvironment(Map.of("KUBECONFIG", "/etc/hostname",
                "WARMBOX_KUBECONFIG", "/nonexistent/other", "WARMBOX_PROVIDER", "kubernetes")))
                .as("WARMBOX_KUBECONFIG comes first").hasMessageContaining("WARMBOX_KUBECONFIG");
    }
}
