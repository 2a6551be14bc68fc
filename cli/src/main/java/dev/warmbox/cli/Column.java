package dev.warmbox.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** One column of a table: its header and how a row's value is read from the item's JSON. */
record Column(String header, Function<JsonNode, String> value) {

    /** The value at a JSON pointer such as {@code /status/phase}, as {@link #text} shows it. */
    static Column of(String header, String pointer) {
        return new Column(header, item -> text(item.at(pointer)));
    }

    /** Null and missing as "-", arrays joined by commas, objects as compact JSON, everything else as its text. */
    static String text(JsonNode value) {
        if (value == null || value.isMissingNode() || value.isNull()) return "-";
        if (value.isArray()) {
            if (value.isEmpty()) return "-";
            List<String> items = new ArrayList<>();
            value.forEach(item -> items.add(text(item)));
            return String.join(",", items);
        }
        if (value.isObject()) return value.isEmpty() ? "-" : value.toString();
        return value.asText();
    }
}
