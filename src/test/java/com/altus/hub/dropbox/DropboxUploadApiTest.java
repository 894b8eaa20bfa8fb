package com.altus.hub.dropbox;

import java.io.OutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import com.altus.hub.test.FakeHttpServer;
import com.altus.hub.test.HubTestBase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static com.altus.hub.dropbox.UploadApiSupport.MAPPER;
import static com.altus.hub.dropbox.UploadApiSupport.expected;
import static com.altus.hub.dropbox.UploadApiSupport.sample;
import static com.altus.hub.dropbox.UploadApiSupport.uploadBody;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The upload endpoints against the fake Dropbox (HTTP API v2 through the SDK, refresh-token
 * credentials): paths, content hashes and file_assets rows, Idempotency-Key semantics, upload
 * sessions with odd chunk sizes and a lost append answer, Dropbox errors, 429 retries.
 */
class DropboxUploadApiTest extends HubTestBase {
    static FakeDropbox fake;

    @DynamicPropertySource
    static void dropbox(DynamicPropertyRegistry registry) throws Exception {
        if (fake == null) {
            fake = new FakeDropbox(Files.createTempDirectory("fake-dropbox"));
        }
        fake.env().forEach((k, v) -> registry.add(k, () -> v));
        registry.add("hub.dropbox.max-attempts", () -> "4");
        registry.add("hub.upload.max-chunk-bytes", () -> "8MB");
    }

    @AfterEach
    void resetFaults() {
        fake.release();
        fake.http().clearFaults();
    }

    private HttpResponse<String> upload(String body, String key) throws Exception {
        return UploadApiSupport.post(http, url(""), "/api/dropbox_upload", body, key);
    }

    private long uploadsTo(String pathSuffix) {
        return fake.http().requests(r -> r.path().equals("/2/files/upload")
                && r.headers().getFirst("Dropbox-API-Arg").contains(pathSuffix)).size();
    }

    private static String unique(String ext) {
        return "doc-" + UUID.randomUUID() + ext;
    }

    @Test
    void theSampleLandsAtItsExpectedPathWithItsHash() throws Exception {
        HttpResponse<String> res = upload(sample("dropbox_upload.json"), null);
        assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
        JsonNode body = json(res);
        JsonNode exp = expected("dropbox_upload.json");
        assertThat(body.get("ok").asBoolean()).isTrue();
        assertThat(body.get("path").asText()).isEqualTo(exp.get("expected_path").asText());
        assertThat(body.get("content_hash").asText()).isEqualTo(exp.get("content_hash").asText());
        assertThat(body.get("size").asLong()).isEqualTo(exp.get("size").asLong());
        assertThat(body.get("rev").asText()).isNotBlank();
        FakeDropbox.FileEntry stored = fake.file(exp.get("expected_path").asText()).orElseThrow();
        assertThat(stored.contentHash()).isEqualTo(exp.get("content_hash").asText());
        assertThat(fake.tokenRefreshes()).as("refresh-token OAuth was used").isPositive();

        Map<String, Object> row = jdbc.queryForMap("SELECT * FROM file_assets WHERE id = ?::uuid", body.get("file_asset_id").asText());
        assertThat(row.get("source")).isEqualTo("api");
        assertThat(row.get("entity_type")).isEqualTo("LeaseSigned");
        assertThat(row.get("dropbox_path")).isEqualTo(exp.get("expected_path").asText());
        assertThat(row.get("content_hash")).isEqualTo(exp.get("content_hash").asText());
        assertThat(row.get("size_bytes")).isEqualTo(709L);
        assertThat(row.get("lease_id")).isEqualTo("65a2177865b8e605f2f7bc1d");
        assertThat(row.get("dropbox_id")).isEqualTo(stored.id());

        // the same name with the same content again: a no-op answering the same file and row
        JsonNode again = json(upload(sample("dropbox_upload.json"), null));
        assertThat(again.get("path").asText()).isEqualTo(exp.get("expected_path").asText());
        assertThat(again.get("file_asset_id").asText()).isEqualTo(body.get("file_asset_id").asText());
        assertThat(fake.files(FolderMap.parent(exp.get("expected_path").asText()))).hasSize(1);
    }

