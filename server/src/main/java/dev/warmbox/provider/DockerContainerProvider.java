package dev.warmbox.provider;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Network;
import com.github.dockerjava.api.model.StreamType;
import com.github.dockerjava.api.model.Volume;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ContainerProvider} on a Docker engine, through docker-java. Every docker-java exception is
 * translated here into a {@link ProviderException} naming the operation and the container or image.
 */
public final class DockerContainerProvider implements ContainerProvider, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DockerContainerProvider.class);
    /** The engine API this is written and tested against (Docker 20.10); newer engines still serve it. */
    static final String API_VERSION = "1.41";
    static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(5);
    static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(60);
    /** A stop request blocks for the grace period, so the grace must end well inside the response timeout. */
    static final Duration MAX_STOP_GRACE = RESPONSE_TIMEOUT.minusSeconds(10);
    private static final String NEVER_STARTED = "0001-01-01T00:00:00Z";

    private final String dockerHost;
    private final DockerClient client;

    /** @param dockerHost the engine's address, e.g. {@code unix:///var/run/docker.sock} */
    public DockerContainerProvider(String dockerHost) {
        this.dockerHost = dockerHost;
        this.client = connect(dockerHost);
    }

    /** On a transport of the caller's: tests count and answer the engine calls. */
    DockerContainerProvider(String dockerHost, com.github.dockerjava.transport.DockerHttpClient http) {
        this.dockerHost = dockerHost;
        this.client = DockerClientImpl.getInstance(DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(dockerHost).withApiVersion(API_VERSION).build(), http);
    }

    static DockerClient connect(String dockerHost) {
        DockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(dockerHost)
                .withApiVersion(API_VERSION)
                .build();
        ApacheDockerHttpClient http = new ApacheDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost())
                .sslConfig(config.getSSLConfig())
                .maxConnections(100)
                .connectionTimeout(CONNECTION_TIMEOUT)
                .responseTimeout(RESPONSE_TIMEOUT)
                .build();
        return DockerClientImpl.getInstance(config, http);
    }

    /** Docker offers every capability; its agents are reached over a Unix socket in a bind-mounted host directory. */
    @Override
    public Set<dev.warmbox.provider.Capability> capabilities() {
        return EnumSet.allOf(dev.warmbox.provider.Capability.class);
    }

    @Override
    public AgentReach agentReach() {
        return AgentReach.UNIX_SOCKET;
    }

    @Override
    public String create(ContainerSpec spec) {
        String what = "create container " + spec.name() + " from image " + spec.image();
        if (spec.secretFile() != null) {
            throw new ProviderException("cannot " + what + ": secret files are for agents reached over TCP; Docker's agents "
                    + "are reached over their Unix socket");
        }
        try {
            var command = client.createContainerCmd(spec.image())
                    .withName(spec.name())
                    .withLabels(spec.labels())
                    .withEnv(spec.env())
                    .withHostConfig(hostConfig(spec));
            // docker-java rejects null for both; leaving them unset keeps the image's defaults.
            if (!spec.command().isEmpty()) command.withCmd(spec.command());
            if (spec.user() != null) command.withUser(spec.user());
            return command.exec().getId();
        } catch (NotFoundException e) {
            // Nothing is ever pulled: a missing image is a deployment error the message must make obvious.
            boolean noImage = String.valueOf(e.getMessage()).contains("No such image");
            throw noImage ? failure(what, "image " + spec.image() + " is not present locally", e) : failure(what, e);
        } catch (RuntimeException e) {
            throw failure(what, e);
        }
    }

    static HostConfig hostConfig(ContainerSpec spec) {
        ContainerSpec.Limits limits = spec.limits();
        HostConfig host = HostConfig.newHostConfig()
                .withReadonlyRootfs(spec.readOnlyRootfs())
                .withTmpFs(spec.tmpfs().isEmpty() ? null : spec.tmpfs())
                .withBinds(spec.binds().stream().map(DockerContainerProvider::bind).toList())
                .withNetworkMode(spec.networkMode())
                .withRuntime(spec.ociRuntime())
                .withInit(spec.init());
        if (limits.memoryBytes() > 0) {
            // Swap equal to memory means no swap at all: a sandbox over its limit is killed, not slowed.
            host.withMemory(limits.memoryBytes()).withMemorySwap(limits.memoryBytes());
        }
        if (limits.nanoCpus() > 0) host.withNanoCPUs(limits.nanoCpus());
        if (limits.pidsLimit() > 0) host.withPidsLimit(limits.pidsLimit());
        if (limits.shmSizeBytes() > 0) host.withShmSize(limits.shmSizeBytes());
        if (spec.capAdd() != null) {
            host.withCapDrop(Capability.ALL)
                    .withCapAdd(spec.capAdd().stream().map(DockerContainerProvider::capability).toArray(Capability[]::new));
        }
        if (spec.noNewPrivileges()) host.withSecurityOpts(List.of("no-new-privileges"));
        return host;
    }

    static Bind bind(ContainerSpec.Bind bind) {
        return new Bind(bind.hostPath(), new Volume(bind.containerPath()), bind.readOnly() ? AccessMode.ro : AccessMode.rw);
    }

    static Capability capability(String name) {
        String bare = name.toUpperCase(Locale.ROOT).replaceFirst("^CAP_", "");
        try {
            return Capability.valueOf(bare);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown capability " + name, e);
        }
    }

    @Override
    public void start(String containerId) {
        String what = "start container " + containerId;
        try {
            client.startContainerCmd(containerId).exec();
        } catch (NotModifiedException alreadyRunning) {
            // Starting a running container leaves it running, which is what the caller wants.
        } catch (NotFoundException e) {
            throw failure(what, "no such container", e);
        } catch (RuntimeException e) {
            throw failure(what, e);
        }
    }

    @Override
    public void stop(String containerId, Duration grace) {
        try {
            client.stopContainerCmd(containerId).withTimeout(graceSeconds(grace)).exec();
        } catch (NotModifiedException | NotFoundException alreadyStoppedOrGone) {
            // The caller wants it not running; it is not.
        } catch (RuntimeException e) {
            throw failure("stop container " + containerId, e);
        }
    }

    /** Whole seconds, rounded up so a short grace is not cut to an immediate kill. */
    static int graceSeconds(Duration grace) {
        Duration bounded = grace.compareTo(MAX_STOP_GRACE) > 0 ? MAX_STOP_GRACE : grace;
        long seconds = bounded.toSeconds() + (bounded.toNanosPart() > 0 ? 1 : 0);
        return (int) Math.max(0, seconds);
    }

    @Override
    public void remove(String containerId) {
        try {
            client.removeContainerCmd(containerId).withForce(true).withRemoveVolumes(true).exec();
        } catch (NotFoundException alreadyGone) {
            // Idempotent: someone (a reaper, a concurrent remove) was first.
        } catch (ConflictException e) {
            if (!String.valueOf(e.getMessage()).contains("already in progress")) {
                throw failure("remove container " + containerId, e);
            }
        } catch (RuntimeException e) {
            throw failure("remove container " + containerId, e);
        }
    }

    @Override
    public Optional<ContainerState> inspect(String containerId) {
        try {
            return Optional.of(state(client.inspectContainerCmd(containerId).exec()));
        } catch (NotFoundException gone) {
            return Optional.empty();
        } catch (RuntimeException e) {
            throw failure("inspect container " + containerId, e);
        }
    }

    static ContainerState state(InspectContainerResponse response) {
        InspectContainerResponse.ContainerState engineState = response.getState();
        Map<String, String> labels = response.getConfig().getLabels();
        Long exitCode = engineState.getExitCodeLong();
        return new ContainerState(
                response.getId(),
                response.getName().startsWith("/") ? response.getName().substring(1) : response.getName(),
                ContainerState.Status.valueOf(engineState.getStatus().toUpperCase(Locale.ROOT)),
                labels == null ? Map.of() : labels,
                startedAt(engineState.getStartedAt()),
                exitCode == null ? 0 : exitCode.intValue(),
                ipAddress(response),
                Boolean.TRUE.equals(engineState.getOOMKilled()));
    }

    /** The address on the first network that has one: what a host process dials to reach the container. */
    static String ipAddress(InspectContainerResponse response) {
        var settings = response.getNetworkSettings();
        if (settings == null || settings.getNetworks() == null) return null;
        return settings.getNetworks().values().stream()
                .map(network -> network.getIpAddress())
                .filter(ip -> ip != null && !ip.isEmpty())
                .findFirst().orElse(null);
    }

    static Instant startedAt(String engineTimestamp) {
        if (engineTimestamp == null || engineTimestamp.isEmpty() || engineTimestamp.equals(NEVER_STARTED)) {
            return null;
        }
        return Instant.parse(engineTimestamp);
    }

    @Override
    public List<ContainerState> list(Map<String, String> labels) {
        List<Container> containers = call("list containers labelled " + labels, () -> {
            var command = client.listContainersCmd().withShowAll(true);
            return (labels.isEmpty() ? command : command.withLabelFilter(labels)).exec();
        });
        // The list already says name, state, labels and address: no inspect per container, so listing
        // costs one engine call however many there are (start time and exit code are inspect's).
        return containers.stream().map(DockerContainerProvider::state).toList();
    }

    static ContainerState state(Container container) {
        String[] names = container.getNames();
        String name = names == null || names.length == 0 ? container.getId() : names[0].startsWith("/") ? names[0].substring(1) : names[0];
        var settings = container.getNetworkSettings();
        String address = settings == null || settings.getNetworks() == null ? null : settings.getNetworks().values().stream()
                .map(network -> network.getIpAddress()).filter(ip -> ip != null && !ip.isEmpty()).findFirst().orElse(null);
        return new ContainerState(container.getId(), name, ContainerState.Status.valueOf(container.getState().toUpperCase(Locale.ROOT)),
                container.getLabels() == null ? Map.of() : container.getLabels(), null, 0, address);
    }

    @Override
    public String commit(String containerId, String imageReference, Map<String, String> labels) {
        int slash = imageReference.lastIndexOf('/');
        int colon = imageReference.lastIndexOf(':');
        boolean tagged = colon > slash;
        String repository = tagged ? imageReference.substring(0, colon) : imageReference;
        String tag = tagged ? imageReference.substring(colon + 1) : "latest";
        return call("commit container " + containerId + " as image " + imageReference, () -> client
                .commitCmd(containerId)
                .withRepository(repository)
                .withTag(tag)
                .withLabels(labels)
                .exec());
    }

    @Override
    public ExecResult exec(String containerId, ExecSpec spec) {
        String what = "exec " + spec.command().getFirst() + " in container " + containerId;
        try {
            var create = client.execCreateCmd(containerId)
                    .withCmd(spec.command().toArray(String[]::new))
                    .withAttachStdout(true)
                    .withAttachStderr(true);
            if (spec.user() != null) create.withUser(spec.user());
            if (spec.workingDir() != null) create.withWorkingDir(spec.workingDir());
            // Every process of this exec, its children included, carries the mark: the engine cannot kill an
            // exec, so a timed-out one is found by it and killed from a second exec (killMarked).
            String mark = EXEC_MARK + "=" + UUID.randomUUID();
            List<String> env = new ArrayList<>(spec.env());
            env.add(mark);
            create.withEnv(env);
            String execId = create.exec().getId();
            ExecOutput output = new ExecOutput();
            boolean finished;
            try (ExecOutput running = client.execStartCmd(execId).exec(output)) {
                finished = running.awaitCompletion(spec.timeout().toMillis(), TimeUnit.MILLISECONDS);
            }
            if (!finished) {
                killMarked(containerId, mark);
                return new ExecResult(-1, output.stdout(), output.stderr(), true);
            }
            Long exit = client.inspectExecCmd(execId).exec().getExitCodeLong();
            return new ExecResult(exit == null ? -1 : exit.intValue(), output.stdout(), output.stderr(), false);
        } catch (NotFoundException | ConflictException e) {
            throw failure(what, "the container does not exist or does not run", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderException(what + " was interrupted", e);
        } catch (IOException e) {
            throw new ProviderException(what + " on " + dockerHost + " failed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw failure(what, e);
        }
    }

    private static final String EXEC_MARK = "WARMBOX_EXEC";
    /** Kills, as root, every process whose environment holds the mark in $1, until none is left (they may fork meanwhile). */
    private static final String KILL_MARKED = """
            for round in 1 2 3 4 5 6 7 8 9 10; do
              found=
              for environ in /proc/[0-9]*/environ; do
                pid=${environ#/proc/}; pid=${pid%/environ}
                [ "$pid" = "$$" ] && continue
                if tr '\\0' '\\n' <"$environ" 2>/dev/null | grep -qxF "$1"; then kill -KILL "$pid" 2>/dev/null; found=1; fi
              done
              [ -z "$found" ] && exit 0
            done
            exit 1
            """;

    /** Kills a timed-out exec's processes; a failure is logged, the caller still gets its timed-out result. */
    private void killMarked(String containerId, String mark) {
        try {
            String execId = client.execCreateCmd(containerId).withUser("0")
                    .withCmd("sh", "-c", KILL_MARKED, "warmbox-kill", mark).exec().getId();
            try (ExecOutput killing = client.execStartCmd(execId).exec(new ExecOutput())) {
                if (!killing.awaitCompletion(30, TimeUnit.SECONDS)) log.warn("killing a timed-out exec in {} took over 30 s", containerId);
            }
            Long exit = client.inspectExecCmd(execId).exec().getExitCodeLong();
            if (exit == null || exit != 0) log.warn("a timed-out exec in {} may have left processes (kill exited {})", containerId, exit);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException | RuntimeException e) {
            log.warn("could not kill a timed-out exec in {}: {}", containerId, e.getMessage());
        }
    }

    /** Collects an exec's two streams, each capped so a chatty command cannot fill the heap. */
    private static final class ExecOutput extends ResultCallback.Adapter<Frame> {
        private static final int CAP = 1 << 20;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final ByteArrayOutputStream err = new ByteArrayOutputStream();

        @Override
        public void onNext(Frame frame) {
            ByteArrayOutputStream target = frame.getStreamType() == StreamType.STDERR ? err : out;
            synchronized (this) {
                int room = CAP - target.size();
                if (room > 0) target.write(frame.getPayload(), 0, Math.min(room, frame.getPayload().length));
            }
        }

        synchronized String stdout() {
            return out.toString(StandardCharsets.UTF_8);
        }

        synchronized String stderr() {
            return err.toString(StandardCharsets.UTF_8);
        }
    }

    static final String ICC_OPTION = "com.docker.network.bridge.enable_icc";

    @Override
    public void ensureIsolatedNetwork(String name, Map<String, String> labels) {
        String what = "ensure isolated network " + name;
        Network network = findNetwork(name).orElseGet(() -> {
            try {
                client.createNetworkCmd().withName(name).withDriver("bridge").withCheckDuplicate(true)
                        .withOptions(Map.of(ICC_OPTION, "false")).withLabels(labels).exec();
            } catch (ConflictException createdMeanwhile) {
                // Another server on this engine was first; what it created is checked below like any other.
            } catch (RuntimeException e) {
                throw failure(what, e);
            }
            return findNetwork(name).orElseThrow(() -> new ProviderException(what + " on " + dockerHost + " failed: it vanished after creation"));
        });
        Map<String, String> options = network.getOptions() == null ? Map.of() : network.getOptions();
        if (!"bridge".equals(network.getDriver()) || !"false".equals(options.get(ICC_OPTION))) {
            throw new ProviderException(what + " on " + dockerHost + " failed: network " + name + " lets its containers reach each other ("
                    + "driver " + network.getDriver() + ", " + ICC_OPTION + "=" + options.get(ICC_OPTION) + "); use a bridge network created with "
                    + ICC_OPTION + "=false, or a name that does not exist yet");
        }
    }

    private Optional<Network> findNetwork(String name) {
        try {
            return Optional.of(client.inspectNetworkCmd().withNetworkId(name).exec());
        } catch (NotFoundException absent) {
            return Optional.empty();
        } catch (RuntimeException e) {
            throw failure("inspect network " + name, e);
        }
    }

    /** Removes a network; not on the seam because only tests remove networks. */
    public void removeNetwork(String name) {
        try {
            client.removeNetworkCmd(name).exec();
        } catch (NotFoundException alreadyGone) {
            // Idempotent.
        } catch (RuntimeException e) {
            throw failure("remove network " + name, e);
        }
    }

    @Override
    public boolean imageExists(String imageReference) {
        try {
            client.inspectImageCmd(imageReference).exec();
            return true;
        } catch (NotFoundException absent) {
            return false;
        } catch (RuntimeException e) {
            throw failure("inspect image " + imageReference, e);
        }
    }

    @Override
    public List<ImageState> listImages(Map<String, String> labels) {
        List<com.github.dockerjava.api.model.Image> images = call("list images labelled " + labels,
                () -> client.listImagesCmd().withLabelFilter(labels).exec());
        return images.stream().map(image -> new ImageState(image.getId(),
                image.getRepoTags() == null ? List.of() : java.util.Arrays.stream(image.getRepoTags()).filter(t -> !t.equals("<none>:<none>")).toList(),
                image.getLabels() == null ? Map.of() : image.getLabels())).toList();
    }

    /** Not forced: a forced removal would untag an image a stopped container still uses and leave it on disk. */
    @Override
    public void removeImage(String imageReference) {
        try {
            client.removeImageCmd(imageReference).exec();
        } catch (NotFoundException alreadyGone) {
            // Idempotent, like container removal.
        } catch (RuntimeException e) {
            // Including the engine's conflict when a container still uses it: the engine's words say which.
            throw failure("remove image " + imageReference, e);
        }
    }

    @Override
    public boolean ping() {
        try {
            client.pingCmd().exec();
            return true;
        } catch (RuntimeException unreachable) {
            return false;
        }
    }

    @Override
    public void close() {
        try {
            client.close();
        } catch (IOException e) {
            throw new ProviderException("close Docker client for " + dockerHost, e);
        }
    }

    private <T> T call(String what, Supplier<T> engineCall) {
        try {
            return engineCall.get();
        } catch (RuntimeException e) {
            throw failure(what, e);
        }
    }

    private ProviderException failure(String what, RuntimeException e) {
        return failure(what, e.getMessage(), e);
    }

    private ProviderException failure(String what, String reason, RuntimeException e) {
        return new ProviderException(what + " on " + dockerHost + " failed: " + reason, e);
    }

    @Override
    public String toString() {
        return "DockerContainerProvider[" + dockerHost + "]";
    }
}
