package com.altus.hub.platform.dlq;

import java.time.OffsetDateTime;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;

/** A row of {@code dead_letters}. */
public record StoredDeadLetter(
        long id,
        String flow,
        @JsonProperty("route_id") String routeId,
        @JsonProperty("entity_type") String entityType,
        @JsonProperty("entity_key") String entityKey,
        JsonNode payload,
        JsonNode headers,
        @JsonProperty("error_class") String errorClass,
        @JsonProperty("error_message") String errorMessage,
        String status,
        int attempts,
        @JsonProperty("run_id") Long runId,
        @JsonProperty("first_failed_at") OffsetDateTime firstFailedAt,
        @JsonProperty("last_failed_at") OffsetDateTime lastFailedAt,
        @JsonProperty("next_attempt_at") OffsetDateTime nextAttemptAt,
        @JsonProperty("replayed_at") OffsetDateTime replayedAt) {
}
