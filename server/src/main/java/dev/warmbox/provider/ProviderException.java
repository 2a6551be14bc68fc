package dev.warmbox.provider;

/** A container engine failed to do what was asked; the message names the container or image. */
public final class ProviderException extends RuntimeException {
    public ProviderException(String message, Throwable cause) {
        super(message, cause);
    }

    public ProviderException(String message) {
        super(message);
    }
}
