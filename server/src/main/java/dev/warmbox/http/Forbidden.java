package dev.warmbox.http;

/** An authenticated key whose role does not allow the request. */
final class Forbidden extends RuntimeException {
    Forbidden(String message) {
        super(message);
    }
}
