package dev.warmbox.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warmbox.provider.AgentReach;
import dev.warmbox.provider.ContainerProvider;
import dev.warmbox.provider.ContainerState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sandboxes as hardened containers of a {@link ContainerProvider} (Docker's, or Kubernetes' pods), driven
 * through their agent: over a Unix socket in a host directory, or over TCP at the container's address with
 * a secret of its own, as the provider's {@link AgentReach} says.
 */
public final class ContainerSandboxes implements Sandboxes {
    private static final Logger log = LoggerFactory.getLogger(ContainerSandboxes.class);
    private static final SecureRandom SECRETS = new SecureRandom();
    private static final Duration AGENT_START_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CONTROL_TIMEOUT = Duration.ofSeconds(30);
    /**
     * How long past an execution's own timeout the agent has to answer: the kill of every process of the
     * sandbox user and the wait until /proc shows none. Under gVisor a fork bomb's 64 processes, each
     * behind ptrace, took over 10 s to kill on a loaded 2-core machine, so the margin is wider there.
     */
    private static final Duration ANSWER_MARGIN = Duration.ofSeconds(10);
    private static final Duration ANSWER_MARGIN_UNDER_GVISOR = Duration.ofSeconds(30);
    private static final long CONTROL_ANSWER_BYTES = 64 * 1024;

    private final ContainerProvider provider;
    private final SandboxSettings settings;
    private final AgentClient agent;
    private final Clock clock;
    private final AgentReach reach;
    /** Names of sandboxes launched and not yet destroyed: what {@link #sweepStrays()} must leave alone. */
    private final Set<String> alive = ConcurrentHashMap.newKeySet();

    public ContainerSandboxes(ContainerProvider provider, SandboxSettings settings, ObjectMapper json,
                           ScheduledExecutorService deadlines, Clock clock) {
        this.provider = provider;
        this.settings = settings;
        this.agent = new AgentClient(json, deadlines);
        this.clock = clock;
        this.reach = provider.agentReach();
    }

    @Override
    public Sandbox launch(Language language, boolean probe) {
        String name = "warmbox-" + settings.instanceId() + "-" + language.id() + "-"
                + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        Instant createdAt = clock.instant();
        String id = null;
        alive.add(name);
        try {
            Path socketDir = ownRunDir().resolve(name);
            String secret = reach == AgentReach.TCP ? newSecret() : null;
            if (secret == null) createPrivateDirectory(socketDir);
            id = provider.create(secret == null
                    ? SandboxBlueprint.spec(settings, language, name, socketDir, probe)
                    : SandboxBlueprint.tcpSpec(settings, language, name, secret, probe));
            provider.start(id);
            Sandbox sandbox = new Sandbox(id, name, language, secret == null
                    ? new AgentEndpoint.UnixSocket(socketDir.resolve("agent.sock")) : tcpEndpoint(id, secret), createdAt);
            awaitAgent(sandbox);
            if (probe) probe(sandbox);
            return sandbox;
        } catch (RuntimeException e) {
            destroy(new Sandbox(id, name, language, null, createdAt));
            throw new SandboxException("could not launch a " + language.id() + " sandbox from image "
                    + settings.image(language) + ": " + e.getMessage(), e, false);
        }
    }

    /** The agent's port at the address the provider gave the started container. */
    private AgentEndpoint tcpEndpoint(String id, String secret) {
        String address = provider.inspect(id).map(ContainerState::ipAddress)
                .orElseThrow(() -> new SandboxException("container " + id + " started without an address"));
        return new AgentEndpoint.Tcp(address, SandboxBlueprint.AGENT_PORT, secret);
    }

