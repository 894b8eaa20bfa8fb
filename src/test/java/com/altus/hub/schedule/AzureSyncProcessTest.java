package com.altus.hub.schedule;

import static com.altus.hub.schedule.AzureSyncTestSupport.SAMPLE_BLOBS;
import static com.altus.hub.schedule.AzureSyncTestSupport.sample;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import com.altus.hub.test.AzuriteServer;
import com.altus.hub.test.HubProcess;
import com.altus.hub.test.TestDatabase;
import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.sas.BlobContainerSasPermission;
import com.azure.storage.blob.sas.BlobServiceSasSignatureValues;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * azure-sync as an operator runs it ({@code --hub.run-once=azure-sync} in its own JVM): with no
 * variables at all (samples into the embedded database and local storage), and from Azurite
 * through a container SAS URL, valid and expired.
 */
class AzureSyncProcessTest {
    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void withNoVariablesTheSamplesSyncIntoTheEmbeddedDatabaseAndLocalStorage() throws Exception {
        Path dataDir = Files.createTempDirectory("hub-azure-default");
        Map<String, String> env = Map.of("HUB_DATA_DIR", dataDir.toString());

        HubProcess.Result first = HubProcess.runToExit(env, "--hub.run-once=azure-sync");
        assertThat(first.exitCode()).as(first.stdout() + first.stderr()).isZero();
        JsonNode record = lastRecord(first);
        assertThat(record.get("status").asText()).isEqualTo("succeeded");
        assertThat(record.get("stats").get("blobs_processed").asInt()).isEqualTo(4);
        assertThat(record.get("stats").get("users_created").asInt()).isEqualTo(25);
        assertThat(record.get("stats").get("schedule_days_written").asInt()).isEqualTo(21);
        Path day = dataDir.resolve("storage/schedule-data/1/2025-12-10/schedule.json");
        assertThat(mapper.readTree(day.toFile()).get("Jobs").size()).isEqualTo(8);
        try (var files = Files.walk(dataDir.resolve("storage/schedule-data"))) {
            assertThat(files.filter(p -> p.getFileName().toString().equals("schedule.json")).count()).isEqualTo(21);
        }

        // blob_state survived in the embedded database: nothing is downloaded the second time
        HubProcess.Result second = HubProcess.runToExit(env, "--hub.run-once=azure-sync");
        assertThat(second.exitCode()).as(second.stderr()).isZero();
        JsonNode again = lastRecord(second).get("stats");
        assertThat(again.get("blobs_skipped_unchanged").asInt()).isEqualTo(4);
        assertThat(again.get("blobs_downloaded").asInt()).isZero();
    }

    @Test
    void aContainerSasUrlSyncsAndAnExpiredOneFailsAtOnceSayingSo() throws Exception {
        AzuriteServer azurite = AzuriteServer.get();
        BlobContainerClient container = new BlobServiceClientBuilder().connectionString(azurite.connectionString()).buildClient()
                .getBlobContainerClient("azure-sync-sas");
        container.createIfNotExists();
        for (String name : SAMPLE_BLOBS) {
            container.getBlobClient(name).upload(BinaryData.fromBytes(sample(name)), true);
        }
        String db = TestDatabase.createDatabase("azure_sync_sas");
        JdbcTemplate jdbc = new JdbcTemplate(TestDatabase.dataSource(db));

        OffsetDateTime validUntil = OffsetDateTime.now(ZoneOffset.UTC).plusHours(1);
        HubProcess.Result ok = HubProcess.runToExit(env(db, sasUrl(azurite, container, validUntil)), "--hub.run-once=azure-sync");
        assertThat(ok.exitCode()).as(ok.stdout() + ok.stderr()).isZero();
        assertThat(lastRecord(ok).get("stats").get("blobs_processed").asInt()).isEqualTo(4);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM schedule_data", Integer.class)).isEqualTo(21);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM user_profiles", Integer.class)).isEqualTo(25);
        assertThat(jdbc.queryForList("SELECT blob_name FROM blob_state ORDER BY 1", String.class)).isEqualTo(SAMPLE_BLOBS);

        OffsetDateTime expired = OffsetDateTime.now(ZoneOffset.UTC).minusHours(2).truncatedTo(ChronoUnit.SECONDS);
        long t0 = System.nanoTime();
        HubProcess.Result failed = HubProcess.runToExit(env(db, sasUrl(azurite, container, expired)), "--hub.run-once=azure-sync");
        assertThat(failed.exitCode()).as(failed.stdout() + failed.stderr()).isEqualTo(1);
        JsonNode record = lastRecord(failed);
        assertThat(record.get("status").asText()).isEqualTo("failed");
        assertThat(record.get("error").asText()).contains("AZURE_BLOB_SAS_URL token expired at " + expired.toInstant())
                .doesNotContain("sig=");
        assertThat(failed.stdout() + failed.stderr()).doesNotContain("retry 1/");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM dead_letters WHERE flow = 'azure-sync'", Integer.class)).isZero();
        assertThat(System.nanoTime() - t0).as("no retries: the run fails at once").isLessThan(120_000_000_000L);
    }

    private static String sasUrl(AzuriteServer azurite, BlobContainerClient container, OffsetDateTime expiry) {
        String sas = container.generateSas(new BlobServiceSasSignatureValues(expiry,
                new BlobContainerSasPermission().setReadPermission(true).setListPermission(true))
                .setStartTime(OffsetDateTime.now(ZoneOffset.UTC).minusHours(3)));
        return azurite.blobEndpoint() + "/" + container.getBlobContainerName() + "?" + sas;
    }

    private static Map<String, String> env(String db, String sasUrl) throws Exception {
        return Map.of("HUB_DATA_DIR", Files.createTempDirectory("hub-azure-sas").toString(),
                "DATABASE_URL", TestDatabase.jdbcUrl(db), "DATABASE_USER", "postgres", "DATABASE_PASSWORD", "postgres",
                "AZURE_BLOB_SAS_URL", sasUrl);
    }

    private JsonNode lastRecord(HubProcess.Result r) throws Exception {
        List<String> lines = r.stdoutLines();
        return mapper.readTree(lines.get(lines.size() - 1));
    }
}
