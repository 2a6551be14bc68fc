package dev.warmbox.provider;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * An in-memory {@link ContainerProvider} for unit tests of code above the seam. It passes the same
 * contract as the Docker provider, records every call, and lets a test break things the way an engine
 * does: failing creates, containers dying on their own, the engine going away.
 */
public final class FakeContainerProvider implements ContainerProvider {
    /** Exit code of a container stopped with SIGTERM. */
    public static final int STOPPED_EXIT_CODE = 143;
    /** Exit code of a container killed with SIGKILL (or by the OOM killer). */
    public static final int KILLED_EXIT_CODE = 137;

    /** One call made on the seam: the operation and the container, name or image it was about. */
    public record Call(String operation, String target) {}

    private final ReentrantLock lock = new ReentrantLock();
    private final java.util.concurrent.atomic.AtomicReference<Runnable> afterNextList = new java.util.concurrent.atomic.AtomicReference<>();
    private final Clock clock;
    private final Map<String, Box> containers = new LinkedHashMap<>();
    private final Set<String> images = new HashSet<>();
    /** Committed images by id, with their references and labels; plain {@link #images} have no labels. */
    private final Map<String, ImageState> committed = new LinkedHashMap<>();
    /** Container ids or names whose removal fails, with the engine's message. */
    private final Map<String, String> failingRemovals = new java.util.HashMap<>();
    private final List<Call> calls = new ArrayList<>();
    private final List<Exec> execs = new ArrayList<>();
    /** Network name to whether containers on it are isolated from each other; the engine's default bridge is not. */
    private final Map<String, Boolean> networks = new java.util.HashMap<>(Map.of("bridge", false));
    private int addresses;
    private volatile java.util.function.Function<Exec, ExecResult> execResponder = exec -> null;
    private int failingCreates;
    private String createFailure;
    private boolean reachable = true;

    /** @param images the images present from the start */
    public FakeContainerProvider(String... images) {
        this(Clock.systemUTC(), images);
    }

    public FakeContainerProvider(Clock clock, String... images) {
        this.clock = clock;
        this.images.addAll(List.of(images));
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.allOf(Capability.class);
    }

    @Override
    public AgentReach agentReach() {
        return AgentReach.UNIX_SOCKET;
    }

    @Override
    public String create(ContainerSpec spec) {
        return locked("create", spec.name(), () -> {
            String what = "create container " + spec.name() + " from image " + spec.image() + " failed: ";
            if (failingCreates > 0) {
                failingCreates--;
                throw new ProviderException(what + createFailure);
            }
            if (!images.contains(spec.image())) {
                throw new ProviderException(what + "image " + spec.image() + " is not present locally");
            }
            if (find(spec.name()) != null) {
                throw new ProviderException(what + "the name " + spec.name() + " is already in use");
            }
            String id = hexId();
            containers.put(id, new Box(id, spec));
            return id;
        });
    }

    @Override
    public void start(String containerId) {
        locked("start", containerId, () -> {
            Box box = existing("start", containerId);
            if (box.status != ContainerState.Status.RUNNING) {
                box.status = ContainerState.Status.RUNNING;
                box.startedAt = clock.instant();
                box.exitCode = 0;
                // Loopback, so code that dials it never sends traffic off this machine.
                box.address = "127.88." + (++addresses / 250) + "." + (addresses % 250 + 2);
            }
            return null;
        });
    }

    @Override
    public void stop(String containerId, Duration grace) {
        locked("stop", containerId, () -> {
            Box box = find(containerId);
            if (box != null && box.status == ContainerState.Status.RUNNING) {
                box.status = ContainerState.Status.EXITED;
                box.exitCode = STOPPED_EXIT_CODE;
            }
            return null;
        });
    }

    @Override
    public void remove(String containerId) {
        locked("remove", containerId, () -> {
            Box box = find(containerId);
            String failure = box == null ? null : failingRemovals.getOrDefault(box.id, failingRemovals.get(box.spec.name()));
            if (failure != null) throw new ProviderException("remove container " + containerId + " failed: " + failure);
            if (box != null) containers.remove(box.id);
            return null;
        });
    }

