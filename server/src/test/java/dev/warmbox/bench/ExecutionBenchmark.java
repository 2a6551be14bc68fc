package dev.warmbox.bench;

import dev.warmbox.it.RunningServer;
import java.io.File;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Latency of a hello world per language: through warm pools, with pools disabled (every request a
 * fresh container: the baseline), and spawned directly on the host. All in one run, so the ratios
 * compare like with like on this machine. Sequential requests: this measures latency, not throughput.
 *
 * <p>Run with {@code ./scripts/bench.sh [iterations]}.
 */
public final class ExecutionBenchmark {
    private static final Map<String, String> HELLO = new LinkedHashMap<>();

    static {
        HELLO.put("python", "print('hello')");
        HELLO.put("javascript", "console.log('hello')");
        HELLO.put("go", "package main\nimport \"fmt\"\nfunc main() { fmt.Println(\"hello\") }\n");
        HELLO.put("java", "public class Main { public static void main(String[] a) { System.out.println(\"hello\"); } }\n");
    }

    /**
     * Gap between paced requests. Back to back, a request may wait for the container just used to be
     * scrubbed and its interpreter prepared again (~3 ms of CPU for python, forked from the template;
     * ~60 ms for javascript): that row shows what the pool sustains; the paced row shows the latency
     * of a request that finds a warm container.
     */
    private static final int PACE_MS = 50;

    private ExecutionBenchmark() {}

    public static void main(String[] args) throws Exception {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int coldIterations = Math.max(10, Math.min(iterations, 30));
        List<Row> rows = new ArrayList<>();

        try (RunningServer warm = new RunningServer(Map.of("WARM_POOL_SIZE_PER_RUNTIME", "2"))) {
            warm.awaitReady(Duration.ofMinutes(5));
            for (var e : HELLO.entrySet()) {
                measure(warm, e.getKey(), e.getValue(), 10, 0);
                rows.add(new Row(e.getKey(), "warm pool, " + PACE_MS + " ms apart",
                        measure(warm, e.getKey(), e.getValue(), iterations, PACE_MS)));
                rows.add(new Row(e.getKey(), "warm pool, back to back", measure(warm, e.getKey(), e.getValue(), iterations, 0)));
            }
            System.out.println("warm run: " + warm.status());
        }
        try (RunningServer cold = new RunningServer(Map.of("WARM_POOL_ENABLED", "false"))) {
            cold.awaitReady(Duration.ofMinutes(5));
            for (var e : HELLO.entrySet()) {
                measure(cold, e.getKey(), e.getValue(), 2, 0);
                rows.add(new Row(e.getKey(), "pools disabled", measure(cold, e.getKey(), e.getValue(), coldIterations, 0)));
            }
        }
        hostSpawn("python", iterations, "python3", "-c", "print('hello')").ifPresent(rows::add);
        hostSpawn("javascript", iterations, "node", "-e", "console.log('hello')").ifPresent(rows::add);
        print(rows);
    }

    /** With {@code paceMs} &gt; 0, waits that long (untimed) before each request: latency of a warm hit. */
    private static double[] measure(RunningServer server, String language, String code, int n, int paceMs)
            throws InterruptedException {
        double[] millis = new double[n];
        for (int i = 0; i < n; i++) {
            if (paceMs > 0) Thread.sleep(paceMs);
            long start = System.nanoTime();
            var result = server.execute(Map.of("language", language, "code", code));
            millis[i] = (System.nanoTime() - start) / 1e6;
            if (!"hello\n".equals(result.get("stdout").asText())) throw new IllegalStateException("wrong output: " + result);
        }
        return millis;
    }

    private static java.util.Optional<Row> hostSpawn(String language, int n, String... command) throws Exception {
        String binary = resolve(command[0]);
        if (binary == null) return java.util.Optional.empty();
        command[0] = binary;
        double[] millis = new double[n];
        for (int i = -5; i < n; i++) {
            long start = System.nanoTime();
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            p.waitFor();
            if (i >= 0) millis[i] = (System.nanoTime() - start) / 1e6;
        }
        return java.util.Optional.of(new Row(language, "host spawn (" + binary + ")", millis));
    }

    /** The real binary, not a version-manager shim that would add its own start-up to the baseline. */
    private static String resolve(String name) throws IOException {
        for (String dir : List.of("/usr/bin", "/usr/local/bin")) {
            File f = new File(dir, name);
            if (f.canExecute()) return f.getCanonicalPath();
        }
        return null;
    }

    private static void print(List<Row> rows) {
        System.out.printf("%n%-11s %-34s %6s %9s %9s %9s %9s%n", "language", "mode", "n", "p50 ms", "p90 ms", "p99 ms", "mean ms");
        for (Row r : rows) {
            System.out.printf("%-11s %-34s %6d %9.1f %9.1f %9.1f %9.1f%n", r.language, r.mode, r.millis.length,
                    r.percentile(50), r.percentile(90), r.percentile(99), Arrays.stream(r.millis).average().orElse(0));
        }
        System.out.println();
        for (String language : HELLO.keySet()) {
            Row warm = find(rows, language, "warm pool, " + PACE_MS);
            Row cold = find(rows, language, "pools disabled");
            Row host = find(rows, language, "host spawn");
            String line = String.format("%-11s pools disabled p50 / warm (paced) p50 = %5.1fx", language, cold.percentile(50) / warm.percentile(50));
            if (host != null) line += String.format("   warm (paced) p50 / host spawn p50 = %4.2fx", warm.percentile(50) / host.percentile(50));
            System.out.println(line);
        }
    }

    private static Row find(List<Row> rows, String language, String modePrefix) {
        return rows.stream().filter(r -> r.language.equals(language) && r.mode.startsWith(modePrefix)).findFirst().orElse(null);
    }

    private record Row(String language, String mode, double[] millis) {
        double percentile(int p) {
            double[] sorted = millis.clone();
            Arrays.sort(sorted);
            return LoadStats.percentile(sorted, p);
        }
    }
}
