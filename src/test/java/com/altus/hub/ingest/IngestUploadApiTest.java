package com.altus.hub.ingest;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

import com.altus.hub.dropbox.ContentHasher;
import com.altus.hub.dropbox.FolderMap;
import com.altus.hub.test.HubTestBase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The embedded default (no DROPBOX_* variables): ingest and upload endpoints write into the
 * local folder store under $HUB_DATA_DIR/dropbox with Dropbox's semantics, checked on disk.
 */
class IngestUploadApiTest extends HubTestBase {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path STORE = Path.of("target/test-data/dropbox").toAbsolutePath();

    private static Path samples() {
        return Path.of(System.getProperty("hub.test.basedir", "."), "samples", "ingest");
    }

    private static JsonNode expected(String name) throws Exception {
        return JSON.readTree(samples().resolve("expected.json").toFile()).get("files").get(name);
    }

    private HttpResponse<String> post(String path, String body, String key) throws Exception {
        java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(java.net.URI.create(url(path)))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            b.header("Idempotency-Key", key);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Path onDisk(String dropboxPath) {
        return STORE.resolve(dropboxPath.substring(1));
    }

    @Test
    void dealRoomAndFieldAppSamplesLandWhereExpected() throws Exception {
        for (String sample : new String[] {"ingest_dealroom.json", "ingest_fieldapp.json"}) {
            HttpResponse<String> res = post("/api/ingest_upload", Files.readString(samples().resolve(sample)), null);
            assertThat(res.statusCode()).as(sample + ": " + res.body()).isEqualTo(200);
            JsonNode body = json(res);
            JsonNode exp = expected(sample);
            assertThat(body.get("ok").asBoolean()).isTrue();
            assertThat(body.get("path").asText()).isEqualTo(exp.get("expected_path").asText());
            Path file = onDisk(exp.get("expected_path").asText());
            assertThat(file).isRegularFile();
            try (var in = Files.newInputStream(file)) {
                assertThat(ContentHasher.of(in)).isEqualTo(exp.get("content_hash").asText());
            }
            assertThat(Files.size(file)).isEqualTo(exp.get("size").asLong());
            Map<String, Object> row = jdbc.queryForMap("SELECT * FROM file_assets WHERE id = ?::uuid",
                    body.get("file_asset_id").asText());
            String source = JSON.readTree(samples().resolve(sample).toFile()).get("source").asText();
            assertThat(row.get("source")).isEqualTo(source);
            assertThat(row.get("content_hash")).isEqualTo(exp.get("content_hash").asText());
            assertThat(row.get("dropbox_path")).isEqualTo(exp.get("expected_path").asText());
        }
        assertThat(jdbc.queryForObject("SELECT actor_id FROM file_assets WHERE dropbox_path = ?", String.class,
                expected("ingest_fieldapp.json").get("expected_path").asText())).isEqualTo("6189b5d35643ce3c6af7bc8b");
    }

    @Test
    void everyCategoryLandsInItsFolderOnDisk() throws Exception {
        ObjectNode base = (ObjectNode) JSON.readTree(samples().resolve("ingest_fieldapp.json").toFile());
        for (Map.Entry<String, FolderMap.Target> c : FolderMap.CATEGORIES.entrySet()) {
            ObjectNode body = base.deepCopy();
            String name = "cat-" + UUID.randomUUID() + ".png";
            ((ObjectNode) body.get("payload")).put("category", c.getKey()).put("file_name", name);
            HttpResponse<String> res = post("/api/ingest_upload", body.toString(), null);
            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            String path = json(res).get("path").asText();
            assertThat(path).endsWith("/" + c.getValue().subfolder() + "/" + name);
            assertThat(onDisk(path)).isRegularFile();
        }
    }

    @Test
    void theUploadSampleAndTheSessionSampleUseTheFolderStore() throws Exception {
        HttpResponse<String> up = post("/api/dropbox_upload", Files.readString(samples().resolve("dropbox_upload.json")), null);
        assertThat(up.statusCode()).as(up.body()).isEqualTo(200);
        JsonNode exp = expected("dropbox_upload.json");
        assertThat(json(up).get("path").asText()).isEqualTo(exp.get("expected_path").asText());
        try (var in = Files.newInputStream(onDisk(exp.get("expected_path").asText()))) {
            assertThat(ContentHasher.of(in)).isEqualTo(exp.get("content_hash").asText());
        }

        JsonNode session = JSON.readTree(samples().resolve("expected.json").toFile()).get("upload_session");
        JsonNode started = json(post("/api/upload_session/start", Files.readString(samples().resolve("upload_session_start.json")), null));
        String id = started.get("session_id").asText();
        for (JsonNode a : session.get("append")) {
            HttpResponse<String> r = post("/api/upload_session/append", ((ObjectNode) a.deepCopy()).put("session_id", id).toString(), null);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }
        HttpResponse<String> done = post("/api/upload_session/finish", "{\"session_id\":\"" + id + "\",\"offset\":4938}", null);
        assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
        JsonNode sexp = expected("upload_session_start.json");
        assertThat(json(done).get("path").asText()).isEqualTo(sexp.get("expected_path").asText());
        assertThat(json(done).get("content_hash").asText()).isEqualTo(sexp.get("content_hash").asText());
        assertThat(Files.size(onDisk(sexp.get("expected_path").asText()))).isEqualTo(4938);
    }

    @Test
    void idempotentIngestAndAutorenameOnDisk() throws Exception {
        ObjectNode body = (ObjectNode) JSON.readTree(samples().resolve("ingest_dealroom.json").toFile());
        String name = "memo-" + UUID.randomUUID() + ".pdf";
        ((ObjectNode) body.get("payload")).put("file_name", name);
        String key = "ingest-" + UUID.randomUUID();
        HttpResponse<String> first = post("/api/ingest_upload", body.toString(), key);
        HttpResponse<String> replay = post("/api/ingest_upload", body.toString(), key);
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(replay.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(json(replay)).isEqualTo(json(first));
        String path = json(first).get("path").asText();

        ((ObjectNode) body.get("payload")).put("file_base64", java.util.Base64.getEncoder().encodeToString("other".getBytes()));
        assertThat(post("/api/ingest_upload", body.toString(), key).statusCode()).isEqualTo(422);
        HttpResponse<String> other = post("/api/ingest_upload", body.toString(), null);
        String renamed = json(other).get("path").asText();
        assertThat(renamed).isEqualTo(path.replace(".pdf", " (1).pdf"));
        assertThat(Files.readString(onDisk(renamed))).isEqualTo("other");
        try (var files = Files.list(onDisk(path).getParent())) {
            assertThat(files.filter(p -> p.getFileName().toString().startsWith(name.replace(".pdf", "")))).hasSize(2);
        }
    }

    @Test
    void aThreeHundredCharacterOwnerNameIsStoredOnDisk() throws Exception {
        ObjectNode body = (ObjectNode) JSON.readTree(samples().resolve("ingest_fieldapp.json").toFile());
        ((ObjectNode) body.get("payload")).put("owner_name", "O".repeat(300)).put("file_name", "long-" + UUID.randomUUID() + ".png");
        HttpResponse<String> res = post("/api/ingest_upload", body.toString(), null);
        assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
        String path = json(res).get("path").asText();
        assertThat(onDisk(path)).isRegularFile();
        for (String component : path.split("/")) {
            assertThat(component.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isLessThanOrEqualTo(255);
        }
    }

    @Test
    void aJsonBodySentAsAFormAsCurlDashDDoesIsStillRead() throws Exception {
        ObjectNode body = (ObjectNode) JSON.readTree(samples().resolve("ingest_fieldapp.json").toFile());
        ((ObjectNode) body.get("payload")).put("file_name", "form-" + UUID.randomUUID() + ".png");
        HttpResponse<String> res = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url("/api/ingest_upload")))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
        assertThat(onDisk(json(res).get("path").asText())).isRegularFile();
    }

    @Test
    void badIngestBodiesAre400sThatNameTheField() throws Exception {
        ObjectNode body = (ObjectNode) JSON.readTree(samples().resolve("ingest_fieldapp.json").toFile());
        body.put("source", "email");
        HttpResponse<String> res = post("/api/ingest_upload", body.toString(), null);
        assertThat(res.statusCode()).isEqualTo(400);
        assertThat(json(res).get("field").asText()).isEqualTo("source");
        body.put("source", "fieldapp");
        ((ObjectNode) body.get("payload")).put("file_base64", "%%%");
        res = post("/api/ingest_upload", body.toString(), null);
        assertThat(res.statusCode()).isEqualTo(400);
        assertThat(json(res).get("field").asText()).isEqualTo("payload.file_base64");
    }
}
