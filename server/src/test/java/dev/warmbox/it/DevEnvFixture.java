package dev.warmbox.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warmbox.provider.ContainerState;
import dev.warmbox.provider.DockerContainerProvider;
import dev.warmbox.provider.ExecResult;
import dev.warmbox.provider.ExecSpec;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What development-environment integration tests share: the sample image, a git repository on this
 * machine, API calls with a key, and cleanup of every container and snapshot image the server made.
 */
final class DevEnvFixture {
    static final String IMAGE = "warmbox/devenv-sample:latest";
    static final Duration DEADLINE = Duration.ofMinutes(3);
    static final DockerContainerProvider ENGINE = Engine.provider();

    private DevEnvFixture() {}

    /** The sample dev-environment image; built from sandbox-images/devenv when the engine lacks it. */
    static void requireImage() {
        if (ENGINE.imageExists(IMAGE)) return;
        Path context = Path.of("..", "sandbox-images", "devenv").toAbsolutePath().normalize();
        if (!Files.isDirectory(context)) {
            throw new AssertionError("image " + IMAGE + " is missing and there is no " + context + " to build it from; run ./scripts/build-images.sh");
        }
        run(List.of("docker", "build", "-q", "-t", IMAGE, context.toString()), Path.of("."));
    }

    /** A git repository with one commit: README says hello. */
    static Path gitRepository(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("README"), "hello from the repo\n");
        run(List.of("git", "init", "-q", "-b", "main"), dir);
        run(List.of("git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "add", "README"), dir);
        run(List.of("git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-q", "-m", "first"), dir);
        return dir;
    }

    static void run(List<String> command, Path dir) {
        try {
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) throw new AssertionError(command + " failed: " + output);
        } catch (IOException e) {
            throw new AssertionError(command + " could not run", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static JsonNode call(RunningServer server, String method, String path, Object body, String key, int expectedStatus) {
        HttpResponse<String> response = server.request(method, path, body == null ? null : RunningServer.write(body), key);
        assertThat(response.statusCode()).as("%s %s answered %s", method, path, response.body()).isEqualTo(expectedStatus);
        return response.body().isEmpty() ? null : RunningServer.read(response.body());
    }

    /** A new key of the role, created by the admin through the API. */
    static JsonNode key(RunningServer server, String name, String role) {
        return call(server, "POST", "/api/v1/api-keys", Map.of("name", name, "role", role), RunningServer.API_KEY, 201);
    }

    static JsonNode awaitPrebuild(RunningServer server, String projectId, String prebuildId) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(DEADLINE).pollInterval(Duration.ofMillis(250)).until(() -> {
            last[0] = call(server, "GET", "/api/v1/projects/" + projectId + "/prebuilds/" + prebuildId, null, RunningServer.API_KEY, 200);
            return !last[0].at("/prebuild/status").asText().equals("PREBUILD_STATUS_RUNNING");
        });
        assertThat(last[0].at("/prebuild/status").asText()).as("prebuild log: %s", last[0].get("log").asText()).isEqualTo("PREBUILD_STATUS_SUCCEEDED");
        return last[0];
    }

    static JsonNode awaitRunningInstances(RunningServer server, String poolId, int count) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(DEADLINE).pollInterval(Duration.ofMillis(200)).until(() -> {
            last[0] = call(server, "GET", "/api/v1/warm-pools/" + poolId, null, RunningServer.API_KEY, 200).get("warmPool");
            return last[0].at("/status/runningInstances").asInt() == count;
        });
        return last[0];
    }

    static JsonNode awaitPhase(RunningServer server, String environmentId, String key, String phase) {
        JsonNode[] last = new JsonNode[1];
        await().atMost(DEADLINE).pollInterval(Duration.ofMillis(100)).until(() -> {
            last[0] = call(server, "GET", "/api/v1/environments/" + environmentId, null, key, 200).get("environment");
            String now = last[0].at("/status/phase").asText();
            if (now.equals("ENVIRONMENT_PHASE_FAILED") && !phase.equals(now)) throw new AssertionError("environment failed: " + last[0]);
            return now.equals(phase);
        });
        return last[0];
    }

    /**
     * The container behind an environment: the instance whose address its active route points at. An inactive route may
     * still hold the address a stopped instance had before it was started again, which another container may have now.
     */
    static String containerOf(RunningServer server, String environmentId) {
        dev.warmbox.routing.Route route = server.warmbox.routes().find(environmentId).orElseThrow();
        assertThat(route.active()).as("the route of %s is active once it is RUNNING: %s", environmentId, route).isTrue();
        String host = route.target().getHost();
        return instances(server).stream().filter(c -> host.equals(c.ipAddress())).map(ContainerState::name).findFirst()
                .orElseThrow(() -> new AssertionError("no instance at " + host));
    }

    static List<ContainerState> instances(RunningServer server) {
        return ENGINE.list(Map.of("warmbox.devenv", server.instanceId, "warmbox.devenv.kind", "instance"));
    }

    static ExecResult exec(String container, String user, String script) {
        return ENGINE.exec(container, new ExecSpec(List.of("sh", "-c", script), user, null, List.of(), Duration.ofSeconds(30)));
    }

    /** Removes every container and snapshot image the server's development environments made. */
    static void cleanUp(String instanceId, List<String> prebuildIds) {
        // Retried: the engine may be briefly away (other suites restart it on this machine).
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().untilAsserted(() -> {
            for (ContainerState c : ENGINE.list(Map.of("warmbox.devenv", instanceId))) ENGINE.remove(c.id());
            for (String id : new ArrayList<>(prebuildIds)) ENGINE.removeImage("warmbox-devenv/" + instanceId.toLowerCase() + ":" + id);
        });
    }
}
