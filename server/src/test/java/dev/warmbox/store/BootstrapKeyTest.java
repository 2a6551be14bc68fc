package dev.warmbox.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

class BootstrapKeyTest {
    private TestDatabase storage;
    private Database database;

    @BeforeEach
    void open(TestDatabase storage) {
        this.storage = storage;
        database = storage.open();
    }

    @AfterEach
    void close() {
        database.close();
    }

    @OnEachDatabase
    void bootstrapKeyFromEnvironmentIsStoredOnce() {
        Optional<String> environment = Optional.of("wb_from-the-environment");
        assertThat(BootstrapKey.ensure(new ApiKeys(database), environment))
                .as("nothing to print: the operator already knows the key").isEmpty();
        restart();
        assertThat(BootstrapKey.ensure(new ApiKeys(database), environment)).isEmpty();

        ApiKeys keys = new ApiKeys(database);
        assertThat(keys.list()).as("one key after two starts with the same environment")
                .singleElement()
                .satisfies(key -> assertThat(key.name()).isEqualTo("bootstrap"))
                .satisfies(key -> assertThat(key.role()).isEqualTo(Role.ADMIN));
        assertThat(keys.authenticate("wb_from-the-environment")).as("the environment key works").isPresent();
    }

    @OnEachDatabase
    void generatesAndStoresAKeyOnFirstStartOnly() {
        Optional<String> generated = BootstrapKey.ensure(new ApiKeys(database), Optional.empty());
        assertThat(generated).as("the first start generates a key to print").isPresent();
        restart();

        ApiKeys keys = new ApiKeys(database);
        assertThat(BootstrapKey.ensure(keys, Optional.empty())).as("later starts generate nothing").isEmpty();
        assertThat(keys.authenticate(generated.orElseThrow())).as("the generated key is an admin key")
                .map(Principal::role).contains(Role.ADMIN);
        assertThat(keys.list()).as("still exactly one key").hasSize(1);
    }

    @OnEachDatabase
    void anEnvironmentKeyAddedLaterIsStoredAlongsideTheGeneratedOne() {
        String generated = BootstrapKey.ensure(new ApiKeys(database), Optional.empty()).orElseThrow();
        ApiKeys keys = new ApiKeys(database);
        assertThat(BootstrapKey.ensure(keys, Optional.of("wb_set-afterwards"))).isEmpty();
        assertThat(keys.authenticate("wb_set-afterwards")).as("the new environment key works").isPresent();
        assertThat(keys.authenticate(generated)).as("the generated key keeps working").isPresent();
    }

    @OnEachDatabase
    void aBlankEnvironmentValueCountsAsNone() {
        assertThat(BootstrapKey.ensure(new ApiKeys(database), Optional.of("  ")))
                .as("an empty variable must not become a key; a real one is generated instead").isPresent();
    }

    private void restart() {
        database.close();
        database = storage.open();
    }
}
