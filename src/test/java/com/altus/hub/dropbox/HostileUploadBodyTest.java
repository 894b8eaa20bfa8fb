package com.altus.hub.dropbox;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import com.altus.hub.test.HubProcess;
import com.altus.hub.test.HubTestBase;
import com.altus.hub.test.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile upload bodies within the 210 MiB request limit against a hub in a 256 MiB JVM (issue
 * 10: a 150 MB body of tiny JSON members used to end in an OutOfMemoryError): each one answers
 * 413 or 400 naming the member, and the hub stays healthy and keeps storing normal uploads.
 */
class HostileUploadBodyTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MB150 = 150L * 1000 * 1000;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static HubProcess hub;
    private static Path dir;

    @BeforeAll
    static void hubWithASmallHeap() throws Exception {
        String db = TestDatabase.createDatabase("hostile_bodies");
        dir = Files.createTempDirectory(Path.of(System.getProperty("hub.test.basedir", ".")).resolve("target"), "hostile");
        Map<String, String> env = new HashMap<>();
        env.put("DATABASE_URL", TestDatabase.jdbcUrl(db));
        env.put("DATABASE_USER", "postgres");
        env.put("DATABASE_PASSWORD", "postgres");
        env.put("HUB_DATA_DIR", dir.resolve("data").toString());
        env.put("HUB_API_TOKEN", HubTestBase.TOKEN);
        hub = HubProcess.startServer("256m", env, "--hub.scheduling.enabled=false", "--spring.quartz.auto-startup=false");
    }

    @AfterAll
    static void stop() throws Exception {
        if (hub != null) {
            hub.close();
        }
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static String head() throws Exception {
        return "{\"entity_type\":\"TenantDocument\",\"meta\":" + UploadApiSupport.meta() + ",\"original_filename\":\"h.pdf\","
                + "\"file_base64\":\"QUJD\"";
    }

    /** A body of about 150 MB: the head, then what {@code filler} writes, then the closing brace. */
    private static Path body(String name, Filler filler) throws Exception {
        Path file = dir.resolve(name);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            out.write(head().getBytes(StandardCharsets.UTF_8));
            filler.fill(out);
            out.write('}');
        }
        assertThat(Files.size(file)).isGreaterThan(MB150);
        return file;
    }

    @FunctionalInterface
    private interface Filler {
        void fill(OutputStream out) throws Exception;
    }

    private static HttpResponse<String> send(Path body) throws Exception {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/api/dropbox_upload"))
                    .header("Authorization", "Bearer " + HubTestBase.TOKEN).header("Content-Type", "application/json")
                    .timeout(Duration.ofMinutes(3)).POST(HttpRequest.BodyPublishers.ofFile(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } finally {
            Files.deleteIfExists(body);
        }
    }

    private static void stillHealthy() throws Exception {
        assertThat(hub.alive()).as("no OutOfMemoryError (the JVM exits on one)").isTrue();
        HttpResponse<String> health = HTTP.send(HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/actuator/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(health.body()).get("status").asText()).isEqualTo("UP");
        String name = "normal-" + java.util.UUID.randomUUID() + ".pdf";
        HttpResponse<String> normal = UploadApiSupport.post(HTTP, hub.baseUrl(), "/api/dropbox_upload",
                UploadApiSupport.uploadBody("TenantDocument", name, "a normal upload".getBytes()), null);
        assertThat(normal.statusCode()).as(normal.body()).isEqualTo(200);
        assertThat(JSON.readTree(normal.body()).get("path").asText()).endsWith("/" + name);
    }

    private static JsonNode refused(HttpResponse<String> res, int status) throws Exception {
        assertThat(res.statusCode()).as(res.body()).isEqualTo(status);
        assertThat(res.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        return JSON.readTree(res.body());
    }

    @Test
    void aHundredAndFiftyMegabytesOfTinyMembersIs413AndTheHubStaysHealthy() throws Exception {
        Path file = body("members.json", out -> {
            byte[] buf = new byte[1 << 16];
            long written = 0;
            for (int i = 0; written < MB150; i++) {
                byte[] member = (",\"m" + i + "\":[1,\"x\",{\"y\":null}]").getBytes(StandardCharsets.US_ASCII);
                out.write(member);
                written += member.length;
            }
        });
        JsonNode problem = refused(send(file), 413);
        assertThat(problem.get("field").asText()).startsWith("m");
        assertThat(problem.get("detail").asText()).contains("members");
        stillHealthy();
    }

    @Test
    void oneHugeMemberThatIsNotTheFileIs413NamingIt() throws Exception {
        Path file = body("string.json", out -> {
            out.write(",\"notes\":\"".getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = "A".repeat(1 << 16).getBytes(StandardCharsets.US_ASCII);
            for (long n = 0; n < MB150; n += chunk.length) {
                out.write(chunk);
            }
            out.write('"');
        });
        JsonNode problem = refused(send(file), 413);
        assertThat(problem.get("field").asText()).isEqualTo("notes");
        stillHealthy();
    }

    @Test
    void deepNestingAndHugeNumbersAre400NamingTheMember() throws Exception {
        String deep = head() + ",\"meta2\":" + "[".repeat(50_000) + "]".repeat(50_000) + "}";
        JsonNode nested = refused(UploadApiSupport.post(HTTP, hub.baseUrl(), "/api/dropbox_upload", deep, null), 400);
        assertThat(nested.get("field").asText()).startsWith("meta2");
        String number = head() + ",\"n\":" + "9".repeat(100) + "}";
        JsonNode big = refused(UploadApiSupport.post(HTTP, hub.baseUrl(), "/api/dropbox_upload", number, null), 400);
        assertThat(big.get("field").asText()).isEqualTo("n");
        String huge = head() + ",\"meta3\":{\"n\":" + "9".repeat(1_000_000) + "}}";
        JsonNode hugeNumber = refused(UploadApiSupport.post(HTTP, hub.baseUrl(), "/api/dropbox_upload", huge, null), 413);
        assertThat(hugeNumber.get("field").asText()).isEqualTo("meta3.n");
        HttpResponse<String> gzip = HTTP.send(HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/api/dropbox_upload"))
                .header("Authorization", "Bearer " + HubTestBase.TOKEN).header("Content-Type", "application/json")
                .header("Content-Encoding", "gzip").POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {31, -117, 8, 0}))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(refused(gzip, 415).get("field").asText()).isEqualTo("Content-Encoding");
        stillHealthy();
    }
}
