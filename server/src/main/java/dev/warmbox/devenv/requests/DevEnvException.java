package dev.warmbox.devenv.requests;

/**
 * A development-environment request that cannot be served as asked. The kind decides the HTTP status
 * (in one place, HttpApi); the code and message go to the client as they are.
 */
public final class DevEnvException extends RuntimeException {
    public enum Kind { INVALID, TOO_LARGE, FORBIDDEN, NOT_FOUND, CONFLICT, CAPACITY }

    private final Kind kind;
    private final String code;

    public DevEnvException(Kind kind, String code, String message) {
        super(message);
        this.kind = kind;
        this.code = code;
    }

    public Kind kind() {
        return kind;
    }

    public String code() {
        return code;
    }

    /** A field of a request is missing or wrong; the message starts with the field's name. */
    public static DevEnvException invalid(String field, String problem) {
        return new DevEnvException(Kind.INVALID, "invalid_request", field + " " + problem);
    }

    /** A body or one of its values is over a limit; the message names the value and the limit. */
    public static DevEnvException tooLarge(String message) {
        return new DevEnvException(Kind.TOO_LARGE, "payload_too_large", message);
    }

    public static DevEnvException notFound(String what, String id) {
        return new DevEnvException(Kind.NOT_FOUND, "not_found", "no " + what + " with id " + id);
    }

    public static DevEnvException conflict(String code, String message) {
        return new DevEnvException(Kind.CONFLICT, code, message);
    }

    public static DevEnvException forbidden(String message) {
        return new DevEnvException(Kind.FORBIDDEN, "forbidden", message);
    }
}
