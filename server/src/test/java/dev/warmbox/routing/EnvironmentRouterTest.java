package dev.warmbox.routing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EnvironmentRouterTest {

    @Test
    void removesOnlyTheAccessCookieFromWhatTheIdeSees() {
        assertThat(EnvironmentRouter.withoutAccessCookie("a=1; warmbox_access=wbe_x; b=2")).isEqualTo("a=1; b=2");
        assertThat(EnvironmentRouter.withoutAccessCookie("warmbox_access=wbe_x")).isEmpty();
        assertThat(EnvironmentRouter.withoutAccessCookie("warmbox_access_other=1")).isEqualTo("warmbox_access_other=1");
    }

    @Test
    void keepsTheQueryButNeverTheToken() {
        assertThat(EnvironmentRouter.queryWithoutToken(null)).isEmpty();
        assertThat(EnvironmentRouter.queryWithoutToken("token=wbe_x")).isEmpty();
        assertThat(EnvironmentRouter.queryWithoutToken("a=1&token=wbe_x&b=%20&token")).isEqualTo("?a=1&b=%20");
        assertThat(EnvironmentRouter.queryWithoutToken("tokens=1&xtoken=2")).isEqualTo("?tokens=1&xtoken=2");
    }
}
