package dev.warmbox.store;

/** Who made a request: the key that authenticated it. */
public record Principal(String keyId, String name, Role role) {}
