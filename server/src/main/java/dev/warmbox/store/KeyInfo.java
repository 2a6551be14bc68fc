package dev.warmbox.store;

import com.fasterxml.jackson.annotation.JsonFormat;
import java.time.Instant;

/**
 * A stored key as shown to admins; the hash never leaves the store.
 *
 * @param createdAt served as ISO-8601 text, like every other time in the API
 */
public record KeyInfo(String id, String name, Role role, @JsonFormat(shape = JsonFormat.Shape.STRING) Instant createdAt) {}
