package dev.warmbox.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Migration 4: a database written with ISO-8601 TEXT times (migrations 1-3) comes out with INTEGER epoch
 * milliseconds in the same rows, every other value and the indexes intact, and times that sort as times.
 */
class TimesMigrationTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-01-02T03:04:05Z"), ZoneOffset.UTC);
    // As Instant.toString() wrote them: no fraction, milliseconds, and the microseconds the system clock gives.
    private static final String WHOLE = "2026-01-01T00:00:00Z";
    private static final String HALF = "2026-01-01T00:00:00.500Z";
    private static final String MICROS = "2026-01-01T00:00:01.123456Z";

    @TempDir
    Path dir;

    @Test
    void textTimesBecomeEpochMillisecondsWithEveryRowAndValueKept() {
        Path file = dir.resolve("warmbox.db");
        try (Database old = new Database(file, Migrations.ALL.subList(0, 3), CLOCK)) {
            old.inTransaction(c -> {
                try (Statement s = c.createStatement()) {
                    s.execute("INSERT INTO environment_classes (id, name, doc) VALUES ('class', 'small', '{}')");
                    s.execute("INSERT INTO projects (id, name, doc) VALUES ('project', 'demo', '{}')");
                    s.execute("INSERT INTO prebuilds (id, project_id, environment_class_id, status, snapshot_image, log, created_at, finished_at, git_commit) "
                            + "VALUES ('pb1', 'project', 'class', 'PREBUILD_STATUS_SUCCEEDED', 'img', 'the log', '" + WHOLE + "', '" + MICROS + "', 'abc')");
                    s.execute("INSERT INTO prebuilds (id, project_id, environment_class_id, status, created_at) "
                            + "VALUES ('pb2', 'project', 'class', 'PREBUILD_STATUS_RUNNING', '" + HALF + "')");
                    s.execute("INSERT INTO warm_pools (id, project_id, environment_class_id, organization_id, runner_id, desired_phase, min_size, max_size, "
                            + "max_instances, release_policy, snapshot_id, spec_version, phase, status_version, created_at, updated_at, desired_size, "
                            + "cron_schedule, cron_timezone, stop_after_initialization) VALUES ('pool', 'project', 'class', 'org', 'runner', 'READY', 1, 3, 5, "
                            + "'RELEASE_POLICY_RESET', 'pb1', 7, 'WARM_POOL_PHASE_READY', 9, '" + WHOLE + "', '" + HALF + "', 2, '0 9 * * *', 'UTC', 1)");
                    s.execute("INSERT INTO devenv_instances (name, pool_id, project_id, snapshot_id, state, ready, address, environment_id, created_at, "
                            + "ready_at, stopped, spec_fingerprint) VALUES ('later', 'pool', 'project', 'pb1', 'CLAIMED', 1, '10.0.0.2', 'env', '"
                            + HALF + "', '" + MICROS + "', 0, 'f1')");
                    s.execute("INSERT INTO devenv_instances (name, pool_id, project_id, snapshot_id, state, created_at) "
                            + "VALUES ('earlier', 'pool', 'project', 'pb1', 'STARTING', '" + WHOLE + "')");
                    s.execute("INSERT INTO environments (id, owner_key_id, project_id, environment_class_id, pool_id, instance_name, warm, phase, "
                            + "failure_message, access_token_hash, created_at, ready_at, updated_at) VALUES ('env', 'key', 'project', 'class', 'pool', "
                            + "'later', 1, 'ENVIRONMENT_PHASE_RUNNING', NULL, 'hash', '" + HALF + "', NULL, '" + MICROS + "')");
                }
                return null;
            });
            assertThat(rows(old, "SELECT name FROM devenv_instances ORDER BY created_at")).as("the bug: as text, half a second later sorts first")
                    .containsExactly(List.of("later"), List.of("earlier"));
        }

        try (Database migrated = new Database(file, Migrations.ALL, CLOCK)) {
            assertThat(rows(migrated, "SELECT id, status, snapshot_image, log, created_at, finished_at, git_commit FROM prebuilds ORDER BY id"))
                    .containsExactly(List.of("pb1", "PREBUILD_STATUS_SUCCEEDED", "img", "the log", millis(WHOLE), millis(MICROS), "abc"),
                            List.of("pb2", "PREBUILD_STATUS_RUNNING", "null", "", millis(HALF), "null", "null"));
            assertThat(rows(migrated, "SELECT id, min_size, max_size, max_instances, release_policy, snapshot_id, spec_version, status_version, "
                    + "created_at, updated_at, desired_size, cron_schedule, cron_timezone, stop_after_initialization, deleted FROM warm_pools"))
                    .containsExactly(List.of("pool", 1L, 3L, 5L, "RELEASE_POLICY_RESET", "pb1", 7L, 9L, millis(WHOLE), millis(HALF), 2L, "0 9 * * *", "UTC", 1L, 0L));
            assertThat(rows(migrated, "SELECT name, state, ready, address, environment_id, created_at, ready_at, stopped, spec_fingerprint "
                    + "FROM devenv_instances ORDER BY created_at"))
                    .as("in time order now")
                    .containsExactly(List.of("earlier", "STARTING", 0L, "null", "null", millis(WHOLE), "null", 0L, "null"),
                            List.of("later", "CLAIMED", 1L, "10.0.0.2", "env", millis(HALF), millis(MICROS), 0L, "f1"));
            assertThat(rows(migrated, "SELECT id, owner_key_id, pool_id, instance_name, warm, phase, access_token_hash, created_at, ready_at, updated_at "
                    + "FROM environments"))
                    .containsExactly(List.of("env", "key", "pool", "later", 1L, "ENVIRONMENT_PHASE_RUNNING", "hash", millis(HALF), "null", millis(MICROS)));
            for (String table : List.of("prebuilds", "warm_pools", "devenv_instances", "environments")) {
                assertThat(rows(migrated, "SELECT DISTINCT typeof(created_at) FROM " + table)).as("%s.created_at", table).containsExactly(List.of("integer"));
            }
            assertThat(rows(migrated, "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex%' ORDER BY name"))
                    .containsExactly(List.of("environments_by_pool_and_time"), List.of("warm_pools_one_per_project_and_class"));
            assertThatThrownBy(() -> migrated.inTransaction(c -> Database.update(c, "INSERT INTO warm_pools (id, project_id, environment_class_id, "
                    + "organization_id, runner_id, desired_phase, min_size, max_size, release_policy, spec_version, phase, status_version, created_at, "
                    + "updated_at) VALUES ('pool2', 'project', 'class', 'o', 'r', 'READY', 1, 1, 'RELEASE_POLICY_DESTROY', 1, 'P', 1, 0, 0)")))
                    .as("one live pool per project and class, as before").isInstanceOf(StoreException.class);
            assertThatThrownBy(() -> migrated.inTransaction(c -> Database.update(c, "INSERT INTO prebuilds (id, project_id, environment_class_id, status, "
                    + "created_at) VALUES ('pb3', 'nope', 'class', 'PREBUILD_STATUS_RUNNING', 0)")))
                    .as("prebuilds still refer to their project").isInstanceOf(StoreException.class);
            Instant readBack = migrated.handle(h -> h.createQuery("SELECT created_at FROM environments").mapTo(Instant.class).one());
            assertThat(readBack)
                    .as("read back as the instant it was").isEqualTo(Instant.parse(HALF));
        }
    }

    private static long millis(String iso) {
        return Instant.parse(iso).toEpochMilli();
    }

    /** Each row's values; SQL NULL as "null" (List.of takes no nulls). */
    private static List<List<Object>> rows(Database database, String sql) {
        return database.withConnection(c -> {
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
                List<List<Object>> rows = new ArrayList<>();
                int columns = r.getMetaData().getColumnCount();
                while (r.next()) {
                    List<Object> row = new ArrayList<>();
                    for (int i = 1; i <= columns; i++) {
                        Object value = r.getObject(i);
                        row.add(value == null ? "null" : value instanceof Integer n ? (Object) n.longValue() : value);
                    }
                    rows.add(row);
                }
                return rows;
            }
        });
    }
}
