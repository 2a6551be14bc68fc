package dev.warmbox.routing;

import java.util.Optional;

/** Looks up routes; implemented by the dev-environment store. Must be cheap (called per proxied request). */
public interface Routes {
    Optional<Route> find(String environmentId);
}
