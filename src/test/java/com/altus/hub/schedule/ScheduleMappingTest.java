package com.altus.hub.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plain mapping rules of azure-sync: schedule validation and day split, users.json streaming, COPY text, folder ETags. */
class ScheduleMappingTest {
    private final ObjectMapper json = new ObjectMapper();
    private final ScheduleFileParser parser = new ScheduleFileParser(json, 400);

    @Test
    void aScheduleFileSplitsIntoOneObjectPerDayOfItsRangeEmptyDaysIncluded() throws Exception {
        ScheduleFile file = parser.parse("1_schedules.json", new ByteArrayInputStream(AzureSyncTestSupport.sample("1_schedules.json")));
        List<ScheduleDaySplitter.Day> days = new ScheduleDaySplitter(json).split(file);
        assertThat(days).extracting(d -> d.date().toString()).containsExactly("2025-12-10", "2025-12-11", "2025-12-12",
                "2025-12-13", "2025-12-14", "2025-12-15", "2025-12-16");
        assertThat(days).extracting(ScheduleDaySplitter.Day::jobCount).containsExactly(8, 6, 6, 7, 0, 6, 5);
        assertThat(days.get(0).path()).isEqualTo("1/2025-12-10/schedule.json");
        var day = json.readTree(days.get(4).content());
        assertThat(day.get("ScheduleDate").asText()).isEqualTo("2025-12-14");
        assertThat(day.get("Jobs").isArray()).isTrue();
        assertThat(day.has("GeneratedAt")).as("volatile export time kept out of the day object").isFalse();
        assertThat(day.get("Name").asText()).isEqualTo("Charleston");

        // the same jobs exported later give byte-identical days
        ObjectNode later = (ObjectNode) json.readTree(AzureSyncTestSupport.sample("1_schedules.json"));
        later.put("GeneratedAt", "2025-12-10T06:00:00Z");
        List<ScheduleDaySplitter.Day> again = new ScheduleDaySplitter(json).split(
                parser.parse("1_schedules.json", new ByteArrayInputStream(json.writeValueAsBytes(later))));
        assertThat(again).extracting(ScheduleDaySplitter.Day::contentHash)
                .containsExactlyElementsOf(days.stream().map(ScheduleDaySplitter.Day::contentHash).toList());
    }

    @Test
    void jobsOutsideTheRangeGetTheirOwnDay() throws Exception {
        ObjectNode f = (ObjectNode) json.readTree(AzureSyncTestSupport.sample("1_schedules.json"));
        ((ObjectNode) f.get("Jobs").get(0)).put("JobDate", "2025-12-20");
        List<ScheduleDaySplitter.Day> days = new ScheduleDaySplitter(json).split(parse(f));
        assertThat(days).hasSize(8);
        assertThat(days.get(7).date()).isEqualTo(LocalDate.parse("2025-12-20"));
        assertThat(days.get(7).jobCount()).isEqualTo(1);
    }

    @Test
    void badScheduleFilesAreRejectedWithTheFieldNamed() throws Exception {
        ObjectNode base = (ObjectNode) json.readTree(AzureSyncTestSupport.sample("3_schedules.json"));
        assertThatThrownBy(() -> parser.parse("3_schedules.json", new ByteArrayInputStream("{\"ServiceCompanyId\": 3,".getBytes())))
                .isInstanceOf(BadBlobException.class).hasMessageContaining("invalid JSON");
        assertThatThrownBy(() -> parser.parse("3_schedules.json",
                new ByteArrayInputStream(json.writeValueAsBytes(base.deepCopy().put("ServiceCompanyId", 4)))))
                .hasMessageContaining("ServiceCompanyId 4 does not match the blob name 3_schedules.json");
        assertThatThrownBy(() -> parse((ObjectNode) base.deepCopy().put("ServiceCompanyGroupId", "x")))
                .hasMessageContaining("ServiceCompanyGroupId must be an integer");
        ObjectNode badJob = base.deepCopy();
        ((ObjectNode) badJob.get("Jobs").get(2)).put("JobDate", "12/11/2025");
        assertThatThrownBy(() -> parse(badJob)).hasMessageContaining("Jobs[2].JobDate must be a date");
        ObjectNode noJobId = base.deepCopy();
        ((ObjectNode) noJobId.get("Jobs").get(0)).remove("JobId");
        assertThatThrownBy(() -> parse(noJobId)).hasMessageContaining("Jobs[0].JobId must be an integer");
        assertThatThrownBy(() -> parse(base.deepCopy().put("DateRangeEnd", "2035-01-01")))
                .hasMessageContaining("max-days-per-file");
    }

