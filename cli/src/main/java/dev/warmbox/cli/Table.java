package dev.warmbox.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** Readable columns: a header line and one line per item, each column as wide as its widest cell. */
final class Table {
    private Table() {}

    static String render(List<Column> columns, List<JsonNode> items) {
        List<List<String>> lines = new ArrayList<>();
        lines.add(columns.stream().map(Column::header).toList());
        for (JsonNode item : items) lines.add(columns.stream().map(c -> oneLine(c.value().apply(item))).toList());
        int[] widths = new int[columns.size()];
        for (List<String> line : lines) {
            for (int i = 0; i < widths.length; i++) widths[i] = Math.max(widths[i], line.get(i).length());
        }
        StringBuilder text = new StringBuilder();
        for (List<String> line : lines) {
            for (int i = 0; i < widths.length; i++) {
                String cell = line.get(i);
                text.append(cell);
                if (i < widths.length - 1) text.append(" ".repeat(widths[i] - cell.length() + 2));
            }
            text.append('\n');
        }
        return text.toString();
    }

    /** One item as "FIELD  value" lines, for commands that show a single thing. */
    static String fields(List<Column> fields, JsonNode item) {
        int width = fields.stream().mapToInt(f -> f.header().length()).max().orElse(0);
        StringBuilder text = new StringBuilder();
        for (Column field : fields) {
            text.append(field.header()).append(":").append(" ".repeat(width - field.header().length() + 1))
                    .append(oneLine(field.value().apply(item))).append('\n');
        }
        return text.toString();
    }

    private static String oneLine(String cell) {
        return cell == null ? "-" : cell.replace("\r", "").replace('\n', ' ').replace('\t', ' ');
    }
}
