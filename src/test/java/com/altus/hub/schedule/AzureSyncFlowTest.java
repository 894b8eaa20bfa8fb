package com.altus.hub.schedule;

import static com.altus.hub.schedule.AzureSyncTestSupport.JSON;
import static com.altus.hub.schedule.AzureSyncTestSupport.bytes;
import static com.altus.hub.schedule.AzureSyncTestSupport.companyUsers;
import static com.altus.hub.schedule.AzureSyncTestSupport.sample;
import static com.altus.hub.schedule.AzureSyncTestSupport.sampleJson;
import static com.altus.hub.schedule.AzureSyncTestSupport.users;
import static org.assertj.core.api.Assertions.assertThat;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/**
 * azure-sync against Azurite (connection string) and the Supabase fake (GoTrue + Storage): first
 * sync, unchanged re-run, single changes, the deletion guard, bad blobs, auth conflicts and
 * faults, and a crash between two blobs. Assertions read the database, the stored objects and
 * the fake's users and request log.
 */
class AzureSyncFlowTest extends AzureSyncTestBase {

    @Test
    void firstSyncWritesEverythingAndAnUnchangedRerunDownloadsNothingAndCallsNoAuth() throws Exception {
        uploadSamples();
        upload("readme.txt", "not a hub blob".getBytes());

        JsonNode run = runFlow();
        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("succeeded");
        JsonNode stats = run.get("stats");
        assertThat(stats.get("blobs_listed").asInt()).isEqualTo(5);
        assertThat(stats.get("blobs_ignored").asInt()).isEqualTo(1);
        assertThat(stats.get("blobs_processed").asInt()).isEqualTo(4);
        assertThat(stats.get("blobs_failed").asInt()).isZero();
        assertThat(stats.get("schedule_days_written").asInt()).isEqualTo(21);
        assertThat(stats.get("users_created").asInt()).isEqualTo(25);
        assertThat(stats.get("auth_created").asInt()).isEqualTo(25);

        // companies with their toggles, groups with the users file's hash
        assertThat(jdbc.queryForList("SELECT id FROM companies ORDER BY id", Integer.class)).containsExactly(1, 3, 7);
        assertThat(jdbc.queryForObject("SELECT feature_toggles->>'TechDashboard_DisplayBillRate' FROM companies WHERE id = 1",
                String.class)).isEqualTo("true");
        assertThat(jdbc.queryForObject("SELECT time_zone FROM companies WHERE id = 1", String.class)).isEqualTo("Eastern Standard Time");
        String md5 = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(sample("users.json")));
        assertThat(jdbc.queryForList("SELECT last_user_file_hash FROM service_company_groups WHERE last_user_sync_at IS NOT NULL",
                String.class)).containsOnly(md5).hasSize(2);

        // one object and one row per day of each file's range; empty days included
        assertThat(jdbc.queryForObject("SELECT count(*) FROM schedule_data", Integer.class)).isEqualTo(21);
        assertThat(jdbc.queryForObject("SELECT sum(job_count) FROM schedule_data WHERE service_company_id = 1", Integer.class))
                .isEqualTo(sampleJson("1_schedules.json").get("Jobs").size());
        assertThat(jdbc.queryForObject("SELECT job_count FROM schedule_data WHERE service_company_id = 1 AND schedule_date = '2025-12-14'",
                Integer.class)).isZero();
        assertThat(supabase.objects).hasSize(21);
        JsonNode day = JSON.readTree(supabase.object(BUCKET, "1/2025-12-10/schedule.json"));
        assertThat(day.get("Jobs").size()).isEqualTo(8);
        assertThat(day.get("ServiceCompanyId").asInt()).isEqualTo(1);
        assertThat(day.get("FeatureToggles").get("TechDashboard_HideDiscounts").asBoolean()).isTrue();
        for (JsonNode j : day.get("Jobs")) {
            assertThat(j.get("JobDate").asText()).isEqualTo("2025-12-10");
        }
        assertThat(JSON.readTree(supabase.object(BUCKET, "7/2025-12-12/schedule.json")).get("Jobs").size()).isZero();
        assertThat(jdbc.queryForObject("SELECT storage_path FROM schedule_data WHERE service_company_id = 3 AND schedule_date = '2025-12-11'",
                String.class)).isEqualTo("3/2025-12-11/schedule.json");
        assertThat(jdbc.queryForObject("SELECT count(DISTINCT azure_blob_hash) FROM schedule_data", Integer.class)).isEqualTo(3);

