package dev.warmbox.config;

import java.util.Locale;

/** Which backend runs the sandboxes (WARMBOX_PROVIDER). */
public enum Provider {
    DOCKER, KUBERNETES;

    static Provider from(Variables v) {
        String value = v.string("WARMBOX_PROVIDER", "docker");
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "docker" -> DOCKER;
            case "kubernetes" -> KUBERNETES;
            default -> throw new ConfigException("WARMBOX_PROVIDER must be docker or kubernetes, got '" + value + "'");
        };
    }
}
