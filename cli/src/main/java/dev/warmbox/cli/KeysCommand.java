package dev.warmbox.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code /api/v1/api-keys}: API keys (admins). */
@Command(name = "keys", description = "API keys, for admins (list by default).",
        subcommands = {KeysCommand.Create.class, KeysCommand.Delete.class})
final class KeysCommand implements Callable<Integer> {
    static final List<Column> COLUMNS = List.of(
            Column.of("ID", "/id"), Column.of("NAME", "/name"), Column.of("ROLE", "/role"), Column.of("CREATED", "/createdAt"));

    private final Session session;

    KeysCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        session.output().list(session.api().get("/api/v1/api-keys"), "apiKeys", "API keys", COLUMNS);
        return ExitCodes.OK;
    }

    @Command(name = "create", description = "Create a key; its secret is printed once and not kept by the server.")
    static final class Create implements Callable<Integer> {
        private final Session session;

        @Option(names = "--name", required = true, description = "Who or what the key is for.")
        String name;

        @Option(names = "--role", defaultValue = "member", description = "member (default) or admin.")
        String role;

        Create(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() {
            JsonNode key = session.api().post("/api/v1/api-keys", Map.of("name", name, "role", role), ApiClient.DEFAULT_TIMEOUT);
            Output output = session.output();
            output.item(key, key, List.of(Column.of("ID", "/id"), Column.of("NAME", "/name"), Column.of("ROLE", "/role"),
                    Column.of("KEY", "/key")));
            if (output.format() == Format.table) session.note("the key is shown only now; the server keeps only its hash");
            return ExitCodes.OK;
        }
    }

    @Command(name = "delete", description = "Revoke a key: it stops working at once.")
    static final class Delete implements Callable<Integer> {
        private final Session session;

        @Parameters(paramLabel = "ID")
        String id;

        Delete(Session session) {
            this.session = session;
        }

        @Override
        public Integer call() {
            session.api().delete("/api/v1/api-keys/" + Paths.segment(id));
            Output output = session.output();
            if (output.format() == Format.table) session.out.println("deleted API key " + id);
            else output.whole(JsonNodeFactory.instance.objectNode().put("id", id).put("deleted", true));
            return ExitCodes.OK;
        }
    }
}
