package dev.warmbox.devenv;

import dev.warmbox.devenv.catalog.Catalog;
import dev.warmbox.devenv.prebuilds.SnapshotCollector;
import dev.warmbox.devenv.requests.DevEnvException;
import dev.warmbox.store.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deleting an environment class or a project. While anything live uses it (a pool not yet deleted, a
 * prebuild still running, an environment, an instance, and for a class a project that enables
 * prebuilds for it) the answer is a 409 naming each of them; otherwise its history goes with it in the
 * same transaction (deleted pools, old prebuilds, deleted environments), and then the snapshot images
 * that nothing needs any more.
 */
final class CatalogDeletion {
    private static final Logger log = LoggerFactory.getLogger(CatalogDeletion.class);
    private static final int NAMED = 10;

    private final Database database;
    private final Catalog catalog;
    private final SnapshotCollector snapshots;

    CatalogDeletion(Database database, Catalog catalog, SnapshotCollector snapshots) {
        this.database = database;
        this.catalog = catalog;
        this.snapshots = snapshots;
    }

    void deleteProject(String id) {
        catalog.project(id);
        delete("project", "projects", "project_id", id, List.of(), """
                SELECT name, state FROM devenv_instances WHERE project_id = ?""");
    }

    void deleteClass(String id) {
        catalog.environmentClass(id);
        List<String> projects = catalog.projects().stream().filter(p -> p.prebuildsEnabledFor(id))
                .map(p -> "project " + p.id() + " (prebuildEnvironmentClassIds)").toList();
        delete("environment class", "environment_classes", "environment_class_id", id, projects, """
                SELECT name, state FROM devenv_instances WHERE pool_id IN (SELECT id FROM warm_pools WHERE environment_class_id = ?)
                    OR environment_id IN (SELECT id FROM environments WHERE environment_class_id = ?)""");
    }

    private void delete(String what, String table, String column, String id, List<String> usedBy, String instancesSql) {
        database.inTransaction(c -> {
            List<String> users = new ArrayList<>(usedBy);
            users.addAll(named(c, "warm pool", "SELECT id, phase FROM warm_pools WHERE " + column + " = ? AND phase != 'WARM_POOL_PHASE_DELETED'", id));
            users.addAll(named(c, "prebuild", "SELECT id, status FROM prebuilds WHERE " + column + " = ? AND status = 'PREBUILD_STATUS_RUNNING'", id));
            users.addAll(named(c, "environment", "SELECT id, phase FROM environments WHERE " + column + " = ? AND phase != 'ENVIRONMENT_PHASE_DELETED'", id));
            users.addAll(named(c, "instance", instancesSql, id));
            if (!users.isEmpty()) throw DevEnvException.conflict("in_use", "the " + what + " " + id + " is still used by " + list(users)
                    + "; delete or change those first");
            // Its history: nothing live refers to these rows any more, and the foreign keys of pools and prebuilds need them gone.
            for (String history : List.of("environments", "warm_pools", "prebuilds")) {
                Database.update(c, "DELETE FROM " + history + " WHERE " + column + " = ?", id);
            }
            return Database.update(c, "DELETE FROM " + table + " WHERE id = ?", id);
        });
        try {
            snapshots.collect();
        } catch (RuntimeException e) {
            log.warn("removing the snapshot images of the deleted {} {} failed; the reconciler retries: {}", what, id, e.getMessage());
        }
    }

    /** Each row as "kind id (state)". */
    private static List<String> named(Connection c, String kind, String sql, String id) throws SQLException {
        try (PreparedStatement select = c.prepareStatement(sql)) {
            // Each placeholder is the id (SQLite's ?1 would say so once, but PostgreSQL's driver knows only ?).
            long placeholders = sql.chars().filter(ch -> ch == '?').count();
            for (int i = 1; i <= placeholders; i++) select.setString(i, id);
            try (ResultSet r = select.executeQuery()) {
                List<String> found = new ArrayList<>();
                while (r.next()) found.add(kind + " " + r.getString(1) + " (" + r.getString(2) + ")");
                return found;
            }
        }
    }

    private static String list(List<String> users) {
        if (users.size() <= NAMED) return String.join(", ", users);
        return String.join(", ", users.subList(0, NAMED)) + " and " + (users.size() - NAMED) + " more";
    }
}
