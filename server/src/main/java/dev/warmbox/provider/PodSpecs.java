package dev.warmbox.provider;

import dev.warmbox.config.KubernetesSettings;
import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.CapabilitiesBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A {@link ContainerSpec} as a Kubernetes pod, with the hardening Docker's containers get (docs/kubernetes.md):
 * no service-account token, a read-only root with memory-backed emptyDirs where the spec has tmpfs mounts,
 * every capability dropped but the spec's, no privilege escalation, the runtime's default seccomp profile,
 * memory and CPU limits, the shared process namespace standing in for Docker's init (the pause container
 * reaps orphans as PID 1), and the secret file as a Secret volume of mode 0400 owned by root. Pure: no client.
 */
final class PodSpecs {
    static final String CONTAINER = "sandbox";
    /** The spec's own name (a pod's name must be a DNS subdomain, the spec's may have capitals or '_'). */
    static final String ANNOTATION_NAME = "warmbox.dev/name";
    /** Which network policy selects the pod: the spec's networkMode ("none": no egress, the server only in). */
    static final String LABEL_NETWORK = "warmbox.network";
    static final String SECRET_KEY = "secret";
    /** The network policy every namespace holding sandboxes gets (created by the provider). */
    static final String NETWORK_POLICY = "warmbox-sandboxes";
    /** The label of the server's own pods, which the network policy admits to the agents. */
    static final Map<String, String> SERVER_POD = Map.of("app.kubernetes.io/name", "warmbox");
    /** What a pod asks the scheduler for; the limits are the spec's. Small, so a node holds whole pools. */
    static final long CPU_REQUEST_MILLIS = 50;
    static final long MEMORY_REQUEST_BYTES = 64L << 20;
    /**
     * How long a deleted pod's containers get after SIGTERM (the agent ends at once). Not 0: a pod deleted with
     * no grace leaves the API before the kubelet has stopped its containers.
     */
    static final long GRACE_SECONDS = 1;

    private PodSpecs() {}

