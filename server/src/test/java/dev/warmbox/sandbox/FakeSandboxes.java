package dev.warmbox.sandbox;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * In-memory sandboxes for unit tests of pool logic: no engine, but every call is recorded and steerable.
 * It passes {@link SandboxesContract} as {@link ContainerSandboxes} does: jobs run {@link FakePython} against
 * each sandbox's own files, a reset empties them, and a sandbox stopped from outside or destroyed fails its
 * check, its jobs (unreachable) and its reset.
 */
public final class FakeSandboxes implements Sandboxes {
    private final Clock clock;
    private final AtomicInteger sequence = new AtomicInteger();
    public final Set<Sandbox> live = ConcurrentHashMap.newKeySet();
    public final Set<Sandbox> destroyed = ConcurrentHashMap.newKeySet();
    public final Set<Sandbox> unhealthy = ConcurrentHashMap.newKeySet();
    public final Set<Sandbox> unscrubbable = ConcurrentHashMap.newKeySet();
    public final Map<Sandbox, Boolean> launchedWithProbe = new ConcurrentHashMap<>();
    public final AtomicInteger resets = new AtomicInteger();
    public final AtomicInteger failingLaunches = new AtomicInteger();
    public final AtomicInteger sweeps = new AtomicInteger();
    public final AtomicInteger launchesStarted = new AtomicInteger();
    /** When set, launches wait for it: a test can hold launches "under way". */
    public volatile java.util.concurrent.CountDownLatch launchGate;
    /** When set, health checks wait for it: a test can hold a sandbox "under check". */
    public volatile java.util.concurrent.CountDownLatch checkGate;
    public volatile boolean engineUp = true;
    /** Checks of these sandboxes wait for their latch (after {@link #checkGate}): a check stalled to its timeout. */
    public final Map<Sandbox, java.util.concurrent.CountDownLatch> stalledChecks = new ConcurrentHashMap<>();
    /** Checks of these sandboxes throw instead of answering. */
    public final Set<Sandbox> throwingChecks = ConcurrentHashMap.newKeySet();
    /** Sandboxes whose check has answered. */
    public final Set<Sandbox> checked = ConcurrentHashMap.newKeySet();
    /** Sandboxes whose container was stopped from outside (an operator, the OOM killer). */
    public final Set<Sandbox> stopped = ConcurrentHashMap.newKeySet();
    /** Containers of this server that no live sandbox is, as a removal that failed leaves them. */
    public final Set<String> strays = ConcurrentHashMap.newKeySet();
    private final Map<Sandbox, Map<String, String>> files = new ConcurrentHashMap<>();
    public final AtomicInteger checksRunning = new AtomicInteger();
    public final AtomicInteger mostChecksAtOnce = new AtomicInteger();

    public FakeSandboxes(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Sandbox launch(Language language, boolean probe) {
        launchesStarted.incrementAndGet();
        var gate = launchGate;
        if (gate != null) {
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SandboxException("interrupted while launching");
            }
        }
        if (failingLaunches.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new SandboxException("fake launch failure for " + language.id());
        }
        int n = sequence.incrementAndGet();
        Sandbox sandbox = new Sandbox("id-" + n, "fake-" + language.id() + "-" + n, language, new AgentEndpoint.UnixSocket(Path.of("/nowhere")), clock.instant());
        launchedWithProbe.put(sandbox, probe);
        live.add(sandbox);
        return sandbox;
    }

    @Override
    public Outcome execute(Sandbox sandbox, Job job) {
        if (!live.contains(sandbox) || stopped.contains(sandbox)) {
            throw new SandboxException("agent of " + sandbox + " is unreachable", null, true);
        }
        Map<String, String> own = files.computeIfAbsent(sandbox, s -> new ConcurrentHashMap<>());
        own.put(job.language().sourceFile(job.code()), job.code());
        job.files().forEach(f -> own.put(f.name(), f.content()));
        return new Outcome(null, FakePython.run(job, own), "fake 1.0");
    }

    @Override
    public boolean reset(Sandbox sandbox) {
        resets.incrementAndGet();
        if (!live.contains(sandbox) || stopped.contains(sandbox) || unscrubbable.contains(sandbox)) return false;
        files.remove(sandbox);
        return true;
    }

    @Override
    public Health check(Sandbox sandbox) {
        mostChecksAtOnce.accumulateAndGet(checksRunning.incrementAndGet(), Math::max);
        try {
            await(checkGate);
            await(stalledChecks.get(sandbox));
            if (throwingChecks.contains(sandbox)) throw new IllegalStateException("fake check failure of " + sandbox);
            Health health = !live.contains(sandbox) ? Health.failed("container is gone")
                    : stopped.contains(sandbox) ? Health.failed("container is exited")
                    : unhealthy.contains(sandbox) ? Health.failed("made unhealthy by the test") : Health.OK;
            checked.add(sandbox);
            return health;
        } finally {
            checksRunning.decrementAndGet();
        }
    }

    private static void await(java.util.concurrent.CountDownLatch gate) {
        if (gate == null) return;
        try {
            gate.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void destroy(Sandbox sandbox) {
        files.remove(sandbox);
        if (live.remove(sandbox)) destroyed.add(sandbox);
    }

    @Override
    public List<String> removeLeftovers() {
        List<String> names = new ArrayList<>(live.stream().map(Sandbox::name).toList());
        live.forEach(this::destroy);
        names.addAll(strays);
        strays.clear();
        return names;
    }

    @Override
    public List<String> sweepStrays() {
        sweeps.incrementAndGet();
        List<String> removed = List.copyOf(strays);
        strays.removeAll(removed);
        return removed;
    }

    /** Leaves a container of this server that no live sandbox is; returns its name. */
    public String leaveStray() {
        String name = "fake-stray-" + sequence.incrementAndGet();
        strays.add(name);
        return name;
    }

    @Override
    public boolean engineAvailable() {
        return engineUp;
    }

    public long liveOf(Language language) {
        return live.stream().filter(s -> s.language() == language).count();
    }
}
