package com.altus.hub.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import com.altus.hub.platform.dlq.DeadLetterChannel;
import com.altus.hub.test.HubTestBase;
import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.ProducerTemplate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

class DeadLetterTest extends HubTestBase {

    @Autowired
    ProducerTemplate producer;

    @BeforeEach
    void clean() {
        jdbc.update("DELETE FROM dead_letters WHERE flow IN ('test-echo', 'test-route')");
        TestFlows.REPLAY_FAILS.set(true);
    }

    @Test
    void aFlowsDeadLettersMakeItPartialAndAreKeptOncePerEntity() throws Exception {
        JsonNode run = json(post("/api/flows/test-echo/run", "{\"dead\": 3}"));
        assertThat(run.get("status").asText()).isEqualTo("partial");
        assertThat(run.get("stats").get("dead_lettered").asInt()).isEqualTo(3);
        assertThat(run.get("error").asText()).contains("3 records dead-lettered");

        json(post("/api/flows/test-echo/run", "{\"dead\": 3}"));
        assertThat(jdbc.queryForObject("SELECT count(*) FROM dead_letters WHERE flow = 'test-echo'", Integer.class)).isEqualTo(3);
        assertThat(jdbc.queryForObject("SELECT payload->>'id' FROM dead_letters WHERE flow = 'test-echo' AND entity_key = 'w-1'",
                String.class)).isEqualTo("w-1");

        JsonNode listed = json(get("/api/dlq?flow=test-echo&status=pending"));
        assertThat(listed.size()).isEqualTo(3);
        assertThat(listed.get(0).get("error_message").asText()).contains("is broken");

        Map<String, Object> dash = jdbc.queryForMap("SELECT * FROM dlq_dashboard WHERE flow = 'test-echo' AND entity_type = 'widget'");
        assertThat(((Number) dash.get("pending")).intValue()).isEqualTo(3);
        assertThat(((Number) dash.get("parked")).intValue()).isZero();
    }

    @Test
    void replayBacksOffThenParksAndSucceedsOnceFixed() throws Exception {
        post("/api/flows/test-echo/run", "{\"dead\": 2}");
        long id = jdbc.queryForObject("SELECT id FROM dead_letters WHERE flow = 'test-echo' AND entity_key = 'w-0'", Long.class);

        JsonNode first = json(post("/api/dlq/replay", "{\"flow\": \"test-echo\"}"));
        assertThat(first.get("selected").asInt()).isEqualTo(2);
        assertThat(first.get("failed").asInt()).isEqualTo(2);
        Map<String, Object> row = jdbc.queryForMap("SELECT attempts, status, next_attempt_at > now() AS later FROM dead_letters WHERE id = ?", id);
        assertThat(row).containsEntry("attempts", 1).containsEntry("status", "pending").containsEntry("later", true);
        assertThat(((Number) jdbc.queryForMap("SELECT * FROM dlq_dashboard WHERE flow = 'test-echo'").get("retrying")).intValue()).isEqualTo(2);

        // a scheduled replay only takes letters that are due: none are now
        JsonNode scheduled = json(post("/api/flows/dlq-replay/run", null));
        assertThat(scheduled.get("stats").get("selected").asInt()).isZero();

        for (int i = 0; i < 4; i++) {
            post("/api/dlq/replay", "{\"ids\": [" + id + "]}");
        }
        assertThat(jdbc.queryForMap("SELECT attempts, status, next_attempt_at FROM dead_letters WHERE id = ?", id))
                .containsEntry("attempts", 5).containsEntry("status", "parked").containsEntry("next_attempt_at", null);
        assertThat(json(get("/api/dlq?status=parked&flow=test-echo")).size()).isEqualTo(1);

        TestFlows.REPLAY_FAILS.set(false);
        JsonNode fixed = json(post("/api/dlq/replay", "{\"ids\": [" + id + "]}"));
        assertThat(fixed.get("succeeded").asInt()).isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT status FROM dead_letters WHERE id = ?", String.class, id)).isEqualTo("replayed");

        // the other letter becomes due and the scheduled replay picks it up
        jdbc.update("UPDATE dead_letters SET next_attempt_at = now() - interval '1 second' WHERE flow = 'test-echo' AND status = 'pending'");
        JsonNode due = json(post("/api/flows/dlq-replay/run", null));
        assertThat(due.get("stats").get("succeeded").asInt()).isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM dead_letters WHERE flow = 'test-echo' AND status <> 'replayed'", Integer.class)).isZero();
    }

