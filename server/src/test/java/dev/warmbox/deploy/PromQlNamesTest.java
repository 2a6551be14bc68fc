package dev.warmbox.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PromQlNamesTest {

    @Test
    void findsTheMetricsOfARatioWithMatchersAndRanges() {
        assertThat(PromQlNames.metricNames("""
                rate(warm_pool_hits_total{job="warmbox"}[5m])
                  / (rate(warm_pool_hits_total{job="warmbox"}[5m]) + rate(warm_pool_misses_total{job="warmbox"}[5m]))
                < 0.95"""))
                .containsExactly("warm_pool_hits_total", "warm_pool_misses_total");
    }

    @Test
    void leavesOutFunctionsAggregationsGroupingLabelsAndKeywords() {
        assertThat(PromQlNames.metricNames(
                "histogram_quantile(0.99, sum by (le, runtime) (rate(warmbox_execution_duration_seconds_bucket{pool=\"hit\"}[$__rate_interval])))"))
                .containsExactly("warmbox_execution_duration_seconds_bucket");
        assertThat(PromQlNames.metricNames("max by (job) (warm_pool_pools_by_phase{phase=\"degraded\"}) > 0 and on(job) up == bool 1"))
                .containsExactly("up", "warm_pool_pools_by_phase");
        assertThat(PromQlNames.metricNames("sum without (instance) (warm_pool_size offset 1h30m) unless warm_pool_available"))
                .containsExactly("warm_pool_available", "warm_pool_size");
    }

    @Test
    void leavesOutGrafanaVariablesAndLabelValuesThatLookLikeNames() {
        assertThat(PromQlNames.metricNames("sum(increase(warm_pool_claims_total{job=~\"$job\", result=\"instance_not_found\"}[$__range])) * 60"))
                .containsExactly("warm_pool_claims_total");
    }

    @Test
    void readsNamesWithColonsAndDigits() {
        assertThat(PromQlNames.metricNames("job:warm_pool_hits:rate5m + k8s_2xx_total * 1e3")).containsExactly("job:warm_pool_hits:rate5m", "k8s_2xx_total");
    }
}
