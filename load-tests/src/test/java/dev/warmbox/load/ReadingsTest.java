package dev.warmbox.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** Parsing what the server answers and what the command line passes. */
class ReadingsTest {
    private static final String METRICS = """
            # HELP jvm_threads_live_threads The current number of live threads
            # TYPE jvm_threads_live_threads gauge
            jvm_threads_live_threads 27.0
            jvm_memory_used_bytes{area="heap",id="Eden Space"} 1.0E7
            jvm_memory_used_bytes{area="heap",id="Tenured Gen"} 2.5E7
            jvm_memory_used_bytes{area="nonheap",id="Metaspace"} 4.0E7
            jvm_memory_used_bytes_extra{area="heap"} 9.0E9
            """;

    @Test
    void sampleSumsTheMetricsByArea() {
        ServerSample sample = ServerSample.of(1, METRICS, 12);
        assertThat(sample.threads()).isEqualTo(27);
        assertThat(sample.heapBytes()).as("both heap pools, not the other metric with the same prefix").isEqualTo(3.5e7);
        assertThat(sample.nonHeapBytes()).isEqualTo(4e7);
        assertThat(sample.containers()).isEqualTo(12);
    }

    @Test
    void missingMetricIsAnError() {
        assertThatThrownBy(() -> ServerSample.of(1, "up 1\n", 0)).hasMessageContaining("jvm_threads_live_threads");
    }

    @Test
    void statusParsesTheSeedShape() {
        PoolStatus status = PoolStatus.parse("""
                {"enabled":true,"pools":{"python":{"size":3,"available":2,"in_use":1},"go":{"size":2,"available":2,"in_use":0}},
                 "total_hits":1523,"total_misses":12,"hit_rate":0.992}""");
        assertThat(status.hits()).isEqualTo(1523);
        assertThat(status.misses()).isEqualTo(12);
        assertThat(status.totalSize()).isEqualTo(5);
        assertThat(status.settled()).as("python has one in use").isFalse();
        assertThatThrownBy(() -> PoolStatus.parse("{\"error\":{}}")).hasMessageContaining("status document");
    }

    @Test
    void tallyGivesNearestRankPercentiles() {
        PoolTally tally = new PoolTally();
        for (int i = 1; i <= 100; i++) tally.record("go", i == 100 ? "miss" : "hit", i);
        assertThat(tally.percentile("go", 50)).isEqualTo(50);
        assertThat(tally.percentile("go", 99)).isEqualTo(99);
        assertThat(tally.hits()).isEqualTo(99);
        assertThat(tally.misses()).isEqualTo(1);
        assertThatThrownBy(() -> tally.record("go", "maybe", 1)).hasMessageContaining("hit or miss");
    }

    @Test
    void settingsNameThePropertyThatIsWrong() {
        Properties properties = new Properties();
        properties.setProperty("warmbox.apiKey", "k");
        properties.setProperty("warmbox.rate", "fast");
        properties.setProperty("warmbox.languages", "python,cobol");
        LoadSettings settings = LoadSettings.from(properties, Map.of());
        assertThat(settings.url().toString()).isEqualTo("http://127.0.0.1:8002");
        assertThatThrownBy(() -> settings.number("rate", 1, 0, 10)).hasMessageContaining("warmbox.rate");
        assertThatThrownBy(() -> settings.languages("languages", List.of())).hasMessageContaining("cobol");
        assertThatThrownBy(() -> LoadSettings.from(new Properties(), Map.of())).hasMessageContaining("warmbox.apiKey");
        assertThat(LoadSettings.from(new Properties(), Map.of("WARMBOX_API_KEY", "e")).apiKey()).isEqualTo("e");
    }

    @Test
    void p99BoundsTakeTheMostSpecificOverride() {
        Properties properties = new Properties();
        properties.setProperty("warmbox.apiKey", "k");
        properties.setProperty("warmbox.p99Ms", "700");
        properties.setProperty("warmbox.p99Ms.java", "900");
        LoadSettings settings = LoadSettings.from(properties, Map.of());
        assertThat(settings.p99Millis("java", 1)).isEqualTo(900);
        assertThat(settings.p99Millis("go", 1)).isEqualTo(700);
        assertThat(LoadSettings.from(new Properties(), Map.of("WARMBOX_API_KEY", "e")).p99Millis("go", 5)).isEqualTo(5);
    }
}
