package com.altus.hub.export;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.altus.hub.schedule.ScheduleAdapters;
import com.altus.hub.test.AzuriteServer;
import com.altus.hub.test.HubTestBase;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobListDetails;
import com.azure.storage.blob.models.ListBlobsOptions;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * maidcentral-export against the MaidCentral fake (loaded with samples/azure-blobs), Azurite and
 * embedded PostgreSQL: the seed's shapes byte for byte, unchanged re-runs, a changed job, the zone
 * window at a date boundary, a token revoked mid-run, failing and stalled companies (dead-lettered,
 * replayed), and the round trip through azure-sync into the database.
 */
@Import(MaidCentralExportTest.FixedClock.class)
class MaidCentralExportTest extends HubTestBase {
    static final String CONTAINER = "maidcentral-export-test";
    static final Path SAMPLES = Path.of(System.getProperty("hub.test.basedir", ".")).resolve("samples/azure-blobs");
    static final Instant NOON = Instant.parse("2025-12-10T12:00:00Z");
    static final FakeMaidCentral maidCentral = new FakeMaidCentral();
    static final MutableClock CLOCK = new MutableClock(NOON);
    private static BlobContainerClient container;

    @Autowired
    ScheduleAdapters scheduleAdapters;

    @Autowired
    org.apache.camel.CamelContext camel;

    @DynamicPropertySource
    static void settings(DynamicPropertyRegistry r) {
        r.add("AZURE_STORAGE_CONNECTION_STRING", () -> AzuriteServer.get().connectionString());
        r.add("AZURE_BLOB_CONTAINER", () -> CONTAINER);
        r.add("MAIDCENTRAL_BASE_URL", maidCentral::baseUrl);
        r.add("MAIDCENTRAL_USERNAME", () -> FakeMaidCentral.USERNAME);
        r.add("MAIDCENTRAL_PASSWORD", () -> FakeMaidCentral.PASSWORD);
        r.add("hub.http.read-timeout", () -> "PT2S");
    }

    /** The exporter's "now", set by each test. */
    @TestConfiguration
    static class FixedClock {
        @Bean
        @Primary
        Clock exportTestClock() {
            return CLOCK;
        }
    }

    @AfterAll
    static void stopFake() {
        maidCentral.close();
    }

    @BeforeEach
    void reset() throws Exception {
        if (container == null) {
            container = new BlobServiceClientBuilder().connectionString(AzuriteServer.get().connectionString()).buildClient()
                    .getBlobContainerClient(CONTAINER);
            container.createIfNotExists();
        }
        for (BlobItem b : container.listBlobs()) {
            container.getBlobClient(b.getName()).delete();
        }
        maidCentral.load(SAMPLES);
        maidCentral.resetFaults();
        CLOCK.set(NOON);
        jdbc.execute("TRUNCATE maidcentral_exports");
        jdbc.execute("TRUNCATE schedule_data, user_profiles, auth_user_deletions, blob_state, companies, service_company_groups");
        jdbc.update("DELETE FROM dead_letters WHERE flow IN ('maidcentral-export', 'azure-sync')");
    }

    @AfterEach
    void release() {
        maidCentral.releaseStalls();
    }

