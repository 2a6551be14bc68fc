package dev.warmbox.devenv.instances;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class InFlightTest {
    private final InFlight inFlight = new InFlight();

    @Test
    void theFirstOfTwoOverlappingOperationsOnOneNameFinishingDoesNotUnmarkTheSecond() {
        InFlight.Operation reset = inFlight.begin("wb-dev-1");
        InFlight.Operation personalization = inFlight.begin("wb-dev-1");

        reset.close();

        assertThat(inFlight.contains("wb-dev-1")).as("the second operation still works on it").isTrue();
        assertThat(inFlight.names()).containsExactly("wb-dev-1");
        reset.close();
        assertThat(inFlight.contains("wb-dev-1")).as("closing a handle twice counts once").isTrue();
        personalization.close();
        assertThat(inFlight.contains("wb-dev-1")).as("no operation left").isFalse();
        assertThat(inFlight.names()).isEmpty();
    }

    @Test
    void claimsAreInFlightUntilEachClosesItsHandle() {
        InFlight.Operation first = inFlight.claim();
        InFlight.Operation second = inFlight.claim();

        first.close();
        first.close();

        assertThat(inFlight.claiming()).as("one claim is still between its transaction and its operation").isTrue();
        second.close();
        assertThat(inFlight.claiming()).isFalse();
    }
}
