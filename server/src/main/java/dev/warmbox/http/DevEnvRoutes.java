package dev.warmbox.http;

import dev.warmbox.devenv.DevEnvironments;
import dev.warmbox.devenv.requests.DevEnvException;
import dev.warmbox.devenv.requests.Fields;
import dev.warmbox.store.ApiKeys;
import dev.warmbox.store.Principal;
import dev.warmbox.store.Role;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The development-environment API under /api/v1/ and the admin scaling endpoint, plus API keys. Each
 * handler passes the caller and the raw body to {@link DevEnvironments}, which validates and decides
 * who may do what; failures are mapped to statuses in HttpApi.
 */
final class DevEnvRoutes {
    private final DevEnvironments devEnvs;
    private final ApiKeys keys;
    /** The paths of development environments (API keys are not theirs and stay served). */
    private static final List<String> DEV_ENV_PATHS = List.of("/api/v1/environment-classes", "/api/v1/projects", "/api/v1/warm-pools",
            "/service/admin/appdefinition/", "/api/v1/environments");
    private final Optional<String> unavailable;
    private Fields.Reader bodies;

    DevEnvRoutes(DevEnvironments devEnvs, ApiKeys keys, Optional<String> unavailable) {
        this.devEnvs = devEnvs;
        this.keys = keys;
        this.unavailable = unavailable;
    }

    void install(JavalinConfig config) {
        bodies = new Fields.Reader(config.http.maxRequestSize);
        var r = config.routes;
        unavailable.ifPresent(reason -> r.before(ctx -> {
            if (DEV_ENV_PATHS.stream().anyMatch(ctx.path()::startsWith)) {
                throw new DevEnvException(DevEnvException.Kind.INVALID, "unsupported_by_provider", reason);
            }
        }));
        r.post("/api/v1/environment-classes", ctx -> created(ctx, devEnvs.createClass(who(ctx), json(ctx))));
        r.get("/api/v1/environment-classes", ctx -> ctx.json(devEnvs.classes(who(ctx))));
        r.get("/api/v1/environment-classes/{id}", ctx -> ctx.json(devEnvs.environmentClass(who(ctx), ctx.pathParam("id"))));
        r.patch("/api/v1/environment-classes/{id}", ctx -> ctx.json(devEnvs.updateClass(who(ctx), ctx.pathParam("id"), json(ctx))));
        r.delete("/api/v1/environment-classes/{id}", ctx -> noContent(ctx, () -> devEnvs.deleteClass(who(ctx), ctx.pathParam("id"))));

        r.post("/api/v1/projects", ctx -> created(ctx, devEnvs.createProject(who(ctx), json(ctx))));
        r.get("/api/v1/projects", ctx -> ctx.json(devEnvs.projects(who(ctx))));
        r.get("/api/v1/projects/{id}", ctx -> ctx.json(devEnvs.project(who(ctx), ctx.pathParam("id"))));
        r.patch("/api/v1/projects/{id}", ctx -> ctx.json(devEnvs.updateProject(who(ctx), ctx.pathParam("id"), json(ctx))));
        r.delete("/api/v1/projects/{id}", ctx -> noContent(ctx, () -> devEnvs.deleteProject(who(ctx), ctx.pathParam("id"))));
        r.post("/api/v1/projects/{id}/prebuilds", ctx -> ctx.status(202).json(devEnvs.startPrebuild(who(ctx), ctx.pathParam("id"), json(ctx))));
        r.get("/api/v1/projects/{id}/prebuilds", ctx -> ctx.json(devEnvs.prebuilds(who(ctx), ctx.pathParam("id"))));
        r.get("/api/v1/projects/{id}/prebuilds/{prebuildId}", ctx -> ctx.json(devEnvs.prebuild(who(ctx), ctx.pathParam("id"), ctx.pathParam("prebuildId"))));

        r.post("/api/v1/warm-pools", ctx -> created(ctx, devEnvs.createPool(who(ctx), json(ctx))));
        r.get("/api/v1/warm-pools", ctx -> ctx.json(devEnvs.pools(who(ctx), ctx.queryParam("projectId"), ctx.queryParam("environmentClassId"))));
        r.get("/api/v1/warm-pools/{id}", ctx -> ctx.json(devEnvs.pool(who(ctx), ctx.pathParam("id"))));
        r.patch("/api/v1/warm-pools/{id}", ctx -> ctx.json(devEnvs.updatePool(who(ctx), ctx.pathParam("id"), json(ctx))));
        r.delete("/api/v1/warm-pools/{id}", ctx -> ctx.status(202).json(devEnvs.deletePool(who(ctx), ctx.pathParam("id"))));
        r.patch("/service/admin/appdefinition/{name}", ctx -> ctx.json(devEnvs.patchAppDefinition(who(ctx), ctx.pathParam("name"), json(ctx))));

        r.post("/api/v1/environments", ctx -> created(ctx, devEnvs.createEnvironment(who(ctx), json(ctx), base(ctx))));
        r.get("/api/v1/environments", ctx -> ctx.json(devEnvs.environments(who(ctx), base(ctx))));
        r.get("/api/v1/environments/{id}", ctx -> ctx.json(devEnvs.environment(who(ctx), ctx.pathParam("id"), base(ctx))));
        r.post("/api/v1/environments/{id}/access-link", ctx -> ctx.json(devEnvs.accessLink(who(ctx), ctx.pathParam("id"), base(ctx))));
        r.delete("/api/v1/environments/{id}", ctx -> noContent(ctx, () -> devEnvs.deleteEnvironment(who(ctx), ctx.pathParam("id"))));

        r.post("/api/v1/api-keys", this::createKey);
        r.get("/api/v1/api-keys", ctx -> ctx.json(Map.of("apiKeys", admin(ctx) ? keys.list() : java.util.List.of())));
        r.delete("/api/v1/api-keys/{id}", ctx -> {
            admin(ctx);
            if (!keys.revoke(ctx.pathParam("id"))) throw new io.javalin.http.NotFoundResponse("no API key with id " + ctx.pathParam("id"));
            ctx.status(204);
        });
    }

