package dev.warmbox.kube;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.PodResource;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/**
 * A namespace of the node that one test owns: created with a unique name, and deleted with everything in
 * it by {@link #close()}, which also waits until the engine holds no container of it any more (and fails
 * the test when one is left).
 */
public final class TestNamespace implements AutoCloseable {
    /** Every test namespace carries this label, so that leftovers of a killed run can be found. */
    public static final String LABEL = "dev.warmbox.test";
    static final Duration POD_DEADLINE = Duration.ofSeconds(90);
    static final Duration CLEANUP_DEADLINE = Duration.ofMinutes(2);
    /** Waiting reasons after which a container will not start by itself: awaiting Running stops at once. */
    private static final Set<String> STUCK = Set.of("ErrImageNeverPull", "ErrImagePull", "ImagePullBackOff",
            "InvalidImageName", "CreateContainerConfigError", "CreateContainerError", "CrashLoopBackOff",
            "RunContainerError");

    private final KubernetesClient client;
    private final String name;
    /** Whether {@link #close()} also closes the client: the one {@link #create(String)} connected for it. */
    private final boolean ownsClient;

    private TestNamespace(KubernetesClient client, String name, boolean ownsClient) {
        this.client = client;
        this.name = name;
        this.ownsClient = ownsClient;
    }

    /** {@link #create(KubernetesClient, String)} with a client of its own to the node, closed with the namespace. */
    public static TestNamespace create(String test) {
        KubernetesClient client = KubeNode.connect();
        try {
            return create(client, test, true);
        } catch (RuntimeException | AssertionError e) {
            client.close();
            throw e;
        }
    }

    /** Creates a namespace named after the test ({@code wb-<test>-<random>}, within Kubernetes' 63 characters). */
    public static TestNamespace create(KubernetesClient client, String test) {
        return create(client, test, false);
    }

    private static TestNamespace create(KubernetesClient client, String test, boolean ownsClient) {
        String slug = test.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
        slug = slug.substring(0, Math.min(slug.length(), 40)).replaceAll("(^-+|-+$)", "");
        String name = "wb-" + slug + "-" + UUID.randomUUID().toString().substring(0, 8);
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name)
                .addToLabels(LABEL, slug.isEmpty() ? "test" : slug).endMetadata().build()).create();
        return new TestNamespace(client, name, ownsClient);
    }

    public String name() {
        return name;
    }

    public KubernetesClient client() {
        return client;
    }

    public PodResource pod(String pod) {
        return client.pods().inNamespace(name).withName(pod);
    }

    /** Creates the pod in this namespace. */
    public Pod apply(Pod pod) {
        return client.pods().inNamespace(name).resource(pod).create();
    }

    /** Until the pod runs with all its containers ready; fails at once when a container is stuck (e.g. ErrImageNeverPull). */
    public Pod awaitRunning(String pod) {
        await("pod " + name + "/" + pod + " Running and ready").atMost(POD_DEADLINE).pollInterval(Duration.ofMillis(100))
                .until(() -> runningAndReady(notStuck(pod(pod).get())));
        return pod(pod).get();
    }

    /** Until the API server has no such pod and the engine no container of it. */
    public void awaitGone(String pod, String uid) {
        await("pod " + name + "/" + pod + " gone").atMost(POD_DEADLINE).pollInterval(Duration.ofMillis(200))
                .until(() -> pod(pod).get() == null && KubeNode.engineContainers("io.kubernetes.pod.uid=" + uid).isEmpty());
    }

    /**
     * Deletes the namespace and waits until the API server and the engine hold nothing of it. The pods go
     * first: a namespace deleted with pods still terminating waits for the namespace controller's retries,
     * which back off to over 10 s (28 s measured against 15 + 5 s this way).
     */
    @Override
    public void close() {
        try {
            deleteAndAwaitNothingLeft();
        } finally {
            if (ownsClient) client.close();
        }
    }

    private void deleteAndAwaitNothingLeft() {
        client.pods().inNamespace(name).delete();
        await("pods of namespace " + name + " deleted").atMost(CLEANUP_DEADLINE).pollInterval(Duration.ofMillis(250))
                .until(() -> client.pods().inNamespace(name).list().getItems().isEmpty());
        client.namespaces().withName(name).delete();
        await("namespace " + name + " deleted with its pods").atMost(CLEANUP_DEADLINE).pollInterval(Duration.ofMillis(250))
                .until(() -> client.namespaces().withName(name).get() == null);
        await("no engine container of namespace " + name).atMost(CLEANUP_DEADLINE).pollInterval(Duration.ofMillis(250))
                .until(() -> containersOnEngine().isEmpty());
    }

    /** The containers of this namespace's pods on the engine (sandboxes included), by dockershim's label. */
    public List<String> containersOnEngine() {
        return KubeNode.engineContainers("io.kubernetes.pod.namespace=" + name);
    }

    private static boolean runningAndReady(Pod pod) {
        return pod != null && "Running".equals(pod.getStatus().getPhase())
                && pod.getStatus().getContainerStatuses().stream().allMatch(ContainerStatus::getReady);
    }

    private static Pod notStuck(Pod pod) {
        if (pod == null || pod.getStatus() == null) return pod;
        for (ContainerStatus status : pod.getStatus().getContainerStatuses()) {
            var waiting = status.getState().getWaiting();
            if (waiting != null && STUCK.contains(waiting.getReason())) {
                throw new AssertionError("container " + status.getName() + " of pod " + pod.getMetadata().getNamespace() + "/"
                        + pod.getMetadata().getName() + " will not start: " + waiting.getReason() + ": " + waiting.getMessage());
            }
        }
        return pod;
    }
}
