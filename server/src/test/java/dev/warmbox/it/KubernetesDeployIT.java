package dev.warmbox.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warmbox.config.DatabaseSettings;
import dev.warmbox.kube.KubeNode;
import dev.warmbox.store.TestDatabase;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The manifests of {@code deploy/kubernetes} applied to the real single-node Kubernetes with {@code kubectl apply -k},
 * through the test overlay {@code src/test/resources/kubernetes/single-node} (the host's network, one replica; see
 * there why) and an overlay generated here naming this run's namespace, image tag and port. The server image is
 * built from this checkout's jar; the database is the suite's PostgreSQL on loopback. The server runs as the pod
 * the Deployment makes, with the ServiceAccount and Role of the manifests, and serves /execute warm through sandbox
 * pods it created itself. docs/kubernetes.md#deploying says what this does and does not verify.
 */
@Tag("kubernetes")
class KubernetesDeployIT {
    private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(10);
    private static final Duration SERVER_READY = Duration.ofMinutes(3);
    private static final String API_KEY = "wb_deploy_test_" + UUID.randomUUID().toString().replace("-", "");
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String NAMESPACE = "wb-deploy-it-" + RUN;
    private static final String IMAGE_TAG = "deploy-it-" + RUN;
    private static final String SERVICE_ACCOUNT = "system:serviceaccount:" + NAMESPACE + ":warmbox-server";
    private static final Map<String, String> SERVER_LABELS = Map.of("app.kubernetes.io/name", "warmbox", "app.kubernetes.io/component", "server");
    private static final int STALE_PORT = 9999;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final Path root = Path.of("").toAbsolutePath().getParent();
    private static KubernetesClient client;
    private static TestDatabase database;
    private static Path overlay;
    private static int port;
    private static Pod server;

    @BeforeAll
    static void deploy() throws IOException {
        client = KubeNode.connect();
        Path jar = root.resolve("server/target/warmbox-server.jar");
        if (!Files.isRegularFile(jar)) throw new AssertionError(jar + " is missing: this test runs after `package`");
        run(List.of("docker", "build", "-q", "-t", "warmbox/server:" + IMAGE_TAG, "-f", root.resolve("Dockerfile").toString(), root.toString()));
        database = TestDatabase.create(TestDatabase.Kind.POSTGRESQL);
        port = freeLoopbackPort();
        overlay = writeOverlay();
        client.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata().withName(NAMESPACE)
                .addToLabels("warmbox.it", "true").endMetadata().build()).create();
        createSecrets((DatabaseSettings.Postgres) database.settings());
        // As a previous server would have left it, outdated: the server must read and update it (the Role's get, update).
        client.network().v1().networkPolicies().inNamespace(NAMESPACE).resource(new NetworkPolicyBuilder().withNewMetadata()
                .withName("warmbox-sandboxes").endMetadata().withNewSpec().withNewPodSelector().addToMatchLabels("warmbox.network", "none")
                .endPodSelector().addNewIngress().addNewPort().withPort(new IntOrString(STALE_PORT)).endPort().endIngress().endSpec()
                .build()).create();

        long applied = System.nanoTime();
        kubectl("apply", "-k", overlay.toString());

