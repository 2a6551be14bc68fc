package dev.warmbox.cli;

import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The top command: the global flags (given before or after the subcommand) and the list of subcommands. */
@Command(name = "warmbox", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Command-line client of a warmbox server: run code in its warm sandboxes, look at its pools, "
                + "manage development environments and API keys.",
        footer = {"",
                "Server and key, first found: --server/--api-key, WARMBOX_URL/WARMBOX_API_KEY, the config file",
                "($WARMBOX_CONFIG, else ~/.config/warmbox/config.yaml); the server defaults to http://127.0.0.1:8002.",
                "Exit codes: 0 ok (execute: the program's own), 64 usage, 65 server error, 67 key refused,",
                "69 server unreachable, 70 internal error."},
        subcommands = {ExecuteCommand.class, PoolsCommand.class, WarmPoolsCommand.class, ProjectsCommand.class,
                ClassesCommand.class, PrebuildsCommand.class, EnvironmentsCommand.class, KeysCommand.class,
                ConfigCommand.class, AutoComplete.GenerateCompletion.class})
final class WarmboxCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Option(names = "--server", paramLabel = "URL", scope = ScopeType.INHERIT,
            description = "The server's base URL (else WARMBOX_URL, the config file, http://127.0.0.1:8002).")
    String server;

    @Option(names = "--api-key", paramLabel = "KEY", scope = ScopeType.INHERIT,
            description = "The API key, sent as X-API-Key (else WARMBOX_API_KEY, the config file).")
    String apiKey;

    @Option(names = {"-o", "--format"}, paramLabel = "FORMAT", scope = ScopeType.INHERIT,
            description = "table (default), json or yaml: json and yaml print the server's whole answer.")
    Format format;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