    @Test
    void everyBlobIsWrittenInTheSeedShapesAndAnUnchangedRerunUploadsNothing() throws Exception {
        JsonNode run = export();
        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("succeeded");
        JsonNode stats = run.get("stats");
        assertThat(stats.get("companies_listed").asInt()).isEqualTo(3);
        assertThat(stats.get("companies_exported").asInt()).isEqualTo(3);
        assertThat(stats.get("companies_inactive").asInt()).isEqualTo(1);
        assertThat(stats.get("blobs_uploaded").asInt()).isEqualTo(4);
        assertThat(stats.get("users_exported").asInt()).isEqualTo(25);
        assertThat(stats.get("jobs_exported").asInt()).isEqualTo(38 + 21);

        // each blob is the sample byte for byte, but for its GeneratedAt (local today at noon UTC is the samples' start)
        assertThat(blobNames()).containsExactlyInAnyOrder("1_schedules.json", "3_schedules.json", "7_schedules.json", "users.json");
        for (String name : blobNames()) {
            String exported = blobText(name);
            String generatedAt = mapper.readTree(exported).get("GeneratedAt").asText();
            assertThat(generatedAt).isEqualTo("2025-12-10T12:00:00Z");
            String sample = Files.readString(SAMPLES.resolve(name), StandardCharsets.UTF_8)
                    .replaceFirst("\"GeneratedAt\": \"[^\"]*\"", "\"GeneratedAt\": \"" + generatedAt + "\"");
            assertThat(exported).as(name).isEqualTo(sample);
            assertThat(metadata(name)).containsKey(ExportSteps.HASH_KEY);
        }
        assertThat(mapper.readTree(blobText("7_schedules.json")).get("IsActive").asBoolean()).isFalse();
        assertThat(jdbc.queryForList("SELECT blob_name FROM maidcentral_exports ORDER BY 1", String.class))
                .containsExactly("1_schedules.json", "3_schedules.json", "7_schedules.json", "users.json");
        assertThat(jdbc.queryForMap("SELECT date_range_start::text AS s, date_range_end::text AS e, item_count FROM maidcentral_exports "
                + "WHERE blob_name = '1_schedules.json'")).containsEntry("s", "2025-12-10").containsEntry("e", "2025-12-16")
                .containsEntry("item_count", 38);
        Map<String, String> hashes = new HashMap<>();
        for (String name : blobNames()) {
            hashes.put(name, metadata(name).get(ExportSteps.HASH_KEY));
        }
        assertThat(jdbc.queryForList("SELECT blob_name, content_sha256 FROM maidcentral_exports")).allSatisfy(row ->
                assertThat(row.get("content_sha256")).isEqualTo(hashes.get((String) row.get("blob_name"))));

        // an hour later nothing changed but GeneratedAt: nothing is written
        Map<String, String> etags = etags();
        CLOCK.set(NOON.plusSeconds(3600));
        JsonNode again = export();
        assertThat(again.get("status").asText()).isEqualTo("succeeded");
        assertThat(again.get("stats").get("blobs_uploaded").asInt()).isZero();
        assertThat(again.get("stats").get("blobs_unchanged").asInt()).isEqualTo(4);
        assertThat(etags()).isEqualTo(etags);
        assertThat(again.get("stats").get("token_requests").asInt()).as("the token is reused until it expires").isZero();
    }

    @Test
    void everyStepOfTheExportRoutesHasItsOwnId() {
        for (String route : List.of(MaidCentralExportRoutes.NAME, MaidCentralExportRoutes.COMPANIES_ROUTE,
                MaidCentralExportRoutes.COMPANY_ROUTE, MaidCentralExportRoutes.USERS_ROUTE, MaidCentralExportRoutes.CALL_ROUTE,
                MaidCentralExportRoutes.TOKEN_ROUTE, "azure-sync", "azure-sync-blob", "azure-sync-auth")) {
            assertThat(RouteIds.withoutId(camel, route)).as(route).isEmpty();
        }
    }

    @Test
    void oneChangedJobUploadsOnlyItsCompanysFile() throws Exception {
        export();
        Map<String, String> etags = etags();
        ((ObjectNode) maidCentral.jobs(1).get(3)).put("Notes", "gate code changed to 4711");
        maidCentral.changed();

        JsonNode run = export();
        assertThat(run.get("stats").get("blobs_uploaded").asInt()).isEqualTo(1);
        assertThat(run.get("stats").get("blobs_unchanged").asInt()).isEqualTo(3);
        Map<String, String> after = etags();
        assertThat(after.get("1_schedules.json")).isNotEqualTo(etags.get("1_schedules.json"));
        after.remove("1_schedules.json");
        etags.remove("1_schedules.json");
        assertThat(after).isEqualTo(etags);
        assertThat(mapper.readTree(blobText("1_schedules.json")).get("Jobs").get(3).get("Notes").asText())
                .isEqualTo("gate code changed to 4711");
    }

