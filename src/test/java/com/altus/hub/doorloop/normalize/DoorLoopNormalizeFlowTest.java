package com.altus.hub.doorloop.normalize;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import javax.sql.DataSource;

import com.altus.hub.doorloop.kpi.KpiMetrics;
import com.altus.hub.test.HubTestBase;
import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.CamelContext;
import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * doorloop-normalize and doorloop-kpis run as flows of the hub on data from gen_data.py: KPIs to
 * the cent against expected_kpis.json, idempotence, orphans dead-lettered and resolved by replay
 * and by the next run, and the chain's schedule route.
 */
class DoorLoopNormalizeFlowTest extends HubTestBase {
    static final String AS_OF = "2025-12-15";

    @Autowired
    DataSource dataSource;
    @Autowired
    CamelContext camel;

    @BeforeEach
    void clean() {
        NormalizeTestDb.truncate(jdbc);
    }

    private JsonNode run(String flow, String body) throws Exception {
        return json(post("/api/flows/" + flow + "/run", body));
    }

    @Test
    void kpisOfGeneratedDataMatchExpectedKpisToTheCent() throws Exception {
        for (Path dir : List.of(GeneratedData.doorloop(40, AS_OF, 25), NormalizeTestDb.basedir().resolve("samples/doorloop"))) {
            NormalizeTestDb.truncate(jdbc);
            Map<String, Integer> loaded = RawLoader.load(dataSource, dir);
            JsonNode norm = run("doorloop-normalize", null);
            assertThat(norm.get("status").asText()).as(norm.toString()).isEqualTo("succeeded");
            for (String table : List.of("properties", "units", "tenants", "owners", "leases", "lease_tenants", "lease_payments",
                    "tasks", "vendors", "work_orders", "users")) {
                assertThat(norm.get("stats").get(table).get("inserted").asInt()).as(table).isEqualTo(loaded.get(table));
            }
            assertNoDanglingReference();
            JsonNode kpi = run("doorloop-kpis", "{\"as_of\": \"" + AS_OF + "\"}");
            assertThat(kpi.get("status").asText()).as(kpi.toString()).isEqualTo("succeeded");

            JsonNode expected = RawLoader.JSON.readTree(dir.resolve("expected_kpis.json").toFile());
            assertThat(expected.get("as_of").asText()).isEqualTo(AS_OF);
            assertScope(expected.get("portfolio"), "portfolio", null);
            for (String scope : List.of("property", "owner")) {
                JsonNode byId = expected.get(scope);
                assertThat(jdbc.queryForObject("SELECT count(DISTINCT scope_id) FROM kpi_summary WHERE as_of = ?::date AND scope = ?",
                        Integer.class, AS_OF, scope)).as(scope + " count").isEqualTo(byId.size());
                for (Iterator<Map.Entry<String, JsonNode>> it = byId.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    assertScope(e.getValue(), scope, e.getKey());
                    assertThat(jdbc.queryForObject("SELECT DISTINCT scope_id::text FROM kpi_summary WHERE as_of = ?::date AND scope = ?"
                            + " AND scope_doorloop_id = ?", String.class, AS_OF, scope, e.getKey()))
                            .isEqualTo(DoorLoopIds.uuid(e.getKey()).toString());
                }
            }
        }
    }

    /** Every uuid reference names an existing row (the tables carry no REFERENCES constraints; see V5). */
    private void assertNoDanglingReference() {
        for (EntitySpec spec : DoorLoopMapping.ENTITIES) {
            for (EntitySpec.Ref ref : spec.refs()) {
                assertThat(jdbc.queryForObject("SELECT count(*) FROM " + spec.table() + " c WHERE c." + ref.column()
                        + " IS NOT NULL AND NOT EXISTS (SELECT 1 FROM " + ref.parentTable() + " p WHERE p.id = c." + ref.column() + ")",
                        Integer.class)).as(spec.table() + "." + ref.column()).isZero();
            }
        }
        assertThat(jdbc.queryForObject("SELECT count(*) FROM normalized_leases l, unnest(l.unit_ids) u(id)"
                + " WHERE NOT EXISTS (SELECT 1 FROM normalized_units x WHERE x.id = u.id)", Integer.class)).isZero();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM normalized_leases WHERE unit_id IS DISTINCT FROM unit_ids[1]", Integer.class)).isZero();
    }

