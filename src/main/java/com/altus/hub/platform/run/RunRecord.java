package com.altus.hub.platform.run;

import java.time.OffsetDateTime;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/** A row of {@code sync_jobs} as the contract shows it (section 4). */
@JsonPropertyOrder({"id", "flow", "status", "started_at", "finished_at", "stats", "error", "trigger", "instance"})
public record RunRecord(
        long id,
        String flow,
        String status,
        @JsonProperty("started_at") OffsetDateTime startedAt,
        @JsonProperty("finished_at") OffsetDateTime finishedAt,
        Map<String, Object> stats,
        String error,
        String trigger,
        String instance) {

    public static final String RUNNING = "running";
    public static final String SUCCEEDED = "succeeded";
    public static final String PARTIAL = "partial";
    public static final String FAILED = "failed";

    @JsonIgnore
    public boolean succeeded() {
        return SUCCEEDED.equals(status);
    }

    @JsonIgnore
    public boolean failed() {
        return FAILED.equals(status);
    }
}
