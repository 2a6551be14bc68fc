package dev.warmbox.config;

/** A configuration value is missing or wrong; the message names the variable. Start-up stops on it. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
