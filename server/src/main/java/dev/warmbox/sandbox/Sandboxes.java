package dev.warmbox.sandbox;

import java.util.List;

/**
 * Everything warmbox does to a sandbox container. The seam between pool logic (tested with a fake)
 * and the engine plus the in-container agent (tested against the real engine).
 */
public interface Sandboxes {

    /** Launches a sandbox and waits until its agent answers; with {@code probe}, also runs the probe program. */
    Sandbox launch(Language language, boolean probe);

    /** Runs a job; the sandbox must then be reset before anyone else uses it. */
    Outcome execute(Sandbox sandbox, Job job);

    /** Removes every trace of the previous execution; false when that could not be guaranteed. */
    boolean reset(Sandbox sandbox);

    /** Liveness (container running), readiness (agent answers) and resources (no stray processes, memory). */
    Health check(Sandbox sandbox);

    /** Removes the container and its socket directory; never throws. */
    void destroy(Sandbox sandbox);

    /** Removes containers a previous run of this server left behind; returns their names. */
    List<String> removeLeftovers();

    /**
     * Removes containers of this server that no live sandbox is: removals that failed while the engine
     * was away, and containers whose creation the server never heard back from. Never throws; returns
     * the names removed.
     */
    List<String> sweepStrays();

    /** Whether the engine answers. */
    boolean engineAvailable();
}
