package dev.warmbox.provider;

import dev.warmbox.config.KubernetesSettings;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Containers as pods of one namespace, through fabric8's client (docs/kubernetes.md). What Kubernetes has no
 * equivalent for is not offered ({@link #capabilities()} is empty): exec (sandboxes never use it, and no
 * {@code kubectl exec} may sit on the request path), commit, stop with the writable layer kept, Docker networks.
 * The agent is reached over TCP at the pod's IP ({@link AgentReach#TCP}), with its secret in a Secret of its own.
 *
 * <p>Pods are watched, not polled: a {@link SharedIndexInformer} keeps every pod of the namespace in a local
 * cache, so inspect and list cost no API call, a start waits for the watch to report the pod running, and a
 * pod deleted from outside is gone from the cache within the watch's latency.
 *
 * <p>A pod runs as soon as it exists, so {@code create} only keeps the spec (the container is "created") and
 * {@code start} creates the Secret and the pod and waits until it runs.
 */
public final class KubernetesContainerProvider implements ContainerProvider, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KubernetesContainerProvider.class);
    static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    static final Duration REMOVE_TIMEOUT = Duration.ofSeconds(30);
    static final Duration STOP_WAIT = Duration.ofSeconds(15);
    /** Waiting reasons after which a pod will not start by itself; a start fails at once, naming them. */
    private static final Set<String> HOPELESS = Set.of("ErrImageNeverPull", "ErrImagePull", "ImagePullBackOff", "InvalidImageName",
            "CreateContainerConfigError", "CreateContainerError", "RunContainerError", "CrashLoopBackOff");

    private final KubernetesClient client;
    private final KubernetesSettings settings;
    private final int agentPort;
    private final SharedIndexInformer<Pod> pods;
    /** Created and not started yet: the spec by pod name. */
    private final Map<String, ContainerSpec> created = new ConcurrentHashMap<>();
    /** Starts waiting for their pod to run, completed by the informer. */
    private final Map<String, CompletableFuture<Pod>> starting = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Void>> removing = new ConcurrentHashMap<>();
    /** Removals waiting for their pod's container to end after the graceful deletion. */
    private final Map<String, CompletableFuture<Void>> stopping = new ConcurrentHashMap<>();

    /** Connects with {@code settings}' kubeconfig, or in-cluster credentials, and starts watching the namespace. */
    public static KubernetesContainerProvider connect(KubernetesSettings settings, int agentPort) {
        Config config = settings.kubeconfig().map(file -> Config.fromKubeconfig(file.toFile())).orElseGet(() -> Config.autoConfigure(null));
        return new KubernetesContainerProvider(new KubernetesClientBuilder().withConfig(config).build(), settings, agentPort);
    }

    /** With a client of the caller's (tests' mock server); the provider closes it. */
    KubernetesContainerProvider(KubernetesClient client, KubernetesSettings settings, int agentPort) {
        this.client = client;
        this.settings = settings;
        this.agentPort = agentPort;
        try {
            ensureNamespacePolicy();
            this.pods = client.pods().inNamespace(settings.namespace()).inform(new Watcher(), 0);
        } catch (KubernetesClientException e) {
            client.close();
            throw new ProviderException("cannot watch the pods of namespace " + settings.namespace() + " at " + client.getMasterUrl()
                    + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.noneOf(Capability.class);
    }

    @Override
    public AgentReach agentReach() {
        return AgentReach.TCP;
    }

    @Override
    public String create(ContainerSpec spec) {
        String name = PodSpecs.podName(spec.name());
        PodSpecs.pod(name, settings.namespace(), spec, settings); // refuses what a pod cannot be before anything exists
        if (cached(name).isPresent() || created.putIfAbsent(name, spec) != null) {
            throw new ProviderException("cannot create container " + spec.name() + ": the name is taken (pod " + name + ")");
        }
        return name;
    }

    @Override
    public void start(String id) {
        ContainerSpec spec = created.get(id);
        if (spec == null) {
            if (cached(id).filter(pod -> "Running".equals(pod.getStatus().getPhase())).isPresent()) return;
            if (cached(id).isPresent()) throw new UnsupportedCapabilityException(Capability.SUSPEND_RESUME, "Kubernetes (pod " + id + ")");
            throw new ProviderException("cannot start container " + id + ": no such container");
        }
        CompletableFuture<Pod> running = new CompletableFuture<>();
        starting.put(id, running);
        try {
            Pod pod = PodSpecs.pod(id, settings.namespace(), spec, settings);
            Secret secret = spec.secretFile() == null ? null : PodSpecs.secret(id, settings.namespace(), spec);
            if (secret != null) client.secrets().inNamespace(settings.namespace()).resource(secret).create();
            Pod made = client.pods().inNamespace(settings.namespace()).resource(pod).create();
            created.remove(id);
            if (secret != null) client.secrets().inNamespace(settings.namespace()).resource(PodSpecs.ownedBy(secret, made)).update();
            cached(id).ifPresent(this::observe); // the watch may have seen it before the future was there to hear
            running.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (KubernetesClientException e) {
            throw new ProviderException("cannot start container " + id + " from image " + spec.image() + ": " + e.getMessage(), e);
        } catch (ExecutionException e) {
            throw new ProviderException("container " + id + " from image " + spec.image() + " did not start: " + e.getCause().getMessage(), e);
        } catch (TimeoutException e) {
            throw new ProviderException("container " + id + " from image " + spec.image() + " did not run within " + START_TIMEOUT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderException("interrupted while starting container " + id, e);
        } finally {
            starting.remove(id);
        }
    }

    @Override
    public void stop(String id, Duration grace) {
        throw new UnsupportedCapabilityException(Capability.SUSPEND_RESUME, "Kubernetes (pod " + id + ")");
    }

    /**
     * Stops the pod's container, then deletes the pod and its Secret, and returns once the watch saw the pod go.
     * A deletion without grace removes the pod from the API at once, while its container runs on until the kubelet
     * notices; a graceful one keeps the pod in the API until the kubelet has also torn down its volumes (10-30 s
     * here). So: a graceful deletion ({@link PodSpecs#GRACE_SECONDS}; the agent ends at SIGTERM), a wait until the
     * watch reports the container ended (at most {@link #STOP_WAIT}), then a deletion without grace.
     */
    @Override
    public void remove(String id) {
        created.remove(id);
        CompletableFuture<Void> gone = removing.computeIfAbsent(id, any -> new CompletableFuture<>());
        CompletableFuture<Void> ended = stopping.computeIfAbsent(id, any -> new CompletableFuture<>());
        try {
            if (cached(id).map(KubernetesContainerProvider::containerLives).orElse(false)) {
                pod(id).withGracePeriod(PodSpecs.GRACE_SECONDS).delete();
                awaitQuietly(ended, STOP_WAIT);
            }
            pod(id).withGracePeriod(0).delete();
            client.secrets().inNamespace(settings.namespace()).withName(PodSpecs.secretName(id)).delete();
            if (cached(id).isEmpty()) return;
            gone.get(REMOVE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (KubernetesClientException | ExecutionException e) {
            throw new ProviderException("cannot remove container " + id + ": " + e.getMessage(), e);
        } catch (TimeoutException e) {
            throw new ProviderException("pod " + id + " was still there " + REMOVE_TIMEOUT + " after its deletion", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderException("interrupted while removing container " + id, e);
        } finally {
            removing.remove(id, gone);
            stopping.remove(id, ended);
        }
    }

    private io.fabric8.kubernetes.client.dsl.PodResource pod(String id) {
        return client.pods().inNamespace(settings.namespace()).withName(id);
    }

    /** A stop that does not end in time is no reason to keep the pod: it is deleted without grace then. */
    private static void awaitQuietly(CompletableFuture<Void> ended, Duration within) throws InterruptedException {
        try {
            ended.get(within.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            log.debug("a pod's container did not report its end within {}; deleting it without grace", within);
        }
    }

    /** Whether the pod's container runs (one still pending that starts after the deletion is the kubelet's to kill). */
    private static boolean containerLives(Pod pod) {
        ContainerStatus status = containerStatus(pod);
        return status != null && status.getState() != null && status.getState().getRunning() != null;
    }

    @Override
    public Optional<ContainerState> inspect(String id) {
        ContainerSpec spec = created.get(id);
        if (spec != null) return Optional.of(createdState(id, spec));
        return cached(id).map(KubernetesContainerProvider::state);
    }

    /** From the watch's cache: no API call. */
    @Override
    public List<ContainerState> list(Map<String, String> labels) {
        List<ContainerState> found = new ArrayList<>();
        created.forEach((id, spec) -> {
            if (spec.labels().entrySet().containsAll(labels.entrySet())) found.add(createdState(id, spec));
        });
        for (Pod pod : pods.getStore().list()) {
            Map<String, String> podLabels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
            if (podLabels.entrySet().containsAll(labels.entrySet())) found.add(state(pod));
        }
        return found;
    }

    @Override
    public String commit(String id, String imageReference, Map<String, String> labels) {
        throw new UnsupportedCapabilityException(Capability.SNAPSHOTS, "Kubernetes");
    }

    @Override
    public ExecResult exec(String id, ExecSpec spec) {
        throw new UnsupportedCapabilityException(Capability.EXEC, "Kubernetes");
    }

    @Override
    public void ensureIsolatedNetwork(String name, Map<String, String> labels) {
        throw new UnsupportedCapabilityException(Capability.ISOLATED_NETWORK, "Kubernetes");
    }

    @Override
    public List<ImageState> listImages(Map<String, String> labels) {
        throw new UnsupportedCapabilityException(Capability.SNAPSHOTS, "Kubernetes");
    }

    @Override
    public void removeImage(String imageReference) {
        throw new UnsupportedCapabilityException(Capability.SNAPSHOTS, "Kubernetes");
    }

    @Override
    public boolean imageExists(String imageReference) {
        throw new UnsupportedCapabilityException(Capability.SNAPSHOTS, "Kubernetes");
    }

    /** Whether the API server answers and the watch runs. */
    @Override
    public boolean ping() {
        try {
            return pods.isWatching() && client.getKubernetesVersion() != null;
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        pods.close();
        client.close();
    }

    @Override
    public String toString() {
        return "Kubernetes at " + client.getMasterUrl() + ", namespace " + settings.namespace();
    }

    private Optional<Pod> cached(String id) {
        return Optional.ofNullable(pods.getStore().getByKey(settings.namespace() + "/" + id));
    }

    /** The namespace's policy for sandbox pods: no egress, the server alone in (created or brought up to date). */
    private void ensureNamespacePolicy() {
        client.network().v1().networkPolicies().inNamespace(settings.namespace())
                .resource(PodSpecs.sandboxPolicy(settings.namespace(), agentPort)).createOr(NonDeletingOperation::update);
    }

    /** Completes a start waiting for this pod once it runs, or fails it once it cannot. */
    private void observe(Pod pod) {
        CompletableFuture<Void> ended = stopping.get(pod.getMetadata().getName());
        if (ended != null && pod.getMetadata().getDeletionTimestamp() != null && !containerLives(pod)) ended.complete(null);
        CompletableFuture<Pod> waiting = starting.get(pod.getMetadata().getName());
        if (waiting == null) return;
        ContainerStatus status = containerStatus(pod);
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if ("Running".equals(phase) && status != null && status.getState().getRunning() != null && pod.getStatus().getPodIP() != null) {
            waiting.complete(pod);
        } else if ("Failed".equals(phase) || "Succeeded".equals(phase)
                || (status != null && status.getState().getTerminated() != null)) {
            waiting.completeExceptionally(new ProviderException("pod ended: " + describe(pod)));
        } else if (status != null && status.getState().getWaiting() != null
                && HOPELESS.contains(status.getState().getWaiting().getReason())) {
            ContainerStateWaiting why = status.getState().getWaiting();
            waiting.completeExceptionally(new ProviderException(why.getReason() + ": " + why.getMessage()));
        } else if (unschedulable(pod) != null) {
            // The pool launches again at its next round; a start that waited here would hold a launch slot for minutes.
            waiting.completeExceptionally(new ProviderException("the scheduler finds no node for it: " + unschedulable(pod)));
        }
    }

    private final class Watcher implements ResourceEventHandler<Pod> {
        @Override
        public void onAdd(Pod pod) {
            observe(pod);
        }

        @Override
        public void onUpdate(Pod before, Pod pod) {
            observe(pod);
        }

        @Override
        public void onDelete(Pod pod, boolean finalStateUnknown) {
            String id = pod.getMetadata().getName();
            CompletableFuture<Pod> waiting = starting.get(id);
            if (waiting != null) waiting.completeExceptionally(new ProviderException("pod " + id + " was deleted while starting"));
            CompletableFuture<Void> gone = removing.get(id);
            if (gone != null) gone.complete(null);
            CompletableFuture<Void> ended = stopping.get(id);
            if (ended != null) ended.complete(null);
            log.debug("pod {} is gone", id);
        }
    }

    private static ContainerState createdState(String id, ContainerSpec spec) {
        return new ContainerState(id, spec.name(), ContainerState.Status.CREATED, spec.labels(), null, 0, null, false);
    }

    static ContainerState state(Pod pod) {
        var meta = pod.getMetadata();
        String name = meta.getAnnotations() == null ? meta.getName() : meta.getAnnotations().getOrDefault(PodSpecs.ANNOTATION_NAME, meta.getName());
        Map<String, String> labels = meta.getLabels() == null ? Map.of() : meta.getLabels();
        ContainerStatus status = containerStatus(pod);
        String phase = pod.getStatus() == null ? "Pending" : pod.getStatus().getPhase();
        ContainerStateTerminated ended = status == null ? null : status.getState().getTerminated();
        ContainerState.Status state;
        if (meta.getDeletionTimestamp() != null) state = ContainerState.Status.REMOVING;
        else if (ended != null || "Failed".equals(phase) || "Succeeded".equals(phase)) state = ContainerState.Status.EXITED;
        else if ("Running".equals(phase) && status != null && status.getState().getRunning() != null) state = ContainerState.Status.RUNNING;
        else state = ContainerState.Status.CREATED;
        Instant started = status != null && status.getState().getRunning() != null && status.getState().getRunning().getStartedAt() != null
                ? Instant.parse(status.getState().getRunning().getStartedAt()) : null;
        String address = state == ContainerState.Status.RUNNING ? pod.getStatus().getPodIP() : null;
        return new ContainerState(meta.getName(), name, state, labels, started, ended == null ? 0 : ended.getExitCode(), address,
                ended != null && "OOMKilled".equals(ended.getReason()));
    }

    /** The scheduler's reason when it found no node for the pod (e.g. "0/1 nodes are available: 1 Insufficient cpu"), else null. */
    private static String unschedulable(Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getConditions() == null) return null;
        return pod.getStatus().getConditions().stream()
                .filter(c -> "PodScheduled".equals(c.getType()) && "False".equals(c.getStatus()) && "Unschedulable".equals(c.getReason()))
                .map(c -> c.getMessage() == null ? "Unschedulable" : c.getMessage()).findFirst().orElse(null);
    }

    private static ContainerStatus containerStatus(Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) return null;
        return pod.getStatus().getContainerStatuses().stream().filter(s -> PodSpecs.CONTAINER.equals(s.getName())).findFirst().orElse(null);
    }

    private static String describe(Pod pod) {
        ContainerStatus status = containerStatus(pod);
        ContainerStateTerminated ended = status == null ? null : status.getState().getTerminated();
        return "phase " + pod.getStatus().getPhase() + (ended == null ? "" : ", exit " + ended.getExitCode() + " (" + ended.getReason()
                + (ended.getMessage() == null ? "" : ": " + ended.getMessage().strip()) + ")");
    }
}
