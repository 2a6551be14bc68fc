package dev.warmbox.sandbox;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A language warmbox runs, with how its code is laid out, compiled and run inside its runtime image.
 * The agent in the container is language-neutral; everything language-specific lives here.
 */
public enum Language {
    PYTHON("python", List.of("py"), "main.py",
            Map.of("PYTHONDONTWRITEBYTECODE", "1", "PYTHONUNBUFFERED", "1")),
    JAVASCRIPT("javascript", List.of("node", "js", "nodejs"), "main.js", Map.of()),
    // The build cache is warmed in the image and read-only here: go ignores failed cache writes, but
    // its package index must be off (goindex=0) or packages missing from the cache are "not in std".
    GO("go", List.of("golang"), "main.go",
            Map.of("GOCACHE", "/opt/gocache", "GODEBUG", "goindex=0", "GOPATH", "/tmp/go", "GOTOOLCHAIN", "local",
                    "GOPROXY", "off", "GOFLAGS", "-buildvcs=false", "CGO_ENABLED", "0",
                    // Go telemetry ignores GOTELEMETRY=off; its mode file is read from here (runtimes/go).
                    "XDG_CONFIG_HOME", "/etc/warmbox/xdg")),
    JAVA("java", List.of(), "Main.java", Map.of());

    private static final Pattern PUBLIC_CLASS =
            Pattern.compile("public\\s+(?:final\\s+|abstract\\s+)*class\\s+([A-Za-z_$][A-Za-z0-9_$]*)");
    private static final String PATH = "/usr/local/bin:/usr/bin:/bin";
    private static final String WORKDIR = "/workspace";
    // Each loader says it is ready with one byte on fd 4, then waits for the program's argv on fd 3.
    // Runs argv[1] in a fresh __main__ module the way `python3 main.py` does (not through runpy, whose
    // imports cost ~7 ms per request), and prints an uncaught exception's traceback without the
    // loader's own frames. It ends as a normal exit does (non-daemon threads joined, atexit handlers
    // run, streams flushed) but skips module teardown, which Python does not promise at exit and which
    // costs ~3 ms: os._exit after that.
    private static final String PYTHON_LOADER = """
            import os, sys, json
            os.write(4, b'r')
            os.close(4)
            with os.fdopen(3, 'rb') as control:
                request = control.read()
            sys.argv = json.loads(request)['argv'][1:]
            path = sys.argv[0]
            sys.path[0] = os.path.dirname(path)
            main = type(sys)('__main__')
            main.__file__, main.__cached__, main.__builtins__ = path, None, __builtins__
            sys.modules['__main__'] = main
            def finish(code):
                if 'threading' in sys.modules:
                    sys.modules['threading']._shutdown()
                import atexit
                atexit._run_exitfuncs()
                for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
                    try:
                        stream.flush()
                    except Exception:
                        pass
                os._exit(code)
            try:
                with open(path, 'rb') as source:
                    code = compile(source.read(), path, 'exec')
                exec(code, main.__dict__)
            except SystemExit as exit:
                status = exit.code
                if status is None:
                    status = 0
                elif not isinstance(status, int):
                    print(status, file=sys.stderr)
                    status = 1
                finish(status & 0xff)
            except BaseException as error:
                import traceback
                tb = error.__traceback__
                while tb is not None and tb.tb_frame.f_code.co_filename != path:
                    tb = tb.tb_next
                traceback.print_exception(type(error), error, tb)
                finish(1)
            finish(0)
            """;
    // The javascript loader is built into a start-up snapshot in the image (runtimes/node/loader.js).
    private static final String NODE_LOADER_SNAPSHOT = "/opt/warmbox/node-loader.blob";
    // The pristine template process python's prepared interpreters are forked from (the resource's
    // header says how). -I makes it ignore PYTHON* variables, so -B and -u stand for the two in
    // PYTHON's extraEnv; the loader is its argument, so the forked child runs exactly PYTHON_LOADER.
    private static final String PYTHON_TEMPLATE = resource("python-template.py");
    private static final List<String> JVM_FLAGS =
            List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-XX:-UsePerfData");

    private final String id;
    private final List<String> aliases;
    private final String defaultFile;
    private final Map<String, String> extraEnv;

    Language(String id, List<String> aliases, String defaultFile, Map<String, String> extraEnv) {
        this.id = id;
        this.aliases = aliases;
        this.defaultFile = defaultFile;
        this.extraEnv = extraEnv;
    }

    /** The name used in requests, status, metrics and image names. */
    public String id() {
        return id;
    }

