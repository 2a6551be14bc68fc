package dev.warmbox.pool;

import dev.warmbox.sandbox.Language;
import java.time.Duration;

/** No sandbox of a runtime became free before the queue's deadline: the server is overloaded for it. */
public final class PoolExhausted extends RuntimeException {
    private final transient Language language;

    PoolExhausted(Language language, Duration waited) {
        super("no " + language.id() + " sandbox became free within " + waited.toMillis() + " ms");
        this.language = language;
    }

    public Language language() {
        return language;
    }
}
