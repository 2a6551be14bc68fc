package dev.warmbox.devenv;

import dev.warmbox.devenv.catalog.Catalog;
import dev.warmbox.devenv.catalog.EnvironmentClass;
import dev.warmbox.devenv.catalog.Project;
import dev.warmbox.provider.ContainerProvider;
import dev.warmbox.provider.ContainerState;
import dev.warmbox.provider.ExecResult;
import dev.warmbox.provider.ExecSpec;
import dev.warmbox.store.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a project's prebuild in a container of the class (clone, prebuild commands, a copy of the
 * pristine workspace for resets), commits the result as the snapshot image, and points the project's
 * pools at it. The log is readable while it runs.
 */
final class Prebuilds {
    private static final Logger log = LoggerFactory.getLogger(Prebuilds.class);
    private static final int LOG_LIMIT = 256 * 1024;

    private final Database database;
    private final Catalog catalog;
    private final WarmPoolStore pools;
    private final ContainerProvider provider;
    private final Blueprint blueprint;
    private final InstanceEngine engine;
    private final ExecutorService workers;
    private final Clock clock;
    private final Runnable onSnapshot;

    Prebuilds(Database database, Catalog catalog, WarmPoolStore pools, ContainerProvider provider, Blueprint blueprint,
              InstanceEngine engine, ExecutorService workers, Clock clock, Runnable onSnapshot) {
        this.database = database;
        this.catalog = catalog;
        this.pools = pools;
        this.provider = provider;
        this.blueprint = blueprint;
        this.engine = engine;
        this.workers = workers;
        this.clock = clock;
        this.onSnapshot = onSnapshot;
    }

    /** Prebuilds a restart interrupted cannot be resumed: they fail, and their containers go. */
    void recover() {
        try {
            for (ContainerState leftover : provider.list(blueprint.owned(Blueprint.KIND_PREBUILD))) provider.remove(leftover.id());
        } catch (RuntimeException e) {
            log.warn("could not remove prebuild containers left by a previous run: {}", e.getMessage());
        }
        database.inTransaction(c -> Database.update(c, "UPDATE prebuilds SET status = ?, failure_message = ?, finished_at = ? WHERE status = ?",
                Prebuild.FAILED, "interrupted by a restart of warmbox; start a new prebuild", clock.instant().toString(), Prebuild.RUNNING));
    }

    Prebuild start(String projectId, String environmentClassId) {
        Project project = catalog.project(projectId);
        if (environmentClassId == null) throw DevEnvException.invalid("environmentClassId", "is required");
        EnvironmentClass environmentClass = catalog.environmentClass(environmentClassId, "environmentClassId");
        if (!project.prebuildsEnabledFor(environmentClassId)) {
            throw DevEnvException.invalid("environmentClassId", "is not in the project's prebuildEnvironmentClassIds: prebuilds are not enabled for it");
        }
        Prebuild prebuild = new Prebuild(UUID.randomUUID().toString(), projectId, environmentClassId, Prebuild.RUNNING, null, null,
                clock.instant().toString(), null);
        database.inTransaction(c -> Database.update(c, "INSERT INTO prebuilds (id, project_id, environment_class_id, status, created_at) VALUES (?, ?, ?, ?, ?)",
                prebuild.id(), projectId, environmentClassId, prebuild.status(), prebuild.createdAt()));
        workers.execute(() -> run(prebuild, project, environmentClass));
        return prebuild;
    }

    private void run(Prebuild prebuild, Project project, EnvironmentClass environmentClass) {
        String container = null;
        try {
            engine.ensureNetwork();
            container = provider.create(blueprint.prebuild(prebuild.id(), project, environmentClass));
            provider.start(container);
            if (project.source().git() != null) {
                List<String> env = project.source().git().ref() == null ? List.of() : List.of("WARMBOX_GIT_REF=" + project.source().git().ref());
                step(prebuild.id(), container, "clone " + project.source().git().url(), new ExecSpec(List.of("sh", "-c", Scripts.CLONE), "0", null, env, Duration.ofMinutes(10)));
                recordCommit(prebuild.id(), container);
            }
            List<String> env = project.env().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
            for (String command : project.prebuildCommands()) {
                step(prebuild.id(), container, command, ExecSpec.shell(command, project.user(), InstanceEngine.WORKSPACE, env, Duration.ofHours(1)));
            }
            step(prebuild.id(), container, "keep a pristine copy of /workspace and /home for resets",
                    new ExecSpec(List.of("sh", "-c", Scripts.KEEP_PRISTINE), "0", null, List.of(), Duration.ofMinutes(10)));
            String image = blueprint.snapshotImage(prebuild.id());
            provider.commit(container, image, Map.of(Blueprint.LABEL_MANAGED, "true", Blueprint.LABEL_DEVENV, blueprint.owned().get(Blueprint.LABEL_DEVENV),
                    Blueprint.LABEL_PREBUILD, prebuild.id()));
            appendLog(prebuild.id(), "snapshot " + prebuild.id() + " committed as " + image + "\n");
            finish(prebuild.id(), Prebuild.SUCCEEDED, image, null);
            pools.useSnapshot(prebuild.projectId(), prebuild.environmentClassId(), prebuild.id(), clock.instant().toString());
            onSnapshot.run();
        } catch (RuntimeException e) {
            log.warn("prebuild {} of project {} failed: {}", prebuild.id(), project.name(), e.getMessage());
            appendLog(prebuild.id(), "prebuild failed: " + e.getMessage() + "\n");
            finish(prebuild.id(), Prebuild.FAILED, null, e.getMessage());
        } finally {
            if (container != null) {
                try {
                    provider.remove(container);
                } catch (RuntimeException e) {
                    log.warn("removing prebuild container {} failed: {}", container, e.getMessage());
                }
            }
        }
    }

