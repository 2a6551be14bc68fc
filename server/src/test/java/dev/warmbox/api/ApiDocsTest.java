package dev.warmbox.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.InputFormat;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The document itself, without a server: valid OpenAPI 3.1 as swagger-parser reads it, every schema
 * compiling in 3.1's dialect, the served JSON equal to the YAML it is written in, the error shape on
 * every refusal, both ways to send a key, and the coverage check catching a route left out.
 */
class ApiDocsTest {
    private static final OpenApiDocument DOCUMENT = OpenApiDocument.load();

    @Test
    void isValidOpenApi31AsSwaggerParserReadsIt() throws IOException {
        String yaml;
        try (var in = getClass().getClassLoader().getResourceAsStream(ApiDocs.DOCUMENT_RESOURCE)) {
            yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult result = new OpenAPIV3Parser().readContents(yaml, null, options);
        assertThat(result.getMessages()).as("swagger-parser's complaints").isEmpty();
        OpenAPI api = result.getOpenAPI();
        assertThat(api.getOpenapi()).isEqualTo("3.1.0");
        assertThat(api.getPaths()).as("every path read").hasSize(DOCUMENT.root().get("paths").size());
    }

    @Test
    void swaggerParserComplainsAboutABrokenDocument() {
        String broken = "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n"
                + "        '200': {$ref: '#/components/responses/Missing'}\n      parameters: [{name: id, in: nowhere}]\n";
        assertThat(new OpenAPIV3Parser().readContents(broken, null, new ParseOptions()).getMessages())
                .as("so its silence about ours means something").isNotEmpty();
    }

    @Test
    void everySchemaCompilesInOpenApi31sDialect() {
        SchemaRegistry registry = SchemaRegistry.withDialect(Dialects.getOpenApi31());
        List<String> failures = new ArrayList<>();
        DOCUMENT.root().at("/components/schemas").properties().forEach(entry -> {
            try {
                // Validating anything makes the validator resolve every $ref the schema reaches.
                registry.getSchema(SchemaLocation.of(OpenApiDocument.LOCATION + "#/components/schemas/" + entry.getKey()))
                        .validate("{}", InputFormat.JSON);
            } catch (RuntimeException e) {
                failures.add(entry.getKey() + ": " + e);
            }
        });
        assertThat(failures).isEmpty();
    }

    @Test
    void servesTheYamlAsJson() throws IOException {
        JsonNode served = new ObjectMapper().readTree(new ApiDocs().document());
        assertThat(served).as("/openapi.json is openapi.yaml, unchanged").isEqualTo(DOCUMENT.root());
    }

    @Test
    void everyRefusalHasTheErrorShapeAndEveryKeyedOperationItsUnauthorized() {
        List<String> wrong = new ArrayList<>();
        DOCUMENT.root().get("paths").properties().forEach(path -> path.getValue().properties().forEach(op -> {
            if (!op.getValue().has("responses")) return;
            String name = op.getKey().toUpperCase() + " " + path.getKey();
            boolean public_ = op.getValue().has("security") && op.getValue().get("security").isEmpty();
            JsonNode responses = op.getValue().get("responses");
            if (!public_ && !responses.has("401") && !responses.has("4XX")) wrong.add(name + " needs a key but declares no 401");
            responses.properties().forEach(response -> {
                char kind = response.getKey().charAt(0);
                if (kind != '4' && kind != '5') return;
                // Readiness answers probes in its own shape: {"status": "not_ready", "reasons": [...]}.
                if (name.equals("GET /health/ready")) return;
                JsonNode declared = response.getValue().has("$ref")
                        ? DOCUMENT.root().at(response.getValue().get("$ref").asText().substring(1)) : response.getValue();
                if (!declared.at("/content/application~1json/schema/$ref").asText().equals("#/components/schemas/Error")) {
                    wrong.add(name + " " + response.getKey() + " is not the error shape");
                }
            });
        }));
        assertThat(wrong).isEmpty();
    }

    @Test
    void documentsBothWaysToSendAKey() {
        OpenAPI api = new OpenAPIV3Parser().readLocation(ApiDocs.DOCUMENT_RESOURCE, null, new ParseOptions()).getOpenAPI();
        Map<String, SecurityScheme> schemes = api.getComponents().getSecuritySchemes();
        assertThat(schemes.get("apiKey").getType()).isEqualTo(SecurityScheme.Type.APIKEY);
        assertThat(schemes.get("apiKey").getIn()).isEqualTo(SecurityScheme.In.HEADER);
        assertThat(schemes.get("apiKey").getName()).isEqualTo("X-API-Key");
        assertThat(schemes.get("bearer").getType()).isEqualTo(SecurityScheme.Type.HTTP);
        assertThat(schemes.get("bearer").getScheme()).isEqualTo("bearer");
        assertThat(api.getSecurity()).as("either one, by default").hasSize(2)
                .allSatisfy(requirement -> assertThat(requirement).hasSize(1));
    }

    @Test
    void coverageCatchesARouteLeftOutButNotAPageForPeople() {
        List<String> served = List.of("POST /execute", "GET /api/v1/projects/{projectId}", "GET /api/v1/brand-new",
                "GET /docs/{file}", "GET /ui/", "GET /ui/<asset>");
        assertThat(DOCUMENT.undocumented(served)).as("parameter names do not matter; static pages are left out")
                .containsExactly("GET /api/v1/brand-new");
        assertThat(DOCUMENT.unserved(served)).as("what the document has and no server answers")
                .contains("GET /api/v1/warm-pools").doesNotContain("POST /execute");
    }

    @Test
    void findsTheTemplateOfAConcretePath() {
        assertThat(DOCUMENT.templateOf("/api/v1/projects/p1/prebuilds")).isEqualTo("/api/v1/projects/{id}/prebuilds");
        assertThat(DOCUMENT.templateOf("/environments/e1")).isEqualTo("/environments/{id}");
        assertThat(DOCUMENT.templateOf("/environments/e1/")).isEqualTo("/environments/{id}/");
        assertThat(DOCUMENT.templateOf("/environments/e1/static/app.js")).isEqualTo("/environments/{id}/{path}");
    }

    @Test
    void rejectsAnAnswerThatDoesNotMatch() {
        assertThat(DOCUMENT.violations("GET", "/api/v1/projects/x", 404, "application/json",
                "{\"error\":{\"code\":\"not_found\",\"message\":\"no project with id x\"}}")).isEmpty();
        assertThat(DOCUMENT.violations("GET", "/api/v1/projects/x", 404, "application/json", "{\"error\":\"not_found\"}"))
                .as("a string where the error object belongs").isNotEmpty();
        assertThat(DOCUMENT.violations("GET", "/health/live", 200, "application/json", "{\"status\":\"live\",\"extra\":1}"))
                .as("a field the document does not know").isNotEmpty();
        assertThat(DOCUMENT.violations("GET", "/health/live", 418, "application/json", "{}")).as("an undeclared status").isNotEmpty();
        assertThat(DOCUMENT.violations("GET", "/api/v1/api-keys", 200, "application/json",
                "{\"apiKeys\":[{\"id\":\"k\",\"name\":\"n\",\"role\":\"ADMIN\",\"createdAt\":\"yesterday\"}]}"))
                .as("formats are asserted: date-time").isNotEmpty();
    }
}
