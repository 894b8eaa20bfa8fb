package com.altus.hub.schedule;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Splits a schedule file into one object per day of its range (CONTRACT section 7): the company
 * header fields plus that day's jobs, at {@code {ServiceCompanyId}/{YYYY-MM-DD}/schedule.json}.
 * A day of the range without jobs still gets an object (job_count 0), so a cancelled last job
 * empties the day instead of leaving yesterday's object behind.
 *
 * <p>GeneratedAt and the range are left out of the day object: they change on every export, and
 * keeping them out makes an unchanged day byte-identical, so its upload can be skipped.
 */
public final class ScheduleDaySplitter {

    /** One day's object: where it goes, how many jobs, its bytes and their SHA-256 (hex). */
    public record Day(LocalDate date, String path, int jobCount, byte[] content, String contentHash) {
    }

    private final ObjectMapper json;

    public ScheduleDaySplitter(ObjectMapper json) {
        this.json = json;
    }

    public static String path(int companyId, LocalDate date) {
        return companyId + "/" + date + "/schedule.json";
    }

    public List<Day> split(ScheduleFile file) {
        Map<LocalDate, ArrayNode> byDay = new LinkedHashMap<>();
        if (file.rangeStart() != null) {
            for (LocalDate d = file.rangeStart(); !d.isAfter(file.rangeEnd()); d = d.plusDays(1)) {
                byDay.put(d, json.createArrayNode());
            }
        }
        for (ScheduleFile.Job j : file.jobs()) {
            byDay.computeIfAbsent(j.date(), d -> json.createArrayNode()).add(j.json());
        }
        List<Day> days = new ArrayList<>(byDay.size());
        for (Map.Entry<LocalDate, ArrayNode> e : byDay.entrySet()) {
            ObjectNode day = json.createObjectNode();
            day.put("ServiceCompanyId", file.companyId());
            day.put("ServiceCompanyGroupId", file.groupId());
            day.put("ServiceCompanyGroupName", file.groupName());
            day.put("Name", file.name());
            day.put("IsActive", file.active());
            day.put("TimeZoneInfoId", file.timeZone());
            day.set("FeatureToggles", file.featureToggles());
            day.put("ScheduleDate", e.getKey().toString());
            day.set("Jobs", e.getValue());
            byte[] bytes;
            try {
                bytes = json.writeValueAsBytes(day);
            } catch (JsonProcessingException ex) {
                throw new IllegalStateException("a parsed schedule day cannot be written back as JSON", ex);
            }
            days.add(new Day(e.getKey(), path(file.companyId(), e.getKey()), e.getValue().size(), bytes, sha256(bytes)));
        }
        return days;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }
}
