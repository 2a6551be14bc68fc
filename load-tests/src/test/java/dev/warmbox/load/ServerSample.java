package dev.warmbox.load;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the soak watches for growth at one moment: the server's live JVM threads and memory (from
 * /metrics) and the number of containers labelled with its instance id (from the engine).
 */
record ServerSample(long atMillis, double threads, double heapBytes, double nonHeapBytes, int containers) {
    private static final Pattern LINE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})?\\s+(\\S+)");

    static ServerSample of(long atMillis, String prometheusText, int containers) {
        return new ServerSample(atMillis, sum(prometheusText, "jvm_threads_live_threads", null),
                sum(prometheusText, "jvm_memory_used_bytes", "area=\"heap\""),
                sum(prometheusText, "jvm_memory_used_bytes", "area=\"nonheap\""), containers);
    }

    /** Sum of a metric's samples whose labels contain {@code labelFilter} (all when null). */
    static double sum(String prometheusText, String metric, String labelFilter) {
        double total = 0;
        boolean found = false;
        for (String line : prometheusText.split("\n")) {
            Matcher m = LINE.matcher(line);
            if (!m.find() || !m.group(1).equals(metric)) continue;
            if (labelFilter != null && (m.group(2) == null || !m.group(2).contains(labelFilter))) continue;
            total += Double.parseDouble(m.group(3));
            found = true;
        }
        if (!found) throw new IllegalStateException("/metrics has no " + metric + (labelFilter == null ? "" : " with " + labelFilter));
        return total;
    }
}
