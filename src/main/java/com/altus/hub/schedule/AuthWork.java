package com.altus.hub.schedule;

import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The body of route {@code azure-sync-auth}: which users to bring in line with Supabase Auth.
 * {@code user_ids} null means every user whose auth record is behind its profile (what a run
 * sends); a list means just those (what a replayed letter sends: a failed create/update or a queued
 * deletion). {@code email} only helps an operator reading the letter.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record AuthWork(@JsonProperty("user_ids") List<UUID> userIds, @JsonProperty("email") String email) {

    /** Every pending user: the run's reconcile. */
    public static AuthWork everyone() {
        return new AuthWork(null, null);
    }

    public static AuthWork user(UUID id, String email) {
        return new AuthWork(List.of(id), email);
    }

    @JsonIgnore
    public boolean all() {
        return userIds == null;
    }
}
