package dev.warmbox.execution;

import java.time.Duration;

/** A request warmbox will not serve, with a reason a client can act on. Mapped to HTTP in one place. */
public final class Rejection extends RuntimeException {

    /** Why; each kind has one HTTP status. */
    public enum Kind { INVALID, TOO_LARGE, BUSY, UNAVAILABLE }

    private final Kind kind;
    private final String code;
    private final Duration retryAfter;

    Rejection(Kind kind, String code, String message, Duration retryAfter) {
        super(message);
        this.kind = kind;
        this.code = code;
        this.retryAfter = retryAfter;
    }

    static Rejection invalid(String message) {
        return new Rejection(Kind.INVALID, "invalid_request", message, null);
    }

    static Rejection tooLarge(String message) {
        return new Rejection(Kind.TOO_LARGE, "payload_too_large", message, null);
    }

    public Kind kind() {
        return kind;
    }

    public String code() {
        return code;
    }

    /** When a client should try again, for BUSY and UNAVAILABLE; null otherwise. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
