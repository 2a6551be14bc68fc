package dev.warmbox.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/**
 * The warmbox HTTP API over the JDK's client: JSON in, JSON out, the key in {@code X-API-Key}. Every
 * way a call can fail becomes a {@link CliException} with its exit code: the server's own error
 * message for an error answer, what went wrong with the connection otherwise.
 */
final class ApiClient {
    static final String API_KEY_HEADER = "X-API-Key";
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Settings settings;
    private final String apiKey;
    private final HttpClient http;

    ApiClient(Settings settings) {
        this.settings = settings;
        this.apiKey = settings.requireApiKey();
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    JsonNode get(String path) {
        return send(request(path, DEFAULT_TIMEOUT).GET());
    }

    JsonNode post(String path, Object body, Duration timeout) {
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new CliException(ExitCodes.INTERNAL, "cannot write the request for " + path + ": " + e.getOriginalMessage(), e);
        }
        return send(request(path, timeout).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json)));
    }

    JsonNode delete(String path) {
        return send(request(path, DEFAULT_TIMEOUT).DELETE());
    }

    private HttpRequest.Builder request(String path, Duration timeout) {
        return HttpRequest.newBuilder(URI.create(settings.server() + path)).timeout(timeout)
                .header(API_KEY_HEADER, apiKey).header("Accept", "application/json")
                .header("User-Agent", "warmbox-cli/" + Main.version());
    }

    private JsonNode send(HttpRequest.Builder builder) {
        HttpRequest request = builder.build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw unreachable(request, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(ExitCodes.INTERRUPTED, "interrupted while waiting for " + settings.server(), e);
        }
        int status = response.statusCode();
        if (status >= 200 && status < 300) return body(request, response);
        throw ServerError.of(status, response.body(), request.method() + " " + request.uri().getPath(), settings);
    }

    private JsonNode body(HttpRequest request, HttpResponse<String> response) {
        if (response.body() == null || response.body().isEmpty()) return MissingNode.getInstance();
        try {
            return JSON.readTree(response.body());
        } catch (JsonProcessingException e) {
            throw new CliException(ExitCodes.SERVER, settings.server() + " answered " + request.method() + " "
                    + request.uri().getPath() + " with something that is not JSON; is it a warmbox server?", e);
        }
    }

    private CliException unreachable(HttpRequest request, IOException e) {
        String where = settings.server() + " (from " + settings.serverSource() + ")";
        String why;
        if (e instanceof HttpConnectTimeoutException) why = "no connection within 10 s";
        else if (e instanceof HttpTimeoutException) why = "no answer within " + request.timeout().map(Duration::toSeconds).orElse(0L) + " s";
        else if (e instanceof ConnectException) why = reason(e, "connection refused");
        else why = reason(e, e.getClass().getSimpleName());
        return new CliException(ExitCodes.CONNECTION, "cannot reach the warmbox server at " + where + ": " + why, e);
    }

    /** The innermost message of the cause chain, which names the real reason (refused, unknown host). */
    private static String reason(Throwable e, String fallback) {
        String message = null;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) message = t.getMessage();
            else if (t instanceof java.nio.channels.UnresolvedAddressException) message = "unknown host";
        }
        return message == null ? fallback : message;
    }
}
