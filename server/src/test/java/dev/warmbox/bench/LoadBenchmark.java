package dev.warmbox.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warmbox.it.RunningServer;
import dev.warmbox.provider.ContainerState;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Issue 11: warmbox under real concurrency, every figure beside a host baseline measured in the same
 * run. For each scenario, C closed-loop clients (virtual threads) POST a hello world to /execute for
 * the warm-up W, then for the measured duration D; then the same C clients spawn the same program
 * directly on the host for W + D. One in-process server with the product's default settings serves
 * every scenario. CPU per request is sampled by component during each measured phase.
 *
 * <p>Run with {@code ./scripts/bench-load.sh [key=value ...]}. Options, as {@code -Dbench.<key>=...}
 * JVM properties or {@code key=value} arguments (arguments win):
 * <ul>
 *   <li>{@code duration}: seconds measured per scenario and per baseline (default 30)</li>
 *   <li>{@code warmup}: seconds sent first and counted apart (default 10)</li>
 *   <li>{@code -Dbench.server.VARIABLE=value} (JVM property only): a server setting over the product default</li>
 *   <li>{@code scenarios}: comma-separated language+concurrency, run in this order
 *       (default {@value Scenario#DEFAULTS}; languages python, javascript, go, java)</li>
 * </ul>
 */
public final class LoadBenchmark {
    /**
     * The documented defaults (docs/configuration.md), spelled out: RunningServer's own defaults shrink
     * pools to 1 for tests, and the benchmark must measure what a default install does.
     */
    static final Map<String, String> PRODUCT_DEFAULTS = Map.of(
            "WARM_POOL_ENABLED", "true",
            "WARM_POOL_SIZE_PER_RUNTIME", "3",
            "WARM_POOL_MAX_SIZE_PER_RUNTIME", "16",
            "WARM_POOL_ACQUIRE_WAIT_MS", "100",
            "WARM_POOL_MAX_CONCURRENT_LAUNCHES", "4",
            "WARMBOX_MAX_CONCURRENT_EXECUTIONS", "32",
            "WARMBOX_CPU_LIMIT", "1.0",
            "WARMBOX_MEMORY_LIMIT", "512m");

    private LoadBenchmark() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        Duration duration = Duration.ofSeconds(Long.parseLong(options.get("duration")));
        Duration warmup = Duration.ofSeconds(Long.parseLong(options.get("warmup")));
        List<Scenario> scenarios = Scenario.parseAll(options.get("scenarios"));
        LoadReport report = new LoadReport(System.out);
        System.out.printf("warmbox closed-loop benchmark, %s, %d cores, load average %s, JDK %s%n", Instant.now(),
                Runtime.getRuntime().availableProcessors(), loadAverage(), Runtime.version());
        System.out.printf("warm-up %d s, measured %d s, scenarios %s, server settings %s%n", warmup.toSeconds(),
                duration.toSeconds(), options.get("scenarios"), new java.util.TreeMap<>(serverSettings()));

        Map<String, Targets.Figures> figures = new LinkedHashMap<>();
        try (RunningServer server = new RunningServer(serverSettings())) {
            server.awaitReady(Duration.ofMinutes(5));
            for (Scenario scenario : scenarios) {
                awaitPoolFull(server, scenario.language());
                ClosedLoop loop = new ClosedLoop(scenario.concurrency(), warmup, duration);
                ComponentCpu cpu = new ComponentCpu(server.instanceId,
                        () -> server.containers().stream().map(ContainerState::id).toList());
                ClosedLoop.Result warm = loop.run(i -> warmboxClient(server, scenario), cpu::start);
                Map<String, Double> byComponent = cpu.stop();
                String status = server.get("/api/v1/warm-pool/status").body();

                Optional<String> hostCommand = HostBaseline.describe(scenario.language());
                double[] childrenAtMeasuring = {0};
                ClosedLoop.Result host = hostCommand.isEmpty() ? null
                        : loop.run(i -> HostBaseline.client(scenario), () -> childrenAtMeasuring[0] = ComponentCpu.endedChildrenMillis());
                double hostCpu = ComponentCpu.endedChildrenMillis() - childrenAtMeasuring[0];
                report.scenario(scenario, warm, host, hostCommand.orElse(null));
                report.cpu(byComponent, cpu.jvmThreads(), warm.measured().size(), warm.seconds());
                if (host != null) report.hostCpu(hostCpu, host.measured().size());
                report.poolStatus(status);
                figures.put(scenario.name(), new Targets.Figures(LoadStats.of(warm.measured(), warm.seconds()),
                        host == null ? null : LoadStats.of(host.measured(), host.seconds())));
            }
        }
        report.summary(figures, Targets.judge(figures));
    }

    /** POST /execute with the scenario's hello world; right only if it answers 200 with exactly its output. */
    private static ClosedLoop.Client warmboxClient(RunningServer server, Scenario scenario) {
        var requests = new java.util.concurrent.atomic.AtomicLong();
        return () -> {
            String body = RunningServer.write(Map.of("language", scenario.language(), "code", scenario.helloWorld(requests.getAndIncrement())));
            HttpResponse<String> response = server.post("/execute", body, "application/json", RunningServer.API_KEY);
            if (response.statusCode() != 200) return new ClosedLoop.Answer(Integer.toString(response.statusCode()), null);
            JsonNode answer = RunningServer.read(response.body());
            String pool = answer.path("pool").asText(null);
            boolean right = Scenario.EXPECTED_STDOUT.equals(answer.path("stdout").asText());
            return new ClosedLoop.Answer(right ? Sample.OK : "wrong output", pool);
        };
    }

    /** The product defaults, with any {@code -Dbench.server.VARIABLE=value} on top (to compare settings in one way). */
    static Map<String, String> serverSettings() {
        Map<String, String> settings = new java.util.HashMap<>(PRODUCT_DEFAULTS);
        System.getProperties().forEach((key, value) -> {
            if (key.toString().startsWith("bench.server.")) settings.put(key.toString().substring("bench.server.".length()), value.toString());
        });
        return settings;
    }

    static Map<String, String> options(String[] args) {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("duration", System.getProperty("bench.duration", "30"));
        options.put("warmup", System.getProperty("bench.warmup", "10"));
        options.put("scenarios", System.getProperty("bench.scenarios", Scenario.DEFAULTS));
        for (String arg : args) {
            String[] kv = arg.replaceFirst("^--", "").split("=", 2);
            if (kv.length != 2 || !options.containsKey(kv[0])) {
                throw new IllegalArgumentException("unknown argument '" + arg + "': use duration=S, warmup=S, scenarios=python1,python8,...");
            }
            options.put(kv[0], kv[1]);
        }
        return options;
    }

    /** Each scenario starts with its language's pool full, as a server that was idle would have it. */
    private static void awaitPoolFull(RunningServer server, String language) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode pool = server.status().path("pools").path(language);
            if (!pool.isMissingNode() && pool.path("available").asInt() >= pool.path("size").asInt()) return;
            Thread.sleep(200);
        }
        System.out.println("(the " + language + " pool was not full after 120 s; starting anyway)");
    }

    private static String loadAverage() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).strip();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }
}
