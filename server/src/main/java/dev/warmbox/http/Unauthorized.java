package dev.warmbox.http;

/** No key, a key that is not ours, or headers naming no single key. */
final class Unauthorized extends RuntimeException {
    private final String bearerError;

    /** @param bearerError RFC 6750's error code for the challenge ({@code invalid_request}, {@code invalid_token}), or null */
    Unauthorized(String message, String bearerError) {
        super(message);
        this.bearerError = bearerError;
    }

    String bearerError() {
        return bearerError;
    }
}