    /** The pod name for a spec name: lower case, characters a DNS label allows. */
    static String podName(String specName) {
        String name = specName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]", "-");
        if (name.isEmpty() || !Character.isLetterOrDigit(name.charAt(0)) || !Character.isLetterOrDigit(name.charAt(name.length() - 1))
                || name.length() > 253) {
            throw new ProviderException("container name " + specName + " cannot be a Kubernetes pod name");
        }
        return name;
    }

    static String secretName(String podName) {
        return podName + "-agent";
    }

    static Pod pod(String podName, String namespace, ContainerSpec spec, KubernetesSettings settings) {
        if (!spec.binds().isEmpty()) {
            throw new ProviderException("cannot create pod " + podName + ": host directories (" + spec.binds().getFirst().hostPath()
                    + ") are not mounted on Kubernetes");
        }
        if (spec.networkMode() != null && !"none".equals(spec.networkMode())) {
            throw new UnsupportedCapabilityException(Capability.ISOLATED_NETWORK, "Kubernetes (network " + spec.networkMode() + ")");
        }
        Map<String, String> labels = new LinkedHashMap<>(spec.labels());
        if (spec.networkMode() != null) labels.put(LABEL_NETWORK, spec.networkMode());
        List<Volume> volumes = new ArrayList<>();
        List<VolumeMount> mounts = new ArrayList<>();
        memoryVolumes(spec, volumes, mounts);
        if (spec.secretFile() != null) secretVolume(podName, spec.secretFile(), volumes, mounts);
        return new PodBuilder()
                .withNewMetadata().withName(podName).withNamespace(namespace).withLabels(labels)
                    .addToAnnotations(ANNOTATION_NAME, spec.name()).endMetadata()
                .withNewSpec()
                    .withRestartPolicy("Never")
                    .withAutomountServiceAccountToken(false)
                    .withEnableServiceLinks(false)
                    .withShareProcessNamespace(spec.init())
                    .withTerminationGracePeriodSeconds(GRACE_SECONDS)
                    .withRuntimeClassName(settings.runtimeClassName().orElse(null))
                    .withNewSecurityContext().withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile().endSecurityContext()
                    .addNewContainer()
                        .withName(CONTAINER)
                        .withImage(spec.image())
                        .withImagePullPolicy(settings.imagePullPolicy())
                        .withArgs(spec.command())
                        .withEnv(env(spec.env()))
                        .withNewSecurityContext()
                            .withReadOnlyRootFilesystem(spec.readOnlyRootfs())
                            .withAllowPrivilegeEscalation(!spec.noNewPrivileges())
                            .withPrivileged(false)
                            .withRunAsUser(spec.user() == null ? null : Long.parseLong(spec.user()))
                            .withCapabilities(capabilities(spec.capAdd()))
                        .endSecurityContext()
                        .withNewResources()
                            .withLimits(limits(spec.limits()))
                            .withRequests(requests(spec.limits()))
                        .endResources()
                        .withVolumeMounts(mounts)
                    .endContainer()
                    .withVolumes(volumes)
                .endSpec()
                .build();
    }

    /** Docker's tmpfs mounts and its /dev/shm as memory-backed emptyDirs of the same size. */
    private static void memoryVolumes(ContainerSpec spec, List<Volume> volumes, List<VolumeMount> mounts) {
        Map<String, Long> places = new TreeMap<>();
        spec.tmpfs().forEach((path, options) -> places.put(path, sizeOption(options)));
        if (spec.limits().shmSizeBytes() > 0) places.put("/dev/shm", spec.limits().shmSizeBytes());
        int n = 0;
        for (var place : places.entrySet()) {
            String name = "tmpfs-" + n++;
            volumes.add(new VolumeBuilder().withName(name).withNewEmptyDir().withMedium("Memory")
                    .withSizeLimit(place.getValue() > 0 ? new Quantity(Long.toString(place.getValue())) : null).endEmptyDir().build());
            mounts.add(new VolumeMountBuilder().withName(name).withMountPath(place.getKey()).build());
        }
    }

    private static void secretVolume(String podName, ContainerSpec.SecretFile file, List<Volume> volumes, List<VolumeMount> mounts) {
        int slash = file.path().lastIndexOf('/');
        volumes.add(new VolumeBuilder().withName("agent-secret").withNewSecret().withSecretName(secretName(podName))
                .withDefaultMode(0400).addNewItem().withKey(SECRET_KEY).withPath(file.path().substring(slash + 1)).endItem()
                .endSecret().build());
        mounts.add(new VolumeMountBuilder().withName("agent-secret").withMountPath(slash == 0 ? "/" : file.path().substring(0, slash))
                .withReadOnly(true).build());
    }

    /** The Secret holding a pod's secret file, labelled as the pod is, so the sweep finds it too. */
    static Secret secret(String podName, String namespace, ContainerSpec spec) {
        return new SecretBuilder()
                .withNewMetadata().withName(secretName(podName)).withNamespace(namespace).withLabels(spec.labels()).endMetadata()
                .withType("Opaque")
                .addToStringData(SECRET_KEY, spec.secretFile().content())
                .build();
    }

    /** The Secret owned by its pod, so that Kubernetes removes it with the pod whoever removes that. */
    static Secret ownedBy(Secret secret, Pod pod) {
        return new SecretBuilder(secret).editMetadata().withOwnerReferences(new OwnerReferenceBuilder()
                .withApiVersion("v1").withKind("Pod").withName(pod.getMetadata().getName()).withUid(pod.getMetadata().getUid())
                .build()).endMetadata().build();
    }

    /**
     * Sandbox pods ({@code warmbox.network=none}) get no egress at all and admit only the server's pods,
     * on the agent's port: what Docker's {@code --network none} gives, as far as a pod can have it.
     */
    static NetworkPolicy sandboxPolicy(String namespace, int agentPort) {
        return new NetworkPolicyBuilder()
                .withNewMetadata().withName(NETWORK_POLICY).withNamespace(namespace).addToLabels("warmbox.managed", "true").endMetadata()
                .withNewSpec()
                    .withNewPodSelector().addToMatchLabels(LABEL_NETWORK, "none").endPodSelector()
                    .withPolicyTypes("Ingress", "Egress")
                    .addNewIngress()
                        .addNewFrom().withNewNamespaceSelector().endNamespaceSelector()
                            .withNewPodSelector().withMatchLabels(SERVER_POD).endPodSelector().endFrom()
                        .addNewPort().withProtocol("TCP").withPort(new io.fabric8.kubernetes.api.model.IntOrString(agentPort)).endPort()
                    .endIngress()
                .endSpec()
                .build();
    }

    static long sizeOption(String tmpfsOptions) {
        for (String option : tmpfsOptions.split(",")) {
            if (option.startsWith("size=")) return Long.parseLong(option.substring(5));
        }
        return 0;
    }

    private static List<EnvVar> env(List<String> pairs) {
        return pairs.stream().map(pair -> {
            int eq = pair.indexOf('=');
            return eq < 0 ? new EnvVar(pair, "", null) : new EnvVar(pair.substring(0, eq), pair.substring(eq + 1), null);
        }).toList();
    }

    private static Capabilities capabilities(List<String> capAdd) {
        if (capAdd == null) return null;
        return new CapabilitiesBuilder().withDrop("ALL").withAdd(capAdd).build();
    }

    private static Map<String, Quantity> limits(ContainerSpec.Limits limits) {
        Map<String, Quantity> out = new TreeMap<>();
        if (limits.memoryBytes() > 0) out.put("memory", new Quantity(Long.toString(limits.memoryBytes())));
        if (limits.nanoCpus() > 0) out.put("cpu", new Quantity(Math.max(1, limits.nanoCpus() / 1_000_000) + "m"));
        return out;
    }

    private static Map<String, Quantity> requests(ContainerSpec.Limits limits) {
        Map<String, Quantity> out = new TreeMap<>();
        long cpuLimit = limits.nanoCpus() > 0 ? Math.max(1, limits.nanoCpus() / 1_000_000) : Long.MAX_VALUE;
        out.put("cpu", new Quantity(Math.min(CPU_REQUEST_MILLIS, cpuLimit) + "m"));
        long memoryLimit = limits.memoryBytes() > 0 ? limits.memoryBytes() : Long.MAX_VALUE;
        out.put("memory", new Quantity(Long.toString(Math.min(MEMORY_REQUEST_BYTES, memoryLimit))));
        return out;
    }
}
