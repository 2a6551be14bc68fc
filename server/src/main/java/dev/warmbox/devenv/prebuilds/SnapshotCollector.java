package dev.warmbox.devenv.prebuilds;

import dev.warmbox.devenv.containers.Blueprint;
import dev.warmbox.provider.ContainerProvider;
import dev.warmbox.provider.ContainerState;
import dev.warmbox.provider.ImageState;
import dev.warmbox.store.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes what prebuilds leave on the engine once nothing needs it, found by label like Testcontainers'
 * ResourceReaper: snapshot images that no pool, no instance and no newest successful prebuild of a
 * project and class refers to (nor a prebuild still running, whose commit may already be done), and
 * the containers of prebuilds that are no longer running (their own clean-up failed). Each removal
 * fails alone, logged, and is tried again on the next round.
 */
public final class SnapshotCollector {
    private static final Logger log = LoggerFactory.getLogger(SnapshotCollector.class);
    private static final String NEEDED = """
            SELECT snapshot_id FROM warm_pools WHERE snapshot_id IS NOT NULL AND phase != 'WARM_POOL_PHASE_DELETED'
            UNION SELECT snapshot_id FROM devenv_instances
            UNION SELECT id FROM prebuilds WHERE status = 'PREBUILD_STATUS_RUNNING'
            UNION SELECT (SELECT n.id FROM prebuilds n WHERE n.project_id = p.project_id AND n.environment_class_id = p.environment_class_id
                          AND n.status = 'PREBUILD_STATUS_SUCCEEDED' ORDER BY n.finished_at DESC LIMIT 1)
                  FROM (SELECT DISTINCT project_id, environment_class_id FROM prebuilds) p""";

    private final Database database;
    private final ContainerProvider provider;
    private final Blueprint blueprint;

    public SnapshotCollector(Database database, ContainerProvider provider, Blueprint blueprint) {
        this.database = database;
        this.provider = provider;
        this.blueprint = blueprint;
    }

    /** One round: two engine calls to list, then one per removal. */
    public void collect() {
        // The engine first, the rows second: an image listed here is committed, so its prebuild's row says
        // RUNNING or later, and a prebuild container listed here belongs to a row that exists.
        List<ImageState> images = provider.listImages(blueprint.owned());
        List<ContainerState> prebuildContainers = provider.list(blueprint.owned(Blueprint.KIND_PREBUILD));
        Set<String> needed = ids(NEEDED);
        for (ImageState image : images) {
            String snapshot = image.labels().get(Blueprint.LABEL_PREBUILD);
            if (snapshot != null && !needed.contains(snapshot)) remove(image, snapshot);
        }
        Set<String> running = ids("SELECT id FROM prebuilds WHERE status = 'PREBUILD_STATUS_RUNNING'");
        for (ContainerState container : prebuildContainers) {
            String prebuild = container.labels().get(Blueprint.LABEL_PREBUILD);
            if (prebuild != null && running.contains(prebuild)) continue;
            try {
                provider.remove(container.id());
                log.info("removed container {} of prebuild {}, which is no longer running", container.name(), prebuild);
            } catch (RuntimeException e) {
                log.warn("removing container {} of prebuild {} failed, next round retries: {}", container.name(), prebuild, e.getMessage());
            }
        }
    }

    private void remove(ImageState image, String snapshot) {
        List<String> names = image.references().isEmpty() ? List.of(image.id()) : image.references();
        for (String name : names) {
            try {
                provider.removeImage(name);
                log.info("removed snapshot image {}: no pool, instance or newest prebuild needs snapshot {}", name, snapshot);
            } catch (RuntimeException e) {
                log.warn("removing snapshot image {} failed, next round retries: {}", name, e.getMessage());
            }
        }
    }

    private Set<String> ids(String sql) {
        return database.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement(sql); ResultSet r = select.executeQuery()) {
                Set<String> ids = new HashSet<>();
                while (r.next()) if (r.getString(1) != null) ids.add(r.getString(1));
                return ids;
            }
        });
    }
}
