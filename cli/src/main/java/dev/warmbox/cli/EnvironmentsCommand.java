package dev.warmbox.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code /api/v1/environments}: development environments, members' own, admins' all. */
@Command(name = "environments", aliases = "envs", description = "Development environments (list by default).",
        subcommands = {EnvironmentsCommand.Get.class, EnvironmentsCommand.Claim.class, EnvironmentsCommand.Delete.class,
                EnvironmentsCommand.Open.class})
final class EnvironmentsCommand implements Callable<Integer> {
    static final List<Column> COLUMNS = List.of(
            Column.of("ID", "/id"), Column.of("PROJECT", "/metadata/projectId"), Column.of("CLASS", "/metadata/environmentClassId"),
            Column.of("PHASE", "/status/phase"), Column.of("WARM", "/warm"), Column.of("OWNER", "/metadata/creatorId"),
            Column.of("CREATED", "/metadata/createdAt"), Column.of("URL", "/url"));
    static final List<Column> FIELDS = List.of(
            Column.of("ID", "/id"), Column.of("PROJECT", "/metadata/projectId"), Column.of("CLASS", "/metadata/environmentClassId"),
            Column.of("POOL", "/metadata/warmPoolId"), Column.of("PHASE", "/status/phase"), Column.of("FAILURE", "/status/failureMessage"),
            Column.of("WARM", "/warm"), Column.of("ROUTE_ACTIVE", "/status/routeActive"), Column.of("OWNER", "/metadata/creatorId"),
            Column.of("CREATED", "/metadata/createdAt"), Column.of("READY", "/status/readyAt"), Column.of("URL", "/url"),
            Column.of("ACCESS_LINK", "/accessUrl"));

    private final Session session;

    EnvironmentsCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        session.output().list(session.api().get("/api/v1/environments"), "environments", "environments", COLUMNS);
        return ExitCodes.OK;
    }

    static String path(String id) {
        return "/api/v1/environments/" + Paths.segment(id);
    }

    @Command(name = "get", description = "One environment.")
    static final class Get implements Callable<Integer> {
        private final Session session;

        @Parameters(paramLabel = "ID")
        String id;

        Get(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() {
            JsonNode answer = session.api().get(path(id));
            session.output().item(answer, answer.path("environment"), FIELDS);
            return ExitCodes.OK;
        }
    }

    @Command(name = "claim", description = "Claim an environment of a project and class: from the warm pool, else a cold start.")
    static final class Claim implements Callable<Integer> {
        private final Session session;

        @Option(names = "--project", paramLabel = "ID", required = true)
        String project;

        @Option(names = "--class", paramLabel = "ID", required = true)
        String environmentClass;

        @Option(names = "--env", paramLabel = "NAME=VALUE", description = "A variable for the IDE (repeatable).")
        Map<String, String> env = new LinkedHashMap<>();

        @Option(names = "--secret", paramLabel = "NAME=VALUE", description = "A secret replacing the project's placeholder (repeatable).")
        Map<String, String> secrets = new LinkedHashMap<>();

        Claim(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("projectId", project);
            body.put("environmentClassId", environmentClass);
            if (!env.isEmpty()) body.put("env", env);
            if (!secrets.isEmpty()) body.put("secrets", secrets);
            JsonNode answer = session.api().post("/api/v1/environments", body, ApiClient.DEFAULT_TIMEOUT);
            session.output().item(answer, answer.path("environment"), FIELDS);
            return ExitCodes.OK;
        }
    }

    @Command(name = "delete", description = "Delete an environment (its instance is reset or destroyed by the pool's policy).")
    static final class Delete implements Callable<Integer> {
        private final Session session;

        @Parameters(paramLabel = "ID")
        String id;

        Delete(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() {
            session.api().delete(path(id));
            Output output = session.output();
            if (output.format() == Format.table) session.out.println("deleted environment " + id);
            else output.whole(JsonNodeFactory.instance.objectNode().put("id", id).put("deleted", true));
            return ExitCodes.OK;
        }
    }

    @Command(name = "open", description = {"Print a new access link for a browser (the owner only).",
            "The server makes a new token for it: links and browser sessions of the environment made before stop working."})
    static final class Open implements Callable<Integer> {
        private final Session session;

        @Parameters(paramLabel = "ID")
        String id;

        Open(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() {
            JsonNode environment = session.api().get(path(id)).path("environment");
            JsonNode answer = session.api().post(path(id) + "/access-link", Map.of(), ApiClient.DEFAULT_TIMEOUT);
            String phase = environment.at("/status/phase").asText();
            if (!phase.equals("ENVIRONMENT_PHASE_RUNNING")) session.note("the environment is " + phase + "; its link answers once it is ENVIRONMENT_PHASE_RUNNING");
            Output output = session.output();
            if (output.format() == Format.table) session.out.println(answer.path("accessUrl").asText());
            else output.whole(answer);
            return ExitCodes.OK;
        }
    }
}
