package dev.warmbox.routing;

import dev.warmbox.store.PresentedKey;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.proxy.ProxyHandler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Plain HTTP to an environment's IDE: Jetty's reverse {@link ProxyHandler}, to the upstream URI the
 * router put on the request. The owner's credentials (API key in either header, access cookie) are not passed on:
 * the IDE runs the user's code and has no business seeing them.
 */
final class HttpForwarding extends ProxyHandler.Reverse {
    static final String UPSTREAM_ATTRIBUTE = HttpForwarding.class.getName() + ".upstream";
    static final String ENVIRONMENT_ATTRIBUTE = HttpForwarding.class.getName() + ".environment";
    private final long connectTimeoutMillis;

    HttpForwarding(long connectTimeoutMillis) {
        super(request -> (HttpURI) request.getAttribute(UPSTREAM_ATTRIBUTE));
        this.connectTimeoutMillis = connectTimeoutMillis;
        setUseServerThreadPool(true);
    }

    @Override
    protected void configureHttpClient(HttpClient httpClient) {
        super.configureHttpClient(httpClient);
        httpClient.setConnectTimeout(connectTimeoutMillis);
    }

    @Override
    protected void copyRequestHeaders(Request clientToProxyRequest, org.eclipse.jetty.client.Request proxyToServerRequest) {
        super.copyRequestHeaders(clientToProxyRequest, proxyToServerRequest);
        proxyToServerRequest.headers(headers -> {
            headers.remove(PresentedKey.API_KEY_HEADER);
            // A Bearer header was the owner's API key; another scheme is the IDE's own business and goes on.
            if (PresentedKey.isBearer(headers.get(HttpHeader.AUTHORIZATION))) headers.remove(HttpHeader.AUTHORIZATION);
            String cookies = headers.get(HttpHeader.COOKIE);
            if (cookies == null) return;
            String kept = EnvironmentRouter.withoutAccessCookie(cookies);
            if (kept.isEmpty()) headers.remove(HttpHeader.COOKIE);
            else headers.put(HttpHeader.COOKIE, kept);
        });
    }

    @Override
    protected void onServerToProxyResponseFailure(Request clientToProxyRequest, org.eclipse.jetty.client.Request proxyToServerRequest,
                                                  org.eclipse.jetty.client.Response serverToProxyResponse, Response proxyToClientResponse,
                                                  Callback proxyToClientCallback, Throwable failure) {
        if (proxyToClientResponse.isCommitted()) {
            super.onServerToProxyResponseFailure(clientToProxyRequest, proxyToServerRequest, serverToProxyResponse,
                    proxyToClientResponse, proxyToClientCallback, failure);
            return;
        }
        String environment = String.valueOf(clientToProxyRequest.getAttribute(ENVIRONMENT_ATTRIBUTE));
        boolean timedOut = failure instanceof TimeoutException;
        Answers.error(proxyToClientResponse, proxyToClientCallback, timedOut ? 504 : 502, timedOut ? "gateway_timeout" : "bad_gateway",
                "the IDE of environment " + environment + " does not answer: " + failure.getMessage());
    }
}
