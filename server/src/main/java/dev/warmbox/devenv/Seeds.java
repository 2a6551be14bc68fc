package dev.warmbox.devenv;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warmbox.config.ConfigException;
import dev.warmbox.devenv.catalog.Catalog;
import dev.warmbox.devenv.catalog.EnvironmentClass;
import dev.warmbox.devenv.catalog.Project;
import dev.warmbox.devenv.pools.WarmPoolService;
import dev.warmbox.devenv.pools.WarmPoolStore;
import dev.warmbox.devenv.requests.DevEnvException;
import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A configuration file that creates classes, projects and pools which do not exist yet, by name. What
 * exists is never touched, so values changed through the API (EduIDE's live minInstances and
 * maxInstances) survive restarts and upgrades that ship the same file. The format is in
 * docs/dev-environments.md.
 */
final class Seeds {
    private static final Logger log = LoggerFactory.getLogger(Seeds.class);

    private final ObjectMapper json;
    private final Catalog catalog;
    private final WarmPoolService pools;
    private final WarmPoolStore poolStore;

    Seeds(ObjectMapper json, Catalog catalog, WarmPoolService pools, WarmPoolStore poolStore) {
        this.json = json;
        this.catalog = catalog;
        this.pools = pools;
        this.poolStore = poolStore;
    }

    void apply(Path file) {
        JsonNode seed;
        try {
            seed = json.readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            var at = e.getLocation();
            throw new ConfigException("DEVENV_SEED_FILE " + file + " is not valid JSON"
                    + (at == null ? "" : " (at line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
        } catch (IOException e) {
            throw new ConfigException("DEVENV_SEED_FILE " + file + " cannot be read (" + (java.nio.file.Files.exists(file)
                    ? "no permission, or not a file" : "no such file") + ")");
        }
        if (seed == null || !seed.isObject()) throw new ConfigException("DEVENV_SEED_FILE " + file + " must hold a JSON object");
        try {
            for (JsonNode node : seed.path("environmentClasses")) {
                if (classId(node.path("name").asText()) == null) catalog.createClass(bytes(node));
            }
            for (JsonNode node : seed.path("projects")) {
                if (projectId(node.path("name").asText()) != null) continue;
                ObjectNode project = node.deepCopy();
                ArrayNode ids = project.putArray("prebuildEnvironmentClassIds");
                for (JsonNode name : node.path("prebuildEnvironmentClasses")) ids.add(required(classId(name.asText()), "environment class", name.asText()));
                project.remove("prebuildEnvironmentClasses");
                catalog.createProject(bytes(project));
            }
            for (JsonNode node : seed.path("warmPools")) {
                String projectId = required(projectId(node.path("project").asText()), "project", node.path("project").asText());
                String classId = required(classId(node.path("environmentClass").asText()), "environment class", node.path("environmentClass").asText());
                if (poolStore.active(projectId, classId).isPresent()) continue;
                ObjectNode pool = node.deepCopy();
                pool.remove("project");
                pool.remove("environmentClass");
                pool.put("projectId", projectId);
                pool.put("environmentClassId", classId);
                pools.create(bytes(pool));
            }
        } catch (DevEnvException e) {
            throw new ConfigException("DEVENV_SEED_FILE " + file + ": " + e.getMessage());
        }
        log.info("applied the development-environment seed {}", file);
    }

    private String classId(String name) {
        return catalog.classes().stream().filter(c -> c.name().equals(name)).map(EnvironmentClass::id).findFirst().orElse(null);
    }

    private String projectId(String name) {
        return catalog.projects().stream().filter(p -> p.name().equals(name)).map(Project::id).findFirst().orElse(null);
    }

    private static String required(String id, String what, String name) {
        if (id == null) throw DevEnvException.invalid(what, "named " + name + " is neither in the seed nor stored");
        return id;
    }

    private byte[] bytes(JsonNode node) {
        try {
            return json.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
