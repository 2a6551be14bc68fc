package dev.warmbox.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Prints an answer in the chosen format: a table of the fields that matter, or the server's whole
 * answer as JSON or YAML (for scripts: nothing is dropped or renamed).
 */
final class Output {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final YAMLMapper YAML = YAMLMapper.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .build();

    private final Format format;
    private final PrintStream out;
    private final PrintStream err;

    Output(Format format, PrintStream out, PrintStream err) {
        this.format = format;
        this.out = out;
        this.err = err;
    }

    Format format() {
        return format;
    }

    /** A list answer: {@code answer.field} is the array; an empty one says so on stderr in a table. */
    void list(JsonNode answer, String field, String noun, List<Column> columns) {
        if (format != Format.table) {
            whole(answer);
            return;
        }
        List<JsonNode> items = new ArrayList<>();
        answer.path(field).forEach(items::add);
        if (items.isEmpty()) {
            err.println("warmbox: no " + noun);
            return;
        }
        out.print(Table.render(columns, items));
    }

    /** One item: the whole answer as JSON or YAML, or the chosen fields of {@code item} one per line. */
    void item(JsonNode answer, JsonNode item, List<Column> fields) {
        if (format != Format.table) whole(answer);
        else out.print(Table.fields(fields, item));
    }

    void whole(JsonNode answer) {
        out.print(render(format == Format.table ? Format.json : format, answer));
    }

    static String render(Format format, JsonNode answer) {
        try {
            return format == Format.yaml ? YAML.writeValueAsString(answer) : JSON.writeValueAsString(answer) + "\n";
        } catch (JsonProcessingException e) {
            throw new CliException(ExitCodes.INTERNAL, "cannot print the answer as " + format + ": " + e.getOriginalMessage(), e);
        }
    }
}
