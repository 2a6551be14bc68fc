package dev.warmbox.provider;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a container should be. Engine-neutral: every field has a meaning for any OCI engine.
 *
 * @param name          unique container name
 * @param image         image reference or id
 * @param labels        marker labels; cleanup finds leftovers by them
 * @param env           environment as KEY=VALUE pairs
 * @param command       command to run, or empty for the image's default
 * @param user          user to run the main process as, or null for the image's default
 * @param limits        cgroup limits
 * @param readOnlyRootfs whether the root filesystem is read-only
 * @param tmpfs         tmpfs mounts: container path to mount options (e.g. "size=64m,mode=1777")
 * @param binds         host directories mounted into the container
 * @param networkMode   "none" for no network, or an engine network name
 * @param capAdd        capabilities kept after dropping all of them, or null to keep the engine's default set
 * @param noNewPrivileges whether processes may gain privileges (setuid binaries, file capabilities)
 * @param ociRuntime    the OCI runtime (e.g. "runsc"), or null for the engine's default
 * @param init          whether an init process reaps orphans as PID 1
 * @param secretFile    a file only root can read inside the container, or null; offered by providers
 *                      whose agent is reached over TCP ({@link AgentReach#TCP}), refused by the others
 */
public record ContainerSpec(
        String name,
        String image,
        Map<String, String> labels,
        List<String> env,
        List<String> command,
        String user,
        Limits limits,
        boolean readOnlyRootfs,
        Map<String, String> tmpfs,
        List<Bind> binds,
        String networkMode,
        List<String> capAdd,
        boolean noNewPrivileges,
        String ociRuntime,
        boolean init,
        SecretFile secretFile) {

    public ContainerSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(image, "image");
        labels = Map.copyOf(labels);
        env = List.copyOf(env);
        command = List.copyOf(command);
        Objects.requireNonNull(limits, "limits");
        tmpfs = Map.copyOf(tmpfs);
        binds = List.copyOf(binds);
        capAdd = capAdd == null ? null : List.copyOf(capAdd);
    }

    /** A spec without a secret file (every container of a provider reached over a Unix socket). */
    public ContainerSpec(String name, String image, Map<String, String> labels, List<String> env, List<String> command,
                         String user, Limits limits, boolean readOnlyRootfs, Map<String, String> tmpfs, List<Bind> binds,
                         String networkMode, List<String> capAdd, boolean noNewPrivileges, String ociRuntime, boolean init) {
        this(name, image, labels, env, command, user, limits, readOnlyRootfs, tmpfs, binds, networkMode, capAdd,
                noNewPrivileges, ociRuntime, init, null);
    }

    /** cgroup limits; zero means "engine default". */
    public record Limits(long memoryBytes, long nanoCpus, long pidsLimit, long shmSizeBytes) {}

    /**
     * A file the provider places at {@code path} inside the container, owned by root with mode 0400, so
     * that only the agent (root) reads it and the sandbox user never can. {@code toString} hides the content.
     */
    public record SecretFile(String path, String content) {
        public SecretFile {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(content, "content");
            if (!path.startsWith("/") || path.endsWith("/")) throw new IllegalArgumentException("not a file path: " + path);
        }

        @Override
        public String toString() {
            return "SecretFile[path=" + path + ", content=(hidden)]";
        }
    }

    /** A host directory mounted into the container. */
    public record Bind(String hostPath, String containerPath, boolean readOnly) {}
}
