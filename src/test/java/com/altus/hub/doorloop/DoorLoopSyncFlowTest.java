package com.altus.hub.doorloop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.altus.hub.test.HubTestBase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The doorloop-sync flow end to end through the REST API, against {@link FakeDoorLoop} seeded
 * with samples/doorloop and a page size of 5 (so every resource spans several pages).
 */
@Import(DoorLoopSyncFlowTest.VirtualTime.class)
class DoorLoopSyncFlowTest extends HubTestBase {
    static final String DL_TOKEN = "doorloop-token-5e1f0c2b";
    static final FakeDoorLoop FAKE = new FakeDoorLoop(DL_TOKEN);
    static final Path SAMPLES = Path.of("samples/doorloop");

    @DynamicPropertySource
    static void doorloop(DynamicPropertyRegistry registry) {
        registry.add("DOORLOOP_BASE_URL", FAKE::apiUrl);
        registry.add("DOORLOOP_API_TOKEN", () -> DL_TOKEN);
        registry.add("hub.doorloop.page-size", () -> "5");
    }

    @TestConfiguration
    static class VirtualTime {
        @Bean
        VirtualPacer doorLoopPacer() {
            return new VirtualPacer();
        }
    }

    @Autowired
    VirtualPacer clock;

    @AfterAll
    static void stop() {
        FAKE.close();
    }

    @BeforeEach
    void clean() throws Exception {
        FAKE.reset(DL_TOKEN);
        FAKE.load(SAMPLES);
        clock.clear();
        for (RawTable t : RawTable.values()) {
            jdbc.update("TRUNCATE " + t.table());
        }
        jdbc.update("DELETE FROM dead_letters WHERE flow = 'doorloop-sync'");
    }

    private JsonNode sync() throws Exception {
        return json(post("/api/flows/doorloop-sync/run", null));
    }

    private int count(RawTable t, String where) {
        return jdbc.queryForObject("SELECT count(*) FROM " + t.table() + " WHERE " + where, Integer.class);
    }

    private int total(DoorLoopResource r) {
        return FAKE.records(r).size();
    }

    private static long minimumRequests(int total, int pageSize) {
        return Math.max(1, (total + pageSize - 1) / pageSize);
    }

    private long workOrderTasks() {
        return FAKE.records(DoorLoopResource.TASKS).stream().filter(t -> "WORK_ORDER".equals(t.path("type").asText())).count();
    }

    /** id -> xmin (the row version) and changed_at, to show that a re-run wrote nothing. */
    private List<Map<String, Object>> versions(RawTable t) {
        return jdbc.queryForList("SELECT id, xmin::text AS version, changed_at, deleted_at FROM " + t.table() + " ORDER BY id");
    }

    @Test
    void aFullPullStoresEveryResourceWithTheFewestRequests() throws Exception {
        JsonNode run = sync();

        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("succeeded");
        JsonNode stats = run.get("stats");
        long expectedRequests = 0;
        for (DoorLoopResource r : DoorLoopResource.values()) {
            int total = total(r);
            JsonNode s = stats.get(r.table().entity());
            assertThat(s.get("fetched").asInt()).as(r.path()).isEqualTo(total);
            assertThat(s.get("inserted").asInt()).as(r.path()).isEqualTo(total);
            assertThat(s.get("updated").asInt() + s.get("unchanged").asInt() + s.get("deleted").asInt() + s.get("failed").asInt())
                    .as(r.path()).isZero();
            assertThat(count(r.table(), "deleted_at IS NULL")).as(r.path()).isEqualTo(total);
            assertThat(FAKE.requestsFor(r)).as(r.path()).hasSize((int) minimumRequests(total, 5));
            expectedRequests += minimumRequests(total, 5);
        }
        assertThat(stats.get("requests").asLong()).isEqualTo(expectedRequests);
        assertThat(FAKE.requests()).hasSize((int) expectedRequests);
        assertThat(stats.get("retries").asInt()).isZero();
        assertThat(stats.get("work_orders").get("inserted").asLong()).isEqualTo(workOrderTasks()).isPositive();
        assertThat(count(RawTable.WORK_ORDERS, "data->>'type' = 'WORK_ORDER'")).isEqualTo((int) workOrderTasks());
        assertThat(count(RawTable.WORK_ORDERS, "true")).isEqualTo((int) workOrderTasks());

        JsonNode cafe = FAKE.records(DoorLoopResource.PROPERTIES).get(0);
        Map<String, Object> row = jdbc.queryForMap("SELECT data::text AS data, content_hash = md5(?) AS hashed, source_endpoint"
                + " FROM doorloop_raw_properties WHERE id = ?", mapper.writeValueAsString(cafe), cafe.get("id").asText());
        assertThat(mapper.readTree(row.get("data").toString())).isEqualTo(cafe);
        assertThat(row.get("hashed")).isEqualTo(true);
        assertThat(row.get("source_endpoint")).isEqualTo(FAKE.apiUrl() + "/properties");
        assertThat(FAKE.requests().get(0).headers().getFirst("Authorization")).isEqualTo("bearer " + DL_TOKEN);
    }

