package dev.warmbox.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

class ApiKeysTest {
    private static final Instant NOW = Instant.parse("2025-01-02T03:04:05Z");

    private TestDatabase storage;
    private Database database;
    private ApiKeys keys;

    @BeforeEach
    void open(TestDatabase storage) {
        this.storage = storage;
        database = storage.open();
        keys = new ApiKeys(database, Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @AfterEach
    void close() {
        database.close();
    }

    @OnEachDatabase
    void authenticatesOnlyTheExactKey() {
        String admin = keys.create("ops", Role.ADMIN);
        String member = keys.create("ci", Role.MEMBER);

        assertThat(keys.authenticate(admin)).as("the admin key authenticates as the admin")
                .map(Principal::name).contains("ops");
        assertThat(keys.authenticate(admin)).map(Principal::role).contains(Role.ADMIN);
        assertThat(keys.authenticate(member)).as("the member key authenticates as the member")
                .map(Principal::role).contains(Role.MEMBER);
        assertThat(keys.authenticate(admin.substring(0, admin.length() - 1))).as("a prefix is not the key").isEmpty();
        assertThat(keys.authenticate(admin + "x")).as("a longer string is not the key").isEmpty();
        assertThat(keys.authenticate(admin.toUpperCase())).as("keys are case-sensitive").isEmpty();
        assertThat(keys.authenticate(" " + admin)).as("surrounding space is not trimmed").isEmpty();
        assertThat(keys.authenticate("wb_nonsense")).as("an unknown key").isEmpty();
    }

    @OnEachDatabase
    void nullOrBlankKeysDoNotAuthenticate() {
        keys.create("ops", Role.ADMIN);
        assertThat(keys.authenticate(null)).as("no key").isEmpty();
        assertThat(keys.authenticate("")).as("an empty key").isEmpty();
        assertThat(keys.authenticate("   ")).as("a blank key").isEmpty();
    }

    @OnEachDatabase
    void generatedKeysAreRandomPrefixedAndUrlSafe() {
        String first = keys.create("a", Role.MEMBER);
        String second = keys.create("b", Role.MEMBER);
        assertThat(first).as("prefix, then 32 bytes as unpadded base64url (43 characters)")
                .matches("wb_[A-Za-z0-9_-]{43}");
        assertThat(second).as("every key is fresh").isNotEqualTo(first);
    }

    @OnEachDatabase
    void storesOnlyTheHashNeverThePlaintext() throws Exception {
        String key = keys.create("ops", Role.ADMIN);
        List<String> row = database.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT * FROM api_keys");
                    ResultSet rows = select.executeQuery()) {
                List<String> columns = new ArrayList<>();
                assertThat(rows.next()).as("one key stored").isTrue();
                for (int i = 1; i <= rows.getMetaData().getColumnCount(); i++) {
                    Object value = rows.getObject(i);
                    columns.add(value instanceof byte[] bytes ? new String(bytes, StandardCharsets.ISO_8859_1) : String.valueOf(value));
                }
                return columns;
            }
        });
        byte[] storedHash = database.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT key_hash FROM api_keys");
                    ResultSet rows = select.executeQuery()) {
                rows.next();
                return rows.getBytes(1);
            }
        });

        String secretPart = key.substring(ApiKeys.PREFIX.length());
        assertThat(String.join("|", row)).as("no column holds the key or its secret part")
                .doesNotContain(key).doesNotContain(secretPart);
        assertThat(HexFormat.of().formatHex(storedHash)).as("the stored value is the key's SHA-256")
                .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                        .digest(key.getBytes(StandardCharsets.UTF_8))));
    }

    @OnEachDatabase
    void keysSurviveReopeningTheDatabase() {
        String key = keys.create("ops", Role.ADMIN);
        database.close();

        database = storage.open();
        ApiKeys reopened = new ApiKeys(database);
        assertThat(reopened.authenticate(key)).as("a key created before the restart still works")
                .map(Principal::name).contains("ops");
    }

    @OnEachDatabase
    void revokedKeyNoLongerAuthenticates() {
        String revoked = keys.create("leaked", Role.MEMBER);
        String kept = keys.create("kept", Role.MEMBER);
        String id = keys.authenticate(revoked).orElseThrow().keyId();

        assertThat(keys.revoke(id)).as("the key existed").isTrue();
        assertThat(keys.authenticate(revoked)).as("revocation takes effect at once").isEmpty();
        assertThat(keys.authenticate(kept)).as("other keys are untouched").isPresent();
        assertThat(keys.revoke(id)).as("revoking twice finds nothing the second time").isFalse();
        assertThat(new ApiKeys(database).authenticate(revoked)).as("the revocation is in the database").isEmpty();
    }

    @OnEachDatabase
    void ensureStoresAGivenKeyOnlyOnce() {
        keys.ensure("wb_chosen-by-the-operator", "bootstrap", Role.ADMIN);
        keys.ensure("wb_chosen-by-the-operator", "bootstrap", Role.ADMIN);

        assertThat(keys.list()).as("the second call found the hash and stored nothing").hasSize(1);
        assertThat(keys.authenticate("wb_chosen-by-the-operator")).map(Principal::role).contains(Role.ADMIN);
    }

    @OnEachDatabase
    void listShowsEveryKeyWithoutItsSecret() {
        String key = keys.create("ops", Role.ADMIN);
        keys.create("ci", Role.MEMBER);
        String opsId = keys.authenticate(key).orElseThrow().keyId();

        assertThat(keys.list()).as("id, name, role and creation time of each key")
                .contains(new KeyInfo(opsId, "ops", Role.ADMIN, NOW))
                .extracting(KeyInfo::name).containsExactlyInAnyOrder("ops", "ci");
        assertThat(keys.isEmpty()).isFalse();
    }

    @OnEachDatabase
    void authenticatesFromMemoryWithoutReadingTheDatabase() {
        String key = keys.create("ops", Role.ADMIN);
        database.close();
        assertThat(keys.authenticate(key)).as("authentication uses the snapshot taken at the last write")
                .map(Principal::name).contains("ops");
    }

    @OnEachDatabase
    void rejectsKeysWithoutANameOrBlankKeys() {
        assertThatThrownBy(() -> keys.create(" ", Role.ADMIN)).as("a key needs a name")
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> keys.ensure("", "bootstrap", Role.ADMIN)).as("a blank key would match nothing useful")
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(keys.isEmpty()).as("nothing was stored").isTrue();
        assertThat(keys.authenticate("anything")).isEqualTo(Optional.empty());
    }
}
