package dev.warmbox.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.warmbox.config.KubernetesSettings;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The pod a spec becomes, its Secret and the namespace's NetworkPolicy, and the provider's life from its watch,
 * against fabric8's mock API server (CRUD mode: what is created is stored and watched, no kubelet runs, so the
 * test plays the kubelet by writing the pod's status). The real node is {@code KubernetesSandboxesIT}'s.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesContainerProviderTest {
    static final String NAMESPACE = "warmbox-test";
    KubernetesClient client;
    private KubernetesContainerProvider provider;

    @BeforeEach
    void provider() {
        provider = new KubernetesContainerProvider(client, new KubernetesSettings(NAMESPACE, Optional.empty(), Optional.of("gvisor"), "Never"),
                7070);
    }

    @AfterEach
    void closeProvider() {
        provider.close();
    }

    @Test
    void aSandboxSpecBecomesAHardenedPodWithItsSecretMountedForRootAlone() {
        String id = provider.create(sandboxSpec("warmbox-It_1-python-0a1b2c3d"));
        startAsTheKubeletWould(id, "10.1.2.3");

        Pod pod = client.pods().inNamespace(NAMESPACE).withName(id).get();
        assertThat(id).as("a DNS name for a spec name with capitals and '_'").isEqualTo("warmbox-it-1-python-0a1b2c3d");
        assertThat(pod.getMetadata().getLabels()).containsEntry("warmbox.owner", "It_1").containsEntry("warmbox.network", "none");
        assertThat(pod.getMetadata().getAnnotations()).containsEntry(PodSpecs.ANNOTATION_NAME, "warmbox-It_1-python-0a1b2c3d");
        var spec = pod.getSpec();
        assertThat(spec.getAutomountServiceAccountToken()).as("no service-account token in a sandbox").isFalse();
        assertThat(spec.getEnableServiceLinks()).isFalse();
        assertThat(spec.getShareProcessNamespace()).as("the pause container reaps orphans as Docker's init does").isTrue();
        assertThat(spec.getRuntimeClassName()).isEqualTo("gvisor");
        assertThat(spec.getRestartPolicy()).isEqualTo("Never");
        assertThat(spec.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        var container = spec.getContainers().getFirst();
        assertThat(container.getImagePullPolicy()).isEqualTo("Never");
        assertThat(container.getArgs()).containsExactly("-listen", "tcp:7070", "-secret-file", "/run/warmbox-secret/agent-secret");
        var security = container.getSecurityContext();
        assertThat(security.getReadOnlyRootFilesystem()).isTrue();
        assertThat(security.getAllowPrivilegeEscalation()).isFalse();
        assertThat(security.getPrivileged()).isFalse();
        assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(security.getCapabilities().getAdd()).containsExactly("CHOWN", "DAC_OVERRIDE", "FOWNER", "KILL", "SETUID", "SETGID");
        assertThat(container.getResources().getLimits()).containsEntry("memory", new Quantity(Long.toString(512L << 20)))
                .containsEntry("cpu", new Quantity("1000m"));
        Map<String, Volume> volumes = spec.getVolumes().stream().collect(Collectors.toMap(Volume::getName, v -> v));
        Map<String, String> mounts = container.getVolumeMounts().stream().collect(Collectors.toMap(VolumeMount::getMountPath, VolumeMount::getName));
        assertThat(mounts).containsOnlyKeys("/workspace", "/tmp", "/home/sandbox", "/dev/shm", "/run/warmbox-secret");
        for (String place : List.of("/workspace", "/tmp", "/home/sandbox", "/dev/shm")) {
            var emptyDir = volumes.get(mounts.get(place)).getEmptyDir();
            assertThat(emptyDir.getMedium()).as("%s is memory-backed", place).isEqualTo("Memory");
            assertThat(emptyDir.getSizeLimit()).as("%s is size-capped", place).isEqualTo(new Quantity(Long.toString(64L << 20)));
        }
        var secretVolume = volumes.get(mounts.get("/run/warmbox-secret")).getSecret();
        assertThat(secretVolume.getDefaultMode()).as("root alone reads the secret").isEqualTo(0400);
        assertThat(secretVolume.getItems().getFirst().getPath()).isEqualTo("agent-secret");

        Secret secret = client.secrets().inNamespace(NAMESPACE).withName(id + "-agent").get();
        assertThat(secret.getMetadata().getOwnerReferences()).as("removed with its pod, whoever removes that")
                .singleElement().satisfies(owner -> assertThat(owner.getName()).isEqualTo(id));
        assertThat(secret.getMetadata().getLabels()).containsEntry("warmbox.owner", "It_1");
    }

    @Test
    void theNamespaceGetsAPolicyDenyingSandboxEgressAndAdmittingTheServerAlone() {
        var policy = client.network().v1().networkPolicies().inNamespace(NAMESPACE).withName(PodSpecs.NETWORK_POLICY).get();

        assertThat(policy.getSpec().getPodSelector().getMatchLabels()).containsExactly(Map.entry("warmbox.network", "none"));
        assertThat(policy.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
        assertThat(policy.getSpec().getEgress()).as("no egress rule: nothing out").isEmpty();
        var from = policy.getSpec().getIngress().getFirst();
        assertThat(from.getFrom().getFirst().getPodSelector().getMatchLabels()).isEqualTo(PodSpecs.SERVER_POD);
        assertThat(from.getPorts().getFirst().getPort().getIntVal()).isEqualTo(7070);
    }

    @Test
    void inspectAndListComeFromTheWatchAndSeeAPodDeletedFromOutside() {
        String id = provider.create(sandboxSpec("warmbox-t-python-1"));
        assertThat(provider.inspect(id).orElseThrow().status()).as("created, not started").isEqualTo(ContainerState.Status.CREATED);
        startAsTheKubeletWould(id, "10.1.2.4");

        ContainerState state = provider.inspect(id).orElseThrow();
        assertThat(state.running()).isTrue();
        assertThat(state.ipAddress()).isEqualTo("10.1.2.4");
        assertThat(state.name()).isEqualTo("warmbox-t-python-1");
        assertThat(provider.list(Map.of("warmbox.owner", "It_1"))).extracting(ContainerState::id).containsExactly(id);
        assertThat(provider.list(Map.of("warmbox.owner", "someone-else"))).isEmpty();

        client.pods().inNamespace(NAMESPACE).withName(id).withGracePeriod(0).delete();
        await().atMost(Duration.ofSeconds(10)).until(() -> provider.inspect(id).isEmpty());
        assertThat(provider.list(Map.of())).isEmpty();
    }

    @Test
    void removeDeletesThePodAndItsSecretAndAMissingOneIsFine() {
        String id = provider.create(sandboxSpec("warmbox-t-python-2"));
        startAsTheKubeletWould(id, "10.1.2.5");

        provider.remove(id);

        assertThat(provider.inspect(id)).isEmpty();
        assertThat(client.pods().inNamespace(NAMESPACE).withName(id).get()).isNull();
        assertThat(client.secrets().inNamespace(NAMESPACE).withName(id + "-agent").get()).isNull();
        provider.remove(id);
    }

    @Test
    void aPodThatCannotGetItsImageFailsItsStartNamingTheReason() {
        String id = provider.create(sandboxSpec("warmbox-t-python-3"));
        CompletableFuture<Void> start = CompletableFuture.runAsync(() -> provider.start(id));
        Pod pod = await().atMost(Duration.ofSeconds(10)).until(() -> client.pods().inNamespace(NAMESPACE).withName(id).get(), p -> p != null);
        pod.setStatus(new PodStatusBuilder().withPhase("Pending").withContainerStatuses(new ContainerStatusBuilder().withName(PodSpecs.CONTAINER)
                .withState(new ContainerStateBuilder().withNewWaiting().withReason("ErrImageNeverPull")
                        .withMessage("image \"warmbox/runtime-python:latest\" is not present").endWaiting().build()).build()).build());
        client.pods().inNamespace(NAMESPACE).resource(pod).updateStatus();

        assertThatThrownBy(start::join).hasCauseInstanceOf(ProviderException.class).hasMessageContaining("ErrImageNeverPull")
                .hasMessageContaining("warmbox/runtime-python:latest");
    }

    @Test
    void aPodNoNodeCanTakeFailsItsStartWithTheSchedulersReason() {
        String id = provider.create(sandboxSpec("warmbox-t-python-4"));
        CompletableFuture<Void> start = CompletableFuture.runAsync(() -> provider.start(id));
        Pod pod = await().atMost(Duration.ofSeconds(10)).until(() -> client.pods().inNamespace(NAMESPACE).withName(id).get(), p -> p != null);
        pod.setStatus(new PodStatusBuilder().withPhase("Pending").addNewCondition().withType("PodScheduled").withStatus("False")
                .withReason("Unschedulable").withMessage("0/1 nodes are available: 1 Insufficient cpu.").endCondition().build());
        client.pods().inNamespace(NAMESPACE).resource(pod).updateStatus();

        assertThatThrownBy(start::join).hasCauseInstanceOf(ProviderException.class).hasMessageContaining("Insufficient cpu");
    }

    @Test
    void whatKubernetesLacksIsRefusedNamingTheCapability() {
        assertThat(provider.capabilities()).isEmpty();
        assertThat(provider.agentReach()).isEqualTo(AgentReach.TCP);
        assertThatThrownBy(() -> provider.stop("x", Duration.ZERO)).isInstanceOf(UnsupportedCapabilityException.class)
                .hasMessageContaining("SUSPEND_RESUME");
        assertThatThrownBy(() -> provider.commit("x", "y", Map.of())).hasMessageContaining("SNAPSHOTS");
        assertThatThrownBy(() -> provider.exec("x", new ExecSpec(List.of("true"), null, null, List.of(), Duration.ofSeconds(1))))
                .hasMessageContaining("EXEC");
        assertThatThrownBy(() -> provider.ensureIsolatedNetwork("n", Map.of())).hasMessageContaining("ISOLATED_NETWORK");
        ContainerSpec bound = new ContainerSpec("warmbox-t-bound", "img", Map.of(), List.of(), List.of(), null,
                new ContainerSpec.Limits(0, 0, 0, 0), false, Map.of(), List.of(new ContainerSpec.Bind("/host", "/in", false)), "none",
                null, true, null, true);
        assertThatThrownBy(() -> provider.create(bound)).isInstanceOf(ProviderException.class).hasMessageContaining("/host");
    }

    /** Plays the kubelet: once the pod exists, marks it running at {@code address}; returns when start did. */
    private void startAsTheKubeletWould(String id, String address) {
        CompletableFuture<Void> start = CompletableFuture.runAsync(() -> provider.start(id));
        Pod pod = await().atMost(Duration.ofSeconds(10)).until(() -> client.pods().inNamespace(NAMESPACE).withName(id).get(), p -> p != null);
        pod.setStatus(new PodStatusBuilder().withPhase("Running").withPodIP(address).withContainerStatuses(new ContainerStatusBuilder()
                .withName(PodSpecs.CONTAINER).withState(new ContainerStateBuilder().withNewRunning().withStartedAt("2026-12-07T22:00:00Z")
                        .endRunning().build()).build()).build());
        client.pods().inNamespace(NAMESPACE).resource(pod).updateStatus();
        start.join();
    }

    /** What SandboxBlueprint.tcpSpec makes for a python sandbox with the default limits. */
    static ContainerSpec sandboxSpec(String name) {
        String user = ",uid=10000,gid=10000,mode=0755";
        return new ContainerSpec(name, "warmbox/runtime-python:latest",
                Map.of("warmbox.managed", "true", "warmbox.owner", "It_1", "warmbox.runtime", "python", "warmbox.purpose", "pool"),
                List.of(), List.of("-listen", "tcp:7070", "-secret-file", "/run/warmbox-secret/agent-secret"), null,
                new ContainerSpec.Limits(512L << 20, 1_000_000_000L, 256, 64L << 20), true,
                Map.of("/workspace", "rw,exec,nosuid,nodev,size=" + (64L << 20) + user,
                        "/tmp", "rw,noexec,nosuid,nodev,size=" + (64L << 20) + ",mode=1777",
                        "/home/sandbox", "rw,noexec,nosuid,nodev,size=" + (64L << 20) + user),
                List.of(), "none", List.of("CHOWN", "DAC_OVERRIDE", "FOWNER", "KILL", "SETUID", "SETGID"), true, null, true,
                new ContainerSpec.SecretFile("/run/warmbox-secret/agent-secret", "s".repeat(64)));
    }
}
