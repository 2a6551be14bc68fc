package dev.warmbox.pool;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.DoubleSupplier;

/**
 * How busy the machine's CPUs were since the last reading, from {@code /proc/stat} (not namespaced,
 * so a server in a container sees the host its sandboxes run on). Sandboxes share that CPU: once it
 * is saturated, more of them running at once add no throughput, only contention. Not thread-safe:
 * the scaler thread reads it.
 */
final class HostCpu implements DoubleSupplier {
    private final Path stat;
    private long lastBusy = -1;
    private long lastTotal = -1;

    HostCpu() {
        this(Path.of("/proc/stat"));
    }

    HostCpu(Path stat) {
        this.stat = stat;
    }

    /** The busy fraction (0..1) since the previous call; 0 when unknown (no /proc, first call). */
    @Override
    public double getAsDouble() {
        long[] ticks = read();
        if (ticks == null) return 0;
        long busy = ticks[0];
        long total = ticks[1];
        double fraction = lastTotal < 0 || total <= lastTotal ? 0 : (double) (busy - lastBusy) / (total - lastTotal);
        lastBusy = busy;
        lastTotal = total;
        return Math.max(0, Math.min(1, fraction));
    }

    /** {busy, total} jiffies of the aggregate "cpu" line; idle and iowait are not busy. */
    private long[] read() {
        try {
            String line = Files.readAllLines(stat).getFirst();
            String[] fields = line.trim().split("\\s+");
            if (!fields[0].equals("cpu")) return null;
            long total = 0;
            long idle = 0;
            for (int i = 1; i < fields.length && i <= 8; i++) { // user nice system idle iowait irq softirq steal
                long value = Long.parseLong(fields[i]);
                total += value;
                if (i == 4 || i == 5) idle += value;
            }
            return new long[] {total - idle, total};
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
