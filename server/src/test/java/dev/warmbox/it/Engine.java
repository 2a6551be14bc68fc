package dev.warmbox.it;

import dev.warmbox.provider.DockerContainerProvider;

/** The real Docker engine the integration tests run against. Missing engine: the test fails, never skips. */
final class Engine {
    private static DockerContainerProvider provider;

    private Engine() {}

    static synchronized DockerContainerProvider provider() {
        if (provider == null) {
            provider = new DockerContainerProvider(System.getenv().getOrDefault("DOCKER_HOST", "unix:///var/run/docker.sock"));
        }
        return provider;
    }

    static void requireAvailable() {
        if (!provider().ping()) {
            throw new AssertionError("integration tests need a running Docker engine and none answers at "
                    + System.getenv().getOrDefault("DOCKER_HOST", "unix:///var/run/docker.sock")
                    + "; run ./scripts/test.sh, which starts one");
        }
        for (String runtime : new String[] {"python", "javascript", "go", "java"}) {
            String image = "warmbox/runtime-" + runtime + ":latest";
            if (!provider().imageExists(image)) {
                throw new AssertionError("image " + image + " is missing; ./scripts/build-images.sh builds it");
            }
        }
    }
}
