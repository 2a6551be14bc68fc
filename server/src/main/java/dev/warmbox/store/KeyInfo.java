package dev.warmbox.store;

import java.time.Instant;

/** A stored key as shown to admins; the hash never leaves the store. */
public record KeyInfo(String id, String name, Role role, Instant createdAt) {}
