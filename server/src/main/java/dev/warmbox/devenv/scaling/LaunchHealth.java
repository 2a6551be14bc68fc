package dev.warmbox.devenv.scaling;

import java.time.Duration;
import java.time.Instant;

/**
 * A pool's recent launch outcomes: after consecutive failures the pool is DEGRADED and waits before it
 * tries again, doubling the wait up to a minute, so a broken snapshot does not spin the engine.
 */
public record LaunchHealth(int consecutiveFailures, Instant lastFailure, String lastMessage) {
    public static final LaunchHealth OK = new LaunchHealth(0, null, null);
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(1);

    public LaunchHealth failed(Instant at, String message) {
        return new LaunchHealth(consecutiveFailures + 1, at, message);
    }

    public boolean degraded() {
        return consecutiveFailures > 0;
    }

    /** Whether launching again must wait: until 2^(n-1) seconds (at most a minute) after the last failure. */
    public boolean backingOff(Instant now) {
        if (!degraded()) return false;
        long seconds = 1L << Math.min(consecutiveFailures - 1, 6);
        Duration wait = Duration.ofSeconds(seconds).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : Duration.ofSeconds(seconds);
        return now.isBefore(lastFailure.plus(wait));
    }
}
