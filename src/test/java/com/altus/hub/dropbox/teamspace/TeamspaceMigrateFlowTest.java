package com.altus.hub.dropbox.teamspace;

import static com.altus.hub.dropbox.FakeDropboxTree.APP_NS;
import static com.altus.hub.dropbox.FakeDropboxTree.TEAM_HOME_NS;
import static com.altus.hub.dropbox.FakeDropboxTree.TEAM_ROOT_NS;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.altus.hub.dropbox.DropboxTreeTestBase;
import com.altus.hub.dropbox.FakeDropboxTree;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * teamspace-migrate against the fake Dropbox with two accounts: files uploaded through the hub's
 * API land in the App Folder, the migration copies each once into the team's root namespace
 * (Dropbox-API-Path-Root) with copy references, falls back to download/upload when the accounts
 * refuse them, verifies content hashes, resumes after an interrupted copy, copies nothing on a
 * re-run, honours the per-run limit and rate limits.
 */
class TeamspaceMigrateFlowTest extends DropboxTreeTestBase {
    static final String ROOT_HEADER = "{\".tag\":\"root\",\"root\":\"" + TEAM_ROOT_NS + "\"}";

    @BeforeEach
    void clean() {
        fake.clear();
        jdbc.update("DELETE FROM teamspace_migrations");
        jdbc.update("DELETE FROM file_assets");
        jdbc.update("DELETE FROM dead_letters WHERE flow = 'teamspace-migrate'");
    }

    /** Uploads a file through POST /api/dropbox_upload (into the App Folder) and answers the response. */
    private JsonNode upload(String name, byte[] content) throws Exception {
        ObjectNode meta = mapper.createObjectNode().put("owner_id", "o1").put("owner_name", "Zoë O'Brien")
                .put("property_id", "p1").put("property_name", "Café Lofts").put("unit_id", "u1").put("unit_name", "101")
                .put("lease_id", "l1").put("tenant_id", "t1").put("tenant_name", "José García");
        ObjectNode body = mapper.createObjectNode().put("entity_type", "TenantDocument").put("original_filename", name)
                .put("file_base64", Base64.getEncoder().encodeToString(content));
        body.set("meta", meta);
        var res = post("/api/dropbox_upload", mapper.writeValueAsString(body));
        assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
        return json(res);
    }

