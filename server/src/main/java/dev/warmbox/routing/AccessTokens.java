package dev.warmbox.routing;

import java.util.Optional;

/**
 * The hash of each environment's access token, for browsers, which open an environment through its
 * access link instead of sending an API key. Implemented by the dev-environment store next to
 * {@link Routes}; must be cheap (called per proxied request that carries no API key).
 */
public interface AccessTokens {
    /**
     * {@link EnvironmentAccess#hash} of the environment's current token, or empty when it has none
     * (then no link and no cookie opens it). A new claim must store a new token, so that links and
     * cookies of an earlier owner stop working at once.
     */
    Optional<String> tokenHash(String environmentId);
}
