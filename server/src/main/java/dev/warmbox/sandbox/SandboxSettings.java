package dev.warmbox.sandbox;

import dev.warmbox.config.Limits;
import dev.warmbox.config.WarmboxConfig;
import java.nio.file.Path;
import java.util.Optional;

/** What ContainerSandboxes needs from the configuration. */
public record SandboxSettings(
        String instanceId, Path runDir, String imagePrefix, Optional<String> ociRuntime, Limits limits) {

    public static SandboxSettings from(WarmboxConfig config) {
        return new SandboxSettings(config.instanceId(), config.runDir(), config.imagePrefix(), config.ociRuntime(),
                config.limits());
    }

    public String image(Language language) {
        return imagePrefix + language.id() + ":latest";
    }
}
