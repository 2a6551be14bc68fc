package dev.warmbox.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code /api/v1/projects}: where environments' code comes from. */
@Command(name = "projects", description = "Projects (list by default).", subcommands = ProjectsCommand.Get.class)
final class ProjectsCommand implements Callable<Integer> {
    static final List<Column> COLUMNS = List.of(
            Column.of("ID", "/id"), Column.of("NAME", "/name"), Column.of("IMAGE", "/source/image"),
            new Column("GIT", ProjectsCommand::git), Column.of("CLASSES", "/prebuildEnvironmentClassIds"),
            Column.of("IDE_PORT", "/idePort"), Column.of("CREATED", "/createdAt"));
    static final List<Column> FIELDS = List.of(
            Column.of("ID", "/id"), Column.of("NAME", "/name"), Column.of("IMAGE", "/source/image"),
            new Column("GIT", ProjectsCommand::git), Column.of("CLASSES", "/prebuildEnvironmentClassIds"),
            Column.of("PREBUILD_COMMANDS", "/prebuildCommands"), Column.of("POST_CREATE", "/postCreateCommand"),
            Column.of("POST_START", "/postStartCommand"), Column.of("POST_ATTACH", "/postAttachCommand"),
            Column.of("IDE_PORT", "/idePort"), Column.of("USER", "/user"),
            Column.of("CREATED", "/createdAt"), Column.of("UPDATED", "/updatedAt"));

    private final Session session;

    ProjectsCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        session.output().list(session.api().get("/api/v1/projects"), "projects", "projects", COLUMNS);
        return ExitCodes.OK;
    }

    private static String git(JsonNode project) {
        JsonNode git = project.at("/source/git");
        if (!git.isObject()) return "-";
        String ref = git.path("ref").asText("");
        return git.path("url").asText("") + (ref.isEmpty() || ref.equals("null") ? "" : "@" + ref);
    }

    @Command(name = "get", description = "One project.")
    static final class Get implements Callable<Integer> {
        private final Session session;

        @Parameters(paramLabel = "ID")
        String id;

        Get(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() {
            JsonNode answer = session.api().get("/api/v1/projects/" + Paths.segment(id));
            session.output().item(answer, answer, FIELDS);
            return ExitCodes.OK;
        }
    }
}
