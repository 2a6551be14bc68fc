package dev.warmbox.http;

/** No key, or a key that is not ours. */
final class Unauthorized extends RuntimeException {
    Unauthorized(String message) {
        super(message);
    }
}
