package dev.warmbox.devenv.prebuilds;

import dev.warmbox.devenv.catalog.Catalog;
import dev.warmbox.devenv.catalog.EnvironmentClass;
import dev.warmbox.devenv.catalog.Project;
import dev.warmbox.devenv.containers.Blueprint;
import dev.warmbox.devenv.containers.InstanceEngine;
import dev.warmbox.devenv.containers.Scripts;
import dev.warmbox.devenv.requests.DevEnvException;
import dev.warmbox.provider.ContainerProvider;
import dev.warmbox.provider.ContainerState;
import dev.warmbox.provider.ExecResult;
import dev.warmbox.provider.ExecSpec;
import dev.warmbox.store.Database;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;
import org.jdbi.v3.core.statement.StatementContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a project's prebuild in a container of the class (clone, prebuild commands, a copy of the
 * pristine workspace for resets), commits the result as the snapshot image, and tells whoever points
 * the project's pools at it. The log is readable while it runs.
 */
public final class Prebuilds {
    private static final Logger log = LoggerFactory.getLogger(Prebuilds.class);
    private static final int LOG_LIMIT = 256 * 1024;
    private static final String SELECT = "SELECT id, project_id, environment_class_id, status, failure_message, created_at, finished_at FROM prebuilds";

    private final Database database;
    private final Catalog catalog;
    private final ContainerProvider provider;
    private final Blueprint blueprint;
    private final InstanceEngine engine;
    private final ExecutorService workers;
    private final Clock clock;
    private final Consumer<Prebuild> onSnapshot;

    /** @param onSnapshot told of each prebuild that succeeded, once its snapshot is committed: the pools move to it */
    public Prebuilds(Database database, Catalog catalog, ContainerProvider provider, Blueprint blueprint,
                     InstanceEngine engine, ExecutorService workers, Clock clock, Consumer<Prebuild> onSnapshot) {
        this.database = database;
        this.catalog = catalog;
        this.provider = provider;
        this.blueprint = blueprint;
        this.engine = engine;
        this.workers = workers;
        this.clock = clock;
        this.onSnapshot = onSnapshot;
    }

    /** Prebuilds a restart interrupted cannot be resumed: they fail, and their containers go. */
    public void recover() {
        try {
            for (ContainerState leftover : provider.list(blueprint.owned(Blueprint.KIND_PREBUILD))) provider.remove(leftover.id());
        } catch (RuntimeException e) {
            log.warn("could not remove prebuild containers left by a previous run: {}", e.getMessage());
        }
        database.transaction(h -> h.createUpdate("UPDATE prebuilds SET status = :failed, failure_message = :message, finished_at = :now "
                        + "WHERE status = :running")
                .bind("failed", Prebuild.FAILED).bind("message", "interrupted by a restart of warmbox; start a new prebuild")
                .bind("now", clock.instant()).bind("running", Prebuild.RUNNING).execute());
    }

    public Prebuild start(String projectId, String environmentClassId) {
        Project project = catalog.project(projectId);
        if (environmentClassId == null) throw DevEnvException.invalid("environmentClassId", "is required");
        EnvironmentClass environmentClass = catalog.environmentClass(environmentClassId, "environmentClassId");
        if (!project.prebuildsEnabledFor(environmentClassId)) {
            throw DevEnvException.invalid("environmentClassId", "is not in the project's prebuildEnvironmentClassIds: prebuilds are not enabled for it");
        }
        Prebuild prebuild = new Prebuild(UUID.randomUUID().toString(), projectId, environmentClassId, Prebuild.RUNNING, null, null,
                clock.instant(), null);
        database.transaction(h -> h.createUpdate("INSERT INTO prebuilds (id, project_id, environment_class_id, status, created_at) "
                + "VALUES (:id, :projectId, :environmentClassId, :status, :createdAt)").bind("id", prebuild.id()).bind("projectId", projectId)
                .bind("environmentClassId", environmentClassId).bind("status", prebuild.status()).bind("createdAt", prebuild.createdAt()).execute());
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
            onSnapshot.accept(find(prebuild.id()).orElseThrow());
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
        database.transaction(h -> h.createUpdate("UPDATE prebuilds SET git_commit = :commit WHERE id = :id")
                .bind("commit", commit).bind("id", prebuildId).execute());
    }

