package com.altus.hub.schedule;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A validated {@code {ServiceCompanyId}_schedules.json}: the company header, its feature toggles,
 * the date range and the jobs as sent (each with a valid {@code JobDate}).
 */
public record ScheduleFile(
        int companyId,
        int groupId,
        String groupName,
        String name,
        boolean active,
        String timeZone,
        OffsetDateTime generatedAt,
        LocalDate rangeStart,
        LocalDate rangeEnd,
        ObjectNode featureToggles,
        List<Job> jobs) {

    /** A job with its parsed date; {@code json} is the job exactly as in the file. */
    public record Job(long jobId, LocalDate date, JsonNode json) {
    }
}
