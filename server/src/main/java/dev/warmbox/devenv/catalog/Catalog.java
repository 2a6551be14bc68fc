package dev.warmbox.devenv.catalog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.warmbox.devenv.requests.DevEnvException;
import dev.warmbox.devenv.requests.Fields;
import dev.warmbox.provider.ContainerProvider;
import dev.warmbox.store.Database;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** Environment classes and projects: validated on the way in, stored as JSON documents. */
public final class Catalog {
    private static final Set<String> CLASS_FIELDS = Set.of("name", "cpu", "memoryBytes", "diskBytes", "ociRuntime");
    private static final Set<String> PROJECT_FIELDS = Set.of("name", "source", "prebuildCommands", "prebuildEnvironmentClassIds",
            "postCreateCommand", "postStartCommand", "postAttachCommand", "env", "secrets", "idePort", "user");

    private final CatalogStore store;
    private final ObjectMapper json;
    private final Fields.Reader bodies;
    private final ContainerProvider provider;
    private final Clock clock;

    public Catalog(Database database, ObjectMapper json, Fields.Reader bodies, ContainerProvider provider, Clock clock) {
        this.store = new CatalogStore(database, json);
        this.json = json;
        this.bodies = bodies;
        this.provider = provider;
        this.clock = clock;
    }

    public EnvironmentClass createClass(byte[] body) {
        Instant now = clock.instant();
        EnvironmentClass created = parseClass(body, UUID.randomUUID().toString(), now, now);
        store.insert(CatalogStore.Table.CLASSES, created.id(), created.name(), created);
        return created;
    }

    /** PATCH: the stored class with the body's fields replaced, validated as a new one would be. */
    public EnvironmentClass updateClass(String id, byte[] body) {
        EnvironmentClass current = environmentClass(id);
        EnvironmentClass updated = parseClass(merge(current, body, CLASS_FIELDS), id, current.createdAt(), clock.instant());
        store.update(CatalogStore.Table.CLASSES, id, updated.name(), updated);
        return updated;
    }

    private EnvironmentClass parseClass(byte[] body, String id, Instant createdAt, Instant now) {
        Fields f = bodies.read(body, CLASS_FIELDS);
        Double cpu = f.number("cpu", 0.1, 64);
        Long memory = f.longValue("memoryBytes", 64L << 20, 256L << 30);
        Long disk = f.longValue("diskBytes", 0, 16L << 40);
        String runtime = f.text("ociRuntime", null);
        if (runtime != null && !runtime.matches("[a-zA-Z0-9_.-]{1,64}")) throw DevEnvException.invalid("ociRuntime", "must be a runtime name such as runsc");
        return new EnvironmentClass(id, name(f), cpu == null ? 1.0 : cpu, memory == null ? 1L << 30 : memory, disk == null ? 0 : disk, runtime,
                createdAt, now);
    }

    public Project createProject(byte[] body) {
        Instant now = clock.instant();
        Project created = parseProject(body, UUID.randomUUID().toString(), now, now);
        store.insert(CatalogStore.Table.PROJECTS, created.id(), created.name(), created);
        return created;
    }

    /** PATCH: the stored project with the body's top-level fields replaced, validated as a new one would be. */
    public Project updateProject(String id, byte[] body) {
        Project current = project(id);
        Project updated = parseProject(merge(current, body, PROJECT_FIELDS), id, current.createdAt(), clock.instant());
        store.update(CatalogStore.Table.PROJECTS, id, updated.name(), updated);
        return updated;
    }

