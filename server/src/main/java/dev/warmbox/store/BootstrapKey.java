package dev.warmbox.store;

import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Makes sure someone can log in after the first start. */
public final class BootstrapKey {
    static final String NAME = "bootstrap";
    private static final Logger log = LoggerFactory.getLogger(BootstrapKey.class);

    private BootstrapKey() {}

    /**
     * Stores the key from the environment as an admin key, if one is given. Otherwise, if no key
     * exists at all, creates an admin key and returns it so the caller can show it once; its
     * plaintext is not kept anywhere. Otherwise does nothing and returns empty.
     */
    public static Optional<String> ensure(ApiKeys keys, Optional<String> fromEnvironment) {
        Optional<String> given = fromEnvironment.filter(key -> !key.isBlank());
        if (given.isPresent()) {
            keys.ensure(given.get(), NAME, Role.ADMIN);
            return Optional.empty();
        }
        if (!keys.isEmpty()) return Optional.empty();
        log.info("no API key exists yet; generating an admin key");
        return Optional.of(keys.create(NAME, Role.ADMIN));
    }
}
