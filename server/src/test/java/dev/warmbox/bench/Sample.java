package dev.warmbox.bench;

/**
 * One request of a closed loop.
 *
 * @param startNanos when it was sent ({@link System#nanoTime()})
 * @param millis time until the whole answer was read
 * @param outcome {@code "ok"} or what went wrong: an HTTP status such as {@code "429"}, {@code "wrong output"},
 *     an exception's simple name
 * @param pool {@code "hit"} or {@code "miss"} from warmbox's answer; null for host baselines and failures
 */
record Sample(long startNanos, double millis, String outcome, String pool) {
    static final String OK = "ok";

    boolean ok() {
        return OK.equals(outcome);
    }
}
