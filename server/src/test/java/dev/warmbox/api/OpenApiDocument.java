package dev.warmbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialects;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The API document as tests read it: its operations, the routes a server serves that it lacks, and
 * whether an answer matches the schema it declares for the answer's path, method and status. Schemas are
 * checked by networknt's json-schema-validator in OpenAPI 3.1's dialect (JSON Schema 2020-12), with
 * formats (date-time, uri) asserted.
 */
public final class OpenApiDocument {
    /** Where the validator reads the document: the very file the server serves (ApiDocsTest checks they are equal). */
    public static final String LOCATION = "classpath:" + ApiDocs.DOCUMENT_RESOURCE;
    /**
     * Served paths that are pages for people, not API: the browsable API page, and static files of
     * a dashboard. Only whole static-file mounts belong here; a new API route missing from the document
     * must fail {@link #undocumented}.
     */
    public static final List<String> NOT_API = List.of(ApiDocs.PAGE_PATH, "/ui/");
    /** The methods a handler that takes any method (the environment router) is documented with. */
    public static final List<String> ANY_METHOD = List.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS");
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");
    private static final Pattern PARAMETER = Pattern.compile("\\{[^}/]+\\}|<[^>/]+>");

    private final JsonNode root;
    private final SchemaRegistry schemas = SchemaRegistry.withDialect(Dialects.getOpenApi31(),
            builder -> builder.schemaRegistryConfig(SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));

    private OpenApiDocument(JsonNode root) {
        this.root = root;
    }

    public static OpenApiDocument load() {
        try (InputStream in = OpenApiDocument.class.getClassLoader().getResourceAsStream(ApiDocs.DOCUMENT_RESOURCE)) {
            if (in == null) throw new AssertionError("no " + ApiDocs.DOCUMENT_RESOURCE + " on the class path");
            return new OpenApiDocument(new YAMLMapper().readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public JsonNode root() {
        return root;
    }

    /** Every operation as {@code "METHOD /path/{param}"}. */
    public Set<String> operations() {
        Set<String> operations = new TreeSet<>();
        root.get("paths").properties().forEach(path -> path.getValue().properties().forEach(entry -> {
            if (METHODS.contains(entry.getKey())) operations.add(entry.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey());
        }));
        return operations;
    }

    /** The served routes ({@code "METHOD /path"}, any parameter names) the document lacks, pages for people left out. */
    public List<String> undocumented(Collection<String> served) {
        Set<String> documented = new TreeSet<>(operations().stream().map(OpenApiDocument::shape).toList());
        return served.stream().filter(route -> NOT_API.stream().noneMatch(prefix -> route.substring(route.indexOf(' ') + 1).startsWith(prefix)))
                .filter(route -> !documented.contains(shape(route))).sorted().toList();
    }

    /** The documented operations no served route answers: a document describing what is gone. */
    public List<String> unserved(Collection<String> served) {
        Set<String> shapes = new TreeSet<>(served.stream().map(OpenApiDocument::shape).toList());
        return operations().stream().filter(operation -> !shapes.contains(shape(operation))).toList();
    }

    /** A route with its parameters unnamed, so {@code /a/{id}} and {@code /a/{name}} compare equal. */
    static String shape(String route) {
        return PARAMETER.matcher(route).replaceAll("{}");
    }

    /** The documented path template a concrete request path falls under; the most literal one wins. */
    public String templateOf(String path) {
        List<String> matching = new ArrayList<>();
        for (Iterator<String> it = root.get("paths").fieldNames(); it.hasNext(); ) {
            String template = it.next();
            if (Pattern.compile(regexOf(template)).matcher(path).matches()) matching.add(template);
        }
        return matching.stream().min(Comparator.comparingInt((String t) -> PARAMETER.matcher(t).results().mapToInt(m -> m.group().length()).sum()))
                .orElseThrow(() -> new AssertionError("no documented path matches " + path));
    }

    private static String regexOf(String template) {
        StringBuilder regex = new StringBuilder();
        int at = 0;
        var parameters = PARAMETER.matcher(template);
        while (parameters.find()) {
            regex.append(Pattern.quote(template.substring(at, parameters.start())));
            // {path} under /environments/{id}/ is the rest of the path, slashes and all.
            regex.append(parameters.group().equals("{path}") ? ".+" : "[^/]+");
            at = parameters.end();
        }
        return regex.append(Pattern.quote(template.substring(at))).toString();
    }

    /**
     * What is wrong with an answer according to the document: nothing declared for its status, a body
     * where none is declared, a media type not declared, or the body against the declared schema.
     *
     * @param path the request's path; its template is found with {@link #templateOf}
     */
    public List<String> violations(String method, String path, int status, String contentType, String body) {
        String template = templateOf(path);
        String operation = "/paths/" + token(template) + "/" + method.toLowerCase(Locale.ROOT);
        if (root.at(operation).isMissingNode()) return List.of(method + " " + template + " is not in the document");
        Declared declared = declared(operation, status);
        String answer = method + " " + template + " " + status;
        if (declared == null) return List.of(answer + ": the document declares no response for it (nor " + status / 100 + "XX, nor default)");
        JsonNode content = root.at(declared.pointer() + "/content");
        if (content.isMissingNode()) {
            // "default" without content is an answer the server passes on (the IDE's); anything else declared bare has no body.
            boolean bodiless = body == null || body.isEmpty() || method.equals("HEAD") || status / 100 == 3;
            return bodiless || declared.key().equals("default") ? List.of() : List.of(answer + " is documented without a body, but it had one: " + body);
        }
        String mediaType = contentType == null ? "" : contentType.split(";")[0].strip().toLowerCase(Locale.ROOT);
        if (!content.has(mediaType)) {
            return List.of(answer + " answered '" + mediaType + "'; the document declares " + content.properties().stream().map(Map.Entry::getKey).toList());
        }
        if (!mediaType.equals("application/json")) return List.of();
        String schemaPointer = declared.pointer() + "/content/" + token(mediaType) + "/schema";
        Schema schema = schemas.getSchema(SchemaLocation.of(LOCATION + "#" + schemaPointer.replace("{", "%7B").replace("}", "%7D")));
        return schema.validate(body, InputFormat.JSON).stream().map(e -> answer + ": " + e + " in " + body).toList();
    }

    /** What is wrong with a body against one of the document's named schemas, e.g. {@code Error}. */
    public List<String> violationsOf(String schemaName, String body) {
        if (root.at("/components/schemas/" + token(schemaName)).isMissingNode()) return List.of("the document has no schema " + schemaName);
        Schema schema = schemas.getSchema(SchemaLocation.of(LOCATION + "#/components/schemas/" + token(schemaName)));
        return schema.validate(body, InputFormat.JSON).stream().map(e -> schemaName + ": " + e + " in " + body).toList();
    }

    /** Where a response is declared in the document, and under which key of the operation's responses. */
    private record Declared(String pointer, String key) {}

    /** The response declared for the status: exact, then its range, then default; its $ref followed. */
    private Declared declared(String operation, int status) {
        JsonNode responses = root.at(operation + "/responses");
        for (String key : List.of(Integer.toString(status), status / 100 + "XX", "default")) {
            if (!responses.has(key)) continue;
            String pointer = operation + "/responses/" + token(key);
            JsonNode ref = root.at(pointer + "/$ref");
            return new Declared(ref.isMissingNode() ? pointer : ref.asText().substring(1), key);
        }
        return null;
    }

    /** A JSON pointer token (RFC 6901). */
    static String token(String name) {
        return name.replace("~", "~0").replace("/", "~1");
    }
}
