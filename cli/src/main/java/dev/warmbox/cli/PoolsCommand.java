package dev.warmbox.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code GET /api/v1/warm-pool/status}: the execution pools, one row per runtime, and the hit rate. */
@Command(name = "pools", description = "The execution warm pools: size, available, in use and scaling per runtime, and the hit rate.")
final class PoolsCommand implements Callable<Integer> {
    static final List<Column> COLUMNS = List.of(
            Column.of("RUNTIME", "/runtime"), Column.of("SIZE", "/size"), Column.of("AVAILABLE", "/available"),
            Column.of("IN_USE", "/in_use"), Column.of("TARGET", "/target"), Column.of("MIN", "/min_size"),
            Column.of("MAX", "/max_size"), Column.of("WAITING", "/waiting"));

    private final Session session;

    PoolsCommand(Session session) {
        this.session = session;
    }

    @Override
    public Integer call() {
        JsonNode status = session.api().get("/api/v1/warm-pool/status");
        Output output = session.output();
        if (output.format() != Format.table) {
            output.whole(status);
            return ExitCodes.OK;
        }
        session.out.print(Table.render(COLUMNS, rows(status)));
        session.out.println(summary(status));
        return ExitCodes.OK;
    }

    /** One row per runtime: its pool's counts beside its scaling. */
    static List<JsonNode> rows(JsonNode status) {
        List<JsonNode> rows = new ArrayList<>();
        for (Map.Entry<String, JsonNode> pool : status.path("pools").properties()) {
            ObjectNode row = JsonNodeFactory.instance.objectNode().put("runtime", pool.getKey());
            if (pool.getValue().isObject()) row.setAll((ObjectNode) pool.getValue());
            JsonNode scaling = status.path("scaling").path(pool.getKey());
            if (scaling.isObject()) row.setAll((ObjectNode) scaling);
            rows.add(row);
        }
        return rows;
    }

    static String summary(JsonNode status) {
        return String.format(Locale.ROOT, "pools %s; hits %d, misses %d, hit rate %.1f%%",
                status.path("enabled").asBoolean(true) ? "enabled" : "disabled", status.path("total_hits").asLong(),
                status.path("total_misses").asLong(), 100 * status.path("hit_rate").asDouble());
    }
}
