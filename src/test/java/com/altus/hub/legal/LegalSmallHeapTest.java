package com.altus.hub.legal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.altus.hub.doorloop.normalize.NormalizeTestDb;
import com.altus.hub.doorloop.normalize.RawLoader;
import com.altus.hub.test.HubProcess;
import com.altus.hub.test.HubTestBase;
import com.altus.hub.test.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hub in a JVM of 256 MiB (exiting on OutOfMemoryError) gets a zip bomb that inflates to 2 GiB
 * and a sheet of 1,048,576 rows (no dimension to give it away, so the rows really stream): both are
 * refused with 400, the hub stays up and healthy, and a normal import still works.
 */
class LegalSmallHeapTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path tmp;

    @Test
    void hostileWorkbooksLeaveASmallHubHealthy() throws Exception {
        String db = TestDatabase.createDatabase("legal_small_heap");
        Map<String, String> env = new HashMap<>();
        env.put("DATABASE_URL", TestDatabase.jdbcUrl(db));
        env.put("DATABASE_USER", "postgres");
        env.put("DATABASE_PASSWORD", "postgres");
        env.put("HUB_DATA_DIR", Files.createTempDirectory("hub-legal-heap").toString());
        env.put("HUB_API_TOKEN", HubTestBase.TOKEN);
        String[] args = {"--hub.scheduling.enabled=false", "--spring.quartz.auto-startup=false"};

        Path bomb = TestWorkbooks.zipBomb(tmp.resolve("bomb.xlsx"), 2048);
        Path rows = TestWorkbooks.manyRows(tmp.resolve("rows.xlsx"), 1_048_575, false);
        Path samples = NormalizeTestDb.basedir().resolve("samples/doorloop");
        Path good = TestWorkbooks.generated(samples, 12, false);
        JsonNode expected = JSON.readTree(TestWorkbooks.expectedOf(good).toFile());

        try (HubProcess hub = HubProcess.startServer("256m", env, args)) {
            RawLoader.load(TestDatabase.dataSource(db), samples);
            HttpResponse<String> norm = http.send(HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/api/flows/doorloop-normalize/run"))
                    .header("Authorization", "Bearer " + HubTestBase.TOKEN).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(norm.statusCode()).as(norm.body()).isEqualTo(200);

            for (Path hostile : List.of(bomb, rows)) {
                HttpResponse<String> r = LegalTestSupport.upload(http, hub.baseUrl(), hostile);
                assertThat(r.statusCode()).as(hostile.getFileName() + ": " + r.body() + (hub.alive() ? "" : hub.output())).isEqualTo(400);
                assertThat(JSON.readTree(r.body()).get("detail").asText()).startsWith("workbook refused: ");
                assertThat(hub.alive()).as("no OutOfMemoryError").isTrue();
                HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(hub.baseUrl() + "/actuator/health")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(health.statusCode()).isEqualTo(200);
                assertThat(JSON.readTree(health.body()).get("status").asText()).isEqualTo("UP");
            }

            HttpResponse<String> ok = LegalTestSupport.upload(http, hub.baseUrl(), good);
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
            JsonNode answer = JSON.readTree(ok.body());
            for (String k : List.of("rows", "imported", "updated", "rejected")) {
                assertThat(answer.get(k).asLong()).as(k).isEqualTo(expected.get("first_import").get(k).asLong());
            }
            assertThat(hub.alive()).isTrue();
        }
    }
}