    /** When a snapshot was built and from which commit (null without git). */
    public record Origin(Instant builtAt, String commit) {}

    public Optional<Origin> origin(String snapshotId) {
        return database.handle(h -> h.createQuery("SELECT finished_at, git_commit FROM prebuilds WHERE id = :id AND status = :succeeded")
                .bind("id", snapshotId).bind("succeeded", Prebuild.SUCCEEDED)
                .map((r, c) -> new Origin(Database.instant(r, "finished_at"), r.getString("git_commit"))).findOne());
    }

    /** When the newest prebuild of this project and class started, whatever its outcome (rotation starts one per period). */
    public Optional<Instant> lastStarted(String projectId, String environmentClassId) {
        return database.handle(h -> h.createQuery("SELECT max(created_at) AS started FROM prebuilds WHERE project_id = :project AND environment_class_id = :class")
                .bind("project", projectId).bind("class", environmentClassId)
                .map((r, c) -> Database.instant(r, "started")).findOne().filter(java.util.Objects::nonNull));
    }

    private void step(String prebuildId, String container, String title, ExecSpec spec) {
        appendLog(prebuildId, "$ " + title + "\n");
        ExecResult result = provider.exec(container, spec);
        appendLog(prebuildId, result.output());
        if (!result.succeeded()) {
            throw new IllegalStateException("'" + title + "' " + (result.timedOut() ? "timed out" : "exited with " + result.exitCode()));
        }
    }

    /** Keeps the last LOG_LIMIT characters. A CASE, because SQLite's substr(x, -n) counts from the end and PostgreSQL's does not. */
    private void appendLog(String prebuildId, String text) {
        database.transaction(h -> h.createUpdate("UPDATE prebuilds SET log = CASE WHEN length(log || :text) > " + LOG_LIMIT
                        + " THEN substr(log || :text, length(log || :text) - " + (LOG_LIMIT - 1) + ") ELSE log || :text END WHERE id = :id")
                .bind("text", text).bind("id", prebuildId).execute());
    }

    private void finish(String prebuildId, String status, String image, String failure) {
        database.transaction(h -> h.createUpdate("UPDATE prebuilds SET status = :status, snapshot_image = :image, failure_message = :failure, "
                        + "finished_at = :now WHERE id = :id")
                .bind("status", status).bind("image", image).bind("failure", failure).bind("now", clock.instant()).bind("id", prebuildId)
                .execute());
    }

    public Optional<Prebuild> find(String id) {
        return database.handle(h -> h.createQuery(SELECT + " WHERE id = :id").bind("id", id).map(Prebuilds::prebuild).findOne());
    }

    /** The project's prebuilds, oldest first. */
    public List<Prebuild> ofProject(String projectId) {
        return database.handle(h -> h.createQuery(SELECT + " WHERE project_id = :project ORDER BY created_at, id").bind("project", projectId)
                .map(Prebuilds::prebuild).list());
    }

    public String logOf(String id) {
        return database.handle(h -> h.createQuery("SELECT log FROM prebuilds WHERE id = :id").bind("id", id).mapTo(String.class).findOne().orElse(""));
    }

    /** The image of a succeeded prebuild (a snapshot id), if there is one. */
    public Optional<String> snapshotImage(String snapshotId) {
        return find(snapshotId).filter(p -> p.status().equals(Prebuild.SUCCEEDED)).map(p -> blueprint.snapshotImage(p.id()));
    }

    /** The newest succeeded prebuild of a project and class: what a cold start without a pool launches from. */
    public Optional<String> latestSnapshot(String projectId, String environmentClassId) {
        return database.handle(h -> h.createQuery("SELECT id FROM prebuilds WHERE project_id = :project AND environment_class_id = :class "
                        + "AND status = :succeeded ORDER BY finished_at DESC, id LIMIT 1")
                .bind("project", projectId).bind("class", environmentClassId).bind("succeeded", Prebuild.SUCCEEDED).mapTo(String.class).findOne());
    }

    private static Prebuild prebuild(ResultSet r, StatementContext context) throws SQLException {
        String status = r.getString("status");
        return new Prebuild(r.getString("id"), r.getString("project_id"), r.getString("environment_class_id"), status,
                status.equals(Prebuild.SUCCEEDED) ? r.getString("id") : null, r.getString("failure_message"),
                Database.instant(r, "created_at"), Database.instant(r, "finished_at"));
    }
}