        server = awaitServerReady();
        System.out.printf("KubernetesDeployIT: kubectl apply -k to the server pod ready (its pools warm) in %d ms%n",
                Duration.ofNanos(System.nanoTime() - applied).toMillis());
    }

    @AfterAll
    static void tearDown() {
        List<String> left = new ArrayList<>();
        try {
            if (client != null && client.namespaces().withName(NAMESPACE).get() != null) {
                // The Deployment first: its server stops gracefully and removes its sandbox pods; then the namespace.
                client.apps().deployments().inNamespace(NAMESPACE).withName("warmbox-server").delete();
                await("the server pod gone").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
                        .until(() -> client.pods().inNamespace(NAMESPACE).withLabels(SERVER_LABELS).list().getItems().isEmpty());
                if (server != null) {
                    left.addAll(client.pods().inNamespace(NAMESPACE).withLabel("warmbox.owner", server.getMetadata().getName()).list().getItems()
                            .stream().filter(pod -> pod.getMetadata().getDeletionTimestamp() == null).map(pod -> "pod " + pod.getMetadata().getName()).toList());
                    client.secrets().inNamespace(NAMESPACE).withLabel("warmbox.owner", server.getMetadata().getName()).list().getItems()
                            .forEach(secret -> left.add("secret " + secret.getMetadata().getName()));
                }
                client.pods().inNamespace(NAMESPACE).delete();
                await("the pods of " + NAMESPACE + " gone").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
                        .until(() -> client.pods().inNamespace(NAMESPACE).list().getItems().isEmpty());
                client.namespaces().withName(NAMESPACE).delete();
                await("namespace " + NAMESPACE + " deleted").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
                        .until(() -> client.namespaces().withName(NAMESPACE).get() == null);
                await("no engine container of " + NAMESPACE).atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
                        .until(() -> KubeNode.engineContainers("io.kubernetes.pod.namespace=" + NAMESPACE).isEmpty());
            }
        } finally {
            try {
                if (database != null) database.close();
                tryRun(List.of("docker", "rmi", "warmbox/server:" + IMAGE_TAG));
                if (overlay != null) deleteRecursively(overlay);
            } finally {
                if (client != null) client.close();
            }
        }
        assertThat(left).as("the server pod, stopping, removed its sandbox pods and their Secrets (the Role's delete verbs)").isEmpty();
    }

    @Test
    void theServerPodOfTheManifestsServesExecuteWarmThroughPodsItCreated() throws Exception {
        JsonNode first = execute("python", "import os; print(os.getuid())");
        assertThat(first.get("stdout").asText()).as("%s", first).isEqualTo("10000\n");
        assertThat(first.get("pool").asText()).isEqualTo("hit");
        JsonNode js = execute("javascript", "console.log('hello')");
        assertThat(js.get("stdout").asText()).as("%s", js).isEqualTo("hello\n");
        assertThat(js.get("pool").asText()).isEqualTo("hit");

        String instance = server.getMetadata().getName();
        List<Pod> sandboxes = client.pods().inNamespace(NAMESPACE).withLabel("warmbox.owner", instance).list().getItems();
        assertThat(sandboxes).as("WARMBOX_INSTANCE_ID is the pod's name (downward API): its sandboxes carry it")
                .extracting(pod -> pod.getMetadata().getLabels().get("warmbox.runtime"))
                .contains("python", "javascript", "go", "java");
        assertThat(sandboxes).as("sandbox pods are not server pods").allSatisfy(pod ->
                assertThat(pod.getMetadata().getLabels()).doesNotContainKey("app.kubernetes.io/name"));
        assertThat(client.pods().inNamespace(NAMESPACE).withName(instance).getLog().toLowerCase(java.util.Locale.ROOT)).as("no call of the server refused by its Role").doesNotContain("forbidden");
    }

    @Test
    void theSandboxPolicyTheServerMadeAdmitsTheDeploymentsPodsAndOnlyThem() {
        NetworkPolicy policy = client.network().v1().networkPolicies().inNamespace(NAMESPACE).withName("warmbox-sandboxes").get();
        assertThat(policy.getSpec().getIngress().get(0).getPorts()).as("brought up to date by the server at start-up, with the Role's verbs")
                .extracting(port -> port.getPort().getIntVal()).containsExactly(7070);
        Map<String, String> admitted = policy.getSpec().getIngress().get(0).getFrom().get(0).getPodSelector().getMatchLabels();
        assertThat(server.getMetadata().getLabels()).as("the Deployment's pod template carries what the policy admits")
                .containsAllEntriesOf(admitted);
        Map<String, String> sandboxes = policy.getSpec().getPodSelector().getMatchLabels();
        assertThat(client.pods().inNamespace(NAMESPACE).withLabels(sandboxes).list().getItems()).as("the sandboxes it selects")
                .isNotEmpty().allSatisfy(pod -> assertThat(pod.getMetadata().getLabels()).doesNotContainKeys(admitted.keySet().toArray(String[]::new)));
        assertThat(client.network().v1().networkPolicies().inNamespace(NAMESPACE).withName("warmbox-server").get().getSpec()
                .getPodSelector().getMatchLabels()).as("the manifests' policy selects the server pods").isEqualTo(SERVER_LABELS);
    }

    @Test
    void theServiceAccountMayDoWhatTheProviderDoesInItsNamespaceAndNothingElse() {
        for (String allowed : List.of("create pods", "delete pods", "list pods", "watch pods", "create secrets", "get secrets",
                "update secrets", "delete secrets", "create networkpolicies.networking.k8s.io", "update networkpolicies.networking.k8s.io")) {
            assertThat(canI(allowed, NAMESPACE)).as("%s in %s", allowed, NAMESPACE).isTrue();
        }
        for (String refused : List.of("list secrets", "watch secrets", "update pods", "patch pods", "create pods --subresource=exec", "create pods --subresource=portforward",
                "create deployments.apps", "delete networkpolicies.networking.k8s.io", "create roles.rbac.authorization.k8s.io",
                "create rolebindings.rbac.authorization.k8s.io", "create serviceaccounts --subresource=token", "get pods --subresource=log")) {
            assertThat(canI(refused, NAMESPACE)).as("%s in %s", refused, NAMESPACE).isFalse();
        }
        for (String refused : List.of("create pods", "list pods", "get secrets", "create secrets")) {
            assertThat(canI(refused, "default")).as("%s in default", refused).isFalse();
            assertThat(canI(refused, "kube-system")).as("%s in kube-system", refused).isFalse();
        }
        for (String refused : List.of("list nodes", "list namespaces", "create namespaces", "list pods --all-namespaces")) {
            assertThat(canI(refused, null)).as("%s cluster-wide", refused).isFalse();
        }
    }

    @Test
    void theServerPodRunsHardened() {
        PodSpec spec = server.getSpec();
        Container container = spec.getContainers().get(0);
        assertThat(spec.getServiceAccountName()).isEqualTo("warmbox-server");
        assertThat(spec.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(spec.getSecurityContext().getRunAsUser()).isEqualTo(10001L);
        assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(container.getSecurityContext().getPrivileged()).isFalse();
        assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(container.getResources().getLimits()).containsKey("memory");
        assertThat(container.getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/health/ready");
        assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/health/live");
        String java = Docker.run("top", serverContainerId(), "-eo", "pid,uid,args").lines()
                .filter(line -> line.contains("warmbox-server.jar")).findFirst().orElseThrow();
        assertThat(java.strip().split("\\s+")[1]).as("java runs as the image's user warmbox").isEqualTo("10001");
    }

    private static JsonNode execute(String language, String code) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/execute"))
                .header("Content-Type", "application/json").header("X-API-Key", API_KEY).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("language", language, "code", code)))).build();
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as("POST /execute: %s", response.body()).isEqualTo(200);
            return JSON.readTree(response.body());
        }
    }

    /** {@code kubectl auth can-i} as the Deployment's service account; {@code namespace} null: cluster-wide. */
    private static boolean canI(String what, String namespace) {
        List<String> command = new ArrayList<>(List.of("auth", "can-i"));
        command.addAll(List.of(what.split(" ")));
        command.addAll(List.of("--as=" + SERVICE_ACCOUNT));
        if (namespace != null) command.addAll(List.of("-n", namespace));
        Result result = tryRun(kubectlCommand(command.toArray(String[]::new)));
        if (result.output().strip().endsWith("yes")) return true;
        if (result.output().strip().endsWith("no")) return false;
        throw new AssertionError("kubectl auth can-i " + what + " answered neither yes nor no: " + result.output());
    }

    /** Until the Deployment's one pod runs and is ready (its pools warm); fails at once when it cannot start or restarts. */
    private static Pod awaitServerReady() {
        try {
            await("the server pod of the Deployment ready").atMost(SERVER_READY).pollInterval(Duration.ofMillis(500)).until(() -> {
                List<Pod> pods = client.pods().inNamespace(NAMESPACE).withLabels(SERVER_LABELS).list().getItems();
                for (Pod pod : pods) {
                    for (ContainerStatus status : pod.getStatus().getContainerStatuses() == null ? List.<ContainerStatus>of()
                            : pod.getStatus().getContainerStatuses()) {
                        var waiting = status.getState().getWaiting();
                        if (status.getRestartCount() > 0 || (waiting != null && !"ContainerCreating".equals(waiting.getReason()))) {
                            throw new AssertionError("the server pod " + pod.getMetadata().getName() + " does not start: " + status.getState()
                                    + ", restarts " + status.getRestartCount() + "\n" + logs(pod));
                        }
                    }
                }
                boolean running = pods.size() == 1 && pods.get(0).getStatus().getContainerStatuses() != null
                        && pods.get(0).getStatus().getContainerStatuses().stream().allMatch(status -> status.getState().getRunning() != null);
                if (running && logs(pods.get(0)).toLowerCase(java.util.Locale.ROOT).contains("forbidden")) {
                    throw new AssertionError("the server pod's calls are refused by its Role:\n" + logs(pods.get(0)));
                }
                return running && pods.get(0).getStatus().getContainerStatuses().stream().allMatch(ContainerStatus::getReady);
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            List<Pod> pods = client.pods().inNamespace(NAMESPACE).withLabels(SERVER_LABELS).list().getItems();
            throw new AssertionError("the server pod was not ready within " + SERVER_READY + ": "
                    + pods.stream().map(KubernetesDeployIT::logs).toList(), e);
        }
        return client.pods().inNamespace(NAMESPACE).withLabels(SERVER_LABELS).list().getItems().get(0);
    }

    private static String logs(Pod pod) {
        try {
            return client.pods().inNamespace(NAMESPACE).withName(pod.getMetadata().getName()).tailingLines(40).getLog();
        } catch (RuntimeException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static String serverContainerId() {
        String id = server.getStatus().getContainerStatuses().get(0).getContainerID();
        return id.substring(id.indexOf("://") + 3);
    }

    private static void createSecrets(DatabaseSettings.Postgres db) {
        client.secrets().inNamespace(NAMESPACE).resource(new SecretBuilder().withNewMetadata().withName("warmbox-database").endMetadata()
                .addToStringData("url", db.jdbcUrl()).addToStringData("user", db.user())
                .addToStringData("password", db.password().orElse("")).build()).create();
        client.secrets().inNamespace(NAMESPACE).resource(new SecretBuilder().withNewMetadata().withName("warmbox-api-key").endMetadata()
                .addToStringData("api-key", API_KEY).build()).create();
    }

    /**
     * This run's overlay on top of the test one, under server/target (kustomize takes bases by relative path only):
     * the namespace (the kustomize of kubectl 1.20 does not rename a Namespace object, so a patch does), the image
     * tag, and the port on the host's network.
     */
    private static Path writeOverlay() throws IOException {
        Path dir = root.resolve("server/target/deploy-it-" + RUN);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("kustomization.yaml"), """
                namespace: %s
                bases:
                  - ../../src/test/resources/kubernetes/single-node
                images:
                  - name: warmbox/server
                    newTag: %s
                patchesStrategicMerge:
                  - port-env.yaml
                patchesJson6902:
                  - target: {group: apps, version: v1, kind: Deployment, name: warmbox-server}
                    path: port.yaml
                  - target: {version: v1, kind: Namespace, name: warmbox}
                    path: namespace.yaml
                """.formatted(NAMESPACE, IMAGE_TAG));
        Files.writeString(dir.resolve("port.yaml"), """
                - op: replace
                  path: /spec/template/spec/containers/0/ports/0/containerPort
                  value: %d
                """.formatted(port));
        Files.writeString(dir.resolve("namespace.yaml"), """
                - op: replace
                  path: /metadata/name
                  value: %s
                """.formatted(NAMESPACE));
        Files.writeString(dir.resolve("port-env.yaml"), """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: warmbox-server
                spec:
                  template:
                    spec:
                      containers:
                        - name: server
                          env:
                            - name: WARMBOX_PORT
                              value: "%d"
                """.formatted(port));
        return dir;
    }

    private static String kubectl(String... args) {
        Result result = tryRun(kubectlCommand(args));
        if (result.exit() != 0) throw new AssertionError("kubectl " + String.join(" ", args) + " exited " + result.exit() + ":\n" + result.output());
        return result.output();
    }

    /** The node's own kubectl (scripts/kubernetes.sh keeps it in bin/ next to node/, where the kubeconfig is). */
    private static List<String> kubectlCommand(String... args) {
        Path kubeconfig = KubeNode.kubeconfig().toAbsolutePath();
        Path nodeKubectl = kubeconfig.getParent().getParent().resolve("bin/kubectl");
        List<String> command = new ArrayList<>(List.of(Files.isExecutable(nodeKubectl) ? nodeKubectl.toString() : "kubectl",
                "--kubeconfig", kubeconfig.toString()));
        command.addAll(List.of(args));
        return command;
    }

    private record Result(int exit, String output) {}

    private static void run(List<String> command) {
        Result result = tryRun(command);
        if (result.exit() != 0) throw new AssertionError(String.join(" ", command) + " exited " + result.exit() + ":\n" + result.output());
    }

    private static Result tryRun(List<String> command) {
        Path output = null;
        try {
            output = Files.createTempFile("warmbox-deploy-it-", ".out");
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!process.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish within " + COMMAND_TIMEOUT);
            }
            return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } finally {
            if (output != null) output.toFile().delete();
        }
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> entries = Files.walk(dir)) {
            entries.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // Already gone.
        }
    }
}
