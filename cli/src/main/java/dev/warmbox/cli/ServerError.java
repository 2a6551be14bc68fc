package dev.warmbox.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/** An error answer turned into the message the user reads: the server's own words, its status and code. */
final class ServerError {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ServerError() {}

    static CliException of(int status, String body, String call, Settings settings) {
        String code = null;
        String message = null;
        try {
            JsonNode error = JSON.readTree(body == null ? "" : body).path("error");
            if (error.isObject()) {
                code = error.path("code").isTextual() ? error.get("code").asText() : null;
                message = error.path("message").isTextual() ? error.get("message").asText() : null;
            }
        } catch (IOException notJson) {
            // not warmbox's error shape: the status and the start of the body say what there is
        }
        String detail = message != null
                ? message + " (HTTP " + status + (code == null ? "" : " " + code) + ")"
                : call + " answered HTTP " + status + snippet(body);
        if (status == 401 || status == 403) {
            String hint = status == 401 ? "; the key came from " + settings.apiKeySource() : "";
            return new CliException(ExitCodes.AUTH, detail + hint, null);
        }
        return new CliException(ExitCodes.SERVER, detail, null);
    }

    private static String snippet(String body) {
        if (body == null || body.isBlank()) return "";
        String flat = body.strip().replaceAll("\\s+", " ");
        return ": " + (flat.length() > 200 ? flat.substring(0, 200) + "…" : flat);
    }
}
