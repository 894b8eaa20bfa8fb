package com.altus.hub.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/**
 * The exporter's plain mapping: the complete Windows -> IANA zone table, windows at a date
 * boundary, and both files written byte for byte as the seed writes them (but for GeneratedAt),
 * with hashes that ignore GeneratedAt.
 */
class ExportMappingTest {
    private static final Path SAMPLES = Path.of(System.getProperty("hub.test.basedir", ".")).resolve("samples/azure-blobs");
    private final ObjectMapper json = new ObjectMapper(ExportJson.factory());

    @Test
    void everyWindowsZoneOfTheCldrTableMapsToAnIanaZone() {
        WindowsZones zones = WindowsZones.cldr();
        assertThat(zones.size()).as("every territory=001 row of CLDR windowsZones.xml").isEqualTo(139);
        assertThat(zones.zoneOf("Eastern Standard Time")).contains(ZoneId.of("America/New_York"));
        assertThat(zones.zoneOf("Central Standard Time")).contains(ZoneId.of("America/Chicago"));
        assertThat(zones.zoneOf("US Mountain Standard Time")).contains(ZoneId.of("America/Phoenix"));
        assertThat(zones.zoneOf("Hawaiian Standard Time")).contains(ZoneId.of("Pacific/Honolulu"));
        assertThat(zones.zoneOf("Tokyo Standard Time")).contains(ZoneId.of("Asia/Tokyo"));
        assertThat(zones.zoneOf("Central Standard Time (Mexico)")).contains(ZoneId.of("America/Mexico_City"));
        assertThat(zones.zoneOf("eastern standard time")).as("case does not matter").contains(ZoneId.of("America/New_York"));
        assertThat(zones.zoneOf("America/Denver")).as("an IANA id is taken as it is").contains(ZoneId.of("America/Denver"));
        assertThat(zones.zoneOf("Mars Standard Time")).isEmpty();
        assertThat(zones.zoneOf(null)).isEmpty();
        // every zone gen_data.py uses, and every one Windows ships in the US
        for (String id : List.of("Eastern Standard Time", "Central Standard Time", "Mountain Standard Time", "US Mountain Standard Time",
                "Pacific Standard Time", "Alaskan Standard Time", "Hawaiian Standard Time", "Aleutian Standard Time",
                "US Eastern Standard Time")) {
            assertThat(zones.zoneOf(id)).as(id).isPresent();
        }
    }

    @Test
    void theWindowStartsAtTheCompanysLocalDate() {
        Instant lateEvening = Instant.parse("2025-12-10T04:30:00Z");
        ExportWindow ny = ExportWindow.of(ZoneId.of("America/New_York"), lateEvening, 7);
        assertThat(ny.start()).isEqualTo(LocalDate.parse("2025-12-09"));
        assertThat(ny.end()).isEqualTo(LocalDate.parse("2025-12-15"));
        ExportWindow tokyo = ExportWindow.of(ZoneId.of("Asia/Tokyo"), lateEvening, 7);
        assertThat(tokyo.start()).isEqualTo(LocalDate.parse("2025-12-10"));
        // one second later than midnight in New York: its new day
        assertThat(ExportWindow.of(ZoneId.of("America/New_York"), Instant.parse("2025-12-10T05:00:01Z"), 1).start())
                .isEqualTo(LocalDate.parse("2025-12-10"));
    }

    @Test
    void aScheduleFileIsTheSeedsShapeByteForByteAndItsHashIgnoresGeneratedAt() throws Exception {
        ScheduleFileWriter writer = new ScheduleFileWriter(json);
        for (String name : List.of("1_schedules.json", "3_schedules.json", "7_schedules.json")) {
            byte[] sample = Files.readAllBytes(SAMPLES.resolve(name));
            ObjectNode file = (ObjectNode) json.readTree(sample);
            ObjectNode company = json.createObjectNode();
            for (String f : List.of("ServiceCompanyId", "ServiceCompanyGroupId", "ServiceCompanyGroupName", "Name", "IsActive",
                    "TimeZoneInfoId", "FeatureToggles")) {
                company.set(f, file.get(f));
            }
            // MaidCentral's schedule answer: the file without GeneratedAt and range
            ObjectNode answer = file.deepCopy();
            answer.remove(List.of("GeneratedAt", "DateRangeStart", "DateRangeEnd"));
            ExportWindow window = new ExportWindow(ZoneId.of("America/New_York"), LocalDate.parse(file.get("DateRangeStart").asText()),
                    LocalDate.parse(file.get("DateRangeEnd").asText()));
            Instant generated = Instant.parse(file.get("GeneratedAt").asText());

            ScheduleFileWriter.Rendered r = writer.render(company, answer, window, generated);
            assertThat(new String(r.content(), StandardCharsets.UTF_8)).as(name).isEqualTo(new String(sample, StandardCharsets.UTF_8));
            assertThat(r.jobs()).isEqualTo(file.get("Jobs").size());
            assertThat(writer.render(company, answer, window, generated.plusSeconds(900)).sha256()).isEqualTo(r.sha256());
            ObjectNode changed = answer.deepCopy();
            changed.put("Name", "Renamed");
            assertThat(writer.render(company, changed, window, generated).sha256()).isNotEqualTo(r.sha256());
        }
    }

