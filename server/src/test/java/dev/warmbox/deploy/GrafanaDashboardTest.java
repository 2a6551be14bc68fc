package dev.warmbox.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * deploy/grafana/warmbox-dashboard.json as Grafana needs it to be importable and provisionable with any
 * Prometheus data source. Its queries are tested against a real Prometheus and server in PrometheusIT.
 */
class GrafanaDashboardTest {
    private final JsonNode dashboard = DeployFiles.read(new ObjectMapper(), DeployFiles.dashboard());

    @Test
    void hasAStableUidAndTheVariablesItsQueriesUse() {
        assertThat(dashboard.path("uid").asText()).as("links and provisioning find it by uid").isEqualTo("warmbox-overview");
        assertThat(dashboard.path("schemaVersion").asInt()).isPositive();
        List<String> variables = new ArrayList<>();
        dashboard.path("templating").path("list").forEach(v -> variables.add(v.path("name").asText()));
        assertThat(variables).containsExactly("datasource", "job", "instance");
        assertThat(dashboard.path("templating").path("list").get(0).path("query").asText()).isEqualTo("prometheus");
    }

    @Test
    void everyQueryGoesToTheChosenDataSourceAndSelectsJobAndInstance() {
        for (JsonNode panel : panels()) {
            if (panel.path("type").asText().equals("row")) continue;
            assertThat(panel.path("datasource").path("uid").asText()).as("panel %s", panel.path("title")).isEqualTo("${datasource}");
            assertThat(panel.path("targets")).as("panel %s has queries", panel.path("title")).isNotEmpty();
            for (JsonNode target : panel.path("targets")) {
                assertThat(target.path("datasource").path("uid").asText()).isEqualTo("${datasource}");
                assertThat(target.path("expr").asText()).as("panel %s", panel.path("title"))
                        .contains("job=~\"$job\"").contains("instance=~\"$instance\"");
            }
        }
    }

    @Test
    void panelsHaveUniqueIdsAndDoNotOverlap() {
        Set<Integer> ids = new HashSet<>();
        List<int[]> boxes = new ArrayList<>();
        for (JsonNode panel : panels()) {
            assertThat(ids.add(panel.path("id").asInt())).as("id %s is unique", panel.path("id")).isTrue();
            JsonNode grid = panel.path("gridPos");
            int[] box = {grid.path("x").asInt(), grid.path("y").asInt(), grid.path("w").asInt(), grid.path("h").asInt()};
            assertThat(box[0] + box[2]).as("panel %s fits in 24 columns", panel.path("title")).isLessThanOrEqualTo(24);
            for (int[] other : boxes) {
                boolean apart = box[0] + box[2] <= other[0] || other[0] + other[2] <= box[0]
                        || box[1] + box[3] <= other[1] || other[1] + other[3] <= box[1];
                assertThat(apart).as("panel %s overlaps another", panel.path("title")).isTrue();
            }
            boxes.add(box);
        }
        assertThat(ids).hasSizeGreaterThan(10);
    }

    private List<JsonNode> panels() {
        List<JsonNode> all = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            all.add(panel);
            panel.path("panels").forEach(all::add);
        }
        return all;
    }
}
