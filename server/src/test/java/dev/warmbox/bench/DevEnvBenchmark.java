package dev.warmbox.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warmbox.it.RunningServer;
import dev.warmbox.provider.DockerContainerProvider;
import dev.warmbox.routing.Route;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Claim-to-URL-answering for development environments, from a running warm instance, from a stopped
 * one, and cold: from POST /api/v1/environments
 * until the environment's URL answers HTTP 200 for its owner through the router (polled every 2 ms
 * once the route is active, so the figure includes at most that much polling). Sequential claims:
 * latency, not throughput. The autoscaler is made to follow only the last second's claims, so the pool
 * stays at minSize and empties at once when that is 0; each kind of claim waits until the pool holds
 * only what it should take.
 *
 * <p>Run with {@code ./scripts/bench-devenv.sh [warm-iterations] [cold-iterations]}.
 */
public final class DevEnvBenchmark {
    private static final String ADMIN = RunningServer.API_KEY;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private DevEnvBenchmark() {}

    public static void main(String[] args) throws Exception {
        int warmRuns = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int coldRuns = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        String image = args.length > 2 ? args[2] : "warmbox/devenv-sample:latest";
        RunningServer server = new RunningServer(Map.of("WARM_POOL_SIZE_PER_RUNTIME", "0", "DEVENV_RECONCILE_INTERVAL", "1",
                "DEVENV_DEMAND_WINDOW", "1", "DEVENV_LEAD_TIME", "1", "DEVENV_SCALE_IN_WINDOW", "0", "DEVENV_IDLE_GUARD", "0"));
        String[] prebuildImage = new String[1];
        Thread cleanUp = Thread.ofPlatform().name("bench-clean-up").unstarted(() -> cleanUp(server, prebuildImage[0]));
        // Also on Ctrl-C: the instances and the snapshot image outlive the server by design.
        Runtime.getRuntime().addShutdownHook(cleanUp);
        try {
            {
                String classId = post(server, "/api/v1/environment-classes", Map.of("name", "bench", "cpu", 1, "memoryBytes", 512L << 20)).get("id").asText();
                String projectId = post(server, "/api/v1/projects", Map.of("name", "bench", "source", Map.of("image", image),
                        "prebuildEnvironmentClassIds", List.of(classId), "postStartCommand", "true", "user", "dev",
                        "secrets", Map.of("TOKEN", "placeholder"))).get("id").asText();
                String prebuildId = post(server, "/api/v1/projects/" + projectId + "/prebuilds", Map.of("environmentClassId", classId)).get("id").asText();
                prebuildImage[0] = "warmbox-devenv/" + server.instanceId.toLowerCase() + ":" + prebuildId;
                until(() -> get(server, "/api/v1/projects/" + projectId + "/prebuilds/" + prebuildId).at("/prebuild/status").asText().equals("PREBUILD_STATUS_SUCCEEDED"));
                String poolId = post(server, "/api/v1/warm-pools", Map.of("projectId", projectId, "environmentClassId", classId, "minSize", 2, "maxSize", 2))
                        .at("/warmPool/id").asText();
                Map<String, Object> claim = Map.of("projectId", projectId, "environmentClassId", classId,
                        "secrets", Map.of("TOKEN", "mine"), "env", Map.of("GREETING", "hello"));

                double[] warm = new double[warmRuns];
                for (int i = -2; i < warmRuns; i++) {
                    until(() -> get(server, "/api/v1/warm-pools/" + poolId).at("/warmPool/status/runningInstances").asInt() >= 1);
                    double ms = claimToAnswer(server, claim, true);
                    if (ms < 0) i--;
                    else if (i >= 0) warm[i] = ms;
                }
                // Stop after initialization: both warm instances stopped; a claim starts one. Only when both are
                // stopped, or a claim would take the replacement still initializing (an optimistic claim).
                server.request("PATCH", "/api/v1/warm-pools/" + poolId, RunningServer.write(Map.of("stopAfterInitialization", true)), ADMIN);
                double[] stopped = new double[warmRuns];
                for (int i = 0; i < warmRuns; i++) {
                    until(() -> get(server, "/api/v1/warm-pools/" + poolId).at("/warmPool/status/stoppedInstances").asInt() == 2);
                    double ms = claimToAnswer(server, claim, true);
                    if (ms < 0) i--;
                    else stopped[i] = ms;
                }
                server.request("PATCH", "/service/admin/appdefinition/" + poolId, RunningServer.write(Map.of("minInstances", 0)), ADMIN);
                double[] cold = new double[coldRuns];
                try (var engine = new DockerContainerProvider(System.getenv().getOrDefault("DOCKER_HOST", "unix:///var/run/docker.sock"))) {
                    for (int i = 0; i < coldRuns; i++) {
                        // Not only no ready instance: none launching either (each claim brings the pool back for a second).
                        until(() -> engine.list(Map.of("warmbox.devenv.pool", poolId)).isEmpty());
                        double ms = claimToAnswer(server, claim, false);
                        if (ms < 0) i--;
                        else cold[i] = ms;
                    }
                }

                System.out.printf("%n%-8s %4s %9s %9s %9s %9s%n", "claim", "n", "p50 ms", "p90 ms", "max ms", "mean ms");
                row("running", warm);
                row("stopped", stopped);
                row("cold", cold);
                System.out.printf("cold p50 / running p50 = %.1fx, stopped p50 / running p50 = %.1fx%n", percentile(cold, 50) / percentile(warm, 50),
                        percentile(stopped, 50) / percentile(warm, 50));
                System.out.println(server.get("/metrics").body().lines().filter(l -> l.startsWith("warm_pool_claims_total")).toList());
            }
        } finally {
            Runtime.getRuntime().removeShutdownHook(cleanUp);
            cleanUp(server, prebuildImage[0]);
        }
    }

