package dev.warmbox.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.NotFoundResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;

/**
 * The API's description and a page to browse it, both without a key: {@code GET /openapi.json}, the
 * hand-maintained {@code openapi.yaml} beside this class (read once at start-up, so a document that
 * does not parse stops the server, and served as JSON), and {@code /docs/}, Swagger UI from its webjar
 * served out of the jar. The page may load only this server's files (Content-Security-Policy), so
 * nothing is fetched from elsewhere at run time.
 */
public final class ApiDocs {
    static final String DOCUMENT_PATH = "/openapi.json";
    static final String PAGE_PATH = "/docs/";
    /** Only this server; data: images are the icons inlined in Swagger UI's own stylesheet. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data:; object-src 'none'; "
            + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    static final String DOCUMENT_RESOURCE = "dev/warmbox/api/openapi.yaml";
    private static final String OWN_FILES = "dev/warmbox/api/docs/";
    private static final String WEBJAR_PROPERTIES = "META-INF/maven/org.webjars/swagger-ui/pom.properties";
    /** The page's files: our own two, and the three Swagger UI files the page uses; nothing else of the webjar is served. */
    private static final Map<String, String> FILES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "docs.js", "text/javascript; charset=utf-8",
            "swagger-ui-bundle.js", "text/javascript; charset=utf-8",
            "swagger-ui.css", "text/css; charset=utf-8",
            "favicon-32x32.png", "image/png");

    private final byte[] document;
    private final String swaggerUi;

    public ApiDocs() {
        this.document = documentAsJson();
        this.swaggerUi = "META-INF/resources/webjars/swagger-ui/" + webjarVersion() + "/";
    }

    /** Paths served without an API key. */
    public static boolean isPublic(String path) {
        return path.equals(DOCUMENT_PATH) || path.equals("/docs") || path.startsWith(PAGE_PATH);
    }

    public void install(JavalinConfig config) {
        config.routes.get(DOCUMENT_PATH, ctx -> ctx.contentType("application/json").header("Cache-Control", "no-cache").result(document));
        // Javalin ignores trailing slashes, so this serves /docs too; the page names its files by absolute path.
        config.routes.get(PAGE_PATH, ctx -> file(ctx, "index.html"));
        config.routes.get(PAGE_PATH + "{file}", ctx -> file(ctx, ctx.pathParam("file")));
    }

    /** The document as the server serves it. */
    byte[] document() {
        return document.clone();
    }

    private void file(Context ctx, String name) {
        String type = FILES.get(name);
        if (type == null) throw new NotFoundResponse("no such file of the API page: " + name);
        String resource = name.startsWith("swagger-ui") || name.startsWith("favicon") ? swaggerUi + name : OWN_FILES + name;
        InputStream content = ApiDocs.class.getClassLoader().getResourceAsStream(resource);
        if (content == null) throw new IllegalStateException("the jar lacks " + resource);
        ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                .header("X-Content-Type-Options", "nosniff")
                .header("Cache-Control", name.startsWith("swagger-ui") ? "public, max-age=86400" : "no-cache")
                .contentType(type)
                .result(content);
    }

    private static byte[] documentAsJson() {
        try (InputStream yaml = resource(DOCUMENT_RESOURCE)) {
            JsonNode tree = new YAMLMapper().readTree(yaml);
            ObjectMapper json = JsonMapper.builder().build();
            return json.writeValueAsBytes(tree);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the API document " + DOCUMENT_RESOURCE, e);
        }
    }

    private static String webjarVersion() {
        try (InputStream in = resource(WEBJAR_PROPERTIES)) {
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + WEBJAR_PROPERTIES, e);
        }
    }

    private static InputStream resource(String name) {
        InputStream in = ApiDocs.class.getClassLoader().getResourceAsStream(name);
        if (in == null) throw new IllegalStateException("the jar lacks " + name);
        return in;
    }
}
