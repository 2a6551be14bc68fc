package dev.warmbox.bench;

import dev.warmbox.it.KubeNamespace;
import dev.warmbox.it.RunningServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Warm latency of a hello world through Docker's containers and through Kubernetes' pods, one server after the
 * other on the same machine in the same run (the single node of {@code scripts/kubernetes.sh start} runs its pods
 * on the same engine), requests paced 50 ms apart as in {@link ExecutionBenchmark}'s warm row. Prints percentiles
 * per provider and language, and the ratio of the p50s.
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
        List<Row> rows = new ArrayList<>();
        try (RunningServer docker = new RunningServer(common)) {
            rows.addAll(measureAll("docker", docker, iterations));
        }
        try (KubeNamespace namespace = KubeNamespace.create("warmbox-bench")) {
            Map<String, String> kubernetes = new HashMap<>(common);
            kubernetes.putAll(Map.of("WARMBOX_PROVIDER", "kubernetes", "WARMBOX_KUBECONFIG", KubeNamespace.kubeconfig().toString(),
                    "WARMBOX_KUBERNETES_NAMESPACE", namespace.name()));
            try (RunningServer pods = new RunningServer(kubernetes)) {
                rows.addAll(measureAll("kubernetes", pods, iterations));
            }
        }
        print(rows);
    }

    private static List<Row> measureAll(String provider, RunningServer server, int iterations) throws InterruptedException {
        server.awaitReady(Duration.ofMinutes(5));
        List<Row> rows = new ArrayList<>();
        for (var hello : HELLO.entrySet()) {
            measure(server, hello.getKey(), hello.getValue(), 10);
            rows.add(new Row(provider, hello.getKey(), measure(server, hello.getKey(), hello.getValue(), iterations)));
        }
        return rows;
    }

    private static double[] measure(RunningServer server, String language, String code, int n) throws InterruptedException {
        double[] millis = new double[n];
        for (int i = 0; i < n; i++) {
            Thread.sleep(PACE_MS);
            long start = System.nanoTime();
            var result = server.execute(Map.of("language", language, "code", code));
            millis[i] = (System.nanoTime() - start) / 1e6;
            if (!"hello\n".equals(result.get("stdout").asText())) throw new IllegalStateException("wrong output: " + result);
            if (!"hit".equals(result.get("pool").asText())) throw new IllegalStateException("not warm: " + result);
        }
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
