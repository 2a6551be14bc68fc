package dev.warmbox.config;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads typed values out of environment-like variables; every error names the variable and the range. */
final class Variables {
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmg]i?b?|b)?", Pattern.CASE_INSENSITIVE);

    private final Map<String, String> values;

    Variables(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    Optional<String> string(String name) {
        String value = values.get(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    String string(String name, String fallback) {
        return string(name).orElse(fallback);
    }

    boolean bool(String name, boolean fallback) {
        return string(name).map(v -> switch (v.toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default -> throw new ConfigException(name + " must be true or false, got '" + v + "'");
        }).orElse(fallback);
    }

    int integer(String name, int fallback, int min, int max) {
        return string(name).map(v -> {
            try {
                int parsed = Integer.parseInt(v);
                if (parsed < min || parsed > max) throw new NumberFormatException();
                return parsed;
            } catch (NumberFormatException e) {
                throw new ConfigException(name + " must be an integer from " + min + " to " + max + ", got '" + v + "'");
            }
        }).orElse(fallback);
    }

    double decimal(String name, double fallback, double min, double max) {
        return string(name).map(v -> {
            try {
                double parsed = Double.parseDouble(v);
                if (!(parsed >= min && parsed <= max)) throw new NumberFormatException();
                return parsed;
            } catch (NumberFormatException e) {
                throw new ConfigException(name + " must be a number from " + min + " to " + max + ", got '" + v + "'");
            }
        }).orElse(fallback);
    }

    Duration seconds(String name, long fallback, long min, long max) {
        return Duration.ofSeconds(integer(name, Math.toIntExact(fallback), Math.toIntExact(min), Math.toIntExact(max)));
    }

    Duration millis(String name, long fallback, long min, long max) {
        return Duration.ofMillis(integer(name, Math.toIntExact(fallback), Math.toIntExact(min), Math.toIntExact(max)));
    }

    /** A byte size: plain bytes or with a k/m/g suffix (binary units), e.g. "512m". */
    long bytes(String name, long fallback, long min, long max) {
        return string(name).map(v -> {
            Matcher m = SIZE.matcher(v);
            long parsed = -1;
            if (m.matches()) {
                long unit = switch (m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT).substring(0, 1)) {
                    case "k" -> 1L << 10;
                    case "m" -> 1L << 20;
                    case "g" -> 1L << 30;
                    default -> 1L;
                };
                parsed = Long.parseLong(m.group(1)) * unit;
            }
            if (parsed < min || parsed > max) {
                throw new ConfigException(name + " must be a size from " + min + " to " + max
                        + " bytes (suffixes k, m, g allowed), got '" + v + "'");
            }
            return parsed;
        }).orElse(fallback);
    }
}