        // profiles and auth users with id = UserId
        assertThat(jdbc.queryForObject("SELECT count(*) FROM user_profiles", Integer.class)).isEqualTo(25);
        ObjectNode jose = users(sampleJson("users.json")).get(0);
        UUID joseId = UUID.fromString(jose.get("UserId").asText());
        assertThat(jdbc.queryForObject("SELECT roles::text FROM user_profiles WHERE id = ?", String.class, joseId))
                .isEqualTo("{Administrator,Employee,Manager}");
        assertThat(supabase.users).hasSize(25);
        assertThat(supabase.users.get(joseId).get("email").asText()).isEqualTo(jose.get("Email").asText());
        assertThat(supabase.users.get(joseId).get("user_metadata").get("full_name").asText()).isEqualTo("José García");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM user_profiles WHERE auth_synced_hash = auth_hash", Integer.class))
                .isEqualTo(25);

        supabase.clearRequests();
        JsonNode again = runFlow();
        assertThat(again.get("status").asText()).isEqualTo("succeeded");
        assertThat(again.get("stats").get("blobs_skipped_unchanged").asInt()).isEqualTo(4);
        assertThat(again.get("stats").get("blobs_downloaded").asInt()).isZero();
        assertThat(again.get("stats").get("blobs_processed").asInt()).isZero();
        assertThat(supabase.requests()).as("no auth and no storage call on an unchanged re-run").isEmpty();
    }

    @Test
    void oneChangedJobRewritesOnlyItsDay() throws Exception {
        uploadSamples();
        runFlow();
        supabase.clearRequests();

        ObjectNode file = sampleJson("1_schedules.json");
        ObjectNode job = null;
        for (JsonNode j : file.get("Jobs")) {
            if (j.get("JobDate").asText().equals("2025-12-11")) {
                job = (ObjectNode) j;
                break;
            }
        }
        job.put("Notes", "gate code changed to 4711");
        file.put("GeneratedAt", "2025-12-10T05:15:02Z");
        upload("1_schedules.json", bytes(file));

        JsonNode run = runFlow();
        assertThat(run.get("status").asText()).isEqualTo("succeeded");
        assertThat(run.get("stats").get("blobs_processed").asInt()).isEqualTo(1);
        assertThat(run.get("stats").get("blobs_skipped_unchanged").asInt()).isEqualTo(3);
        assertThat(run.get("stats").get("schedule_days_written").asInt()).isEqualTo(1);
        assertThat(run.get("stats").get("schedule_days_unchanged").asInt()).isEqualTo(6);
        assertThat(supabase.requests(r -> r.path().startsWith("/storage/"))).singleElement()
                .satisfies(r -> assertThat(r.path()).endsWith("/1/2025-12-11/schedule.json"));
        assertThat(supabase.object(BUCKET, "1/2025-12-11/schedule.json")).contains("gate code changed to 4711");
        assertThat(supabase.authCalls()).isZero();
        assertThat(jdbc.queryForObject("SELECT generated_at::text FROM schedule_data WHERE service_company_id = 1 AND schedule_date = '2025-12-13'",
                String.class)).startsWith("2025-12-10 05:15:02");
    }

    @Test
    void removedChangedAndMovedUsersReachProfilesAndAuthWithOneCallEach() throws Exception {
        uploadSamples();
        runFlow();
        supabase.clearRequests();

        ObjectNode doc = sampleJson("users.json");
        ArrayNode charleston = companyUsers(doc, 1);
        ObjectNode removed = (ObjectNode) charleston.remove(1);
        ObjectNode renamed = (ObjectNode) charleston.get(2);
        renamed.put("Email", "new.address@castlekeepers.example.com");
        ObjectNode moved = (ObjectNode) charleston.remove(3);
        moved.put("ServiceCompanyId", 3);
        companyUsers(doc, 3).add(moved);
        upload("users.json", bytes(doc));

        JsonNode run = runFlow();
        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("succeeded");
        JsonNode stats = run.get("stats");
        assertThat(stats.get("users_deleted").asInt()).isEqualTo(1);
        assertThat(stats.get("users_updated").asInt()).isEqualTo(2);
        assertThat(stats.get("users_created").asInt()).isZero();
        assertThat(stats.get("users_unchanged").asInt()).isEqualTo(22);
        assertThat(stats.get("auth_deleted").asInt()).isEqualTo(1);
        assertThat(stats.get("auth_updated").asInt()).isEqualTo(2);

        UUID removedId = UUID.fromString(removed.get("UserId").asText());
        UUID renamedId = UUID.fromString(renamed.get("UserId").asText());
        UUID movedId = UUID.fromString(moved.get("UserId").asText());
        assertThat(jdbc.queryForObject("SELECT count(*) FROM user_profiles WHERE id = ?", Integer.class, removedId)).isZero();
        assertThat(jdbc.queryForObject("SELECT email FROM user_profiles WHERE id = ?", String.class, renamedId))
                .isEqualTo("new.address@castlekeepers.example.com");
        assertThat(jdbc.queryForObject("SELECT service_company_id FROM user_profiles WHERE id = ?", Integer.class, movedId)).isEqualTo(3);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM auth_user_deletions", Integer.class)).isZero();

        assertThat(supabase.users).doesNotContainKey(removedId).hasSize(24);
        assertThat(supabase.users.get(renamedId).get("email").asText()).isEqualTo("new.address@castlekeepers.example.com");
        assertThat(supabase.users.get(movedId).get("user_metadata").get("service_company_id").asInt()).isEqualTo(3);
        assertThat(supabase.requests(r -> r.path().startsWith("/auth/")))
                .extracting(r -> r.method() + " " + r.path())
                .containsExactlyInAnyOrder("DELETE /auth/v1/admin/users/" + removedId, "PUT /auth/v1/admin/users/" + renamedId,
                        "PUT /auth/v1/admin/users/" + movedId);
    }

    @Test
    void aTruncatedUsersFileDeletesNoOneAndSaysWhy() throws Exception {
        uploadSamples();
        runFlow();
        supabase.clearRequests();

        ObjectNode doc = sampleJson("users.json");
        ArrayNode kept = companyUsers(doc, 1);
        for (JsonNode g : doc.get("ServiceCompanyGroups")) {
            for (JsonNode c : g.get("ServiceCompanies")) {
                if (c.get("ServiceCompanyId").asInt() != 1) {
                    ((ArrayNode) c.get("Users")).removeAll();
                }
            }
        }
        assertThat(kept.size()).isEqualTo(9);
        upload("users.json", bytes(doc));

        JsonNode run = runFlow();
        assertThat(run.get("status").asText()).isEqualTo("partial");
        assertThat(run.get("error").asText()).contains("would delete 16 of 25 users").contains("max-delete-fraction");
        assertThat(run.get("stats").get("deletions_blocked").asInt()).isEqualTo(16);
        assertThat(run.get("stats").get("users_deleted").asInt()).isZero();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM user_profiles", Integer.class)).isEqualTo(25);
        assertThat(supabase.users).hasSize(25);
        assertThat(supabase.requests(r -> r.method().equals("DELETE"))).isEmpty();

        // the guard holds on every run until a complete file arrives
        JsonNode again = runFlow();
        assertThat(again.get("status").asText()).isEqualTo("partial");
        assertThat(again.get("stats").get("deletions_blocked").asInt()).isEqualTo(16);

        ObjectNode empty = sampleJson("users.json");
        empty.set("ServiceCompanyGroups", JSON.createArrayNode());
        upload("users.json", bytes(empty));
        JsonNode none = runFlow();
        assertThat(none.get("status").asText()).isEqualTo("partial");
        assertThat(none.get("error").asText()).contains("has no users");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM user_profiles", Integer.class)).isEqualTo(25);

        upload("users.json", sample("users.json"));
        JsonNode healed = runFlow();
        assertThat(healed.get("status").asText()).isEqualTo("succeeded");
        assertThat(healed.get("stats").get("users_unchanged").asInt()).isEqualTo(25);
    }

    @Test
    void malformedBlobsAreDeadLetteredWhileTheOthersSync() throws Exception {
        uploadSamples();
        String good = new String(sample("3_schedules.json"));
        upload("1001_schedules.json", good.substring(0, good.length() / 2).getBytes());
        ObjectNode missingId = sampleJson("3_schedules.json");
        missingId.remove("ServiceCompanyId");
        upload("1002_schedules.json", bytes(missingId));
        ObjectNode wrongTypes = sampleJson("3_schedules.json");
        wrongTypes.put("ServiceCompanyId", "abc");
        wrongTypes.set("Jobs", JSON.createObjectNode().put("not", "an array"));
        upload("1003_schedules.json", bytes(wrongTypes));

        JsonNode run = runFlow();
        assertThat(run.get("status").asText()).isEqualTo("partial");
        assertThat(run.get("stats").get("blobs_failed").asInt()).isEqualTo(3);
        assertThat(run.get("stats").get("blobs_processed").asInt()).isEqualTo(4);
        assertThat(run.get("error").asText()).contains("3 records dead-lettered");
        List<Map<String, Object>> letters = jdbc.queryForList(
                "SELECT entity_type, entity_key, error_message FROM dead_letters WHERE flow = 'azure-sync' ORDER BY entity_key");
        assertThat(letters).extracting(l -> l.get("entity_key"))
                .containsExactly("1001_schedules.json", "1002_schedules.json", "1003_schedules.json");
        assertThat(letters).extracting(l -> l.get("entity_type")).containsOnly("blob");
        assertThat((String) letters.get(0).get("error_message")).contains("invalid JSON");
        assertThat((String) letters.get(1).get("error_message")).contains("missing ServiceCompanyId");
        assertThat((String) letters.get(2).get("error_message")).contains("ServiceCompanyId must be an integer");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM schedule_data", Integer.class)).isEqualTo(21);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM blob_state WHERE blob_name LIKE '100%'", Integer.class)).isZero();
        assertThat(supabase.objects.keySet()).noneMatch(k -> k.contains("/100"));

        // fixing a blob syncs it on the next run and closes its letter
        upload("1002_schedules.json", bytes(sampleJson("3_schedules.json").put("ServiceCompanyId", 1002)));
        JsonNode next = runFlow();
        assertThat(next.get("stats").get("blobs_failed").asInt()).isEqualTo(2);
        assertThat(next.get("stats").get("blobs_processed").asInt()).isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT status FROM dead_letters WHERE flow = 'azure-sync' AND entity_key = '1002_schedules.json'",
                String.class)).isEqualTo("replayed");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM dead_letters WHERE flow = 'azure-sync' AND status = 'pending'",
                Integer.class)).isEqualTo(2);
    }

    @Test
    void anEmailOwnedByAnotherAuthIdIsDeadLetteredWithThatReason() throws Exception {
        ObjectNode victim = users(sampleJson("users.json")).get(4);
        UUID foreign = supabase.addForeignUser(victim.get("Email").asText());
        uploadSamples();

        JsonNode run = runFlow();
        assertThat(run.get("status").asText()).isEqualTo("partial");
        assertThat(run.get("stats").get("auth_created").asInt()).isEqualTo(24);
        assertThat(run.get("stats").get("auth_failed").asInt()).isEqualTo(1);
        Map<String, Object> letter = jdbc.queryForMap(
                "SELECT entity_type, entity_key, error_message FROM dead_letters WHERE flow = 'azure-sync'");
        assertThat(letter.get("entity_type")).isEqualTo("auth_user");
        assertThat(letter.get("entity_key")).isEqualTo(victim.get("UserId").asText());
        assertThat((String) letter.get("error_message")).contains("already exists under another id");
        assertThat(supabase.users.get(foreign).get("email").asText()).isEqualTo(victim.get("Email").asText());
        assertThat(jdbc.queryForObject("SELECT count(*) FROM user_profiles WHERE auth_synced_hash IS NULL", Integer.class)).isEqualTo(1);
    }

    @Test
    void supabaseRateLimitsAndServerErrorsAreRetried() throws Exception {
        supabase.failNext(r -> r.method().equals("POST") && r.path().startsWith("/auth/"), 3, 429,
                "{\"code\":429,\"error_code\":\"over_request_rate_limit\",\"msg\":\"Rate limit exceeded\"}", "0");
        supabase.failNext(r -> r.path().startsWith("/storage/"), 2, 500, "{\"statusCode\":\"500\",\"error\":\"internal\"}", null);
        supabase.failNext(r -> r.method().equals("DELETE"), 1, 503, "", "0");
        uploadSamples();

        JsonNode run = runFlow();
        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("succeeded");
        assertThat(supabase.users).hasSize(25);
        assertThat(supabase.objects).hasSize(21);
        assertThat(supabase.requests(r -> r.method().equals("POST") && r.path().startsWith("/auth/"))).hasSize(28);

        // a deletion that meets a 503 first still goes through
        ObjectNode doc = sampleJson("users.json");
        ObjectNode removed = (ObjectNode) companyUsers(doc, 3).remove(0);
        upload("users.json", bytes(doc));
        JsonNode next = runFlow();
        assertThat(next.get("status").asText()).isEqualTo("succeeded");
        assertThat(supabase.users).doesNotContainKey(UUID.fromString(removed.get("UserId").asText()));
    }

    @Test
    void aCrashBetweenTwoBlobsConvergesOnReRunToTheStateOfACleanRun() throws Exception {
        uploadSamples();
        // blob 1 (7 days) commits; the second put of blob 3 "kills" the run
        crashAfterPuts.set(8);
        JsonNode crashed = runFlow();
        assertThat(crashed.get("status").asText()).isEqualTo("failed");
        assertThat(crashed.get("error").asText()).contains("simulated crash");
        assertThat(jdbc.queryForList("SELECT blob_name FROM blob_state", String.class)).containsExactly("1_schedules.json");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM schedule_data WHERE service_company_id = 3", Integer.class)).isZero();
        assertThat(supabase.objects.keySet()).contains(BUCKET + "/3/2025-12-10/schedule.json");

        JsonNode rerun = runFlow();
        assertThat(rerun.get("status").asText()).isEqualTo("succeeded");
        assertThat(rerun.get("stats").get("blobs_skipped_unchanged").asInt()).isEqualTo(1);
        assertThat(rerun.get("stats").get("blobs_processed").asInt()).isEqualTo(3);
        Map<String, Object> afterCrash = AzureSyncTestSupport.snapshot(jdbc, objectHashes());

        AzureSyncTestSupport.resetTables(jdbc);
        supabase.reset();
        assertThat(runFlow().get("status").asText()).isEqualTo("succeeded");
        Map<String, Object> clean = AzureSyncTestSupport.snapshot(jdbc, objectHashes());
        assertThat(afterCrash).isEqualTo(clean);
    }

    private Map<String, String> objectHashes() throws Exception {
        Map<String, String> out = new TreeMap<>();
        for (Map.Entry<String, byte[]> e : supabase.objects.entrySet()) {
            out.put(e.getKey(), HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(e.getValue())));
        }
        return out;
    }

}
