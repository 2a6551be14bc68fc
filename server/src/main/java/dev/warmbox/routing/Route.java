package dev.warmbox.routing;
/** Where an environment's IDE is reachable and who may open it. active=false until personalization finished. */
public record Route(String environmentId, String ownerKeyId, java.net.URI target, boolean active) {}
