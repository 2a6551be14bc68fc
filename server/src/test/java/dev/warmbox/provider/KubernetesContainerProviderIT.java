package dev.warmbox.provider;

import dev.warmbox.config.KubernetesSettings;
import dev.warmbox.kube.KubeNode;
import dev.warmbox.kube.TestNamespace;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

/**
 * The provider contract on the real single-node Kubernetes, in a namespace of its own: the lifecycle, inspect and
 * list as pods, and every capability refused (Kubernetes offers none of them); a node that does not answer fails.
 */
@Tag("kubernetes")
class KubernetesContainerProviderIT extends ContainerProviderContract {
    private static TestNamespace namespace;
    private static KubernetesContainerProvider pods;

    @BeforeAll
    static void namespaceOfItsOwn() {
        namespace = TestNamespace.create("warmbox-provider-it");
        pods = KubernetesContainerProvider.connect(new KubernetesSettings(namespace.name(), Optional.of(KubeNode.kubeconfig()),
                Optional.empty(), "Never"), 7070);
    }

    @AfterAll
    static void deleteIt() {
        if (pods != null) pods.close();
        if (namespace != null) namespace.close();
    }

    @Override
    protected ContainerProvider provider() {
        return pods;
    }

    @Override
    protected String runnableImage() {
        return "debian:trixie-slim";
    }

    /** Never called: Kubernetes offers no isolated network, so no test makes one. */
    @Override
    protected void removeNetwork(String name) {
        throw new AssertionError("no network was made on Kubernetes: " + name);
    }
}
