package dev.warmbox.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PresentedKeyTest {

    @Test
    void takesTheKeyFromEitherHeader() {
        assertThat(PresentedKey.from("wb_a", null)).isEqualTo(new PresentedKey.Key("wb_a"));
        assertThat(PresentedKey.from(null, "Bearer wb_a")).isEqualTo(new PresentedKey.Key("wb_a"));
        assertThat(PresentedKey.from(null, "bearer   wb_a ")).as("the scheme is case-insensitive (RFC 7235)").isEqualTo(new PresentedKey.Key("wb_a"));
        assertThat(PresentedKey.from("wb_a", "Bearer wb_a")).as("both headers with the same key").isEqualTo(new PresentedKey.Key("wb_a"));
    }

    @Test
    void refusesTwoDifferentKeysAsAmbiguous() {
        assertThat(PresentedKey.from("wb_a", "Bearer wb_b")).isInstanceOfSatisfying(PresentedKey.Malformed.class,
                m -> assertThat(m.message()).contains("two different API keys"));
    }

    @Test
    void refusesABearerHeaderWithoutExactlyOneKey() {
        assertThat(PresentedKey.from(null, "Bearer")).isInstanceOf(PresentedKey.Malformed.class);
        assertThat(PresentedKey.from(null, "Bearer   ")).isInstanceOf(PresentedKey.Malformed.class);
        assertThat(PresentedKey.from(null, "Bearer wb_a wb_b")).isInstanceOf(PresentedKey.Malformed.class);
        assertThat(PresentedKey.from("wb_a", "Bearer")).as("an empty Bearer is not silently dropped").isInstanceOf(PresentedKey.Malformed.class);
    }

    @Test
    void anotherSchemeIsRefusedAloneAndIgnoredBesideXApiKey() {
        assertThat(PresentedKey.from(null, "Basic dXNlcjpwYXNz")).isInstanceOfSatisfying(PresentedKey.OtherScheme.class, other -> {
            assertThat(other.scheme()).isEqualTo("Basic");
            assertThat(other.message()).contains("Authorization: Bearer <key>").contains("X-API-Key");
        });
        assertThat(PresentedKey.from(null, "wb_a")).as("a bare key is no scheme we know").isInstanceOf(PresentedKey.OtherScheme.class);
        assertThat(PresentedKey.from(null, "Bearerwb_a")).isInstanceOf(PresentedKey.OtherScheme.class);
        assertThat(PresentedKey.from("wb_a", "Basic dXNlcjpwYXNz")).as("a proxy's own Basic header in front of warmbox")
                .isEqualTo(new PresentedKey.Key("wb_a"));
    }

    @Test
    void blankHeadersAreNoHeaders() {
        assertThat(PresentedKey.from(null, null)).isInstanceOf(PresentedKey.Missing.class);
        assertThat(PresentedKey.from(" ", "  ")).isInstanceOf(PresentedKey.Missing.class);
        assertThat(PresentedKey.from(" ", "Bearer wb_a")).isEqualTo(new PresentedKey.Key("wb_a"));
    }

    @Test
    void neverPrintsTheKey() {
        assertThat(PresentedKey.from("wb_secret", null).toString()).doesNotContain("wb_secret");
    }

    @Test
    void tellsBearerHeadersFromOthers() {
        assertThat(PresentedKey.isBearer("Bearer wb_a")).isTrue();
        assertThat(PresentedKey.isBearer("BEARER wb_a")).isTrue();
        assertThat(PresentedKey.isBearer("Bearer")).isTrue();
        assertThat(PresentedKey.isBearer("Basic x")).isFalse();
        assertThat(PresentedKey.isBearer("Bearerx")).isFalse();
        assertThat(PresentedKey.isBearer(null)).isFalse();
    }

    @Test
    void challengesWithBearerAndTheRfc6750Error() {
        assertThat(PresentedKey.challenge(null)).isEqualTo("Bearer realm=\"warmbox\"");
        assertThat(PresentedKey.challenge("invalid_token")).isEqualTo("Bearer realm=\"warmbox\", error=\"invalid_token\"");
    }
}
