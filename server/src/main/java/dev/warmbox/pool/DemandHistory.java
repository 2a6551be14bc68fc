package dev.warmbox.pool;

import java.time.Instant;

/**
 * The peak demand of each recent second (demand: sandboxes in use or being scrubbed plus requests
 * queued), and how busy the machine's CPUs were on average in it. Demand holds between observations,
 * so a quiet second has the last value observed. Not thread-safe: its pool observes and reads it
 * under one lock.
 */
final class DemandHistory {
    private final int seconds;
    private final long[] second;
    private final int[] peak;
    private final double[] cpuSum;
    private final int[] cpuSamples;
    private long latestSecond = Long.MIN_VALUE;
    private int latest;

    /** Keeps the last {@code seconds} seconds. */
    DemandHistory(int seconds) {
        if (seconds < 1) throw new IllegalArgumentException("a demand history keeps at least one second, not " + seconds);
        this.seconds = seconds;
        this.second = new long[seconds];
        this.peak = new int[seconds];
        this.cpuSum = new double[seconds];
        this.cpuSamples = new int[seconds];
    }

    /** How busy the machine's CPUs were (0..1), as the scaler reads it every tick. */
    void observeCpu(Instant at, double busy) {
        long now = advanceTo(at, latest);
        int slot = slot(now);
        cpuSum[slot] += busy;
        cpuSamples[slot]++;
    }

    /**
     * The busiest second's mean CPU busy fraction over the last {@code window} seconds (seconds without
     * a reading left out); 0 when nothing was read.
     */
    double peakCpuBusy(Instant at, int window) {
        long now = advanceTo(at, latest);
        double peak = 0;
        for (long s = now - Math.min(window, seconds) + 1; s <= now; s++) {
            int slot = slot(s);
            if (second[slot] == s && cpuSamples[slot] > 0) peak = Math.max(peak, cpuSum[slot] / cpuSamples[slot]);
        }
        return peak;
    }

    void observe(Instant at, int demand) {
        // A second opened by this observation starts at it: the demand before it was observed in earlier seconds.
        long now = advanceTo(at, demand);
        int slot = slot(now);
        peak[slot] = Math.max(peak[slot], demand);
        latest = demand;
    }

    /** The lowest per-second peak over the last {@code window} seconds (the current one included): demand sustained that long. */
    int lowestPeak(Instant now, int window) {
        return extreme(now, window, true);
    }

    /** The highest per-second peak over the last {@code window} seconds. */
    int highestPeak(Instant now, int window) {
        return extreme(now, window, false);
    }

    private int extreme(Instant at, int window, boolean lowest) {
        long now = advanceTo(at, latest);
        int span = Math.min(window, seconds);
        int result = lowest ? Integer.MAX_VALUE : 0;
        for (long s = now - span + 1; s <= now; s++) {
            int value = second[slot(s)] == s ? peak[slot(s)] : 0; // before the first observation: no demand
            result = lowest ? Math.min(result, value) : Math.max(result, value);
        }
        return result;
    }

    /**
     * Opens the seconds up to {@code at}: the quiet ones in between at the demand that held through them,
     * the current one at {@code opening}. Returns the current second.
     */
    private long advanceTo(Instant at, int opening) {
        long now = at.getEpochSecond();
        if (latestSecond != Long.MIN_VALUE && now <= latestSecond) return latestSecond; // a clock that stepped back stays
        long from = latestSecond == Long.MIN_VALUE ? now : Math.max(latestSecond + 1, now - seconds + 1);
        for (long s = from; s <= now; s++) {
            second[slot(s)] = s;
            peak[slot(s)] = s == now ? opening : latest;
            cpuSum[slot(s)] = 0;
            cpuSamples[slot(s)] = 0;
        }
        latestSecond = now;
        return now;
    }

    private int slot(long s) {
        return (int) Math.floorMod(s, (long) seconds);
    }
}
