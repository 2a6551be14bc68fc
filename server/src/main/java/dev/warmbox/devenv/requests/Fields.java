package dev.warmbox.devenv.requests;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warmbox.config.Limits;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a JSON request body field by field; every error names the field and says what is wrong. A value
 * over its limit (a text's length, an array's or object's entries) is a 413 naming the limit; a wrong one
 * is a 400.
 */
public final class Fields {
    public static final Pattern VARIABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
    static final int MAX_TEXT = 16 * 1024;
    private static final int MAX_VARIABLES = 256;

    private final JsonNode body;
    private final String prefix;

    private Fields(JsonNode body, String prefix) {
        this.body = body;
        this.prefix = prefix;
    }

    /**
     * Reads bodies for every room. Jackson's own ceilings (a 20 M-character string, for one) are not ours:
     * any string the body limit lets in is read, and then refused by its field's own limit, as a 413
     * naming it; what is beyond even that (nesting, a number's digits) is a 413 naming the body limit.
     */
    public static final class Reader {
        private final JsonMapper json;
        private final long maxBodyBytes;

        public Reader(long maxBodyBytes) {
            this.maxBodyBytes = maxBodyBytes;
            int longest = (int) Math.min(Integer.MAX_VALUE, maxBodyBytes);
            // Strict as POST /execute's parser: a field given twice, or data after the object, is refused
            // rather than read halfway by the parser's choice.
            this.json = JsonMapper.builder()
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    .build();
            json.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                    .maxStringLength(Math.max(longest, StreamReadConstraints.DEFAULT_MAX_STRING_LEN)).build());
        }

        /** The body's fields, once it is a JSON object of known fields only. */
        public Fields read(byte[] bytes, Set<String> known) {
            return new Fields(object(bytes, known), "");
        }

        /** The body as an object of known fields only (an empty body is an empty object). */
        public ObjectNode object(byte[] bytes, Set<String> known) {
            JsonNode body;
            try {
                body = bytes.length == 0 ? json.createObjectNode() : json.readTree(bytes);
            } catch (StreamConstraintsException e) {
                throw new DevEnvException(DevEnvException.Kind.TOO_LARGE, "payload_too_large", "the body holds a JSON value beyond what any "
                        + "valid request needs; the largest body is " + maxBodyBytes + " bytes (" + Limits.MAX_REQUEST_RULE + ")");
            } catch (IOException e) {
                // The parser's own words name its classes and internals; the client gets what, not how.
                throw new DevEnvException(DevEnvException.Kind.INVALID, "invalid_request", "the body is not valid JSON");
            }
            if (body == null || !body.isObject()) {
                throw new DevEnvException(DevEnvException.Kind.INVALID, "invalid_request", "the body must be a JSON object");
            }
            for (var names = body.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!known.contains(name)) throw DevEnvException.invalid(name, "is not a known field (known: " + String.join(", ", known) + ")");
            }
            return (ObjectNode) body;
        }
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
        limitLength(prefix + field, value);
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
        if (!node.isArray()) throw DevEnvException.invalid(prefix + field, "must be an array of at most " + maxItems + " strings");
        limitEntries(prefix + field, node, maxItems);
        List<String> values = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode item = node.get(i);
            if (!item.isTextual() || item.asText().isBlank() || item.asText().indexOf('\0') >= 0) {
                throw DevEnvException.invalid(prefix + field, "must contain only non-empty strings");
            }
            limitLength(prefix + field + "[" + i + "]", item.asText());
            values.add(item.asText());
        }
        return List.copyOf(values);
    }

    /** An object of variable names to string values, as for env and secrets. */
    public Map<String, String> variables(String field) {
        if (!has(field)) return Map.of();
        JsonNode node = body.get(field);
        if (!node.isObject()) throw DevEnvException.invalid(prefix + field, "must be an object of at most " + MAX_VARIABLES + " names to strings");
        limitEntries(prefix + field, node, MAX_VARIABLES);
        Map<String, String> values = new LinkedHashMap<>();
        for (var entry : node.properties()) {
            if (!VARIABLE_NAME.matcher(entry.getKey()).matches()) {
                throw DevEnvException.invalid(prefix + field + "." + entry.getKey(), "is not a variable name (letters, digits, '_', not starting with a digit)");
            }
            JsonNode value = entry.getValue();
            if (!value.isTextual() || value.asText().indexOf('\0') >= 0 || value.asText().contains("\n")) {
                throw DevEnvException.invalid(prefix + field + "." + entry.getKey(), "must be a string on one line");
            }
            limitLength(prefix + field + "." + entry.getKey(), value.asText());
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

    private static void limitLength(String field, String value) {
        if (value.length() > MAX_TEXT) {
            throw DevEnvException.tooLarge(field + " is " + value.length() + " characters; the limit is " + MAX_TEXT);
        }
    }

    private static void limitEntries(String field, JsonNode node, int max) {
        if (node.size() > max) throw DevEnvException.tooLarge(field + " has " + node.size() + " entries; the limit is " + max);
    }
}
