package dev.warmbox.routing;
/** Looks up routes; implemented by the dev-environment store. Must be cheap (called per proxied request). */
public interface Routes { java.util.Optional<Route> find(String environmentId); }
