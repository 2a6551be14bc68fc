package dev.warmbox.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.warmbox.deploy.DeployFiles;
import dev.warmbox.deploy.PromQlNames;
import dev.warmbox.deploy.PrometheusBinaries;
import dev.warmbox.deploy.PrometheusProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * deploy/prometheus/ and deploy/grafana/ against the real thing: Debian's prometheus (a child process on
 * a loopback port, the shipped scrape config with only target and key file set) scrapes a real server
 * with {@code Authorization: Bearer}, and the meters the rules and the dashboard read are the ones the
 * server exports, so renaming a meter breaks the build.
 */
class PrometheusIT {
    /** The first scrape comes within one scrape_interval (15 s, as shipped) of the start; rules are evaluated as often. */
    private static final Duration SCRAPED_DEADLINE = Duration.ofSeconds(90);
    /** Series Prometheus makes itself for every target; the server does not export them. */
    private static final Set<String> MADE_BY_PROMETHEUS = Set.of("up");

    private static RunningServer server;
    private static PrometheusProcess prometheus;
    private static long hitsBeforeScrape;

    @BeforeAll
    static void start() {
        PrometheusBinaries.require("prometheus");  // before anything starts: fails, never skips, without it
        server = new RunningServer(Map.of("WARM_POOL_GO_SIZE", "0", "WARM_POOL_JAVA_SIZE", "0", "WARM_POOL_JAVASCRIPT_SIZE", "0"));
        Awaits.warm(server);
        assertThat(server.execute(Map.of("language", "python", "code", "print(1)")).get("pool").asText())
                .as("a warm python sandbox was ready").isEqualTo("hit");
        hitsBeforeScrape = server.status().get("total_hits").asLong();
        prometheus = PrometheusProcess.scraping("127.0.0.1:" + server.warmbox.port(), RunningServer.API_KEY);
    }

    @AfterAll
    static void stop() {
        try {
            if (prometheus != null) prometheus.close();
        } finally {
            if (server != null) server.close();
        }
    }

    @Test
    void prometheusScrapesWithTheBearerKeyAndServesWarmPoolHitsThroughItsApi() {
        await("warm_pool_hits_total scraped").atMost(SCRAPED_DEADLINE).pollInterval(Duration.ofMillis(500))
                .until(() -> !prometheus.query("warm_pool_hits_total{job=\"warmbox\", runtime=\"python\"}").isEmpty());
        JsonNode hits = prometheus.query("warm_pool_hits_total{job=\"warmbox\", runtime=\"python\"}");
        assertThat(hits).hasSize(1);
        assertThat(hits.get(0).path("metric").path("instance").asText()).isEqualTo("127.0.0.1:" + server.warmbox.port());
        assertThat(hits.get(0).path("value").get(1).asDouble()).as("the execution's hit, read back through /api/v1/query")
                .isGreaterThanOrEqualTo(hitsBeforeScrape).isPositive();

        JsonNode target = prometheus.api("/api/v1/targets").path("data").path("activeTargets").get(0);
        assertThat(target.path("health").asText()).as("the scrape with Authorization: Bearer; last error: %s", target.path("lastError"))
                .isEqualTo("up");
        assertThat(prometheus.query("up{job=\"warmbox\"}").get(0).path("value").get(1).asText()).isEqualTo("1");
    }

    @Test
    void theShippedRulesLoadAndEvaluateWithoutErrors() {
        await("every rule evaluated").atMost(SCRAPED_DEADLINE).pollInterval(Duration.ofMillis(500)).until(() -> {
            List<JsonNode> rules = rules();
            return rules.size() == 4 && rules.stream().allMatch(r -> !r.path("health").asText().equals("unknown"));
        });
        for (JsonNode rule : rules()) {
            assertThat(rule.path("health").asText()).as("rule %s: %s", rule.path("name").asText(), rule.path("lastError").asText()).isEqualTo("ok");
        }
        assertThat(rules()).extracting(r -> r.path("name").asText()).containsExactlyInAnyOrder("WarmboxDown", "WarmboxWarmPoolHitRateLow",
                "WarmboxHealthCheckFailuresRising", "WarmboxDevEnvironmentPoolDegraded");
        assertThat(rules()).as("nothing is wrong with a fresh server").allSatisfy(r -> assertThat(r.path("state").asText()).isEqualTo("inactive"));
    }

    @Test
    void everyDashboardAndRuleExpressionRunsInPrometheus() {
        List<String> expressions = new ArrayList<>(DeployFiles.ruleExpressions());
        DeployFiles.dashboardExpressions().forEach(e -> expressions.add(DeployFiles.asGrafanaSendsIt(e)));
        assertThat(expressions).hasSizeGreaterThan(20);
        for (String expression : expressions) {
            assertThat(expression).doesNotContain("$");
            prometheus.query(expression);  // fails on a parse or evaluation error
        }
    }

    @Test
    void everyMeterTheDashboardAndTheRulesReadIsExportedByTheServer() {
        Set<String> referenced = new TreeSet<>();
        DeployFiles.ruleExpressions().forEach(e -> referenced.addAll(PromQlNames.metricNames(e)));
        DeployFiles.dashboardExpressions().forEach(e -> referenced.addAll(PromQlNames.metricNames(e)));
        referenced.removeAll(MADE_BY_PROMETHEUS);
        assertThat(referenced).as("the meters the files are about").contains("warm_pool_hits_total", "warm_pool_misses_total",
                "warm_pool_health_failures_total", "warm_pool_pools_by_phase", "warmbox_execution_duration_seconds_bucket",
                "warm_pool_claims_total", "warm_pool_instances_by_state");
        assertThat(exportedNames(server.get("/metrics").body())).as("names in /metrics").containsAll(referenced);
    }

    private static List<JsonNode> rules() {
        List<JsonNode> rules = new ArrayList<>();
        for (JsonNode group : prometheus.api("/api/v1/rules").path("data").path("groups")) group.path("rules").forEach(rules::add);
        return rules;
    }

    /** The series names of a text exposition. */
    private static Set<String> exportedNames(String exposition) {
        Set<String> names = new TreeSet<>();
        for (String line : exposition.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) continue;
            int end = 0;
            while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') end++;
            names.add(line.substring(0, end));
        }
        return names;
    }
}
