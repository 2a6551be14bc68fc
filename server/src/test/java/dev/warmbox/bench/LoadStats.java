package dev.warmbox.bench;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Figures of one closed loop's measured phase (after warm-up). Throughput counts only good answers,
 * so a server that answers 429 quickly does not look fast; latency percentiles are over every request
 * (a fast failure still took that long for its client).
 *
 * @param failures outcome to count, for every request that was not a correct 200
 */
record LoadStats(int requests, double seconds, double throughput, double p50, double p90, double p99, double max,
                 long hits, long misses, Map<String, Long> failures) {

    static LoadStats of(List<Sample> samples, double seconds) {
        double[] millis = samples.stream().mapToDouble(Sample::millis).sorted().toArray();
        long ok = samples.stream().filter(Sample::ok).count();
        Map<String, Long> failures = samples.stream().filter(s -> !s.ok())
                .collect(Collectors.groupingBy(Sample::outcome, TreeMap::new, Collectors.counting()));
        return new LoadStats(samples.size(), seconds, seconds > 0 ? ok / seconds : 0,
                percentile(millis, 50), percentile(millis, 90), percentile(millis, 99),
                millis.length == 0 ? Double.NaN : millis[millis.length - 1],
                samples.stream().filter(s -> "hit".equals(s.pool())).count(),
                samples.stream().filter(s -> "miss".equals(s.pool())).count(), failures);
    }

    /** Nearest rank on sorted values: the smallest value with at least p% of the values at or below it. */
    static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) return Double.NaN;
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /** Hits among answers that said hit or miss; NaN when none did (host baselines). */
    double hitRate() {
        long pooled = hits + misses;
        return pooled == 0 ? Double.NaN : (double) hits / pooled;
    }

    long failed() {
        return failures.values().stream().mapToLong(Long::longValue).sum();
    }

    String failuresText() {
        return failures.isEmpty() ? "none" : failures.entrySet().stream()
                .map(e -> e.getKey() + " x" + e.getValue()).collect(Collectors.joining(", "));
    }
}
