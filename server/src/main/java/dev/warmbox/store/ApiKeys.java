package dev.warmbox.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;

/**
 * API keys, stored only as SHA-256 hashes. A fast unsalted hash is right here: generated keys carry
 * 256 random bits, so there is nothing to brute-force and a salt or slow hash would only cost time
 * on every request. Authentication reads an in-memory snapshot that every write replaces.
 */
public final class ApiKeys {
    static final String PREFIX = "wb_";
    private static final int KEY_BYTES = 32;

    private final Database database;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    /** Serialises write-then-reload, so an older snapshot never replaces a newer one. */
    private final ReentrantLock writes = new ReentrantLock();
    private volatile List<StoredKey> snapshot;

    public ApiKeys(Database database) {
        this(database, Clock.systemUTC());
    }

    ApiKeys(Database database, Clock clock) {
        this.database = database;
        this.clock = clock;
        this.snapshot = database.withConnection(ApiKeys::load);
    }

    /**
     * The principal whose key this is, or empty. Every stored hash is compared in constant time and
     * the loop never stops early, so the time taken does not depend on which key, if any, matched.
     */
    public Optional<Principal> authenticate(String presentedKey) {
        if (presentedKey == null || presentedKey.isBlank()) return Optional.empty();
        byte[] presented = hash(presentedKey);
        StoredKey match = null;
        for (StoredKey key : snapshot) {
            if (MessageDigest.isEqual(key.hash(), presented)) match = key;
        }
        return Optional.ofNullable(match).map(k -> new Principal(k.id(), k.name(), k.role()));
    }

    /** Creates a key and returns its plaintext, which is not kept and cannot be shown again. */
    public String create(String name, Role role) {
        String checkedName = checkedName(name);
        Objects.requireNonNull(role, "role");
        byte[] secret = new byte[KEY_BYTES];
        random.nextBytes(secret);
        String key = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        write(connection -> insert(connection, key, checkedName, role));
        return key;
    }

    /** Stores a key chosen elsewhere (the bootstrap key) unless it is already stored; safe to repeat. */
    public void ensure(String plaintextKey, String name, Role role) {
        if (plaintextKey == null || plaintextKey.isBlank()) throw new IllegalArgumentException("the API key is blank");
        String checkedName = checkedName(name);
        Objects.requireNonNull(role, "role");
        write(connection -> insert(connection, plaintextKey, checkedName, role));
    }

    public boolean isEmpty() {
        return snapshot.isEmpty();
    }

    public List<KeyInfo> list() {
        return database.withConnection(connection -> {
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT id, name, role, created_at FROM api_keys");
                    ResultSet rows = select.executeQuery()) {
                List<KeyInfo> keys = new ArrayList<>();
                while (rows.next()) {
                    keys.add(new KeyInfo(rows.getString(1), rows.getString(2), Role.fromColumn(rows.getString(3)),
                            Instant.parse(rows.getString(4))));
                }
                // Sorted here: ISO-8601 text with varying fractional digits does not sort as time.
                keys.sort(Comparator.comparing(KeyInfo::createdAt).thenComparing(KeyInfo::id));
                return keys;
            }
        });
    }

    /** Deletes the key; false if there was no key with this id. It stops authenticating at once. */
    public boolean revoke(String id) {
        return write(connection -> {
            try (PreparedStatement delete = connection.prepareStatement("DELETE FROM api_keys WHERE id = ?")) {
                delete.setString(1, id);
                return delete.executeUpdate() > 0;
            }
        });
    }

    private <T> T write(Database.Work<T> change) {
        writes.lock();
        try {
            // The snapshot is replaced only after the commit: a transaction run again after a lost race
            // (PostgreSQL) must not leave the keys of an attempt that was rolled back.
            Written<T> written = database.inTransaction(connection -> new Written<>(change.run(connection), load(connection)));
            snapshot = written.keys();
            return written.result();
        } finally {
            writes.unlock();
        }
    }

    /** Inserts the key unless its hash is already stored; true if it was inserted. */
    private boolean insert(Connection connection, String plaintextKey, String name, Role role) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("""
                INSERT INTO api_keys (id, name, key_hash, role, created_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (key_hash) DO NOTHING""")) {
            insert.setString(1, UUID.randomUUID().toString());
            insert.setString(2, name);
            insert.setBytes(3, hash(plaintextKey));
            insert.setString(4, role.column());
            insert.setString(5, Instant.now(clock).toString());
            return insert.executeUpdate() > 0;
        }
    }

    private static String checkedName(String name) {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("a key needs a name");
        return name.strip();
    }

    private static List<StoredKey> load(Connection connection) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT id, name, key_hash, role FROM api_keys");
                ResultSet rows = select.executeQuery()) {
            List<StoredKey> keys = new ArrayList<>();
            while (rows.next()) {
                keys.add(new StoredKey(rows.getString(1), rows.getString(2), rows.getBytes(3),
                        Role.fromColumn(rows.getString(4))));
            }
            return List.copyOf(keys);
        }
    }

    static byte[] hash(String plaintextKey) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(plaintextKey.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private record Written<T>(T result, List<StoredKey> keys) {}

    private record StoredKey(String id, String name, byte[] hash, Role role) {}
}
