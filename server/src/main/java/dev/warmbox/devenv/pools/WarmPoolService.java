package dev.warmbox.devenv.pools;

import dev.warmbox.devenv.catalog.Catalog;
import dev.warmbox.devenv.catalog.EnvironmentClass;
import dev.warmbox.devenv.catalog.Project;
import dev.warmbox.devenv.instances.InstanceRow;
import dev.warmbox.devenv.instances.InstanceStore;
import dev.warmbox.devenv.prebuilds.Prebuilds;
import dev.warmbox.devenv.requests.DevEnvException;
import dev.warmbox.devenv.requests.Fields;
import dev.warmbox.devenv.scaling.ActiveHours;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** The warm-pool API with the seed's shape and rules, and EduIDE's capacity controls. */
public final class WarmPoolService {
    static final String ORGANIZATION_ID = "00000000-0000-0000-0000-000000000000";
    private static final Set<String> CREATE_FIELDS = Set.of("projectId", "environmentClassId", "desiredSize", "minSize", "maxSize", "maxInstances",
            "releasePolicy", "cronSchedule", "cronTimezone", "stopAfterInitialization");
    private static final Set<String> UPDATE_FIELDS = Set.of("desiredSize", "minSize", "maxSize", "maxInstances", "releasePolicy", "specVersion",
            "cronSchedule", "cronTimezone", "stopAfterInitialization");
    private static final Set<String> APP_DEFINITION_FIELDS = Set.of("minInstances", "maxInstances");
    static final int MAX_SIZE = 20;

    private final Fields.Reader bodies;
    private final Catalog catalog;
    private final WarmPoolStore store;
    private final Prebuilds prebuilds;
    private final InstanceStore instances;
    private final Clock clock;
    private final String runnerId;
    private final Runnable wake;

    public WarmPoolService(Fields.Reader bodies, Catalog catalog, WarmPoolStore store, Prebuilds prebuilds, InstanceStore instances, Clock clock,
                    String runnerId, Runnable wake) {
        this.bodies = bodies;
        this.catalog = catalog;
        this.store = store;
        this.prebuilds = prebuilds;
        this.instances = instances;
        this.clock = clock;
        this.runnerId = runnerId;
        this.wake = wake;
    }

    public Map<String, Object> create(byte[] body) {
        Fields f = bodies.read(body, CREATE_FIELDS);
        Project project = catalog.project(f.requiredText("projectId"), "projectId");
        EnvironmentClass environmentClass = catalog.environmentClass(f.requiredText("environmentClassId"), "environmentClassId");
        if (!project.prebuildsEnabledFor(environmentClass.id())) {
            throw DevEnvException.invalid("environmentClassId", "does not have prebuilds enabled on project " + project.id()
                    + " (list it in the project's prebuildEnvironmentClassIds)");
        }
        Sizes sizes = sizes(f, null);
        Integer maxInstances = f.integer("maxInstances", 1, 10_000);
        checkCapacity(sizes.min(), maxInstances);
        PoolRecord.Schedule schedule = schedule(f, PoolRecord.Schedule.ALWAYS);
        boolean stopped = Boolean.TRUE.equals(f.bool("stopAfterInitialization"));
        Instant now = clock.instant();
        String snapshot = prebuilds.latestSnapshot(project.id(), environmentClass.id()).orElse(null);
        PoolRecord pool = new PoolRecord(UUID.randomUUID().toString(), project.id(), environmentClass.id(), ORGANIZATION_ID, runnerId,
                PoolRecord.READY, sizes.min(), sizes.max(), maxInstances, releasePolicy(f, PoolRecord.ReleasePolicy.RELEASE_POLICY_DESTROY),
                snapshot, 1, snapshot == null ? PoolRecord.PENDING : PoolRecord.READY, null, 1, false, now, now, schedule, stopped, -1);
        store.insert(pool);
        wake.run();
        return view(pool);
    }

    public Map<String, Object> update(String id, byte[] body) {
        Fields f = bodies.read(body, UPDATE_FIELDS);
        Long expected = f.has("specVersion") ? parseVersion(f.text("specVersion", null)) : null;
        PoolRecord before = find(id);
        Sizes sizes = sizes(f, before);
        Integer maxInstances = f.present("maxInstances") ? f.integer("maxInstances", 1, 10_000) : before.maxInstances();
        checkCapacity(sizes.min(), maxInstances);
        PoolRecord.ReleasePolicy policy = releasePolicy(f, before.releasePolicy());
        PoolRecord.Schedule schedule = schedule(f, before.schedule());
        Boolean stopped = f.bool("stopAfterInitialization");
        boolean stopAfterInitialization = stopped == null ? before.stopAfterInitialization() : stopped;
        PoolRecord updated = store.updateSpec(id, expected, p -> p.withSpec(sizes.min(), sizes.max(), maxInstances, policy, schedule,
                stopAfterInitialization, clock.instant()));
        wake.run();
        return view(updated);
    }

