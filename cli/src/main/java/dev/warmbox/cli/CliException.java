package dev.warmbox.cli;

/** A failure the CLI reports as one line on stderr, ending with the exit code it carries. */
final class CliException extends RuntimeException {
    private final int exitCode;

    CliException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    static CliException usage(String message) {
        return new CliException(ExitCodes.USAGE, message, null);
    }

    static CliException usage(String message, Throwable cause) {
        return new CliException(ExitCodes.USAGE, message, cause);
    }

    int exitCode() {
        return exitCode;
    }
}
