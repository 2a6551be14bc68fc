package dev.warmbox.cli;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code --timeout} values: 1500ms, 10s, 2m, or a plain number of seconds. */
final class Timeouts {
    private static final Pattern VALUE = Pattern.compile("(\\d{1,9})(ms|s|m)?");

    private Timeouts() {}

    static long toMillis(String text) {
        Matcher m = VALUE.matcher(text.strip());
        if (!m.matches()) throw CliException.usage("--timeout must be a duration such as 1500ms, 10s or 2m, got '" + text + "'");
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        long millis = switch (unit) {
            case "ms" -> n;
            case "m" -> n * 60_000;
            default -> n * 1000;
        };
        if (millis <= 0) throw CliException.usage("--timeout must be more than zero, got '" + text + "'");
        return millis;
    }
}
