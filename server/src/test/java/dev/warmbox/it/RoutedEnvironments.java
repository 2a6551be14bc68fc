package dev.warmbox.it;

import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.ExecCreateCmdResponse;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import dev.warmbox.Warmbox;
import dev.warmbox.config.WarmboxConfig;
import dev.warmbox.provider.ContainerSpec;
import dev.warmbox.provider.ContainerState;
import dev.warmbox.provider.DockerContainerProvider;
import dev.warmbox.routing.AccessTokens;
import dev.warmbox.routing.EnvironmentAccess;
import dev.warmbox.routing.Route;
import dev.warmbox.routing.Routes;
import dev.warmbox.store.ApiKeys;
import dev.warmbox.store.Database;
import dev.warmbox.store.Role;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A real warmbox whose routes to development environments come from the test, with real
 * {@code warmbox/devenv-sample} containers behind them. The route lookup is the only fake: the server,
 * the proxy, the keys in SQLite and the containers are real. The containers share a bridge network of
 * their own with inter-container traffic off (enable_icc=false): the host reaches every IDE, and no
 * environment reaches another's, so the proxy stays the only way in.
 */
final class RoutedEnvironments implements AutoCloseable {
    static final String IMAGE = "warmbox/devenv-sample:latest";
    static final String ADMIN_KEY = "wb_routing_admin_key";

    final String ownerKey;
    final String strangerKey;
    final String ownerKeyId;
    final String strangerKeyId;
    final Warmbox warmbox;
    private final Map<String, Route> routes = new ConcurrentHashMap<>();
    private final Map<String, String> tokenHashes = new ConcurrentHashMap<>();
    private final java.util.Set<String> brokenLookups = ConcurrentHashMap.newKeySet();
    private final String containerOwner = RunningServer.newInstanceId() + "-devenv";
    private final DockerContainerProvider provider = Engine.provider();
    private final DockerClient docker = docker();
    private final Path stateDir;
    private final String network = containerOwner + "-net";
    private String networkId;

    RoutedEnvironments() {
        Engine.requireAvailable();
        if (!provider.imageExists(IMAGE)) throw new AssertionError("image " + IMAGE + " is missing; ./scripts/build-images.sh builds it");
        try {
            stateDir = Files.createTempDirectory("warmbox-routing-it-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path db = stateDir.resolve("warmbox.db");
        // Keys are written before the server starts, because the server reads them into memory once.
        try (Database database = new Database(db)) {
            ApiKeys keys = new ApiKeys(database);
            ownerKey = keys.create("owner", Role.MEMBER);
            strangerKey = keys.create("stranger", Role.MEMBER);
            ownerKeyId = keys.authenticate(ownerKey).orElseThrow().keyId();
            strangerKeyId = keys.authenticate(strangerKey).orElseThrow().keyId();
        }
        Routes lookup = id -> {
            if (brokenLookups.contains(id)) throw new IllegalStateException("the store failed looking up " + id);
            return Optional.ofNullable(routes.get(id));
        };
        AccessTokens tokens = id -> Optional.ofNullable(tokenHashes.get(id));
        warmbox = Warmbox.start(WarmboxConfig.fromEnvironment(Map.of(
                "WARMBOX_PORT", "0",
                "WARMBOX_BIND_ADDRESS", "127.0.0.1",
                "WARMBOX_DB_PATH", db.toString(),
                "WARMBOX_RUN_DIR", stateDir.resolve("run").toString(),
                "WARMBOX_API_KEY", ADMIN_KEY,
                "WARMBOX_INSTANCE_ID", RunningServer.newInstanceId(),
                "WARM_POOL_SIZE_PER_RUNTIME", "0")), Clock.systemUTC(), Optional.of(new Warmbox.Routing(lookup, tokens)));
        try {
            networkId = docker.createNetworkCmd().withName(network).withDriver("bridge")
                    .withOptions(Map.of("com.docker.network.bridge.enable_icc", "false"))
                    .withLabels(Map.of("warmbox.managed", "true", "warmbox.owner", containerOwner)).exec().getId();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Starts a devenv-sample container on the test's network; returns its id once its IDE is ready. */
    String startContainer(String suffix) {
        ContainerSpec spec = new ContainerSpec(containerOwner + "-" + suffix, IMAGE,
                Map.of("warmbox.managed", "true", "warmbox.owner", containerOwner), List.of(), List.of(), null,
                new ContainerSpec.Limits(512L << 20, 1_000_000_000L, 256, 0), false, Map.of(), List.of(), network,
                null, true, null, true);
        String id = provider.create(spec);
        provider.start(id);
        await("the IDE of " + spec.name() + " is ready").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> exec(id, "warmbox-ide", "status").exitCode() == 0);
        return id;
    }

    /** The IDE's address on the test's network, as the dev-environment store would record it. */
    URI ideOf(String containerId) {
        String ip = docker.inspectContainerCmd(containerId).exec().getNetworkSettings().getNetworks().get(network).getIpAddress();
        return URI.create("http://" + ip + ":7681");
    }

    void route(String environmentId, String ownerKeyId, URI target, boolean active) {
        routes.put(environmentId, new Route(environmentId, ownerKeyId, target, active));
    }

    /** Makes the route lookup of this environment throw, as a failing store would. */
    void breakLookupOf(String environmentId) {
        brokenLookups.add(environmentId);
    }

    /** A new access token for the environment (as a claim would issue); returns the link's path. */
    String issueLink(String environmentId) {
        EnvironmentAccess.AccessToken token = EnvironmentAccess.newToken();
        tokenHashes.put(environmentId, token.hash());
        return EnvironmentAccess.link(environmentId, token.token());
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + warmbox.port() + path);
    }

    URI webSocketUri(String path) {
        return URI.create("ws://127.0.0.1:" + warmbox.port() + path);
    }

    record ExecResult(int exitCode, String output) {}

    /** Runs a command in the container as root through the engine, as the server's personalization does. */
    ExecResult exec(String containerId, String... command) {
        ExecCreateCmdResponse created = docker.execCreateCmd(containerId).withCmd(command)
                .withAttachStdout(true).withAttachStderr(true).exec();
        StringBuilder output = new StringBuilder();
        try {
            docker.execStartCmd(created.getId()).exec(new ResultCallback.Adapter<Frame>() {
                @Override
                public void onNext(Frame frame) {
                    synchronized (output) {
                        output.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
                    }
                }
            }).awaitCompletion(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        Long exit = docker.inspectExecCmd(created.getId()).exec().getExitCodeLong();
        synchronized (output) {
            return new ExecResult(exit == null ? -1 : exit.intValue(), output.toString());
        }
    }

    @Override
    public void close() {
        try {
            warmbox.close();
        } finally {
            for (ContainerState container : provider.list(Map.of("warmbox.owner", containerOwner))) provider.remove(container.id());
            try {
                if (networkId != null) docker.removeNetworkCmd(networkId).exec();
            } finally {
                closeDocker();
                RunningServer.deleteRecursively(stateDir);
            }
        }
    }

    private void closeDocker() {
        try {
            docker.close();
        } catch (IOException ignored) {
            // Closing a client of a test that is over; nothing to do about it.
        }
    }

    private static DockerClient docker() {
        DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(System.getenv().getOrDefault("DOCKER_HOST", "unix:///var/run/docker.sock"))
                .withApiVersion("1.41")
                .build();
        return DockerClientImpl.getInstance(config, new ApacheDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost()).connectionTimeout(Duration.ofSeconds(5)).responseTimeout(Duration.ofSeconds(60)).build());
    }
}
