package dev.warmbox.load;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per language: hits and misses as the responses' {@code pool} field reported them, and the response
 * times, for the summary a run prints (Gatling's own report has the same percentiles per request).
 */
final class PoolTally {
    private final Map<String, LanguageTally> byLanguage = new ConcurrentHashMap<>();

    private static final class LanguageTally {
        long hits;
        long misses;
        final List<Integer> millis = new ArrayList<>();
    }

    void record(String language, String pool, int responseMillis) {
        LanguageTally tally = byLanguage.computeIfAbsent(language, k -> new LanguageTally());
        synchronized (tally) {
            if ("hit".equals(pool)) tally.hits++;
            else if ("miss".equals(pool)) tally.misses++;
            else throw new IllegalArgumentException("pool field must be hit or miss, got " + pool);
            tally.millis.add(responseMillis);
        }
    }

    long hits(String language) {
        LanguageTally tally = byLanguage.get(language);
        if (tally == null) return 0;
        synchronized (tally) {
            return tally.hits;
        }
    }

    long misses(String language) {
        LanguageTally tally = byLanguage.get(language);
        if (tally == null) return 0;
        synchronized (tally) {
            return tally.misses;
        }
    }

    long hits() {
        return LoadSettings.LANGUAGES.stream().mapToLong(this::hits).sum();
    }

    long misses() {
        return LoadSettings.LANGUAGES.stream().mapToLong(this::misses).sum();
    }

    /** The nearest-rank percentile of a language's response times, -1 without any. */
    int percentile(String language, double percentile) {
        LanguageTally tally = byLanguage.get(language);
        if (tally == null) return -1;
        List<Integer> sorted;
        synchronized (tally) {
            sorted = new ArrayList<>(tally.millis);
        }
        if (sorted.isEmpty()) return -1;
        sorted.sort(null);
        int rank = (int) Math.ceil(percentile / 100.0 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }

    /** One line per language that was used, for the console. */
    String describe() {
        StringBuilder text = new StringBuilder();
        for (String language : LoadSettings.LANGUAGES) {
            long hits = hits(language);
            long misses = misses(language);
            if (hits + misses == 0) continue;
            text.append(String.format("  %-10s %6d executions, %6d hits, %5d misses, hit rate %6.2f%%, p50 %d ms, p95 %d ms, p99 %d ms%n",
                    language, hits + misses, hits, misses, 100.0 * hits / (hits + misses),
                    percentile(language, 50), percentile(language, 95), percentile(language, 99)));
        }
        return text.toString();
    }
}
