package dev.warmbox.routing;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.warmbox.store.PresentedKey;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The router's own answers, in the API's one error shape {@code {"error": {"code", "message"}}}: the
 * router runs in front of Javalin, so it writes them itself.
 */
final class Answers {
    private Answers() {}

    static void refuse(Response response, Callback callback, Verdict.Refusal refusal) {
        if (refusal.status() == 401) {
            response.getHeaders().put(PresentedKey.WWW_AUTHENTICATE_HEADER, PresentedKey.challenge(null));
        }
        if (refusal.retryAfter() != null) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, Long.toString(Math.max(1, refusal.retryAfter().toSeconds())));
        }
        error(response, callback, refusal.status(), refusal.code(), refusal.message());
    }

    static void error(Response response, Callback callback, int status, String code, String message) {
        if (response.isCommitted()) {
            callback.failed(new IllegalStateException("cannot answer " + status + " " + code + ": the response is already committed"));
            return;
        }
        JsonStringEncoder encoder = JsonStringEncoder.getInstance();
        String body = "{\"error\":{\"code\":\"" + new String(encoder.quoteAsString(code))
                + "\",\"message\":\"" + new String(encoder.quoteAsString(message)) + "\"}}";
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
    }
}
