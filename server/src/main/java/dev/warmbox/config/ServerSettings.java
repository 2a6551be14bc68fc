package dev.warmbox.config;

import java.time.Duration;

/**
 * How the servers sharing a database tell each other they are alive (docs/configuration.md#several-servers).
 *
 * @param heartbeatInterval how often a server marks itself alive in the {@code servers} table, and how often
 *                          each server looks there for servers that stopped doing so
 * @param deadAfter         a server whose mark has not changed for this long is dead: one of the others removes
 *                          its execution sandboxes and its row
 */
public record ServerSettings(Duration heartbeatInterval, Duration deadAfter) {
    public static final ServerSettings DEFAULTS = new ServerSettings(Duration.ofSeconds(5), Duration.ofSeconds(30));

    public ServerSettings {
        // A server late by one beat or two (a pause, a slow database) must not be taken for dead.
        if (deadAfter.compareTo(heartbeatInterval.multipliedBy(3)) < 0) {
            throw new ConfigException("WARMBOX_SERVER_DEAD_AFTER (" + deadAfter.toSeconds() + " s) must be at least three "
                    + "WARMBOX_SERVER_HEARTBEAT_INTERVALs (" + heartbeatInterval.toSeconds() + " s), so that a late heartbeat is not a death");
        }
    }

    static ServerSettings from(Variables v) {
        return new ServerSettings(
                v.seconds("WARMBOX_SERVER_HEARTBEAT_INTERVAL", 5, 1, 300),
                v.seconds("WARMBOX_SERVER_DEAD_AFTER", 30, 3, 3600));
    }
}
