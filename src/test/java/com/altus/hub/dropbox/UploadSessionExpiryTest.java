package com.altus.hub.dropbox;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.UUID;

import com.altus.hub.test.HubTestBase;
import com.altus.hub.test.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static com.altus.hub.dropbox.UploadApiSupport.MAPPER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Upload sessions expire (hub.upload.session-ttl, here PT3S): an append or a finish after that
 * answers 404 and the session's parts go at once; the sweep route removes sessions nobody
 * comes back to. The embedded folder store, in a database and data directory of its own (its
 * sweep must not see the other tests' sessions).
 */
@DirtiesContext
class UploadSessionExpiryTest extends HubTestBase {
    static Path dataDir;

    @DynamicPropertySource
    static void shortLivedSessions(DynamicPropertyRegistry registry) throws Exception {
        dataDir = Files.createTempDirectory("hub-session-expiry");
        String db = TestDatabase.createDatabase("upload_session_expiry");
        registry.add("DATABASE_URL", () -> TestDatabase.jdbcUrl(db));
        registry.add("HUB_DATA_DIR", dataDir::toString);
        registry.add("hub.upload.session-ttl", () -> "PT3S");
        registry.add("hub.upload.session-sweep-interval", () -> "PT1S");
    }

    @Autowired
    CamelContext camel;

    private JsonNode start(String name, byte[] firstChunk) throws Exception {
        ObjectNode start = MAPPER.createObjectNode().put("entity_type", "Inspection").put("filename", name);
        start.set("meta", UploadApiSupport.meta());
        if (firstChunk != null) {
            start.put("first_chunk_base64", java.util.Base64.getEncoder().encodeToString(firstChunk));
        }
        HttpResponse<String> res = UploadApiSupport.post(http, url(""), "/api/upload_session/start", start.toString(), null);
        assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
        return json(res);
    }

    private Path part(String sessionId) {
        String storeSession = jdbc.queryForObject("SELECT store_session_id FROM upload_sessions WHERE id = ?::uuid",
                String.class, sessionId);
        return dataDir.resolve("dropbox-sessions").resolve(storeSession + ".part");
    }

    private long sessions(String id) {
        return jdbc.queryForObject("SELECT count(*) FROM upload_sessions WHERE id = ?::uuid", Long.class, id);
    }

    @Test
    void appendAndFinishAfterTheTtlAre404AndExpiredSessionsHoldNoDisk() throws Exception {
        camel.getRouteController().stopRoute("upload-session-sweep");
        try {
            byte[] block = new byte[4 * 1024 * 1024 + 10];
            new Random(9).nextBytes(block);
            String appended = start("expiring-" + UUID.randomUUID() + ".bin", block).get("session_id").asText();
            String finished = start("expiring-" + UUID.randomUUID() + ".bin", null).get("session_id").asText();
            Path appendedPart = part(appended);
            Path finishedPart = part(finished);
            assertThat(Files.size(appendedPart)).as("a whole block went to the store's part").isEqualTo(4L * 1024 * 1024);
            assertThat(finishedPart).exists();

            // within the time to live the session works
            HttpResponse<String> early = UploadApiSupport.postRaw(http, url(""), finished, 0, "early".getBytes());
            assertThat(early.statusCode()).as(early.body()).isEqualTo(200);

            await().pollDelay(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10)).until(() -> true);
            HttpResponse<String> append = UploadApiSupport.postRaw(http, url(""), appended, block.length, "late".getBytes());
            assertThat(append.statusCode()).as(append.body()).isEqualTo(404);
            assertThat(json(append).get("detail").asText()).contains("expired");
            assertThat(json(append).get("field").asText()).isEqualTo("session_id");
            HttpResponse<String> finish = UploadApiSupport.post(http, url(""), "/api/upload_session/finish",
                    "{\"session_id\":\"" + finished + "\",\"offset\":5}", null);
            assertThat(finish.statusCode()).as(finish.body()).isEqualTo(404);
            // the expired sessions' parts and rows are gone at once, before any sweep
            assertThat(appendedPart).doesNotExist();
            assertThat(finishedPart).doesNotExist();
            assertThat(sessions(appended)).isZero();
            assertThat(sessions(finished)).isZero();
            // and they stay 404
            assertThat(UploadApiSupport.postRaw(http, url(""), appended, block.length, "again".getBytes()).statusCode())
                    .isEqualTo(404);
        } finally {
            camel.getRouteController().startRoute("upload-session-sweep");
        }
    }

    @Test
    void theSweepRemovesSessionsNobodyComesBackTo() throws Exception {
        assertThat(camel.getRouteController().getRouteStatus("upload-session-sweep")).isEqualTo(ServiceStatus.Started);
        byte[] block = new byte[4 * 1024 * 1024];
        new Random(10).nextBytes(block);
        String id = start("abandoned-" + UUID.randomUUID() + ".bin", block).get("session_id").asText();
        Path part = part(id);
        assertThat(part).exists();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                .until(() -> sessions(id) == 0 && !Files.exists(part));
        try (var left = Files.list(dataDir.resolve("dropbox-sessions"))) {
            assertThat(left.toList()).as("no expired session holds disk").isEmpty();
        }
    }
}
