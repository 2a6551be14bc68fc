package dev.warmbox.devenv.claims;

import dev.warmbox.devenv.catalog.Catalog;
import dev.warmbox.devenv.catalog.EnvironmentClass;
import dev.warmbox.devenv.catalog.Project;
import dev.warmbox.devenv.containers.InstanceEngine;
import dev.warmbox.devenv.instances.InFlight;
import dev.warmbox.devenv.instances.InstanceRow;
import dev.warmbox.devenv.instances.InstanceStore;
import dev.warmbox.devenv.instances.Instances;
import dev.warmbox.devenv.pools.PoolRecord;
import dev.warmbox.devenv.pools.WarmPoolStore;
import dev.warmbox.devenv.prebuilds.Prebuilds;
import dev.warmbox.devenv.requests.DevEnvException;
import dev.warmbox.devenv.requests.Fields;
import dev.warmbox.routing.AccessTokens;
import dev.warmbox.routing.EnvironmentAccess;
import dev.warmbox.routing.Route;
import dev.warmbox.routing.Routes;
import dev.warmbox.store.Principal;
import dev.warmbox.store.Role;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Environments: the claim, the personalization that follows it, the release by pool policy, and the
 * routes the router reads. A user's secrets and variables live only in memory until personalization
 * used them; they are never stored.
 */
public final class Environments implements Routes, AccessTokens {
    private static final Logger log = LoggerFactory.getLogger(Environments.class);
    private static final Set<String> CREATE_FIELDS = Set.of("projectId", "environmentClassId", "secrets", "env");

    private final Fields.Reader bodies;
    private final Catalog catalog;
    private final WarmPoolStore pools;
    private final Prebuilds prebuilds;
    private final EnvironmentStore store;
    private final InstanceStore instanceRows;
    private final InstanceEngine engine;
    private final DevEnvMetrics metrics;
    private final ExecutorService workers;
    private final Clock clock;
    private final InFlight inFlight;
    private Instances instances;
    private Runnable wakeReconciler;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final Map<String, Route> routes = new ConcurrentHashMap<>();
    private final Map<String, String> accessTokenHashes = new ConcurrentHashMap<>();

    /** What personalization needs, from the claim until it ran. */
    private record Pending(Map<String, String> secrets, Map<String, String> env, long claimedAtNanos, boolean warm, Instant instanceReadyAt) {}

    public Environments(Fields.Reader bodies, Catalog catalog, WarmPoolStore pools, Prebuilds prebuilds, EnvironmentStore store,
                        InstanceStore instanceRows, InstanceEngine engine, DevEnvMetrics metrics, ExecutorService workers, Clock clock,
                        InFlight inFlight) {
        this.bodies = bodies;
        this.catalog = catalog;
        this.pools = pools;
        this.prebuilds = prebuilds;
        this.store = store;
        this.instanceRows = instanceRows;
        this.engine = engine;
        this.metrics = metrics;
        this.workers = workers;
        this.clock = clock;
        this.inFlight = inFlight;
    }

    /** The instances and the reconciler are built after this one, as they call back into it. */
    public void connect(Instances instances, Runnable wakeReconciler) {
        this.instances = instances;
        this.wakeReconciler = wakeReconciler;
    }

    /** After a restart: personalizations in flight lost the user's secrets, so those environments fail; routes come back. */
    public void recover() {
        Instant now = clock.instant();
        accessTokenHashes.putAll(store.accessTokenHashes());
        for (EnvironmentRecord e : store.environments(null)) {
            switch (e.phase()) {
                case EnvironmentRecord.CREATING, EnvironmentRecord.STARTING ->
                        store.setPhase(e.id(), EnvironmentRecord.FAILED, "interrupted by a restart of warmbox before it was ready; delete it and create a new one", null, now);
                case EnvironmentRecord.DELETING -> {
                    if (e.instanceName() != null) instances.destroyNow(e.instanceName());
                    store.setPhase(e.id(), EnvironmentRecord.DELETED, null, null, now);
                }
                case EnvironmentRecord.RUNNING -> instanceRows.find(e.instanceName()).ifPresent(i -> routes.put(e.id(), route(e, i, true)));
                default -> { }
            }
        }
    }

