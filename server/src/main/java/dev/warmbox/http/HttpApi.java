package dev.warmbox.http;

import dev.warmbox.api.ApiDocs;
import dev.warmbox.config.Limits;
import dev.warmbox.devenv.DevEnvironments;
import dev.warmbox.devenv.requests.DevEnvException;
import dev.warmbox.execution.ExecutionService;
import dev.warmbox.execution.Rejection;
import dev.warmbox.pool.PoolView;
import dev.warmbox.pool.WarmPools;
import dev.warmbox.sandbox.Sandboxes;
import dev.warmbox.store.ApiKeys;
import dev.warmbox.store.PresentedKey;
import dev.warmbox.store.Principal;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every route and how every failure becomes an HTTP answer. Handlers stay a few lines; the logic is in
 * the services they call. Shared by Main and tests, so both serve exactly the same API.
 */
public final class HttpApi {
    private static final Logger log = LoggerFactory.getLogger(HttpApi.class);
    static final String PRINCIPAL = "warmbox.principal";

    private final ExecutionService executions;
    private final WarmPools pools;
    private final Sandboxes sandboxes;
    private final ApiKeys keys;
    private final PrometheusMeterRegistry registry;
    private final DevEnvRoutes devEnvRoutes;
    private final ApiDocs docs = new ApiDocs();

    /** @param devEnvUnavailable why the development-environment routes answer 400 (the provider lacks what they need); empty: they serve */
    public HttpApi(ExecutionService executions, WarmPools pools, Sandboxes sandboxes, ApiKeys keys,
                   PrometheusMeterRegistry registry, DevEnvironments devEnvs, Optional<String> devEnvUnavailable) {
        this.devEnvRoutes = new DevEnvRoutes(devEnvs, keys, devEnvUnavailable);
        this.executions = executions;
        this.pools = pools;
        this.sandboxes = sandboxes;
        this.keys = keys;
        this.registry = registry;
    }