    /**
     * EduIDE's runtime scaling: minInstances is the warm pool size (maxSize grows with it when
     * needed), maxInstances caps warm plus claimed instances; null removes the cap.
     */
    public Map<String, Object> patchAppDefinition(String name, byte[] body) {
        Fields f = bodies.read(body, APP_DEFINITION_FIELDS);
        PoolRecord before = byAppDefinitionName(name);
        Integer min = f.integer("minInstances", 0, MAX_SIZE);
        Integer maxInstances = f.present("maxInstances") ? f.integer("maxInstances", 1, 10_000) : before.maxInstances();
        int minSize = min == null ? before.minSize() : min;
        if (maxInstances != null && minSize > maxInstances) {
            throw DevEnvException.invalid("minInstances", "(" + minSize + ") must not exceed maxInstances (" + maxInstances + ")");
        }
        PoolRecord updated = store.updateSpec(before.id(), null, p -> p.withSpec(minSize, Math.max(p.maxSize(), Math.max(minSize, 1)), maxInstances,
                p.releasePolicy(), p.schedule(), p.stopAfterInitialization(), clock.instant()));
        wake.run();
        return Map.of("name", name, "minInstances", updated.minSize(), "maxInstances", updated.maxInstances() == null ? -1 : updated.maxInstances(),
                "warmPool", view(updated));
    }

    /** An app definition is a warm pool, named by its id or by its project's name when that project has exactly one pool. */
    private PoolRecord byAppDefinitionName(String name) {
        var byId = store.find(name).filter(p -> !p.deleted());
        if (byId.isPresent()) return byId.get();
        List<PoolRecord> ofProject = catalog.projects().stream().filter(p -> p.name().equals(name))
                .flatMap(p -> store.list(p.id(), null, false).stream()).filter(p -> !p.deleted()).toList();
        if (ofProject.size() == 1) return ofProject.getFirst();
        if (ofProject.size() > 1) {
            throw DevEnvException.conflict("ambiguous", "project " + name + " has " + ofProject.size() + " warm pools; name one by its id");
        }
        throw DevEnvException.notFound("app definition (warm pool id or project name)", name);
    }

    /** Starts draining: warm instances are removed, claimed ones stay until their environments are deleted. */
    public Map<String, Object> delete(String id) {
        PoolRecord pool = find(id);
        if (!pool.deleted()) {
            store.updateSpec(id, null, p -> p.deleting(clock.instant()));
            store.updateStatus(id, PoolRecord.DELETING, null, clock.instant());
        }
        wake.run();
        return view(find(id));
    }

    public Map<String, Object> get(String id) {
        return view(find(id));
    }

    public List<Map<String, Object>> list(String projectId, String environmentClassId) {
        return store.list(projectId, environmentClassId, true).stream().map(this::view).toList();
    }

    private PoolRecord find(String id) {
        return store.find(id).orElseThrow(() -> DevEnvException.notFound("warm pool", id));
    }

    private record Sizes(int min, int max) {}

    /** The seed's rules: desiredSize (deprecated) means min = max; min 0..20, max 1..20 and >= min. */
    private static Sizes sizes(Fields f, PoolRecord before) {
        Integer desired = f.integer("desiredSize", 1, MAX_SIZE);
        Integer min = f.integer("minSize", 0, MAX_SIZE);
        Integer max = f.integer("maxSize", 1, MAX_SIZE);
        if (desired != null) {
            if (min != null || max != null) throw DevEnvException.invalid("desiredSize", "is deprecated and cannot be combined with minSize or maxSize");
            return new Sizes(desired, desired);
        }
        int resolvedMin = min != null ? min : before != null ? before.minSize() : Math.min(1, max == null ? 1 : max);
        int resolvedMax = max != null ? max : before != null ? Math.max(before.maxSize(), Math.max(resolvedMin, 1)) : Math.max(resolvedMin, 1);
        if (resolvedMax < resolvedMin) throw DevEnvException.invalid("maxSize", "(" + resolvedMax + ") must be >= minSize (" + resolvedMin + ")");
        return new Sizes(resolvedMin, resolvedMax);
    }

