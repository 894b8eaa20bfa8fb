package com.altus.hub.export;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Writes one {@code {ServiceCompanyId}_schedules.json} in the seed's shape (CONTRACT sections 7 and
 * 12), keys in the seed's order: {@code ServiceCompanyId, ServiceCompanyGroupId,
 * ServiceCompanyGroupName, Name, IsActive, TimeZoneInfoId, GeneratedAt, DateRangeStart,
 * DateRangeEnd, FeatureToggles, Jobs}. The header comes from MaidCentral's schedule answer, a field
 * it leaves out from the companies list; the jobs are written as MaidCentral sent them. Plain Java:
 * no Camel, no Spring.
 */
public final class ScheduleFileWriter {
    /** The file's bytes, the SHA-256 of everything but GeneratedAt, and how many jobs it holds. */
    public record Rendered(int companyId, byte[] content, String sha256, int jobs) {
    }

    private final ObjectMapper json;

    public ScheduleFileWriter(ObjectMapper json) {
        this.json = json;
    }

    public static String blobName(int companyId) {
        return companyId + "_schedules.json";
    }

    public Rendered render(JsonNode company, JsonNode schedule, ExportWindow window, Instant generatedAt) {
        int id = companyId(company);
        if (schedule == null || !schedule.isObject()) {
            throw new MaidCentralDataException("the schedule of company " + id + " is not a JSON object");
        }
        JsonNode answeredId = schedule.get("ServiceCompanyId");
        if (answeredId != null && !answeredId.isNull() && (!answeredId.canConvertToInt() || answeredId.asInt() != id)) {
            throw new MaidCentralDataException("asked for the schedule of company " + id + ", MaidCentral answered ServiceCompanyId "
                    + answeredId);
        }
        JsonNode jobs = schedule.get("Jobs");
        if (jobs == null || !jobs.isArray()) {
            throw new MaidCentralDataException("the schedule of company " + id + " has no Jobs array");
        }
        JsonNode toggles = pick(schedule, company, "FeatureToggles");
        if (toggles != null && !toggles.isNull() && !toggles.isObject()) {
            throw new MaidCentralDataException("FeatureToggles of company " + id + " is not an object");
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(4096 + jobs.size() * 700);
        ExportJson.HashingStream out = new ExportJson.HashingStream(bytes);
        try (JsonGenerator gen = json.createGenerator(out)) {
            gen.setPrettyPrinter(ExportJson.prettyPrinter());
            gen.writeStartObject();
            gen.writeNumberField("ServiceCompanyId", id);
            for (String f : new String[] {"ServiceCompanyGroupId", "ServiceCompanyGroupName", "Name", "IsActive", "TimeZoneInfoId"}) {
                gen.writeFieldName(f);
                writeValue(gen, pick(schedule, company, f));
            }
            out.writeUnhashedGeneratedAt(gen, DateTimeFormatter.ISO_INSTANT.format(generatedAt.truncatedTo(ChronoUnit.SECONDS)));
            gen.writeStringField("DateRangeStart", window.start().toString());
            gen.writeStringField("DateRangeEnd", window.end().toString());
            gen.writeFieldName("FeatureToggles");
            if (toggles == null || toggles.isNull()) {
                gen.writeStartObject();
                gen.writeEndObject();
            } else {
                gen.writeTree(toggles);
            }
            gen.writeFieldName("Jobs");
            gen.writeTree(jobs);
            gen.writeEndObject();
            gen.flush();
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw new IllegalStateException("writing a schedule file into memory failed", e);
        }
        return new Rendered(id, bytes.toByteArray(), out.hex(), jobs.size());
    }

    /** The company's id from the companies list (an integer, else the company cannot be exported). */
    public static int companyId(JsonNode company) {
        JsonNode id = company == null ? null : company.get("ServiceCompanyId");
        if (id == null || !id.isIntegralNumber() || !id.canConvertToInt()) {
            throw new MaidCentralDataException("a company of MaidCentral's companies list has no integer ServiceCompanyId: "
                    + (company == null ? "null" : abbreviate(company.toString())));
        }
        return id.asInt();
    }

    /** MaidCentral's schedule answer wins; a field it leaves out (or sends as null) comes from the companies list. */
    private static JsonNode pick(JsonNode schedule, JsonNode company, String field) {
        JsonNode v = schedule.get(field);
        if (v == null || v.isNull()) {
            JsonNode c = company.get(field);
            return c == null ? v : c;
        }
        return v;
    }

    private static void writeValue(JsonGenerator gen, JsonNode v) throws IOException {
        if (v == null) {
            gen.writeNull();
        } else {
            gen.writeTree(v);
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
