package dev.warmbox.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The targets issue 11 sets, judged on one run's figures. A target whose scenario (or baseline) did
 * not run in this run is left out rather than failed, so a partial run still reports what it measured.
 */
final class Targets {
    /** One target: what it asks, what was measured, and whether that meets it. */
    record Verdict(String scenario, String target, String measured, boolean pass) {}

    /** The figures of one scenario: warmbox's, and the host baseline's when the host has the tool. */
    record Figures(LoadStats warmbox, LoadStats host) {}

    static final double PYTHON_P99_MAX_MS = 150;
    static final double PYTHON_MIN_HIT_RATE = 0.99;
    static final double JAVASCRIPT_MAX_P99_OVER_P50 = 3;

    private Targets() {}

    static List<Verdict> judge(Map<String, Figures> byScenario) {
        List<Verdict> verdicts = new ArrayList<>();
        Figures python8 = byScenario.get("python8");
        if (python8 != null) {
            throughputAtLeastHost(verdicts, "python8", python8);
            LoadStats w = python8.warmbox();
            verdicts.add(new Verdict("python8", "p99 <= " + fmt(PYTHON_P99_MAX_MS) + " ms", fmt(w.p99()) + " ms",
                    w.p99() <= PYTHON_P99_MAX_MS));
            verdicts.add(new Verdict("python8", ">= 99% hits after warm-up", pct(w.hitRate()) + " (" + w.misses() + " misses)",
                    w.hitRate() >= PYTHON_MIN_HIT_RATE));
        }
        Figures javascript8 = byScenario.get("javascript8");
        if (javascript8 != null) {
            throughputAtLeastHost(verdicts, "javascript8", javascript8);
            LoadStats w = javascript8.warmbox();
            double ratio = w.p99() / w.p50();
            verdicts.add(new Verdict("javascript8", "p99 <= 3x p50", fmt(w.p99()) + " / " + fmt(w.p50()) + " ms = " + fmt2(ratio) + "x",
                    ratio <= JAVASCRIPT_MAX_P99_OVER_P50));
        }
        for (String compiled : List.of("go4", "java4")) {
            Figures f = byScenario.get(compiled);
            if (f == null) continue;
            verdicts.add(new Verdict(compiled, "no misses after warm-up", f.warmbox().misses() + " misses", f.warmbox().misses() == 0));
            throughputAtLeastHost(verdicts, compiled, f);
        }
        Figures python1 = byScenario.get("python1");
        if (python1 != null && python1.host() != null) {
            verdicts.add(new Verdict("python1", "p50 <= host spawn p50",
                    fmt(python1.warmbox().p50()) + " vs " + fmt(python1.host().p50()) + " ms",
                    python1.warmbox().p50() <= python1.host().p50()));
        }
        return verdicts;
    }

    private static void throughputAtLeastHost(List<Verdict> verdicts, String scenario, Figures f) {
        if (f.host() == null) return;
        verdicts.add(new Verdict(scenario, "throughput >= host at same concurrency",
                fmt(f.warmbox().throughput()) + " vs " + fmt(f.host().throughput()) + " req/s",
                f.warmbox().throughput() >= f.host().throughput()));
    }

    static String fmt(double value) {
        return String.format("%.1f", value);
    }

    static String fmt2(double value) {
        return String.format("%.2f", value);
    }

    static String pct(double rate) {
        return Double.isNaN(rate) ? "n/a" : String.format("%.2f%%", rate * 100);
    }
}
