package dev.warmbox.it;

import static org.awaitility.Awaitility.await;

import dev.warmbox.provider.DockerContainerProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A second Docker engine of the test's own: a {@code dockerd} started as a child of the test JVM, so a
 * test may stop, restart or break it without touching the machine's engine or any container on it.
 *
 * <p>What it isolates, all under one short directory {@code /tmp/wbe-N} (unix socket paths must stay
 * under 108 characters):
 * <ul>
 *   <li>its API socket ({@code docker.sock}), {@code --data-root} (images, containers, volumes),
 *       {@code --exec-root} (runtime state, network namespaces), {@code --pidfile} and its log;</li>
 *   <li>its own containerd: with no {@code --containerd}, dockerd starts a managed one whose socket and
 *       state live under the exec root, so the machine's containerd never sees these containers;</li>
 *   <li>its containers' cgroups, under {@code --cgroup-parent=/wbe-N} instead of the machine engine's
 *       {@code /docker}, removed on close;</li>
 *   <li>its configuration: {@code --config-file} names its own {@code daemon.json}, so
 *       {@code /etc/docker/daemon.json} is never read; it registers gVisor's {@code runsc} (with
 *       {@code --network=none}) when {@code /usr/bin/runsc} is installed;</li>
 *   <li>host networking: it runs in a network namespace of its own ({@code unshare --net}), with
 *       {@code --bridge=none --iptables=false --ip6tables=false --ip-masq=false --ip-forward=false}, so
 *       it creates no bridge, writes no firewall rule and no sysctl, and cannot see the host's
 *       interfaces (in the host's namespace, {@code --bridge=none} makes dockerd delete the machine
 *       engine's {@code docker0}). Its containers have no network but {@code none}; sandboxes need
 *       nothing else.</li>
 * </ul>
 * Images come from the machine's engine ({@code docker save | docker load}: no registry here), only those
 * a test asks for, once per engine. {@link Shared} hands one engine to every test class of a run (the
 * load of all four runtime images takes about a minute); it is stopped and its directory removed when
 * the run ends, or by a shutdown hook if the JVM is stopped first. A missing or failing dockerd fails
 * the test with the reason; it never skips.
 */
public final class PrivateEngine implements AutoCloseable {
    private static final Duration START_DEADLINE = Duration.ofSeconds(60);
    private static final Duration STOP_DEADLINE = Duration.ofSeconds(60);
    private static final Duration LOAD_DEADLINE = Duration.ofMinutes(5);
    private static final Path RUNSC = Path.of("/usr/bin/runsc");
    private static final Path CGROUPS = Path.of("/sys/fs/cgroup");

    private final Path dir;
    private final String name;
    private final String dockerHost;
    private final DockerContainerProvider client;
    private final Thread shutdownHook;
    private Process process;
    private boolean closed;

    private PrivateEngine(Path dir) {
        this.dir = dir;
        this.name = dir.getFileName().toString();
        this.dockerHost = "unix://" + dir.resolve("docker.sock");
        this.client = new DockerContainerProvider(dockerHost);
        this.shutdownHook = new Thread(this::close, "warmbox-private-engine-stop");
    }

    /** Starts a new private engine; the caller closes it. Fails the test when dockerd is missing or does not come up. */
    public static PrivateEngine start() {
        String dockerd = dockerd();
        Path dir;
        try {
            dir = Files.createTempDirectory(Path.of("/tmp"), "wbe-");
            Files.writeString(dir.resolve("daemon.json"), daemonJson());
        } catch (IOException e) {
            throw new AssertionError("cannot prepare a directory for a private Docker engine under /tmp", e);
        }
        PrivateEngine engine = new PrivateEngine(dir);
        Runtime.getRuntime().addShutdownHook(engine.shutdownHook);
        try {
            engine.launch(dockerd);
        } catch (RuntimeException | Error e) {
            engine.close();
            throw e;
        }
        return engine;
    }

    /** The engine's address, for {@code DOCKER_HOST} of a server or a client. */
    public String dockerHost() {
        return dockerHost;
    }

    /** The running dockerd's process id. */
    public long pid() {
        return process.pid();
    }

    /** A client of this engine (owned by the engine: do not close it). */
    public DockerContainerProvider client() {
        return client;
    }

    /** The image of a language's sandboxes, e.g. {@code warmbox/runtime-python:latest}. */
    public static String runtimeImage(String language) {
        return "warmbox/runtime-" + language + ":latest";
    }

    /**
     * Copies the images this engine lacks from the machine's engine, in one {@code docker save | docker load}
     * so that layers they share cross once; fails when one cannot be copied.
     */
    public synchronized PrivateEngine load(String... images) {
        List<String> missing = java.util.Arrays.stream(images).filter(image -> !client.imageExists(image)).toList();
        if (!missing.isEmpty()) copyFromMachine(missing);
        return this;
    }

    private static PrivateEngine gvisor;

    /**
     * The JVM's one private engine with gVisor's runsc registered and the four runtime images loaded,
     * for the suite's run of the hostile-code classes under gVisor (see {@link RunningServer}); started
     * at the first call, stopped and removed at JVM exit by its shutdown hook. Fails, never skips, when
     * runsc is not installed.
     */
    static synchronized PrivateEngine gvisor() {
        if (gvisor != null) return gvisor;
        if (!Files.isExecutable(RUNSC)) {
            throw new AssertionError("the suite's gVisor run needs runsc at " + RUNSC + ", which is not installed "
                    + "(Debian: apt-get install runsc; ./scripts/test.sh installs it)");
        }
        PrivateEngine engine = start();
        try {
            if (!engine.docker("info", "--format", "{{json .Runtimes}}").contains("\"runsc\"")) {
                throw new AssertionError("the private engine did not register runsc from its daemon.json");
            }
            engine.load(java.util.stream.Stream.of("python", "javascript", "go", "java").map(PrivateEngine::runtimeImage).toArray(String[]::new));
        } catch (RuntimeException | Error e) {
            engine.close();
            throw e;
        }
        return gvisor = engine;
    }

    /** Runs the docker CLI against this engine and returns its output; fails the test when the command fails. */
    public String docker(String... args) {
        List<String> command = new ArrayList<>(List.of("-H", dockerHost));
        command.addAll(List.of(args));
        return Docker.run(command.toArray(String[]::new));
    }

    /**
     * Stops dockerd with SIGTERM (which stops every container of this engine), waits for it to exit,
     * and starts it again on the same data root, socket and cgroup parent; returns once it answers.
     */
    public synchronized void restart() {
        stopDaemon();
        launch(dockerd());
    }

    /** Stops dockerd, makes sure nothing stays mounted under its directory, removes its cgroups and the directory. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException | IllegalArgumentException alreadyShuttingDownOrCalledByTheHook) {
            // the hook is what runs this, or the JVM is exiting anyway
        }
        List<String> problems = new ArrayList<>();
        try {
            stopDaemon();
        } catch (AssertionError e) {
            problems.add(e.getMessage());
        }
        client.close();
        stopLeftoverContainerd(problems);
        unmountLeftovers(problems);
        removeCgroups(problems);
        if (mountsUnder(dir).isEmpty()) {
            deleteTree(dir, problems);
        } else {
            problems.add("left " + dir + " in place: still mounted under it: " + mountsUnder(dir));
        }
        if (!problems.isEmpty()) throw new AssertionError("closing the private Docker engine in " + dir + ": " + String.join("; ", problems));
    }

    @Override
    public String toString() {
        return "PrivateEngine[" + dockerHost + "]";
    }

    private void launch(String dockerd) {
        Path log = dir.resolve("dockerd.log");
        // unshare --net: dockerd runs in a network namespace of its own. --bridge=none alone is not enough:
        // a dockerd started with it deletes any interface named docker0 it sees, which in the host's
        // namespace is the machine engine's default bridge.
        List<String> command = List.of("unshare", "--net", dockerd,
                "--host", dockerHost,
                "--data-root", dir.resolve("data").toString(),
                "--exec-root", dir.resolve("exec").toString(),
                "--pidfile", dir.resolve("docker.pid").toString(),
                "--config-file", dir.resolve("daemon.json").toString(),
                "--cgroup-parent", "/" + name,
                "--bridge=none", "--iptables=false", "--ip6tables=false", "--ip-masq=false", "--ip-forward=false",
                "--userland-proxy=false", "--log-level=warn");
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new AssertionError("cannot start " + dockerd + " for a private Docker engine", e);
        }
        try {
            await().atMost(START_DEADLINE).pollInterval(Duration.ofMillis(100))
                    .until(() -> !process.isAlive() || client.ping());
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("the private Docker engine did not answer at " + dockerHost + " within "
                    + START_DEADLINE.toSeconds() + " s; its log:\n" + tail(log));
        }
        if (!process.isAlive()) {
            throw new AssertionError("the private Docker engine (" + String.join(" ", command) + ") exited with "
                    + process.exitValue() + "; its log:\n" + tail(log));
        }
    }

    private void stopDaemon() {
        if (process == null || !process.isAlive()) return;
        process.destroy(); // SIGTERM: dockerd stops its containers and its containerd, then unmounts
        try {
            if (!process.waitFor(STOP_DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("the private dockerd (pid " + process.pid() + ") did not stop within "
                        + STOP_DEADLINE.toSeconds() + " s of SIGTERM and was killed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while stopping the private dockerd", e);
        }
    }

    private void copyFromMachine(List<String> images) {
        String image = String.join(" ", images);
        List<String> saveCommand = new ArrayList<>(List.of("docker", "save"));
        saveCommand.addAll(images);
        ProcessBuilder save = new ProcessBuilder(saveCommand)
                .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("save.log").toFile()));
        ProcessBuilder load = new ProcessBuilder("docker", "-H", dockerHost, "load", "--quiet").redirectErrorStream(true);
        try {
            List<Process> pipeline = ProcessBuilder.startPipeline(List.of(save, load));
            Process loading = pipeline.get(1);
            String output = new String(loading.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            for (Process step : pipeline) {
                if (!step.waitFor(LOAD_DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
                    pipeline.forEach(Process::destroyForcibly);
                    throw new AssertionError("copying " + image + " to the private engine took over " + LOAD_DEADLINE.toMinutes() + " min");
                }
            }
            if (pipeline.get(0).exitValue() != 0) {
                throw new AssertionError("docker save " + image + " failed on the machine's engine (does it have the image? "
                        + "./scripts/build-images.sh builds it): " + tail(dir.resolve("save.log")));
            }
            if (loading.exitValue() != 0) throw new AssertionError("docker load of " + image + " into " + dockerHost + " failed: " + output);
        } catch (IOException e) {
            throw new AssertionError("cannot run docker save | docker load for " + image, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while copying " + image, e);
        }
        for (String loaded : images) {
            if (!client.imageExists(loaded)) throw new AssertionError(loaded + " is not on the private engine after docker load");
        }
    }

    /** dockerd stops its managed containerd; should it not have (dockerd killed), this one is ours to stop. */
    private void stopLeftoverContainerd(List<String> problems) {
        Path pidFile = dir.resolve("exec/containerd/containerd.pid");
        if (!Files.isRegularFile(pidFile)) return;
        try {
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            ProcessHandle.of(pid).filter(p -> p.info().commandLine().orElse("").contains(dir.toString())).ifPresent(containerd -> {
                containerd.destroy();
                try {
                    containerd.onExit().get(STOP_DEADLINE.toSeconds(), TimeUnit.SECONDS);
                } catch (Exception e) {
                    containerd.destroyForcibly();
                    problems.add("the private containerd (pid " + pid + ") did not stop on SIGTERM and was killed");
                }
            });
        } catch (IOException | NumberFormatException e) {
            problems.add("cannot read " + pidFile + ": " + e.getMessage());
        }
    }

    /** A clean dockerd stop unmounts everything; after a crash, what is left is unmounted deepest first. */
    private void unmountLeftovers(List<String> problems) {
        List<String> mounts = mountsUnder(dir);
        if (mounts.isEmpty()) return;
        problems.add("dockerd left mounts under " + dir + ": " + mounts);
        for (String mountPoint : mounts.reversed()) {
            try {
                Process umount = new ProcessBuilder("umount", mountPoint).redirectErrorStream(true).start();
                if (!umount.waitFor(30, TimeUnit.SECONDS) || umount.exitValue() != 0) {
                    problems.add("umount " + mountPoint + " failed: " + new String(umount.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim());
                }
            } catch (IOException e) {
                problems.add("cannot run umount " + mountPoint + ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                problems.add("interrupted while unmounting " + mountPoint);
                return;
            }
        }
    }

    /** Mount points at or under {@code root}, in the order the kernel lists them (parents first). */
    static List<String> mountsUnder(Path root) {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/mountinfo"))) {
            String prefix = root.toString();
            return lines.map(line -> line.split(" ")[4])
                    .map(PrivateEngine::unescapeMountPoint)
                    .filter(point -> point.equals(prefix) || point.startsWith(prefix + "/"))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/self/mountinfo", e);
        }
    }

    private static String unescapeMountPoint(String field) {
        return field.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\");
    }

    /** The cgroup parent of this engine's containers in every hierarchy (v1 controllers, or v2's one tree). */
    private void removeCgroups(List<String> problems) {
        List<Path> parents = new ArrayList<>();
        if (Files.isDirectory(CGROUPS.resolve(name))) parents.add(CGROUPS.resolve(name));
        try (Stream<Path> hierarchies = Files.list(CGROUPS)) {
            hierarchies.map(h -> h.resolve(name)).filter(Files::isDirectory).forEach(parents::add);
        } catch (IOException e) {
            problems.add("cannot list " + CGROUPS + ": " + e.getMessage());
        }
        for (Path parent : parents) {
            try (Stream<Path> tree = Files.walk(parent)) {
                for (Path group : tree.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).toList()) Files.delete(group);
            } catch (IOException e) {
                problems.add("cannot remove cgroup " + parent + ": " + e);
            }
        }
    }

    private static void deleteTree(Path root, List<String> problems) {
        if (!Files.exists(root)) return;
        try (Stream<Path> tree = Files.walk(root)) {
            for (Path path : tree.sorted(Comparator.reverseOrder()).toList()) Files.delete(path);
        } catch (IOException e) {
            problems.add("cannot remove " + root + ": " + e);
        }
    }

    private static String daemonJson() {
        return Files.isExecutable(RUNSC)
                ? "{\"runtimes\":{\"runsc\":{\"path\":\"" + RUNSC + "\",\"runtimeArgs\":[\"--network=none\",\"--host-uds=all\"]}}}\n"
                : "{}\n";
    }

    private static String dockerd() {
        for (String entry : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            Path candidate = Path.of(entry.isEmpty() ? "." : entry, "dockerd");
            if (Files.isExecutable(candidate)) return candidate.toString();
        }
        for (String fallback : new String[] {"/usr/sbin/dockerd", "/usr/bin/dockerd"}) {
            if (Files.isExecutable(Path.of(fallback))) return fallback;
        }
        throw new AssertionError("the engine tests start a private Docker engine and need dockerd, which is not installed "
                + "(Debian: apt-get install docker.io; ./scripts/test.sh installs it)");
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /**
     * One private engine for every test class of a run that asks for it as a parameter
     * ({@code @ExtendWith(PrivateEngine.Shared.class)}, then {@code void test(PrivateEngine engine)}):
     * started at the first request, stopped and removed when JUnit closes its root store at the end of
     * the run. Tests that restart it must leave it answering (restart() returns once it does).
     */
    public static final class Shared implements ParameterResolver {
        private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(PrivateEngine.class);

        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
            return parameter.getParameter().getType() == PrivateEngine.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
            return of(context);
        }

        /** The run's shared engine, started if it is not yet; for extensions and lifecycle methods. */
        public static PrivateEngine of(ExtensionContext context) {
            return context.getRoot().getStore(NAMESPACE)
                    .getOrComputeIfAbsent(PrivateEngine.class, type -> PrivateEngine.start(), PrivateEngine.class);
        }
    }
}
