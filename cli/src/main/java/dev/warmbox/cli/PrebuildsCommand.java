package dev.warmbox.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code /api/v1/projects/{id}/prebuilds}: snapshot builds of a project for a class. */
@Command(name = "prebuilds", description = "Prebuilds of one project, or of every project (list by default).",
        subcommands = {PrebuildsCommand.Get.class, PrebuildsCommand.Start.class})
final class PrebuildsCommand implements Callable<Integer> {
    static final String RUNNING = "PREBUILD_STATUS_RUNNING";
    static final String SUCCEEDED = "PREBUILD_STATUS_SUCCEEDED";
    static final List<Column> COLUMNS = List.of(
            Column.of("ID", "/id"), Column.of("PROJECT", "/projectId"), Column.of("CLASS", "/environmentClassId"),
            Column.of("STATUS", "/status"), Column.of("SNAPSHOT", "/snapshotId"), Column.of("CREATED", "/createdAt"),
            Column.of("FINISHED", "/finishedAt"), Column.of("FAILURE", "/failureMessage"));

    private final Session session;

    @Option(names = "--project", paramLabel = "ID", description = "Only this project's prebuilds (default: every project's).")
    String project;

    PrebuildsCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        JsonNode answer;
        if (project != null) {
            answer = session.api().get("/api/v1/projects/" + Paths.segment(project) + "/prebuilds");
        } else {
            ArrayNode all = JsonNodeFactory.instance.arrayNode();
            for (JsonNode p : session.api().get("/api/v1/projects").path("projects")) {
                session.api().get("/api/v1/projects/" + Paths.segment(p.path("id").asText()) + "/prebuilds")
                        .path("prebuilds").forEach(all::add);
            }
            answer = JsonNodeFactory.instance.objectNode().set("prebuilds", all);
        }
        session.output().list(answer, "prebuilds", "prebuilds", COLUMNS);
        return ExitCodes.OK;
    }

    @Command(name = "get", description = "One prebuild with its log.")
    static final class Get implements Callable<Integer> {
        private final Session session;

        @Parameters(index = "0", paramLabel = "PROJECT")
        String project;

        @Parameters(index = "1", paramLabel = "ID")
        String id;

        Get(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() {
            JsonNode answer = session.api().get("/api/v1/projects/" + Paths.segment(project) + "/prebuilds/" + Paths.segment(id));
            Output output = session.output();
            output.item(answer, answer.path("prebuild"), COLUMNS);
            if (output.format() == Format.table) {
                session.out.println("LOG:");
                session.out.print(answer.path("log").asText(""));
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "start", description = "Start a prebuild of PROJECT for a class (admins).")
    static final class Start implements Callable<Integer> {
        private final Session session;

        @Parameters(paramLabel = "PROJECT")
        String project;

        @Option(names = "--class", paramLabel = "ID", required = true, description = "The environment class.")
        String environmentClass;

        @Option(names = "--wait", description = "Wait until it ends; exit 1 if it failed.")
        boolean await;

        Start(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() throws InterruptedException {
            String base = "/api/v1/projects/" + Paths.segment(project) + "/prebuilds";
            JsonNode prebuild = session.api().post(base, Map.of("environmentClassId", environmentClass), ApiClient.DEFAULT_TIMEOUT);
            JsonNode answer = JsonNodeFactory.instance.objectNode().set("prebuild", prebuild);
            while (await && RUNNING.equals(prebuild.path("status").asText())) {
                Thread.sleep(Duration.ofMillis(500));
                answer = session.api().get(base + "/" + Paths.segment(prebuild.path("id").asText()));
                prebuild = answer.path("prebuild");
            }
            session.output().item(answer, prebuild, COLUMNS);
            if (await && !SUCCEEDED.equals(prebuild.path("status").asText())) {
                session.note("the prebuild failed: " + Column.text(prebuild.path("failureMessage")) + " (its log: warmbox prebuilds get "
                        + project + " " + prebuild.path("id").asText() + ")");
                return 1;
            }
            return ExitCodes.OK;
        }
    }
}
