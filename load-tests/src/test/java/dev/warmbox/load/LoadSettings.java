package dev.warmbox.load;

import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * What a simulation is pointed at and how hard it pushes, read from system properties
 * ({@code -Dwarmbox.url=...}); every error names the property. Simulations give their own defaults.
 */
record LoadSettings(URI url, String apiKey, String instanceId, Properties properties) {
    static final List<String> LANGUAGES = List.of("python", "javascript", "go", "java");

    static LoadSettings fromSystem() {
        return from(System.getProperties(), System.getenv());
    }

    static LoadSettings from(Properties properties, Map<String, String> environment) {
        String url = properties.getProperty("warmbox.url", "http://127.0.0.1:8002").trim();
        URI uri;
        try {
            uri = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("warmbox.url must be a URL like http://127.0.0.1:8002, got '" + url + "'");
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
            throw new IllegalArgumentException("warmbox.url must start with http:// or https://, got '" + url + "'");
        }
        String key = properties.getProperty("warmbox.apiKey", environment.getOrDefault("WARMBOX_API_KEY", "")).trim();
        if (key.isEmpty()) {
            throw new IllegalArgumentException("warmbox.apiKey is not set: pass -Dwarmbox.apiKey=<key> (or --api-key to scripts/load-test.sh)");
        }
        String instance = properties.getProperty("warmbox.instanceId", "warmbox").trim();
        return new LoadSettings(uri, key, instance, properties);
    }

    Duration seconds(String name, long fallback) {
        return Duration.ofSeconds((long) number(name, fallback, 1, 24 * 3600));
    }

    double number(String name, double fallback, double min, double max) {
        String value = properties.getProperty("warmbox." + name);
        if (value == null || value.isBlank()) return fallback;
        try {
            double parsed = Double.parseDouble(value.trim());
            if (parsed >= min && parsed <= max) return parsed;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("warmbox." + name + " must be a number from " + min + " to " + max + ", got '" + value + "'");
    }

    int integer(String name, int fallback, int min, int max) {
        return (int) Math.round(number(name, fallback, min, max));
    }

    /** A comma-separated subset of the four languages. */
    List<String> languages(String name, List<String> fallback) {
        String value = properties.getProperty("warmbox." + name);
        if (value == null || value.isBlank()) return fallback;
        List<String> chosen = Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        for (String language : chosen) {
            if (!LANGUAGES.contains(language)) {
                throw new IllegalArgumentException("warmbox." + name + " takes languages from " + LANGUAGES + ", got '" + language + "'");
            }
        }
        return chosen;
    }

    /** The p99 bound of a language's executions: -Dwarmbox.p99Ms overrides every default. */
    int p99Millis(String language, int fallback) {
        return integer("p99Ms." + language, integer("p99Ms", fallback, 1, 600_000), 1, 600_000);
    }

    double minHitRate(double fallback) {
        return number("minHitRate", fallback, 0, 1);
    }
}
