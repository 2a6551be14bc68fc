package dev.warmbox.kube;

import dev.warmbox.it.Docker;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The real single-node Kubernetes the integration tests run against: the one {@code scripts/kubernetes.sh}
 * builds and starts, which {@code scripts/test.sh} starts before the suite and names in
 * {@value #KUBECONFIG_VARIABLE}. Missing, unreadable or not Ready: the test fails, never skips.
 */
public final class KubeNode {
    /** The system property naming the node's admin kubeconfig; wins over the variable. */
    public static final String KUBECONFIG_PROPERTY = "warmbox.it.kubeconfig";
    /** The environment variable naming the node's admin kubeconfig (set by scripts/test.sh). */
    public static final String KUBECONFIG_VARIABLE = "WARMBOX_TEST_KUBECONFIG";
    /** The one node's name (the kubelet's --hostname-override). */
    public static final String NODE_NAME = "localhost";
    private static final String HOW_TO_START = "run ./scripts/test.sh, which builds and starts it, or "
            + "'scripts/kubernetes.sh build && scripts/kubernetes.sh start' and set " + KUBECONFIG_VARIABLE
            + "=$(scripts/kubernetes.sh kubeconfig)";

    private KubeNode() {}

    /** The admin kubeconfig of the node, from the property or the variable; fails naming both when neither is set. */
    public static Path kubeconfig() {
        String named = System.getProperty(KUBECONFIG_PROPERTY, System.getenv(KUBECONFIG_VARIABLE));
        if (named == null || named.isBlank()) {
            throw new AssertionError("the Kubernetes tests need a running node and neither -D" + KUBECONFIG_PROPERTY
                    + " nor " + KUBECONFIG_VARIABLE + " names its kubeconfig; " + HOW_TO_START);
        }
        Path path = Path.of(named);
        if (!Files.isReadable(path)) {
            throw new AssertionError("the node's kubeconfig " + path + " is not there (is the node stopped?); " + HOW_TO_START);
        }
        return path;
    }

    /**
     * A client for the node, which the caller closes; fails unless the node answers and is Ready. It
     * talks to the node's API server on loopback with the admin's client certificate.
     */
    public static KubernetesClient connect() {
        Path kubeconfig = kubeconfig();
        Config config;
        try {
            config = Config.fromKubeconfig(null, Files.readString(kubeconfig), kubeconfig.toString());
        } catch (IOException e) {
            throw new AssertionError("cannot read the node's kubeconfig " + kubeconfig, e);
        }
        KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
        try {
            requireReady(client, kubeconfig);
            return client;
        } catch (RuntimeException | AssertionError e) {
            client.close();
            throw e;
        }
    }

    private static void requireReady(KubernetesClient client, Path kubeconfig) {
        Node node;
        try {
            node = client.nodes().withName(NODE_NAME).get();
        } catch (KubernetesClientException e) {
            throw new AssertionError("the Kubernetes node of " + kubeconfig + " does not answer (" + e.getMessage()
                    + "); " + HOW_TO_START, e);
        }
        boolean ready = node != null && node.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
        if (!ready) {
            throw new AssertionError("the Kubernetes node '" + NODE_NAME + "' of " + kubeconfig + " is not Ready: "
                    + (node == null ? "no such node" : node.getStatus().getConditions()) + "; " + HOW_TO_START);
        }
    }

    /**
     * The ids of the containers on the machine's Docker engine that carry the label (a {@code docker ps
     * --filter label=} value): the kubelet's dockershim labels every container of a pod with its
     * namespace, name and uid ({@code io.kubernetes.pod.namespace}, {@code .name}, {@code .uid}).
     */
    public static List<String> engineContainers(String label) {
        return Arrays.stream(Docker.run("ps", "-aq", "--no-trunc", "--filter", "label=" + label).split("\n"))
                .map(String::strip).filter(id -> !id.isEmpty()).toList();
    }
}
