package com.altus.hub.schedule;

import java.io.IOException;
import java.io.InputStream;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Reads and validates a schedule file (CONTRACT section 7). Anything that would make the sync
 * guess (invalid JSON, a missing or non-integer id, Jobs that is not an array, a job without a
 * valid JobDate, a file whose id contradicts its blob name) is a {@link BadBlobException} naming
 * the field, so the blob is dead-lettered whole rather than half-synced.
 */
public final class ScheduleFileParser {
    /** {@code 17_schedules.json} -> 17. */
    public static final Pattern SCHEDULE_BLOB = Pattern.compile("^(\\d{1,9})_schedules\\.json$");
    private final ObjectMapper json;
    private final int maxDays;

    public ScheduleFileParser(ObjectMapper json, int maxDays) {
        this.json = json;
        this.maxDays = maxDays;
    }

    public ScheduleFile parse(String blobName, InputStream content) throws BadBlobException, IOException {
        JsonNode root;
        // the caller reads on after the JSON (to finish the digest) and closes the stream itself
        try (JsonParser parser = json.getFactory().createParser(content).disable(JsonParser.Feature.AUTO_CLOSE_SOURCE)) {
            root = json.readTree(parser);
        } catch (JsonProcessingException e) {
            throw new BadBlobException("invalid JSON: " + e.getOriginalMessage() + " at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr());
        }
        if (root == null || !root.isObject()) {
            throw new BadBlobException("not a JSON object");
        }
        int companyId = requiredInt(root, "ServiceCompanyId");
        Matcher m = SCHEDULE_BLOB.matcher(blobName);
        if (m.matches() && Integer.parseInt(m.group(1)) != companyId) {
            throw new BadBlobException("ServiceCompanyId " + companyId + " does not match the blob name " + blobName);
        }
        int groupId = requiredInt(root, "ServiceCompanyGroupId");
        String groupName = requiredText(root, "ServiceCompanyGroupName");
        String name = requiredText(root, "Name");
        boolean active = optionalBoolean(root, "IsActive", true);
        String timeZone = optionalText(root, "TimeZoneInfoId");
        OffsetDateTime generatedAt = optionalTimestamp(root, "GeneratedAt");
        ObjectNode toggles = json.createObjectNode();
        JsonNode ft = root.get("FeatureToggles");
        if (ft != null && !ft.isNull()) {
            if (!ft.isObject()) {
                throw new BadBlobException("FeatureToggles must be an object, got " + ft.getNodeType());
            }
            toggles = (ObjectNode) ft;
        }
        JsonNode jobsNode = root.get("Jobs");
        if (jobsNode == null || jobsNode.isNull()) {
            throw new BadBlobException("missing Jobs");
        }
        if (!jobsNode.isArray()) {
            throw new BadBlobException("Jobs must be an array, got " + jobsNode.getNodeType());
        }
        List<ScheduleFile.Job> jobs = new ArrayList<>(jobsNode.size());
        int i = 0;
        for (JsonNode j : jobsNode) {
            if (!j.isObject()) {
                throw new BadBlobException("Jobs[" + i + "] must be an object");
            }
            JsonNode id = j.get("JobId");
            if (id == null || !id.canConvertToLong() || !id.isIntegralNumber()) {
                throw new BadBlobException("Jobs[" + i + "].JobId must be an integer");
            }
            LocalDate date = date(j.get("JobDate"), "Jobs[" + i + "].JobDate", true);
            jobs.add(new ScheduleFile.Job(id.asLong(), date, j));
            i++;
        }
        LocalDate start = date(root.get("DateRangeStart"), "DateRangeStart", false);
        LocalDate end = date(root.get("DateRangeEnd"), "DateRangeEnd", false);
        if (start == null || end == null) {
            // no declared range: the jobs' own span is the range (a job outside a declared range
            // gets its own day, but the days between are not claimed as empty)
            for (ScheduleFile.Job j : jobs) {
                start = start == null || j.date().isBefore(start) ? j.date() : start;
                end = end == null || j.date().isAfter(end) ? j.date() : end;
            }
        }
        start = start == null ? end : start;
        end = end == null ? start : end;
        if (start != null) {
            if (end.isBefore(start)) {
                throw new BadBlobException("DateRangeEnd " + end + " is before DateRangeStart " + start);
            }
            if (ChronoUnit.DAYS.between(start, end) + 1 > maxDays) {
                throw new BadBlobException("the file spans " + (ChronoUnit.DAYS.between(start, end) + 1)
                        + " days (" + start + ".." + end + "), more than hub.azure.max-days-per-file=" + maxDays);
            }
        }
        return new ScheduleFile(companyId, groupId, groupName, name, active, timeZone, generatedAt, start, end, toggles, jobs);
    }

    private static int requiredInt(JsonNode root, String field) throws BadBlobException {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            throw new BadBlobException("missing " + field);
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw new BadBlobException(field + " must be an integer, got " + describe(n));
        }
        return n.asInt();
    }

    private static String requiredText(JsonNode root, String field) throws BadBlobException {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            throw new BadBlobException("missing " + field);
        }
        if (!n.isTextual()) {
            throw new BadBlobException(field + " must be a string, got " + describe(n));
        }
        return n.asText();
    }

    private static String optionalText(JsonNode root, String field) throws BadBlobException {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw new BadBlobException(field + " must be a string, got " + describe(n));
        }
        return n.asText();
    }

    private static boolean optionalBoolean(JsonNode root, String field, boolean def) throws BadBlobException {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return def;
        }
        if (!n.isBoolean()) {
            throw new BadBlobException(field + " must be true or false, got " + describe(n));
        }
        return n.asBoolean();
    }

    private static OffsetDateTime optionalTimestamp(JsonNode root, String field) throws BadBlobException {
        String s = optionalText(root, field);
        if (s == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(s);
        } catch (DateTimeParseException e) {
            throw new BadBlobException(field + " must be a UTC timestamp like 2025-12-10T05:00:00Z, got '" + s + "'");
        }
    }

    /** YYYY-MM-DD; a timestamp's date part is accepted too (some exports send 2025-12-10T00:00:00). */
    private static LocalDate date(JsonNode n, String field, boolean required) throws BadBlobException {
        if (n == null || n.isNull()) {
            if (required) {
                throw new BadBlobException("missing " + field);
            }
            return null;
        }
        if (!n.isTextual() || n.asText().length() < 10) {
            throw new BadBlobException(field + " must be a date YYYY-MM-DD, got " + describe(n));
        }
        try {
            return LocalDate.parse(n.asText().substring(0, 10));
        } catch (DateTimeParseException e) {
            throw new BadBlobException(field + " must be a date YYYY-MM-DD, got " + describe(n));
        }
    }

    private static String describe(JsonNode n) {
        String s = n.isTextual() ? "'" + n.asText() + "'" : n.getNodeType().toString().toLowerCase() + " " + n;
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
