package com.altus.hub.dropbox;

import com.altus.hub.test.HubProcess;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import com.altus.hub.test.HubTestBase;
import com.altus.hub.test.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A 300 MiB file through an upload session into the fake Dropbox, with the hub in a JVM whose
 * whole heap (160 MiB) is smaller than the file and than a single 100 MiB chunk plus the hub
 * itself, killed with -9 after the first chunk and restarted: the session continues from
 * PostgreSQL and the stored file has the content_hash that tools/gen_data.py printed.
 */
class DropboxSessionRestartTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MIB = 1024 * 1024;
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aBigSessionSurvivesKillDashNineWithABoundedHeap() throws Exception {
        Path base = Path.of(System.getProperty("hub.test.basedir", ".")).toAbsolutePath();
        Path file = base.resolve("target/bigfile-300.bin");
        String expectedHash = bigfile(base, file);
        long size = Files.size(file);
        assertThat(size).isEqualTo(300 * MIB);

        String db = TestDatabase.createDatabase("dropbox_restart");
        try (FakeDropbox fake = new FakeDropbox(Files.createTempDirectory("fake-dropbox-restart"))) {
            Map<String, String> env = new HashMap<>(fake.env());
            env.put("DATABASE_URL", TestDatabase.jdbcUrl(db));
            env.put("DATABASE_USER", "postgres");
            env.put("DATABASE_PASSWORD", "postgres");
            env.put("HUB_DATA_DIR", Files.createTempDirectory("hub-restart").toString());
            env.put("HUB_API_TOKEN", HubTestBase.TOKEN);
            String[] args = {"--hub.scheduling.enabled=false", "--spring.quartz.auto-startup=false"};

            long c1 = 100 * MIB + 12_345;
            String id;
            try (HubProcess first = HubProcess.startServer("160m", env, args)) {
                ObjectNode start = JSON.createObjectNode().put("entity_type", "Inspection").put("filename", "big-300.bin");
                start.set("meta", UploadApiSupport.meta());
                HttpResponse<String> s = UploadApiSupport.post(http, first.baseUrl(), "/api/upload_session/start", start.toString(), null);
                assertThat(s.statusCode()).as(s.body()).isEqualTo(200);
                id = JSON.readTree(s.body()).get("session_id").asText();
                assertThat(appendRaw(first, id, file, 0, c1).get("offset").asLong()).isEqualTo(c1);
                first.kill9();
            }
            try (HubProcess second = HubProcess.startServer("160m", env, args)) {
                // the state survived: a wrong offset is told the right one
                HttpResponse<String> wrong = UploadApiSupport.postRaw(http, second.baseUrl(), id, 0, new byte[10]);
                assertThat(wrong.statusCode()).isEqualTo(409);
                assertThat(JSON.readTree(wrong.body()).get("correct_offset").asLong()).isEqualTo(c1);

                long c2 = 90 * MIB;
                assertThat(appendRaw(second, id, file, c1, c2).get("offset").asLong()).isEqualTo(c1 + c2);
                long c3 = 3 * MIB + 1;
                byte[] chunk = new byte[(int) c3];
                try (var in = FileSlice.open(file, c1 + c2, c3)) {
                    in.readNBytes(chunk, 0, chunk.length);
                }
                String json = "{\"session_id\":\"" + id + "\",\"offset\":" + (c1 + c2) + ",\"chunk_base64\":\""
                        + java.util.Base64.getEncoder().encodeToString(chunk) + "\"}";
                HttpResponse<String> j = UploadApiSupport.post(http, second.baseUrl(), "/api/upload_session/append", json, null);
                assertThat(j.statusCode()).as(j.body()).isEqualTo(200);
                long done = c1 + c2 + c3;
                assertThat(appendRaw(second, id, file, done, size - done).get("offset").asLong()).isEqualTo(size);

                HttpResponse<String> fin = UploadApiSupport.post(http, second.baseUrl(), "/api/upload_session/finish",
                        "{\"session_id\":\"" + id + "\",\"offset\":" + size + "}", null);
                assertThat(fin.statusCode()).as(fin.body()).isEqualTo(200);
                JsonNode f = JSON.readTree(fin.body());
                assertThat(f.get("size").asLong()).isEqualTo(size);
                assertThat(f.get("content_hash").asText()).isEqualTo(expectedHash);
                FakeDropbox.FileEntry stored = fake.file(f.get("path").asText()).orElseThrow();
                assertThat(stored.contentHash()).isEqualTo(expectedHash);
                assertThat(stored.size()).isEqualTo(size);
                assertThat(fake.maxRequestBytes()).isLessThanOrEqualTo(FakeDropbox.MAX_REQUEST);
                assertThat(second.alive()).as("no OutOfMemoryError").isTrue();
            }
        }
    }

    private JsonNode appendRaw(HubProcess hub, String id, Path file, long from, long length) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/api/upload_session/append?session_id=" + id
                        + "&offset=" + from))
                .header("Authorization", "Bearer " + HubTestBase.TOKEN).header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> {
                    try {
                        return FileSlice.open(file, from, length);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }), length)).build();
        HttpResponse<String> res = http.send(req, HttpResponse.BodyHandlers.ofString());
        assertThat(res.statusCode()).as(res.body() + "\n" + (hub.alive() ? "" : hub.output())).isEqualTo(200);
        return JSON.readTree(res.body());
    }

    /** The 300 MiB file of tools/gen_data.py (made once) and the content_hash the generator printed. */
    static String bigfile(Path base, Path file) throws Exception {
        Path hashFile = file.resolveSibling(file.getFileName() + ".content_hash");
        if (!Files.exists(file) || !Files.exists(hashFile)) {
            Process p = new ProcessBuilder("python3", base.resolve("tools/gen_data.py").toString(), "bigfile",
                    "--out", file.toString(), "--mb", "300").redirectErrorStream(false).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertThat(p.waitFor()).as(out).isZero();
            String hash = out.lines().reduce((a, b) -> b).orElse("").replaceAll(".*([0-9a-f]{64}).*", "$1");
            assertThat(hash).matches("[0-9a-f]{64}");
            Files.writeString(hashFile, hash);
        }
        return Files.readString(hashFile).trim();
    }
}
