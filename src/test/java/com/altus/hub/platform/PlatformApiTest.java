package com.altus.hub.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.altus.hub.test.HubTestBase;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class PlatformApiTest extends HubTestBase {

    @Test
    void everyApiCallNeedsTheToken() throws Exception {
        HttpResponse<String> none = http.send(HttpRequest.newBuilder(URI.create(url("/api/flows"))).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
        assertThat(json(none).get("status").asInt()).isEqualTo(401);

        HttpResponse<String> wrong = http.send(HttpRequest.newBuilder(URI.create(url("/api/openapi.json")))
                .header("Authorization", "Bearer " + TOKEN + "x").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(wrong.statusCode()).isEqualTo(401);

        HttpResponse<String> unknownPath = http.send(HttpRequest.newBuilder(URI.create(url("/api/nothing-here"))).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(unknownPath.statusCode()).isEqualTo(401);
    }

    @Test
    void runAFlowAndReadItsRecordBack() throws Exception {
        HttpResponse<String> res = post("/api/flows/test-echo/run", "{\"n\": 7}");
        assertThat(res.statusCode()).isEqualTo(200);
        JsonNode record = json(res);
        assertThat(record.get("flow").asText()).isEqualTo("test-echo");
        assertThat(record.get("status").asText()).isEqualTo("succeeded");
        assertThat(record.get("stats").get("items").asLong()).isEqualTo(7);
        assertThat(record.get("error").isNull()).isTrue();
        assertThat(record.get("started_at").asText()).isNotBlank();
        assertThat(record.get("finished_at").asText()).isNotBlank();
        long id = record.get("id").asLong();

        assertThat(jdbc.queryForObject("SELECT status FROM sync_jobs WHERE id = ?", String.class, id)).isEqualTo("succeeded");
        assertThat(jdbc.queryForObject("SELECT (stats->>'items')::int FROM sync_jobs WHERE id = ?", Integer.class, id)).isEqualTo(7);

        JsonNode runs = json(get("/api/flows/runs?flow=test-echo&limit=5"));
        assertThat(runs.isArray()).isTrue();
        assertThat(runs.get(0).get("id").asLong()).isEqualTo(id);
    }

    @Test
    void failuresAndPartialsAreRecorded() throws Exception {
        JsonNode failed = json(post("/api/flows/test-echo/run", "{\"fail\": \"source said no\"}"));
        assertThat(failed.get("status").asText()).isEqualTo("failed");
        assertThat(failed.get("error").asText()).contains("source said no");

        JsonNode partial = json(post("/api/flows/test-echo/run", "{\"partial\": \"guard tripped\"}"));
        assertThat(partial.get("status").asText()).isEqualTo("partial");
        assertThat(partial.get("error").asText()).contains("guard tripped");
    }

    @Test
    void badRequestsAreProblems() throws Exception {
        HttpResponse<String> unknown = post("/api/flows/no-such-flow/run", null);
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(json(unknown).get("detail").asText()).contains("no-such-flow");

        HttpResponse<String> malformed = post("/api/flows/test-echo/run", "{\"n\": ");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(json(malformed).get("field").asText()).isEqualTo("body");

        HttpResponse<String> wrongType = post("/api/dlq/replay", "{\"ids\": [1, \"two\"]}");
        assertThat(wrongType.statusCode()).isEqualTo(400);
        assertThat(json(wrongType).get("field").asText()).isEqualTo("ids[1]");

        HttpResponse<String> notObject = post("/api/dlq/replay", "[1,2]");
        assertThat(notObject.statusCode()).isEqualTo(400);

        HttpResponse<String> badLimit = get("/api/flows/runs?limit=0");
        assertThat(badLimit.statusCode()).isEqualTo(400);
        assertThat(json(badLimit).get("field").asText()).isEqualTo("limit");

        HttpResponse<String> badStatus = get("/api/dlq?status=lost");
        assertThat(badStatus.statusCode()).isEqualTo(400);
        assertThat(json(badStatus).get("field").asText()).isEqualTo("status");

        for (HttpResponse<String> r : new HttpResponse[] {unknown, malformed, wrongType, notObject, badLimit, badStatus}) {
            assertThat(r.body()).doesNotContain("Exception").doesNotContain("\tat ");
        }
    }

    @Test
    void oversizedBodiesAre413() throws Exception {
        String big = "{\"pad\":\"" + "x".repeat(1_100_000) + "\"}";
        HttpResponse<String> declared = post("/api/flows/test-echo/run", big);
        assertThat(declared.statusCode()).isEqualTo(413);
        assertThat(declared.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");

        // a chunked body has no Content-Length: the limit is enforced while reading
        HttpRequest chunked = HttpRequest.newBuilder(URI.create(url("/api/flows/test-echo/run")))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big.getBytes())))
                .build();
        HttpResponse<String> streamed = http.send(chunked, HttpResponse.BodyHandlers.ofString());
        assertThat(streamed.statusCode()).isEqualTo(413);
    }

    @Test
    void aSecondRunOfARunningFlowGets409() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        TestFlows.LATCHES.put("api409", release);
        CountDownLatch started = new CountDownLatch(1);
        TestFlows.STARTED.put("api409", started);
        CompletableFuture<HttpResponse<String>> first = CompletableFuture.supplyAsync(() -> {
            try {
                return post("/api/flows/test-block/run", "{\"latch\":\"api409\"}");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
        HttpResponse<String> second = post("/api/flows/test-block/run", "{\"latch\":\"other\"}");
        assertThat(second.statusCode()).isEqualTo(409);
        assertThat(json(second).get("flow").asText()).isEqualTo("test-block");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM sync_jobs WHERE flow = 'test-block' AND status = 'running'", Integer.class))
                .isEqualTo(1);
        release.countDown();
        HttpResponse<String> done = first.get(20, TimeUnit.SECONDS);
        assertThat(done.statusCode()).isEqualTo(200);
        assertThat(json(done).get("status").asText()).isEqualTo("succeeded");
    }

    @Test
    void openApiHealthAndMetrics() throws Exception {
        JsonNode api = json(get("/api/openapi.json"));
        assertThat(api.get("openapi").asText()).startsWith("3.");
        assertThat(api.get("paths").has("/api/flows/{flow}/run")).isTrue();
        assertThat(api.get("paths").has("/api/dlq/replay")).isTrue();
        // the streaming upload endpoints (Spring MVC) are merged into the same document
        assertThat(api.get("paths").has("/api/dropbox_upload")).isTrue();
        assertThat(api.get("paths").has("/api/upload_session/append")).isTrue();
        assertThat(api.get("paths").has("/api/ingest_upload")).isTrue();

        HttpResponse<String> health = get("/actuator/health"); // with the token: components shown
        assertThat(health.statusCode()).isEqualTo(200);
        JsonNode h = json(health);
        assertThat(h.get("status").asText()).isEqualTo("UP");
        assertThat(h.get("components").has("db")).isTrue();
        assertThat(h.get("components").has("camelHealth")).isTrue();

        post("/api/flows/test-echo/run", null);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            HttpResponse<String> prom = get("/actuator/prometheus");
            assertThat(prom.statusCode()).isEqualTo(200);
            assertThat(prom.body()).contains("hub_flow_runs_total{application=\"altus-hub\",flow=\"test-echo\",status=\"succeeded\"}");
            assertThat(prom.body()).contains("hub_flow_duration_seconds_count");
        });

        HttpResponse<String> hawtio = get("/actuator/hawtio/");
        assertThat(hawtio.statusCode()).isEqualTo(200); // with the token; without it 401 (security/ConsoleAccessTest)
    }
}