    @Test
    void everyEntityTypeLandsInItsFolder() throws Exception {
        for (Map.Entry<String, FolderMap.Target> e : FolderMap.ENTITY_TYPES.entrySet()) {
            String name = unique(".pdf");
            HttpResponse<String> res = upload(uploadBody(e.getKey(), name, ("doc " + name).getBytes()), null);
            assertThat(res.statusCode()).as(e.getKey() + ": " + res.body()).isEqualTo(200);
            String path = json(res).get("path").asText();
            assertThat(path).endsWith("/" + e.getValue().subfolder() + "/" + name);
            assertThat(fake.file(path)).as(e.getKey()).isPresent();
            assertThat(jdbc.queryForObject("SELECT entity_type FROM file_assets WHERE dropbox_path = ?", String.class, path))
                    .isEqualTo(e.getKey());
        }
    }

    @Test
    void otherContentUnderATakenNameIsStoredUnderAFreeName() throws Exception {
        String name = unique(".txt");
        String first = json(upload(uploadBody("TenantNotice", name, "first".getBytes()), null)).get("path").asText();
        String second = json(upload(uploadBody("TenantNotice", name, "second".getBytes()), null)).get("path").asText();
        assertThat(second).isEqualTo(first.replace(".txt", " (1).txt"));
        assertThat(fake.file(first).orElseThrow().size()).isEqualTo(5);
        assertThat(fake.file(second).orElseThrow().size()).isEqualTo(6);
    }

    @Test
    void theSameKeyTwiceStoresOneFileAndReplaysTheAnswer() throws Exception {
        String name = unique(".pdf");
        String body = uploadBody("RentReceipt", name, "receipt".getBytes());
        String key = "key-" + UUID.randomUUID();
        HttpResponse<String> first = upload(body, key);
        HttpResponse<String> second = upload(body, key);
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(second.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(first.headers().firstValue("Idempotent-Replayed")).isEmpty();
        assertThat(json(second)).isEqualTo(json(first));
        assertThat(uploadsTo(name)).isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM file_assets WHERE original_filename = ?", Long.class, name)).isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT status FROM upload_requests WHERE idempotency_key = ?", String.class, key))
                .isEqualTo("completed");

        HttpResponse<String> other = upload(uploadBody("RentReceipt", name, "another receipt".getBytes()), key);
        assertThat(other.statusCode()).isEqualTo(422);
        assertThat(other.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
        assertThat(uploadsTo(name)).isEqualTo(1);
    }

