package dev.warmbox.provider;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Just enough of {@code sh -c} for the contract: statements separated by ';', each {@code echo WORDS},
 * {@code echo WORDS >&2} or {@code exit N}, with {@code $NAME} and {@code "$NAME"} expanded from the
 * exec's environment. Anything else succeeds silently, like a command whose effect the fake cannot see.
 */
final class FakeShell {
    private static final Pattern VARIABLE = Pattern.compile("\\$([A-Za-z_][A-Za-z0-9_]*)");

    private FakeShell() {}

    static ExecResult run(ExecSpec spec) {
        List<String> command = spec.command();
        if (command.size() != 3 || !command.get(0).equals("sh") || !command.get(1).equals("-c")) {
            return new ExecResult(0, "", "", false);
        }
        Map<String, String> env = new HashMap<>();
        for (String entry : spec.env()) {
            int eq = entry.indexOf('=');
            if (eq > 0) env.put(entry.substring(0, eq), entry.substring(eq + 1));
        }
        StringBuilder out = new StringBuilder();
        StringBuilder err = new StringBuilder();
        for (String statement : command.get(2).split(";")) {
            String s = statement.strip();
            if (s.startsWith("exit ")) return new ExecResult(Integer.parseInt(s.substring(5).strip()), out.toString(), err.toString(), false);
            if (!s.startsWith("echo ")) continue;
            boolean toErr = s.endsWith(">&2");
            String words = (toErr ? s.substring(5, s.length() - 3) : s.substring(5)).strip().replace("\"", "");
            Matcher m = VARIABLE.matcher(words);
            String expanded = m.replaceAll(r -> Matcher.quoteReplacement(env.getOrDefault(r.group(1), "")));
            (toErr ? err : out).append(expanded).append('\n');
        }
        return new ExecResult(0, out.toString(), err.toString(), false);
    }
}
