package dev.warmbox.sandbox;

/** A sandbox could not be launched, reached or used; the message names the sandbox or language. */
public final class SandboxException extends RuntimeException {
    private final boolean unreachable;

    public SandboxException(String message, Throwable cause, boolean unreachable) {
        super(message, cause);
        this.unreachable = unreachable;
    }

    public SandboxException(String message) {
        this(message, null, false);
    }

    /** True when the agent never took the request: it is safe to retry the job elsewhere. */
    public boolean unreachable() {
        return unreachable;
    }
}