    /** 32 random bytes in hex: what the agent compares every request's first line with. */
    private static String newSecret() {
        byte[] bytes = new byte[32];
        SECRETS.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    @Override
    public Outcome execute(Sandbox sandbox, Job job) {
        Duration budget = job.timeout().plus(SandboxBlueprint.underGvisor(settings.ociRuntime().orElse(null))
                        ? ANSWER_MARGIN_UNDER_GVISOR : ANSWER_MARGIN)
                .plus(job.language().compiled() ? job.compileTimeout() : Duration.ZERO);
        long maxAnswer = 16L * job.outputLimitBytes() + CONTROL_ANSWER_BYTES;
        long started = System.nanoTime();
        JsonNode answer;
        try {
            answer = agent.call(sandbox.agent(), AgentRequests.exec(job), budget, maxAnswer);
        } catch (SandboxException e) {
            Outcome killed = endedByTheProgram(sandbox, Duration.ofNanos(System.nanoTime() - started));
            if (killed != null) return killed;
            throw e;
        }
        requireOk(sandbox, "exec", answer);
        try {
            ObjectMapper json = agent.json();
            StepResult compile = json.treeToValue(answer.get("compile"), StepResult.class);
            StepResult run = json.treeToValue(answer.get("run"), StepResult.class);
            return new Outcome(compile, run, answer.path("version").asText(""));
        } catch (IOException | IllegalArgumentException e) {
            throw new SandboxException(sandbox + " gave an answer that is not an execution result", e, false);
        }
    }

    /**
     * The answer for a program that brought its whole sandbox down, or null when that is not why the agent
     * went silent. Under runc the OOM killer picks the program and the agent reports its SIGKILL. Under
     * gVisor every page and host thread of the sandbox is gVisor's own: the OOM killer ends the sandbox,
     * agent and all, and a fork bomb makes gVisor hold host threads until the pids cgroup's backstop stops
     * it making one more, when gVisor exits with a status of its own (not the 137 of a kill from outside).
     * The program is answered as the runc one is (exit 137, SIGKILL, stderr saying which limit); what it
     * had printed died with the sandbox, which the pool then replaces (its scrub fails).
     */
    private Outcome endedByTheProgram(Sandbox sandbox, Duration ran) {
        // The agent's socket closes as the sandbox dies, a moment before the engine records the exit.
        long deadline = System.nanoTime() + EXIT_VERDICT_WAIT.toNanos();
        ContainerState state;
        try {
            while ((state = provider.inspect(sandbox.containerId()).orElse(null)) != null && state.running()
                    && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
        } catch (RuntimeException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
        if (state == null || state.running()) return null;
        String why;
        if (state.oomKilled()) {
            why = OUT_OF_MEMORY;
        } else if (SandboxBlueprint.underGvisor(settings.ociRuntime().orElse(null)) && state.exitCode() != 137 && state.exitCode() != 143) {
            why = OUT_OF_HOST_THREADS;
        } else {
            return null;
        }
        log.info("{} ended during an execution ({}); answering it as a SIGKILL", sandbox, why.strip());
        StepResult killed = new StepResult("", why, 137, "SIGKILL", false, false, ran.toMillis());
        return new Outcome(null, killed, "");
    }

    private static final Duration EXIT_VERDICT_WAIT = Duration.ofSeconds(5);
    static final String OUT_OF_MEMORY = "warmbox: the sandbox ran out of memory (WARMBOX_MEMORY_LIMIT) and was killed; "
            + "its output up to then is lost\n";
    static final String OUT_OF_HOST_THREADS = "warmbox: the program's processes made gVisor reach the sandbox's host thread "
            + "limit (set from WARMBOX_PIDS_LIMIT) and the sandbox was killed; its output up to then is lost\n";

    @Override
    public boolean reset(Sandbox sandbox) {
        try {
            JsonNode answer = agent.call(sandbox.agent(), AgentRequests.reset(sandbox.language()), CONTROL_TIMEOUT,
                    CONTROL_ANSWER_BYTES);
            if (answer.path("ok").asBoolean(false)) return true;
            log.warn("{} could not be scrubbed: {}", sandbox, answer.path("error").asText("no reason given"));
        } catch (SandboxException e) {
            log.warn("{} could not be scrubbed: {}", sandbox, e.getMessage());
        }
        return false;
    }

    /**
     * The agent's answer is the check: it only comes from a running container, so a healthy sandbox costs
     * no engine call (a housekeeping round must not grow in engine calls with the pool). Only a sandbox
     * whose agent does not answer is inspected, for the reason.
     */
    @Override
    public Health check(Sandbox sandbox) {
        JsonNode ping;
        try {
            ping = agent.call(sandbox.agent(), Map.of("op", "ping"), Duration.ofSeconds(5), CONTROL_ANSWER_BYTES);
        } catch (RuntimeException e) {
            return whyUnanswered(sandbox, e.getMessage());
        }
        if (!ping.path("ok").asBoolean(false)) return Health.failed("agent is not ready");
        if (ping.path("processes").asInt(0) > 0) {
            return Health.failed(ping.path("processes").asInt() + " stray sandbox processes");
        }
        long used = ping.path("memory_bytes").asLong(-1);
        long limit = ping.path("memory_limit_bytes").asLong(-1);
        if (used >= 0 && limit > 0 && used > limit * 9 / 10) {
            return Health.failed("memory use " + used + " of " + limit + " bytes");
        }
        return Health.OK;
    }

    private Health whyUnanswered(Sandbox sandbox, String agentError) {
        try {
            ContainerState state = provider.inspect(sandbox.containerId()).orElse(null);
            if (state == null) return Health.failed("container is gone");
            if (!state.running()) return Health.failed("container is " + state.status().name().toLowerCase());
        } catch (RuntimeException e) {
            return Health.failed("agent does not answer (" + agentError + ") and the engine cannot say why: " + e.getMessage());
        }
        return Health.failed("agent does not answer: " + agentError);
    }

    @Override
    public void destroy(Sandbox sandbox) {
        if (sandbox.containerId() != null) {
            try {
                provider.remove(sandbox.containerId());
            } catch (RuntimeException e) {
                log.warn("could not remove {} (the housekeeper retries): {}", sandbox, e.getMessage());
            }
        }
        alive.remove(sandbox.name());
        if (reach == AgentReach.UNIX_SOCKET) deleteRecursively(ownRunDir().resolve(sandbox.name()));
    }

    @Override
    public List<String> sweepStrays() {
        List<String> removed = new ArrayList<>();
        List<ContainerState> owned;
        try {
            owned = provider.list(SandboxBlueprint.ownedBy(settings.instanceId()));
        } catch (RuntimeException e) {
            log.warn("could not list containers to sweep strays (next round retries): {}", e.getMessage());
            return removed;
        }
        // Each stray fails alone: one the engine cannot remove must not keep the others.
        for (ContainerState container : owned) {
            if (alive.contains(container.name())) continue;
            try {
                provider.remove(container.id());
                if (reach == AgentReach.UNIX_SOCKET) deleteRecursively(ownRunDir().resolve(container.name()));
                removed.add(container.name());
            } catch (RuntimeException e) {
                log.warn("could not remove stray container {} (next round retries): {}", container.name(), e.getMessage());
            }
        }
        return removed;
    }

    @Override
    public List<String> removeLeftovers() {
        List<String> removed = new ArrayList<>();
        for (ContainerState leftover : provider.list(SandboxBlueprint.ownedBy(settings.instanceId()))) {
            provider.remove(leftover.id());
            removed.add(leftover.name());
        }
        try (Stream<Path> dirs = Files.list(ownRunDir())) {
            dirs.forEach(ContainerSandboxes::deleteRecursively);
        } catch (IOException e) {
            // No run directory yet: nothing was left behind there.
        }
        return removed;
    }

    @Override
    public boolean engineAvailable() {
        return provider.ping();
    }

    private Path ownRunDir() {
        return settings.runDir().resolve(settings.instanceId());
    }

    private void awaitAgent(Sandbox sandbox) {
        Instant deadline = clock.instant().plus(AGENT_START_TIMEOUT);
        long pauseMillis = 2;
        while (true) {
            try {
                JsonNode ping = agent.call(sandbox.agent(), Map.of("op", "ping"), CONTROL_TIMEOUT, CONTROL_ANSWER_BYTES);
                requireOk(sandbox, "ping", ping);
                return;
            } catch (SandboxException e) {
                if (!e.unreachable() || clock.instant().isAfter(deadline)) throw e;
            }
            sleep(pauseMillis);
            pauseMillis = Math.min(pauseMillis * 2, 50);
        }
    }

    private void probe(Sandbox sandbox) {
        Language language = sandbox.language();
        String file = language.sourceFile(language.probeCode());
        Job job = new Job(language, language.probeCode(), "", List.of(), List.of(), Duration.ofSeconds(30),
                Duration.ofSeconds(60), 64 * 1024);
        Outcome outcome = execute(sandbox, job);
        if (outcome.run() == null || outcome.run().exitCode() != 0 || !outcome.run().stdout().contains("warmbox-probe")) {
            StepResult failed = outcome.run() != null ? outcome.run() : outcome.compile();
            throw new SandboxException("probe run of " + file + " failed: exit " + failed.exitCode() + ", " + failed.stderr());
        }
        if (!reset(sandbox)) throw new SandboxException("scrub after the probe failed in " + sandbox);
    }

    private static void requireOk(Sandbox sandbox, String op, JsonNode answer) {
        if (!answer.path("ok").asBoolean(false)) {
            throw new SandboxException(sandbox + " refused " + op + ": " + answer.path("error").asText("no reason given"));
        }
    }

    private static void createPrivateDirectory(Path dir) {
        try {
            Files.createDirectories(dir.getParent());
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new SandboxException("cannot create the agent socket directory " + dir + ": " + e.getMessage(), e, false);
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> entries = Files.walk(dir)) {
            entries.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | java.io.UncheckedIOException e) {
            // Already gone, or never created.
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxException("interrupted while waiting for an agent");
        }
    }

    /** The agent's exec request for a job (docs/agent-protocol.md). */
    static final class AgentRequests {
        private AgentRequests() {}

        static Map<String, Object> exec(Job job) {
            Language language = job.language();
            String source = language.sourceFile(job.code());
            List<Map<String, String>> files = new ArrayList<>();
            files.add(Map.of("name", source, "content", job.code()));
            job.files().forEach(f -> files.add(Map.of("name", f.name(), "content", f.content())));
            Map<String, Object> request = new LinkedHashMap<>();
            request.put("op", "exec");
            request.put("files", files);
            request.put("compile", language.compileCommand(source)
                    .map(argv -> Map.of("argv", argv, "timeout_ms", job.compileTimeout().toMillis()))
                    .orElse(null));
            request.put("run", Map.of("argv", language.runCommand(source, job.args()),
                    "prepared", language.preparedInterpreter().isPresent()));
            request.put("stdin", job.stdin());
            request.put("env", language.environment());
            request.put("timeout_ms", job.timeout().toMillis());
            request.put("output_limit_bytes", job.outputLimitBytes());
            return request;
        }

        /**
         * Scrub, then start the language's prepared interpreter for the next execution: forked from
         * its template process where it has one.
         */
        static Map<String, Object> reset(Language language) {
            Map<String, Object> request = new LinkedHashMap<>();
            request.put("op", "reset");
            language.preparedInterpreter().ifPresent(argv -> {
                Map<String, Object> prepare = new LinkedHashMap<>();
                prepare.put("argv", argv);
                prepare.put("env", language.environment());
                language.preparedTemplate().ifPresent(template -> prepare.put("template", Map.of("argv", template)));
                request.put("prepare", prepare);
            });
            return request;
        }
    }
}
