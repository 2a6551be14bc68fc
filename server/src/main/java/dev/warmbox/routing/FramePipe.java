package dev.warmbox.routing;

import java.nio.ByteBuffer;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One side of a {@link WebSocketBridge} pair: every frame that arrives here is sent to the peer, and
 * the next frame is read only once that send completed. Public only because Jetty finds listener
 * methods through a public lookup; nothing outside this package can create one.
 */
public final class FramePipe implements Session.Listener {
    private static final Logger log = LoggerFactory.getLogger(FramePipe.class);
    private final boolean browserSide;
    private volatile Session session;
    private volatile FramePipe peer;

    FramePipe(boolean browserSide) {
        this.browserSide = browserSide;
    }

    void pairWith(FramePipe other) {
        peer = other;
        other.peer = this;
    }

    @Override
    public void onWebSocketOpen(Session opened) {
        session = opened;
        opened.setIdleTimeout(WebSocketBridge.IDLE_TIMEOUT);
        // The IDE side opens first and must not read until the browser side can take its frames.
        if (browserSide) {
            opened.demand();
            peer.session.demand();
        }
    }

    @Override
    public void onWebSocketPartialText(String payload, boolean last) {
        peer.session.sendPartialText(payload, last, Callback.from(session::demand, this::abort));
    }

    @Override
    public void onWebSocketPartialBinary(ByteBuffer payload, boolean last, Callback callback) {
        peer.session.sendPartialBinary(payload, last, Callback.from(() -> {
            callback.succeed();
            session.demand();
        }, failure -> {
            callback.fail(failure);
            abort(failure);
        }));
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason, Callback callback) {
        Session other = peer.session;
        if (other != null && other.isOpen()) {
            other.close(StatusCode.isTransmittable(statusCode) ? statusCode : StatusCode.NORMAL, reason, Callback.NOOP);
        }
        callback.succeed();
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        abort(cause);
    }

    private void abort(Throwable cause) {
        log.debug("closing a WebSocket pair after a failure on the {} side: {}", browserSide ? "browser" : "IDE", cause.toString());
        for (Session side : new Session[] {session, peer.session}) {
            if (side != null && side.isOpen()) side.close(StatusCode.SERVER_ERROR, "the other side failed", Callback.NOOP);
        }
    }
}