    /** Admins create keys for members (or other admins); the plaintext is answered once and not kept. */
    private void createKey(Context ctx) {
        admin(ctx);
        Fields body = bodies.read(json(ctx), Set.of("name", "role"));
        String name = body.text("name", null);
        String role = body.text("role", "member");
        if (name == null || name.isBlank() || name.length() > 100) throw DevEnvException.invalid("name", "must be a string of 1-100 characters");
        if (!(role.equals("admin") || role.equals("member"))) throw DevEnvException.invalid("role", "must be admin or member");
        String key = keys.create(name, Role.valueOf(role.toUpperCase(Locale.ROOT)));
        Principal principal = keys.authenticate(key).orElseThrow();
        ctx.status(201).json(Map.of("id", principal.keyId(), "name", principal.name(), "role", role, "key", key));
    }

    private static boolean admin(Context ctx) {
        if (who(ctx).role() != Role.ADMIN) throw new Forbidden("only admins manage API keys");
        return true;
    }

    static Principal who(Context ctx) {
        return ctx.attribute(HttpApi.PRINCIPAL);
    }

    private static byte[] json(Context ctx) {
        byte[] body = ctx.bodyAsBytes();
        String type = ctx.contentType();
        if (body.length > 0 && (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json"))) {
            throw new io.javalin.http.HttpResponseException(415, "send the request as application/json");
        }
        return body;
    }

    private static String base(Context ctx) {
        String host = ctx.host();
        return ctx.scheme() + "://" + (host == null || host.isBlank() ? "localhost" : host);
    }

    private static void created(Context ctx, Object body) {
        ctx.status(201).json(body);
    }

    private static void noContent(Context ctx, Runnable action) {
        action.run();
        ctx.status(204);
    }
}
