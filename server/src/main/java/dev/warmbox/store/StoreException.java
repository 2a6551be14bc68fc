package dev.warmbox.store;

/**
 * The database could not be opened, read or written. The message names the file and says what is
 * wrong in plain words, because at start-up it is all the operator sees.
 */
public final class StoreException extends RuntimeException {
    StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    StoreException(String message) {
        super(message);
    }
}
