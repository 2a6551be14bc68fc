package dev.warmbox.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code deploy/} ships, read as an operator's tools read it: the Prometheus scrape config (made
 * usable by changing only its target and key file, as docs/operations.md says), the rules' expressions
 * and the Grafana dashboard's.
 */
public final class DeployFiles {
    /** The two values docs/operations.md tells the operator to change, exactly as shipped. */
    public static final String SHIPPED_TARGET = "'127.0.0.1:8002'";
    public static final String SHIPPED_KEY_FILE = "/etc/prometheus/warmbox.key";
    public static final String RULES_FILE = "warmbox-rules.yml";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Pattern LABEL_VALUES = Pattern.compile("^\\s*label_values\\((.*),\\s*\\w+\\)\\s*$", Pattern.DOTALL);

    private DeployFiles() {}

    /** The checkout's {@code deploy/}, found upwards from the working directory (Maven runs in server/). */
    public static Path deployDir() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("deploy/prometheus/prometheus.yml"))) return dir.resolve("deploy");
        }
        throw new IllegalStateException("no deploy/prometheus/prometheus.yml above " + Path.of("").toAbsolutePath());
    }

    public static Path prometheusDir() {
        return deployDir().resolve("prometheus");
    }

    public static Path dashboard() {
        return deployDir().resolve("grafana/warmbox-dashboard.json");
    }

    /**
     * Writes the shipped scrape config into {@code dir} with only its target and key file changed, the
     * key into a file of its own (owner-only) and the rules file beside it (rule_files is relative).
     *
     * @return the config file
     */
    public static Path writeScrapeConfig(Path dir, String target, String apiKey) {
        try {
            String shipped = Files.readString(prometheusDir().resolve("prometheus.yml"));
            Path keyFile = dir.resolve("warmbox.key");
            Files.writeString(keyFile, apiKey + "\n");
            Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
            String config = replaceOnce(replaceOnce(shipped, SHIPPED_TARGET, "'" + target + "'"), SHIPPED_KEY_FILE, keyFile.toString());
            Files.copy(prometheusDir().resolve(RULES_FILE), dir.resolve(RULES_FILE));
            return Files.writeString(dir.resolve("prometheus.yml"), config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String replaceOnce(String text, String shipped, String replacement) {
        int at = text.indexOf(shipped);
        if (at < 0 || text.indexOf(shipped, at + 1) >= 0) {
            throw new AssertionError("deploy/prometheus/prometheus.yml must hold " + shipped + " exactly once: docs/operations.md tells operators to change it");
        }
        return text.replace(shipped, replacement);
    }

    /** Every alert's and recording rule's {@code expr}. */
    public static List<String> ruleExpressions() {
        JsonNode rules = read(YAML, prometheusDir().resolve(RULES_FILE));
        List<String> expressions = new ArrayList<>();
        for (JsonNode group : rules.path("groups")) {
            for (JsonNode rule : group.path("rules")) expressions.add(rule.path("expr").asText());
        }
        return expressions;
    }

    /** Every panel target's {@code expr} (rows' panels included) and every variable's query (the selector in {@code label_values}). */
    public static List<String> dashboardExpressions() {
        JsonNode dashboard = read(JSON, dashboard());
        List<String> expressions = new ArrayList<>();
        collectTargets(dashboard.path("panels"), expressions);
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if (!"query".equals(variable.path("type").asText())) continue;
            JsonNode query = variable.path("query");
            String text = query.isObject() ? query.path("query").asText() : query.asText();
            Matcher labelValues = LABEL_VALUES.matcher(text);
            expressions.add(labelValues.matches() ? labelValues.group(1) : text);
        }
        return expressions;
    }

    private static void collectTargets(JsonNode panels, List<String> expressions) {
        for (JsonNode panel : panels) {
            for (JsonNode target : panel.path("targets")) {
                if (target.hasNonNull("expr")) expressions.add(target.get("expr").asText());
            }
            collectTargets(panel.path("panels"), expressions);
        }
    }

    /** A dashboard expression as Grafana sends it: its variables replaced by values that select everything. */
    public static String asGrafanaSendsIt(String expression) {
        return expression.replace("$__rate_interval", "1m").replace("$__range", "5m").replace("$__interval", "15s")
                .replace("$job", ".+").replace("$instance", ".+");
    }

    static JsonNode read(ObjectMapper mapper, Path file) {
        try {
            return mapper.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