    public static Optional<Language> byName(String name) {
        String wanted = name.toLowerCase(Locale.ROOT);
        for (Language l : values()) {
            if (l.id.equals(wanted) || l.aliases.contains(wanted)) return Optional.of(l);
        }
        return Optional.empty();
    }

    public static List<String> names() {
        return java.util.Arrays.stream(values()).map(Language::id).toList();
    }

    /** The file the code is written to; for Java, named after its public class so javac accepts it. */
    public String sourceFile(String code) {
        if (this != JAVA) return defaultFile;
        Matcher m = PUBLIC_CLASS.matcher(code);
        return m.find() ? m.group(1) + ".java" : defaultFile;
    }

    /** Whether code in this language is compiled before it runs. */
    public boolean compiled() {
        return compileCommand(defaultFile).isPresent();
    }

    /** The compile step, or empty for interpreted languages. */
    public Optional<List<String>> compileCommand(String sourceFile) {
        return switch (this) {
            case GO -> Optional.of(List.of("go", "build", "-ldflags=-s -w", "-o", WORKDIR + "/main", sourceFile));
            // javac.jsa is a class-data-sharing archive of javac built in the image (runtimes/java).
            case JAVA -> Optional.of(List.of("javac", "-J-XX:+UseSerialGC", "-J-XX:TieredStopAtLevel=1",
                    "-J-Xshare:auto", "-J-XX:SharedArchiveFile=/opt/warmbox/javac.jsa", "-J-XX:-UsePerfData",
                    "-d", WORKDIR, sourceFile));
            default -> Optional.empty();
        };
    }

    /**
     * An interpreter the agent starts right after each scrub, which loads its runtime and waits on fd 3
     * for the program's argv, so a request skips the interpreter's start-up (docs/agent-protocol.md).
     * Empty for compiled languages, whose compile step dominates anyway.
     */
    public Optional<List<String>> preparedInterpreter() {
        return switch (this) {
            case PYTHON -> Optional.of(List.of("python3", "-c", PYTHON_LOADER));
            case JAVASCRIPT -> Optional.of(List.of("node", "--snapshot-blob", NODE_LOADER_SNAPSHOT));
            default -> Optional.empty();
        };
    }

    /**
     * A process the agent starts once per container, as root, never given user code, from which it
     * forks each prepared interpreter instead of starting one (docs/agent-protocol.md, reset); the
     * agent spawns {@link #preparedInterpreter()} when it cannot. Empty when the language has none.
     */
    public Optional<List<String>> preparedTemplate() {
        return this == PYTHON
                ? Optional.of(List.of("python3", "-I", "-B", "-u", "-c", PYTHON_TEMPLATE, PYTHON_LOADER))
                : Optional.empty();
    }

    /** The run step, with the user's arguments appended. */
    public List<String> runCommand(String sourceFile, List<String> args) {
        List<String> base = switch (this) {
            case PYTHON -> List.of("python3", WORKDIR + "/" + sourceFile);
            case JAVASCRIPT -> List.of("node", WORKDIR + "/" + sourceFile);
            case GO -> List.of(WORKDIR + "/main");
            case JAVA -> concat(concat(List.of("java"), JVM_FLAGS), List.of("-cp", WORKDIR,
                    sourceFile.substring(0, sourceFile.length() - ".java".length())));
        };
        return concat(base, args);
    }

    /** The environment user code sees: nothing of the server's or the agent's. */
    public Map<String, String> environment() {
        var env = new java.util.TreeMap<>(extraEnv);
        env.put("PATH", PATH);
        env.put("HOME", "/home/sandbox");
        env.put("LANG", "C.UTF-8");
        env.put("TMPDIR", "/tmp");
        return env;
    }

    /** A program whose output proves the runtime starts: used before a container joins a pool. */
    public String probeCode() {
        return switch (this) {
            case PYTHON -> "print('warmbox-probe')";
            case JAVASCRIPT -> "console.log('warmbox-probe')";
            case GO -> "package main\nimport \"fmt\"\nfunc main() { fmt.Println(\"warmbox-probe\") }\n";
            case JAVA -> "public class Main { public static void main(String[] a) { System.out.println(\"warmbox-probe\"); } }\n";
        };
    }

    private static String resource(String name) {
        try (var in = Language.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("resource " + name + " is missing from the jar");
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read resource " + name, e);
        }
    }

    private static List<String> concat(List<String> first, List<String> second) {
        var all = new java.util.ArrayList<>(first);
        all.addAll(second);
        return List.copyOf(all);
    }
}
