package dev.warmbox.store;

import java.util.List;

/**
 * The schema, oldest first. To change it, append a migration with the next version; never edit one
 * that has shipped, because databases that already applied it will not run it again.
 */
final class Migrations {
    static final List<Migration> ALL = List.of(
            new Migration(1, """
                    CREATE TABLE api_keys (
                        id         TEXT PRIMARY KEY,
                        name       TEXT NOT NULL,
                        key_hash   BLOB NOT NULL UNIQUE,
                        role       TEXT NOT NULL CHECK (role IN ('admin', 'member')),
                        created_at TEXT NOT NULL
                    )""")
    );

    private Migrations() {}
}
