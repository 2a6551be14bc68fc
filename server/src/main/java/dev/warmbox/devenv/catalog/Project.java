package dev.warmbox.devenv.catalog;

import com.fasterxml.jackson.annotation.JsonFormat;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A project: where its code comes from, how it is prebuilt, what runs when an environment is created,
 * started and attached, and which port its IDE listens on.
 *
 * @param prebuildEnvironmentClassIds the classes prebuilds (and so warm pools) are enabled for
 * @param secrets                     shared placeholder values, replaced by the user's on claim
 * @param user                        user lifecycle hooks and prebuild commands run as (null: the image's)
 */
public record Project(String id, String name, Source source, List<String> prebuildCommands,
               List<String> prebuildEnvironmentClassIds, String postCreateCommand, String postStartCommand,
               String postAttachCommand, Map<String, String> env, Map<String, String> secrets, int idePort, String user,
               @JsonFormat(shape = JsonFormat.Shape.STRING) Instant createdAt,
               @JsonFormat(shape = JsonFormat.Shape.STRING) Instant updatedAt) {

    /** The image to start from and, optionally, a git repository cloned into /workspace at prebuild time. */
    public record Source(String image, Git git) {}

    /** A repository on this machine: an absolute path or a file:// URL, and the ref to check out. */
    public record Git(String url, String ref) {}

    public boolean prebuildsEnabledFor(String environmentClassId) {
        return prebuildEnvironmentClassIds.contains(environmentClassId);
    }
}
