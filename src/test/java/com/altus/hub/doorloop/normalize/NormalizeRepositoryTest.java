package com.altus.hub.doorloop.normalize;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import com.altus.hub.doorloop.normalize.NormalizeRepository.EntityResult;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/** The mapping of every entity on the recorded samples, orphans, invalid fields, deletions and idempotence. */
class NormalizeRepositoryTest {
    static DataSource ds;
    static JdbcTemplate jdbc;
    static NormalizeRepository repo;
    static final Path SAMPLES = NormalizeTestDb.basedir().resolve("samples/doorloop");

    @BeforeAll
    static void db() {
        ds = NormalizeTestDb.create("doorloop_normalize_repo");
        jdbc = new JdbcTemplate(ds);
        repo = new NormalizeRepository(jdbc, RawLoader.JSON);
    }

    @BeforeEach
    void load() throws Exception {
        NormalizeTestDb.truncate(jdbc);
        RawLoader.load(ds, SAMPLES);
    }

    private static void normalizeAll() {
        for (EntitySpec spec : DoorLoopMapping.ENTITIES) {
            EntityResult r = repo.normalize(spec);
            assertThat(r.rejected()).as(spec.entityType()).isEmpty();
            if (spec.derived()) {
                repo.markVanished(spec);
            }
        }
    }