    /**
     * What a pool's warm instances were made from besides the snapshot: the project's and the class's
     * definitions (not their names or times). Instances of another fingerprint are recreated.
     */
    public String fingerprint(String projectId, String environmentClassId) {
        ObjectNode both = json.createObjectNode();
        both.set("project", definition(project(projectId)));
        both.set("class", definition(environmentClass(environmentClassId)));
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(json.writeValueAsBytes(both));
            return java.util.HexFormat.of().formatHex(digest, 0, 16);
        } catch (JsonProcessingException | java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot fingerprint " + projectId + "/" + environmentClassId, e);
        }
    }

    private ObjectNode definition(Object stored) {
        ObjectNode node = json.valueToTree(stored);
        node.remove(List.of("id", "name", "createdAt", "updatedAt"));
        return node;
    }

    private byte[] merge(Object current, byte[] body, Set<String> known) {
        ObjectNode changes = bodies.object(body, known); // a body that is not an object, or has unknown fields, is refused as on create
        ObjectNode merged = json.valueToTree(current);
        merged.remove(List.of("id", "createdAt", "updatedAt"));
        merged.setAll(changes);
        try {
            return json.writeValueAsBytes(merged);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the merged definition", e);
        }
    }

    private Project parseProject(byte[] body, String id, Instant createdAt, Instant now) {
        Fields f = bodies.read(body, PROJECT_FIELDS);
        String name = name(f);
        Project.Source source = source(f.object("source"));
        List<String> classes = f.texts("prebuildEnvironmentClassIds", 32);
        for (String classId : classes) environmentClass(classId, "prebuildEnvironmentClassIds");
        Integer port = f.integer("idePort", 1, 65535);
        String user = f.text("user", null);
        if (user != null && !user.matches("[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,31}(:[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,31})?")) {
            throw DevEnvException.invalid("user", "must be a user name or uid, optionally with :group");
        }
        return new Project(id, name, source, f.texts("prebuildCommands", 64), classes,
                f.text("postCreateCommand", null), f.text("postStartCommand", null), f.text("postAttachCommand", null),
                f.variables("env"), f.variables("secrets"), port == null ? 7681 : port, user, createdAt, now);
    }

    private Project.Source source(Fields source) {
        if (source == null) throw DevEnvException.invalid("source", "is required: {image, git?: {url, ref?}}");
        String image = source.requiredText("image");
        if (!provider.imageExists(image)) {
            throw DevEnvException.invalid("source.image", "names an image that is not present on this server: " + image);
        }
        Fields git = source.object("git");
        if (git == null) return new Project.Source(image, null);
        String url = git.requiredText("url");
        localRepository(url);
        String ref = git.text("ref", null);
        if (ref != null && !ref.matches("[A-Za-z0-9][A-Za-z0-9._/-]{0,199}")) throw DevEnvException.invalid("source.git.ref", "is not a valid ref name");
        return new Project.Source(image, new Project.Git(url, ref));
    }

    /** The repository's directory: only local paths and file:// URLs, so prebuilds never reach a network. */
    public static Path localRepository(String url) {
        Path path;
        try {
            path = url.startsWith("file://") ? Path.of(URI.create(url)) : Path.of(url);
        } catch (RuntimeException e) {
            throw DevEnvException.invalid("source.git.url", "must be an absolute path or a file:// URL of a repository on this machine");
        }
        if (!path.isAbsolute()) throw DevEnvException.invalid("source.git.url", "must be an absolute path or a file:// URL of a repository on this machine");
        if (!Files.isDirectory(path)) throw DevEnvException.invalid("source.git.url", "names no directory on this machine: " + path);
        return path.normalize();
    }

    private static String name(Fields f) {
        String name = f.requiredText("name");
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}")) throw DevEnvException.invalid("name", "must be 1-64 letters, digits, spaces, '.', '_' or '-'");
        return name;
    }

    public EnvironmentClass environmentClass(String id) {
        return store.find(CatalogStore.Table.CLASSES, id, EnvironmentClass.class).orElseThrow(() -> DevEnvException.notFound("environment class", id));
    }

    /** A class a request refers to; a missing one is the request's mistake, named by its field. */
    public EnvironmentClass environmentClass(String id, String field) {
        return store.find(CatalogStore.Table.CLASSES, id, EnvironmentClass.class)
                .orElseThrow(() -> DevEnvException.invalid(field, "names no environment class: " + id));
    }

    public Project project(String id) {
        return store.find(CatalogStore.Table.PROJECTS, id, Project.class).orElseThrow(() -> DevEnvException.notFound("project", id));
    }

    public Project project(String id, String field) {
        return store.find(CatalogStore.Table.PROJECTS, id, Project.class).orElseThrow(() -> DevEnvException.invalid(field, "names no project: " + id));
    }

    public List<EnvironmentClass> classes() {
        return store.all(CatalogStore.Table.CLASSES, EnvironmentClass.class);
    }

    public List<Project> projects() {
        return store.all(CatalogStore.Table.PROJECTS, Project.class);
    }
}
