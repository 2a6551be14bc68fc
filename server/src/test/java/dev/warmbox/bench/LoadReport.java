package dev.warmbox.bench;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/** Prints the closed-loop figures: warmbox beside its host baseline, with the ratios the issue asks for. */
final class LoadReport {
    private final PrintStream out;

    LoadReport(PrintStream out) {
        this.out = out;
    }

    void scenario(Scenario scenario, ClosedLoop.Result warmbox, ClosedLoop.Result host, String hostCommand) {
        LoadStats w = LoadStats.of(warmbox.measured(), warmbox.seconds());
        LoadStats h = host == null ? null : LoadStats.of(host.measured(), host.seconds());
        out.printf("%n== %s: %d closed-loop clients, %.0f s measured after warm-up ==%n", scenario.name(), scenario.concurrency(), warmbox.seconds());
        out.println("host baseline: " + (hostCommand == null ? "none (tool missing on the host)" : hostCommand));
        out.printf("%-24s %14s %14s %14s%n", "", "warmbox", "host", "warmbox/host");
        row("requests", w.requests(), h == null ? Double.NaN : h.requests(), "%14.0f");
        row("throughput req/s", w.throughput(), h == null ? Double.NaN : h.throughput(), "%14.1f");
        row("p50 ms", w.p50(), h == null ? Double.NaN : h.p50(), "%14.1f");
        row("p90 ms", w.p90(), h == null ? Double.NaN : h.p90(), "%14.1f");
        row("p99 ms", w.p99(), h == null ? Double.NaN : h.p99(), "%14.1f");
        row("max ms", w.max(), h == null ? Double.NaN : h.max(), "%14.1f");
        out.printf("%-24s %14s %14s%n", "p99 / p50", Targets.fmt2(w.p99() / w.p50()) + "x", h == null ? "-" : Targets.fmt2(h.p99() / h.p50()) + "x");
        out.printf("%-24s %14s %14s%n", "hit rate", Targets.pct(w.hitRate()), "-");
        out.printf("%-24s %14d %14s%n", "misses", w.misses(), "-");
        out.printf("%-24s %14s %14s%n", "failures", w.failuresText(), h == null ? "-" : h.failuresText());
        LoadStats warm = LoadStats.of(warmbox.warmup(), 0);
        out.printf("warm-up (not counted above): %d requests, %d hits, %d misses, failures: %s%n",
                warm.requests(), warm.hits(), warm.misses(), warm.failuresText());
    }

    /** CPU per measured request by component, and the JVM's busiest threads. */
    void cpu(Map<String, Double> byComponent, Map<String, Double> jvmThreads, int requests, double seconds) {
        double total = byComponent.values().stream().mapToDouble(Double::doubleValue).sum();
        out.printf("CPU by component over the measured phase (%d requests, %.0f s; 2 cores = %.0f ms/s):%n", requests, seconds, 2000.0);
        out.printf("  %-36s %10s %10s %7s%n", "component", "ms/request", "ms/s", "share");
        for (var e : byComponent.entrySet()) {
            out.printf("  %-36s %10.2f %10.1f %6.0f%%%n", e.getKey(), e.getValue() / Math.max(1, requests), e.getValue() / seconds,
                    total > 0 ? 100 * e.getValue() / total : 0);
        }
        out.printf("  %-36s %10.2f %10.1f%n", "total", total / Math.max(1, requests), total / seconds);
        out.print("  of the JVM, by thread, ms/request (the poller's own CPU left out):");
        jvmThreads.entrySet().stream().limit(7).forEach(e -> out.printf(" %s %.2f;", e.getKey(), e.getValue() / Math.max(1, requests)));
        out.println();
    }

    void hostCpu(double millis, int requests) {
        out.printf("  host baseline for comparison: spawned programs %.2f ms CPU/request (%d requests)%n", millis / Math.max(1, requests), requests);
    }

    void poolStatus(String json) {
        out.println("/api/v1/warm-pool/status after the scenario: " + json);
    }

    void summary(Map<String, Targets.Figures> figures, List<Targets.Verdict> verdicts) {
        out.printf("%n== Summary (measured phase) ==%n");
        out.printf("%-12s %9s %9s %6s %8s %8s %8s %8s %8s %7s %8s%n", "scenario", "req/s", "host", "ratio",
                "p50", "p99", "host p50", "host p99", "p99/p50", "hits", "failed");
        figures.forEach((name, f) -> {
            LoadStats w = f.warmbox();
            LoadStats h = f.host();
            out.printf("%-12s %9.1f %9s %6s %8.1f %8.1f %8s %8s %8s %7s %8d%n", name, w.throughput(),
                    h == null ? "-" : Targets.fmt(h.throughput()), h == null ? "-" : Targets.fmt2(w.throughput() / h.throughput()) + "x",
                    w.p50(), w.p99(), h == null ? "-" : Targets.fmt(h.p50()), h == null ? "-" : Targets.fmt(h.p99()),
                    Targets.fmt2(w.p99() / w.p50()) + "x", Targets.pct(w.hitRate()), w.failed());
        });
        out.printf("%n== Issue 11 targets ==%n");
        if (verdicts.isEmpty()) out.println("(no target applies to the scenarios run)");
        for (var v : verdicts) {
            out.printf("%-4s %-12s %-40s %s%n", v.pass() ? "PASS" : "FAIL", v.scenario(), v.target(), v.measured());
        }
    }

    private void row(String label, double warmbox, double host, String format) {
        String ratio = Double.isNaN(host) || host == 0 ? "-" : Targets.fmt2(warmbox / host) + "x";
        out.printf("%-24s " + format + " %14s %14s%n", label, warmbox, Double.isNaN(host) ? "-" : String.format(format.trim(), host), ratio);
    }
}