    /** The server first, so its reconciler does not replace what is removed next. */
    private static void cleanUp(RunningServer server, String prebuildImage) {
        server.close();
        try (var engine = new DockerContainerProvider(System.getenv().getOrDefault("DOCKER_HOST", "unix:///var/run/docker.sock"))) {
            for (var c : engine.list(Map.of("warmbox.devenv", server.instanceId))) engine.remove(c.id());
            if (prebuildImage != null) engine.removeImage(prebuildImage);
        }
    }

    /**
     * One claim, timed until its URL (or, without a router, its route's target) answers 200; then
     * deleted. -1 when the environment failed (on this shared machine other suites restart the engine),
     * so the caller repeats that claim.
     */
    private static double claimToAnswer(RunningServer server, Map<String, Object> claim, boolean expectWarm) throws Exception {
        long start = System.nanoTime();
        JsonNode env = post(server, "/api/v1/environments", claim).get("environment");
        if (env.get("warm").asBoolean() != expectWarm) throw new IllegalStateException("expected warm=" + expectWarm + ": " + env);
        String id = env.get("id").asText();
        URI url = URI.create(env.get("url").asText());
        while (true) {
            Optional<Route> route = server.warmbox.routes().find(id);
            if (route.isPresent() && route.get().active() && answers(url)) break;
            if (System.nanoTime() - start > Duration.ofMinutes(2).toNanos()) throw new IllegalStateException("environment " + id + " never answered");
            if (route.isEmpty() && get(server, "/api/v1/environments/" + id).at("/environment/status/phase").asText().equals("ENVIRONMENT_PHASE_FAILED")) {
                System.out.println("claim failed, repeated: " + get(server, "/api/v1/environments/" + id).at("/environment/status/failureMessage").asText());
                server.request("DELETE", "/api/v1/environments/" + id, null, ADMIN);
                return -1;
            }
            Thread.sleep(2);
        }
        double ms = (System.nanoTime() - start) / 1e6;
        server.request("DELETE", "/api/v1/environments/" + id, null, ADMIN);
        return ms;
    }

    private static boolean answers(URI uri) {
        try {
            var request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).header("X-API-Key", ADMIN);
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (Exception notYet) {
            return false;
        }
    }

    private static JsonNode post(RunningServer server, String path, Object body) {
        HttpResponse<String> response = server.request("POST", path, RunningServer.write(body), ADMIN);
        if (response.statusCode() / 100 != 2) throw new IllegalStateException("POST " + path + " answered " + response.statusCode() + ": " + response.body());
        return RunningServer.read(response.body());
    }

    private static JsonNode get(RunningServer server, String path) {
        return RunningServer.read(server.get(path).body());
    }

    private static void until(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("condition not reached within 3 minutes");
            Thread.sleep(50);
        }
    }

    private static void row(String name, double[] millis) {
        System.out.printf("%-8s %4d %9.1f %9.1f %9.1f %9.1f%n", name, millis.length, percentile(millis, 50), percentile(millis, 90),
                Arrays.stream(millis).max().orElse(0), Arrays.stream(millis).average().orElse(0));
    }

    private static double percentile(double[] millis, int p) {
        double[] sorted = millis.clone();
        Arrays.sort(sorted);
        return LoadStats.percentile(sorted, p);
    }
}