    /** The commit the clone checked out: rotation compares it with where the project's ref is now. */
    private void recordCommit(String prebuildId, String container) {
        ExecResult head = provider.exec(container, new ExecSpec(List.of("git", "-c", "safe.directory=*", "-C", InstanceEngine.WORKSPACE, "rev-parse", "HEAD"),
                "0", null, List.of(), Duration.ofMinutes(1)));
        String commit = head.stdout().strip();
        if (!head.succeeded() || !commit.matches("[0-9a-f]{40}")) return;
        appendLog(prebuildId, "commit " + commit + "\n");
        database.inTransaction(c -> Database.update(c, "UPDATE prebuilds SET git_commit = ? WHERE id = ?", commit, prebuildId));
    }

    /** When a snapshot was built and from which commit (null without git). */
    record Origin(java.time.Instant builtAt, String commit) {}

    Optional<Origin> origin(String snapshotId) {
        return database.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT finished_at, git_commit FROM prebuilds WHERE id = ? AND status = ?")) {
                select.setString(1, snapshotId);
                select.setString(2, Prebuild.SUCCEEDED);
                try (ResultSet r = select.executeQuery()) {
                    if (!r.next()) return Optional.empty();
                    return Optional.of(new Origin(r.getString(1) == null ? null : java.time.Instant.parse(r.getString(1)), r.getString(2)));
                }
            }
        });
    }

    /** When the newest prebuild of this project and class started, whatever its outcome (rotation starts one per period). */
    Optional<java.time.Instant> lastStarted(String projectId, String environmentClassId) {
        return database.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT max(created_at) FROM prebuilds WHERE project_id = ? AND environment_class_id = ?")) {
                select.setString(1, projectId);
                select.setString(2, environmentClassId);
                try (ResultSet r = select.executeQuery()) {
                    return r.next() && r.getString(1) != null ? Optional.of(java.time.Instant.parse(r.getString(1))) : Optional.empty();
                }
            }
        });
    }

    private void step(String prebuildId, String container, String title, ExecSpec spec) {
        appendLog(prebuildId, "$ " + title + "\n");
        ExecResult result = provider.exec(container, spec);
        appendLog(prebuildId, result.output());
        if (!result.succeeded()) {
            throw new IllegalStateException("'" + title + "' " + (result.timedOut() ? "timed out" : "exited with " + result.exitCode()));
        }
    }

    private void appendLog(String prebuildId, String text) {
        database.inTransaction(c -> Database.update(c, "UPDATE prebuilds SET log = substr(log || ?, -" + LOG_LIMIT + ") WHERE id = ?",
                text, prebuildId));
    }

    private void finish(String prebuildId, String status, String image, String failure) {
        database.inTransaction(c -> Database.update(c,
                "UPDATE prebuilds SET status = ?, snapshot_image = ?, failure_message = ?, finished_at = ? WHERE id = ?",
                status, image, failure, clock.instant().toString(), prebuildId));
    }

    Optional<Prebuild> find(String id) {
        List<Prebuild> found = select("WHERE id = ?", id);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.getFirst());
    }

    List<Prebuild> ofProject(String projectId) {
        return select("WHERE project_id = ? ORDER BY created_at, id", projectId);
    }

    String logOf(String id) {
        return database.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT log FROM prebuilds WHERE id = ?")) {
                select.setString(1, id);
                try (ResultSet r = select.executeQuery()) {
                    return r.next() ? r.getString(1) : "";
                }
            }
        });
    }

    /** The image of a succeeded prebuild (a snapshot id), if there is one. */
    Optional<String> snapshotImage(String snapshotId) {
        return find(snapshotId).filter(p -> p.status().equals(Prebuild.SUCCEEDED)).map(p -> blueprint.snapshotImage(p.id()));
    }

    /** The newest succeeded prebuild of a project and class: what a cold start without a pool launches from. */
    Optional<String> latestSnapshot(String projectId, String environmentClassId) {
        return database.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT id FROM prebuilds WHERE project_id = ? AND environment_class_id = ? "
                    + "AND status = ? ORDER BY finished_at DESC LIMIT 1")) {
                select.setString(1, projectId);
                select.setString(2, environmentClassId);
                select.setString(3, Prebuild.SUCCEEDED);
                try (ResultSet r = select.executeQuery()) {
                    return r.next() ? Optional.of(r.getString(1)) : Optional.empty();
                }
            }
        });
    }

    private List<Prebuild> select(String where, String parameter) {
        return database.withConnection(c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT id, project_id, environment_class_id, status, failure_message, created_at, finished_at "
                    + "FROM prebuilds " + where)) {
                select.setString(1, parameter);
                try (ResultSet r = select.executeQuery()) {
                    List<Prebuild> found = new ArrayList<>();
                    while (r.next()) {
                        String status = r.getString(4);
                        found.add(new Prebuild(r.getString(1), r.getString(2), r.getString(3), status,
                                status.equals(Prebuild.SUCCEEDED) ? r.getString(1) : null, r.getString(5), r.getString(6), r.getString(7)));
                    }
                    return found;
                }
            }
        });
    }
}
