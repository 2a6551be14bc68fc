package dev.warmbox.routing;

import java.time.Duration;

/** What the gate decided about one request to an environment. */
sealed interface Verdict {

    /** The owner may go through to the environment's IDE. */
    record Pass(Route route) implements Verdict {}

    /** A valid access link: set the cookie holding {@code token} and redirect to the clean URL. */
    record Exchange(Route route, String token) implements Verdict {}

    /** Refused; answered as {@code {"error": {code, message}}} with this status. */
    record Refusal(int status, String code, String message, Duration retryAfter) implements Verdict {
        Refusal(int status, String code, String message) {
            this(status, code, message, null);
        }
    }
}
