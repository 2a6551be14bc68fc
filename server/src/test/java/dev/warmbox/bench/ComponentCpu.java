package dev.warmbox.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * CPU time spent by each component while a scenario runs: this JVM (server and load client together,
 * as the server runs in-process; its threads are also broken down by name), the engine's daemons, the
 * shims of this server's containers and the sandbox containers themselves (their cgroup's
 * {@code cpuacct.usage}, cgroup v1). Processes and containers are polled every {@value #PERIOD_MS} ms,
 * keeping the last reading of each, so one that ends mid-run still counts up to its last poll; one that
 * starts mid-run counts from zero. Polling reads /proc and /sys only: asking the engine would add to
 * the dockerd figure being measured.
 *
 * <p>dockerd and containerd serve the whole machine: other work on the shared engine shows up in them.
 */
final class ComponentCpu {
    static final String JVM = "server JVM (+ load client)";
    static final String DOCKERD = "dockerd";
    static final String CONTAINERD = "containerd";
    static final String SHIMS = "containerd-shim (its containers)";
    static final String SANDBOXES = "sandbox containers (cgroups)";
    static final String JVM_UNLISTED = "GC, JIT, ended threads";
    private static final int PERIOD_MS = 500;
    private static final String POLLER = "component-cpu-poller";
    private static final String POLLER_GROUP = "thread " + POLLER;
    private static final Path CGROUPS = Path.of("/sys/fs/cgroup/cpuacct/docker");
    private static final Path CONTAINER_CONFIGS = Path.of("/var/lib/docker/containers");
    private static final double MILLIS_PER_TICK = 1000.0 / 100; // USER_HZ is 100 on Linux x86 and arm64

    private final String instanceId;
    private final Supplier<Collection<String>> engineContainerIds;
    private final Map<String, Boolean> owned = new HashMap<>();
    /** component -> entity (pid, container id, thread) -> {reading at start or 0, latest reading}, in ms. */
    private final Map<String, Map<String, double[]>> readings = new LinkedHashMap<>();
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private Thread poller;
    private volatile boolean running;

    /** @param engineContainerIds this server's container ids from the engine, asked only when a container's config file cannot be read */
    ComponentCpu(String instanceId, Supplier<Collection<String>> engineContainerIds) {
        this.instanceId = instanceId;
        this.engineContainerIds = engineContainerIds;
    }

    void start() {
        poll(true);
        running = true;
        poller = Thread.ofPlatform().daemon().name(POLLER).start(() -> {
            while (running) {
                try {
                    Thread.sleep(PERIOD_MS);
                    poll(false);
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    // a process or cgroup that vanished between listing and reading: the next poll sees the rest
                }
            }
        });
    }

    /** Stops polling and returns CPU ms per component since {@link #start}, components in a fixed order. */
    Map<String, Double> stop() throws InterruptedException {
        running = false;
        poller.interrupt();
        poller.join(5_000);
        poll(false);
        Map<String, Double> total = new LinkedHashMap<>();
        for (String component : new String[] {JVM, DOCKERD, CONTAINERD, SHIMS, SANDBOXES}) total.put(component, sum(component));
        // The poller's own reading of /proc is the measurement's cost, not the server's.
        total.merge(JVM, -sum(POLLER_GROUP), Double::sum);
        return total;
    }

    /**
     * CPU ms of this JVM's platform threads since {@link #start}, by name with numbers folded (qtp#-#),
     * largest first, the poller left out. GC and JIT threads are not Java threads the JVM lists: what the
     * JVM spent beyond the listed threads is given as one more entry, {@link #JVM_UNLISTED}.
     */
    Map<String, Double> jvmThreads() {
        Map<String, Double> byName = new TreeMap<>();
        readings.forEach((component, entities) -> {
            if (!component.startsWith("thread ") || component.equals(POLLER_GROUP)) return;
            byName.put(component.substring("thread ".length()), sum(component));
        });
        double listed = byName.values().stream().mapToDouble(Double::doubleValue).sum();
        byName.put(JVM_UNLISTED, sum(JVM) - sum(POLLER_GROUP) - listed);
        Map<String, Double> sorted = new LinkedHashMap<>();
        byName.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }

    private double sum(String component) {
        return readings.getOrDefault(component, Map.of()).values().stream().mapToDouble(r -> r[1] - r[0]).sum();
    }

    private synchronized void poll(boolean first) {
        record("self", JVM, first, ticks(Path.of("/proc/self/stat")) * MILLIS_PER_TICK);
        pollProcesses(first);
        pollContainers(first);
        pollThreads(first);
    }

    private void pollProcesses(boolean first) {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).forEach(proc -> {
                String comm = read(proc.resolve("comm")).strip();
                String component = switch (comm) {
                    case "dockerd" -> DOCKERD;
                    case "containerd" -> CONTAINERD;
                    // comm is cut at 15 characters: containerd-shim-runc-v2 reads containerd-shim
                    case "containerd-shim" -> isOwnShim(proc) ? SHIMS : null;
                    default -> null;
                };
                if (component != null) record(proc.getFileName().toString(), component, first, ticks(proc.resolve("stat")) * MILLIS_PER_TICK);
            });
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc", e);
        }
    }

    /** A shim's command line names its container: {@code -id <container id>}. */
    private boolean isOwnShim(Path proc) {
        String[] args = read(proc.resolve("cmdline")).split("\0");
        for (int i = 0; i + 1 < args.length; i++) if (args[i].equals("-id")) return isOwnContainer(args[i + 1]);
        return false;
    }

    private void pollContainers(boolean first) {
        if (!Files.isDirectory(CGROUPS)) return;
        try (Stream<Path> dirs = Files.list(CGROUPS)) {
            dirs.filter(Files::isDirectory).forEach(dir -> {
                String id = dir.getFileName().toString();
                if (!isOwnContainer(id)) return;
                String usage = read(dir.resolve("cpuacct.usage")).strip();
                if (!usage.isEmpty()) record(id, SANDBOXES, first, Long.parseLong(usage) / 1e6);
            });
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + CGROUPS, e);
        }
    }

    private void pollThreads(boolean first) {
        for (var info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null) continue;
            long nanos = threads.getThreadCpuTime(info.getThreadId());
            if (nanos < 0) continue;
            String group = "thread " + info.getThreadName().replaceAll("\\d+", "#");
            record(Long.toString(info.getThreadId()), group, first, nanos / 1e6);
        }
    }

    /** Labels are in the container's config file on disk, so deciding costs the engine nothing. */
    private boolean isOwnContainer(String id) {
        return owned.computeIfAbsent(id, key -> {
            String config = read(CONTAINER_CONFIGS.resolve(key).resolve("config.v2.json"));
            if (!config.isEmpty()) return config.contains("\"warmbox.owner\":\"" + instanceId + "\"");
            return engineContainerIds.get().contains(key);
        });
    }

    private void record(String entity, String component, boolean first, double millis) {
        double[] r = readings.computeIfAbsent(component, c -> new HashMap<>()).computeIfAbsent(entity, e -> new double[] {first ? millis : 0, millis});
        r[1] = Math.max(r[1], millis);
    }

    /**
     * CPU ms of this JVM's children that have ended and been waited for (cutime + cstime, fields 16 and
     * 17 of /proc/self/stat), their own waited-for children included: what the host baseline's spawned
     * programs cost, compilers' subprocesses and all.
     */
    static double endedChildrenMillis() {
        String text = read(Path.of("/proc/self/stat"));
        String[] fields = text.substring(text.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[13]) + Long.parseLong(fields[14])) * MILLIS_PER_TICK;
    }

    /** utime + stime, fields 14 and 15 of /proc/<pid>/stat; counted after the command name, which may hold spaces. */
    private static long ticks(Path stat) {
        String text = read(stat);
        if (text.isEmpty()) return 0;
        String[] fields = text.substring(text.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException | RuntimeException e) {
            return ""; // the process or container ended meanwhile
        }
    }
}
