package dev.warmbox.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warmbox.it.Docker;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node the Kubernetes provider runs on, proven with what the provider needs of it: a pod from a local
 * sandbox image (no registry, {@code imagePullPolicy: Never}) runs with the sandbox hardening, answers over
 * TCP at its pod IP from the host, takes exec and gives its logs, and leaves nothing on the engine once
 * deleted, alone or with its namespace. Each test has a namespace of its own ({@link TestNamespace}).
 */
class KubernetesNodeIT {
    private static final String IMAGE = "warmbox/runtime-python:latest";
    private static final int PORT = 8080;
    private static final long SANDBOX_UID = 10000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static KubernetesClient client;
    private TestNamespace namespace;

    @BeforeAll
    static void connect() {
        client = KubeNode.connect();
    }

    @AfterAll
    static void disconnect() {
        if (client != null) client.close();
    }

    @BeforeEach
    void createNamespace(TestInfo test) {
        namespace = TestNamespace.create(client, test.getTestMethod().orElseThrow().getName());
    }

    @AfterEach
    void deleteNamespace() {
        if (namespace != null) namespace.close();
    }

    /**
     * A pod hardened as the issue asks for sandboxes: not root, no service-account token, read-only root
     * with a memory-backed emptyDir for /tmp, every capability dropped, no privilege escalation, limits.
     * It serves /tmp over HTTP on its pod IP.
     */
    static Pod hardenedPod(String name) {
        return new PodBuilder()
                .withNewMetadata().withName(name).addToLabels("app", name).endMetadata()
                .withNewSpec()
                    .withAutomountServiceAccountToken(false).withEnableServiceLinks(false)
                    .withRestartPolicy("Never").withTerminationGracePeriodSeconds(1L)
                    .withNewSecurityContext().withRunAsNonRoot(true).withRunAsUser(SANDBOX_UID).withRunAsGroup(SANDBOX_UID)
                    .endSecurityContext()
                    .addNewContainer().withName("app").withImage(IMAGE).withImagePullPolicy("Never")
                        .withCommand("python3", "-u", "-m", "http.server", String.valueOf(PORT), "--directory", "/tmp")
                        .addNewPort().withContainerPort(PORT).endPort()
                        .withNewReadinessProbe().withNewTcpSocket().withNewPort(PORT).endTcpSocket()
                            .withPeriodSeconds(1).endReadinessProbe()
                        .withNewSecurityContext().withReadOnlyRootFilesystem(true).withAllowPrivilegeEscalation(false)
                            .withPrivileged(false).withNewCapabilities().addToDrop("ALL").endCapabilities()
                        .endSecurityContext()
                        .withNewResources()
                            .addToLimits(Map.of("memory", new Quantity("128Mi"), "cpu", new Quantity("500m")))
                            .addToRequests(Map.of("memory", new Quantity("64Mi"), "cpu", new Quantity("100m")))
                        .endResources()
                        .addNewVolumeMount().withName("tmp").withMountPath("/tmp").endVolumeMount()
                    .endContainer()
                    .addNewVolume().withName("tmp").withNewEmptyDir().withMedium("Memory").withSizeLimit(new Quantity("16Mi"))
                        .endEmptyDir().endVolume()
                .endSpec().build();
    }

