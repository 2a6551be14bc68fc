package dev.warmbox.provider;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The seam between warmbox and whatever runs containers. Execution pools and development-environment
 * pools both reach containers only through this interface; Docker is the first implementation.
 *
 * <p>Every method is blocking and may be slow (it talks to an engine): call it from a virtual thread.
 * Failures are reported as {@link ProviderException} naming the container or image; engine-specific
 * exceptions never cross this boundary.
 *
 * <p>Every provider has the lifecycle (create, start, remove, inspect, list, ping); the rest is split
 * into {@link Capability capabilities} a backend has or lacks, and how the server reaches a sandbox's
 * agent is the provider's {@link #agentReach()}. A method of a capability the provider lacks throws
 * {@link UnsupportedCapabilityException}.
 */
public interface ContainerProvider {

    /** What this provider can do beyond the lifecycle. */
    Set<Capability> capabilities();

    /** How the server reaches the agent inside this provider's containers. */
    AgentReach agentReach();

    /** Whether this provider offers {@code capability}. */
    default boolean offers(Capability capability) {
        return capabilities().contains(capability);
    }

    /** Creates a container (not started) and returns its id. */
    String create(ContainerSpec spec);

    /** Starts a created container, or a stopped one ({@link Capability#SUSPEND_RESUME}); returns once it runs. */
    void start(String containerId);

    /**
     * Stops a running container, killing it after {@code grace}, keeping its files for a later start
     * ({@link Capability#SUSPEND_RESUME}). A container already stopped is fine.
     */
    void stop(String containerId, Duration grace);

    /** Removes a container, killing it first if it runs. A container already gone is fine. */
    void remove(String containerId);

    /** The container's current state, or empty when the engine no longer knows it. */
    Optional<ContainerState> inspect(String containerId);

    /**
     * Every container (running or not) carrying all the given labels, with its id, name, status,
     * labels and address: one engine call whatever the number of containers. A list does not report
     * start times or exit codes (null and 0); {@link #inspect} one container for those.
     */
    List<ContainerState> list(Map<String, String> labels);

    /** Snapshots a container's filesystem as a new image and returns the image id ({@link Capability#SNAPSHOTS}). */
    String commit(String containerId, String imageReference, Map<String, String> labels);

    /**
     * Runs a command inside a running container and waits for it (up to the spec's timeout). A
     * command that cannot start (no such binary) is an exit code, not an exception; a container that
     * does not run is a {@link ProviderException} ({@link Capability#EXEC}).
     */
    ExecResult exec(String containerId, ExecSpec spec);

    /**
     * Makes sure a network exists on which containers are reachable from the host but not from each
     * other (a bridge with inter-container traffic off), creating it with these labels if absent.
     * An existing network of that name that lets containers reach each other is refused with a
     * {@link ProviderException}: development environments run unauthenticated IDEs on it
     * ({@link Capability#ISOLATED_NETWORK}).
     */
    void ensureIsolatedNetwork(String name, Map<String, String> labels);

    /** Every local image carrying all the given labels (how leftovers are found, like containers; {@link Capability#SNAPSHOTS}). */
    List<ImageState> listImages(Map<String, String> labels);

    /**
     * Removes an image by reference or id. An image already gone is fine; one that a container (running
     * or not) still uses is refused with a {@link ProviderException} naming it, and stays.
     */
    void removeImage(String imageReference);

    /** Whether an image is present locally ({@link Capability#SNAPSHOTS}). */
    boolean imageExists(String imageReference);

    /** Whether the engine answers at all; cheap, used by readiness. */
    boolean ping();
}
