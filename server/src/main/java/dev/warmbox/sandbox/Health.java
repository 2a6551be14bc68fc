package dev.warmbox.sandbox;

/** The result of a health check: healthy, or why not. */
public record Health(boolean healthy, String reason) {
    public static final Health OK = new Health(true, "");

    public static Health failed(String reason) {
        return new Health(false, reason);
    }
}