    /**
     * CodeCanvas' active hours: {@code cronSchedule} (MIN HOUR DAY MONTH DAYOFWEEK) in {@code cronTimezone}
     * (default GMT+1); on update a field left out keeps its value and null clears it.
     */
    private static PoolRecord.Schedule schedule(Fields f, PoolRecord.Schedule before) {
        String cron = f.present("cronSchedule") ? f.text("cronSchedule", null) : before.cron();
        String zone = f.present("cronTimezone") ? f.text("cronTimezone", null) : before.zone();
        if (cron != null && cron.isBlank()) cron = null;
        try {
            ActiveHours hours = ActiveHours.of(cron == null ? "* * * * *" : cron, zone);
            return cron == null ? PoolRecord.Schedule.ALWAYS : new PoolRecord.Schedule(hours.schedule(), hours.zone().getId());
        } catch (IllegalArgumentException e) {
            throw new DevEnvException(DevEnvException.Kind.INVALID, "invalid_request", e.getMessage());
        }
    }

    private static void checkCapacity(int minSize, Integer maxInstances) {
        if (maxInstances != null && minSize > maxInstances) {
            throw DevEnvException.invalid("maxInstances", "(" + maxInstances + ") must be >= minSize (" + minSize + "): it caps warm plus claimed instances");
        }
    }

    private static PoolRecord.ReleasePolicy releasePolicy(Fields f, PoolRecord.ReleasePolicy fallback) {
        String value = f.text("releasePolicy", null);
        if (value == null) return fallback;
        try {
            return PoolRecord.ReleasePolicy.valueOf(value);
        } catch (IllegalArgumentException e) {
            throw DevEnvException.invalid("releasePolicy", "must be RELEASE_POLICY_DESTROY or RELEASE_POLICY_RESET");
        }
    }

    private static long parseVersion(String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException | NullPointerException e) {
            throw DevEnvException.invalid("specVersion", "must be the specVersion string read from the pool");
        }
    }

    /** The seed's WarmPool resource; counts are read live from the instances. */
    Map<String, Object> view(PoolRecord p) {
        List<InstanceRow> own = instances.all().stream().filter(i -> p.id().equals(i.poolId())).toList();
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("createdAt", p.createdAt().toString());
        metadata.put("updatedAt", p.updatedAt().toString());
        metadata.put("environmentClassId", p.environmentClassId());
        metadata.put("organizationId", p.organizationId());
        metadata.put("projectId", p.projectId());
        metadata.put("runnerId", p.runnerId());
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("desiredPhase", p.desiredPhase());
        spec.put("desiredSize", p.minSize() == p.maxSize() ? p.minSize() : null);
        spec.put("minSize", p.minSize());
        spec.put("maxSize", p.maxSize());
        spec.put("snapshotId", p.snapshotId());
        spec.put("specVersion", Long.toString(p.specVersion()));
        spec.put("maxInstances", p.maxInstances());
        spec.put("releasePolicy", p.releasePolicy().name());
        spec.put("cronSchedule", p.schedule().cron());
        spec.put("cronTimezone", p.schedule().zone());
        spec.put("stopAfterInitialization", p.stopAfterInitialization());
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("phase", p.phase());
        // The autoscaler's stable target (stored by the reconciler); minSize until its first decision.
        status.put("desiredSize", p.deleted() || p.snapshotId() == null ? 0 : p.desiredSize() < 0 ? p.minSize() : p.desiredSize());
        status.put("failureMessage", p.failureMessage());
        status.put("runningInstances", own.stream().filter(i -> i.state().equals(InstanceRow.WARM) && i.ready() && !i.stopped()).count());
        // Stopped and claimable; one being stopped or started is in neither count.
        status.put("stoppedInstances", own.stream().filter(i -> i.state().equals(InstanceRow.WARM) && i.ready() && i.stopped()).count());
        status.put("statusVersion", Long.toString(p.statusVersion()));
        status.put("claimedInstances", own.stream().filter(InstanceRow::claimed).count());
        Map<String, Object> pool = new LinkedHashMap<>();
        pool.put("id", p.id());
        pool.put("metadata", metadata);
        pool.put("spec", spec);
        pool.put("status", status);
        return pool;
    }
}
