package dev.warmbox.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warmbox.config.KubernetesSettings;
import dev.warmbox.config.WarmboxConfig;
import dev.warmbox.kube.KubeNode;
import dev.warmbox.kube.TestNamespace;
import dev.warmbox.provider.ContainerSpec;
import dev.warmbox.provider.ContainerState;
import dev.warmbox.provider.DockerContainerProvider;
import dev.warmbox.provider.KubernetesContainerProvider;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The {@link SandboxesContract} with sandboxes as pods of the real single-node Kubernetes, their agents reached
 * over TCP at the pod's IP with their secret; and what TCP adds: a request without or with a wrong secret is
 * refused, and the sandbox user can neither read the secret nor drive its own agent. One namespace for the class,
 * deleted after; each test has its own instance id.
 */
@Tag("kubernetes")
class KubernetesSandboxesIT extends SandboxesContract {
    private static final String DOCKER_HOST = System.getenv().getOrDefault("DOCKER_HOST", "unix:///var/run/docker.sock");
    private static final ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("contract-agent-deadlines").daemon(true).unstarted(r));
    private static TestNamespace namespace;
    private static KubernetesContainerProvider pods;
    private static DockerContainerProvider engine;

    private final String instanceId = "it-" + UUID.randomUUID().toString().substring(0, 8);
    private SandboxSettings settings;
    private ContainerSandboxes sandboxes;

    @BeforeAll
    static void namespaceOfItsOwn() {
        namespace = TestNamespace.create("warmbox-sandboxes-it");
        pods = KubernetesContainerProvider.connect(new KubernetesSettings(namespace.name(), Optional.of(KubeNode.kubeconfig()),
                Optional.empty(), "Never"), SandboxBlueprint.AGENT_PORT);
        engine = new DockerContainerProvider(DOCKER_HOST);
    }

    @AfterAll
    static void deleteIt() {
        deadlines.shutdownNow();
        if (pods != null) pods.close();
        if (engine != null) engine.close();
        if (namespace != null) namespace.close();
    }

    @BeforeEach
    void sandboxesOfThisTest() {
        Map<String, String> env = new HashMap<>(Map.of("WARMBOX_INSTANCE_ID", instanceId));
        Optional.ofNullable(System.getenv("WARMBOX_IMAGE_PREFIX")).ifPresent(prefix -> env.put("WARMBOX_IMAGE_PREFIX", prefix));
        settings = SandboxSettings.from(WarmboxConfig.fromEnvironment(env));
        sandboxes = new ContainerSandboxes(pods, settings, new ObjectMapper(), deadlines, Clock.systemUTC());
    }

    @Override
    protected Sandboxes sandboxes() {
        return sandboxes;
    }

    /** Kills the pod's container on the engine the kubelet drives, as the OOM killer would; the pod is not restarted. */
    @Override
    protected void stopFromOutside(Sandbox sandbox) {
        List<ContainerState> containers = engine.list(Map.of("io.kubernetes.pod.name", sandbox.containerId(),
                "io.kubernetes.pod.namespace", namespace.name(), "io.kubernetes.container.name", "sandbox"));
        assertThat(containers).as("the kubelet's container of pod %s", sandbox.containerId()).hasSize(1);
        engine.stop(containers.getFirst().id(), Duration.ZERO);
        await("the watch sees the pod's container end").atMost(Duration.ofSeconds(30))
                .until(() -> pods.inspect(sandbox.containerId()).map(s -> !s.running()).orElse(true));
    }

    @Override
    protected String leaveStray() {
        String name = "warmbox-" + instanceId + "-stray";
        String id = pods.create(new ContainerSpec(name, settings.image(Language.PYTHON), SandboxBlueprint.ownedBy(instanceId), List.of(),
                List.of(), null, new ContainerSpec.Limits(0, 0, 0, 0), false, Map.of(), List.of(), "none", null, false, null, true));
        pods.start(id);
        return name;
    }

    @Test
    void aRequestWithoutOrWithAWrongSecretIsRefused() {
        Sandbox sandbox = sandboxes.launch(Language.PYTHON, false);
        AgentEndpoint.Tcp real = (AgentEndpoint.Tcp) sandbox.agent();
        AgentClient client = new AgentClient(new ObjectMapper(), deadlines);

        for (String wrong : List.of("", "0".repeat(64), real.secret().substring(1), real.secret() + "0")) {
            JsonNode answer = client.call(new AgentEndpoint.Tcp(real.host(), real.port(), wrong), Map.of("op", "ping"), Duration.ofSeconds(10),
                    64 * 1024);
            assertThat(answer.path("ok").asBoolean()).as("secret %s", wrong.isEmpty() ? "missing" : "wrong").isFalse();
            assertThat(answer.path("error").asText()).isEqualTo("unauthorized");
        }
        assertThat(client.call(real, Map.of("op", "ping"), Duration.ofSeconds(10), 64 * 1024).path("ok").asBoolean())
                .as("the sandbox's own secret").isTrue();
    }

    @Test
    void theSandboxUserCanNeitherReadTheSecretNorDriveItsOwnAgent() {
        Sandbox sandbox = sandboxes.launch(Language.PYTHON, false);
        String secret = ((AgentEndpoint.Tcp) sandbox.agent()).secret();

        StepResult run = sandboxes.execute(sandbox, new Job(Language.PYTHON, """
                import os, socket, glob
                paths = ['/run/warmbox-secret/agent-secret', '/proc/1/environ', '/proc/self/environ']
                paths += glob.glob('/proc/[0-9]*/environ') + glob.glob('/proc/[0-9]*/cmdline')
                for path in paths:
                    try:
                        print(path, open(path, 'rb').read().decode('latin-1'))
                    except OSError as e:
                        print(path, 'refused', e.errno)
                try:
                    print('listing', os.listdir('/run/warmbox-secret'))
                except OSError as e:
                    print('listing refused', e.errno)
                for line in ['', 'guess']:
                    s = socket.create_connection(('127.0.0.1', 7070), timeout=5)
                    s.sendall((line + '\\n{"op":"reset"}\\n').encode())
                    print('agent said', s.recv(4096).decode().strip())
                """, "", List.of(), List.of(), Duration.ofSeconds(20), Duration.ofSeconds(30), 1 << 20)).run();
        assertThat(run.exitCode()).as("the probing program ran to its end: %s", run.stderr()).isZero();
        String out = run.stdout();

        assertThat(out).as("nothing the program can read holds the secret").doesNotContain(secret);
        assertThat(out).contains("/run/warmbox-secret/agent-secret refused 13");
        assertThat(out).contains("agent said {\"error\":\"unauthorized\",\"ok\":false}");
        assertThat(out).doesNotContain("\"ok\":true");
        assertThat(sandboxes.check(sandbox)).as("the agent is unharmed").isEqualTo(Health.OK);
    }
}