    @Test
    void anUnchangedReRunWritesNothing() throws Exception {
        sync();
        Map<RawTable, List<Map<String, Object>>> before = new java.util.EnumMap<>(RawTable.class);
        for (RawTable t : RawTable.values()) {
            before.put(t, versions(t));
        }

        JsonNode run = sync();

        assertThat(run.get("status").asText()).isEqualTo("succeeded");
        for (RawTable t : RawTable.values()) {
            JsonNode s = run.get("stats").get(t.entity());
            assertThat(s.get("unchanged").asInt()).as(t.entity()).isEqualTo(s.get("fetched").asInt()).isPositive();
            assertThat(s.get("inserted").asInt() + s.get("updated").asInt() + s.get("deleted").asInt()).as(t.entity()).isZero();
            assertThat(versions(t)).as("row versions of %s", t.table()).isEqualTo(before.get(t));
        }
    }

    @Test
    void aChangedRecordIsRewrittenAloneAndKeepsItsFirstSeen() throws Exception {
        sync();
        JsonNode unit = FAKE.records(DoorLoopResource.UNITS).get(7);
        String id = unit.get("id").asText();
        Map<String, Object> old = jdbc.queryForMap("SELECT content_hash, first_seen_at, changed_at FROM doorloop_raw_units WHERE id = ?", id);
        List<Map<String, Object>> others = jdbc.queryForList("SELECT id, xmin::text FROM doorloop_raw_units WHERE id <> ? ORDER BY id", id);
        FAKE.change(DoorLoopResource.UNITS, id, u -> u.put("marketRent", 1999.5));

        JsonNode run = sync();

        JsonNode s = run.get("stats").get("units");
        assertThat(s.get("updated").asInt()).isEqualTo(1);
        assertThat(s.get("unchanged").asInt()).isEqualTo(total(DoorLoopResource.UNITS) - 1);
        Map<String, Object> now = jdbc.queryForMap("SELECT data->>'marketRent' AS rent, content_hash, first_seen_at, changed_at"
                + " FROM doorloop_raw_units WHERE id = ?", id);
        assertThat(now.get("rent")).isEqualTo("1999.5");
        assertThat(now.get("content_hash")).isNotEqualTo(old.get("content_hash"));
        assertThat(now.get("first_seen_at")).isEqualTo(old.get("first_seen_at"));
        assertThat((java.sql.Timestamp) now.get("changed_at")).isAfter((java.sql.Timestamp) old.get("changed_at"));
        assertThat(jdbc.queryForList("SELECT id, xmin::text FROM doorloop_raw_units WHERE id <> ? ORDER BY id", id)).isEqualTo(others);
    }

    @Test
    void recordsGoneFromACompleteSnapshotAreMarkedDeletedAndComeBack() throws Exception {
        sync();
        String propertyId = FAKE.records(DoorLoopResource.PROPERTIES).get(2).get("id").asText();
        JsonNode property = FAKE.remove(DoorLoopResource.PROPERTIES, propertyId);
        JsonNode workOrder = FAKE.records(DoorLoopResource.TASKS).stream()
                .filter(t -> "WORK_ORDER".equals(t.path("type").asText())).findFirst().orElseThrow();
        FAKE.remove(DoorLoopResource.TASKS, workOrder.get("id").asText());

        JsonNode run = sync();

        assertThat(run.get("status").asText()).isEqualTo("succeeded");
        assertThat(run.get("stats").get("properties").get("deleted").asInt()).isEqualTo(1);
        assertThat(run.get("stats").get("tasks").get("deleted").asInt()).isEqualTo(1);
        assertThat(run.get("stats").get("work_orders").get("deleted").asInt()).isEqualTo(1);
        assertThat(count(RawTable.PROPERTIES, "deleted_at IS NOT NULL")).isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT deleted_at IS NOT NULL FROM doorloop_raw_properties WHERE id = ?", Boolean.class, propertyId)).isTrue();
        assertThat(jdbc.queryForObject("SELECT deleted_at IS NOT NULL FROM doorloop_raw_work_orders WHERE id = ?", Boolean.class,
                workOrder.get("id").asText())).isTrue();

        // a further run does not delete it again
        JsonNode again = sync();
        assertThat(again.get("stats").get("properties").get("deleted").asInt()).isZero();

        FAKE.add(DoorLoopResource.PROPERTIES, property);
        JsonNode back = sync();
        assertThat(back.get("stats").get("properties").get("updated").asInt()).isEqualTo(1);
        assertThat(count(RawTable.PROPERTIES, "deleted_at IS NOT NULL")).isZero();
    }