    @Test
    void headerFieldsMaidCentralLeavesOutComeFromTheCompaniesList() throws Exception {
        ObjectNode company = (ObjectNode) json.readTree("""
                {"ServiceCompanyId": 5, "ServiceCompanyGroupId": 2, "ServiceCompanyGroupName": "G", "Name": "Five",
                 "IsActive": false, "TimeZoneInfoId": "Pacific Standard Time", "FeatureToggles": {"A": true}}""");
        JsonNode answer = json.readTree("{\"Jobs\": []}");
        ExportWindow w = ExportWindow.of(ZoneId.of("America/Los_Angeles"), Instant.parse("2025-12-10T12:00:00Z"), 7);
        JsonNode file = json.readTree(new ScheduleFileWriter(json).render(company, answer, w, Instant.EPOCH).content());
        assertThat(file.get("Name").asText()).isEqualTo("Five");
        assertThat(file.get("IsActive").asBoolean()).isFalse();
        assertThat(file.get("FeatureToggles").get("A").asBoolean()).isTrue();
        assertThat(file.get("DateRangeEnd").asText()).isEqualTo("2025-12-16");
        assertThat(file.get("Jobs").size()).isZero();
        assertThatThrownBy(() -> new ScheduleFileWriter(json).render(company, json.readTree("{\"Jobs\": {}}"), w, Instant.EPOCH))
                .isInstanceOf(MaidCentralDataException.class).hasMessageContaining("no Jobs array");
        assertThatThrownBy(() -> new ScheduleFileWriter(json).render(company, json.readTree("{\"ServiceCompanyId\": 6, \"Jobs\": []}"), w,
                Instant.EPOCH)).isInstanceOf(MaidCentralDataException.class).hasMessageContaining("answered ServiceCompanyId 6");
    }

    @Test
    void usersJsonIsStreamedInTheSeedsShapeByteForByteCountingUsers() throws Exception {
        byte[] sample = Files.readAllBytes(SAMPLES.resolve("users.json"));
        ObjectNode doc = (ObjectNode) json.readTree(sample);
        Instant generated = Instant.parse(doc.get("GeneratedAt").asText());
        doc.remove("GeneratedAt");
        byte[] answer = json.writeValueAsBytes(doc);
        UsersFileWriter writer = new UsersFileWriter(ExportJson.factory());

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        UsersFileWriter.Written w = writer.write(new ByteArrayInputStream(answer), out, generated);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(new String(sample, StandardCharsets.UTF_8));
        assertThat(w.users()).isEqualTo(25);

        ByteArrayOutputStream later = new ByteArrayOutputStream();
        assertThat(writer.write(new ByteArrayInputStream(answer), later, generated.plusSeconds(3600)).sha256()).isEqualTo(w.sha256());
        assertThat(later.toString(StandardCharsets.UTF_8)).contains("\"GeneratedAt\": \"" + generated.plusSeconds(3600) + "\"");

        assertThatThrownBy(() -> writer.write(new ByteArrayInputStream("{\"ServiceCompanyGroups\": [ {".getBytes()),
                new ByteArrayOutputStream(), generated)).isInstanceOf(MaidCentralDataException.class);
        assertThatThrownBy(() -> writer.write(new ByteArrayInputStream("{\"Groups\": []}".getBytes()), new ByteArrayOutputStream(),
                generated)).isInstanceOf(MaidCentralDataException.class).hasMessageContaining("no ServiceCompanyGroups");
        assertThatThrownBy(() -> writer.write(new ByteArrayInputStream("<html>".getBytes()), new ByteArrayOutputStream(), generated))
                .isInstanceOf(MaidCentralDataException.class);
    }
}
