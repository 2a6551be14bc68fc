package dev.warmbox.provider;

/**
 * What a backend can do beyond the lifecycle every {@link ContainerProvider} has (create, start, remove,
 * inspect, list, ping). A provider lists what it offers in {@link ContainerProvider#capabilities()};
 * the methods of a capability it lacks throw {@link UnsupportedCapabilityException} naming it, and
 * features needing it are refused (docs/kubernetes.md says which on Kubernetes).
 */
public enum Capability {
    /** {@link ContainerProvider#exec}: a command run inside a running container (devenv hooks). */
    EXEC("running commands inside a container (exec)"),
    /**
     * {@link ContainerProvider#commit}, {@link ContainerProvider#listImages}, {@link ContainerProvider#removeImage},
     * {@link ContainerProvider#imageExists}: a container's filesystem kept as an image (prebuild snapshots).
     */
    SNAPSHOTS("snapshots of a container as an image (commit)"),
    /**
     * {@link ContainerProvider#stop} and {@link ContainerProvider#start} of a stopped container keeping its
     * writable layer (stopped development-environment instances).
     */
    SUSPEND_RESUME("stopping a container and starting it again with its files kept"),
    /** {@link ContainerProvider#ensureIsolatedNetwork}: a network without traffic between its containers. */
    ISOLATED_NETWORK("an isolated network for development environments");

    private final String description;

    Capability(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }
}
