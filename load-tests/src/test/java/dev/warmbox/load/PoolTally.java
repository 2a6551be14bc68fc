package dev.warmbox.load;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Hits and misses per language as the responses' {@code pool} field reported them. */
final class PoolTally {
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    void record(String language, String pool) {
        counts.computeIfAbsent(language + "/" + pool, k -> new LongAdder()).increment();
    }

    long hits(String language) {
        return count(language + "/hit");
    }

    long misses(String language) {
        return count(language + "/miss");
    }

    long hits() {
        return LoadSettings.LANGUAGES.stream().mapToLong(this::hits).sum();
    }

    long misses() {
        return LoadSettings.LANGUAGES.stream().mapToLong(this::misses).sum();
    }

    private long count(String key) {
        LongAdder adder = counts.get(key);
        return adder == null ? 0 : adder.sum();
    }

    /** One line per language that was used, for the console. */
    String describe() {
        StringBuilder text = new StringBuilder();
        for (String language : LoadSettings.LANGUAGES) {
            long hits = hits(language);
            long misses = misses(language);
            if (hits + misses == 0) continue;
            text.append(String.format("  %-10s %6d executions, %6d hits, %5d misses, hit rate %.2f%%%n",
                    language, hits + misses, hits, misses, 100.0 * hits / (hits + misses)));
        }
        return text.toString();
    }
}
