package dev.warmbox.routing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EnvironmentAccessTest {

    @Test
    void aNewTokenMatchesItsOwnHashOnly() {
        EnvironmentAccess.AccessToken first = EnvironmentAccess.newToken();
        EnvironmentAccess.AccessToken second = EnvironmentAccess.newToken();
        assertThat(first.token()).startsWith("wbe_").isNotEqualTo(second.token());
        assertThat(first.hash()).hasSize(64).isEqualTo(EnvironmentAccess.hash(first.token())).doesNotContain(first.token());
        assertThat(EnvironmentAccess.matches(first.token(), first.hash())).isTrue();
        assertThat(EnvironmentAccess.matches(second.token(), first.hash())).isFalse();
    }

    @Test
    void rejectsEmptyTokensAndMalformedHashes() {
        String hash = EnvironmentAccess.newToken().hash();
        assertThat(EnvironmentAccess.matches("", hash)).isFalse();
        assertThat(EnvironmentAccess.matches(null, hash)).isFalse();
        assertThat(EnvironmentAccess.matches("wbe_x", "not hex")).isFalse();
        assertThat(EnvironmentAccess.matches("wbe_x", null)).isFalse();
    }

    @Test
    void theLinkOpensTheEnvironmentPathWithTheTokenInTheQuery() {
        assertThat(EnvironmentAccess.link("env-1", "wbe_abc-_9")).isEqualTo("/environments/env-1/?token=wbe_abc-_9");
    }

    @Test
    void theTokenIsNotInToString() {
        EnvironmentAccess.AccessToken token = EnvironmentAccess.newToken();
        assertThat(token.toString()).doesNotContain(token.token());
    }
}