    @Test
    void theWindowIsEachCompanysLocalTodayAcrossTheDateBoundary() throws Exception {
        // 03:30 UTC on Dec 10: still Dec 9 in New York and Honolulu, already Dec 10 in Tokyo
        CLOCK.set(Instant.parse("2025-12-10T03:30:00Z"));
        maidCentral.company(3).put("TimeZoneInfoId", "Tokyo Standard Time");
        maidCentral.company(7).put("TimeZoneInfoId", "Hawaiian Standard Time");
        maidCentral.changed();

        JsonNode run = export();
        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("succeeded");
        assertThat(maidCentral.scheduleRequests(1)).singleElement()
                .satisfies(r -> assertThat(r.query()).isEqualTo("serviceCompanyId=1&startDate=2025-12-09&endDate=2025-12-15"));
        assertThat(maidCentral.scheduleRequests(3)).singleElement()
                .satisfies(r -> assertThat(r.query()).isEqualTo("serviceCompanyId=3&startDate=2025-12-10&endDate=2025-12-16"));
        assertThat(maidCentral.scheduleRequests(7)).singleElement()
                .satisfies(r -> assertThat(r.query()).isEqualTo("serviceCompanyId=7&startDate=2025-12-09&endDate=2025-12-15"));
        JsonNode newYork = mapper.readTree(blobText("1_schedules.json"));
        assertThat(newYork.get("DateRangeStart").asText()).isEqualTo("2025-12-09");
        assertThat(newYork.get("DateRangeEnd").asText()).isEqualTo("2025-12-15");
        // the samples' Dec 16 jobs are outside New York's window today
        assertThat(newYork.get("Jobs")).allSatisfy(j -> assertThat(j.get("JobDate").asText()).isLessThanOrEqualTo("2025-12-15"));
        assertThat(newYork.get("Jobs").size()).isEqualTo(jobsBetween(1, "2025-12-09", "2025-12-15"));
        JsonNode tokyo = mapper.readTree(blobText("3_schedules.json"));
        assertThat(tokyo.get("DateRangeStart").asText()).isEqualTo("2025-12-10");
        assertThat(tokyo.get("TimeZoneInfoId").asText()).isEqualTo("Tokyo Standard Time");
        assertThat(tokyo.get("Jobs").size()).isEqualTo(21);
    }

    @Test
    void aTokenRevokedBeforeItExpiresIsFetchedAgainOnceAndTheRunGoesOn() throws Exception {
        export(); // the hub holds a token now, valid for an hour
        maidCentral.resetCounters();
        // MaidCentral revokes it before it expires: the run's first request meets a 401
        maidCentral.expireTokensAfter(0);
        CLOCK.set(NOON.plusSeconds(60));
        JsonNode run = export();
        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("succeeded");
        String log = maidCentral.requests().stream().map(r -> r.method() + " " + r.path() + (r.query() == null ? "" : "?" + r.query()))
                .toList().toString();
        assertThat(run.get("stats").get("token_requests").asInt()).as(log).isEqualTo(1);
        assertThat(maidCentral.tokensIssued.get()).as(log).isEqualTo(1);
        assertThat(maidCentral.unauthorizedAnswers.get()).as(log).isEqualTo(1);
        assertThat(maidCentral.requests(r -> r.path().equals("/api/dr-schedule/companies"))).as("sent again once").hasSize(2);
        assertThat(maidCentral.requests(r -> r.path().equals("/token"))).hasSize(1);
        assertThat(run.get("stats").get("companies_exported").asInt()).isEqualTo(3);
    }

