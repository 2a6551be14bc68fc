package dev.warmbox.devenv;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads a JSON request body field by field; every error names the field and says what is wrong. */
public final class Fields {
    public static final Pattern VARIABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
    private static final int MAX_TEXT = 16 * 1024;

    private final JsonNode body;
    private final String prefix;

    private Fields(JsonNode body, String prefix) {
        this.body = body;
        this.prefix = prefix;
    }

    public static Fields parse(ObjectMapper json, byte[] bytes, Set<String> known) {
        JsonNode body;
        try {
            body = bytes.length == 0 ? json.createObjectNode() : json.readTree(bytes);
        } catch (IOException e) {
            throw new DevEnvException(DevEnvException.Kind.INVALID, "invalid_request", "the body is not valid JSON");
        }
        if (body == null || !body.isObject()) {
            throw new DevEnvException(DevEnvException.Kind.INVALID, "invalid_request", "the body must be a JSON object");
        }
        for (var names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) throw DevEnvException.invalid(name, "is not a known field (known: " + String.join(", ", known) + ")");
        }
        return new Fields(body, "");
    }

    public boolean has(String field) {
        return body.has(field) && !body.get(field).isNull();
    }

    /** Present in the body, even as null (PATCH: null clears a value). */
    public boolean present(String field) {
        return body.has(field);
    }

    public String text(String field, String fallback) {
        if (!has(field)) return fallback;
        JsonNode node = body.get(field);
        if (!node.isTextual()) throw DevEnvException.invalid(prefix + field, "must be a string");
        String value = node.asText();
        if (value.length() > MAX_TEXT) throw DevEnvException.invalid(prefix + field, "is longer than " + MAX_TEXT + " characters");
        if (value.indexOf('\0') >= 0) throw DevEnvException.invalid(prefix + field, "must not contain NUL");
        return value;
    }

    public String requiredText(String field) {
        String value = text(field, null);
        if (value == null || value.isBlank()) throw DevEnvException.invalid(prefix + field, "is required");
        return value.strip();
    }

    public Integer integer(String field, int min, int max) {
        if (!has(field)) return null;
        JsonNode node = body.get(field);
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.asInt() < min || node.asInt() > max) {
            throw DevEnvException.invalid(prefix + field, "must be an integer from " + min + " to " + max);
        }
        return node.asInt();
    }

    public Boolean bool(String field) {
        if (!has(field)) return null;
        JsonNode node = body.get(field);
        if (!node.isBoolean()) throw DevEnvException.invalid(prefix + field, "must be true or false");
        return node.asBoolean();
    }

    public Double number(String field, double min, double max) {
        if (!has(field)) return null;
        JsonNode node = body.get(field);
        if (!node.isNumber() || !(node.asDouble() >= min && node.asDouble() <= max)) {
            throw DevEnvException.invalid(prefix + field, "must be a number from " + min + " to " + max);
        }
        return node.asDouble();
    }

    public Long longValue(String field, long min, long max) {
        if (!has(field)) return null;
        JsonNode node = body.get(field);
        if (!node.isIntegralNumber() || !node.canConvertToLong() || node.asLong() < min || node.asLong() > max) {
            throw DevEnvException.invalid(prefix + field, "must be an integer from " + min + " to " + max);
        }
        return node.asLong();
    }

    public List<String> texts(String field, int maxItems) {
        if (!has(field)) return List.of();
        JsonNode node = body.get(field);
        if (!node.isArray() || node.size() > maxItems) throw DevEnvException.invalid(prefix + field, "must be an array of at most " + maxItems + " strings");
        List<String> values = new ArrayList<>();
        for (JsonNode item : node) {
            if (!item.isTextual() || item.asText().isBlank() || item.asText().length() > MAX_TEXT || item.asText().indexOf('\0') >= 0) {
                throw DevEnvException.invalid(prefix + field, "must contain only non-empty strings");
            }
            values.add(item.asText());
        }
        return List.copyOf(values);
    }

    /** An object of variable names to string values, as for env and secrets. */
    public Map<String, String> variables(String field) {
        if (!has(field)) return Map.of();
        JsonNode node = body.get(field);
        if (!node.isObject() || node.size() > 256) throw DevEnvException.invalid(prefix + field, "must be an object of at most 256 names to strings");
        Map<String, String> values = new LinkedHashMap<>();
        for (var entry : node.properties()) {
            if (!VARIABLE_NAME.matcher(entry.getKey()).matches()) {
                throw DevEnvException.invalid(prefix + field + "." + entry.getKey(), "is not a variable name (letters, digits, '_', not starting with a digit)");
            }
            JsonNode value = entry.getValue();
            if (!value.isTextual() || value.asText().length() > MAX_TEXT || value.asText().indexOf('\0') >= 0 || value.asText().contains("\n")) {
                throw DevEnvException.invalid(prefix + field + "." + entry.getKey(), "must be a string on one line");
            }
            values.put(entry.getKey(), value.asText());
        }
        return Map.copyOf(values);
    }

    public Fields object(String field) {
        if (!has(field)) return null;
        JsonNode node = body.get(field);
        if (!node.isObject()) throw DevEnvException.invalid(prefix + field, "must be an object");
        return new Fields(node, prefix + field + ".");
    }
}