    public EnvironmentView create(Principal principal, byte[] body, String baseUrl) {
        Fields f = bodies.read(body, CREATE_FIELDS);
        Project project = catalog.project(f.requiredText("projectId"), "projectId");
        EnvironmentClass environmentClass = catalog.environmentClass(f.requiredText("environmentClassId"), "environmentClassId");
        Map<String, String> secrets = f.variables("secrets");
        Map<String, String> env = f.variables("env");
        Optional<PoolRecord> pool = pools.active(project.id(), environmentClass.id());
        String snapshot = pool.map(PoolRecord::snapshotId).or(() -> prebuilds.latestSnapshot(project.id(), environmentClass.id())).orElseThrow(() ->
                DevEnvException.conflict("no_snapshot", "project " + project.id() + " has no successful prebuild for environment class "
                        + environmentClass.id() + " yet; run one with POST /api/v1/projects/" + project.id() + "/prebuilds"));
        Instant now = clock.instant();
        EnvironmentRecord requested = new EnvironmentRecord(UUID.randomUUID().toString(), principal.keyId(), project.id(), environmentClass.id(),
                pool.map(PoolRecord::id).orElse(null), null, false, EnvironmentRecord.CREATING, null, now, null, now);
        // A cold start's row appears in the claim's transaction, claimed and not ready: in flight before
        // it can exist, so a reconciler pass in between does not take it for an abandoned launch; the
        // launch holds its own mark from before this one is closed. A stopped instance the claim takes is
        // claimed with its container stopped until startClaimed marks it: while this claim is in flight, a
        // pass does not take it for a dead one (see PoolReconciler.pass).
        String coldName = Instances.newName();
        try (InFlight.Operation cold = inFlight.begin(coldName); InFlight.Operation claiming = inFlight.claim()) {
            return claimAndHandOver(requested, snapshot, coldName, now, secrets, env, environmentClass, pool, baseUrl);
        }
    }

    private EnvironmentView claimAndHandOver(EnvironmentRecord requested, String snapshot, String coldName, Instant now,
                                             Map<String, String> secrets, Map<String, String> env, EnvironmentClass environmentClass,
                                             Optional<PoolRecord> pool, String baseUrl) {
        long started = System.nanoTime();
        EnvironmentStore.Claim claim;
        try {
            claim = store.claim(requested, requested.poolId(), snapshot, coldName, now);
        } catch (RuntimeException e) {
            if (e instanceof DevEnvException d && d.kind() == DevEnvException.Kind.CAPACITY) {
                metrics.claimed(pool.map(PoolRecord::id).orElse(""), "capacity_exhausted");
            }
            throw e;
        }
        EnvironmentRecord created = claim.environment();
        EnvironmentAccess.AccessToken token = EnvironmentAccess.newToken();
        store.setAccessTokenHash(created.id(), token.hash());
        accessTokenHashes.put(created.id(), token.hash());
        pending.put(created.id(), new Pending(secrets, env, started, created.warm(), claim.instance().readyAt()));
        routes.put(created.id(), route(created, claim.instance(), false));
        metrics.claimed(pool.map(PoolRecord::id).orElse(""), created.warm() ? "success" : "instance_not_found");
        if (!created.warm()) {
            instances.launchCold(claim.instance(), environmentClass.id());
        } else if (claim.instance().stopped()) {
            instances.startClaimed(claim.instance());
        } else if (claim.instanceReady()) {
            InstanceRow instance = claim.instance();
            InFlight.Operation personalizing = inFlight.begin(instance.name());
            try {
                workers.execute(() -> {
                    try (personalizing) {
                        personalize(instance);
                    }
                });
            } catch (RuntimeException rejected) {
                personalizing.close();
                throw rejected;
            }
        }
        wakeReconciler.run();
        EnvironmentView view = view(created, baseUrl);
        String accessUrl = baseUrl + EnvironmentAccess.link(created.id(), token.token());
        return new EnvironmentView(view.id(), view.url(), accessUrl, view.warm(), view.metadata(), view.status());
    }

    /** The claimed instance is warm: make it the user's. Runs while the instance is in flight. */
    public void personalize(InstanceRow instance) {
        String id = instance.environmentId();
        Pending p = pending.remove(id);
        EnvironmentRecord e = store.environment(id).orElse(null);
        if (e == null || p == null || e.gone() || e.phase().equals(EnvironmentRecord.DELETING)) {
            instances.destroyNow(instance.name());
            return;
        }
        if (!e.phase().equals(EnvironmentRecord.STARTING)
                && !store.transition(id, EnvironmentRecord.CREATING, EnvironmentRecord.STARTING, clock.instant())) {
            instances.destroyNow(instance.name());
            return;
        }
        try {
            Project project = catalog.project(instance.projectId());
            engine.personalize(instance.name(), project, p.secrets(), p.env());
            Instant now = clock.instant();
            // The route to the instance's address now is in place before anyone can read RUNNING: the claim's route
            // still holds the address a stopped instance had before it was started again, which the engine may have
            // given to another container meanwhile. Whoever saw RUNNING reaches this instance, never a 503 or another one.
            routes.put(id, route(e, instanceRows.find(instance.name()).orElse(instance), true));
            if (!store.transition(id, EnvironmentRecord.STARTING, EnvironmentRecord.RUNNING, now)) {
                routes.remove(id);
                instances.destroyNow(instance.name());
                return;
            }
            store.setPhase(id, EnvironmentRecord.RUNNING, null, now, now);
            metrics.ready(p.warm(), Duration.ofNanos(System.nanoTime() - p.claimedAtNanos()));
            if (p.warm() && p.instanceReadyAt() != null) metrics.instanceAge(Duration.between(p.instanceReadyAt(), clock.instant()));
        } catch (RuntimeException ex) {
            log.warn("personalizing environment {} failed: {}", id, ex.getMessage());
            fail(id, ex.getMessage());
            instances.destroyNow(instance.name());
        }
    }

