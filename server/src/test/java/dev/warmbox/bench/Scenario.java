package dev.warmbox.bench;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One closed-loop run: a language and how many clients send to it at once. Written {@code python8}
 * (language, then concurrency) on the command line and in the report.
 */
record Scenario(String language, int concurrency) {
    private static final Pattern NAME = Pattern.compile("([a-z]+)(\\d+)");
    static final List<String> LANGUAGES = List.of("python", "javascript", "go", "java");
    static final String DEFAULTS = "python1,python8,javascript8,javascript4,go4,java4";

    Scenario {
        if (!LANGUAGES.contains(language)) throw new IllegalArgumentException("no such language in the benchmark: " + language);
        if (concurrency < 1) throw new IllegalArgumentException("concurrency must be at least 1, got " + concurrency);
    }

    /** {@code "python1,javascript8"} to its scenarios, in the order given. */
    static List<Scenario> parseAll(String names) {
        return Arrays.stream(names.split(",")).map(String::trim).filter(s -> !s.isEmpty()).map(Scenario::parse).toList();
    }

    static Scenario parse(String name) {
        Matcher m = NAME.matcher(name);
        if (!m.matches()) throw new IllegalArgumentException("a scenario is a language and a concurrency, like python8; got '" + name + "'");
        return new Scenario(m.group(1), Integer.parseInt(m.group(2)));
    }

    String name() {
        return language + concurrency;
    }

    /**
     * Hello world: every request checks that its stdout is exactly this program's output. Compiled
     * languages get a distinct source per request (a comment with its number), as real submissions
     * are: otherwise the host's writable go build cache would skip the compile warmbox's sandboxes
     * (whose cache holds only the standard library, read-only) must do.
     */
    String helloWorld(long request) {
        return switch (language) {
            case "python" -> "print('hello')";
            case "javascript" -> "console.log('hello')";
            case "go" -> "package main\nimport \"fmt\"\n// request " + request + "\nfunc main() { fmt.Println(\"hello\") }\n";
            case "java" -> "// request " + request + "\npublic class Main { public static void main(String[] a) { System.out.println(\"hello\"); } }\n";
            default -> throw new IllegalStateException(language);
        };
    }

    static final String EXPECTED_STDOUT = "hello\n";
}
