package dev.warmbox.sandbox;

import dev.warmbox.config.Limits;
import dev.warmbox.provider.ContainerSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The hardened container every sandbox runs in; docs/security.md explains each layer.
 * The agent runs as root with only the capabilities it needs to run user code as uid 10000, kill it
 * and scrub after it; user code keeps none of them.
 */
public final class SandboxBlueprint {
    static final String SANDBOX_UID = "10000";
    static final String LABEL_MANAGED = "warmbox.managed";
    static final String LABEL_OWNER = "warmbox.owner";
    static final String LABEL_RUNTIME = "warmbox.runtime";
    static final String LABEL_PURPOSE = "warmbox.purpose";
    static final String AGENT_DIR = "/run/warmbox";
    /** Where the agent listens when reached over TCP (AgentReach.TCP). */
    public static final int AGENT_PORT = 7070;
    /** The file holding the agent's secret over TCP: root's alone (mode 0400), read by the agent at start. */
    static final String AGENT_SECRET_FILE = "/run/warmbox-secret/agent-secret";
    private static final List<String> AGENT_CAPABILITIES =
            List.of("CHOWN", "DAC_OVERRIDE", "FOWNER", "KILL", "SETUID", "SETGID");

    /**
     * The pids cgroup's backstop under runsc: 64 host threads per allowed user process + 512, at most
     * 8192. gVisor (ptrace platform) holds about 40 host threads idle and 8 per sleeping user process, but
     * a fork bomb held at 64 processes by RLIMIT_NPROC made it hold 3689 to 5790 (pids.current sampled
     * every 250 ms, 1 and 2 CPUs; 2026-12-02, runsc 20221219), and it keeps them after the bomb is killed.
     * The backstop keeps one sandbox from taking the host's pid space (pid_max is 32768 on some hosts);
     * a sandbox that reaches it dies and the program is answered as killed (ContainerSandboxes).
     */
    static final long GVISOR_HOST_THREADS_PER_PROCESS = 64;
    static final long GVISOR_HOST_THREADS_IDLE = 512;
    static final long GVISOR_HOST_THREADS_MAX = 8192;

    private SandboxBlueprint() {}

    /** Whether sandboxes of this OCI runtime run on gVisor's kernel: runsc, or a runtime registered under a name that starts with it. */
    static boolean underGvisor(String ociRuntime) {
        return ociRuntime != null && ociRuntime.startsWith("runsc");
    }

    /**
     * How the sandbox user's processes are bounded at {@code pids}. On a shared kernel (runc) by the
     * container's pids cgroup, which counts everything in the container. Under gVisor (runsc, or a
     * runtime registered under a name that starts with it) that cgroup counts gVisor's own host threads,
     * several per user process, and a limit that bounds the user would starve gVisor: there the agent
     * sets RLIMIT_NPROC, which gVisor's kernel counts for this sandbox alone, and the cgroup only keeps
     * a backstop far above what the user can reach.
     */
    record ProcessLimit(long pidsCgroup, List<String> agentArguments) {
        static ProcessLimit of(long pids, String ociRuntime) {
            if (pids <= 0) return new ProcessLimit(0, List.of());
            if (!underGvisor(ociRuntime)) return new ProcessLimit(pids, List.of());
            return new ProcessLimit(Math.min(pids * GVISOR_HOST_THREADS_PER_PROCESS + GVISOR_HOST_THREADS_IDLE, GVISOR_HOST_THREADS_MAX),
                    List.of("-user-processes", Long.toString(pids)));
        }
    }

    /** The container of a sandbox whose agent is reached over the Unix socket in {@code socketDir} (Docker). */
    static ContainerSpec spec(SandboxSettings settings, Language language, String name, Path socketDir, boolean pooled) {
        return spec(settings, language, name, pooled, List.of(),
                List.of(new ContainerSpec.Bind(socketDir.toString(), AGENT_DIR, false)), null);
    }

    /**
     * The container of a sandbox whose agent listens on {@link #AGENT_PORT} and wants {@code secret} first
     * on every connection; the provider places the secret in a file only root reads (Kubernetes).
     */
    static ContainerSpec tcpSpec(SandboxSettings settings, Language language, String name, String secret, boolean pooled) {
        return spec(settings, language, name, pooled,
                List.of("-listen", "tcp:" + AGENT_PORT, "-secret-file", AGENT_SECRET_FILE), List.of(),
                new ContainerSpec.SecretFile(AGENT_SECRET_FILE, secret));
    }

    private static ContainerSpec spec(SandboxSettings settings, Language language, String name, boolean pooled,
                                      List<String> agentListen, List<ContainerSpec.Bind> binds, ContainerSpec.SecretFile secret) {
        Limits limits = settings.limits();
        String tmpfsSize = "size=" + limits.tmpfsBytes();
        String userOwned = ",uid=" + SANDBOX_UID + ",gid=" + SANDBOX_UID + ",mode=0755";
        String ociRuntime = settings.ociRuntime().orElse(null);
        ProcessLimit processes = ProcessLimit.of(limits.pids(), ociRuntime);
        List<String> command = new java.util.ArrayList<>(processes.agentArguments());
        command.addAll(agentListen);
        return new ContainerSpec(
                name,
                settings.image(language),
                Map.of(LABEL_MANAGED, "true",
                        LABEL_OWNER, settings.instanceId(),
                        LABEL_RUNTIME, language.id(),
                        LABEL_PURPOSE, pooled ? "pool" : "miss"),
                List.of(),
                command,
                null,
                new ContainerSpec.Limits(limits.memoryBytes(), (long) (limits.cpus() * 1e9), processes.pidsCgroup(),
                        Math.min(limits.tmpfsBytes(), 64L << 20)),
                true,
                Map.of("/workspace", "rw,exec,nosuid,nodev," + tmpfsSize + userOwned,
                        "/tmp", "rw,noexec,nosuid,nodev," + tmpfsSize + ",mode=1777",
                        "/home/sandbox", "rw,noexec,nosuid,nodev," + tmpfsSize + userOwned),
                binds,
                "none",
                AGENT_CAPABILITIES,
                true,
                ociRuntime,
                true,
                secret);
    }

    static Map<String, String> ownedBy(String instanceId) {
        return Map.of(LABEL_MANAGED, "true", LABEL_OWNER, instanceId);
    }
}
