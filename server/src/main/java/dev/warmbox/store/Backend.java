package dev.warmbox.store;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/** What differs between the two databases behind {@link Database}: how it is reached, how a write transaction starts, what a failure means. */
sealed interface Backend permits SqliteFile, PostgresServer {
    /** Checked before anything is opened, so an operator's mistake fails with a sentence of ours. */
    void checkUsable();

    DataSource dataSource();

    int poolSize();

    /** Names the database in messages: "the database file /x" or "the PostgreSQL database h:5432/warmbox". */
    String where();

    /** What went wrong, in words for an operator rather than the driver's codes. */
    String reason(Throwable failure);

    /** The statement that opens a write transaction. */
    String begin();

    /** A transaction that lost a race with another (PostgreSQL's serialization failure or deadlock): run it again. */
    boolean lostRace(Throwable failure);

    /** Held while migrating, so two servers starting on one database apply each migration once. */
    void lockMigrations(Connection connection) throws SQLException;

    void unlockMigrations(Connection connection) throws SQLException;

    /** Which of the two; statements that cannot be written for both pick by it. */
    Dialect dialect();

    enum Dialect { SQLITE, POSTGRESQL }
}