    public void install(JavalinConfig config) {
        config.http.prefer405over404 = true;
        config.routes.before(this::authenticate);
        config.routes.get("/health/live", ctx -> ctx.json(Map.of("status", "live")));
        config.routes.get("/health/ready", this::ready);
        config.routes.post("/execute", this::execute);
        config.routes.get("/api/v1/warm-pool/status", ctx -> ctx.json(status()));
        config.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(registry.scrape()));
        devEnvRoutes.install(config);
        Dashboard.install(config);
        docs.install(config);
        installErrors(config, config.http.maxRequestSize);
    }

    /** X-API-Key or Authorization: Bearer, decided by {@link PresentedKey}; every 401 carries a Bearer challenge. */
    private void authenticate(Context ctx) {
        if (ctx.path().startsWith("/health/") || Dashboard.isDashboard(ctx.path()) || ApiDocs.isPublic(ctx.path())) return;
        String key = switch (PresentedKey.from(ctx.header(PresentedKey.API_KEY_HEADER), ctx.header(PresentedKey.AUTHORIZATION_HEADER))) {
            case PresentedKey.Key presented -> presented.value();
            case PresentedKey.Missing missing -> throw new Unauthorized(PresentedKey.ACCEPTED_FORMS, null);
            case PresentedKey.OtherScheme other -> throw new Unauthorized(other.message(), "invalid_request");
            case PresentedKey.Malformed malformed -> throw new Unauthorized(malformed.message(), "invalid_request");
        };
        Principal principal = keys.authenticate(key).orElseThrow(() -> new Unauthorized("the API key is not valid", "invalid_token"));
        ctx.attribute(PRINCIPAL, principal);
    }

    private void execute(Context ctx) {
        String type = ctx.contentType();
        if (type == null || !type.toLowerCase().startsWith("application/json")) {
            throw new HttpResponseException(415, "send the request as application/json");
        }
        ctx.json(executions.execute(ctx.bodyAsBytes()));
    }

    private void ready(Context ctx) {
        List<String> reasons = new ArrayList<>();
        if (!sandboxes.engineAvailable()) reasons.add("the container engine does not answer");
        if (!pools.warm()) reasons.add("the warm pools are still filling");
        ctx.status(reasons.isEmpty() ? 200 : 503)
                .json(reasons.isEmpty() ? Map.of("status", "ready") : Map.of("status", "not_ready", "reasons", reasons));
    }

    /** The seed's status shape, fields untouched, plus {@code scaling}: each pool's target, bounds and queue. */
    Map<String, Object> status() {
        Map<String, Object> byRuntime = new LinkedHashMap<>();
        Map<String, Object> scaling = new LinkedHashMap<>();
        long hits = 0;
        long misses = 0;
        for (PoolView view : pools.views()) {
            byRuntime.put(view.language().id(), Map.of("size", view.size(), "available", view.available(), "in_use", view.inUse()));
            scaling.put(view.language().id(), Map.of("target", view.targetSize(), "min_size", view.minSize(),
                    "max_size", view.maxSize(), "waiting", view.waiting()));
            hits += view.hits();
            misses += view.misses();
        }
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("enabled", pools.enabled());
        status.put("pools", byRuntime);
        status.put("total_hits", hits);
        status.put("total_misses", misses);
        status.put("hit_rate", hits + misses == 0 ? 0.0 : Math.round(1000.0 * hits / (hits + misses)) / 1000.0);
        status.put("scaling", scaling);
        return status;
    }

    private static void installErrors(JavalinConfig config, long maxBodyBytes) {
        config.routes.exception(Unauthorized.class, (e, ctx) -> {
            ctx.header(PresentedKey.WWW_AUTHENTICATE_HEADER, PresentedKey.challenge(e.bearerError()));
            fail(ctx, 401, "unauthorized", e.getMessage());
        });
        config.routes.exception(Rejection.class, (e, ctx) -> {
            if (e.retryAfter() != null) ctx.header("Retry-After", Long.toString(Math.max(1, e.retryAfter().toSeconds())));
            fail(ctx, statusOf(e.kind()), e.code(), e.getMessage());
        });
        config.routes.exception(Forbidden.class, (e, ctx) -> fail(ctx, 403, "forbidden", e.getMessage()));
        config.routes.exception(DevEnvException.class, (e, ctx) -> fail(ctx, statusOf(e.kind()), e.code(), e.getMessage()));
        config.routes.exception(HttpResponseException.class, (e, ctx) -> fail(ctx, e.getStatus(), codeOf(e.getStatus()),
                e.getStatus() == 413 ? "the body is larger than its limit of " + maxBodyBytes + " bytes (" + Limits.MAX_REQUEST_RULE + ")" : e.getMessage()));
        config.routes.exception(Exception.class, (e, ctx) -> {
            log.error("unexpected failure serving {} {}", ctx.method(), ctx.path(), e);
            fail(ctx, 500, "internal_error", "the server failed to handle this request; it has been logged");
        });
        config.routes.error(404, ctx -> {
            if (!isError(ctx)) fail(ctx, 404, "not_found", "no such endpoint: " + ctx.method() + " " + ctx.path());
        });
        config.routes.error(405, ctx -> {
            if (!isError(ctx)) fail(ctx, 405, "method_not_allowed", ctx.method() + " is not allowed on " + ctx.path());
        });
    }

    private static boolean isError(Context ctx) {
        return ctx.result() != null && ctx.result().startsWith("{\"error\"");
    }

    private static void fail(Context ctx, int status, String code, String message) {
        ctx.status(status).json(ApiError.of(code, message));
    }

    private static int statusOf(Rejection.Kind kind) {
        return switch (kind) {
            case INVALID -> 400;
            case TOO_LARGE -> 413;
            case BUSY -> 429;
            case UNAVAILABLE -> 503;
        };
    }

    private static int statusOf(DevEnvException.Kind kind) {
        return switch (kind) {
            case INVALID -> 400;
            case TOO_LARGE -> 413;
            case FORBIDDEN -> 403;
            case NOT_FOUND -> 404;
            case CONFLICT, CAPACITY -> 409;
        };
    }

    private static String codeOf(int status) {
        return switch (status) {
            case 400 -> "invalid_request";
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 413 -> "payload_too_large";
            case 415 -> "unsupported_media_type";
            default -> status >= 500 ? "internal_error" : "request_failed";
        };
    }
}
