package dev.warmbox.execution;

import dev.warmbox.sandbox.Language;
import java.time.Duration;

/** Told of every execution that produced a result; metrics listen here. */
public interface ExecutionObserver {
    void executed(Language language, boolean hit, Duration elapsed);
}
