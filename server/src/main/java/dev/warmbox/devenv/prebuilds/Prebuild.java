package dev.warmbox.devenv.prebuilds;

import com.fasterxml.jackson.annotation.JsonFormat;
import java.time.Instant;

/** One prebuild run: its snapshot id (equal to its id) is what warm pools launch from once it succeeded. */
public record Prebuild(String id, String projectId, String environmentClassId, String status, String snapshotId, String failureMessage,
                @JsonFormat(shape = JsonFormat.Shape.STRING) Instant createdAt,
                @JsonFormat(shape = JsonFormat.Shape.STRING) Instant finishedAt) {
    public static final String RUNNING = "PREBUILD_STATUS_RUNNING";
    public static final String SUCCEEDED = "PREBUILD_STATUS_SUCCEEDED";
    public static final String FAILED = "PREBUILD_STATUS_FAILED";
}