    private void assertScope(JsonNode expected, String scope, String id) {
        Map<String, BigDecimal> got = new TreeMap<>();
        jdbc.query("SELECT metric, value FROM kpi_summary WHERE as_of = ?::date AND scope = ? AND scope_doorloop_id IS NOT DISTINCT FROM ?",
                rs -> { got.put(rs.getString(1), rs.getBigDecimal(2)); }, AS_OF, scope, id);
        assertThat(got.keySet()).as(scope + " " + id).containsExactlyInAnyOrderElementsOf(KpiMetrics.METRICS);
        for (String m : KpiMetrics.METRICS) {
            assertThat(got.get(m)).as(scope + " " + id + " " + m).isEqualByComparingTo(expected.get(m).decimalValue());
        }
    }

    @Test
    void aSecondNormalizeChangesNoRow() throws Exception {
        RawLoader.load(dataSource, GeneratedData.doorloop(40, AS_OF, 25));
        assertThat(run("doorloop-normalize", null).get("status").asText()).isEqualTo("succeeded");
        Map<String, Long> before = xmins();
        JsonNode second = run("doorloop-normalize", null);
        assertThat(second.get("status").asText()).isEqualTo("succeeded");
        assertThat(second.get("stats").get("rows_changed").asLong()).isZero();
        for (String group : DoorLoopMapping.statsGroups()) {
            JsonNode s = second.get("stats").get(group);
            assertThat(s.get("inserted").asLong() + s.get("updated").asLong() + s.get("deleted").asLong()).as(group).isZero();
            assertThat(s.get("unchanged").asLong()).as(group).isPositive();
        }
        assertThat(xmins()).isEqualTo(before);
    }

    private Map<String, Long> xmins() {
        Map<String, Long> out = new TreeMap<>();
        for (EntitySpec spec : DoorLoopMapping.ENTITIES) {
            jdbc.query("SELECT doorloop_id, xmin::text::bigint FROM " + spec.table(),
                    rs -> { out.put(spec.table() + "/" + rs.getString(1), rs.getLong(2)); });
        }
        return out;
    }

