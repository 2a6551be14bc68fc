package dev.warmbox.execution;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.warmbox.config.Limits;
import dev.warmbox.sandbox.Job;
import dev.warmbox.sandbox.Language;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns the body of {@code POST /execute} into a {@link Job}, or a {@link Rejection} that names the
 * field and what is wrong with it. Strict: unknown fields, duplicate keys and trailing data are refused.
 */
final class ExecuteRequestParser {
    private static final Set<String> FIELDS = Set.of("language", "code", "stdin", "args", "timeout_ms", "files");
    private static final Set<String> FILE_FIELDS = Set.of("name", "content");
    private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");

    private final ObjectMapper json;
    private final Limits limits;

    ExecuteRequestParser(Limits limits) {
        this.limits = limits;
        // Jackson's own ceilings (a 20 M-character string, for one) are not ours: any string the body limit
        // lets in is read, and then refused by the field's own limit, as a 413 naming it.
        int longest = (int) Math.min(Integer.MAX_VALUE, limits.maxRequestBytes());
        StreamReadConstraints constraints = StreamReadConstraints.builder()
                .maxStringLength(Math.max(longest, StreamReadConstraints.DEFAULT_MAX_STRING_LEN)).build();
        JsonMapper mapper = JsonMapper.builder()
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build();
        mapper.getFactory().setStreamReadConstraints(constraints);
        this.json = mapper;
    }

