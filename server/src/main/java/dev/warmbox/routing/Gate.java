package dev.warmbox.routing;

import dev.warmbox.store.PresentedKey;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Decides who gets into an environment: only its owner, by API key or by the environment's access
 * token (from the link or the cookie the link set), and only once its route is active. Pure logic,
 * so it is tested without HTTP.
 */
final class Gate {
    static final Duration NOT_READY_RETRY = Duration.ofSeconds(1);

    private final Routes routes;
    private final AccessTokens tokens;
    private final Function<String, Optional<String>> keyIdOfApiKey;

    /** @param keyIdOfApiKey the id of the key a presented API key is, or empty when it is no key */
    Gate(Routes routes, AccessTokens tokens, Function<String, Optional<String>> keyIdOfApiKey) {
        this.routes = routes;
        this.tokens = tokens;
        this.keyIdOfApiKey = keyIdOfApiKey;
    }

    /**
     * @param key           the API key from X-API-Key or Authorization: Bearer. An Authorization header of
     *                      another scheme is not the gate's: it may be the IDE's own, so the link or the cookie
     *                      decide, and without them the 401 names the accepted forms
     * @param linkToken     the token query parameter, or null
     * @param cookieTokens  the values of every access cookie the request carries
     */
    Verdict check(String environmentId, PresentedKey key, String linkToken, List<String> cookieTokens) {
        Optional<Route> found = routes.find(environmentId);
        if (found.isEmpty()) return new Verdict.Refusal(404, "not_found", "no environment " + environmentId);
        Route route = found.get();
        if (key instanceof PresentedKey.Key presented) return byApiKey(route, presented.value());
        if (key instanceof PresentedKey.Malformed malformed) return new Verdict.Refusal(401, "unauthorized", malformed.message());
        if (linkToken != null) {
            return tokenMatches(environmentId, linkToken)
                    ? new Verdict.Exchange(route, linkToken)
                    : new Verdict.Refusal(401, "unauthorized", "this access link is not valid (any more) for environment " + environmentId);
        }
        if (cookieTokens.isEmpty()) {
            return new Verdict.Refusal(401, "unauthorized",
                    "open the environment's access link, or " + PresentedKey.ACCEPTED_FORMS);
        }
        for (String token : cookieTokens) {
            if (tokenMatches(environmentId, token)) return whenActive(route);
        }
        return new Verdict.Refusal(401, "unauthorized",
                "your access to environment " + environmentId + " has ended; open its current access link");
    }

    private Verdict byApiKey(Route route, String apiKey) {
        Optional<String> keyId = keyIdOfApiKey.apply(apiKey);
        if (keyId.isEmpty()) return new Verdict.Refusal(401, "unauthorized", "the API key is not valid");
        if (!keyId.get().equals(route.ownerKeyId())) {
            return new Verdict.Refusal(403, "forbidden", "environment " + route.environmentId() + " belongs to another key");
        }
        return whenActive(route);
    }

    private boolean tokenMatches(String environmentId, String token) {
        return tokens.tokenHash(environmentId).map(hash -> EnvironmentAccess.matches(token, hash)).orElse(false);
    }

    private static Verdict whenActive(Route route) {
        if (route.active()) return new Verdict.Pass(route);
        return new Verdict.Refusal(503, "not_ready",
                "environment " + route.environmentId() + " is still being prepared for you; try again in a moment", NOT_READY_RETRY);
    }
}
