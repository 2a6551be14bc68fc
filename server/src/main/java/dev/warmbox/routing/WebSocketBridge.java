package dev.warmbox.routing;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.eclipse.jetty.websocket.server.ServerUpgradeRequest;
import org.eclipse.jetty.websocket.server.ServerUpgradeResponse;
import org.eclipse.jetty.websocket.server.ServerWebSocketContainer;

/**
 * WebSocket to an environment's IDE. Jetty's proxy does not carry upgrades, so this pairs Jetty's own
 * WebSocket server and client: it first opens the IDE's WebSocket (answering 502 when the IDE refuses),
 * then accepts the browser's upgrade with the sub-protocol the IDE chose, and passes every frame on as
 * it comes, text as text and binary as binary, fragments as fragments. A side reads its next frame
 * only once the other side has sent the previous one, so a slow browser slows the IDE, not memory.
 */
final class WebSocketBridge {
    /** Terminals sit idle for long stretches; an hour without a frame ends the pair. */
    static final Duration IDLE_TIMEOUT = Duration.ofHours(1);

    private final ServerWebSocketContainer server;
    private final WebSocketClient client;
    private final Duration connectTimeout;

    WebSocketBridge(ServerWebSocketContainer server, WebSocketClient client, Duration connectTimeout) {
        this.server = server;
        this.client = client;
        this.connectTimeout = connectTimeout;
    }

    void open(Request request, Response response, org.eclipse.jetty.util.Callback callback, URI upstream, String environmentId) {
        boolean answered = server.upgrade((upgradeRequest, upgradeResponse, upgradeCallback) ->
                connect(upgradeRequest, upgradeResponse, upgradeCallback, upstream, environmentId), request, response, callback);
        if (!answered) Answers.error(response, callback, 400, "invalid_request", "not a valid WebSocket upgrade request");
    }

    private Object connect(ServerUpgradeRequest browserRequest, ServerUpgradeResponse browserResponse,
                           org.eclipse.jetty.util.Callback callback, URI upstream, String environmentId) {
        FramePipe browser = new FramePipe(true);
        FramePipe ide = new FramePipe(false);
        browser.pairWith(ide);
        ClientUpgradeRequest upgrade = new ClientUpgradeRequest();
        upgrade.setSubProtocols(browserRequest.getSubProtocols());
        upgrade.setTimeout(connectTimeout.toMillis(), TimeUnit.MILLISECONDS);
        Session ideSession;
        try {
            ideSession = client.connect(ide, upstream, upgrade).get(connectTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException | java.io.IOException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            Answers.error(browserResponse, callback, 502, "bad_gateway",
                    "the IDE of environment " + environmentId + " does not accept a WebSocket: " + cause.getMessage());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            Answers.error(browserResponse, callback, 503, "unavailable", "the server is stopping");
            return null;
        }
        String protocol = ideSession.getUpgradeResponse().getAcceptedSubProtocol();
        if (protocol != null) browserResponse.setAcceptedSubProtocol(protocol);
        return browser;
    }
}
