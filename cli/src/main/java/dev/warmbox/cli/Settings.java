package dev.warmbox.cli;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The server, the API key and the output format, each from the first place that gives it: a flag, an
 * environment variable ({@code WARMBOX_URL}, {@code WARMBOX_API_KEY}), the config file, the default.
 * Each value remembers where it came from, so errors can say which one to fix.
 */
record Settings(URI server, String serverSource, String apiKey, String apiKeySource, Format format, String configPath) {
    static final String DEFAULT_SERVER = "http://127.0.0.1:8002";

    static Settings resolve(String serverFlag, String apiKeyFlag, Format formatFlag, Map<String, String> env,
                            Optional<ConfigFile> config) {
        String configName = config.map(c -> "the config file " + c.path()).orElse(null);
        String configPath = config.map(c -> c.path().toString())
                .orElseGet(() -> String.valueOf(ConfigFile.defaultPath(env)));
        Sourced server = first(
                new Sourced(serverFlag, "--server"),
                new Sourced(env.get("WARMBOX_URL"), "WARMBOX_URL"),
                new Sourced(config.map(ConfigFile::server).orElse(null), configName),
                new Sourced(DEFAULT_SERVER, "the default"));
        Sourced key = first(
                new Sourced(apiKeyFlag, "--api-key"),
                new Sourced(env.get("WARMBOX_API_KEY"), "WARMBOX_API_KEY"),
                new Sourced(config.map(ConfigFile::apiKey).orElse(null), configName));
        Format format = formatFlag != null ? formatFlag : config.map(ConfigFile::format).map(f -> format(f, configName)).orElse(Format.table);
        return new Settings(url(server), server.source(), key.value(), key.source(), format, configPath);
    }

    /** The key, or a usage error naming the three places it can come from. */
    String requireApiKey() {
        if (apiKey == null) {
            throw CliException.usage("no API key: pass --api-key, set WARMBOX_API_KEY, or put api-key in " + configPath);
        }
        return apiKey;
    }

    private record Sourced(String value, String source) {
        Sourced {
            if (value != null && value.isBlank()) value = null;
        }
    }

    private static Sourced first(Sourced... candidates) {
        for (Sourced candidate : candidates) if (candidate.value() != null) return candidate;
        return new Sourced(null, null);
    }

    private static URI url(Sourced server) {
        String text = server.value().strip();
        while (text.endsWith("/")) text = text.substring(0, text.length() - 1);
        try {
            URI uri = new URI(text);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null && uri.getQuery() == null) return uri;
        } catch (URISyntaxException e) {
            // reported below, with where the value came from
        }
        throw CliException.usage("the server (from " + server.source() + ") must be an http:// or https:// URL such as "
                + DEFAULT_SERVER + ", got '" + server.value() + "'");
    }

    private static Format format(String text, String source) {
        try {
            return Format.valueOf(text.strip().toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw CliException.usage("format in " + source + " must be table, json or yaml, got '" + text + "'");
        }
    }
}