    private List<JsonNode> uploads(int n, String prefix) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(upload(prefix + "-" + i + ".pdf", (prefix + " document " + i + " " + UUID.randomUUID())
                    .getBytes(StandardCharsets.UTF_8)));
        }
        return out;
    }

    private JsonNode migrate(String body) throws Exception {
        return runFlow("teamspace-migrate", body);
    }

    private void assertMigrated(JsonNode uploaded) {
        String path = uploaded.get("path").asText();
        FakeDropboxTree.Item copy = fake.item(TEAM_ROOT_NS, path);
        assertThat(copy).as("in the team root namespace: " + path).isNotNull();
        assertThat(copy.contentHash()).isEqualTo(uploaded.get("content_hash").asText());
        assertThat(fake.item(APP_NS, path)).as("the App Folder keeps its file").isNotNull();
        Map<String, Object> asset = jdbc.queryForMap("SELECT teamspace_path, migrated_at FROM file_assets WHERE id = ?::uuid",
                uploaded.get("file_asset_id").asText());
        assertThat(asset.get("teamspace_path")).isEqualTo(path);
        assertThat(asset.get("migrated_at")).isNotNull();
        Map<String, Object> m = jdbc.queryForMap("SELECT status, content_hash, target_path FROM teamspace_migrations "
                + "WHERE file_asset_id = ?::uuid", uploaded.get("file_asset_id").asText());
        assertThat(m.get("status")).isEqualTo("verified");
        assertThat(m.get("content_hash")).isEqualTo(uploaded.get("content_hash").asText());
    }

    @Test
    void copyReferencesCopyEachFileOnceIntoTheTeamRootAndAReRunCopiesNothing() throws Exception {
        List<JsonNode> files = uploads(6, "cref");
        fake.resetCalls();
        JsonNode run = migrate(null);
        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("succeeded");
        JsonNode stats = run.get("stats");
        assertThat(stats.get("files_selected").asInt()).isEqualTo(6);
        assertThat(stats.get("files_copied_by_reference").asInt()).isEqualTo(6);
        assertThat(stats.get("bytes_downloaded").asLong()).isZero();
        assertThat(stats.get("team_root_namespace").asText()).isEqualTo(TEAM_ROOT_NS);
        files.forEach(this::assertMigrated);
        assertThat(fake.files(TEAM_ROOT_NS, "")).hasSize(6);
        assertThat(fake.files(TEAM_HOME_NS, "")).as("nothing in the member's home namespace").isEmpty();

        // per file: the target checked, a copy reference taken from the App Folder and saved by the team client
        assertThat(fake.calls("app", "copy_reference/get")).isEqualTo(6);
        assertThat(fake.calls("team", "copy_reference/save")).isEqualTo(6);
        assertThat(fake.calls("team", "get_metadata")).isEqualTo(6);
        assertThat(fake.calls("download") + fake.calls("upload")).isZero();
        assertThat(fake.http().requests(r -> r.path().equals("/2/files/copy_reference/save")))
                .allSatisfy(r -> assertThat(mapper.readTree(r.headers().getFirst("Dropbox-API-Path-Root")))
                        .isEqualTo(mapper.readTree(ROOT_HEADER)));
        assertThat(fake.http().requests(r -> r.path().equals("/2/files/copy_reference/get")))
                .allSatisfy(r -> assertThat(r.headers().getFirst("Dropbox-API-Path-Root")).isNull());

        fake.resetCalls();
        JsonNode again = migrate(null);
        assertThat(again.get("status").asText()).isEqualTo("succeeded");
        assertThat(again.get("stats").get("files_selected").asInt()).isZero();
        assertThat(fake.totalCalls()).isZero();
        assertThat(fake.files(TEAM_ROOT_NS, "")).hasSize(6);
    }

    @Test
    void refusedCopyReferencesFallBackToStreamedDownloadAndUpload() throws Exception {
        List<JsonNode> files = uploads(8, "fallback");
        long bytes = files.stream().mapToLong(f -> f.get("size").asLong()).sum();
        fake.refuseCopyReferences(true);
        fake.resetCalls();
        JsonNode run = migrate(null);
        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("succeeded");
        JsonNode stats = run.get("stats");
        assertThat(stats.get("files_downloaded_uploaded").asInt()).isEqualTo(8);
        assertThat(stats.get("bytes_downloaded").asLong()).isEqualTo(bytes);
        assertThat(stats.get("copy_references").asText()).startsWith("refused");
        files.forEach(this::assertMigrated);
        // refused, then the run stops asking: only the files already in flight (hub.teamspace.parallelism, 4) tried
        assertThat(fake.calls("team", "copy_reference/save")).isBetween(1L, 4L);
        assertThat(fake.calls("app", "download")).isEqualTo(8);
        assertThat(fake.calls("team", "upload")).isEqualTo(8);
        assertThat(fake.bytesDownloaded()).isEqualTo(bytes);
        assertThat(jdbc.queryForList("SELECT DISTINCT method FROM teamspace_migrations", String.class))
                .containsExactly("download_upload");
    }

    @Test
    void anInterruptedMigrationIsFinishedWithoutCopyingTwice() throws Exception {
        List<JsonNode> files = uploads(3, "resume");
        // a crashed run: the first file reached the Team Space but its rows were never updated
        JsonNode done = files.get(0);
        byte[] bytes = java.nio.file.Files.readAllBytes(fake.item(APP_NS, done.get("path").asText()).data());
        fake.putFile(TEAM_ROOT_NS, done.get("path").asText(), bytes);
        jdbc.update("INSERT INTO teamspace_migrations (file_asset_id, source_path, target_path, status, attempts) "
                + "VALUES (?::uuid, ?, ?, 'copied', 1)", done.get("file_asset_id").asText(), done.get("path").asText(),
                done.get("path").asText());
        // and the answer of the second file's copy will be lost on the way back (the copy happens)
        fake.loseNextResponses("copy_reference/save", 1);
        fake.resetCalls();
        JsonNode run = migrate(null);
        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("succeeded");
        JsonNode stats = run.get("stats");
        assertThat(stats.get("files_already_present").asInt()).isEqualTo(2);
        assertThat(stats.get("files_copied_by_reference").asInt()).isEqualTo(1);
        files.forEach(this::assertMigrated);
        assertThat(fake.files(TEAM_ROOT_NS, "")).as("no duplicate, no renamed copy").hasSize(3);
        assertThat(jdbc.queryForObject("SELECT attempts FROM teamspace_migrations WHERE file_asset_id = ?::uuid", Integer.class,
                done.get("file_asset_id").asText())).isEqualTo(2);
    }

    @Test
    void theLimitHoldsPerRunAndRateLimitsAreHonoured() throws Exception {
        uploads(5, "limit");
        fake.http().failNext(r -> r.path().equals("/2/files/copy_reference/save"), 2, 429,
                "{\"error_summary\":\"too_many_write_operations/..\",\"error\":{\"reason\":{\".tag\":\"too_many_write_operations\"},"
                        + "\"retry_after\":1}}", "1");
        JsonNode first = migrate("{\"limit\": 2}");
        assertThat(first.get("status").asText()).as(first.toString()).isEqualTo("succeeded");
        assertThat(first.get("stats").get("files_selected").asInt()).isEqualTo(2);
        assertThat(first.get("stats").get("files_remaining").asInt()).isEqualTo(3);
        assertThat(fake.http().requests(r -> r.path().equals("/2/files/copy_reference/save"))).hasSize(4);
        assertThat(fake.files(TEAM_ROOT_NS, "")).hasSize(2);

        JsonNode rest = migrate(null);
        assertThat(rest.get("stats").get("limit").asInt()).as("hub.teamspace.limit").isEqualTo(50);
        assertThat(rest.get("stats").get("files_selected").asInt()).isEqualTo(3);
        assertThat(rest.get("stats").get("files_remaining").asInt()).isZero();
        assertThat(fake.files(TEAM_ROOT_NS, "")).hasSize(5);
    }

    @Test
    void aFileWhoseContentDiffersFromItsRowIsNotMigratedAndIsDeadLettered() throws Exception {
        List<JsonNode> files = uploads(2, "hash");
        JsonNode bad = files.get(1);
        jdbc.update("UPDATE file_assets SET content_hash = ? WHERE id = ?::uuid", "0".repeat(64), bad.get("file_asset_id").asText());
        fake.refuseCopyReferences(true);
        JsonNode run = migrate(null);
        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("partial");
        assertMigrated(files.get(0));
        assertThat(fake.item(TEAM_ROOT_NS, bad.get("path").asText())).isNull();
        Map<String, Object> m = jdbc.queryForMap("SELECT status, error FROM teamspace_migrations WHERE file_asset_id = ?::uuid",
                bad.get("file_asset_id").asText());
        assertThat(m.get("status")).isEqualTo("failed");
        assertThat((String) m.get("error")).contains("content_hash");
        Map<String, Object> letter = jdbc.queryForMap("SELECT route_id, entity_type, entity_key FROM dead_letters "
                + "WHERE flow = 'teamspace-migrate' AND status = 'pending'");
        assertThat(letter.get("route_id")).isEqualTo("teamspace-migrate-file");
        assertThat(letter.get("entity_key")).isEqualTo(bad.get("file_asset_id").asText());
        assertThat(jdbc.queryForObject("SELECT migrated_at FROM file_assets WHERE id = ?::uuid", Object.class,
                bad.get("file_asset_id").asText())).isNull();
    }
}
