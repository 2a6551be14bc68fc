package dev.warmbox.devenv.catalog;

import com.fasterxml.jackson.annotation.JsonFormat;
import java.time.Instant;

/**
 * What an environment runs on: CPU, memory and disk, and the OCI runtime. Disk is recorded and shown;
 * enforcing it needs an engine storage driver with quotas (overlay2 on xfs with pquota).
 */
public record EnvironmentClass(String id, String name, double cpu, long memoryBytes, long diskBytes, String ociRuntime,
                        @JsonFormat(shape = JsonFormat.Shape.STRING) Instant createdAt,
                        @JsonFormat(shape = JsonFormat.Shape.STRING) Instant updatedAt) {}
