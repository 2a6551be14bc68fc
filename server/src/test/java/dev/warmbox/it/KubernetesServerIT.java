package dev.warmbox.it;

import dev.warmbox.kube.KubeNode;
import dev.warmbox.kube.TestNamespace;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A whole server with {@code WARMBOX_PROVIDER=kubernetes} on the real single-node Kubernetes, in a namespace of
 * its own: a leftover pod of its instance swept at start-up, pools warm as pods, /execute warm in all four
 * languages, the scrub between executions in the same pod, a pod deleted from outside replaced, the
 * development-environment routes refused with 400, and no pod of it left after it stops.
 */
@Tag("kubernetes")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubernetesServerIT {
    private static final Map<String, String> HELLO = Map.of(
            "python", "print('hello')",
            "javascript", "console.log('hello')",
            "go", "package main\nimport \"fmt\"\nfunc main() { fmt.Println(\"hello\") }\n",
            "java", "public class Main { public static void main(String[] a) { System.out.println(\"hello\"); } }");
    private static TestNamespace namespace;
    private static RunningServer server;
    private static final String INSTANCE = RunningServer.newInstanceId();
    private static final String LEFTOVER = "warmbox-" + INSTANCE + "-python-leftover";

    @BeforeAll
    static void start() {
        namespace = TestNamespace.create("warmbox-server-it");
        namespace.client().pods().inNamespace(namespace.name()).resource(new PodBuilder()
                .withNewMetadata().withName(LEFTOVER).addToLabels(Map.of("warmbox.managed", "true", "warmbox.owner", INSTANCE)).endMetadata()
                .withNewSpec().withAutomountServiceAccountToken(false).withTerminationGracePeriodSeconds(0L).addNewContainer().withName("sandbox")
                    .withImage(prefix() + "python:latest").withImagePullPolicy("Never").endContainer().endSpec()
                .build()).create();
        Map<String, String> env = new HashMap<>(Map.of(
                "WARMBOX_PROVIDER", "kubernetes",
                "WARMBOX_KUBECONFIG", KubeNode.kubeconfig().toString(),
                "WARMBOX_KUBERNETES_NAMESPACE", namespace.name(),
                "WARMBOX_INSTANCE_ID", INSTANCE,
                "WARMBOX_IMAGE_PREFIX", prefix(),
                "WARM_POOL_HEALTH_CHECK_INTERVAL", "1"));
        server = new RunningServer(env);
        Awaits.warm(server);
    }

    @AfterAll
    static void stop() {
        try {
            if (server != null) {
                server.close();
                assertThat(sandboxPods()).as("the server removes its pods when it stops").isEmpty();
            }
        } finally {
            if (namespace != null) namespace.close();
        }
    }

    @Test
    @Order(1)
    void aLeftoverPodOfThisInstanceWasSweptAtStartUp() {
        assertThat(sandboxPods()).extracting(pod -> pod.getMetadata().getName()).doesNotContain(LEFTOVER)
                .as("one pod per language, labelled as containers are").hasSize(4);
        assertThat(sandboxPods()).extracting(pod -> pod.getMetadata().getLabels().get("warmbox.runtime"))
                .containsExactlyInAnyOrder("python", "javascript", "go", "java");
    }

    @Test
    @Order(2)
    void everyLanguageRunsWarmThroughItsPod() {
        for (var hello : HELLO.entrySet()) {
            JsonNode r = server.execute(Map.of("language", hello.getKey(), "code", hello.getValue()));
            assertThat(r.get("stdout").asText()).as("%s: %s", hello.getKey(), r).isEqualTo("hello\n");
            assertThat(r.get("exit_code").asInt()).isZero();
            assertThat(r.get("pool").asText()).as("%s from its warm pod", hello.getKey()).isEqualTo("hit");
        }
    }

    @Test
    @Order(3)
    void theNextExecutionInThePodSeesNothingThePreviousLeft() {
        JsonNode first = server.execute(Map.of("language", "python", "code", """
                open('/tmp/left', 'w').write('x'); open('/workspace/left', 'w').write('x'); open('/home/sandbox/left', 'w').write('x')
                import os; print(os.getuid())
                """));
        assertThat(first.get("stdout").asText()).as("user code is not root").isEqualTo("10000\n");
        await().atMost(Duration.ofSeconds(30)).until(() -> Awaits.allAvailable(server.status()));

        JsonNode next = server.execute(Map.of("language", "python", "code",
                "import os\nprint([os.path.exists(p + '/left') for p in ('/tmp', '/workspace', '/home/sandbox')])"));
        assertThat(next.get("pool").asText()).isEqualTo("hit");
        assertThat(next.get("stdout").asText()).as("the pool has one python pod: the same one, scrubbed").isEqualTo("[False, False, False]\n");
    }

    @Test
    @Order(4)
    void aPodDeletedFromOutsideIsReplaced() {
        Pod python = sandboxPods().stream().filter(pod -> "python".equals(pod.getMetadata().getLabels().get("warmbox.runtime")))
                .findFirst().orElseThrow();

        namespace.client().pods().inNamespace(namespace.name()).resource(python).withGracePeriod(0).delete();

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> sandboxPods().stream()
                .anyMatch(pod -> "python".equals(pod.getMetadata().getLabels().get("warmbox.runtime"))
                        && !pod.getMetadata().getName().equals(python.getMetadata().getName())
                        && "Running".equals(pod.getStatus().getPhase())));
        Awaits.warm(server);
        JsonNode r = server.execute(Map.of("language", "python", "code", "print('again')"));
        assertThat(r.get("stdout").asText()).isEqualTo("again\n");
        assertThat(r.get("pool").asText()).isEqualTo("hit");
    }

    @Test
    @Order(5)
    void developmentEnvironmentsAreRefusedWith400NamingWhatKubernetesLacks() {
        var answer = server.get("/api/v1/projects");

        assertThat(answer.statusCode()).isEqualTo(400);
        assertThat(answer.body()).contains("unsupported_by_provider").contains("SNAPSHOTS").contains("docs/kubernetes.md");
        assertThat(server.get("/api/v1/api-keys").statusCode()).as("API keys are not development environments'").isEqualTo(200);
    }

    private static List<Pod> sandboxPods() {
        return namespace.client().pods().inNamespace(namespace.name()).withLabel("warmbox.owner", INSTANCE).list().getItems().stream()
                .filter(pod -> pod.getMetadata().getDeletionTimestamp() == null).toList();
    }

    private static String prefix() {
        return Optional.ofNullable(System.getenv("WARMBOX_IMAGE_PREFIX")).orElse("warmbox/runtime-");
    }
}
