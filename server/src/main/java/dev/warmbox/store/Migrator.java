package dev.warmbox.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Applies, each in its own transaction, the migrations a database has not recorded yet. */
final class Migrator {
    private static final Logger log = LoggerFactory.getLogger(Migrator.class);

    private final List<Migration> migrations;
    private final Clock clock;

    Migrator(List<Migration> migrations, Clock clock) {
        for (int i = 1; i < migrations.size(); i++) {
            if (migrations.get(i).version() <= migrations.get(i - 1).version()) {
                throw new IllegalArgumentException("migration " + migrations.get(i).version()
                        + " comes after migration " + migrations.get(i - 1).version() + "; versions must increase");
            }
        }
        this.migrations = List.copyOf(migrations);
        this.clock = clock;
    }

    /** Under the backend's migration lock, so servers starting together on one database apply each migration once. */
    void migrate(Connection connection, Database database) throws SQLException {
        Backend backend = database.backend();
        backend.lockMigrations(connection);
        try {
            Database.execute(connection,
                    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT)");
            refuseNewerSchema(connection, backend);
            for (Migration migration : migrations) {
                // Checked inside the transaction as well, so two servers starting on one SQLite file apply it once.
                boolean applied = database.inTransaction(connection, c -> applyIfNew(c, migration, backend.dialect()));
                if (applied) log.info("{}: applied migration {}", backend.where(), migration.version());
            }
        } finally {
            backend.unlockMigrations(connection);
        }
    }

    private boolean applyIfNew(Connection connection, Migration migration, Backend.Dialect dialect) throws SQLException {
        try (PreparedStatement seen = connection.prepareStatement("SELECT 1 FROM schema_migrations WHERE version = ?")) {
            seen.setInt(1, migration.version());
            try (ResultSet rows = seen.executeQuery()) {
                if (rows.next()) return false;
            }
        }
        for (String sql : migration.statements(dialect)) {
            Database.execute(connection, sql);
        }
        try (PreparedStatement record = connection.prepareStatement(
                "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)")) {
            record.setInt(1, migration.version());
            record.setString(2, Instant.now(clock).toString());
            record.executeUpdate();
        }
        return true;
    }

    /** Running old code on a newer schema could lose data the old code does not know about. */
    private void refuseNewerSchema(Connection connection, Backend backend) throws SQLException {
        int known = migrations.isEmpty() ? 0 : migrations.getLast().version();
        try (PreparedStatement newest = connection.prepareStatement("SELECT coalesce(max(version), 0) FROM schema_migrations");
                ResultSet rows = newest.executeQuery()) {
            int found = rows.next() ? rows.getInt(1) : 0;
            if (found > known) {
                throw new StoreException(backend.where() + " was written by a newer version of warmbox "
                        + "(schema version " + found + "; this version knows up to " + known + ")");
            }
        }
    }
}
