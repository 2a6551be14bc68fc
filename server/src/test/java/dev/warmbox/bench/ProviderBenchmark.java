package dev.warmbox.bench;

import dev.warmbox.it.RunningServer;
import dev.warmbox.kube.KubeNode;
import dev.warmbox.kube.TestNamespace;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Warm latency of a hello world through Docker's containers and through Kubernetes' pods: two servers side by side
 * on the same machine (the single node of {@code scripts/kubernetes.sh start} runs its pods on the same engine),
 * requests alternating between them so that both see the same load, each paced 50 ms as in
 * {@link ExecutionBenchmark}'s warm row. Prints percentiles per provider and language, and the ratio of the p50s.
 *
 * <p>Run with {@code ./scripts/bench-kubernetes.sh [iterations]}.
 */
public final class ProviderBenchmark {
    private static final Map<String, String> HELLO = new LinkedHashMap<>();
    private static final int PACE_MS = 50;

    static {
        HELLO.put("python", "print('hello')");
        HELLO.put("javascript", "console.log('hello')");
        HELLO.put("go", "package main\nimport \"fmt\"\nfunc main() { fmt.Println(\"hello\") }\n");
        HELLO.put("java", "public class Main { public static void main(String[] a) { System.out.println(\"hello\"); } }\n");
    }

    private ProviderBenchmark() {}

    public static void main(String[] args) throws Exception {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        Map<String, String> common = new HashMap<>(Map.of("WARM_POOL_SIZE_PER_RUNTIME", "2"));
        Optional.ofNullable(System.getenv("WARMBOX_IMAGE_PREFIX")).ifPresent(prefix -> common.put("WARMBOX_IMAGE_PREFIX", prefix));
        try (TestNamespace namespace = TestNamespace.create("warmbox-bench");
             RunningServer docker = new RunningServer(common);
             RunningServer pods = new RunningServer(kubernetes(common, namespace))) {
            docker.awaitReady(Duration.ofMinutes(5));
            pods.awaitReady(Duration.ofMinutes(5));
            List<Row> rows = new ArrayList<>();
            for (var hello : HELLO.entrySet()) {
                measure(docker, pods, hello.getKey(), hello.getValue(), 10);
                double[][] both = measure(docker, pods, hello.getKey(), hello.getValue(), iterations);
                rows.add(new Row("docker", hello.getKey(), both[0]));
                rows.add(new Row("kubernetes", hello.getKey(), both[1]));
            }
            print(rows);
        }
    }

    private static Map<String, String> kubernetes(Map<String, String> common, TestNamespace namespace) {
        Map<String, String> kubernetes = new HashMap<>(common);
        kubernetes.putAll(Map.of("WARMBOX_PROVIDER", "kubernetes", "WARMBOX_KUBECONFIG", KubeNode.kubeconfig().toString(),
                "WARMBOX_KUBERNETES_NAMESPACE", namespace.name()));
        return kubernetes;
    }

    /** Alternates the two servers request by request, so both see the same load on the machine. */
    private static double[][] measure(RunningServer docker, RunningServer pods, String language, String code, int n)
            throws InterruptedException {
        double[][] millis = new double[2][n];
        for (int i = 0; i < n; i++) {
            millis[0][i] = once(docker, language, code);
            millis[1][i] = once(pods, language, code);
        }
        return millis;
    }

    private static double once(RunningServer server, String language, String code) throws InterruptedException {
        Thread.sleep(PACE_MS);
        long start = System.nanoTime();
        var result = server.execute(Map.of("language", language, "code", code));
        double millis = (System.nanoTime() - start) / 1e6;
        if (!"hello\n".equals(result.get("stdout").asText())) throw new IllegalStateException("wrong output: " + result);
        if (!"hit".equals(result.get("pool").asText())) throw new IllegalStateException("not warm: " + result);
        return millis;
    }

    private static void print(List<Row> rows) {
        System.out.printf("%n%-11s %-11s %6s %9s %9s %9s %9s%n", "provider", "language", "n", "p50 ms", "p90 ms", "p99 ms", "mean ms");
        for (Row r : rows) {
            System.out.printf("%-11s %-11s %6d %9.1f %9.1f %9.1f %9.1f%n", r.provider, r.language, r.millis.length,
                    r.percentile(50), r.percentile(90), r.percentile(99), Arrays.stream(r.millis).average().orElse(0));
        }
        System.out.println();
        for (String language : HELLO.keySet()) {
            Row docker = rows.stream().filter(r -> r.provider.equals("docker") && r.language.equals(language)).findFirst().orElseThrow();
            Row pods = rows.stream().filter(r -> r.provider.equals("kubernetes") && r.language.equals(language)).findFirst().orElseThrow();
            System.out.printf("%-11s warm p50 through a pod / through Docker = %4.2fx%n", language, pods.percentile(50) / docker.percentile(50));
        }
    }

    private record Row(String provider, String language, double[] millis) {
        double percentile(int p) {
            double[] sorted = millis.clone();
            Arrays.sort(sorted);
            return LoadStats.percentile(sorted, p);
        }
    }
}
