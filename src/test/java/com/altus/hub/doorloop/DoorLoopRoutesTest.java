package com.altus.hub.doorloop;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import javax.management.ObjectName;
import javax.sql.DataSource;

import com.altus.hub.doorloop.normalize.NormalizeTestDb;
import com.altus.hub.doorloop.normalize.RawLoader;
import com.altus.hub.platform.dlq.DeadLetterChannel;
import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.apache.camel.test.spring.junit5.DisableJmx;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The DoorLoop flows as Camel routes, as JMX (and so Hawtio) shows them: one exchange of
 * {@code doorloop-sync} per run and one of {@code doorloop-resource} per resource, a failed
 * resource counted as a handled failure, a run where every resource fails a failed exchange; the
 * same for {@code doorloop-normalize} and its 12 {@code doorloop-normalize-entity} exchanges.
 * Faults are woven into the unit routes with AdviceWith (they fire only while a test arms them):
 * the unit is dead-lettered, a replay that fails again counts an attempt and leaves the letter
 * pending, and one that succeeds closes it.
 */
@CamelSpringBootTest
@DisableJmx(false) // the default of @CamelSpringBootTest turns JMX off for every later context of the JVM
class DoorLoopRoutesTest extends DoorLoopRouteTestBase {
    /** The resource whose pages the woven fault refuses to store (null: none). */
    static volatile String failingResource;
    /** Stats groups of the entities whose upsert the woven fault fails. */
    static final Set<String> FAILING_ENTITIES = ConcurrentHashMap.newKeySet();
    /** The context the faults are woven into. */
    private static CamelContext advised;

    @Autowired
    CamelContext camel;
    @Autowired
    DataSource dataSource;

    @BeforeEach
    void weaveFaults() throws Exception {
        failingResource = null;
        FAILING_ENTITIES.clear();
        if (advised != camel) {
            // once per context (DoorLoopHttpSourceTest shares it): the faults stay inert until a test arms them
            AdviceWith.adviceWith(camel, "doorloop-resource", a -> a.weaveById("doorloop-resource-store").before()
                    .process(DoorLoopRoutesTest::storeFault).id("test-store-fault"));
            AdviceWith.adviceWith(camel, "doorloop-normalize-entity", a -> a.weaveById("doorloop-normalize-entity-upsert").before()
                    .process(DoorLoopRoutesTest::upsertFault).id("test-upsert-fault"));
            advised = camel;
        }
    }

    static void storeFault(Exchange ex) {
        String resource = ex.getProperty(DeadLetterChannel.ENTITY_KEY, String.class);
        if (resource != null && resource.equals(failingResource)) {
            throw new IllegalStateException("injected fault: the raw store refuses " + resource);
        }
    }

    static void upsertFault(Exchange ex) {
        String group = ex.getProperty(DeadLetterChannel.ENTITY_KEY, String.class);
        if (FAILING_ENTITIES.contains(group)) {
            throw new IllegalStateException("injected fault: the " + group + " statement fails");
        }
    }

    /** A route's counter as JMX publishes it (what Hawtio reads). */
    private long jmx(String routeId, String attribute) throws Exception {
        ObjectName name = new ObjectName("org.apache.camel:context=" + camel.getManagementName() + ",type=routes,name="
                + ObjectName.quote(routeId));
        return ((Number) ManagementFactory.getPlatformMBeanServer().getAttribute(name, attribute)).longValue();
    }

    private Map<String, Long> counters(String routeId) throws Exception {
        return Map.of("total", jmx(routeId, "ExchangesTotal"), "completed", jmx(routeId, "ExchangesCompleted"),
                "failed", jmx(routeId, "ExchangesFailed"), "handled", jmx(routeId, "FailuresHandled"));
    }

