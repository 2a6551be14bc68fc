package dev.warmbox.routing;

import java.net.URI;

/** Where an environment's IDE is reachable and who may open it. active=false until personalization finished. */
public record Route(String environmentId, String ownerKeyId, URI target, boolean active) {}
