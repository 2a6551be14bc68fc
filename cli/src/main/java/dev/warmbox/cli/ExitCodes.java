package dev.warmbox.cli;

/**
 * What the CLI's exit status means, after sysexits(3) so that no code is confused with a usage slip.
 * {@code execute} exits with the program's own code instead, whenever the program ran.
 */
final class ExitCodes {
    static final int OK = 0;
    /** The command line, the config file, an input file or a language the CLI cannot make out. */
    static final int USAGE = 64;
    /** The server answered with an error (4xx or 5xx other than 401/403), or with something that is not its API. */
    static final int SERVER = 65;
    /** The server refused the API key (401) or its role (403). */
    static final int AUTH = 67;
    /** No answer: connection refused, unknown host, timeout. */
    static final int CONNECTION = 69;
    /** A failure of the CLI itself; reported as one line, never as a stack trace. */
    static final int INTERNAL = 70;
    /** Interrupted (Ctrl-C), as shells report SIGINT. */
    static final int INTERRUPTED = 130;

    private ExitCodes() {}
}
