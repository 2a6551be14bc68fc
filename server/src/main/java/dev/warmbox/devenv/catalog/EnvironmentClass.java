package dev.warmbox.devenv.catalog;

/**
 * What an environment runs on: CPU, memory and disk, and the OCI runtime. Disk is recorded and shown;
 * enforcing it needs an engine storage driver with quotas (overlay2 on xfs with pquota).
 */
public record EnvironmentClass(String id, String name, double cpu, long memoryBytes, long diskBytes, String ociRuntime,
                        String createdAt, String updatedAt) {}
