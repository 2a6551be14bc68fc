package dev.warmbox.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * Where execution sandboxes run when {@code WARMBOX_PROVIDER=kubernetes} (docs/kubernetes.md).
 *
 * @param namespace        the namespace of the sandbox pods, their Secrets and their NetworkPolicy
 * @param kubeconfig       the kubeconfig file (WARMBOX_KUBECONFIG, else KUBECONFIG); empty: the in-cluster service
 *                         account, or ~/.kube/config
 * @param runtimeClassName the pods' RuntimeClass (e.g. gVisor's where a cluster has one); empty: the node's default
 * @param imagePullPolicy  Never (images loaded onto the nodes, the default), IfNotPresent or Always
 */
public record KubernetesSettings(String namespace, Optional<Path> kubeconfig, Optional<String> runtimeClassName,
                                 String imagePullPolicy) {
    private static final Set<String> PULL_POLICIES = Set.of("Never", "IfNotPresent", "Always");
    private static final String DNS_LABEL = "[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?";

    public KubernetesSettings {
        if (!namespace.matches(DNS_LABEL)) {
            throw new ConfigException("WARMBOX_KUBERNETES_NAMESPACE must be a namespace name (lower-case letters, digits, '-'), got '"
                    + namespace + "'");
        }
        runtimeClassName.ifPresent(name -> {
            if (!name.matches("[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?")) {
                throw new ConfigException("WARMBOX_KUBERNETES_RUNTIME_CLASS must be a RuntimeClass name, got '" + name + "'");
            }
        });
        if (!PULL_POLICIES.contains(imagePullPolicy)) {
            throw new ConfigException("WARMBOX_KUBERNETES_IMAGE_PULL_POLICY must be one of Never, IfNotPresent, Always, got '"
                    + imagePullPolicy + "'");
        }
    }

    /** @param used whether the Kubernetes provider is chosen: only then must the kubeconfig named exist */
    static KubernetesSettings from(Variables v, boolean used) {
        Optional<String> kubeconfigVariable = v.string("WARMBOX_KUBECONFIG").isPresent() ? Optional.of("WARMBOX_KUBECONFIG")
                : v.string("KUBECONFIG").map(any -> "KUBECONFIG");
        Optional<Path> kubeconfig = kubeconfigVariable.flatMap(v::string).map(Path::of);
        kubeconfig.ifPresent(file -> {
            if (used && !Files.isReadable(file)) {
                throw new ConfigException(kubeconfigVariable.get() + " names " + file + ", which is not a readable file");
            }
        });
        return new KubernetesSettings(
                v.string("WARMBOX_KUBERNETES_NAMESPACE", "warmbox"),
                kubeconfig,
                v.string("WARMBOX_KUBERNETES_RUNTIME_CLASS"),
                v.string("WARMBOX_KUBERNETES_IMAGE_PULL_POLICY", "Never"));
    }
}
