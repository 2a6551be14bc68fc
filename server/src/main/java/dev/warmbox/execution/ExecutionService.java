package dev.warmbox.execution;

import dev.warmbox.config.Limits;
import dev.warmbox.pool.Lease;
import dev.warmbox.pool.PoolExhausted;
import dev.warmbox.pool.WarmPools;
import dev.warmbox.sandbox.Job;
import dev.warmbox.sandbox.Outcome;
import dev.warmbox.sandbox.SandboxException;
import dev.warmbox.sandbox.Sandboxes;
import dev.warmbox.sandbox.StepResult;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one request's code: validates it, borrows a sandbox (warm or fresh), runs, and gives the
 * sandbox back to be scrubbed. At most {@code maxConcurrentExecutions} run at once; beyond that the
 * answer is an immediate "busy", never a queue that hangs.
 */
public final class ExecutionService {
    private static final Logger log = LoggerFactory.getLogger(ExecutionService.class);
    private static final int ATTEMPTS = 3;

    private final ExecuteRequestParser parser;
    private final WarmPools pools;
    private final Sandboxes sandboxes;
    private final ExecutionObserver observer;
    private final Semaphore slots;

    public ExecutionService(Limits limits, WarmPools pools, Sandboxes sandboxes, ExecutionObserver observer) {
        this.parser = new ExecuteRequestParser(limits);
        this.pools = pools;
        this.sandboxes = sandboxes;
        this.observer = observer;
        this.slots = new Semaphore(limits.maxConcurrentExecutions());
    }

    /** Parses and runs a request body. */
    public ExecutionResult execute(byte[] body) {
        Job job = parser.parse(body);
        if (!slots.tryAcquire()) {
            throw new Rejection(Rejection.Kind.BUSY, "too_many_requests",
                    "all execution slots are busy; try again shortly", Duration.ofSeconds(1));
        }
        try {
            return run(job);
        } finally {
            slots.release();
        }
    }

    private ExecutionResult run(Job job) {
        long started = System.nanoTime();
        for (int attempt = 1; ; attempt++) {
            Lease lease = borrow(job);
            observer.waited(job.language(), lease.waited());
            try {
                Outcome outcome = sandboxes.execute(lease.sandbox(), job);
                long elapsed = (System.nanoTime() - started) / 1_000_000;
                observer.executed(job.language(), lease.hit(), Duration.ofMillis(elapsed));
                return result(job, outcome, lease.hit(), elapsed);
            } catch (SandboxException e) {
                lease.markBroken();
                // A pool container whose agent never took the job died while idle: try another one.
                if (!(e.unreachable() && lease.hit() && attempt < ATTEMPTS)) throw unavailable(job, e);
                log.warn("{} was dead when handed out; retrying: {}", lease.sandbox(), e.getMessage());
            } finally {
                lease.close();
            }
        }
    }

    private Lease borrow(Job job) {
        try {
            return pools.acquire(job.language());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Rejection(Rejection.Kind.UNAVAILABLE, "shutting_down", "the server is shutting down", Duration.ofSeconds(5));
        } catch (SandboxException e) {
            throw unavailable(job, e);
        } catch (PoolExhausted e) {
            throw new Rejection(Rejection.Kind.BUSY, "too_many_requests", e.getMessage() + "; try again shortly",
                    Duration.ofSeconds(1));
        }
    }

    private static Rejection unavailable(Job job, SandboxException e) {
        log.error("execution of {} failed in the sandbox layer", job.language().id(), e);
        return new Rejection(Rejection.Kind.UNAVAILABLE, "sandbox_unavailable",
                "no " + job.language().id() + " sandbox could run the code; try again", Duration.ofSeconds(2));
    }

    private static ExecutionResult result(Job job, Outcome outcome, boolean hit, long elapsedMs) {
        StepResult run = outcome.run();
        StepResult compile = outcome.compile();
        StepResult last = run != null ? run : compile;
        return new ExecutionResult(
                job.language().id(),
                outcome.version(),
                run == null ? "" : run.stdout(),
                run == null ? "" : run.stderr(),
                last.exitCode(),
                last.signal(),
                last.timedOut(),
                (run != null && run.outputTruncated()) || (compile != null && compile.outputTruncated()),
                elapsedMs,
                hit ? "hit" : "miss",
                ExecutionResult.Compile.of(compile));
    }
}