    @Test
    void orphansAreDeadLetteredThenReplayedOnceTheirParentArrives() throws Exception {
        Path dir = NormalizeTestDb.basedir().resolve("samples/doorloop");
        RawLoader.load(dataSource, dir);
        // the first property arrives late: its units, leases, payments, tasks... are orphans meanwhile
        String late = "68dd57a058634ea310f7bc13";
        String lateRecord = jdbc.queryForObject("SELECT data::text FROM doorloop_raw_properties WHERE id = ?", String.class, late);
        jdbc.update("DELETE FROM doorloop_raw_properties WHERE id = ?", late);

        JsonNode first = run("doorloop-normalize", null);
        assertThat(first.get("status").asText()).isEqualTo("partial");
        long orphanUnits = jdbc.queryForObject("SELECT count(*) FROM doorloop_raw_units WHERE data->>'property' = ?", Long.class, late);
        assertThat(first.get("stats").get("units").get("orphaned").asLong()).isEqualTo(orphanUnits).isPositive();
        Map<String, Object> letter = jdbc.queryForMap("SELECT * FROM dead_letters WHERE flow = 'doorloop-normalize' AND entity_type = 'unit'"
                + " AND entity_key = '626964e4232893a919f7bc14'");
        assertThat(letter.get("status")).isEqualTo("pending");
        assertThat(letter.get("error_message").toString()).contains("property " + late + " is unknown");
        // the payload is what direct:doorloop-normalize-entity takes to normalize just that record
        JsonNode payload = mapper.readTree(letter.get("payload").toString());
        assertThat(payload.get("entity").asText()).isEqualTo("unit");
        assertThat(payload.get("ids")).containsExactly(mapper.getNodeFactory().textNode("626964e4232893a919f7bc14"));
        assertThat(payload.get("record").get("property").asText()).isEqualTo(late);
        assertThat(letter.get("route_id")).isEqualTo("doorloop-normalize-entity");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM normalized_units WHERE doorloop_id = '626964e4232893a919f7bc14'", Integer.class)).isZero();
        long letters = jdbc.queryForObject("SELECT count(*) FROM dead_letters WHERE flow = 'doorloop-normalize' AND status = 'pending'", Long.class);
        assertThat(letters).isEqualTo(first.get("stats").get("dead_lettered").asLong());

        // still missing: the replay fails and the letters back off
        JsonNode failed = json(post("/api/dlq/replay", "{\"ids\": [" + letter.get("id") + "]}"));
        assertThat(failed.get("failed").asInt()).isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT attempts FROM dead_letters WHERE id = ?", Integer.class, letter.get("id"))).isEqualTo(1);

        // the parent arrives in the raw layer: every letter replays
        jdbc.update("INSERT INTO doorloop_raw_properties (id, data, content_hash, source_endpoint) VALUES (?, ?::jsonb, md5(?), 'properties')",
                late, lateRecord, lateRecord);
        JsonNode replay = json(post("/api/dlq/replay", "{\"flow\": \"doorloop-normalize\"}"));
        assertThat(replay.get("failed").asInt()).as(replay + " " + jdbc.queryForList("SELECT entity_type, entity_key, error_message"
                + " FROM dead_letters WHERE flow = 'doorloop-normalize' AND status <> 'replayed'")).isZero();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM dead_letters WHERE flow = 'doorloop-normalize' AND status <> 'replayed'",
                Integer.class)).isZero();
        assertThat(jdbc.queryForObject("SELECT property_id::text FROM normalized_units WHERE doorloop_id = '626964e4232893a919f7bc14'",
                String.class)).isEqualTo(DoorLoopIds.uuid(late).toString());

        // the next normal run finds everything in place, and the KPIs match the recording
        JsonNode after = run("doorloop-normalize", null);
        assertThat(after.get("status").asText()).isEqualTo("succeeded");
        assertThat(run("doorloop-kpis", "{\"as_of\": \"" + AS_OF + "\"}").get("status").asText()).isEqualTo("succeeded");
        JsonNode expected = RawLoader.JSON.readTree(dir.resolve("expected_kpis.json").toFile());
        assertScope(expected.get("portfolio"), "portfolio", null);
    }

    @Test
    void theNextNormalRunClosesTheLettersOfRecordsItNowNormalizes() throws Exception {
        RawLoader.load(dataSource, NormalizeTestDb.basedir().resolve("samples/doorloop"));
        jdbc.update("UPDATE doorloop_raw_units SET data = jsonb_set(data, '{property}', '\"notyetthere0000000000001\"') WHERE id = '626964e4232893a919f7bc14'");
        JsonNode first = run("doorloop-normalize", null);
        assertThat(first.get("status").asText()).isEqualTo("partial");
        assertThat(jdbc.queryForObject("SELECT status FROM dead_letters WHERE flow = 'doorloop-normalize' AND entity_key = '626964e4232893a919f7bc14'",
                String.class)).isEqualTo("pending");

        jdbc.update("UPDATE doorloop_raw_units SET data = jsonb_set(data, '{property}', '\"68dd57a058634ea310f7bc13\"') WHERE id = '626964e4232893a919f7bc14'");
        JsonNode second = run("doorloop-normalize", null);
        assertThat(second.get("status").asText()).as(second.toString()).isEqualTo("succeeded");
        assertThat(second.get("stats").get("units").get("resolved").asInt()).isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT status FROM dead_letters WHERE flow = 'doorloop-normalize' AND entity_key = '626964e4232893a919f7bc14'",
                String.class)).isEqualTo("replayed");
    }

    @Test
    void materializedViewsAreRefreshedAfterANormalize() throws Exception {
        RawLoader.load(dataSource, NormalizeTestDb.basedir().resolve("samples/doorloop"));
        JsonNode run = run("doorloop-normalize", null);
        assertThat(run.get("stats").get("views_refreshed").size()).isEqualTo(NormalizeRepository.MATERIALIZED_VIEWS.size());
        for (String v : List.of("properties", "units", "leases", "tenants")) {
            assertThat(jdbc.queryForObject("SELECT count(*) FROM mv_full_" + v, Integer.class))
                    .as(v).isEqualTo(jdbc.queryForObject("SELECT count(*) FROM get_full_" + v, Integer.class)).isPositive();
        }
        // the primary tenant of a lease: earliest moveInAt, ties by tenant id (CONTRACT section 9)
        assertThat(jdbc.queryForObject("SELECT primary_tenant_doorloop_id FROM mv_full_leases WHERE doorloop_id = '65a2177865b8e605f2f7bc1d'",
                String.class)).isEqualTo("66154fa462ef6b98d3f7bc1c");
    }

    @Test
    void theChainIsScheduledByARouteThatTestsKeepStopped() {
        assertThat(camel.getRoute("schedule-doorloop-sync")).isNotNull();
        assertThat(camel.getRouteController().getRouteStatus("schedule-doorloop-sync")).isEqualTo(ServiceStatus.Stopped);
        assertThat(camel.getRoute("schedule-doorloop-sync").getEndpoint().getEndpointUri()).startsWith("quartz://hub/doorloop-sync");
    }
}
