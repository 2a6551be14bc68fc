package dev.warmbox.store;

import java.util.List;

/** One step of the schema: its statements run in one transaction, and its version is recorded after. */
record Migration(int version, List<String> statements) {
    Migration {
        if (version < 1) throw new IllegalArgumentException("migration versions start at 1, got " + version);
        if (statements.isEmpty()) throw new IllegalArgumentException("migration " + version + " has no statements");
        statements = List.copyOf(statements);
    }

    Migration(int version, String... statements) {
        this(version, List.of(statements));
    }
}
