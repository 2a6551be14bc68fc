package dev.warmbox.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import picocli.CommandLine;

/** {@code warmbox}: runs one command and exits with its code. Errors are one line on stderr, never a stack trace. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
        int code = run(args, System.getenv(), System.in, out, err);
        out.flush();
        System.exit(code);
    }

    static int run(String[] args, Map<String, String> env, InputStream in, PrintStream out, PrintStream err) {
        WarmboxCommand root = new WarmboxCommand();
        Session session = new Session(env, in, out, err, root);
        CommandLine cli = new CommandLine(root, factory(session));
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        cli.getSubcommands().get("execute").setStopAtPositional(true);
        cli.setParameterExceptionHandler((e, ignored) -> {
            session.note(e.getMessage());
            CommandLine command = e.getCommandLine();
            err.println("Try '" + command.getCommandSpec().qualifiedName() + " --help'.");
            return ExitCodes.USAGE;
        });
        cli.setExecutionExceptionHandler((e, command, parsed) -> failed(e, session));
        try {
            return cli.execute(args);
        } finally {
            out.flush();
        }
    }

    private static int failed(Exception e, Session session) {
        if (e instanceof CliException known) {
            session.note(known.getMessage());
            return known.exitCode();
        }
        session.note("internal error: " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        return ExitCodes.INTERNAL;
    }

    static String version() {
        String version = Main.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }

    /** The version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"warmbox CLI " + version()};
        }
    }

    static CommandLine.IFactory factory(Session session) {
        return new Factory(session);
    }

    /** Builds every command with the session; picocli's own classes the default way. */
    private record Factory(Session session) implements CommandLine.IFactory {
        @Override
        public <K> K create(Class<K> type) throws Exception {
            try {
                var constructor = type.getDeclaredConstructor(Session.class);
                return constructor.newInstance(session);
            } catch (NoSuchMethodException none) {
                return CommandLine.defaultFactory().create(type);
            }
        }
    }
}
