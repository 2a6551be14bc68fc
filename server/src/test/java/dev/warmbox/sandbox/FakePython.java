package dev.warmbox.sandbox;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Just enough of Python for {@link SandboxesContract}, one statement a line: {@code print(EXPR)} (with
 * {@code file=sys.stderr} to stderr), {@code open(PATH, "w").write(TEXT)}, {@code sys.exit(N)} and
 * {@code while True: pass} (which runs into the job's timeout). EXPR is a string or integer literal,
 * {@code sys.argv[N]}, {@code sys.stdin.read()}, {@code os.path.exists(PATH)} or {@code open(PATH).read()}.
 * Anything else (imports) does nothing, like a statement whose effect the fake cannot see.
 */
final class FakePython {
    private static final Pattern PRINT = Pattern.compile("print\\((.*?)(, *file=sys\\.stderr)?\\)");
    private static final Pattern WRITE = Pattern.compile("open\\((.+?), *['\"]w['\"]\\)\\.write\\((.+)\\)");
    private static final Pattern EXIT = Pattern.compile("sys\\.exit\\((\\d+)\\)");
    private static final Pattern STRING = Pattern.compile("'([^']*)'|\"([^\"]*)\"");
    private static final Pattern ARGV = Pattern.compile("sys\\.argv\\[(\\d+)]");
    private static final Pattern EXISTS = Pattern.compile("os\\.path\\.exists\\((.+)\\)");
    private static final Pattern READ = Pattern.compile("open\\((.+)\\)\\.read\\(\\)");
    /** What the agent reports for a program it killed at its deadline: SIGKILL, 128 + 9. */
    private static final int KILLED = 137;

    private FakePython() {}

    /** Runs the job's code against the sandbox's files (paths as written; relative ones are in the working directory). */
    static StepResult run(Job job, Map<String, String> files) {
        StringBuilder out = new StringBuilder();
        StringBuilder err = new StringBuilder();
        for (String line : job.code().split("\n")) {
            String statement = line.strip();
            Matcher m;
            if ((m = PRINT.matcher(statement)).matches()) {
                (m.group(2) != null ? err : out).append(value(m.group(1), job, files)).append('\n');
            } else if ((m = WRITE.matcher(statement)).matches()) {
                files.put(string(m.group(1)), string(m.group(2)));
            } else if ((m = EXIT.matcher(statement)).matches()) {
                return new StepResult(out.toString(), err.toString(), Integer.parseInt(m.group(1)), null, false, false, 1);
            } else if (statement.equals("while True: pass")) {
                return new StepResult(out.toString(), err.toString(), KILLED, "SIGKILL", true, false, job.timeout().toMillis());
            }
        }
        return new StepResult(out.toString(), err.toString(), 0, null, false, false, 1);
    }

    private static String value(String expression, Job job, Map<String, String> files) {
        String e = expression.strip();
        Matcher m;
        if (e.matches("-?\\d+")) return e;
        if ((m = ARGV.matcher(e)).matches()) return argv(job.args(), Integer.parseInt(m.group(1)));
        if (e.equals("sys.stdin.read()")) return job.stdin();
        if ((m = EXISTS.matcher(e)).matches()) return files.containsKey(string(m.group(1))) ? "True" : "False";
        if ((m = READ.matcher(e)).matches()) return files.getOrDefault(string(m.group(1)), "");
        return string(e);
    }

    private static String argv(List<String> args, int index) {
        return index == 0 ? "main.py" : args.get(index - 1);
    }

    private static String string(String literal) {
        Matcher m = STRING.matcher(literal.strip());
        if (!m.matches()) throw new IllegalArgumentException("FakePython knows no expression " + literal);
        return m.group(1) != null ? m.group(1) : m.group(2);
    }
}
