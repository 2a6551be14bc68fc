package dev.warmbox.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.warmbox.MutableClock;
import dev.warmbox.config.WarmboxConfig;
import dev.warmbox.pool.Lease;
import dev.warmbox.pool.WarmPools;
import dev.warmbox.sandbox.FakeSandboxes;
import dev.warmbox.sandbox.Language;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class ExecutionServiceTest {
    private static final byte[] HELLO = "{\"language\":\"python\",\"code\":\"print(1)\"}".getBytes(StandardCharsets.UTF_8);

    @Test
    void aRequestNoSandboxReachesBeforeTheQueueTimeoutIsRefusedAsBusyWithRetryAfter() throws Exception {
        var config = WarmboxConfig.fromEnvironment(Map.of("WARM_POOL_SIZE_PER_RUNTIME", "1",
                "WARM_POOL_MAX_SIZE_PER_RUNTIME", "0", "WARM_POOL_QUEUE_TIMEOUT_MS", "200"));
        var sandboxes = new FakeSandboxes(new MutableClock(Instant.parse("2026-12-01T00:00:00Z")));
        try (WarmPools pools = new WarmPools(config.pools(), sandboxes, java.time.Clock.systemUTC())) {
            pools.start();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(pools::warm);
            var service = new ExecutionService(config.limits(), pools, sandboxes, (language, hit, elapsed) -> { });
            try (Lease held = pools.acquire(Language.PYTHON)) {
                sandboxes.launchGate = new CountDownLatch(1); // no fresh container comes either
                assertThatThrownBy(() -> service.execute(HELLO))
                        .isInstanceOfSatisfying(Rejection.class, r -> {
                            assertThat(r.kind()).as("429, like the concurrency cap").isEqualTo(Rejection.Kind.BUSY);
                            assertThat(r.code()).isEqualTo("too_many_requests");
                            assertThat(r.retryAfter()).isEqualTo(Duration.ofSeconds(1));
                        })
                        .hasMessageContaining("no python sandbox became free within 200 ms");
                sandboxes.launchGate.countDown();
            }
            assertThat(service.execute(HELLO).stdout()).as("the server keeps serving").isEqualTo("1\n");
        }
    }
}
