package com.altus.hub.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import com.altus.hub.test.HubProcess;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/**
 * The embedded default as an operator runs it: kill -9 in the middle of a run, restart, and
 * everything committed is still there while the interrupted run is marked failed. Also the
 * one-shot CLI's output and exit codes.
 */
class CrashRecoveryTest {
    private static final String TOKEN = "crash-test-token-0123456789";
    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void killDashNineKeepsDataAndFailsTheInterruptedRun() throws Exception {
        Path dataDir = Files.createTempDirectory("hub-crash");
        Map<String, String> env = Map.of("HUB_DATA_DIR", dataDir.toString(), "HUB_API_TOKEN", TOKEN);
        long doneRun;
        long interruptedRun;
        try (HubProcess first = HubProcess.startServer(env, "--hub.test.flows=true")) {
            JsonNode done = mapper.readTree(post(first, "/api/flows/test-echo/run", "{\"n\": 3}").body());
            assertThat(done.get("status").asText()).isEqualTo("succeeded");
            doneRun = done.get("id").asLong();

            // a run that blocks until the process dies
            http.sendAsync(request(first, "/api/flows/test-block/run", "{\"latch\":\"never\"}"), HttpResponse.BodyHandlers.ofString());
            interruptedRun = await().atMost(Duration.ofSeconds(30)).until(() -> runningId(first), id -> id > 0);

            first.kill9();
        }
        assertThat(Files.exists(dataDir.resolve("postgres/postmaster.pid")))
                .as("the killed hub's PostgreSQL is still holding its data directory").isTrue();

        try (HubProcess second = HubProcess.startServer(env, "--hub.test.flows=true")) {
            JsonNode runs = mapper.readTree(get(second, "/api/flows/runs?limit=20").body());
            JsonNode kept = find(runs, doneRun);
            assertThat(kept).as("the committed run survived the crash").isNotNull();
            assertThat(kept.get("status").asText()).isEqualTo("succeeded");
            assertThat(kept.get("stats").get("items").asInt()).isEqualTo(3);
            JsonNode interrupted = find(runs, interruptedRun);
            assertThat(interrupted.get("status").asText()).isEqualTo("failed");
            assertThat(interrupted.get("error").asText()).contains("interrupted");
            assertThat(interrupted.get("finished_at").isNull()).isFalse();

            // and the flow runs again normally
            HttpResponse<String> again = post(second, "/api/flows/test-echo/run", null);
            assertThat(again.statusCode()).isEqualTo(200);
        }
    }

    @Test
    void oneShotRunsPrintRecordsAndAnswerExitCodes() throws Exception {
        Path dataDir = Files.createTempDirectory("hub-cli");
        Map<String, String> env = Map.of("HUB_DATA_DIR", dataDir.toString());

        HubProcess.Result ok = HubProcess.runToExit(env, "--hub.run-once=test-echo,dlq-replay", "--hub.test.flows=true");
        assertThat(ok.exitCode()).as(ok.stderr()).isZero();
        var lines = ok.stdoutLines();
        assertThat(lines).hasSize(2);
        JsonNode first = mapper.readTree(lines.get(0));
        assertThat(first.get("flow").asText()).isEqualTo("test-echo");
        assertThat(first.get("status").asText()).isEqualTo("succeeded");
        assertThat(mapper.readTree(lines.get(1)).get("flow").asText()).isEqualTo("dlq-replay");

        HubProcess.Result partial = HubProcess.runToExit(env, "--hub.run-once=test-echo", "--hub.test.flows=true",
                "--hub.param.dead=2");
        assertThat(partial.exitCode()).isEqualTo(3);
        assertThat(mapper.readTree(partial.stdoutLines().get(partial.stdoutLines().size() - 1)).get("status").asText())
                .isEqualTo("partial");

        HubProcess.Result failed = HubProcess.runToExit(env, "--hub.run-once=test-echo", "--hub.test.flows=true",
                "--hub.param.fail=boom");
        assertThat(failed.exitCode()).isEqualTo(1);

        // a flow whose settings are missing: its run fails, and the exit code says it is configuration
        HubProcess.Result noTeam = HubProcess.runToExit(env, "--hub.run-once=teamspace-migrate");
        assertThat(noTeam.exitCode()).as(noTeam.stderr()).isEqualTo(2);
        assertThat(noTeam.stderr()).contains("configuration error").contains("TEAM_DROPBOX_APP_KEY");
        assertThat(mapper.readTree(noTeam.stdoutLines().get(noTeam.stdoutLines().size() - 1)).get("status").asText())
                .isEqualTo("failed");
        HubProcess.Result noMaidCentral = HubProcess.runToExit(env, "--hub.run-once=maidcentral-export");
        assertThat(noMaidCentral.exitCode()).as(noMaidCentral.stderr()).isEqualTo(2);
        assertThat(noMaidCentral.stderr()).contains("configuration error").contains("MAIDCENTRAL_BASE_URL");

        HubProcess.Result unknown = HubProcess.runToExit(env, "--hub.run-once=no-such-flow");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.stderr()).contains("unknown flow 'no-such-flow'");

        Map<String, String> badEnv = Map.of("HUB_DATA_DIR", dataDir.toString(), "HUB_PORT", "eighty");
        HubProcess.Result config = HubProcess.runToExit(badEnv, "--hub.run-once=test-echo");
        assertThat(config.exitCode()).isEqualTo(2);
        assertThat(config.stderr().strip().lines().count()).as(config.stderr()).isEqualTo(1);
        assertThat(config.stderr()).contains("HUB_PORT").contains("eighty");
        assertThat(config.stdout()).isEmpty();

        Map<String, String> badSchedule = Map.of("HUB_DATA_DIR", dataDir.toString(), "HUB_SCHEDULE_AZURE_SYNC", "every minute");
        HubProcess.Result cron = HubProcess.runToExit(badSchedule);
        assertThat(cron.exitCode()).isEqualTo(2);
        assertThat(cron.stderr().strip().lines().count()).isEqualTo(1);
        assertThat(cron.stderr()).contains("HUB_SCHEDULE_AZURE_SYNC");
    }

    private Long runningId(HubProcess hub) throws Exception {
        JsonNode runs = mapper.readTree(get(hub, "/api/flows/runs?flow=test-block&limit=1").body());
        if (runs.size() == 1 && "running".equals(runs.get(0).get("status").asText())) {
            return runs.get(0).get("id").asLong();
        }
        return -1L;
    }

    private static JsonNode find(JsonNode runs, long id) {
        for (JsonNode r : runs) {
            if (r.get("id").asLong() == id) {
                return r;
            }
        }
        return null;
    }

    private HttpRequest request(HubProcess hub, String path, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(hub.baseUrl() + path)).header("Authorization", "Bearer " + TOKEN);
        return (body == null ? b.POST(HttpRequest.BodyPublishers.noBody())
                : b.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body))).build();
    }

    private HttpResponse<String> post(HubProcess hub, String path, String body) throws Exception {
        return http.send(request(hub, path, body), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(HubProcess hub, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(hub.baseUrl() + path)).header("Authorization", "Bearer " + TOKEN).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
