package dev.warmbox.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * All configuration, read once at start-up from environment variables (a map in tests) and sealed.
 * Every variable is listed in docs/configuration.md.
 *
 * @param database      the SQLite file, or the PostgreSQL database several servers share
 * @param instanceId    names this server's containers (label warmbox.owner); leftovers with it are
 *                      removed at start-up, so two servers on one engine need different ids
 * @param runDir        host directory holding one agent-socket directory per container
 * @param imagePrefix   runtime images are {@code <prefix><runtime>:latest}
 * @param ociRuntime    OCI runtime for sandboxes (e.g. runsc), empty for the engine's default (Docker only)
 * @param provider      what runs the sandboxes: Docker (the default) or Kubernetes
 * @param kubernetes    where, with the Kubernetes provider
 * @param servers       heartbeats of the servers sharing a database, and when one is dead
 */
public record WarmboxConfig(
        int port,
        String bindAddress,
        DatabaseSettings database,
        Optional<String> bootstrapApiKey,
        String dockerHost,
        String instanceId,
        Path runDir,
        String imagePrefix,
        Optional<String> ociRuntime,
        PoolSettings pools,
        Limits limits,
        DevEnvSettings devEnv,
        Provider provider,
        KubernetesSettings kubernetes,
        ServerSettings servers) {

    public static final String[] RUNTIMES = {"python", "javascript", "go", "java"};
    /** Default ceiling of each pool (WARM_POOL_MAX_SIZE_PER_RUNTIME). */
    static final int DEFAULT_MAX_SIZE = 16;

    public static WarmboxConfig fromEnvironment(Map<String, String> environment) {
        Variables v = new Variables(environment);
        return new WarmboxConfig(
                v.integer("WARMBOX_PORT", 8002, 0, 65535),
                v.string("WARMBOX_BIND_ADDRESS", "0.0.0.0"),
                DatabaseSettings.from(v),
                v.string("WARMBOX_API_KEY"),
                v.string("DOCKER_HOST", "unix:///var/run/docker.sock"),
                instanceId(v),
                Path.of(v.string("WARMBOX_RUN_DIR", "/var/lib/warmbox/run")),
                v.string("WARMBOX_IMAGE_PREFIX", "warmbox/runtime-"),
                v.string("WARMBOX_OCI_RUNTIME"),
                pools(v),
                limits(v),
                DevEnvSettings.from(v),
                provider(v),
                KubernetesSettings.from(v, provider(v) == Provider.KUBERNETES),
                ServerSettings.from(v));
    }

    private static Provider provider(Variables v) {
        Provider provider = Provider.from(v);
        if (provider == Provider.KUBERNETES && v.string("WARMBOX_OCI_RUNTIME").isPresent()) {
            throw new ConfigException("WARMBOX_OCI_RUNTIME is Docker's; with WARMBOX_PROVIDER=kubernetes set "
                    + "WARMBOX_KUBERNETES_RUNTIME_CLASS instead");
        }
        return provider;
    }

    private static String instanceId(Variables v) {
        String id = v.string("WARMBOX_INSTANCE_ID", "warmbox");
        if (!id.matches("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}")) {
            throw new ConfigException("WARMBOX_INSTANCE_ID must be 1-63 letters, digits, '.', '_' or '-', got '" + id + "'");
        }
        return id;
    }

    private static PoolSettings pools(Variables v) {
        int perRuntime = v.integer("WARM_POOL_SIZE_PER_RUNTIME", 3, 0, 100);
        Map<String, Integer> sizes = new HashMap<>();
        int maxPerRuntime = v.integer("WARM_POOL_MAX_SIZE_PER_RUNTIME", DEFAULT_MAX_SIZE, 0, 200);
        Map<String, Integer> maxSizes = new HashMap<>();
        for (String runtime : RUNTIMES) {
            String prefix = "WARM_POOL_" + runtime.toUpperCase(java.util.Locale.ROOT);
            int size = v.integer(prefix + "_SIZE", perRuntime, 0, 100);
            sizes.put(runtime, size);
            // The shared ceiling never holds a runtime below its floor; only its own MAX_SIZE may, and is refused.
            maxSizes.put(runtime, v.integer(prefix + "_MAX_SIZE", Math.max(maxPerRuntime, size), 0, 200));
        }
        return new PoolSettings(
                v.bool("WARM_POOL_ENABLED", true),
                sizes,
                maxSizes,
                v.seconds("WARM_POOL_CONTAINER_TTL", 3600, 1, 7 * 24 * 3600),
                v.seconds("WARM_POOL_HEALTH_CHECK_INTERVAL", 30, 1, 24 * 3600),
                v.seconds("WARM_POOL_GRACEFUL_SHUTDOWN", 30, 0, 3600),
                v.millis("WARM_POOL_ACQUIRE_WAIT_MS", 100, 0, 60_000),
                v.millis("WARM_POOL_QUEUE_TIMEOUT_MS", 30_000, 100, 600_000),
                v.integer("WARM_POOL_MAX_CONCURRENT_LAUNCHES", 4, 1, 64),
                v.integer("WARM_POOL_MAX_CONCURRENT_HEALTH_CHECKS", 16, 1, 256),
                v.seconds("WARM_POOL_SCALE_UP_WINDOW", 2, 1, 3600),
                v.seconds("WARM_POOL_SCALE_DOWN_WINDOW", 300, 1, 24 * 3600));
    }

    private static Limits limits(Variables v) {
        return new Limits(
                v.millis("WARMBOX_TIMEOUT_DEFAULT_MS", 10_000, 1, 600_000),
                v.millis("WARMBOX_TIMEOUT_MAX_MS", 60_000, 1, 600_000),
                v.millis("WARMBOX_COMPILE_TIMEOUT_MS", 30_000, 1_000, 600_000),
                v.bytes("WARMBOX_MEMORY_LIMIT", 512L << 20, 64L << 20, 64L << 30),
                v.decimal("WARMBOX_CPU_LIMIT", 1.0, 0.1, 64),
                v.integer("WARMBOX_PIDS_LIMIT", 256, 16, 65_536),
                v.bytes("WARMBOX_TMPFS_SIZE", 64L << 20, 1L << 20, 16L << 30),
                (int) v.bytes("WARMBOX_OUTPUT_LIMIT", 1L << 20, 1024, 64L << 20),
                (int) v.bytes("WARMBOX_CODE_MAX", 256L << 10, 1024, 16L << 20),
                (int) v.bytes("WARMBOX_STDIN_MAX", 1L << 20, 0, 64L << 20),
                v.integer("WARMBOX_FILES_MAX", 16, 0, 1000),
                (int) v.bytes("WARMBOX_FILE_MAX", 256L << 10, 0, 16L << 20),
                v.integer("WARMBOX_ARGS_MAX", 64, 0, 4096),
                v.integer("WARMBOX_MAX_CONCURRENT_EXECUTIONS", 32, 1, 10_000));
    }

    /** Like the record's, but the API key is never printed. */
    @Override
    public String toString() {
        return "WarmboxConfig[port=" + port + ", bindAddress=" + bindAddress + ", database=" + database
                + ", bootstrapApiKey=" + bootstrapApiKey.map(k -> "(set)").orElse("(none)") + ", dockerHost=" + dockerHost
                + ", instanceId=" + instanceId + ", runDir=" + runDir + ", imagePrefix=" + imagePrefix
                + ", ociRuntime=" + ociRuntime + ", pools=" + pools + ", limits=" + limits + ", devEnv=" + devEnv + ", provider=" + provider + ", kubernetes=" + kubernetes + ", servers=" + servers + "]";
    }
}
