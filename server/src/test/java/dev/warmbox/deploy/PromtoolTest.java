package dev.warmbox.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** deploy/prometheus/ as Debian's promtool (2.42) judges it: config, rules, and the rules' unit tests. */
class PromtoolTest {

    @Test
    void theScrapeConfigIsValidAsShippedAndOnceTargetAndKeyFileAreSet(@TempDir Path dir) {
        assertSucceeds(PrometheusBinaries.promtool(DeployFiles.prometheusDir(), "check", "config", "--syntax-only", "prometheus.yml"));
        Path config = DeployFiles.writeScrapeConfig(dir, "127.0.0.1:18002", "wb_promtool_check");
        // Without --syntax-only promtool also checks the key file exists and loads the rules file.
        PrometheusBinaries.Result full = PrometheusBinaries.promtool(dir, "check", "config", config.toString());
        assertSucceeds(full);
        assertThat(full.output()).contains("SUCCESS: 4 rules found");
    }

    @Test
    void aScrapeConfigWhoseKeyFileIsMissingIsRefused(@TempDir Path dir) throws IOException {
        Path config = DeployFiles.writeScrapeConfig(dir, "127.0.0.1:18002", "wb_promtool_check");
        Files.delete(dir.resolve("warmbox.key"));
        assertThat(PrometheusBinaries.promtool(dir, "check", "config", config.toString()).exitCode())
                .as("the check is not vacuous: promtool reads what the config names").isNotZero();
    }

    @Test
    void theRulesAreValid() {
        PrometheusBinaries.Result result = PrometheusBinaries.promtool(DeployFiles.prometheusDir(), "check", "rules", DeployFiles.RULES_FILE);
        assertSucceeds(result);
        assertThat(result.output()).contains("SUCCESS: 4 rules found");
    }

    /** warmbox-rules.test.yml: each alert fires on series that should trip it and stays silent otherwise. */
    @Test
    void eachAlertFiresOnItsSeriesAndStaysSilentOtherwise() {
        assertSucceeds(PrometheusBinaries.promtool(DeployFiles.prometheusDir(), "test", "rules", "warmbox-rules.test.yml"));
    }

    @Test
    void theRuleUnitTestsCatchABrokenRule(@TempDir Path dir) throws IOException {
        Path shipped = DeployFiles.prometheusDir();
        Files.writeString(dir.resolve(DeployFiles.RULES_FILE), Files.readString(shipped.resolve(DeployFiles.RULES_FILE)).replace("< 0.95", "< 0.5"));
        Files.copy(shipped.resolve("warmbox-rules.test.yml"), dir.resolve("warmbox-rules.test.yml"));
        PrometheusBinaries.Result result = PrometheusBinaries.promtool(dir, "test", "rules", "warmbox-rules.test.yml");
        assertThat(result.exitCode()).as("a hit-rate alert at 50%% must fail the unit tests: %s", result.output()).isNotZero();
        assertThat(result.output()).contains("WarmboxWarmPoolHitRateLow");
    }

    private static void assertSucceeds(PrometheusBinaries.Result result) {
        assertThat(result.exitCode()).as("promtool exit code; output:%n%s", result.output()).isZero();
    }
}
