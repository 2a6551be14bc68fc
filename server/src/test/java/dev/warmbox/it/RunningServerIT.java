package dev.warmbox.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The harness leaves nothing in the temporary directory, and a restart on the same state keeps it. */
class RunningServerIT {
    private static final Map<String, String> NO_POOLS = Map.of("WARM_POOL_SIZE_PER_RUNTIME", "0");

    @Test
    void closingDeletesTheStateDirectory() {
        Path state;
        try (RunningServer server = new RunningServer(NO_POOLS)) {
            state = server.stateDir;
            assertThat(state.resolve("warmbox.db")).as("the server's database is in its state directory").exists();
        }
        assertThat(state).as("deleted on close").doesNotExist();
    }

    @Test
    void aServerRestartedOnTheSameStateKeepsItAndDeletesItWhenItCloses() {
        RunningServer first = new RunningServer(NO_POOLS);
        String key = DevEnvFixture.key(first, "carol", "admin").get("key").asText();
        first.warmbox.close();
        Path state = first.stateDir;

        try (RunningServer second = first.restartedWith(NO_POOLS)) {
            assertThat(second.stateDir).isEqualTo(state);
            assertThat(second.instanceId).isEqualTo(first.instanceId);
            assertThat(second.get("/api/v1/warm-pool/status", key).statusCode())
                    .as("a key stored by the first server is read from the same database").isEqualTo(200);
            first.close();
            assertThat(state).as("the first server handed its state over; closing it leaves it").exists();
            assertThat(second.get("/api/v1/warm-pool/status", key).statusCode()).as("and the second still serves").isEqualTo(200);
        }
        assertThat(state).as("deleted when the server it was handed to closes").doesNotExist();
    }
}