    private static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
        return Map.of("total", after.get("total") - before.get("total"),
                "completed", after.get("completed") - before.get("completed"),
                "failed", after.get("failed") - before.get("failed"),
                "handled", after.get("handled") - before.get("handled"));
    }

    @Test
    void aSyncRunIsOneExchangeOfTheFlowRouteAndOneOfTheResourceRoutePerResource() throws Exception {
        int resources = DoorLoopResource.values().length;
        Map<String, Long> flow = counters("doorloop-sync");
        Map<String, Long> unit = counters("doorloop-resource");
        FAKE.failNext(r -> r.path().endsWith("/units"), 1000, 500, "{\"error\":\"oops\"}", null);

        JsonNode partial = sync(null);

        assertThat(partial.get("status").asText()).as(partial.toString()).isEqualTo("partial");
        assertThat(delta(flow, counters("doorloop-sync"))).isEqualTo(Map.of("total", 1L, "completed", 1L, "failed", 0L, "handled", 0L));
        assertThat(delta(unit, counters("doorloop-resource")))
                .isEqualTo(Map.of("total", (long) resources, "completed", (long) resources, "failed", 0L, "handled", 1L));

        // every resource fails: the run is a failed exchange
        FAKE.reset("a-token-doorloop-expects-instead");
        flow = counters("doorloop-sync");
        unit = counters("doorloop-resource");
        JsonNode failed = sync(null);

        assertThat(failed.get("status").asText()).isEqualTo("failed");
        assertThat(delta(flow, counters("doorloop-sync"))).isEqualTo(Map.of("total", 1L, "completed", 0L, "failed", 1L, "handled", 0L));
        assertThat(delta(unit, counters("doorloop-resource")))
                .isEqualTo(Map.of("total", (long) resources, "completed", (long) resources, "failed", 0L, "handled", (long) resources));
    }

    @Test
    void aFaultInTheResourceRouteIsDeadLetteredAndItsReplayFailsOnceThenSucceeds() throws Exception {
        failingResource = "units";

        JsonNode run = sync("units,owners");

        assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("partial");
        assertThat(rows(RawTable.OWNERS)).isEqualTo(FAKE.records(DoorLoopResource.OWNERS).size());
        assertThat(rows(RawTable.UNITS)).isZero();
        Map<String, Object> letter = jdbc.queryForMap("SELECT id, route_id, entity_type, entity_key, payload::text AS payload,"
                + " error_message, status, attempts FROM dead_letters WHERE flow = 'doorloop-sync'");
        assertThat(letter).containsEntry("route_id", "doorloop-resource").containsEntry("entity_type", "resource")
                .containsEntry("entity_key", "units").containsEntry("status", "pending").containsEntry("attempts", 0);
        assertThat(mapper.readTree(letter.get("payload").toString())).isEqualTo(mapper.readTree("{\"resource\": \"units\"}"));
        assertThat(letter.get("error_message").toString()).contains("injected fault");

        // the fault is still there: the replay goes through the route, fails, and counts an attempt
        NotifyBuilder failedReplay = new NotifyBuilder(camel).fromRoute("doorloop-resource").whenDone(1).create();
        JsonNode first = json(post("/api/dlq/replay", "{\"ids\": [" + letter.get("id") + "]}"));
        assertThat(failedReplay.matches(30, TimeUnit.SECONDS)).isTrue();
        assertThat(first.get("failed").asInt()).isEqualTo(1);
        assertThat(jdbc.queryForMap("SELECT status, attempts FROM dead_letters WHERE id = ?", letter.get("id")))
                .containsEntry("status", "pending").containsEntry("attempts", 1);

        failingResource = null;
        NotifyBuilder replayed = new NotifyBuilder(camel).fromRoute("doorloop-resource").whenCompleted(1).create();
        JsonNode second = json(post("/api/dlq/replay", "{\"ids\": [" + letter.get("id") + "]}"));
        assertThat(replayed.matches(30, TimeUnit.SECONDS)).isTrue();
        assertThat(second.get("succeeded").asInt()).isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT status FROM dead_letters WHERE id = ?", String.class, letter.get("id")))
                .isEqualTo("replayed");
        assertThat(rows(RawTable.UNITS)).isEqualTo(FAKE.records(DoorLoopResource.UNITS).size());
    }

    @Test
    void aBadRecordIsDeadLetteredForTheRecordRouteWhichStoresItOnceCorrected() throws Exception {
        FAKE.add(DoorLoopResource.VENDORS, mapper.readTree("{\"name\": \"a vendor without id\", \"active\": true}"));

        JsonNode run = sync("vendors");

        assertThat(run.get("status").asText()).isEqualTo("partial");
        Map<String, Object> letter = jdbc.queryForMap("SELECT id, route_id, entity_type, payload::text AS payload FROM dead_letters"
                + " WHERE flow = 'doorloop-sync'");
        assertThat(letter).containsEntry("route_id", "doorloop-record").containsEntry("entity_type", "vendors");

        // still no id: the replay fails again
        JsonNode again = json(post("/api/dlq/replay", "{\"ids\": [" + letter.get("id") + "]}"));
        assertThat(again.get("failed").asInt()).isEqualTo(1);

        // an operator gives the record its id in the letter; the replay stores it
        jdbc.update("UPDATE dead_letters SET payload = jsonb_set(payload, '{record,id}', '\"vendor-fixed-by-hand\"') WHERE id = ?",
                letter.get("id"));
        JsonNode fixed = json(post("/api/dlq/replay", "{\"ids\": [" + letter.get("id") + "]}"));
        assertThat(fixed.get("succeeded").asInt()).isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT data->>'name' FROM doorloop_raw_vendors WHERE id = 'vendor-fixed-by-hand'", String.class))
                .isEqualTo("a vendor without id");
    }

    @Test
    void aNormalizeRunIsOneExchangeOfTheFlowRouteAndTwelveOfTheEntityRoute() throws Exception {
        NormalizeTestDb.truncate(jdbc);
        RawLoader.load(dataSource, NormalizeTestDb.basedir().resolve("samples/doorloop"));
        Map<String, Long> flow = counters("doorloop-normalize");
        Map<String, Long> unit = counters("doorloop-normalize-entity");

        JsonNode ok = json(post("/api/flows/doorloop-normalize/run", null));

        assertThat(ok.get("status").asText()).as(ok.toString()).isEqualTo("succeeded");
        assertThat(delta(flow, counters("doorloop-normalize"))).isEqualTo(Map.of("total", 1L, "completed", 1L, "failed", 0L, "handled", 0L));
        assertThat(delta(unit, counters("doorloop-normalize-entity")))
                .isEqualTo(Map.of("total", 12L, "completed", 12L, "failed", 0L, "handled", 0L));

        // leases fail: their children are dead-lettered without running against them, the rest goes on
        FAILING_ENTITIES.add("leases");
        unit = counters("doorloop-normalize-entity");
        JsonNode partial = json(post("/api/flows/doorloop-normalize/run", null));
        assertThat(partial.get("status").asText()).as(partial.toString()).isEqualTo("partial");
        assertThat(delta(unit, counters("doorloop-normalize-entity")))
                .isEqualTo(Map.of("total", 12L, "completed", 12L, "failed", 0L, "handled", 3L));
        List<Map<String, Object>> letters = jdbc.queryForList("SELECT entity_type, entity_key, route_id, error_message FROM dead_letters"
                + " WHERE flow = 'doorloop-normalize' AND status = 'pending' ORDER BY id");
        assertThat(letters.get(0)).containsEntry("entity_key", "leases");
        assertThat(letters).extracting(l -> l.get("entity_key")).containsExactlyInAnyOrder("leases", "lease_tenants", "lease_payments");
        assertThat(letters).allSatisfy(l -> assertThat(l).containsEntry("entity_type", "entity")
                .containsEntry("route_id", "doorloop-normalize-entity"));
        assertThat(letters.get(1).get("error_message").toString()).contains("normalized_leases").contains("failed in this run");
        assertThat(partial.get("stats").get("lease_tenants").size()).as("lease_tenants did not run").isZero();
        assertThat(partial.get("stats").get("units").get("unchanged").asInt()).isPositive();

        // every root entity fails, so every entity does: the run is a failed exchange
        FAILING_ENTITIES.addAll(List.of("properties", "owners", "tenants", "vendors", "users"));
        flow = counters("doorloop-normalize");
        unit = counters("doorloop-normalize-entity");
        JsonNode failed = json(post("/api/flows/doorloop-normalize/run", null));
        assertThat(failed.get("status").asText()).isEqualTo("failed");
        assertThat(delta(flow, counters("doorloop-normalize"))).isEqualTo(Map.of("total", 1L, "completed", 0L, "failed", 1L, "handled", 0L));
        assertThat(delta(unit, counters("doorloop-normalize-entity")))
                .isEqualTo(Map.of("total", 12L, "completed", 12L, "failed", 0L, "handled", 12L));

        // the statements work again: replaying the letters normalizes every entity, parents first
        FAILING_ENTITIES.clear();
        JsonNode replay = json(post("/api/dlq/replay", "{\"flow\": \"doorloop-normalize\"}"));
        assertThat(replay.get("selected").asInt()).isEqualTo(12);
        assertThat(replay.get("succeeded").asInt()).isEqualTo(12);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM dead_letters WHERE flow = 'doorloop-normalize' AND status <> 'replayed'",
                Integer.class)).isZero();
    }
}
