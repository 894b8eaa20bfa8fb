package com.altus.hub.doorloop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;

import com.altus.hub.test.HubProcess;
import com.altus.hub.test.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The embedded default as an operator meets it: no DoorLoop variables, the one-shot CLI, the
 * recorded pages in samples/doorloop (relative to the working directory).
 */
class DoorLoopEmbeddedDefaultTest {

    @Test
    void theOneShotRunSyncsTheRecordedSamplesWithNoVariables() throws Exception {
        String db = TestDatabase.createDatabase("doorloop_embedded_default");
        JdbcTemplate jdbc = new JdbcTemplate(TestDatabase.dataSource(db));
        Map<String, String> env = Map.of(
                "DATABASE_URL", TestDatabase.jdbcUrl(db),
                "DATABASE_USER", "postgres",
                "DATABASE_PASSWORD", "postgres",
                "HUB_DATA_DIR", Files.createTempDirectory("hub-doorloop-cli").toString());

        HubProcess.Result result = HubProcess.runToExit(env, "--hub.run-once=doorloop-sync");

        assertThat(result.exitCode()).as(result.stdout() + result.stderr()).isZero();
        List<String> lines = result.stdoutLines();
        JsonNode record = new ObjectMapper().readTree(lines.get(lines.size() - 1));
        assertThat(record.get("flow").asText()).isEqualTo("doorloop-sync");
        assertThat(record.get("status").asText()).isEqualTo("succeeded");
        assertThat(record.get("stats").get("source").asText()).startsWith("recorded pages in").endsWith("samples/doorloop");
        JsonNode manifest = new ObjectMapper().readTree(new java.io.File("samples/doorloop/manifest.json")).get("resources");
        for (DoorLoopResource r : DoorLoopResource.values()) {
            int total = manifest.get(r.path()).get("total").asInt();
            assertThat(record.get("stats").get(r.table().entity()).get("inserted").asInt()).as(r.path()).isEqualTo(total);
            assertThat(jdbc.queryForObject("SELECT count(*) FROM " + r.table().table(), Integer.class)).as(r.path()).isEqualTo(total);
        }
        assertThat(jdbc.queryForObject("SELECT count(*) FROM doorloop_raw_work_orders", Integer.class))
                .isEqualTo(jdbc.queryForObject("SELECT count(*) FROM doorloop_raw_tasks WHERE data->>'type' = 'WORK_ORDER'", Integer.class))
                .isPositive();
    }
}
