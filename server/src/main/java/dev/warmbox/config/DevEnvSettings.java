package dev.warmbox.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Development environments (docs/dev-environments.md).
 *
 * @param network            Docker network instances join, created with inter-container traffic off if absent (an
 *                           existing one that allows it is refused); the IDE port is reached at the container's address on it
 * @param reconcileInterval  how often the pool reconciler compares desired and observed state (it also runs on every claim)
 * @param maxConcurrentLaunches instance launches, resets and prebuilds at once
 * @param hookTimeout        limit of one prebuild command or lifecycle hook
 * @param ideReadyTimeout    how long a started instance has for its IDE port to answer
 * @param publicUrl          base of environment URLs, e.g. https://warmbox.example.com; empty: from each request's Host
 * @param seedFile           JSON file of classes, projects and pools created at start when they do not exist yet
 * @param scaling            the warm pools' autoscaler windows (docs/dev-environments.md#scaling)
 * @param rotationPeriod     a warm instance unused this long is replaced by a fresh one (zero: never)
 */
public record DevEnvSettings(
        String network,
        Duration reconcileInterval,
        int maxConcurrentLaunches,
        Duration hookTimeout,
        Duration ideReadyTimeout,
        Optional<String> publicUrl,
        Optional<Path> seedFile,
        Scaling scaling,
        Duration rotationPeriod) {

    /**
     * How pools follow demand: the claim rate is measured over {@code demandWindow}; a pool keeps the
     * claims expected within {@code leadTime} warm; it scales out once that stayed higher for
     * {@code scaleOutWindow}, in once it stayed lower for {@code scaleInWindow}; a pool with minSize 0
     * empties after {@code idleGuard} without a claim.
     */
    public record Scaling(Duration demandWindow, Duration leadTime, Duration scaleOutWindow, Duration scaleInWindow, Duration idleGuard) {
        public static final Scaling DEFAULTS = new Scaling(Duration.ofMinutes(10), Duration.ofMinutes(5), Duration.ofMinutes(1),
                Duration.ofMinutes(15), Duration.ofMinutes(30));

        static Scaling from(Variables v) {
            return new Scaling(
                    v.seconds("DEVENV_DEMAND_WINDOW", 600, 1, 24 * 3600),
                    v.seconds("DEVENV_LEAD_TIME", 300, 1, 24 * 3600),
                    v.seconds("DEVENV_SCALE_OUT_WINDOW", 60, 0, 24 * 3600),
                    v.seconds("DEVENV_SCALE_IN_WINDOW", 900, 0, 24 * 3600),
                    v.seconds("DEVENV_IDLE_GUARD", 1800, 0, 7 * 24 * 3600));
        }
    }

    static DevEnvSettings from(Variables v) {
        String network = v.string("DEVENV_NETWORK", "warmbox-devenv");
        if (!network.matches("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}")) {
            throw new ConfigException("DEVENV_NETWORK must be a Docker network name, got '" + network + "'");
        }
        Optional<String> publicUrl = v.string("WARMBOX_PUBLIC_URL").map(url -> url.replaceAll("/+$", ""));
        publicUrl.ifPresent(url -> {
            if (!url.matches("https?://[^/?#\\s]+(/[^?#\\s]*)?")) {
                throw new ConfigException("WARMBOX_PUBLIC_URL must be an http(s) URL such as https://warmbox.example.com, got '" + url + "'");
            }
        });
        return new DevEnvSettings(
                network,
                v.seconds("DEVENV_RECONCILE_INTERVAL", 10, 1, 3600),
                v.integer("DEVENV_MAX_CONCURRENT_LAUNCHES", 4, 1, 64),
                v.seconds("DEVENV_HOOK_TIMEOUT", 600, 1, 24 * 3600),
                v.seconds("DEVENV_IDE_READY_TIMEOUT", 60, 1, 3600),
                publicUrl,
                v.string("DEVENV_SEED_FILE").map(Path::of),
                Scaling.from(v),
                v.seconds("DEVENV_ROTATION_PERIOD", 86_400, 0, 365L * 86_400));
    }
}
