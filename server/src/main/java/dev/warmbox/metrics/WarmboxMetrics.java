package dev.warmbox.metrics;

import dev.warmbox.execution.ExecutionObserver;
import dev.warmbox.pool.PoolView;
import dev.warmbox.pool.WarmPools;
import dev.warmbox.sandbox.Language;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Every meter warmbox publishes, registered once here, under the seed's names. Gauges and counters
 * read the pools' live state; nothing is copied.
 */
public final class WarmboxMetrics implements MeterBinder, ExecutionObserver {
    private final WarmPools pools;
    private final Map<Language, Timer> hitTimers = new EnumMap<>(Language.class);
    private final Map<Language, Timer> missTimers = new EnumMap<>(Language.class);
    private final Map<Language, Timer> waitTimers = new EnumMap<>(Language.class);

    public WarmboxMetrics(WarmPools pools) {
        this.pools = pools;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (Language language : Language.values()) {
            String runtime = language.id();
            gauge(registry, "warm_pool_size", "Containers held by the warm pool (available plus in use)", language, PoolView::size);
            gauge(registry, "warm_pool_available", "Warm containers ready to be handed out", language, PoolView::available);
            gauge(registry, "warm_pool_in_use", "Warm containers running or being scrubbed", language, PoolView::inUse);
            gauge(registry, "warm_pool_target_size", "Containers the warm pool holds by demand now, between its min and max size", language, PoolView::targetSize);
            gauge(registry, "warm_pool_min_size", "Floor of the warm pool (WARM_POOL_SIZE_PER_RUNTIME or the runtime's size)", language, PoolView::minSize);
            gauge(registry, "warm_pool_max_size", "Ceiling the warm pool grows to under demand", language, PoolView::maxSize);
            gauge(registry, "warm_pool_waiting", "Requests queued for a container", language, PoolView::waiting);
            counter(registry, "warm_pool_hits", "Executions served by a warm container", language, PoolView::hits);
            counter(registry, "warm_pool_misses", "Executions that needed a fresh container", language, PoolView::misses);
            counter(registry, "warm_pool_health_failures", "Pool containers found unhealthy and replaced", language, PoolView::healthFailures);
            counter(registry, "warm_pool_launch_failures", "Pool containers that failed to launch", language, PoolView::launchFailures);
            counter(registry, "warm_pool_queue_timeouts", "Requests refused because no container became free in time", language, PoolView::queueTimeouts);
            waitTimers.put(language, histogram(registry, "warm_pool_queue_wait",
                    "Time a request waited for its container (zero when one was ready)", Duration.ofMinutes(1), "runtime", runtime));
            hitTimers.put(language, executionTimer(registry, runtime, "hit"));
            missTimers.put(language, executionTimer(registry, runtime, "miss"));
        }
    }

    @Override
    public void executed(Language language, boolean hit, Duration elapsed) {
        Timer timer = (hit ? hitTimers : missTimers).get(language);
        if (timer != null) timer.record(elapsed);
    }

    @Override
    public void waited(Language language, Duration waited) {
        Timer timer = waitTimers.get(language);
        if (timer != null) timer.record(waited);
    }

    private void gauge(MeterRegistry registry, String name, String description, Language language,
                       ToDoubleFunction<PoolView> reading) {
        Gauge.builder(name, pools, p -> reading.applyAsDouble(p.view(language)))
                .description(description).tag("runtime", language.id()).register(registry);
    }

    private void counter(MeterRegistry registry, String name, String description, Language language,
                         ToDoubleFunction<PoolView> reading) {
        FunctionCounter.builder(name, pools, p -> reading.applyAsDouble(p.view(language)))
                .description(description).tag("runtime", language.id()).register(registry);
    }

    private static Timer executionTimer(MeterRegistry registry, String runtime, String pool) {
        return histogram(registry, "warmbox_execution_duration",
                "Time to serve an execution, from getting a sandbox to the result", Duration.ofMinutes(2), "runtime", runtime, "pool", pool);
    }

    /** A timer with a percentile histogram from 1 ms to {@code max}. */
    private static Timer histogram(MeterRegistry registry, String name, String description, Duration max, String... tags) {
        return Timer.builder(name)
                .description(description)
                .tags(tags)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(max)
                .register(registry);
    }
}
