package dev.warmbox.store;

import java.util.List;

/**
 * The schema, oldest first. To change it, append a migration with the next version; never edit one
 * that has shipped, because databases that already applied it will not run it again.
 */
final class Migrations {
    static final List<Migration> ALL = List.of(
            // PostgreSQL names SQLite's BLOB bytea.
            new Migration(1, List.of(apiKeys("BLOB")), List.of(apiKeys("BYTEA"))),
            // Development environments (docs/dev-environments.md). Classes and projects keep their
            // whole definition as JSON; what claims and the reconciler query or update is in columns.
            new Migration(2, """
                    CREATE TABLE environment_classes (
                        id         TEXT PRIMARY KEY,
                        name       TEXT NOT NULL UNIQUE,
                        doc        TEXT NOT NULL
                    )""", """
                    CREATE TABLE projects (
                        id         TEXT PRIMARY KEY,
                        name       TEXT NOT NULL UNIQUE,
                        doc        TEXT NOT NULL
                    )""", """
                    CREATE TABLE prebuilds (
                        id                   TEXT PRIMARY KEY,
                        project_id           TEXT NOT NULL REFERENCES projects (id),
                        environment_class_id TEXT NOT NULL REFERENCES environment_classes (id),
                        status               TEXT NOT NULL,
                        snapshot_image       TEXT,
                        log                  TEXT NOT NULL DEFAULT '',
                        failure_message      TEXT,
                        created_at           TEXT NOT NULL,
                        finished_at          TEXT
                    )""", """
                    CREATE TABLE warm_pools (
                        id                   TEXT PRIMARY KEY,
                        project_id           TEXT NOT NULL REFERENCES projects (id),
                        environment_class_id TEXT NOT NULL REFERENCES environment_classes (id),
                        organization_id      TEXT NOT NULL,
                        runner_id            TEXT NOT NULL,
                        desired_phase        TEXT NOT NULL,
                        min_size             INTEGER NOT NULL,
                        max_size             INTEGER NOT NULL,
                        max_instances        INTEGER,
                        release_policy       TEXT NOT NULL,
                        snapshot_id          TEXT,
                        spec_version         INTEGER NOT NULL,
                        phase                TEXT NOT NULL,
                        failure_message      TEXT,
                        status_version       INTEGER NOT NULL,
                        deleted              INTEGER NOT NULL DEFAULT 0,
                        created_at           TEXT NOT NULL,
                        updated_at           TEXT NOT NULL
                    )""", """
                    CREATE UNIQUE INDEX warm_pools_one_per_project_and_class
                        ON warm_pools (project_id, environment_class_id) WHERE deleted = 0""", """
                    CREATE TABLE devenv_instances (
                        name           TEXT PRIMARY KEY,
                        pool_id        TEXT,
                        project_id     TEXT NOT NULL,
                        snapshot_id    TEXT NOT NULL,
                        state          TEXT NOT NULL CHECK (state IN ('STARTING', 'WARM', 'CLAIMED', 'RESETTING')),
                        ready          INTEGER NOT NULL DEFAULT 0,
                        address        TEXT,
                        environment_id TEXT UNIQUE,
                        created_at     TEXT NOT NULL,
                        ready_at       TEXT
                    )""", """
                    CREATE TABLE environments (
                        id                   TEXT PRIMARY KEY,
                        owner_key_id         TEXT NOT NULL,
                        project_id           TEXT NOT NULL,
                        environment_class_id TEXT NOT NULL,
                        pool_id              TEXT,
                        instance_name        TEXT,
                        warm                 INTEGER NOT NULL,
                        phase                TEXT NOT NULL,
                        failure_message      TEXT,
                        access_token_hash    TEXT,
                        created_at           TEXT NOT NULL,
                        ready_at             TEXT,
                        updated_at           TEXT NOT NULL
                    )"""),
            // Pools that follow demand (docs/dev-environments.md#scaling): the autoscaler's last target
            // (status.desiredSize; -1 before the first decision), active hours, stopped instances, and
            // for rotation what an instance was made from (the spec fingerprint) and a snapshot's commit.
            new Migration(3,
                    "ALTER TABLE warm_pools ADD COLUMN desired_size INTEGER NOT NULL DEFAULT -1",
                    "ALTER TABLE warm_pools ADD COLUMN cron_schedule TEXT",
                    "ALTER TABLE warm_pools ADD COLUMN cron_timezone TEXT",
                    "ALTER TABLE warm_pools ADD COLUMN stop_after_initialization INTEGER NOT NULL DEFAULT 0",
                    "ALTER TABLE devenv_instances ADD COLUMN stopped INTEGER NOT NULL DEFAULT 0",
                    "ALTER TABLE devenv_instances ADD COLUMN spec_fingerprint TEXT",
                    "ALTER TABLE prebuilds ADD COLUMN git_commit TEXT",
                    "CREATE INDEX environments_by_pool_and_time ON environments (pool_id, created_at)"),
            // Times as times: the development-environment tables kept ISO-8601 text, which compares and
            // sorts as text ("...:00.5Z" before "...:00Z"); now INTEGER epoch milliseconds. SQLite cannot
            // change a column's type, so each table is copied into its new shape and renamed; nothing
            // refers to these four by foreign key. A time that does not parse (never written by warmbox)
            // becomes NULL, or 0 where the column is NOT NULL.
            // On PostgreSQL each column changes its type in place (BIGINT: its INTEGER is 32 bits).
            new Migration(4, List.of("""
                    CREATE TABLE prebuilds_v4 (
                        id                   TEXT PRIMARY KEY,
                        project_id           TEXT NOT NULL REFERENCES projects (id),
                        environment_class_id TEXT NOT NULL REFERENCES environment_classes (id),
                        status               TEXT NOT NULL,
                        snapshot_image       TEXT,
                        log                  TEXT NOT NULL DEFAULT '',
                        failure_message      TEXT,
                        created_at           INTEGER NOT NULL,
                        finished_at          INTEGER,
                        git_commit           TEXT
                    )""", """
                    INSERT INTO prebuilds_v4 (id, project_id, environment_class_id, status, snapshot_image, log, failure_message,
                                              created_at, finished_at, git_commit)
                    SELECT id, project_id, environment_class_id, status, snapshot_image, log, failure_message,
                           coalesce(CAST(round(unixepoch(created_at, 'subsec') * 1000) AS INTEGER), 0),
                           CAST(round(unixepoch(finished_at, 'subsec') * 1000) AS INTEGER), git_commit
                    FROM prebuilds""",
                    "DROP TABLE prebuilds",
                    "ALTER TABLE prebuilds_v4 RENAME TO prebuilds", """
                    CREATE TABLE warm_pools_v4 (
                        id                        TEXT PRIMARY KEY,
                        project_id                TEXT NOT NULL REFERENCES projects (id),
                        environment_class_id      TEXT NOT NULL REFERENCES environment_classes (id),
                        organization_id           TEXT NOT NULL,
                        runner_id                 TEXT NOT NULL,
                        desired_phase             TEXT NOT NULL,
                        min_size                  INTEGER NOT NULL,
                        max_size                  INTEGER NOT NULL,
                        max_instances             INTEGER,
                        release_policy            TEXT NOT NULL,
                        snapshot_id               TEXT,
                        spec_version              INTEGER NOT NULL,
                        phase                     TEXT NOT NULL,
                        failure_message           TEXT,
                        status_version            INTEGER NOT NULL,
                        deleted                   INTEGER NOT NULL DEFAULT 0,
                        created_at                INTEGER NOT NULL,
                        updated_at                INTEGER NOT NULL,
                        desired_size              INTEGER NOT NULL DEFAULT -1,
                        cron_schedule             TEXT,
                        cron_timezone             TEXT,
                        stop_after_initialization INTEGER NOT NULL DEFAULT 0
                    )""", """
                    INSERT INTO warm_pools_v4 (id, project_id, environment_class_id, organization_id, runner_id, desired_phase, min_size,
                                               max_size, max_instances, release_policy, snapshot_id, spec_version, phase, failure_message,
                                               status_version, deleted, created_at, updated_at, desired_size, cron_schedule, cron_timezone,
                                               stop_after_initialization)
                    SELECT id, project_id, environment_class_id, organization_id, runner_id, desired_phase, min_size,
                           max_size, max_instances, release_policy, snapshot_id, spec_version, phase, failure_message,
                           status_version, deleted,
                           coalesce(CAST(round(unixepoch(created_at, 'subsec') * 1000) AS INTEGER), 0),
                           coalesce(CAST(round(unixepoch(updated_at, 'subsec') * 1000) AS INTEGER), 0),
                           desired_size, cron_schedule, cron_timezone, stop_after_initialization
                    FROM warm_pools""",
                    "DROP TABLE warm_pools",
                    "ALTER TABLE warm_pools_v4 RENAME TO warm_pools", """
                    CREATE UNIQUE INDEX warm_pools_one_per_project_and_class
                        ON warm_pools (project_id, environment_class_id) WHERE deleted = 0""", """
                    CREATE TABLE devenv_instances_v4 (
                        name             TEXT PRIMARY KEY,
                        pool_id          TEXT,
                        project_id       TEXT NOT NULL,
                        snapshot_id      TEXT NOT NULL,
                        state            TEXT NOT NULL CHECK (state IN ('STARTING', 'WARM', 'CLAIMED', 'RESETTING')),
                        ready            INTEGER NOT NULL DEFAULT 0,
                        address          TEXT,
                        environment_id   TEXT UNIQUE,
                        created_at       INTEGER NOT NULL,
                        ready_at         INTEGER,
                        stopped          INTEGER NOT NULL DEFAULT 0,
                        spec_fingerprint TEXT
                    )""", """
                    INSERT INTO devenv_instances_v4 (name, pool_id, project_id, snapshot_id, state, ready, address, environment_id,
                                                     created_at, ready_at, stopped, spec_fingerprint)
                    SELECT name, pool_id, project_id, snapshot_id, state, ready, address, environment_id,
                           coalesce(CAST(round(unixepoch(created_at, 'subsec') * 1000) AS INTEGER), 0),
                           CAST(round(unixepoch(ready_at, 'subsec') * 1000) AS INTEGER), stopped, spec_fingerprint
                    FROM devenv_instances""",
                    "DROP TABLE devenv_instances",
                    "ALTER TABLE devenv_instances_v4 RENAME TO devenv_instances", """
                    CREATE TABLE environments_v4 (
                        id                   TEXT PRIMARY KEY,
                        owner_key_id         TEXT NOT NULL,
                        project_id           TEXT NOT NULL,
                        environment_class_id TEXT NOT NULL,
                        pool_id              TEXT,
                        instance_name        TEXT,
                        warm                 INTEGER NOT NULL,
                        phase                TEXT NOT NULL,
                        failure_message      TEXT,
                        access_token_hash    TEXT,
                        created_at           INTEGER NOT NULL,
                        ready_at             INTEGER,
                        updated_at           INTEGER NOT NULL
                    )""", """
                    INSERT INTO environments_v4 (id, owner_key_id, project_id, environment_class_id, pool_id, instance_name, warm, phase,
                                                 failure_message, access_token_hash, created_at, ready_at, updated_at)
                    SELECT id, owner_key_id, project_id, environment_class_id, pool_id, instance_name, warm, phase,
                           failure_message, access_token_hash,
                           coalesce(CAST(round(unixepoch(created_at, 'subsec') * 1000) AS INTEGER), 0),
                           CAST(round(unixepoch(ready_at, 'subsec') * 1000) AS INTEGER),
                           coalesce(CAST(round(unixepoch(updated_at, 'subsec') * 1000) AS INTEGER), 0)
                    FROM environments""",
                    "DROP TABLE environments",
                    "ALTER TABLE environments_v4 RENAME TO environments",
                    "CREATE INDEX environments_by_pool_and_time ON environments (pool_id, created_at)"),
                    List.of(
                            "ALTER TABLE prebuilds " + toMillis("created_at", true) + ", " + toMillis("finished_at", false),
                            "ALTER TABLE warm_pools " + toMillis("created_at", true) + ", " + toMillis("updated_at", true),
                            "ALTER TABLE devenv_instances " + toMillis("created_at", true) + ", " + toMillis("ready_at", false),
                            "ALTER TABLE environments " + toMillis("created_at", true) + ", " + toMillis("ready_at", false) + ", "
                                    + toMillis("updated_at", true))),
            // The servers sharing this database (ServerRegistry): each marks itself alive every few seconds; one
            // whose mark stops changing is dead, and another removes its execution sandboxes and its row.
            // BIGINT: epoch milliseconds on both (SQLite gives the name INTEGER affinity).
            new Migration(5, """
                    CREATE TABLE servers (
                        instance_id TEXT PRIMARY KEY,
                        host        TEXT NOT NULL,
                        started_at  BIGINT NOT NULL,
                        last_seen   BIGINT NOT NULL
                    )""")
    );

    private static String apiKeys(String bytes) {
        return """
                CREATE TABLE api_keys (
                    id         TEXT PRIMARY KEY,
                    name       TEXT NOT NULL,
                    key_hash   %s NOT NULL UNIQUE,
                    role       TEXT NOT NULL CHECK (role IN ('admin', 'member')),
                    created_at TEXT NOT NULL
                )""".formatted(bytes);
    }

    /** PostgreSQL's migration 4 of one ISO-8601 text column: epoch milliseconds, 0 where NOT NULL had no time. */
    private static String toMillis(String column, boolean notNull) {
        String millis = "CAST(round(extract(epoch FROM CAST(" + column + " AS timestamptz)) * 1000) AS BIGINT)";
        return "ALTER COLUMN " + column + " TYPE BIGINT USING " + (notNull ? "coalesce(" + millis + ", 0)" : millis);
    }

    private Migrations() {}
}
