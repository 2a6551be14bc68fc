package dev.warmbox.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.warmbox.store.PresentedKey;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GateTest {
    private static final URI IDE = URI.create("http://172.17.0.9:7681");
    private final EnvironmentAccess.AccessToken token = EnvironmentAccess.newToken();
    private final Map<String, Route> routes = new java.util.HashMap<>(Map.of(
            "env-a", new Route("env-a", "key-owner", IDE, true),
            "env-warming", new Route("env-warming", "key-owner", IDE, false),
            "env-pooled", new Route("env-pooled", null, IDE, true)));
    private final Map<String, String> tokenHashes = Map.of("env-a", token.hash(), "env-warming", token.hash());
    private final Map<String, String> keys = Map.of("wb_owner", "key-owner", "wb_other", "key-other");
    private final Gate gate = new Gate(id -> Optional.ofNullable(routes.get(id)), id -> Optional.ofNullable(tokenHashes.get(id)),
            key -> Optional.ofNullable(keys.get(key)));

    private Verdict check(String environmentId, String apiKey, String linkToken, List<String> cookieTokens) {
        return gate.check(environmentId, PresentedKey.from(apiKey, null), linkToken, cookieTokens);
    }

    @Test
    void letsTheOwnerInByApiKey() {
        assertThat(check("env-a", "wb_owner", null, List.of())).isEqualTo(new Verdict.Pass(routes.get("env-a")));
    }

    @Test
    void refusesAnotherKeyWith403AndAnUnknownKeyWith401() {
        assertThat(check("env-a", "wb_other", null, List.of())).isInstanceOfSatisfying(Verdict.Refusal.class,
                r -> assertThat(r.status()).as("a valid key of someone else").isEqualTo(403));
        assertThat(check("env-a", "wb_nobody", null, List.of())).isInstanceOfSatisfying(Verdict.Refusal.class,
                r -> assertThat(r.status()).as("not a key at all").isEqualTo(401));
    }

    @Test
    void refusesWithoutCredentialsWith401() {
        assertThat(check("env-a", null, null, List.of())).isInstanceOfSatisfying(Verdict.Refusal.class,
                r -> assertThat(r.status()).isEqualTo(401));
        assertThat(check("env-a", "  ", null, List.of())).isInstanceOfSatisfying(Verdict.Refusal.class,
                r -> assertThat(r.status()).as("a blank key is no key").isEqualTo(401));
    }

    @Test
    void answers404ForAnUnknownEnvironmentWhoeverAsks() {
        assertThat(check("env-missing", "wb_owner", null, List.of())).isInstanceOfSatisfying(Verdict.Refusal.class,
                r -> assertThat(r.status()).isEqualTo(404));
    }

    @Test
    void exchangesAValidLinkTokenForTheCookieAndRefusesAWrongOne() {
        assertThat(check("env-a", null, token.token(), List.of())).isEqualTo(new Verdict.Exchange(routes.get("env-a"), token.token()));
        assertThat(check("env-a", null, EnvironmentAccess.newToken().token(), List.of())).isInstanceOfSatisfying(Verdict.Refusal.class,
                r -> assertThat(r.status()).isEqualTo(401));
    }

    @Test
    void letsTheCookieInWhenAnyAccessCookieMatches() {
        String stale = EnvironmentAccess.newToken().token();
        assertThat(check("env-a", null, null, List.of(stale, token.token()))).isInstanceOf(Verdict.Pass.class);
        assertThat(check("env-a", null, null, List.of(stale))).isInstanceOfSatisfying(Verdict.Refusal.class,
                r -> assertThat(r.status()).as("a cookie from an earlier claim").isEqualTo(401));
    }

    @Test
    void aTokenOfOneEnvironmentDoesNotOpenAnother() {
        addOwnedEnvironmentWithoutToken("env-b");
        assertThat(check("env-b", null, null, List.of(token.token()))).isInstanceOfSatisfying(Verdict.Refusal.class,
                r -> assertThat(r.status()).isEqualTo(401));
    }

    @Test
    void anEnvironmentWithoutOwnerOrTokenLetsNobodyIn() {
        assertThat(check("env-pooled", "wb_owner", null, List.of())).isInstanceOfSatisfying(Verdict.Refusal.class,
                r -> assertThat(r.status()).isEqualTo(403));
        assertThat(check("env-pooled", null, token.token(), List.of())).isInstanceOfSatisfying(Verdict.Refusal.class,
                r -> assertThat(r.status()).isEqualTo(401));
    }

    @Test
    void answers503WithRetryAfterUntilTheRouteIsActiveButOnlyToTheOwner() {
        assertThat(check("env-warming", "wb_owner", null, List.of())).isInstanceOfSatisfying(Verdict.Refusal.class, r -> {
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.retryAfter()).isEqualTo(Duration.ofSeconds(1));
        });
        assertThat(check("env-warming", null, null, List.of(token.token()))).isInstanceOfSatisfying(Verdict.Refusal.class,
                r -> assertThat(r.status()).isEqualTo(503));
        assertThat(check("env-warming", "wb_other", null, List.of())).isInstanceOfSatisfying(Verdict.Refusal.class,
                r -> assertThat(r.status()).as("a stranger learns nothing about the state").isEqualTo(403));
    }

    @Test
    void takesTheKeyFromAuthorizationBearerAlike() {
        assertThat(gate.check("env-a", PresentedKey.from(null, "Bearer wb_owner"), null, List.of())).isInstanceOf(Verdict.Pass.class);
        assertThat(gate.check("env-a", PresentedKey.from(null, "Bearer wb_other"), null, List.of())).isInstanceOfSatisfying(Verdict.Refusal.class,
                r -> assertThat(r.status()).isEqualTo(403));
        assertThat(gate.check("env-a", PresentedKey.from(null, "Bearer wb_nobody"), null, List.of(token.token())))
                .as("a wrong key is refused even beside a good cookie, as with X-API-Key")
                .isInstanceOfSatisfying(Verdict.Refusal.class, r -> assertThat(r.status()).isEqualTo(401));
    }

    @Test
    void refusesTwoDifferentKeysEvenWhenOneIsTheOwners() {
        assertThat(gate.check("env-a", PresentedKey.from("wb_owner", "Bearer wb_other"), null, List.of(token.token())))
                .isInstanceOfSatisfying(Verdict.Refusal.class, r -> {
                    assertThat(r.status()).isEqualTo(401);
                    assertThat(r.message()).contains("two different API keys");
                });
    }

    @Test
    void leavesAnotherAuthorizationSchemeToTheIdeAndLetsTheCookieDecide() {
        PresentedKey basic = PresentedKey.from(null, "Basic dXNlcjpwYXNz");
        assertThat(gate.check("env-a", basic, null, List.of(token.token()))).isInstanceOf(Verdict.Pass.class);
        assertThat(gate.check("env-a", basic, null, List.of())).isInstanceOfSatisfying(Verdict.Refusal.class, r -> {
            assertThat(r.status()).isEqualTo(401);
            assertThat(r.message()).contains("Authorization: Bearer <key>").contains("X-API-Key");
        });
    }

    private void addOwnedEnvironmentWithoutToken(String environmentId) {
        routes.put(environmentId, new Route(environmentId, "key-owner", IDE, true));
    }
}
