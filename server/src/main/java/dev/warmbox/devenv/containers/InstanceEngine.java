package dev.warmbox.devenv.containers;

import dev.warmbox.config.DevEnvSettings;
import dev.warmbox.devenv.catalog.EnvironmentClass;
import dev.warmbox.devenv.catalog.Project;
import dev.warmbox.provider.ContainerProvider;
import dev.warmbox.provider.ContainerState;
import dev.warmbox.provider.ExecResult;
import dev.warmbox.provider.ExecSpec;
import dev.warmbox.provider.ProviderException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What is done to an instance's container: launch and warm up, personalize for a user, reset for the
 * next one, remove. Blocking engine calls; run on virtual threads. Failures are
 * {@link InstanceException}s saying which step failed and with what output.
 */
public class InstanceEngine {
    public static final String WORKSPACE = "/workspace";
    private static final Duration ROOT_STEP = Duration.ofSeconds(60);

    private final ContainerProvider provider;
    private final Blueprint blueprint;
    private final DevEnvSettings settings;

    public InstanceEngine(ContainerProvider provider, Blueprint blueprint, DevEnvSettings settings) {
        this.provider = provider;
        this.blueprint = blueprint;
        this.settings = settings;
    }

    static final class InstanceException extends RuntimeException {
        InstanceException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private volatile boolean networkReady;

    /**
     * The network exists and keeps environments from reaching each other: their IDEs have no login of
     * their own, so only the host (the router) may reach them. Checked once per run; a refusal is a
     * launch failure the pool reports (DEGRADED) and retries.
     */
    public void ensureNetwork() {
        if (networkReady) return;
        provider.ensureIsolatedNetwork(settings.network(), Map.of(Blueprint.LABEL_MANAGED, "true"));
        networkReady = true;
    }

    /** Creates and starts the container; returns its address once its IDE port answers. */
    public String launch(String name, String poolId, String image, Project project, EnvironmentClass environmentClass) {
        try {
            ensureNetwork();
            String id = provider.create(blueprint.instance(name, poolId, image, project, environmentClass));
            provider.start(id);
            ContainerState state = provider.inspect(id).orElseThrow(() -> new InstanceException("instance " + name + " vanished after start", null));
            if (state.ipAddress() == null) throw new InstanceException("instance " + name + " has no address on network " + settings.network(), null);
            awaitPort(name, state.ipAddress(), project.idePort());
            return state.ipAddress();
        } catch (ProviderException e) {
            throw new InstanceException("launching instance " + name + " from " + image + " failed: " + e.getMessage(), e);
        }
    }

    /** What every instance gets before anyone claims it: the shared placeholder secrets, then postCreateCommand. */
    public void warmUp(String name, Project project) {
        root(name, "writing placeholder secrets", personalizeCommand(project.secrets(), null), secretVariables(project.secrets()));
        hook(name, project, "postCreateCommand", project.postCreateCommand(), Map.of());
    }

    /** The user's secrets replace the placeholders, the IDE restarts with the user's variables, then postStart and postAttach run. */
    public void personalize(String name, Project project, Map<String, String> secrets, Map<String, String> env) {
        Map<String, String> ideEnv = new java.util.TreeMap<>(project.env());
        ideEnv.putAll(env);
        ideEnv.putAll(secrets);
        List<String> assignments = ideEnv.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
        root(name, "applying the user's secrets and variables", personalizeCommand(secrets, assignments), secretVariables(secrets));
        hook(name, project, "postStartCommand", project.postStartCommand(), ideEnv);
        hook(name, project, "postAttachCommand", project.postAttachCommand(), ideEnv);
    }

    /** Back to the snapshot's state, then warmed up again as if new. */
    public void reset(String name, Project project) {
        root(name, "resetting", List.of("sh", "-c", Scripts.RESET), List.of());
        warmUp(name, project);
    }

    /** Stops a warm instance that finished initializing: it keeps its disk (snapshot, warm-up), not its CPU and memory. */
    public void stop(String name) {
        try {
            provider.stop(name, Duration.ofSeconds(5));
        } catch (ProviderException e) {
            throw new InstanceException("stopping instance " + name + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Starts a stopped instance again; returns its address (the engine may give it a new one) once its
     * IDE answers. The image's command restarts the IDE; the warm-up's files are still there.
     */
    public String start(String name, Project project) {
        try {
            provider.start(name);
            ContainerState state = provider.inspect(name).orElseThrow(() -> new InstanceException("instance " + name + " vanished after start", null));
            if (state.ipAddress() == null) throw new InstanceException("instance " + name + " has no address on network " + settings.network(), null);
            awaitPort(name, state.ipAddress(), project.idePort());
            return state.ipAddress();
        } catch (ProviderException e) {
            throw new InstanceException("starting stopped instance " + name + " failed: " + e.getMessage(), e);
        }
    }

    public void remove(String name) {
        provider.remove(name);
    }

    private static List<String> personalizeCommand(Map<String, String> secrets, List<String> ideAssignments) {
        List<String> command = new ArrayList<>(List.of("sh", "-c", Scripts.PERSONALIZE, "personalize"));
        command.addAll(secrets.keySet());
        command.add("--");
        if (ideAssignments != null) {
            command.add("apply");
            command.addAll(ideAssignments);
        }
        return command;
    }

    private static List<String> secretVariables(Map<String, String> secrets) {
        return secrets.entrySet().stream().map(e -> "WARMBOX_SECRET__" + e.getKey() + "=" + e.getValue()).toList();
    }

    private void root(String name, String step, List<String> command, List<String> env) {
        ExecResult result = exec(name, step, new ExecSpec(command, "0", null, env, ROOT_STEP));
        if (!result.succeeded()) throw failed(name, step, result);
    }

    void hook(String name, Project project, String hookName, String commandLine, Map<String, String> env) {
        if (commandLine == null || commandLine.isBlank()) return;
        List<String> variables = env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
        ExecResult result = exec(name, hookName, ExecSpec.shell(commandLine, project.user(), WORKSPACE, variables, settings.hookTimeout()));
        if (!result.succeeded()) throw failed(name, hookName, result);
    }

    private ExecResult exec(String name, String step, ExecSpec spec) {
        try {
            return provider.exec(name, spec);
        } catch (ProviderException e) {
            throw new InstanceException(step + " in instance " + name + " failed: " + e.getMessage(), e);
        }
    }

    private static InstanceException failed(String name, String step, ExecResult result) {
        String output = result.output().strip();
        if (output.length() > 2000) output = "..." + output.substring(output.length() - 2000);
        String how = result.timedOut() ? "timed out" : "exited with " + result.exitCode();
        return new InstanceException(step + " in instance " + name + " " + how + (output.isEmpty() ? "" : ": " + output), null);
    }

    /** The IDE answers TCP on its port: the instance can be routed to. */
    private void awaitPort(String name, String address, int port) {
        long deadline = System.nanoTime() + settings.ideReadyTimeout().toNanos();
        while (true) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(address, port), 1000);
                return;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) {
                    throw new InstanceException("the IDE of instance " + name + " did not answer on " + address + ":" + port + " within "
                            + settings.ideReadyTimeout().toSeconds() + " s", notYet);
                }
            }
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InstanceException("waiting for the IDE of instance " + name + " was interrupted", e);
            }
        }
    }
}