    /** The environment cannot become ready; it stays, FAILED, until its owner deletes it. */
    public void fail(String environmentId, String reason) {
        pending.remove(environmentId);
        routes.remove(environmentId);
        store.environment(environmentId).filter(e -> !e.gone() && !e.phase().equals(EnvironmentRecord.DELETING))
                .ifPresent(e -> store.setPhase(environmentId, EnvironmentRecord.FAILED, reason, null, clock.instant()));
    }

    public EnvironmentView get(Principal principal, String id, String baseUrl) {
        return view(visible(principal, id), baseUrl);
    }

    public List<EnvironmentView> list(Principal principal, String baseUrl) {
        return store.environments(principal.role() == Role.ADMIN ? null : principal.keyId()).stream().map(e -> view(e, baseUrl)).toList();
    }

    /**
     * A new access link for the owner's own environment (the dashboard's and the CLI's "open"): its token
     * replaces the previous one, so earlier links and the cookies they set stop working. Owner only,
     * admins included, since the link lets whoever holds it into the IDE.
     */
    public String newAccessLink(Principal principal, String id, String baseUrl) {
        EnvironmentRecord e = visible(principal, id);
        if (!e.ownerKeyId().equals(principal.keyId())) {
            throw DevEnvException.forbidden("only the owner of environment " + id + " can open it: its access link lets whoever holds it into the IDE");
        }
        EnvironmentAccess.AccessToken token = EnvironmentAccess.newToken();
        store.setAccessTokenHash(id, token.hash());
        accessTokenHashes.put(id, token.hash());
        return baseUrl + EnvironmentAccess.link(id, token.token());
    }

    /** Releases the instance by its pool's policy: reset and returned to the pool, or destroyed. */
    public void delete(Principal principal, String id) {
        EnvironmentRecord e = visible(principal, id);
        Instant now = clock.instant();
        if (!store.transition(id, e.phase(), EnvironmentRecord.DELETING, now)) throw DevEnvException.conflict("changed", "environment " + id + " changed meanwhile; retry");
        routes.remove(id);
        accessTokenHashes.remove(id);
        pending.remove(id);
        Optional<InstanceRow> instance = e.instanceName() == null ? Optional.empty() : instanceRows.find(e.instanceName());
        if (instance.isPresent() && id.equals(instance.get().environmentId()) && !inFlight.contains(instance.get().name())) {
            InstanceRow row = instance.get();
            boolean reset = row.ready() && row.poolId() != null && pools.find(row.poolId())
                    .filter(p -> !p.deleted() && p.releasePolicy() == PoolRecord.ReleasePolicy.RELEASE_POLICY_RESET && row.snapshotId().equals(p.snapshotId()))
                    .isPresent();
            if (reset) instances.reset(row); else instances.destroy(row.name());
        }
        // An instance in flight (still launching or personalizing) sees the environment gone when it finishes and removes itself.
        store.setPhase(id, EnvironmentRecord.DELETED, null, null, now);
        wakeReconciler.run();
    }

    private EnvironmentRecord visible(Principal principal, String id) {
        EnvironmentRecord e = store.environment(id).filter(r -> !r.gone()).orElseThrow(() -> DevEnvException.notFound("environment", id));
        // A member sees only their own; someone else's is answered exactly like a missing one.
        if (principal.role() != Role.ADMIN && !e.ownerKeyId().equals(principal.keyId())) throw DevEnvException.notFound("environment", id);
        return e;
    }

    /** The stored hash of the environment's access token, empty once it is deleted. */
    @Override
    public Optional<String> tokenHash(String environmentId) {
        return Optional.ofNullable(accessTokenHashes.get(environmentId));
    }

    @Override
    public Optional<Route> find(String environmentId) {
        return Optional.ofNullable(routes.get(environmentId));
    }

    private Route route(EnvironmentRecord e, InstanceRow instance, boolean active) {
        URI target = instance.address() == null ? null : URI.create("http://" + instance.address() + ":" + catalog.project(e.projectId()).idePort());
        return new Route(e.id(), e.ownerKeyId(), target, active && target != null);
    }

    /** @param accessUrl the browser's link with the access token; only in the claim's answer, null elsewhere */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    public record EnvironmentView(String id, String url, String accessUrl, boolean warm, Map<String, Object> metadata, Map<String, Object> status) {}

    private EnvironmentView view(EnvironmentRecord e, String baseUrl) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("createdAt", iso(e.createdAt()));
        metadata.put("updatedAt", iso(e.updatedAt()));
        metadata.put("creatorId", e.ownerKeyId());
        metadata.put("projectId", e.projectId());
        metadata.put("environmentClassId", e.environmentClassId());
        metadata.put("warmPoolId", e.poolId());
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("phase", e.phase());
        status.put("failureMessage", e.failureMessage());
        status.put("readyAt", iso(e.readyAt()));
        status.put("routeActive", find(e.id()).map(Route::active).orElse(false));
        return new EnvironmentView(e.id(), baseUrl + "/environments/" + e.id() + "/", null, e.warm(), metadata, status);
    }

    /** Times go to clients as ISO-8601 text, as they always did. */
    private static String iso(Instant at) {
        return at == null ? null : at.toString();
    }
}
