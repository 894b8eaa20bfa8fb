package com.altus.hub.doorloop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/**
 * The DoorLoop requests of the {@code doorloop-resource} route, sent by Camel's http component
 * to the fake API: paging and the bearer token, 429 with Retry-After, 5xx backoff and giving up,
 * a refused token, a body that is not the envelope, a response that stalls halfway (a transient
 * failure after the read timeout, never a hang), and the recorded pages of the embedded default.
 */
class DoorLoopHttpSourceTest extends DoorLoopRouteTestBase {

    private Map<String, Object> letter(String resource) {
        return jdbc.queryForMap("SELECT id, route_id, entity_type, payload::text AS payload, error_message, status, attempts"
                + " FROM dead_letters WHERE flow = 'doorloop-sync' AND entity_type = 'resource' AND entity_key = ?", resource);
    }

    @Test
    void pagesWithTheBearerTokenAndTheRequestedPageSize() throws Exception {
        JsonNode run = sync("leases/tenants");

        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("succeeded");
        List<FakeDoorLoop.Recorded> requests = FAKE.requestsFor(DoorLoopResource.LEASE_TENANTS);
        assertThat(requests).extracting(FakeDoorLoop.Recorded::query).containsExactly("page_number=1&page_size=5",
                "page_number=2&page_size=5", "page_number=3&page_size=5", "page_number=4&page_size=5");
        assertThat(requests).allSatisfy(r -> {
            assertThat(r.headers().getFirst("Authorization")).isEqualTo("bearer " + DL_TOKEN);
            assertThat(r.headers().getFirst("Accept")).isEqualTo("application/json");
        });
        assertThat(run.get("stats").get("requests").asInt()).isEqualTo(4);
        assertThat(run.get("stats").get("lease_tenants").get("inserted").asInt()).isEqualTo(20);
        assertThat(rows(RawTable.LEASE_TENANTS)).isEqualTo(20);
        assertThat(run.get("stats").get("source").asText()).isEqualTo("DoorLoop API " + PROXY.baseUrl() + "/api");
    }

    @Test
    void a429IsRetriedAfterItsRetryAfter() throws Exception {
        // one request served, the next one throttled, and so on: units has 4 pages
        FAKE.throttleEvery(1, "7");

        JsonNode run = sync("units");

        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("succeeded");
        assertThat(FAKE.throttled()).isEqualTo(3);
        assertThat(run.get("stats").get("requests").asInt()).isEqualTo(7);
        assertThat(run.get("stats").get("retries").asInt()).isEqualTo(3);
        assertThat(clock.sleeps()).containsExactly(Duration.ofSeconds(7), Duration.ofSeconds(7), Duration.ofSeconds(7));
        assertThat(rows(RawTable.UNITS)).isEqualTo(FAKE.records(DoorLoopResource.UNITS).size());
    }

    @Test
    void serverErrorsAreRetriedWithBackoffThenGiveUp() throws Exception {
        FAKE.failNext(r -> r.path().endsWith("/vendors"), 2, 500, "{\"error\":\"boom\"}", null);
        JsonNode recovered = sync("vendors");
        assertThat(recovered.get("status").asText()).isEqualTo("succeeded");
        assertThat(recovered.get("stats").get("retries").asInt()).isEqualTo(2);
        assertThat(recovered.get("stats").get("requests").asInt()).isEqualTo(3);
        assertThat(clock.sleeps()).hasSize(2);
        assertThat(clock.sleeps().get(1)).isGreaterThan(clock.sleeps().get(0));
        assertThat(rows(RawTable.VENDORS)).isEqualTo(2);

        FAKE.failNext(r -> r.path().endsWith("/vendors"), 10, 503, "{\"error\":\"down\"}", null);
        JsonNode failed = sync("vendors");
        assertThat(failed.get("status").asText()).isEqualTo("failed");
        assertThat(failed.get("stats").get("requests").asInt()).as("failed attempts are counted too").isEqualTo(MAX_ATTEMPTS);
        Map<String, Object> letter = letter("vendors");
        assertThat(letter).containsEntry("route_id", "doorloop-resource").containsEntry("status", "pending");
        assertThat(mapper.readTree(letter.get("payload").toString())).isEqualTo(mapper.readTree("{\"resource\": \"vendors\"}"));
        assertThat(letter.get("error_message").toString()).contains("HTTP 503").contains("gave up after " + MAX_ATTEMPTS + " attempts");
    }

