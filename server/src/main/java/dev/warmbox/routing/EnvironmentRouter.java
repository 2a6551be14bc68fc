package dev.warmbox.routing;

import dev.warmbox.store.ApiKeys;
import dev.warmbox.store.PresentedKey;
import dev.warmbox.store.Principal;
import io.javalin.config.JavalinConfig;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.BadMessageException;
import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.eclipse.jetty.websocket.server.ServerWebSocketContainer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /environments/{id}/...}: the environment's IDE, HTTP and WebSocket, for its owner only.
 *
 * <p>A Jetty handler in front of Javalin, so these requests never reach the API's routes or its
 * API-key filter: the router checks access itself (API key, as X-API-Key or Authorization: Bearer, or the
 * environment's access token, see
 * {@link Gate}), strips the {@code /environments/{id}} prefix and hands the request to Jetty's reverse
 * proxy ({@link HttpForwarding}) or, for an upgrade, to {@link WebSocketBridge}. Every request looks
 * its route up again, so a route that changes owner or target takes effect on the next request.
 */
public final class EnvironmentRouter extends Handler.Wrapper {
    static final String PREFIX = "/environments/";
    /**
     * What this handler serves, for any method, as path templates: the bare environment (a redirect to
     * its root), its root, and every path below ({@code path} may hold several segments).
     */
    public static final List<String> PATHS = List.of("/environments/{id}", "/environments/{id}/", "/environments/{id}/{path}");
    static final String TOKEN_PARAMETER = "token";
    static final String ACCESS_COOKIE = "warmbox_access";
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Logger log = LoggerFactory.getLogger(EnvironmentRouter.class);
    private static final Pattern ENVIRONMENT_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,127}");

    private final Gate gate;
    private WebSocketBridge webSockets;
    private HttpForwarding forwarding;

    public EnvironmentRouter(Routes routes, AccessTokens tokens, ApiKeys keys) {
        this(routes, tokens, apiKey -> keys.authenticate(apiKey).map(Principal::keyId));
    }

    EnvironmentRouter(Routes routes, AccessTokens tokens, Function<String, Optional<String>> keyIdOfApiKey) {
        this.gate = new Gate(routes, tokens, keyIdOfApiKey);
    }

    /** Puts the router in front of Javalin's handlers; it starts and stops with the server. */
    public void install(JavalinConfig config) {
        config.jetty.modifyServer(this::attach);
    }

    private void attach(Server server) {
        forwarding = new HttpForwarding(CONNECT_TIMEOUT.toMillis());
        forwarding.setServer(server);
        HttpClient webSocketHttp = new HttpClient();
        webSocketHttp.setExecutor(server.getThreadPool());
        webSocketHttp.setConnectTimeout(CONNECT_TIMEOUT.toMillis());
        webSocketHttp.setFollowRedirects(false);
        WebSocketClient webSocketClient = new WebSocketClient(webSocketHttp);
        webSocketClient.setIdleTimeout(WebSocketBridge.IDLE_TIMEOUT);
        ServerWebSocketContainer container = ServerWebSocketContainer.ensure(server);
        container.setIdleTimeout(WebSocketBridge.IDLE_TIMEOUT);
        webSockets = new WebSocketBridge(container, webSocketClient, CONNECT_TIMEOUT);
        addBean(forwarding, true);
        addBean(webSocketHttp, true);
        addBean(webSocketClient, true);
        server.insertHandler(this);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        // Canonical: normalized (no dot segments left) and still percent-encoded, so it is forwarded as is.
        String path = Request.getPathInContext(request);
        if (!path.startsWith(PREFIX)) return super.handle(request, response, callback);
        try {
            route(request, response, callback, path.substring(PREFIX.length()));
        } catch (RuntimeException e) {
            log.error("unexpected failure routing {} {}", request.getMethod(), path, e);
            Answers.error(response, callback, 500, "internal_error", "the server failed to handle this request; it has been logged");
        }
        return true;
    }

    private void route(Request request, Response response, Callback callback, String rest) {
        int slash = rest.indexOf('/');
        String environmentId = slash < 0 ? rest : rest.substring(0, slash);
        String pathInIde = slash < 0 ? null : rest.substring(slash);
        if (!ENVIRONMENT_ID.matcher(environmentId).matches()) {
            Answers.error(response, callback, 404, "not_found", "no environment has this id");
            return;
        }
        if (isUpgrade(request) && !sameOrigin(request)) {
            Answers.error(response, callback, 403, "forbidden", "WebSocket connections to an environment must come from its own pages");
            return;
        }
        String linkToken;
        try {
            linkToken = Request.extractQueryParameters(request).getValue(TOKEN_PARAMETER);
        } catch (BadMessageException | IllegalArgumentException e) {
            Answers.error(response, callback, 400, "invalid_request", "the query string is not valid: " + e.getMessage());
            return;
        }
        Verdict verdict = gate.check(environmentId, PresentedKey.from(request.getHeaders().get(PresentedKey.API_KEY_HEADER),
                request.getHeaders().get(PresentedKey.AUTHORIZATION_HEADER)), linkToken, accessCookies(request));
        switch (verdict) {
            case Verdict.Refusal refusal -> Answers.refuse(response, callback, refusal);
            case Verdict.Exchange exchange -> exchange(request, response, callback, environmentId, pathInIde, exchange.token());
            case Verdict.Pass pass when pathInIde == null ->
                    Response.sendRedirect(request, response, callback, 308, PREFIX + environmentId + "/" + query(request), true);
            case Verdict.Pass pass -> forward(request, response, callback, pass.route(), pathInIde);
        }
    }

    /** A valid link: the token moves into a cookie for this environment's path only, and out of the URL. */
    private static void exchange(Request request, Response response, Callback callback, String environmentId, String pathInIde,
                                 String token) {
        String environmentPath = PREFIX + environmentId + "/";
        // Lax, not Strict: a link opened from another site (mail, chat) is a cross-site navigation, and
        // Strict cookies are withheld on the redirect that follows it. Lax still keeps the cookie off
        // cross-site subrequests, WebSocket handshakes included, which is where it would matter.
        Response.addCookie(response, HttpCookie.build(ACCESS_COOKIE, token)
                .path(environmentPath)
                .httpOnly(true)
                .secure(request.isSecure())
                .sameSite(HttpCookie.SameSite.LAX)
                .build());
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        String cleanPath = pathInIde == null ? environmentPath : PREFIX + environmentId + pathInIde;
        Response.sendRedirect(request, response, callback, 303, cleanPath + query(request), true);
    }

    private void forward(Request request, Response response, Callback callback, Route route, String pathInIde) {
        URI target = route.target();
        if (target == null || target.getRawAuthority() == null) {
            Answers.error(response, callback, 502, "bad_gateway", "environment " + route.environmentId() + " has no IDE address");
            return;
        }
        String base = target.getRawPath() == null ? "" : target.getRawPath().replaceAll("/+$", "");
        String query = query(request);
        String upstream = "//" + target.getRawAuthority() + base + pathInIde + query;
        if (isUpgrade(request)) {
            String scheme = "https".equalsIgnoreCase(target.getScheme()) ? "wss:" : "ws:";
            webSockets.open(request, response, callback, URI.create(scheme + upstream), route.environmentId());
            return;
        }
        request.setAttribute(HttpForwarding.UPSTREAM_ATTRIBUTE, HttpURI.from(target.getScheme() + ":" + upstream));
        request.setAttribute(HttpForwarding.ENVIRONMENT_ATTRIBUTE, route.environmentId());
        forwarding.handle(request, response, callback);
    }

    private static String query(Request request) {
        return queryWithoutToken(request.getHttpURI().getQuery());
    }

    /** The raw query without the access token, with its leading '?', or "" when nothing is left. */
    static String queryWithoutToken(String raw) {
        if (raw == null || raw.isEmpty()) return "";
        List<String> kept = new ArrayList<>();
        for (String pair : raw.split("&")) {
            if (!pair.isEmpty() && !pair.equals(TOKEN_PARAMETER) && !pair.startsWith(TOKEN_PARAMETER + "=")) kept.add(pair);
        }
        return kept.isEmpty() ? "" : "?" + String.join("&", kept);
    }

    private static List<String> accessCookies(Request request) {
        List<String> values = new ArrayList<>();
        for (HttpCookie cookie : Request.getCookies(request)) {
            if (ACCESS_COOKIE.equals(cookie.getName()) && cookie.getValue() != null) values.add(cookie.getValue());
        }
        return values;
    }

    /** A Cookie header without the access cookie, which the IDE must not see. */
    static String withoutAccessCookie(String cookieHeader) {
        List<String> kept = new ArrayList<>();
        for (String cookie : cookieHeader.split(";")) {
            String trimmed = cookie.trim();
            if (!trimmed.isEmpty() && !trimmed.startsWith(ACCESS_COOKIE + "=")) kept.add(trimmed);
        }
        return String.join("; ", kept);
    }

    private static boolean isUpgrade(Request request) {
        return HttpMethod.GET.is(request.getMethod()) && "websocket".equalsIgnoreCase(request.getHeaders().get(HttpHeader.UPGRADE));
    }

    /**
     * Browsers send Origin on every WebSocket handshake; one from another origin is a page elsewhere
     * trying to use the owner's cookie (cross-site WebSocket hijacking). Clients without Origin
     * (programs with an API key) are not browsers and pass.
     */
    private static boolean sameOrigin(Request request) {
        String origin = request.getHeaders().get(HttpHeader.ORIGIN);
        if (origin == null) return true;
        try {
            URI from = URI.create(origin);
            String host = request.getHeaders().get(HttpHeader.HOST);
            return host != null && host.equalsIgnoreCase(from.getRawAuthority());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