    @Override
    public Optional<ContainerState> inspect(String containerId) {
        return locked("inspect", containerId, () -> Optional.ofNullable(find(containerId)).map(Box::state));
    }

    @Override
    public List<ContainerState> list(Map<String, String> labels) {
        List<ContainerState> listed = locked("list", labels.toString(), () -> containers.values().stream()
                .filter(box -> box.spec.labels().entrySet().containsAll(labels.entrySet()))
                .map(Box::state)
                .toList());
        Runnable meanwhile = afterNextList.getAndSet(null);
        if (meanwhile != null) meanwhile.run();
        return listed;
    }

    /** Runs once, after the next list took its picture and before the caller gets it: what happened while the engine answered. */
    public void afterNextList(Runnable meanwhile) {
        afterNextList.set(meanwhile);
    }

    @Override
    public String commit(String containerId, String imageReference, Map<String, String> labels) {
        return locked("commit", containerId, () -> {
            existing("commit", containerId);
            String imageId = "sha256:" + hexId();
            images.add(imageReference);
            images.add(imageId);
            committed.put(imageId, new ImageState(imageId, List.of(imageReference), labels));
            return imageId;
        });
    }

    @Override
    public ExecResult exec(String containerId, ExecSpec spec) {
        Box box = locked("exec", containerId, () -> {
            Box found = existing("exec in", containerId);
            if (found.status != ContainerState.Status.RUNNING) {
                throw new ProviderException("exec in container " + containerId + " failed: it does not run");
            }
            execs.add(new Exec(found.id, spec));
            return found;
        });
        ExecResult scripted = execResponder.apply(new Exec(box.id, spec));
        return scripted != null ? scripted : FakeShell.run(spec);
    }

    @Override
    public void ensureIsolatedNetwork(String name, Map<String, String> labels) {
        locked("ensureIsolatedNetwork", name, () -> {
            Boolean isolated = networks.putIfAbsent(name, true);
            if (isolated != null && !isolated) {
                throw new ProviderException("ensure isolated network " + name + " failed: network " + name + " lets its containers reach each other");
            }
            return null;
        });
    }

    /** Removes a network made by {@link #ensureIsolatedNetwork}. */
    public void removeNetwork(String name) {
        withLock(() -> networks.remove(name));
    }

    @Override
    public List<ImageState> listImages(Map<String, String> labels) {
        return locked("listImages", labels.toString(), () -> committed.values().stream()
                .filter(image -> image.labels().entrySet().containsAll(labels.entrySet()))
                .toList());
    }

    @Override
    public void removeImage(String imageReference) {
        locked("removeImage", imageReference, () -> {
            ImageState image = committed.values().stream()
                    .filter(i -> i.id().equals(imageReference) || i.references().contains(imageReference)).findFirst().orElse(null);
            Set<String> names = image == null ? Set.of(imageReference) : new HashSet<>(image.references());
            if (image != null) names.add(image.id());
            for (Box box : containers.values()) {
                if (names.contains(box.spec.image())) {
                    throw new ProviderException("remove image " + imageReference + " failed: container " + box.id + " is using it");
                }
            }
            images.removeAll(names);
            if (image != null) committed.remove(image.id());
            return null;
        });
    }

    @Override
    public boolean imageExists(String imageReference) {
        return locked("imageExists", imageReference, () -> images.contains(imageReference));
    }

    @Override
    public boolean ping() {
        lock.lock();
        try {
            calls.add(new Call("ping", ""));
            return reachable;
        } finally {
            lock.unlock();
        }
    }

    // ---- what a test does to the fake ----

    /** One exec: the container it ran in and what it ran. */
    public record Exec(String containerId, ExecSpec spec) {
        public String commandLine() {
            return String.join(" ", spec.command());
        }
    }

