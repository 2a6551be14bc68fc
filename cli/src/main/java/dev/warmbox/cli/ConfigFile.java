package dev.warmbox.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The optional YAML file with {@code server}, {@code api-key} and {@code format}: {@code $WARMBOX_CONFIG}
 * when set (then it must exist), else {@code $XDG_CONFIG_HOME/warmbox/config.yaml}, else
 * {@code ~/.config/warmbox/config.yaml}. Unknown keys are refused, so a typo does not silently fall back.
 */
record ConfigFile(Path path, String server, String apiKey, String format) {
    static final Set<String> KEYS = Set.of("server", "api-key", "format");

    /** The file the environment points at, read; empty when the default location holds none. */
    static Optional<ConfigFile> load(Map<String, String> env) {
        String explicit = env.get("WARMBOX_CONFIG");
        if (explicit != null && !explicit.isBlank()) {
            Path path = Path.of(explicit);
            if (!Files.isRegularFile(path)) throw CliException.usage("WARMBOX_CONFIG names " + path + ", which is not a file");
            return Optional.of(read(path));
        }
        Path path = defaultPath(env);
        return path != null && Files.isRegularFile(path) ? Optional.of(read(path)) : Optional.empty();
    }

    static Path defaultPath(Map<String, String> env) {
        String xdg = env.get("XDG_CONFIG_HOME");
        if (xdg != null && !xdg.isBlank()) return Path.of(xdg, "warmbox", "config.yaml");
        String home = env.getOrDefault("HOME", System.getProperty("user.home"));
        return home == null || home.isBlank() ? null : Path.of(home, ".config", "warmbox", "config.yaml");
    }

    static ConfigFile read(Path path) {
        JsonNode root;
        try {
            root = new YAMLMapper().readTree(Files.readAllBytes(path));
        } catch (IOException e) {
            throw CliException.usage("cannot read the config file " + path + ": " + firstLine(e.getMessage()), e);
        }
        if (root == null || root.isMissingNode() || root.isNull()) return new ConfigFile(path, null, null, null);
        if (!root.isObject()) throw CliException.usage("the config file " + path + " must be a mapping of server, api-key and format");
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!KEYS.contains(name)) {
                throw CliException.usage("the config file " + path + " has an unknown key '" + name + "'; known: server, api-key, format");
            }
        }
        return new ConfigFile(path, text(root, "server", path), text(root, "api-key", path), text(root, "format", path));
    }

    private static String text(JsonNode root, String key, Path path) {
        JsonNode value = root.get(key);
        if (value == null || value.isNull()) return null;
        if (!value.isValueNode()) throw CliException.usage("the config file " + path + ": " + key + " must be a string");
        return value.asText();
    }

    private static String firstLine(String message) {
        if (message == null) return "unreadable";
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