    @Test
    void hardenedPodFromALocalImageAnswersOverTcpAtItsPodIpAndTakesExecAndLogs() throws Exception {
        Pod pod = namespace.apply(hardenedPod("sandbox"));
        Pod running = namespace.awaitRunning("sandbox");
        String ip = running.getStatus().getPodIP();
        assertThat(ip).as("a pod IP on the engine's bridge").matches("\\d+\\.\\d+\\.\\d+\\.\\d+").isNotEqualTo("127.0.0.1");

        Exec written = exec("sandbox", "sh", "-c", "echo from-the-pod > /tmp/greeting.txt");
        assertThat(written.code()).as("the emptyDir at /tmp is writable: %s", written).isZero();
        HttpResponse<String> response = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build().send(
                HttpRequest.newBuilder(URI.create("http://" + ip + ":" + PORT + "/greeting.txt")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).as("served from the pod's IP to the host").isEqualTo("from-the-pod\n");

        JsonNode container = inspect(pod, "app");
        JsonNode host = container.get("HostConfig");
        assertThat(host.get("ReadonlyRootfs").asBoolean()).as("read-only root").isTrue();
        assertThat(host.get("CapDrop").toString()).as("capabilities dropped").contains("ALL");
        assertThat(host.get("SecurityOpt").toString()).as("no privilege escalation").contains("no-new-privileges");
        assertThat(host.get("Privileged").asBoolean()).isFalse();
        assertThat(host.get("Memory").asLong()).as("memory limit").isEqualTo(128L << 20);
        assertThat(host.get("CpuQuota").asLong() * 1000 / host.get("CpuPeriod").asLong()).as("cpu limit in millicores").isEqualTo(500);
        assertThat(container.get("Config").get("User").asText()).as("the sandbox user").startsWith(String.valueOf(SANDBOX_UID));

        Exec inside = exec("sandbox", "sh", "-c", "id -u; grep ' /tmp ' /proc/mounts | cut -d' ' -f3; "
                + "ls /var/run/secrets/kubernetes.io 2>&1 >/dev/null | wc -l; touch /not-allowed 2>&1; echo $?");
        assertThat(inside.stdout().split("\n")).as("%s", inside).containsExactly(
                String.valueOf(SANDBOX_UID), "tmpfs", "1", "touch: cannot touch '/not-allowed': Read-only file system", "1");

        Exec failing = exec("sandbox", "sh", "-c", "echo out; echo err >&2; exit 3");
        assertThat(failing).as("exec's exit code and both streams").isEqualTo(new Exec(3, "out\n", "err\n"));
        // http.server logs each request on stderr, which the kubelet keeps as the container's log.
        await("the request in the pod's log").atMost(Duration.ofSeconds(30))
                .until(() -> namespace.pod("sandbox").getLog(), log -> log.contains("\"GET /greeting.txt HTTP/1.1\" 200"));
    }

    @Test
    void aDeletedPodIsGoneFromTheApiAndTheEngine() {
        Pod pod = namespace.apply(hardenedPod("doomed"));
        namespace.awaitRunning("doomed");
        String uid = namespace.pod("doomed").get().getMetadata().getUid();
        assertThat(KubeNode.engineContainers("io.kubernetes.pod.uid=" + uid)).as("the pod's sandbox and container").hasSize(2);

        namespace.pod(pod.getMetadata().getName()).delete();
        namespace.awaitGone("doomed", uid);
    }

    @Test
    void deletingTheNamespaceLeavesNothingOfItsPodsOnTheEngine() {
        namespace.apply(hardenedPod("first"));
        namespace.apply(hardenedPod("second"));
        namespace.awaitRunning("first");
        namespace.awaitRunning("second");
        assertThat(namespace.containersOnEngine()).as("two pods: two sandboxes, two containers").hasSize(4);

        // The namespace alone, pods still in it: the namespace controller deletes them, the kubelet their containers.
        client.namespaces().withName(namespace.name()).delete();
        await("namespace deleted with its pods").atMost(TestNamespace.CLEANUP_DEADLINE).pollInterval(Duration.ofMillis(250))
                .until(() -> client.namespaces().withName(namespace.name()).get() == null);
        await("the engine holding nothing of the namespace").atMost(TestNamespace.CLEANUP_DEADLINE)
                .until(namespace::containersOnEngine, List::isEmpty);
        namespace = null;
    }

    /**
     * There is one node per engine, and a stop of another directory's node (a checkout run with another
     * WARMBOX_KUBE_DIR) must not take this node's pods with it: it finds this kubelet running and leaves
     * the engine's containers and the cgroups alone.
     */
    @Test
    void stoppingANodeOfAnotherDirectoryLeavesThisNodesPodsAlone(@TempDir Path otherDirectory) throws Exception {
        namespace.apply(hardenedPod("survivor"));
        String uid = namespace.awaitRunning("survivor").getMetadata().getUid();

        var builder = new ProcessBuilder(root().resolve("scripts/kubernetes.sh").toString(), "stop").redirectErrorStream(true)
                .redirectOutput(otherDirectory.resolve("stop.log").toFile());
        builder.environment().put("WARMBOX_KUBE_DIR", otherDirectory.toString());
        Process stop = builder.start();
        assertThat(stop.waitFor(60, TimeUnit.SECONDS)).as("stop within a minute").isTrue();
        String output = Files.readString(otherDirectory.resolve("stop.log"));
        assertThat(stop.exitValue()).as(output).isZero();
        assertThat(output).contains("another kubelet runs");
        assertThat(KubeNode.engineContainers("io.kubernetes.pod.uid=" + uid)).as("the pod's sandbox and container").hasSize(2);
        assertThat(exec("survivor", "true").code()).isZero();
    }

    private static Path root() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("scripts/kubernetes.sh"))) return d;
        }
        throw new AssertionError("scripts/kubernetes.sh not found above " + Path.of("").toAbsolutePath());
    }

    private JsonNode inspect(Pod pod, String container) throws Exception {
        var ids = KubeNode.engineContainers("io.kubernetes.pod.uid=" + namespace.pod(pod.getMetadata().getName()).get().getMetadata().getUid());
        for (String id : ids) {
            JsonNode inspected = JSON.readTree(Docker.run("inspect", id)).get(0);
            if (container.equals(inspected.get("Config").get("Labels").path("io.kubernetes.container.name").asText())) return inspected;
        }
        throw new AssertionError("no engine container '" + container + "' among " + ids);
    }

    record Exec(int code, String stdout, String stderr) {}

    private Exec exec(String pod, String... command) throws Exception {
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        try (ExecWatch watch = namespace.pod(pod).writingOutput(out).writingError(err).exec(command)) {
            int code = watch.exitCode().get(30, TimeUnit.SECONDS);
            return new Exec(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }
    }
}
