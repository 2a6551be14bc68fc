package dev.warmbox.sandbox;

import dev.warmbox.provider.ContainerProvider;
import dev.warmbox.provider.ContainerState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What another server's execution sandboxes left once that server died: its containers, found by their
 * labels ({@code warmbox.managed}, {@code warmbox.owner=<its instance id>}), and its agent-socket directories,
 * {@code $WARMBOX_RUN_DIR/<its instance id>}, present when it ran on this host (or this run directory's mount).
 */
public final class LeftoverSandboxes {
    private static final Logger log = LoggerFactory.getLogger(LeftoverSandboxes.class);

    private final ContainerProvider provider;
    private final Path runDir;

    public LeftoverSandboxes(ContainerProvider provider, Path runDir) {
        this.provider = provider;
        this.runDir = runDir;
    }

    /**
     * Removes every sandbox container of {@code instanceId}, each failing alone, then its run directory. True
     * when nothing is left; never throws.
     */
    public boolean removeOwnedBy(String instanceId) {
        List<ContainerState> owned;
        try {
            owned = provider.list(SandboxBlueprint.ownedBy(instanceId));
        } catch (RuntimeException e) {
            log.warn("could not list the sandboxes of server {}: {}", instanceId, e.getMessage());
            return false;
        }
        int removed = 0;
        for (ContainerState container : owned) {
            try {
                provider.remove(container.id());
                removed++;
            } catch (RuntimeException e) {
                log.warn("could not remove sandbox {} of server {}: {}", container.name(), instanceId, e.getMessage());
            }
        }
        if (!owned.isEmpty()) log.info("removed {} of {} sandbox containers of server {}", removed, owned.size(), instanceId);
        return removed == owned.size() && removeRunDirectory(instanceId);
    }

    private boolean removeRunDirectory(String instanceId) {
        Path dir = runDir.resolve(instanceId).normalize();
        if (instanceId.isBlank() || !runDir.equals(dir.getParent())) {
            log.warn("not removing run directory of server '{}': the id is not a plain name", instanceId);
            return true;
        }
        if (!Files.exists(dir)) return true;
        try (Stream<Path> entries = Files.walk(dir)) {
            for (Path entry : entries.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(entry);
            return true;
        } catch (IOException | UncheckedIOException e) {
            log.warn("could not delete {}, the run directory of server {}: {}", dir, instanceId, e.getMessage());
            return false;
        }
    }
}