    @Test
    void usersJsonStreamsEveryUserWithCompaniesAndGroups() throws Exception {
        List<UsersFile.User> seen = new ArrayList<>();
        UsersFile f = new UsersFileReader(new JsonFactory()).read(
                new ByteArrayInputStream(AzureSyncTestSupport.sample("users.json")), seen::add);
        assertThat(f.users()).isEqualTo(25);
        assertThat(seen).hasSize(25);
        assertThat(f.groups().keySet()).containsExactly(1, 4);
        assertThat(f.companies().get(7).active()).isFalse();
        assertThat(f.companies().get(3).groupId()).isEqualTo(4);
        assertThat(seen.get(0).fullName()).isEqualTo("José García");
        assertThat(seen.get(0).roles()).containsExactly("Administrator", "Employee", "Manager");
        assertThat(f.generatedAt()).isNotNull();
    }

    @Test
    void badUsersFilesAreRejectedWithThePlaceNamed() throws Exception {
        ObjectNode doc = AzureSyncTestSupport.sampleJson("users.json");
        AzureSyncTestSupport.users(doc).get(3).put("UserId", "not-a-uuid");
        assertThatThrownBy(() -> readUsers(json.writeValueAsBytes(doc)))
                .hasMessageContaining("ServiceCompanyGroups[0].ServiceCompanies[0].Users[3].UserId must be a UUID");
        ObjectNode typed = AzureSyncTestSupport.sampleJson("users.json");
        AzureSyncTestSupport.users(typed).get(0).put("EmployeeInformationId", "3048");
        assertThatThrownBy(() -> readUsers(json.writeValueAsBytes(typed))).hasMessageContaining("EmployeeInformationId must be an integer");
        byte[] whole = AzureSyncTestSupport.sample("users.json");
        byte[] truncated = java.util.Arrays.copyOf(whole, whole.length / 2);
        assertThatThrownBy(() -> readUsers(truncated)).hasMessageContaining("truncated");
        ObjectNode twice = AzureSyncTestSupport.sampleJson("users.json");
        AzureSyncTestSupport.users(twice).get(5).put("UserId", AzureSyncTestSupport.users(twice).get(0).get("UserId").asText());
        assertThatThrownBy(() -> readUsers(json.writeValueAsBytes(twice))).hasMessageContaining("appears more than once");
        ObjectNode stray = AzureSyncTestSupport.sampleJson("users.json");
        AzureSyncTestSupport.users(stray).get(0).put("ServiceCompanyId", 99);
        assertThatThrownBy(() -> readUsers(json.writeValueAsBytes(stray))).hasMessageContaining("ServiceCompanyId 99");
    }

    @Test
    void copyTextEscapesWhatCopyWouldMisread() {
        assertThat(UserCopyWriter.arrayLiteral(List.of("Administrator", "Say \"hi\"", "back\\slash", "a,b")))
                .isEqualTo("{\"Administrator\",\"Say \\\"hi\\\"\",\"back\\\\slash\",\"a,b\"}");
        assertThat(UserCopyWriter.arrayLiteral(List.of())).isEqualTo("{}");
    }