    Job parse(byte[] body) {
        JsonNode root = readObject(body);
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) throw Rejection.invalid("unknown field '" + name + "'; allowed: " + String.join(", ", FIELDS.stream().sorted().toList()));
        }
        String languageName = requiredString(root, "language");
        Language language = Language.byName(languageName).orElseThrow(() -> Rejection.invalid(
                "language must be one of " + String.join(", ", Language.names())
                        + " (or py, node, js, golang), got '" + languageName + "'"));
        String code = requiredString(root, "code");
        limitBytes("code", code, limits.codeBytes());
        String stdin = optionalString(root, "stdin");
        limitBytes("stdin", stdin, limits.stdinBytes());
        List<Job.SourceFile> files = files(root, language.sourceFile(code));
        return new Job(language, code, stdin, args(root), files, timeout(root), limits.compileTimeout(),
                limits.outputBytes());
    }

    private JsonNode readObject(byte[] body) {
        if (body.length == 0) throw Rejection.invalid("the body is empty; send a JSON object");
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (StreamConstraintsException e) {
            throw Rejection.tooLarge("the body holds a JSON value beyond what any valid request needs; the largest body is "
                    + limits.maxRequestBytes() + " bytes (" + Limits.MAX_REQUEST_RULE + ")");
        } catch (JsonProcessingException e) {
            // The parser's own words name its classes and internals; the client gets where, not how.
            var at = e.getLocation();
            throw Rejection.invalid("the body is not valid JSON" + (at == null || at.getLineNr() < 1 ? ""
                    : " (at line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
        } catch (IOException e) {
            throw Rejection.invalid("the body could not be read as JSON");
        }
        if (root == null || !root.isObject()) throw Rejection.invalid("the body must be a JSON object");
        return root;
    }

    private static String requiredString(JsonNode node, String field) {
        return requiredString(node, field, field);
    }

    /** {@code shownAs} is how the message names the field, e.g. "files[2].name". */
    private static String requiredString(JsonNode node, String field, String shownAs) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) throw Rejection.invalid(shownAs + " is required");
        if (!value.isTextual()) throw Rejection.invalid(shownAs + " must be a string, got " + typeOf(value));
        if (value.asText().isEmpty()) throw Rejection.invalid(shownAs + " must not be empty");
        return value.asText();
    }

    private static String optionalString(JsonNode node, String field) {
        return optionalString(node, field, field);
    }

    private static String optionalString(JsonNode node, String field, String shownAs) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) return "";
        if (!value.isTextual()) throw Rejection.invalid(shownAs + " must be a string, got " + typeOf(value));
        return value.asText();
    }

    private static String variableOf(String field) {
        if (field.equals("code")) return "WARMBOX_CODE_MAX";
        if (field.startsWith("files")) return "WARMBOX_FILE_MAX";
        return "WARMBOX_STDIN_MAX"; // stdin, and args, which share its limit
    }

    private static void limitBytes(String field, String value, int max) {
        int size = value.getBytes(StandardCharsets.UTF_8).length;
        if (size > max) throw Rejection.tooLarge(field + " is " + size + " bytes; the limit is " + max + " (" + variableOf(field) + ")");
    }

    private List<String> args(JsonNode root) {
        JsonNode value = root.get("args");
        if (value == null || value.isNull()) return List.of();
        if (!value.isArray()) throw Rejection.invalid("args must be an array of strings, got " + typeOf(value));
        if (value.size() > limits.maxArgs()) throw Rejection.invalid("args has " + value.size() + " items; the limit is " + limits.maxArgs());
        List<String> args = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            JsonNode arg = value.get(i);
            if (!arg.isTextual()) throw Rejection.invalid("args[" + i + "] must be a string, got " + typeOf(arg));
            if (arg.asText().indexOf('\0') >= 0) throw Rejection.invalid("args[" + i + "] must not contain NUL");
            args.add(arg.asText());
        }
        limitBytes("args", String.join("", args), limits.stdinBytes());
        return args;
    }

    private Duration timeout(JsonNode root) {
        JsonNode value = root.get("timeout_ms");
        if (value == null || value.isNull()) return limits.defaultTimeout();
        long max = limits.maxTimeout().toMillis();
        if (!value.canConvertToExactIntegral() || value.asLong() < 1 || value.asLong() > max) {
            throw Rejection.invalid("timeout_ms must be an integer from 1 to " + max + ", got " + value);
        }
        return Duration.ofMillis(value.asLong());
    }

    private List<Job.SourceFile> files(JsonNode root, String sourceFile) {
        JsonNode value = root.get("files");
        if (value == null || value.isNull()) return List.of();
        if (!value.isArray()) throw Rejection.invalid("files must be an array of {name, content}, got " + typeOf(value));
        if (value.size() > limits.maxFiles()) throw Rejection.tooLarge("files has " + value.size() + " items; the limit is " + limits.maxFiles());
        Set<String> seen = new HashSet<>(Set.of(sourceFile));
        List<Job.SourceFile> files = new ArrayList<>();
        for (int i = 0; i < value.size(); i++) {
            String where = "files[" + i + "]";
            JsonNode file = value.get(i);
            if (!file.isObject()) throw Rejection.invalid(where + " must be an object {name, content}, got " + typeOf(file));
            file.fieldNames().forEachRemaining(f -> {
                if (!FILE_FIELDS.contains(f)) throw Rejection.invalid("unknown field '" + f + "' in " + where);
            });
            String name = requiredString(file, "name", where + ".name");
            if (!FILE_NAME.matcher(name).matches() || name.contains("..")) {
                throw Rejection.invalid(where + ".name must be a plain file name (letters, digits, '.', '_', '-'; "
                        + "no path, no '..', at most 128 characters), got '" + printable(name) + "'");
            }
            if (!seen.add(name)) throw Rejection.invalid(where + ".name '" + name + "' is used twice or by the program itself");
            String content = optionalString(file, "content", where + ".content");
            limitBytes(where + ".content", content, limits.fileBytes());
            files.add(new Job.SourceFile(name, content));
        }
        return files;
    }

    private static String typeOf(JsonNode value) {
        return value.getNodeType().name().toLowerCase();
    }

    private static String printable(String s) {
        String shown = s.length() > 64 ? s.substring(0, 64) + "..." : s;
        return shown.replaceAll("\\p{Cntrl}", "?");
    }
}
