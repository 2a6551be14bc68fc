package dev.warmbox.devenv.containers;

import dev.warmbox.config.DevEnvSettings;
import dev.warmbox.devenv.catalog.Catalog;
import dev.warmbox.devenv.catalog.EnvironmentClass;
import dev.warmbox.devenv.catalog.Project;
import dev.warmbox.provider.ContainerSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The containers of development environments: prebuild containers and instances. Their labels are not
 * the execution sandboxes' {@code warmbox.owner}, which start-up sweeps away: instances outlive a
 * restart, and the reconciler finds them again by these labels.
 */
public final class Blueprint {
    public static final String LABEL_MANAGED = "warmbox.managed";
    public static final String LABEL_DEVENV = "warmbox.devenv";
    public static final String LABEL_KIND = "warmbox.devenv.kind";
    public static final String LABEL_POOL = "warmbox.devenv.pool";
    public static final String LABEL_INSTANCE = "warmbox.devenv.instance";
    public static final String LABEL_PREBUILD = "warmbox.devenv.prebuild";
    public static final String KIND_INSTANCE = "instance";
    public static final String KIND_PREBUILD = "prebuild";
    public static final String SOURCE_MOUNT = "/warmbox/source";

    private final String instanceId;
    private final DevEnvSettings settings;

    public Blueprint(String instanceId, DevEnvSettings settings) {
        this.instanceId = instanceId;
        this.settings = settings;
    }

    /** Every container and image of this server's development environments carries these. */
    public Map<String, String> owned() {
        return Map.of(LABEL_MANAGED, "true", LABEL_DEVENV, instanceId);
    }

    public Map<String, String> owned(String kind) {
        return Map.of(LABEL_MANAGED, "true", LABEL_DEVENV, instanceId, LABEL_KIND, kind);
    }

    /** The image a prebuild's snapshot is committed as. */
    public String snapshotImage(String prebuildId) {
        return "warmbox-devenv/" + instanceId.toLowerCase(Locale.ROOT) + ":" + prebuildId;
    }

    public ContainerSpec instance(String name, String poolId, String image, Project project, EnvironmentClass environmentClass) {
        return spec(name, image, Map.of(LABEL_MANAGED, "true", LABEL_DEVENV, instanceId, LABEL_KIND, KIND_INSTANCE,
                LABEL_POOL, poolId == null ? "" : poolId, LABEL_INSTANCE, name), project, environmentClass, List.of());
    }

    public ContainerSpec prebuild(String prebuildId, Project project, EnvironmentClass environmentClass) {
        List<ContainerSpec.Bind> binds = new ArrayList<>();
        if (project.source().git() != null) {
            binds.add(new ContainerSpec.Bind(Catalog.localRepository(project.source().git().url()).toString(), SOURCE_MOUNT, true));
        }
        String name = "wb-prebuild-" + prebuildId.substring(0, 13).replace("-", "");
        return spec(name, project.source().image(), Map.of(LABEL_MANAGED, "true", LABEL_DEVENV, instanceId, LABEL_KIND, KIND_PREBUILD,
                LABEL_PREBUILD, prebuildId), project, environmentClass, binds);
    }

    /** The image's own command (its IDE supervisor) runs as PID 1; the class sets the limits and runtime. */
    private ContainerSpec spec(String name, String image, Map<String, String> labels, Project project, EnvironmentClass environmentClass,
                               List<ContainerSpec.Bind> binds) {
        List<String> env = project.env().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).sorted().toList();
        return new ContainerSpec(name, image, labels, env, List.of(), null,
                new ContainerSpec.Limits(environmentClass.memoryBytes(), (long) (environmentClass.cpu() * 1e9), 4096, 0),
                false, Map.of(), binds, settings.network(), null, true, environmentClass.ociRuntime(), false);
    }
}
