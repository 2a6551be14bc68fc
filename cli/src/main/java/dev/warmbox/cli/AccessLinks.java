package dev.warmbox.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;

/**
 * The access links of environments claimed with this CLI. The server shows a link's token only in the
 * claim's answer (it keeps only the token's hash), so {@code environments open} can print the link later
 * only if the claim kept it: in {@code $XDG_STATE_HOME/warmbox/access-links.json} (else
 * {@code ~/.local/state/...}), readable by the user alone, by server and environment id; removed when
 * the environment is deleted through the CLI. Failing to keep a link never fails the claim.
 */
final class AccessLinks {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;

    AccessLinks(Path file) {
        this.file = file;
    }

    static AccessLinks of(Map<String, String> env) {
        String state = env.get("XDG_STATE_HOME");
        Path dir = state != null && !state.isBlank() ? Path.of(state) : Path.of(env.getOrDefault("HOME", System.getProperty("user.home")), ".local", "state");
        return new AccessLinks(dir.resolve("warmbox").resolve("access-links.json"));
    }

    Optional<String> find(String server, String environmentId) {
        return Optional.ofNullable(read().get(key(server, environmentId))).map(n -> n.asText());
    }

    /** Keeps the link; says why on stderr through the returned text when it could not. */
    Optional<String> remember(String server, String environmentId, String link) {
        ObjectNode links = read();
        links.put(key(server, environmentId), link);
        return write(links);
    }

    void forget(String server, String environmentId) {
        ObjectNode links = read();
        if (links.remove(key(server, environmentId)) != null) write(links);
    }

    private static String key(String server, String environmentId) {
        return server + " " + environmentId;
    }

    private ObjectNode read() {
        try {
            if (Files.isRegularFile(file) && JSON.readTree(file.toFile()) instanceof ObjectNode links) return links;
        } catch (IOException unreadable) {
            // a damaged file holds no link worth failing for; it is rewritten at the next claim
        }
        return JSON.createObjectNode();
    }

    private Optional<String> write(ObjectNode links) {
        try {
            Files.createDirectories(file.getParent(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path temporary = Files.createTempFile(file.getParent(), "access-links", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            JSON.writeValue(temporary.toFile(), links);
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return Optional.empty();
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.of("could not keep the access link in " + file + " (" + e.getMessage() + "); copy it now, the server shows it only once");
        }
    }
}
