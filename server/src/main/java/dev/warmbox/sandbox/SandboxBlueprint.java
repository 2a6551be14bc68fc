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
final class SandboxBlueprint {
    static final String SANDBOX_UID = "10000";
    static final String LABEL_MANAGED = "warmbox.managed";
    static final String LABEL_OWNER = "warmbox.owner";
    static final String LABEL_RUNTIME = "warmbox.runtime";
    static final String LABEL_PURPOSE = "warmbox.purpose";
    static final String AGENT_DIR = "/run/warmbox";
    private static final List<String> AGENT_CAPABILITIES =
            List.of("CHOWN", "DAC_OVERRIDE", "FOWNER", "KILL", "SETUID", "SETGID");

    private SandboxBlueprint() {}

    static ContainerSpec spec(SandboxSettings settings, Language language, String name, Path socketDir, boolean pooled) {
        Limits limits = settings.limits();
        String tmpfsSize = "size=" + limits.tmpfsBytes();
        String userOwned = ",uid=" + SANDBOX_UID + ",gid=" + SANDBOX_UID + ",mode=0755";
        return new ContainerSpec(
                name,
                settings.image(language),
                Map.of(LABEL_MANAGED, "true",
                        LABEL_OWNER, settings.instanceId(),
                        LABEL_RUNTIME, language.id(),
                        LABEL_PURPOSE, pooled ? "pool" : "miss"),
                List.of(),
                List.of(),
                null,
                new ContainerSpec.Limits(limits.memoryBytes(), (long) (limits.cpus() * 1e9), limits.pids(),
                        Math.min(limits.tmpfsBytes(), 64L << 20)),
                true,
                Map.of("/workspace", "rw,exec,nosuid,nodev," + tmpfsSize + userOwned,
                        "/tmp", "rw,noexec,nosuid,nodev," + tmpfsSize + ",mode=1777",
                        "/home/sandbox", "rw,noexec,nosuid,nodev," + tmpfsSize + userOwned),
                List.of(new ContainerSpec.Bind(socketDir.toString(), AGENT_DIR, false)),
                "none",
                AGENT_CAPABILITIES,
                true,
                settings.ociRuntime().orElse(null),
                true);
    }

    static Map<String, String> ownedBy(String instanceId) {
        return Map.of(LABEL_MANAGED, "true", LABEL_OWNER, instanceId);
    }
}
