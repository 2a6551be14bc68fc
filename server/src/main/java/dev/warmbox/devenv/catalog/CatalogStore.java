package dev.warmbox.devenv.catalog;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.warmbox.devenv.requests.DevEnvException;
import dev.warmbox.store.Database;
import java.util.List;
import java.util.Optional;

/**
 * The catalog's own tables, {@code environment_classes} and {@code projects}: each row a unique name
 * and the whole definition as a JSON document. Names are unique per table; a taken one is a 409.
 */
final class CatalogStore {
    /** The two tables; their names are constants, never input. */
    enum Table {
        CLASSES("environment_classes"), PROJECTS("projects");

        final String name;

        Table(String name) {
            this.name = name;
        }
    }

    private final Database database;
    private final ObjectMapper json;

    CatalogStore(Database database, ObjectMapper json) {
        this.database = database;
        this.json = json;
    }

    void insert(Table table, String id, String name, Object definition) {
        String doc = write(definition);
        database.transaction(h -> {
            refuseTaken(h, table, name, id);
            return h.createUpdate("INSERT INTO " + table.name + " (id, name, doc) VALUES (:id, :name, :doc)")
                    .bind("id", id).bind("name", name).bind("doc", doc).execute();
        });
    }

    void update(Table table, String id, String name, Object definition) {
        String doc = write(definition);
        database.transaction(h -> {
            refuseTaken(h, table, name, id);
            return h.createUpdate("UPDATE " + table.name + " SET name = :name, doc = :doc WHERE id = :id")
                    .bind("id", id).bind("name", name).bind("doc", doc).execute();
        });
    }

    <T> Optional<T> find(Table table, String id, Class<T> type) {
        return database.handle(h -> h.createQuery("SELECT doc FROM " + table.name + " WHERE id = :id").bind("id", id)
                .mapTo(String.class).findOne()).map(doc -> read(doc, type));
    }

    <T> List<T> all(Table table, Class<T> type) {
        return database.handle(h -> h.createQuery("SELECT doc FROM " + table.name + " ORDER BY name").mapTo(String.class).list())
                .stream().map(doc -> read(doc, type)).toList();
    }

    private static void refuseTaken(org.jdbi.v3.core.Handle h, Table table, String name, String id) {
        boolean taken = h.createQuery("SELECT 1 FROM " + table.name + " WHERE name = :name AND id != :id")
                .bind("name", name).bind("id", id).mapTo(Integer.class).findOne().isPresent();
        if (taken) throw DevEnvException.conflict("already_exists", "the name " + name + " is already taken");
    }

    private String write(Object definition) {
        try {
            return json.writeValueAsString(definition);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + definition, e);
        }
    }

    private <T> T read(String doc, Class<T> type) {
        try {
            return json.readValue(doc, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored " + type.getSimpleName() + " is not readable: " + e.getOriginalMessage(), e);
        }
    }
}