    @Test
    void folderEtagsChangeWhenAFileIsRewrittenAndListingReadsNothing(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("users.json");
        Files.writeString(f, "{}");
        Files.setLastModifiedTime(f, FileTime.from(Instant.parse("2025-12-10T05:00:00Z")));
        FolderBlobContainer source = new FolderBlobContainer(dir);
        String before = source.list().get(0).etag();
        Files.writeString(f, "{}");
        Files.setLastModifiedTime(f, FileTime.from(Instant.parse("2025-12-10T05:15:00Z")));
        assertThat(source.list()).singleElement().satisfies(b -> {
            assertThat(b.name()).isEqualTo("users.json");
            assertThat(b.etag()).isNotEqualTo(before);
        });
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            Exchange get = new DefaultExchange(camel);
            get.getMessage().setHeader(BlobContainer.BLOB_NAME, "users.json");
            source.getStep(get);
            assertThat(get.getMessage().getHeader(BlobContainer.ETAG)).isEqualTo(source.list().get(0).etag());
            try (InputStream in = get.getMessage().getBody(InputStream.class)) {
                assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("{}");
            }
        }
    }

    @Test
    void aFolderContainerWritesWholeBlobsWithTheirMetadataAndListsThemWithIt(@TempDir Path dir) throws Exception {
        FolderBlobContainer folder = new FolderBlobContainer(dir);
        String etag = folder.put("7_schedules.json", out -> out.write("{\"a\":1}".getBytes(StandardCharsets.UTF_8)),
                java.util.Map.of("hub_content_sha256", "abc"));
        assertThat(folder.list()).singleElement().satisfies(b -> {
            assertThat(b.name()).as("the metadata file is not a blob").isEqualTo("7_schedules.json");
            assertThat(b.etag()).isEqualTo(etag);
            assertThat(b.size()).isEqualTo(7);
            assertThat(b.metadata()).containsEntry("hub_content_sha256", "abc");
        });
        try (DefaultCamelContext camel = new DefaultCamelContext()) {
            Exchange put = new DefaultExchange(camel);
            put.getMessage().setHeader(BlobContainer.BLOB_NAME, "7_schedules.json");
            put.getMessage().setHeader(BlobContainer.METADATA, java.util.Map.of("hub_content_sha256", "def"));
            put.getMessage().setBody("{\"a\":2}".getBytes(StandardCharsets.UTF_8));
            folder.putStep(put);
            assertThat(put.getMessage().getHeader(BlobContainer.ETAG, String.class)).isEqualTo(folder.list().get(0).etag());
        }
        assertThat(Files.readString(dir.resolve("7_schedules.json"))).isEqualTo("{\"a\":2}");
        assertThat(folder.list().get(0).metadata()).containsEntry("hub_content_sha256", "def");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).as("no temporary file left")
                    .containsExactlyInAnyOrder("7_schedules.json", ".7_schedules.json.meta");
        }
    }

    @Test
    void aSasUrlGivesServiceEndpointContainerAndExpiry() {
        var c = AzureBlobConnection.fromSasUrl(URI.create(
                "http://127.0.0.1:10000/devstoreaccount1/schedules?sv=2021-08-06&se=2025-12-01T00%3A00%3A00Z&sr=c&sp=rl&sig=abc"));
        assertThat(c.container()).isEqualTo("schedules");
        assertThat(c.account()).isEqualTo("devstoreaccount1");
        assertThat(c.sasExpiry()).contains(Instant.parse("2025-12-01T00:00:00Z"));
        assertThat(c.toString()).doesNotContain("sig");
        var azure = AzureBlobConnection.fromSasUrl(URI.create("https://acct.blob.core.windows.net/blobs?se=2030-01-01&sig=x"));
        assertThat(azure.account()).isEqualTo("acct");
        assertThat(azure.client().getAccountUrl()).isEqualTo("https://acct.blob.core.windows.net");
        assertThat(BlobContainer.normalizeEtag("\"0x8DC1\"")).isEqualTo("0x8DC1");
    }

    /** Parses under a name that carries no id, so only the content is checked. */
    private ScheduleFile parse(ObjectNode n) throws Exception {
        return parser.parse("under-test.json", new ByteArrayInputStream(json.writeValueAsBytes(n)));
    }

    private UsersFile readUsers(byte[] bytes) throws Exception {
        return new UsersFileReader(new JsonFactory()).read(new ByteArrayInputStream(bytes), u -> { });
    }
}
