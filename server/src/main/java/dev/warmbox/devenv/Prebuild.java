package dev.warmbox.devenv;

/** One prebuild run: its snapshot id (equal to its id) is what warm pools launch from once it succeeded. */
record Prebuild(String id, String projectId, String environmentClassId, String status, String snapshotId, String failureMessage,
                String createdAt, String finishedAt) {
    static final String RUNNING = "PREBUILD_STATUS_RUNNING";
    static final String SUCCEEDED = "PREBUILD_STATUS_SUCCEEDED";
    static final String FAILED = "PREBUILD_STATUS_FAILED";
}
