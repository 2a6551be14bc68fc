package dev.warmbox.execution;

import dev.warmbox.sandbox.Language;
import java.time.Duration;

/** Told of every execution that produced a result, and of how long each waited for its sandbox; metrics listen here. */
public interface ExecutionObserver {
    void executed(Language language, boolean hit, Duration elapsed);

    /** A request got its sandbox after {@code waited} (zero when one was ready). */
    default void waited(Language language, Duration waited) {}
}