    @Test
    void aRejectedTokenIsPermanentAndNeverEchoed() throws Exception {
        FAKE.reset("the-token-doorloop-expects");

        JsonNode run = sync("properties,units");

        assertThat(run.get("status").asText()).isEqualTo("failed");
        assertThat(run.get("error").asText()).contains("DOORLOOP_API_TOKEN").contains("401").doesNotContain(DL_TOKEN);
        assertThat(FAKE.requests()).as("a 401 is not retried, and units is not requested").hasSize(1);
        assertThat(letter("units").get("error_message").toString()).contains("not pulled").doesNotContain(DL_TOKEN);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM dead_letters WHERE flow = 'doorloop-sync' AND (headers::text LIKE ?"
                + " OR payload::text LIKE ? OR error_message LIKE ?)", Integer.class, "%" + DL_TOKEN + "%", "%" + DL_TOKEN + "%",
                "%" + DL_TOKEN + "%")).isZero();
    }

    @Test
    void aBodyThatIsNotTheEnvelopeFailsClearly() throws Exception {
        FAKE.failNext(r -> r.path().endsWith("/users"), 1, 200, "[1, 2, 3]", null);

        JsonNode run = sync("users");

        assertThat(run.get("status").asText()).isEqualTo("failed");
        assertThat(letter("users").get("error_message").toString()).contains("envelope");
        assertThat(FAKE.requestsFor(DoorLoopResource.USERS)).as("a wrong answer is not retried").hasSize(1);
    }

    @Test
    void aResponseThatStallsHalfwayIsRetriedThenDeadLetteredInsteadOfHanging() throws Exception {
        PROXY.stallWhen(target -> target.startsWith("/api/units?page_number=2&"));
        long t0 = System.nanoTime();

        JsonNode run = sync("units,owners");

        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("partial");
        assertThat(PROXY.stalled()).as("every attempt stalled and timed out").isEqualTo(MAX_ATTEMPTS);
        assertThat(took).as("three 1 s read timeouts, not a hang").isLessThan(Duration.ofSeconds(30));
        assertThat(run.get("stats").get("retries").asInt()).isEqualTo(MAX_ATTEMPTS - 1);
        assertThat(run.get("stats").get("units").get("inserted").asInt()).as("page 1 was stored").isEqualTo(5);
        assertThat(run.get("stats").get("failed_resources")).extracting(JsonNode::asText).containsExactly("units");
        assertThat(rows(RawTable.OWNERS)).isEqualTo(FAKE.records(DoorLoopResource.OWNERS).size());
        Map<String, Object> letter = letter("units");
        assertThat(letter).containsEntry("route_id", "doorloop-resource");
        assertThat(letter.get("error_message").toString()).contains("page 2").containsIgnoringCase("timeout")
                .contains("gave up after " + MAX_ATTEMPTS + " attempts");

        // DoorLoop answers again: the replay pulls the resource through the route
        PROXY.stallWhen(t -> false);
        JsonNode replay = json(post("/api/dlq/replay", "{\"ids\": [" + letter.get("id") + "]}"));
        assertThat(replay.get("succeeded").asInt()).isEqualTo(1);
        assertThat(rows(RawTable.UNITS)).isEqualTo(FAKE.records(DoorLoopResource.UNITS).size());
    }

    @Test
    void recordedPagesServeTheSamplesLikeTheApi() throws Exception {
        ObjectMapper json = new ObjectMapper();
        DoorLoopFixtureSource fixtures = new DoorLoopFixtureSource(Path.of("samples/doorloop"), json);
        DoorLoopPage first = fixtures.fetch(DoorLoopResource.LEASE_PAYMENTS, 1);
        DoorLoopPage past = fixtures.fetch(DoorLoopResource.LEASE_PAYMENTS, 6);
        assertThat(first.total()).isEqualTo(24);
        assertThat(first.data()).hasSize(5);
        assertThat(past.total()).isEqualTo(24);
        assertThat(past.data()).isEmpty();
        assertThatThrownBy(() -> new DoorLoopFixtureSource(Path.of("target/no-such-dir"), json).fetch(DoorLoopResource.UNITS, 1))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no recorded DoorLoop pages for units");
    }
}