    @Test
    void everyRecordIsNormalizedWithTypedColumnsAndResolvedKeys() throws Exception {
        normalizeAll();
        for (Map.Entry<String, String> e : RawLoader.RESOURCES.entrySet()) {
            int recorded = RawLoader.records(SAMPLES, e.getKey()).size();
            assertThat(jdbc.queryForObject("SELECT count(*) FROM normalized_" + e.getValue(), Integer.class))
                    .as(e.getValue()).isEqualTo(recorded);
        }
        assertThat(jdbc.queryForObject("SELECT count(*) FROM normalized_work_orders", Integer.class))
                .isEqualTo(jdbc.queryForObject("SELECT count(*) FROM doorloop_raw_tasks WHERE data->>'type' = 'WORK_ORDER'", Integer.class));

        // the first recorded unit and lease (samples/doorloop, page 1)
        Map<String, Object> unit = jdbc.queryForMap("SELECT * FROM normalized_units WHERE doorloop_id = '626964e4232893a919f7bc14'");
        assertThat(unit.get("id")).isEqualTo(DoorLoopIds.uuid("626964e4232893a919f7bc14"));
        assertThat(unit.get("property_id")).isEqualTo(DoorLoopIds.uuid("68dd57a058634ea310f7bc13"));
        assertThat((BigDecimal) unit.get("market_rent")).isEqualByComparingTo("1460.00");
        assertThat(unit).containsEntry("name", "101").containsEntry("active", true);

        Map<String, Object> lease = jdbc.queryForMap("SELECT * FROM normalized_leases WHERE doorloop_id = '65a2177865b8e605f2f7bc1d'");
        assertThat(lease).containsEntry("status", "ACTIVE").containsEntry("term", "FIXED");
        assertThat(((java.sql.Date) lease.get("start_date")).toLocalDate()).isEqualTo(LocalDate.of(2025, 3, 5));
        assertThat(((java.sql.Date) lease.get("end_date")).toLocalDate()).isEqualTo(LocalDate.of(2026, 3, 4));
        assertThat((BigDecimal) lease.get("total_balance_due")).isEqualByComparingTo("426.25");
        assertThat(lease.get("unit_id")).isEqualTo(DoorLoopIds.uuid("626964e4232893a919f7bc14"));

        // money never passes through floating point: the sum over all payments equals the recorded decimals
        BigDecimal recordedSum = RawLoader.records(SAMPLES, "lease-payments").stream()
                .map(r -> r.get("amountReceived").decimalValue()).reduce(BigDecimal.ZERO, BigDecimal::add);
        assertThat(jdbc.queryForObject("SELECT sum(amount_received) FROM normalized_lease_payments", BigDecimal.class))
                .isEqualByComparingTo(recordedSum);

        // the SQL uuid function and Java agree on every id
        List<Map<String, Object>> ids = jdbc.queryForList("SELECT doorloop_id, id FROM normalized_tenants UNION ALL "
                + "SELECT doorloop_id, id FROM normalized_lease_payments");
        assertThat(ids).isNotEmpty().allSatisfy(r -> assertThat(r.get("id")).isEqualTo(DoorLoopIds.uuid((String) r.get("doorloop_id"))));

        // property owners: one row per listing with its share; primary owner = highest share
        Map<String, Object> po = jdbc.queryForMap("SELECT * FROM normalized_property_owners WHERE doorloop_id = ?",
                DoorLoopIds.propertyOwnerKey("68dd57a058634ea310f7bc13", "61c826c9f536020339f7bc11"));
        assertThat((BigDecimal) po.get("ownership_percentage")).isEqualByComparingTo("60");
        assertThat(po).containsEntry("position", 1).containsEntry("owner_id", DoorLoopIds.uuid("61c826c9f536020339f7bc11"));
        assertThat(jdbc.queryForObject("SELECT primary_owner_doorloop_id FROM get_full_properties WHERE doorloop_id = '68dd57a058634ea310f7bc13'",
                String.class)).isEqualTo("61c826c9f536020339f7bc11");

        // tenants: first Primary e-mail, enums upper-cased
        Map<String, Object> tenant = jdbc.queryForMap("SELECT * FROM normalized_tenants WHERE doorloop_id = '66154fa462ef6b98d3f7bc1c'");
        assertThat(tenant).containsEntry("primary_email", "marykate.vanderberg@example.net").containsEntry("type", "LEASE_TENANT")
                .containsEntry("full_name", "Mary-Kate van der Berg");
        // every get_full_* view answers a row per live record
        assertThat(jdbc.queryForObject("SELECT count(*) FROM get_full_leases", Integer.class)).isEqualTo(14);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM get_full_units", Integer.class)).isEqualTo(17);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM get_full_tenants", Integer.class)).isEqualTo(21);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM get_full_work_orders", Integer.class)).isEqualTo(9);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM get_full_properties", Integer.class)).isEqualTo(6);
    }

    @Test
    void aSecondRunChangesNoRow() {
        normalizeAll();
        Map<String, Long> before = xmins();
        for (EntitySpec spec : DoorLoopMapping.ENTITIES) {
            EntityResult r = repo.normalize(spec);
            assertThat(r.inserted() + r.updated()).as(spec.table()).isZero();
            assertThat(r.unchanged()).as(spec.table()).isEqualTo(r.candidates()).isPositive();
            if (spec.derived()) {
                assertThat(repo.markVanished(spec)).isZero();
            }
        }
        assertThat(xmins()).isEqualTo(before);
    }

    private static Map<String, Long> xmins() {
        Map<String, Long> out = new java.util.TreeMap<>();
        for (EntitySpec spec : DoorLoopMapping.ENTITIES) {
            jdbc.query("SELECT doorloop_id, xmin::text::bigint AS x FROM " + spec.table(),
                    rs -> { out.put(spec.table() + "/" + rs.getString(1), rs.getLong(2)); });
        }
        return out;
    }

    @Test
    void aChangedRecordUpdatesOneRowAndADeletedOneIsMarked() throws Exception {
        normalizeAll();
        EntitySpec units = DoorLoopMapping.byEntityType("unit").orElseThrow();
        jdbc.update("UPDATE doorloop_raw_units SET data = jsonb_set(data, '{marketRent}', '1499.99'::jsonb) WHERE id = '626964e4232893a919f7bc14'");
        jdbc.update("UPDATE doorloop_raw_units SET deleted_at = now() WHERE id = (SELECT id FROM doorloop_raw_units ORDER BY id DESC LIMIT 1)");
        EntityResult r = repo.normalize(units);
        assertThat(r.inserted()).isZero();
        assertThat(r.updated()).isEqualTo(2);
        assertThat(r.deleted()).isEqualTo(1);
        assertThat(r.unchanged()).isEqualTo(15);
        assertThat(jdbc.queryForObject("SELECT market_rent FROM normalized_units WHERE doorloop_id = '626964e4232893a919f7bc14'",
                BigDecimal.class)).isEqualByComparingTo("1499.99");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM normalized_units WHERE deleted_at IS NOT NULL", Integer.class)).isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM get_full_units", Integer.class)).isEqualTo(16);
    }

    @Test
    void anOwnerRemovedFromAPropertyMarksTheLinkDeleted() {
        normalizeAll();
        jdbc.update("UPDATE doorloop_raw_properties SET data = jsonb_set(data, '{owners}', '[{\"owner\": \"66d27e9d276c6c1e08f7bc12\", \"ownershipPercentage\": 100}]'::jsonb)"
                + " WHERE id = '68dd57a058634ea310f7bc13'");
        EntitySpec links = DoorLoopMapping.byEntityType("property_owner").orElseThrow();
        EntityResult r = repo.normalize(links);
        assertThat(r.updated()).as("the remaining owner's share and position changed").isEqualTo(1);
        assertThat(repo.markVanished(links)).isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT deleted_at IS NOT NULL FROM normalized_property_owners WHERE doorloop_id = ?",
                Boolean.class, DoorLoopIds.propertyOwnerKey("68dd57a058634ea310f7bc13", "61c826c9f536020339f7bc11"))).isTrue();
    }

    @Test
    void orphansAndInvalidFieldsAreRejectedWithAReasonAndTheRestIsWritten() throws Exception {
        try (Connection c = ds.getConnection()) {
            ObjectNode orphan = RawLoader.JSON.createObjectNode().put("id", "orphanunit000000000000001").put("name", "X")
                    .put("property", "nosuchproperty0000000001").put("active", true).put("marketRent", new BigDecimal("10.00"));
            ObjectNode bad = RawLoader.JSON.createObjectNode().put("id", "badunit00000000000000001").put("name", "Y")
                    .put("property", "68dd57a058634ea310f7bc13").put("active", true).put("marketRent", "ten dollars");
            RawLoader.upsert(c, "units", "units", List.of(orphan, bad));
        }
        for (EntitySpec spec : DoorLoopMapping.ENTITIES.subList(0, 6)) {
            repo.normalize(spec);
        }
        EntityResult r = repo.normalize(DoorLoopMapping.byEntityType("unit").orElseThrow());
        assertThat(r.inserted()).isEqualTo(17);
        assertThat(r.rejected()).extracting(NormalizeRepository.Rejected::id)
                .containsExactly("badunit00000000000000001", "orphanunit000000000000001");
        assertThat(r.rejected().get(1).reason()).isEqualTo("property nosuchproperty0000000001 is unknown");
        assertThat(r.rejected().get(1).data().get("name").asText()).isEqualTo("X");
        assertThat(r.rejected().get(0).reason()).isEqualTo("marketRent is not a valid numeric: ten dollars");
        assertThat(r.orphaned()).isEqualTo(1);
        assertThat(r.invalid()).isEqualTo(1);

        // once the parent arrives, the single-record path (the replayer's) writes it
        jdbc.update("INSERT INTO doorloop_raw_properties (id, data, content_hash, source_endpoint) VALUES"
                + " ('nosuchproperty0000000001', '{\"id\": \"nosuchproperty0000000001\", \"name\": \"Late\", \"active\": true}', 'h', 'properties')");
        repo.normalize(DoorLoopMapping.ENTITIES.get(0), List.of("nosuchproperty0000000001"));
        EntityResult replay = repo.normalize(DoorLoopMapping.byEntityType("unit").orElseThrow(), List.of("orphanunit000000000000001"));
        assertThat(replay.inserted()).isEqualTo(1);
        assertThat(replay.candidates()).isEqualTo(1);
        assertThat(jdbc.queryForObject("SELECT property_id FROM normalized_units WHERE doorloop_id = 'orphanunit000000000000001'",
                UUID.class)).isEqualTo(DoorLoopIds.uuid("nosuchproperty0000000001"));
    }

    @Test
    void manyRejectsAreFiledAsDeadLettersByTheStatementItself() throws Exception {
        int n = 5_000;
        try (Connection c = ds.getConnection()) {
            List<com.fasterxml.jackson.databind.JsonNode> orphans = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                orphans.add(RawLoader.JSON.createObjectNode().put("id", String.format("orphan%018d", i)).put("name", "U" + i)
                        .put("property", "nosuchproperty0000000001").put("active", true));
            }
            RawLoader.upsert(c, "units", "units", orphans);
        }
        jdbc.update("DELETE FROM dead_letters WHERE flow = 'doorloop-normalize'");
        for (EntitySpec spec : DoorLoopMapping.ENTITIES.subList(0, 6)) {
            repo.normalize(spec);
        }
        var letters = new NormalizeRepository.Letters("doorloop-normalize", "doorloop-normalize-entity", 42L,
                java.time.Duration.ofMinutes(1));
        EntitySpec units = DoorLoopMapping.byEntityType("unit").orElseThrow();
        EntityResult r = repo.normalize(units, letters);
        assertThat(r.rejected()).as("nothing read back into memory").isEmpty();
        assertThat(r.lettered()).isEqualTo(n);
        assertThat(r.orphaned()).isEqualTo(n);
        assertThat(r.invalid()).isZero();
        Map<String, Object> one = jdbc.queryForMap("SELECT route_id, run_id, status, payload->>'entity' AS entity,"
                + " payload->'ids'->>0 AS id, payload->'record'->>'name' AS name, error_message, next_attempt_at > now() AS later"
                + " FROM dead_letters WHERE flow = 'doorloop-normalize' AND entity_key = 'orphan000000000000000007'");
        assertThat(one).containsEntry("route_id", "doorloop-normalize-entity").containsEntry("run_id", 42L)
                .containsEntry("status", "pending").containsEntry("entity", "unit").containsEntry("id", "orphan000000000000000007")
                .containsEntry("name", "U7").containsEntry("later", true);
        assertThat(one.get("error_message").toString())
                .isEqualTo("unit orphan000000000000000007 not normalized (unresolved reference): property nosuchproperty0000000001 is unknown");

        // a second run updates the same open letters: still one per record
        EntityResult again = repo.normalize(units, new NormalizeRepository.Letters("doorloop-normalize", "doorloop-normalize-entity",
                43L, java.time.Duration.ofMinutes(1)));
        assertThat(again.lettered()).isEqualTo(n);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM dead_letters WHERE flow = 'doorloop-normalize' AND status = 'pending'",
                Integer.class)).isEqualTo(n);
        assertThat(jdbc.queryForObject("SELECT count(DISTINCT run_id) FROM dead_letters WHERE flow = 'doorloop-normalize'",
                Integer.class)).isOne();
    }
}
