package dev.warmbox.devenv.claims;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The development-environment meters, under the seed's names: claims by result (instance_not_found
 * is a miss, a cold start), the age of claimed instances, instances by state, pools by phase, and claim-to-ready by
 * warm or cold start. Instance counts are read live from the store at scrape time.
 */
public final class DevEnvMetrics implements MeterBinder {
    static final List<String> STATES = List.of("running", "starting", "claimed", "resetting", "stopped");
    /** Pool phases as labels: the stored phase without its {@code WARM_POOL_PHASE_} prefix, lower case. */
    static final List<String> PHASES = List.of("pending", "ready", "degraded", "deleting");

    private MeterRegistry registry;
    private Timer warmReady;
    private Timer coldReady;
    private Timer instanceAge;
    private Supplier<Map<String, Long>> countsByState = Map::of;
    private Supplier<Map<String, Long>> poolsByPhase = Map::of;

    public void countFrom(Supplier<Map<String, Long>> counts) {
        this.countsByState = counts;
    }

    /** @param counts pools by stored phase ({@code WARM_POOL_PHASE_READY} ...), read at every scrape */
    public void countPoolsFrom(Supplier<Map<String, Long>> counts) {
        this.poolsByPhase = counts;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        this.registry = registry;
        warmReady = readyTimer(registry, "warm");
        coldReady = readyTimer(registry, "cold");
        instanceAge = Timer.builder("warm_pool_claim_instance_age")
                .description("How long a warm instance waited in its pool before it was claimed")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(100)).maximumExpectedValue(Duration.ofDays(1))
                .register(registry);
        for (String state : STATES) {
            Gauge.builder("warm_pool_instances_by_state", this, m -> m.countsByState.get().getOrDefault(state, 0L))
                    .description("Development-environment instances by state").tag("state", state).register(registry);
        }
        for (String phase : PHASES) {
            String stored = "WARM_POOL_PHASE_" + phase.toUpperCase(java.util.Locale.ROOT);
            Gauge.builder("warm_pool_pools_by_phase", this, m -> m.poolsByPhase.get().getOrDefault(stored, 0L))
                    .description("Development-environment warm pools by phase (degraded: launches keep failing)").tag("phase", phase)
                    .register(registry);
        }
        for (String result : List.of("success", "instance_not_found", "capacity_exhausted")) claims("", result);
    }

    private static Timer readyTimer(MeterRegistry registry, String start) {
        return Timer.builder("warm_pool_claim_to_ready")
                .description("From a claim to the environment being personalized and routable")
                .tag("start", start)
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(10)).maximumExpectedValue(Duration.ofMinutes(10))
                .register(registry);
    }

    private Counter claims(String poolId, String result) {
        return Counter.builder("warm_pool_claims").description("Environment claims by result")
                .tag("result", result).register(registry);
    }

    void claimed(String poolId, String result) {
        if (registry != null) claims(poolId, result).increment();
    }

    void ready(boolean warm, Duration elapsed) {
        if (registry != null) (warm ? warmReady : coldReady).record(elapsed);
    }

    void instanceAge(Duration age) {
        if (registry != null && !age.isNegative()) instanceAge.record(age);
    }
}
