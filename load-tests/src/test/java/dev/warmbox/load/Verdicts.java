package dev.warmbox.load;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The checks Gatling cannot express as assertions. Each returns "ok" or the reason it failed; the
 * simulations make the last request of a run fail with that reason, so it shows in the report and
 * fails the zero-failed-requests assertion.
 */
final class Verdicts {
    static final String OK = "ok";

    private Verdicts() {}

    /**
     * The run's hit rate, from the responses and from the server's counters (before vs after), must
     * reach {@code minHitRate}; the server must have counted at least what the responses said.
     */
    static String hitRate(PoolStatus before, PoolStatus after, PoolTally tally, double minHitRate) {
        List<String> problems = new ArrayList<>(consistency(before, after, tally));
        long executions = tally.hits() + tally.misses();
        if (executions == 0) return "no execution was answered";
        double fromResponses = (double) tally.hits() / executions;
        long serverHits = after.hits() - before.hits();
        long serverMisses = after.misses() - before.misses();
        double fromServer = serverHits + serverMisses == 0 ? 0 : (double) serverHits / (serverHits + serverMisses);
        if (fromResponses < minHitRate) problems.add(String.format("hit rate from the responses %.4f < %.4f", fromResponses, minHitRate));
        if (fromServer < minHitRate) problems.add(String.format("hit rate from the status endpoint %.4f < %.4f", fromServer, minHitRate));
        return problems.isEmpty() ? OK : String.join("; ", problems);
    }

    /**
     * Every hit and miss of a burst counted by the status endpoint. Misses are not required: a burst of
     * short programs is served by queueing for sandboxes coming back, which is sooner than a launch.
     */
    static String burst(PoolStatus before, PoolStatus after, PoolTally tally) {
        List<String> problems = consistency(before, after, tally);
        return problems.isEmpty() ? OK : String.join("; ", problems);
    }

    private static List<String> consistency(PoolStatus before, PoolStatus after, PoolTally tally) {
        List<String> problems = new ArrayList<>();
        if (after.hits() < before.hits() || after.misses() < before.misses()) {
            return List.of("the server's counters went back (" + before.hits() + "/" + before.misses() + " hits/misses before, "
                    + after.hits() + "/" + after.misses() + " after): it restarted during the run");
        }
        long serverHits = after.hits() - before.hits();
        long serverMisses = after.misses() - before.misses();
        if (serverHits < tally.hits()) {
            problems.add("the status endpoint counted " + serverHits + " hits, the responses said " + tally.hits());
        }
        if (serverMisses < tally.misses()) {
            problems.add("the status endpoint counted " + serverMisses + " misses, the responses said " + tally.misses());
        }
        return problems;
    }

    /**
     * No growth over a soak: samples of the last third against the first third. Threads may not
     * exceed the first third's peak by more than {@code threadSlack}; heap and non-heap compare
     * minimums (the low points after collections approximate what is live) with 25% + 32 MiB of room
     * for noise; and the settled container count at the end equals the one at the start.
     */
    static String soak(List<ServerSample> samples, ServerSample settledStart, ServerSample settledEnd, int threadSlack) {
        if (samples.size() < 6) return "too few samples (" + samples.size() + ") to judge growth; run the soak longer";
        int third = samples.size() / 3;
        List<ServerSample> first = samples.subList(0, third);
        List<ServerSample> last = samples.subList(samples.size() - third, samples.size());
        List<String> problems = new ArrayList<>();
        double firstThreads = max(first, ServerSample::threads);
        double lastThreads = max(last, ServerSample::threads);
        if (lastThreads > firstThreads + threadSlack) {
            problems.add(String.format("live threads grew from a peak of %.0f to %.0f", firstThreads, lastThreads));
        }
        growth("heap", min(first, ServerSample::heapBytes), min(last, ServerSample::heapBytes)).ifPresent(problems::add);
        growth("non-heap", min(first, ServerSample::nonHeapBytes), min(last, ServerSample::nonHeapBytes)).ifPresent(problems::add);
        if (settledEnd.containers() != settledStart.containers()) {
            problems.add("containers of the instance: " + settledStart.containers() + " at the start, "
                    + settledEnd.containers() + " at the end");
        }
        return problems.isEmpty() ? OK : String.join("; ", problems);
    }

    private static java.util.Optional<String> growth(String what, double before, double after) {
        double allowed = before * 1.25 + 32.0 * 1024 * 1024;
        if (after <= allowed) return java.util.Optional.empty();
        return java.util.Optional.of(String.format("%s in use grew from %.1f MiB to %.1f MiB (allowed %.1f MiB)",
                what, before / 1048576, after / 1048576, allowed / 1048576));
    }

    private static double max(List<ServerSample> samples, ToDoubleFunction<ServerSample> value) {
        return samples.stream().mapToDouble(value).max().orElse(0);
    }

    private static double min(List<ServerSample> samples, ToDoubleFunction<ServerSample> value) {
        return samples.stream().mapToDouble(value).min().orElse(0);
    }
}