    @Test
    void aTokenRevokedMidRunIsFetchedAgainAndEveryRequestIsSentAgainAtMostOnce() throws Exception {
        export();
        maidCentral.resetCounters();
        // the companies list and one company go through, then the token stops working while companies
        // are exported 4 at a time: those in flight meet a 401 and are sent again once, with one new
        // token (a company that needs a token while another fetches one waits for it)
        maidCentral.expireTokensAfter(2);
        CLOCK.set(NOON.plusSeconds(120));
        JsonNode run = export();
        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("succeeded");
        assertThat(run.get("stats").get("companies_exported").asInt()).isEqualTo(3);
        assertThat(maidCentral.unauthorizedAnswers.get()).isBetween(1, 3);
        assertThat(maidCentral.tokensIssued.get()).isEqualTo(1);
        assertThat(run.get("stats").get("token_requests").asInt()).isEqualTo(1);
        for (int company : List.of(1, 3, 7)) {
            assertThat(maidCentral.scheduleRequests(company)).as("company " + company).hasSizeBetween(1, 2);
        }
    }

    @Test
    void companiesThatMeetARevokedTokenTogetherWaitForOneNewToken() throws Exception {
        export();
        maidCentral.resetCounters();
        // the companies list goes through, then every token is revoked while the three companies are
        // in flight; the identity server is slow, so each of them needs a token while one is being fetched
        maidCentral.expireTokensAfter(1);
        maidCentral.tokenDelay(java.time.Duration.ofMillis(400));
        CLOCK.set(NOON.plusSeconds(180));
        JsonNode run = export();
        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("succeeded");
        assertThat(run.get("stats").get("companies_exported").asInt()).isEqualTo(3);
        assertThat(maidCentral.unauthorizedAnswers.get()).isBetween(1, 4);
        assertThat(maidCentral.requests(r -> r.path().equals("/token"))).as("one token for all of them").hasSize(1);
        assertThat(maidCentral.tokensIssued.get()).isEqualTo(1);
        for (int company : List.of(1, 3, 7)) {
            assertThat(maidCentral.scheduleRequests(company)).as("company " + company).hasSizeBetween(1, 2);
        }
    }

    @Test
    void inactiveCompaniesAreExportedWithTheirJobs() throws Exception {
        maidCentral.company(3).put("IsActive", false);
        maidCentral.changed();
        export();
        JsonNode austin = mapper.readTree(blobText("3_schedules.json"));
        assertThat(austin.get("IsActive").asBoolean()).isFalse();
        assertThat(austin.get("Jobs").size()).isEqualTo(21);
    }

    @Test
    void aFailingCompanyIsDeadLetteredTheOthersExportAndItsReplaySucceeds() throws Exception {
        maidCentral.failNext(r -> isSchedule(r, 3), 1000, 503, "{\"message\":\"The service is unavailable.\"}", null);
        maidCentral.answerBadJson(7);

        JsonNode run = export();
        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("partial");
        assertThat(run.get("stats").get("companies_failed").asInt()).isEqualTo(2);
        assertThat(run.get("stats").get("companies_exported").asInt()).isEqualTo(1);
        assertThat(blobNames()).containsExactlyInAnyOrder("1_schedules.json", "users.json");
        assertThat(maidCentral.scheduleRequests(3)).as("a 503 is retried, a bounded number of times").hasSizeBetween(2, 5);
        assertThat(maidCentral.scheduleRequests(7)).as("bad JSON is not").hasSize(1);
        List<Map<String, Object>> letters = jdbc.queryForList("""
                SELECT id, route_id, entity_type, entity_key, error_message, payload::text AS payload FROM dead_letters
                WHERE flow = 'maidcentral-export' ORDER BY entity_key""");
        assertThat(letters).extracting(l -> l.get("entity_key")).containsExactly("3", "7");
        assertThat(letters).extracting(l -> l.get("route_id")).containsOnly("maidcentral-export-company");
        assertThat(letters).extracting(l -> l.get("entity_type")).containsOnly("company");
        assertThat((String) letters.get(0).get("error_message")).contains("503");
        assertThat((String) letters.get(1).get("error_message")).contains("not valid JSON");
        assertThat(mapper.readTree((String) letters.get(0).get("payload")).get("ServiceCompanyId").asInt()).isEqualTo(3);

        // MaidCentral answers again: replaying the letter exports the company
        maidCentral.clearFaults();
        var replay = post("/api/dlq/replay", "{\"ids\":[" + letters.get(0).get("id") + "]}");
        assertThat(replay.statusCode()).as(replay.body()).isEqualTo(200);
        assertThat(json(replay).get("succeeded").asInt()).isEqualTo(1);
        assertThat(blobNames()).contains("3_schedules.json");
        assertThat(jdbc.queryForObject("SELECT status FROM dead_letters WHERE id = ?", String.class, letters.get(0).get("id")))
                .isEqualTo("replayed");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM maidcentral_exports WHERE blob_name = '3_schedules.json'", Integer.class))
                .isEqualTo(1);
    }

