package dev.warmbox.it;

import dev.warmbox.kube.KubeNode;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.util.UUID;

/**
 * A namespace of its own on the single-node Kubernetes that {@code scripts/kubernetes.sh start} runs, for one
 * test class; deleted (with everything in it) when closed. A node that does not answer fails the test, never
 * skips it. The kubeconfig is {@link KubeNode}'s: {@code -Dwarmbox.it.kubeconfig} or {@code WARMBOX_TEST_KUBECONFIG},
 * which scripts/test.sh exports.
 */
public final class KubeNamespace implements AutoCloseable {
    private final KubernetesClient client;
    private final String name;

    private KubeNamespace(KubernetesClient client, String name) {
        this.client = client;
        this.name = name;
    }

    /** The node's kubeconfig, found as {@link KubeNode#kubeconfig()} finds it (test.sh exports it). */
    public static Path kubeconfig() {
        return KubeNode.kubeconfig();
    }

    /** Creates {@code <prefix>-<random>}, labelled warmbox.it=true. */
    public static KubeNamespace create(String prefix) {
        KubernetesClient client = KubeNode.connect();
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
