package dev.warmbox.cli;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code /api/v1/warm-pools}: the development-environment warm pools. */
@Command(name = "warm-pools", description = "Development-environment warm pools (list by default).",
        subcommands = WarmPoolsCommand.Get.class)
final class WarmPoolsCommand implements Callable<Integer> {
    static final List<Column> COLUMNS = List.of(
            Column.of("ID", "/id"), Column.of("PROJECT", "/metadata/projectId"),
            Column.of("CLASS", "/metadata/environmentClassId"), Column.of("PHASE", "/status/phase"),
            Column.of("MIN", "/spec/minSize"), Column.of("MAX", "/spec/maxSize"), Column.of("TARGET", "/status/desiredSize"),
            Column.of("RUNNING", "/status/runningInstances"), Column.of("STOPPED", "/status/stoppedInstances"),
            Column.of("CLAIMED", "/status/claimedInstances"), Column.of("SNAPSHOT", "/spec/snapshotId"));
    static final List<Column> FIELDS = List.of(
            Column.of("ID", "/id"), Column.of("PROJECT", "/metadata/projectId"),
            Column.of("CLASS", "/metadata/environmentClassId"), Column.of("PHASE", "/status/phase"),
            Column.of("FAILURE", "/status/failureMessage"), Column.of("DESIRED_PHASE", "/spec/desiredPhase"),
            Column.of("MIN_SIZE", "/spec/minSize"), Column.of("MAX_SIZE", "/spec/maxSize"),
            Column.of("TARGET", "/status/desiredSize"), Column.of("MAX_INSTANCES", "/spec/maxInstances"),
            Column.of("RUNNING", "/status/runningInstances"), Column.of("STOPPED", "/status/stoppedInstances"),
            Column.of("CLAIMED", "/status/claimedInstances"), Column.of("RELEASE_POLICY", "/spec/releasePolicy"),
            Column.of("SCHEDULE", "/spec/cronSchedule"), Column.of("TIMEZONE", "/spec/cronTimezone"),
            Column.of("SNAPSHOT", "/spec/snapshotId"), Column.of("SPEC_VERSION", "/spec/specVersion"),
            Column.of("CREATED", "/metadata/createdAt"), Column.of("UPDATED", "/metadata/updatedAt"));

    private final Session session;

    @Option(names = "--project", paramLabel = "ID", description = "Only the pools of this project.")
    String project;

    @Option(names = "--class", paramLabel = "ID", description = "Only the pools of this environment class.")
    String environmentClass;

    WarmPoolsCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        List<String> query = new ArrayList<>();
        if (project != null) query.add("projectId=" + URLEncoder.encode(project, StandardCharsets.UTF_8));
        if (environmentClass != null) query.add("environmentClassId=" + URLEncoder.encode(environmentClass, StandardCharsets.UTF_8));
        String path = "/api/v1/warm-pools" + (query.isEmpty() ? "" : "?" + String.join("&", query));
        session.output().list(session.api().get(path), "warmPools", "warm pools", COLUMNS);
        return ExitCodes.OK;
    }

    @Command(name = "get", description = "One warm pool.")
    static final class Get implements Callable<Integer> {
        private final Session session;

        @Parameters(paramLabel = "ID")
        String id;

        Get(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() {
            var answer = session.api().get("/api/v1/warm-pools/" + Paths.segment(id));
            session.output().item(answer, answer.path("warmPool"), FIELDS);
            return ExitCodes.OK;
        }
    }
}
