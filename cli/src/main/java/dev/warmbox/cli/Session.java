package dev.warmbox.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.Map;

/**
 * One run of the CLI: its environment, its streams and the global flags, and from them (once asked
 * for) the settings, the API client and the output. Commands get it by constructor, so tests run the
 * whole CLI in-process with a map for the environment and buffers for the streams.
 */
final class Session {
    final Map<String, String> env;
    final InputStream in;
    final PrintStream out;
    final PrintStream err;
    private final WarmboxCommand flags;
    private Settings settings;
    private ApiClient api;

    Session(Map<String, String> env, InputStream in, PrintStream out, PrintStream err, WarmboxCommand flags) {
        this.env = env;
        this.in = in;
        this.out = out;
        this.err = err;
        this.flags = flags;
    }

    Settings settings() {
        if (settings == null) {
            settings = Settings.resolve(flags.server, flags.apiKey, flags.format, env, ConfigFile.load(env));
        }
        return settings;
    }

    ApiClient api() {
        if (api == null) api = new ApiClient(settings());
        return api;
    }

    Output output() {
        return new Output(settings().format(), out, err);
    }

    /** A note for the user on stderr, prefixed like every message of the CLI's own. */
    void note(String message) {
        err.println("warmbox: " + message);
    }
}