    /**
     * Answers execs from now on: the responder's result, or when it returns null, the fake's tiny
     * shell (echo, exit, $VARIABLES), which is also what answers when no responder is set.
     */
    public void onExec(java.util.function.Function<Exec, ExecResult> responder) {
        withLock(() -> execResponder = responder);
    }

    /** Every exec so far, oldest first. */
    public List<Exec> execs() {
        lock.lock();
        try {
            return List.copyOf(execs);
        } finally {
            lock.unlock();
        }
    }

    /** The next {@code count} creates fail with a {@link ProviderException} carrying {@code message}. */
    public void failNextCreates(int count, String message) {
        withLock(() -> {
            failingCreates = count;
            createFailure = message;
        });
    }

    /** The container's process dies on its own, as if OOM-killed; the container stays, EXITED. */
    public void kill(String containerId) {
        withLock(() -> {
            Box box = existing("kill", containerId);
            box.status = ContainerState.Status.EXITED;
            box.exitCode = KILLED_EXIT_CODE;
        });
    }

    /** The container disappears behind the caller's back, as if someone ran {@code docker rm -f}. */
    public void vanish(String containerId) {
        withLock(() -> containers.remove(existing("vanish", containerId).id));
    }

    /** While unreachable, {@link #ping()} answers false and every other call fails. */
    public void setReachable(boolean reachable) {
        withLock(() -> this.reachable = reachable);
    }

    public void addImage(String imageReference) {
        withLock(() -> images.add(imageReference));
    }

    /** Every removal of this container (by id or name) fails with the message until {@link #healRemovals()}. */
    public void failRemovalsOf(String containerIdOrName, String message) {
        withLock(() -> failingRemovals.put(containerIdOrName, message));
    }

    public void healRemovals() {
        withLock(failingRemovals::clear);
    }

    // ---- what a test reads from the fake ----

    /** Every call so far, oldest first, including those that failed. */
    public List<Call> calls() {
        lock.lock();
        try {
            return List.copyOf(calls);
        } finally {
            lock.unlock();
        }
    }

    public long callCount(String operation) {
        return calls().stream().filter(call -> call.operation().equals(operation)).count();
    }

    /** The spec a container was created from, while it exists. */
    public Optional<ContainerSpec> specOf(String containerId) {
        lock.lock();
        try {
            return Optional.ofNullable(find(containerId)).map(box -> box.spec);
        } finally {
            lock.unlock();
        }
    }

    // ---- internals ----

    private <T> T locked(String operation, String target, Supplier<T> action) {
        lock.lock();
        try {
            calls.add(new Call(operation, target));
            if (!reachable) {
                throw new ProviderException(operation + " " + target + " failed: the fake engine is unreachable");
            }
            return action.get();
        } finally {
            lock.unlock();
        }
    }

    private void withLock(Runnable action) {
        lock.lock();
        try {
            action.run();
        } finally {
            lock.unlock();
        }
    }

    /** Like the engine, a container is found by id or by name. */
    private Box find(String idOrName) {
        Box byId = containers.get(idOrName);
        if (byId != null) return byId;
        return containers.values().stream().filter(box -> box.spec.name().equals(idOrName)).findFirst().orElse(null);
    }

    private Box existing(String operation, String containerId) {
        Box box = find(containerId);
        if (box == null) {
            throw new ProviderException(operation + " container " + containerId + " failed: no such container");
        }
        return box;
    }

    private static String hexId() {
        return (UUID.randomUUID().toString() + UUID.randomUUID()).replace("-", "");
    }

    private static final class Box {
        final String id;
        final ContainerSpec spec;
        ContainerState.Status status = ContainerState.Status.CREATED;
        Instant startedAt;
        int exitCode;

        Box(String id, ContainerSpec spec) {
            this.id = id;
            this.spec = spec;
        }

        String address;
        boolean oomKilled;

        ContainerState state() {
            return new ContainerState(id, spec.name(), status, spec.labels(), startedAt, exitCode,
                    status == ContainerState.Status.RUNNING ? address : null, oomKilled);
        }
    }
}
