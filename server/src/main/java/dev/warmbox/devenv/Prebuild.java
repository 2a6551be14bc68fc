package dev.warmbox.devenv;

import com.fasterxml.jackson.annotation.JsonFormat;
import java.time.Instant;

/** One prebuild run: its snapshot id (equal to its id) is what warm pools launch from once it succeeded. */
record Prebuild(String id, String projectId, String environmentClassId, String status, String snapshotId, String failureMessage,
                @JsonFormat(shape = JsonFormat.Shape.STRING) Instant createdAt,
                @JsonFormat(shape = JsonFormat.Shape.STRING) Instant finishedAt) {
    static final String RUNNING = "PREBUILD_STATUS_RUNNING";
    static final String SUCCEEDED = "PREBUILD_STATUS_SUCCEEDED";
    static final String FAILED = "PREBUILD_STATUS_FAILED";
}