    @Test
    void camelRoutesDeadLetterTheOriginalMessageAndRetryTransientErrors() throws Exception {
        TestRoutes.FLAKY_FAILURES.set(2);
        TestRoutes.ATTEMPTS.set(0);
        producer.sendBodyAndHeaders("direct:test-dlc", "{\"id\":\"f1\",\"flaky\":true}",
                Map.of(DeadLetterChannel.FLOW, "test-route", DeadLetterChannel.ENTITY_TYPE, "thing", DeadLetterChannel.ENTITY_KEY, "f1"));
        assertThat(TestRoutes.ATTEMPTS.get()).as("two transient failures, then success").isEqualTo(3);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM dead_letters WHERE flow = 'test-route'", Integer.class)).isZero();

        TestRoutes.ATTEMPTS.set(0);
        producer.sendBodyAndHeaders("direct:test-dlc", "{\"id\":\"b1\",\"bad\":true}",
                Map.of(DeadLetterChannel.FLOW, "test-route", DeadLetterChannel.ENTITY_TYPE, "thing", DeadLetterChannel.ENTITY_KEY, "b1",
                        "Authorization", "Bearer secret-value"));
        assertThat(TestRoutes.ATTEMPTS.get()).as("a permanent failure is not redelivered").isEqualTo(1);
        Map<String, Object> row = jdbc.queryForMap("SELECT * FROM dead_letters WHERE flow = 'test-route' AND entity_key = 'b1'");
        assertThat(row.get("route_id")).isEqualTo("test-dlc");
        assertThat(row.get("error_class")).isEqualTo(IllegalArgumentException.class.getName());
        assertThat(row.get("error_message").toString()).contains("record b1 is bad");
        JsonNode payload = mapper.readTree(row.get("payload").toString());
        assertThat(payload.get("id").asText()).isEqualTo("b1");
        assertThat(row.get("headers").toString()).doesNotContain("secret-value");

        // secrets inside a payload are masked before it is stored
        producer.sendBodyAndHeaders("direct:test-dlc", "{\"id\":\"b2\",\"bad\":true,\"access_token\":\"tok-9f8e7d6c5b4a\","
                        + "\"url\":\"https://x.blob.core.windows.net/c?sv=1&sig=abcdef0123456789\"}",
                Map.of(DeadLetterChannel.FLOW, "test-route", DeadLetterChannel.ENTITY_TYPE, "thing", DeadLetterChannel.ENTITY_KEY, "b2",
                        "Proxy-Authorization", "Basic dXNlcjpwYXNz", "X-Note", "see https://h/p?access_token=abc123456789"));
        Map<String, Object> secretRow = jdbc.queryForMap("SELECT payload::text AS p, headers::text AS h FROM dead_letters "
                + "WHERE flow = 'test-route' AND entity_key = 'b2'");
        assertThat(secretRow.get("p").toString()).doesNotContain("tok-9f8e7d6c5b4a").doesNotContain("abcdef0123456789")
                .contains("\"id\": \"b2\"");
        assertThat(secretRow.get("h").toString()).doesNotContain("dXNlcjpwYXNz").doesNotContain("abc123456789");

        JsonNode replay = json(post("/api/dlq/replay", "{\"ids\": [" + row.get("id") + "]}"));
        assertThat(replay.get("succeeded").asInt()).isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT status FROM dead_letters WHERE id = ?", String.class, row.get("id"))).isEqualTo("replayed");
    }
}
