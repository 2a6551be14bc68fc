package dev.warmbox.store;

import java.util.List;

/**
 * One step of the schema: its statements run in one transaction, and its version is recorded after.
 * Most are written once for both databases; where SQLite and PostgreSQL cannot share the SQL (a type
 * name, a table copied because SQLite cannot change a column's type) each has its own statements.
 */
record Migration(int version, List<String> sqlite, List<String> postgresql) {
    Migration {
        if (version < 1) throw new IllegalArgumentException("migration versions start at 1, got " + version);
        if (sqlite.isEmpty() || postgresql.isEmpty()) throw new IllegalArgumentException("migration " + version + " has no statements");
        sqlite = List.copyOf(sqlite);
        postgresql = List.copyOf(postgresql);
    }

    /** The same statements on both databases. */
    Migration(int version, String... statements) {
        this(version, List.of(statements), List.of(statements));
    }

    List<String> statements(Backend.Dialect dialect) {
        return switch (dialect) {
            case SQLITE -> sqlite;
            case POSTGRESQL -> postgresql;
        };
    }
}