    @Test
    void aSecondRequestWithTheKeyWhileTheFirstIsInFlightIs409() throws Exception {
        String name = unique(".pdf");
        String body = uploadBody("MoveInDoc", name, "move in".getBytes());
        String key = "key-" + UUID.randomUUID();
        fake.holdUploads();
        CompletableFuture<HttpResponse<String>> first = CompletableFuture.supplyAsync(() -> {
            try {
                return upload(body, key);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(20)).until(() -> fake.heldCount() == 1);
        HttpResponse<String> second = upload(body, key);
        assertThat(second.statusCode()).as(second.body()).isEqualTo(409);
        assertThat(json(second).get("field").asText()).isEqualTo("Idempotency-Key");
        fake.release();
        assertThat(first.get().statusCode()).isEqualTo(200);
        assertThat(uploadsTo(name)).isEqualTo(1);
    }

    @Test
    void validationFailuresStoreNothingAndNameTheField() throws Exception {
        String key = "key-" + UUID.randomUUID();
        ObjectNode bad = (ObjectNode) MAPPER.readTree(uploadBody("Selfie", unique(".pdf"), "x".getBytes()));
        HttpResponse<String> res = upload(MAPPER.writeValueAsString(bad), key);
        assertThat(res.statusCode()).isEqualTo(400);
        assertThat(json(res).get("field").asText()).isEqualTo("entity_type");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM upload_requests WHERE idempotency_key = ?", Long.class, key)).isZero();
        // the key is still free: a valid body with it is stored normally
        assertThat(upload(uploadBody("TenantDocument", unique(".pdf"), "ok".getBytes()), key).statusCode()).isEqualTo(200);

        assertThat(field(upload(uploadBody("LeaseSigned", "../../etc/passwd", "x".getBytes()), null))).isEqualTo("original_filename");
        assertThat(field(upload(uploadBody("LeaseSigned", "bad\u0007name.pdf", "x".getBytes()), null))).isEqualTo("original_filename");
        ObjectNode b64 = (ObjectNode) MAPPER.readTree(uploadBody("LeaseSigned", unique(".pdf"), "x".getBytes()));
        b64.put("file_base64", "not*base64!");
        assertThat(field(upload(MAPPER.writeValueAsString(b64), null))).isEqualTo("file_base64");
        ObjectNode id = (ObjectNode) MAPPER.readTree(uploadBody("UnitPhoto", unique(".jpg"), "x".getBytes()));
        ((ObjectNode) id.get("meta")).put("unit_id", "../../u1");
        assertThat(field(upload(MAPPER.writeValueAsString(id), null))).isEqualTo("meta.unit_id");
        ObjectNode noFile = (ObjectNode) MAPPER.readTree(uploadBody("UnitPhoto", unique(".jpg"), "x".getBytes()));
        noFile.remove("file_base64");
        assertThat(field(upload(MAPPER.writeValueAsString(noFile), null))).isEqualTo("file_base64");
        assertThat(field(upload("{\"entity_type\": ", null))).isEqualTo("body");
        assertThat(field(upload(uploadBody("UnitPhoto", unique(".jpg"), "x".getBytes()), "k".repeat(256)))).isEqualTo("Idempotency-Key");
        assertThat(fake.http().requests(r -> r.path().equals("/2/files/upload")
                && r.headers().getFirst("Dropbox-API-Arg").contains("passwd"))).isEmpty();
    }

    private String field(HttpResponse<String> res) throws Exception {
        assertThat(res.statusCode()).as(res.body()).isEqualTo(400);
        assertThat(res.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
        return json(res).get("field").asText();
    }

    @Test
    void dropboxErrorsSurfaceWithTheirSummary() throws Exception {
        String name = unique(".pdf");
        fake.http().failNext(r -> r.path().equals("/2/files/upload"), 1, 409,
                "{\"error_summary\":\"path/insufficient_space/...\",\"error\":{\".tag\":\"path\",\"reason\":\"insufficient_space\","
                        + "\"upload_session_id\":\"pid_upload_session:x\"}}", null);
        fake.http().failNext(r -> r.path().equals("/2/files/upload"), 1, 409,
                "{\"error_summary\":\"payload_too_large/.\",\"error\":{\".tag\":\"payload_too_large\"}}", null);
        String key = "key-" + UUID.randomUUID();
        HttpResponse<String> res = upload(uploadBody("TenantLegal", name, "legal".getBytes()), key);
        assertThat(res.statusCode()).as(res.body()).isEqualTo(409);
        assertThat(json(res).get("dropbox_error_summary").asText()).startsWith("path/insufficient_space/");
        assertThat(fake.files("/")).noneMatch(f -> f.pathDisplay().endsWith(name));
        assertThat(jdbc.queryForObject("SELECT count(*) FROM file_assets WHERE original_filename = ?", Long.class, name)).isZero();
        // a failed request stores nothing under its key: the retry goes through
        HttpResponse<String> second = upload(uploadBody("TenantLegal", name, "legal".getBytes()), key);
        assertThat(second.statusCode()).as(second.body()).isEqualTo(409);
        assertThat(json(second).get("dropbox_error_summary").asText()).startsWith("payload_too_large/");
        HttpResponse<String> third = upload(uploadBody("TenantLegal", name, "legal".getBytes()), key);
        assertThat(third.statusCode()).isEqualTo(200);
    }

    @Test
    void aPathComponentOver255BytesIsShortenedAsDropboxNeedsIt() throws Exception {
        ObjectNode body = (ObjectNode) MAPPER.readTree(uploadBody("TenantNotice", unique(".pdf"), "long names".getBytes()));
        ObjectNode meta = (ObjectNode) body.get("meta");
        meta.put("owner_name", "Owner " + "n".repeat(300)).put("tenant_name", "Tenant " + "t".repeat(320));
        String ownerTag = FolderMap.slug(meta.get("owner_name").asText()) + "-" + meta.get("owner_id").asText();
        assertThat(FakeDropbox.malformed("/x/" + ownerTag)).as("Dropbox refuses the unshortened component").isTrue();

        HttpResponse<String> res = upload(MAPPER.writeValueAsString(body), null);
        assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
        String path = json(res).get("path").asText();
        for (String component : path.split("/")) {
            assertThat(component.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).as(component).isLessThanOrEqualTo(255);
        }
        assertThat(path).contains("-" + meta.get("owner_id").asText() + "/").contains("-lease-" + meta.get("lease_id").asText() + "/");
        assertThat(fake.file(path)).isPresent();
        // the same names map to the same folders next time
        HttpResponse<String> again = upload(MAPPER.writeValueAsString(body), null);
        assertThat(json(again).get("path").asText()).isEqualTo(path);
    }

    @Test
    void rateLimitsAreRetriedAfterRetryAfter() throws Exception {
        String name = unique(".pdf");
        fake.http().failNext(r -> r.path().equals("/2/files/upload"), 1, 429,
                "{\"error_summary\":\"too_many_requests/..\",\"error\":{\"reason\":{\".tag\":\"too_many_requests\"},\"retry_after\":1}}", "1");
        fake.http().failNext(r -> r.path().equals("/2/files/upload"), 1, 429,
                "{\"error_summary\":\"too_many_write_operations/..\",\"error\":{\"reason\":{\".tag\":\"too_many_write_operations\"},\"retry_after\":1}}", "1");
        long start = System.nanoTime();
        HttpResponse<String> res = upload(uploadBody("SubsidyDoc", name, "subsidy".getBytes()), null);
        assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(1900));
        assertThat(uploadsTo(name)).isEqualTo(3);
        assertThat(fake.file(json(res).get("path").asText())).isPresent();
    }

    @Test
    void anExpiredAccessTokenIsRefreshed() throws Exception {
        int before = fake.tokenRefreshes();
        fake.expireTokens();
        HttpResponse<String> res = upload(uploadBody("TenantCompliance", unique(".pdf"), "c".getBytes()), null);
        assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
        assertThat(fake.tokenRefreshes()).isGreaterThan(before);
    }

    @Test
    void theSampleSessionFinishesAtItsExpectedPath() throws Exception {
        JsonNode ingest = MAPPER.readTree(UploadApiSupport.samples().resolve("expected.json").toFile()).get("upload_session");
        HttpResponse<String> started = UploadApiSupport.post(http, url(""), "/api/upload_session/start",
                sample("upload_session_start.json"), null);
        assertThat(started.statusCode()).as(started.body()).isEqualTo(200);
        JsonNode s = json(started);
        String id = s.get("session_id").asText();
        assertThat(s.get("offset").asLong()).isEqualTo(1024);
        assertThat(s.get("dest_path").asText()).isEqualTo(expected("upload_session_start.json").get("expected_path").asText());

        // a wrong offset is 409 with the right one
        HttpResponse<String> wrong = UploadApiSupport.post(http, url(""), "/api/upload_session/append",
                "{\"session_id\":\"" + id + "\",\"offset\":0,\"chunk_base64\":\"AAAA\"}", null);
        assertThat(wrong.statusCode()).isEqualTo(409);
        assertThat(json(wrong).get("correct_offset").asLong()).isEqualTo(1024);

        for (JsonNode a : ingest.get("append")) {
            ObjectNode body = ((ObjectNode) a.deepCopy()).put("session_id", id);
            HttpResponse<String> res = UploadApiSupport.post(http, url(""), "/api/upload_session/append", body.toString(), null);
            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
        }
        HttpResponse<String> done = UploadApiSupport.post(http, url(""), "/api/upload_session/finish",
                "{\"session_id\":\"" + id + "\",\"offset\":" + ingest.get("finish").get("offset").asLong() + "}", null);
        assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
        JsonNode f = json(done);
        JsonNode exp = expected("upload_session_start.json");
        assertThat(f.get("path").asText()).isEqualTo(exp.get("expected_path").asText());
        assertThat(f.get("content_hash").asText()).isEqualTo(exp.get("content_hash").asText());
        assertThat(f.get("size").asLong()).isEqualTo(ingest.get("total_size").asLong());
        assertThat(fake.file(exp.get("expected_path").asText()).orElseThrow().contentHash()).isEqualTo(exp.get("content_hash").asText());
        assertThat(jdbc.queryForObject("SELECT source FROM file_assets WHERE id = ?::uuid", String.class,
                f.get("file_asset_id").asText())).isEqualTo("session");
        // finishing again answers the same result
        HttpResponse<String> again = UploadApiSupport.post(http, url(""), "/api/upload_session/finish",
                "{\"session_id\":\"" + id + "\",\"offset\":4938}", null);
        assertThat(json(again).get("file_asset_id").asText()).isEqualTo(f.get("file_asset_id").asText());
    }

    @Test
    void aStartWhoseFirstChunkDropboxRefusesLeavesNoSessionBehind() throws Exception {
        String name = unique(".bin");
        byte[] first = new byte[4 * 1024 * 1024 + 3];
        new Random(11).nextBytes(first);
        ObjectNode start = MAPPER.createObjectNode().put("entity_type", "WorkOrder").put("filename", name)
                .put("first_chunk_base64", Base64.getEncoder().encodeToString(first));
        start.set("meta", UploadApiSupport.meta());
        fake.http().failNext(r -> r.path().equals("/2/files/upload_session/append_v2"), 1, 409,
                "{\"error_summary\":\"closed/..\",\"error\":{\".tag\":\"closed\"}}", null);
        HttpResponse<String> res = UploadApiSupport.post(http, url(""), "/api/upload_session/start", start.toString(), null);
        assertThat(res.statusCode()).as(res.body()).isEqualTo(409);
        assertThat(json(res).get("dropbox_error_summary").asText()).startsWith("closed/");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM upload_sessions WHERE original_filename = ?", Long.class, name))
                .as("no session row").isZero();
    }

    @Test
    void oddRawChunksReachDropboxInWholeBlocksAndALostAppendAnswerIsRecovered() throws Exception {
        byte[] data = new byte[9 * 1024 * 1024 + 777];
        new Random(42).nextBytes(data);
        String name = unique(".bin");
        ObjectNode start = MAPPER.createObjectNode().put("category", "inspection").put("filename", name);
        start.set("meta", UploadApiSupport.meta());
        JsonNode s = json(UploadApiSupport.post(http, url(""), "/api/upload_session/start", start.toString(), null));
        String id = s.get("session_id").asText();
        assertThat(s.get("offset").asLong()).isZero();

        fake.loseNextResponse(r -> r.path().equals("/2/files/upload_session/append_v2"));
        int[] cuts = {0, 3_000_001, 5_500_000, 8_388_608, data.length};
        for (int i = 0; i + 1 < cuts.length; i++) {
            byte[] chunk = java.util.Arrays.copyOfRange(data, cuts[i], cuts[i + 1]);
            HttpResponse<String> res = UploadApiSupport.postRaw(http, url(""), id, cuts[i], chunk);
            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            assertThat(json(res).get("offset").asLong()).isEqualTo(cuts[i + 1]);
        }
        // a JSON append of zero bytes changes nothing
        HttpResponse<String> finish = UploadApiSupport.post(http, url(""), "/api/upload_session/finish",
                "{\"session_id\":\"" + id + "\",\"offset\":" + data.length + "}", null);
        assertThat(finish.statusCode()).as(finish.body()).isEqualTo(200);
        JsonNode f = json(finish);
        assertThat(f.get("content_hash").asText()).isEqualTo(ContentHasher.of(data));
        assertThat(f.get("path").asText()).endsWith("/03_Inspections/" + name);
        FakeDropbox.FileEntry stored = fake.file(f.get("path").asText()).orElseThrow();
        assertThat(Files.readAllBytes(stored.data())).isEqualTo(data);
        assertThat(fake.http().requests(r -> r.path().equals("/2/files/upload_session/append_v2")).size())
                .as("the lost append was sent again").isGreaterThanOrEqualTo(2);
    }

    @Test
    void rawAppendsWithoutAContentLengthArePipedInWholeBlocksToo() throws Exception {
        byte[] data = new byte[9 * 1024 * 1024 + 321];
        new Random(43).nextBytes(data);
        String name = unique(".bin");
        ObjectNode start = MAPPER.createObjectNode().put("category", "workorder").put("filename", name);
        start.set("meta", UploadApiSupport.meta());
        String id = json(UploadApiSupport.post(http, url(""), "/api/upload_session/start", start.toString(), null))
                .get("session_id").asText();
        int[] cuts = {0, 5 * 1024 * 1024 + 3, data.length};
        for (int i = 0; i + 1 < cuts.length; i++) {
            byte[] chunk = java.util.Arrays.copyOfRange(data, cuts[i], cuts[i + 1]);
            // a body of unknown length (chunked transfer encoding)
            HttpResponse<String> res = http.send(HttpRequest.newBuilder(java.net.URI.create(url("/api/upload_session/append?session_id="
                            + id + "&offset=" + cuts[i])))
                    .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/octet-stream")
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(chunk))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            assertThat(json(res).get("offset").asLong()).isEqualTo(cuts[i + 1]);
        }
        assertThat(jdbc.queryForObject("SELECT store_offset FROM upload_sessions WHERE id = ?::uuid", Long.class, id))
                .as("Dropbox got the whole blocks").isEqualTo(8L * 1024 * 1024);
        HttpResponse<String> finish = UploadApiSupport.post(http, url(""), "/api/upload_session/finish",
                "{\"session_id\":\"" + id + "\",\"offset\":" + data.length + "}", null);
        assertThat(finish.statusCode()).as(finish.body()).isEqualTo(200);
        assertThat(json(finish).get("content_hash").asText()).isEqualTo(ContentHasher.of(data));
        assertThat(Files.readAllBytes(fake.file(json(finish).get("path").asText()).orElseThrow().data())).isEqualTo(data);
    }

    @Test
    void sessionErrorsNameTheProblem() throws Exception {
        HttpResponse<String> unknown = UploadApiSupport.post(http, url(""), "/api/upload_session/append",
                "{\"session_id\":\"" + UUID.randomUUID() + "\",\"offset\":0,\"chunk_base64\":\"AAAA\"}", null);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(field(UploadApiSupport.post(http, url(""), "/api/upload_session/append",
                "{\"session_id\":\"nope\",\"offset\":0,\"chunk_base64\":\"AAAA\"}", null))).isEqualTo("session_id");
        ObjectNode both = MAPPER.createObjectNode().put("category", "inspection").put("entity_type", "Inspection").put("filename", "a.pdf");
        both.set("meta", UploadApiSupport.meta());
        assertThat(field(UploadApiSupport.post(http, url(""), "/api/upload_session/start", both.toString(), null))).isEqualTo("category");
        ObjectNode badCat = MAPPER.createObjectNode().put("category", "media-car").put("filename", "a.pdf");
        badCat.set("meta", UploadApiSupport.meta());
        assertThat(field(UploadApiSupport.post(http, url(""), "/api/upload_session/start", badCat.toString(), null))).isEqualTo("category");
        assertThat(field(UploadApiSupport.postRaw(http, url(""), UUID.randomUUID().toString(), -1, new byte[1]))).isEqualTo("offset");
    }

    @Test
    void aDirectUploadOver150MbGoesThroughASession() throws Exception {
        int size = 151 * 1024 * 1024 + 5;
        Path body = Files.createTempFile(Path.of("target"), "big-upload", ".json");
        ContentHasher hasher = new ContentHasher();
        String name = unique(".bin");
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(body), 1 << 16)) {
            out.write(("{\"entity_type\":\"WorkOrder\",\"meta\":" + UploadApiSupport.meta() + ",\"original_filename\":\"" + name
                    + "\",\"file_base64\":\"").getBytes());
            OutputStream b64 = Base64.getEncoder().wrap(new java.io.FilterOutputStream(out) {
                @Override
                public void write(byte[] b, int off, int len) throws java.io.IOException {
                    out.write(b, off, len);
                }

                @Override
                public void close() throws java.io.IOException {
                    flush(); // keep the underlying file open for the closing quote
                }
            });
            Random rnd = new Random(5);
            byte[] buf = new byte[1 << 20];
            for (int left = size; left > 0; left -= buf.length) {
                rnd.nextBytes(buf);
                int n = Math.min(left, buf.length);
                b64.write(buf, 0, n);
                hasher.update(buf, 0, n);
            }
            b64.close();
            out.write("\"}".getBytes());
        }
        try {
            HttpResponse<String> res = http.send(HttpRequest.newBuilder(java.net.URI.create(url("/api/dropbox_upload")))
                    .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofFile(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
            JsonNode f = json(res);
            assertThat(f.get("size").asLong()).isEqualTo(size);
            assertThat(f.get("content_hash").asText()).isEqualTo(hasher.finish());
            assertThat(fake.file(f.get("path").asText()).orElseThrow().contentHash()).isEqualTo(f.get("content_hash").asText());
            assertThat(uploadsTo(name)).as("not one /2/files/upload").isZero();
            assertThat(fake.http().requests(r -> r.path().equals("/2/files/upload_session/finish")
                    && r.headers().getFirst("Dropbox-API-Arg").contains(name))).hasSize(1);
            assertThat(fake.maxRequestBytes()).isLessThanOrEqualTo(FakeDropbox.MAX_REQUEST);
        } finally {
            Files.deleteIfExists(body);
        }
    }

    @Test
    void fakeRejectsAnUnknownRefreshToken() throws Exception {
        HttpResponse<String> res = http.send(HttpRequest.newBuilder(java.net.URI.create(fake.baseUrl() + "/oauth2/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=refresh_token&refresh_token=wrong&client_id="
                        + FakeDropbox.APP_KEY + "&client_secret=" + FakeDropbox.APP_SECRET)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(res.statusCode()).isEqualTo(400);
        assertThat(res.body()).contains("invalid_grant");
        FakeHttpServer.Recorded unauth = null;
        HttpResponse<String> noToken = http.send(HttpRequest.newBuilder(java.net.URI.create(fake.baseUrl() + "/2/files/get_metadata"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"path\":\"/x\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(noToken.statusCode()).isEqualTo(401);
        assertThat(unauth).isNull();
    }

    @Test
    void rawAppendsOverTheChunkLimitAre413() throws Exception {
        ObjectNode start = MAPPER.createObjectNode().put("entity_type", "WorkOrder").put("filename", unique(".bin"));
        start.set("meta", UploadApiSupport.meta());
        String id = json(UploadApiSupport.post(http, url(""), "/api/upload_session/start", start.toString(), null))
                .get("session_id").asText();
        HttpResponse<String> res = UploadApiSupport.postRaw(http, url(""), id, 0, new byte[8 * 1024 * 1024 + 1]);
        assertThat(res.statusCode()).isEqualTo(413);
        assertThat(res.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
        assertThat(json(res).get("limit_bytes").asLong()).isEqualTo(8L * 1024 * 1024);
        assertThat(UploadApiSupport.postRaw(http, url(""), id, 0, new byte[8 * 1024 * 1024]).statusCode()).isEqualTo(200);
    }

    @Test
    void theUploadEndpointsAreInTheGeneratedOpenApiDocument() throws Exception {
        HttpResponse<String> res = get("/api/openapi.json");
        assertThat(res.statusCode()).isEqualTo(200);
        JsonNode doc = json(res);
        assertThat(doc.get("openapi").asText()).startsWith("3.");
        for (String path : new String[] {"/api/dropbox_upload", "/api/upload_session/start", "/api/upload_session/append",
                "/api/upload_session/finish", "/api/ingest_upload", "/api/flows/{flow}/run", "/api/flows/runs", "/api/dlq",
                "/api/dlq/replay"}) {
            assertThat(doc.get("paths").has(path)).as(path).isTrue();
        }
        JsonNode upload = doc.at("/paths/~1api~1dropbox_upload/post");
        assertThat(upload.get("parameters").findValuesAsText("name")).contains("Idempotency-Key");
        assertThat(upload.at("/responses/200/headers").has("Idempotent-Replayed")).isTrue();
        assertThat(upload.get("responses").fieldNames()).toIterable().contains("200", "400", "409", "413", "422");
        String body = upload.at("/requestBody/content/application~1json/schema/$ref").asText();
        JsonNode schema = doc.at("/components/schemas/" + body.substring(body.lastIndexOf('/') + 1));
        assertThat(schema.get("properties").fieldNames()).toIterable()
                .contains("entity_type", "meta", "original_filename", "file_base64");
        JsonNode append = doc.at("/paths/~1api~1upload_session~1append/post");
        assertThat(append.get("parameters").findValuesAsText("name")).contains("session_id", "offset");
        assertThat(append.at("/requestBody/content").has("application/octet-stream")).isTrue();
        assertThat(append.get("responses").has("409")).isTrue();
        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(java.net.URI.create(url("/api/openapi.json")))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        // what the servlet has no route for is answered as a problem too
        HttpResponse<String> unknown = get("/api/dropbox_uploads");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        HttpResponse<String> wrongMethod = get("/api/dropbox_upload");
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(wrongMethod.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
    }

    @Test
    void expiredKeysAndAbandonedClaimsCountAsNew() throws Exception {
        String expired = "key-" + UUID.randomUUID();
        jdbc.update("INSERT INTO upload_requests (idempotency_key, endpoint, request_hash, status, response_status, response, "
                + "created_at, expires_at) VALUES (?, 'dropbox_upload', 'other-hash', 'completed', 200, '{}'::jsonb, "
                + "now() - interval '25 hours', now() - interval '1 hour')", expired);
        HttpResponse<String> res = upload(uploadBody("TenantDocument", unique(".pdf"), "fresh".getBytes()), expired);
        assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
        assertThat(res.headers().firstValue("Idempotent-Replayed")).isEmpty();

        String abandoned = "key-" + UUID.randomUUID();
        jdbc.update("INSERT INTO upload_requests (idempotency_key, endpoint, request_hash, status, created_at, expires_at) "
                + "VALUES (?, 'dropbox_upload', 'x', 'in_progress', now() - interval '2 hours', now() + interval '22 hours')", abandoned);
        HttpResponse<String> again = upload(uploadBody("TenantDocument", unique(".pdf"), "again".getBytes()), abandoned);
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        assertThat(jdbc.queryForObject("SELECT status FROM upload_requests WHERE idempotency_key = ?", String.class, abandoned))
                .isEqualTo("completed");
    }

    @Test
    void aSecondAppendToASessionWhileOneIsInFlightIs409() throws Exception {
        ObjectNode start = MAPPER.createObjectNode().put("entity_type", "UnitPhoto").put("filename", unique(".jpg"));
        start.set("meta", UploadApiSupport.meta());
        String id = json(UploadApiSupport.post(http, url(""), "/api/upload_session/start", start.toString(), null))
                .get("session_id").asText();
        byte[] block = new byte[4 * 1024 * 1024];
        new Random(3).nextBytes(block);
        fake.holdUploads();
        CompletableFuture<HttpResponse<String>> first = CompletableFuture.supplyAsync(() -> {
            try {
                return UploadApiSupport.postRaw(http, url(""), id, 0, block);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await().atMost(Duration.ofSeconds(20)).until(() -> fake.heldCount() == 1);
        HttpResponse<String> second = UploadApiSupport.postRaw(http, url(""), id, 0, block);
        assertThat(second.statusCode()).as(second.body()).isEqualTo(409);
        fake.release();
        assertThat(first.get().statusCode()).isEqualTo(200);
        HttpResponse<String> done = UploadApiSupport.post(http, url(""), "/api/upload_session/finish",
                "{\"session_id\":\"" + id + "\",\"offset\":" + block.length + "}", null);
        assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
        assertThat(json(done).get("content_hash").asText()).isEqualTo(ContentHasher.of(block));
        assertThat(jdbc.queryForObject("SELECT client_offset FROM upload_sessions WHERE id = ?::uuid", Long.class, id))
                .isEqualTo(block.length);
    }
}