    @Test
    void aStalledAnswerTimesOutTheCompanyIsDeadLetteredAndTheRunEnds() throws Exception {
        maidCentral.stall(3);
        long t0 = System.nanoTime();
        JsonNode run = export();
        long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("partial");
        assertThat(seconds).as("four attempts of a 2 s read timeout, never stuck").isLessThan(60);
        assertThat(maidCentral.scheduleRequests(3)).as("the timeout is transient: retried, a bounded number of times")
                .hasSizeBetween(2, 5);
        assertThat(jdbc.queryForObject("SELECT error_message FROM dead_letters WHERE flow = 'maidcentral-export' AND entity_key = '3'",
                String.class)).containsIgnoringCase("timed out");
        assertThat(blobNames()).containsExactlyInAnyOrder("1_schedules.json", "7_schedules.json", "users.json");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM sync_jobs WHERE flow = 'maidcentral-export' AND status = 'running'",
                Integer.class)).isZero();
    }

    @Test
    void roundTripAzureSyncReadsWhatWasExportedAndTheDatabaseMatchesMaidCentral() throws Exception {
        assertThat(export().get("status").asText()).isEqualTo("succeeded");
        var response = post("/api/flows/azure-sync/run", null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode sync = json(response);
        assertThat(sync.get("status").asText()).as(sync.toString()).isEqualTo("succeeded");
        assertThat(sync.get("stats").get("source").asText()).endsWith("/" + CONTAINER);
        assertThat(sync.get("stats").get("blobs_processed").asInt()).isEqualTo(4);

        // companies and groups, field for field
        for (ObjectNode c : maidCentral.companyList()) {
            Map<String, Object> row = jdbc.queryForMap("SELECT c.service_company_group_id, c.name, c.is_active, c.time_zone, "
                    + "c.feature_toggles::text AS toggles, g.name AS group_name FROM companies c "
                    + "JOIN service_company_groups g ON g.id = c.service_company_group_id WHERE c.id = ?", c.get("ServiceCompanyId").asInt());
            assertThat(row.get("service_company_group_id")).isEqualTo(c.get("ServiceCompanyGroupId").asInt());
            assertThat(row.get("group_name")).isEqualTo(c.get("ServiceCompanyGroupName").asText());
            assertThat(row.get("name")).isEqualTo(c.get("Name").asText());
            assertThat(row.get("is_active")).isEqualTo(c.get("IsActive").asBoolean());
            assertThat(row.get("time_zone")).isEqualTo(c.get("TimeZoneInfoId").asText());
            assertThat(mapper.readTree((String) row.get("toggles"))).isEqualTo(c.get("FeatureToggles"));
        }
        assertThat(jdbc.queryForObject("SELECT count(*) FROM companies", Integer.class)).isEqualTo(3);

        // every day of every company: the stored day object holds exactly MaidCentral's jobs of that day
        Path storage = scheduleAdapters.localStorageRoot().orElseThrow();
        for (ObjectNode c : maidCentral.companyList()) {
            int id = c.get("ServiceCompanyId").asInt();
            for (LocalDate d = LocalDate.parse("2025-12-10"); !d.isAfter(LocalDate.parse("2025-12-16")); d = d.plusDays(1)) {
                List<JsonNode> expected = new ArrayList<>();
                for (JsonNode j : maidCentral.jobs(id)) {
                    if (j.get("JobDate").asText().equals(d.toString())) {
                        expected.add(j);
                    }
                }
                assertThat(jdbc.queryForObject("SELECT job_count FROM schedule_data WHERE service_company_id = ? AND schedule_date = ?",
                        Integer.class, id, d)).as(id + " " + d).isEqualTo(expected.size());
                JsonNode day = mapper.readTree(storage.resolve(id + "/" + d + "/schedule.json").toFile());
                assertThat(day.get("Jobs")).as(id + " " + d).containsExactlyElementsOf(expected);
                assertThat(day.get("Name").asText()).isEqualTo(c.get("Name").asText());
            }
        }

        // every user, field for field
        int users = 0;
        for (JsonNode g : maidCentral.users().get("ServiceCompanyGroups")) {
            for (JsonNode c : g.get("ServiceCompanies")) {
                for (JsonNode u : c.get("Users")) {
                    users++;
                    Map<String, Object> row = jdbc.queryForMap("SELECT email, first_name, last_name, full_name, employee_information_id, "
                            + "array_to_string(roles, ',') AS roles, service_company_id FROM user_profiles WHERE id = ?",
                            UUID.fromString(u.get("UserId").asText()));
                    assertThat(row.get("email")).isEqualTo(u.get("Email").asText());
                    assertThat(row.get("first_name")).isEqualTo(u.get("FirstName").asText());
                    assertThat(row.get("last_name")).isEqualTo(u.get("LastName").asText());
                    assertThat(row.get("full_name")).isEqualTo(u.get("FullName").asText());
                    assertThat(row.get("employee_information_id")).isEqualTo(u.get("EmployeeInformationId").asInt());
                    List<String> roles = new ArrayList<>();
                    u.get("Roles").forEach(r -> roles.add(r.asText()));
                    assertThat(row.get("roles")).isEqualTo(String.join(",", roles));
                    assertThat(row.get("service_company_id")).isEqualTo(u.get("ServiceCompanyId").asInt());
                }
            }
        }
        assertThat(jdbc.queryForObject("SELECT count(*) FROM user_profiles", Integer.class)).isEqualTo(users).isEqualTo(25);
    }

    private int jobsBetween(int company, String from, String to) {
        int n = 0;
        for (JsonNode j : maidCentral.jobs(company)) {
            String d = j.get("JobDate").asText();
            if (d.compareTo(from) >= 0 && d.compareTo(to) <= 0) {
                n++;
            }
        }
        return n;
    }

    private static boolean isSchedule(FakeMaidCentral.Recorded r, int company) {
        return r.path().equals("/api/dr-schedule") && r.query() != null && r.query().contains("serviceCompanyId=" + company + "&");
    }

    private JsonNode export() throws Exception {
        var response = post("/api/flows/maidcentral-export/run", null);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json(response);
    }

    private static List<String> blobNames() {
        List<String> out = new ArrayList<>();
        container.listBlobs().forEach(b -> out.add(b.getName()));
        return out;
    }

    private static String blobText(String name) {
        return container.getBlobClient(name).downloadContent().toString();
    }

    private static Map<String, String> metadata(String name) {
        return container.getBlobClient(name).getProperties().getMetadata();
    }

    private static Map<String, String> etags() {
        Map<String, String> out = new HashMap<>();
        for (BlobItem b : container.listBlobs(new ListBlobsOptions().setDetails(new BlobListDetails()), null)) {
            out.put(b.getName(), b.getProperties().getETag());
        }
        return out;
    }
}