    @Test
    void aMalformedRecordIsDeadLetteredAndBlocksNoOtherRecord() throws Exception {
        sync();
        String goneUnit = FAKE.records(DoorLoopResource.UNITS).get(0).get("id").asText();
        FAKE.remove(DoorLoopResource.UNITS, goneUnit);
        FAKE.add(DoorLoopResource.UNITS, JsonNodeFactory.instance.numberNode(42));
        FAKE.add(DoorLoopResource.UNITS, mapper.readTree("{\"name\": \"no id\", \"property\": \"68dd57a058634ea310f7bc13\"}"));
        FAKE.change(DoorLoopResource.UNITS, FAKE.records(DoorLoopResource.UNITS).get(3).get("id").asText(), u -> u.put("beds", 4));

        JsonNode run = sync();

        assertThat(run.get("status").asText()).isEqualTo("partial");
        JsonNode units = run.get("stats").get("units");
        assertThat(units.get("failed").asInt()).isEqualTo(2);
        assertThat(units.get("updated").asInt()).isEqualTo(1);
        assertThat(units.get("deleted").asInt()).as("an incomplete snapshot deletes nothing").isZero();
        assertThat(count(RawTable.UNITS, "deleted_at IS NOT NULL")).isZero();
        List<Map<String, Object>> letters = jdbc.queryForList("SELECT entity_type, payload::text AS payload, error_message, status"
                + " FROM dead_letters WHERE flow = 'doorloop-sync' ORDER BY id");
        assertThat(letters).hasSize(2);
        assertThat(letters).allSatisfy(l -> assertThat(l.get("entity_type")).isEqualTo("units"));
        // a letter's payload is what direct:doorloop-record takes to store the record once corrected
        assertThat(mapper.readTree(letters.get(0).get("payload").toString()).get("resource").asText()).isEqualTo("units");
        assertThat(mapper.readTree(letters.get(0).get("payload").toString()).get("record").asInt()).isEqualTo(42);
        assertThat(letters.get(0).get("error_message").toString()).contains("not a JSON object");
        assertThat(mapper.readTree(letters.get(1).get("payload").toString()).get("record").get("name").asText()).isEqualTo("no id");
        assertThat(letters.get(1).get("error_message").toString()).contains("no string id");

        // the source is fixed: the run succeeds, the gone unit is marked deleted, the letters are closed
        FAKE.records(DoorLoopResource.UNITS).removeIf(n -> !n.isObject() || !n.has("id"));
        JsonNode fixed = sync();
        assertThat(fixed.get("status").asText()).isEqualTo("succeeded");
        assertThat(fixed.get("stats").get("units").get("deleted").asInt()).isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT deleted_at IS NOT NULL FROM doorloop_raw_units WHERE id = ?", Boolean.class, goneUnit)).isTrue();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM dead_letters WHERE flow = 'doorloop-sync' AND status <> 'replayed'",
                Integer.class)).isZero();
    }

    @Test
    void aResourceThatKeepsFailingIsDeadLetteredAndTheNextRunConverges() throws Exception {
        sync();
        // the interrupted run: units page 2 answers 500 on every attempt; one unit is gone meanwhile
        String goneUnit = FAKE.records(DoorLoopResource.UNITS).get(12).get("id").asText();
        FAKE.remove(DoorLoopResource.UNITS, goneUnit);
        FAKE.change(DoorLoopResource.UNITS, FAKE.records(DoorLoopResource.UNITS).get(0).get("id").asText(), u -> u.put("beds", 5));
        FAKE.failNext(r -> r.path().endsWith("/units") && r.query().contains("page_number=2&"), 1000, 500, "{\"error\":\"oops\"}", null);

        JsonNode broken = sync();

        assertThat(broken.get("status").asText()).isEqualTo("partial");
        assertThat(broken.get("stats").get("failed_resources")).hasSize(1);
        assertThat(broken.get("stats").get("failed_resources").get(0).asText()).isEqualTo("units");
        assertThat(broken.get("stats").get("units").get("updated").asInt()).as("page 1 was stored").isEqualTo(1);
        assertThat(broken.get("stats").get("tenants").get("unchanged").asInt()).as("the other resources still synced")
                .isEqualTo(total(DoorLoopResource.TENANTS));
        assertThat(count(RawTable.UNITS, "deleted_at IS NOT NULL")).as("never deleted on an incomplete snapshot").isZero();
        Map<String, Object> letter = jdbc.queryForMap("SELECT id, entity_type, entity_key, payload::text AS payload, error_message"
                + " FROM dead_letters WHERE flow = 'doorloop-sync' AND status = 'pending'");
        assertThat(letter).containsEntry("entity_type", "resource").containsEntry("entity_key", "units");
        assertThat(letter.get("error_message").toString()).contains("HTTP 500");
        assertThat(broken.get("error").asText()).isNotBlank();

        // the service recovers; dlq-replay pulls the resource again, whole
        FAKE.clearFaults();
        JsonNode replay = json(post("/api/dlq/replay", "{\"ids\": [" + letter.get("id") + "]}"));
        assertThat(replay.get("succeeded").asInt()).isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT deleted_at IS NOT NULL FROM doorloop_raw_units WHERE id = ?", Boolean.class, goneUnit)).isTrue();

        JsonNode good = sync();
        assertThat(good.get("status").asText()).isEqualTo("succeeded");
        assertThat(good.get("stats").get("units").get("unchanged").asInt()).isEqualTo(total(DoorLoopResource.UNITS));
        assertThat(count(RawTable.UNITS, "deleted_at IS NULL")).isEqualTo(total(DoorLoopResource.UNITS));
        for (JsonNode u : FAKE.records(DoorLoopResource.UNITS)) {
            assertThat(mapper.readTree(jdbc.queryForObject("SELECT data::text FROM doorloop_raw_units WHERE id = ?", String.class,
                    u.get("id").asText()))).isEqualTo(u);
        }
        assertThat(jdbc.queryForObject("SELECT status FROM dead_letters WHERE id = ?", String.class, letter.get("id"))).isEqualTo("replayed");
    }

    @Test
    void throttlingIsHonouredAndServerErrorsRetried() throws Exception {
        FAKE.throttleEvery(6, "13");
        FAKE.failNext(r -> r.path().endsWith("/owners"), 2, 502, "{\"error\":\"bad gateway\"}", null);

        JsonNode run = sync();

        assertThat(run.get("status").asText()).isEqualTo("succeeded");
        long minimum = 0;
        for (DoorLoopResource r : DoorLoopResource.values()) {
            minimum += minimumRequests(total(r), 5);
            assertThat(count(r.table(), "true")).isEqualTo(total(r));
        }
        int throttled = FAKE.throttled();
        assertThat(throttled).isPositive();
        assertThat(run.get("stats").get("retries").asInt()).isEqualTo(throttled + 2);
        assertThat(run.get("stats").get("requests").asLong()).isEqualTo(minimum + throttled + 2);
        assertThat(clock.sleeps().stream().filter(d -> d.equals(Duration.ofSeconds(13))).count()).isEqualTo(throttled);
    }

    @Test
    void aRejectedTokenFailsTheRunWithoutEchoingIt() throws Exception {
        FAKE.reset("the-token-doorloop-expects");

        JsonNode run = sync();

        assertThat(run.get("status").asText()).isEqualTo("failed");
        assertThat(run.get("error").asText()).contains("DOORLOOP_API_TOKEN").contains("401").doesNotContain(DL_TOKEN);
        assertThat(FAKE.requests()).as("no request after the first 401").hasSize(1);
        assertThat(run.get("stats").get("requests").asInt()).isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM dead_letters WHERE flow = 'doorloop-sync' AND entity_type = 'resource'",
                Integer.class)).isEqualTo(DoorLoopResource.values().length);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM dead_letters WHERE flow = 'doorloop-sync'"
                + " AND (error_message LIKE ? OR payload::text LIKE ?)", Integer.class, "%" + DL_TOKEN + "%", "%" + DL_TOKEN + "%")).isZero();
    }

    @Test
    void aSubsetOfResourcesCanBePulled() throws Exception {
        JsonNode run = json(post("/api/flows/doorloop-sync/run", "{\"resources\": \"units,leases/tenants\"}"));
        assertThat(run.get("status").asText()).isEqualTo("succeeded");
        assertThat(count(RawTable.UNITS, "true")).isEqualTo(total(DoorLoopResource.UNITS));
        assertThat(count(RawTable.LEASE_TENANTS, "true")).isEqualTo(total(DoorLoopResource.LEASE_TENANTS));
        assertThat(count(RawTable.PROPERTIES, "true")).isZero();
        assertThat(run.get("stats").has("properties")).isFalse();
    }

    @Test
    void aSnapshotThatWouldDeleteMostRecordsDeletesNone() throws Exception {
        sync();
        List<JsonNode> tenants = FAKE.records(DoorLoopResource.TENANTS);
        int before = tenants.size();
        for (int i = 0; i < 12; i++) {
            tenants.remove(tenants.size() - 1);
        }

        JsonNode run = sync();

        assertThat(run.get("status").asText()).isEqualTo("partial");
        assertThat(run.get("error").asText()).contains("tenants").contains("12 of " + before).contains("max-delete-fraction");
        assertThat(run.get("stats").get("tenants").get("deleted").asInt()).isZero();
        assertThat(count(RawTable.TENANTS, "deleted_at IS NOT NULL")).isZero();
    }
}
