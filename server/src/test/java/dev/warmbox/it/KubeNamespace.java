package dev.warmbox.it;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;

/**
 * A namespace of its own on the single-node Kubernetes that {@code scripts/kubernetes.sh start} runs, for one
 * test class; deleted (with everything in it) when closed. A node that does not answer fails the test, never
 * skips it. The kubeconfig: {@code WARMBOX_IT_KUBECONFIG}, else the node's administrator kubeconfig under
 * {@code WARMBOX_KUBE_DIR} (default /var/lib/warmbox/kubernetes).
 */
public final class KubeNamespace implements AutoCloseable {
    private final KubernetesClient client;
    private final String name;

    private KubeNamespace(KubernetesClient client, String name) {
        this.client = client;
        this.name = name;
    }

    public static Path kubeconfig() {
        Path file = Optional.ofNullable(System.getenv("WARMBOX_IT_KUBECONFIG")).map(Path::of)
                .orElseGet(() -> Path.of(Optional.ofNullable(System.getenv("WARMBOX_KUBE_DIR")).orElse("/var/lib/warmbox/kubernetes"),
                        "node", "admin.kubeconfig"));
        if (!Files.isReadable(file)) {
            throw new AssertionError("no kubeconfig at " + file + ": the Kubernetes tests need the node of `scripts/kubernetes.sh start` "
                    + "(or WARMBOX_IT_KUBECONFIG); they fail, never skip, without it");
        }
        return file;
    }

    /** Creates {@code <prefix>-<random>}, labelled warmbox.it=true. */
    public static KubeNamespace create(String prefix) {
        KubernetesClient client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfig().toFile())).build();
        String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        try {
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).addToLabels("warmbox.it", "true")
                    .endMetadata().build()).create();
        } catch (RuntimeException e) {
            client.close();
            throw new AssertionError("the Kubernetes node at " + kubeconfig() + " does not answer (scripts/kubernetes.sh start): " + e.getMessage(), e);
        }
        return new KubeNamespace(client, name);
    }

    public String name() {
        return name;
    }

    public KubernetesClient client() {
        return client;
    }

    /** Deletes the namespace; Kubernetes removes its pods, Secrets and policies with it. */
    @Override
    public void close() {
        try {
            client.namespaces().withName(name).delete();
        } finally {
            client.close();
        }
    }
}
