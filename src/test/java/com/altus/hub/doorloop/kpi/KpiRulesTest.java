package com.altus.hub.doorloop.kpi;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.Map;

import javax.sql.DataSource;

import com.altus.hub.doorloop.normalize.DoorLoopMapping;
import com.altus.hub.doorloop.normalize.EntitySpec;
import com.altus.hub.doorloop.normalize.NormalizeRepository;
import com.altus.hub.doorloop.normalize.NormalizeTestDb;
import com.altus.hub.doorloop.normalize.RawLoader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Each KPI rule of CONTRACT section 8 on a hand-made portfolio around D = 2025-12-15: the raw
 * records are written, normalized and the KPIs computed by the production SQL.
 */
class KpiRulesTest {
    static final LocalDate D = LocalDate.of(2025, 12, 15);
    static DataSource ds;
    static JdbcTemplate jdbc;
    static NormalizeRepository normalize;
    static KpiRepository kpis;

    @BeforeAll
    static void db() {
        ds = NormalizeTestDb.create("doorloop_kpi_rules");
        jdbc = new JdbcTemplate(ds);
        normalize = new NormalizeRepository(jdbc, RawLoader.JSON);
        kpis = new KpiRepository(jdbc, new TransactionTemplate(new DataSourceTransactionManager(ds)));
    }

    @BeforeEach
    void clean() {
        NormalizeTestDb.truncate(jdbc);
    }

    // ---- a tiny world builder: ids are short readable strings
    static void raw(String table, String json) {
        jdbc.update("INSERT INTO doorloop_raw_" + table + " (id, data, content_hash, source_endpoint)"
                + " SELECT d->>'id', d, md5(d::text), ? FROM (SELECT ?::jsonb AS d) x", table, json.replace('\'', '"'));
    }

    static void property(String id, boolean active, String... owners) {
        StringBuilder o = new StringBuilder();
        for (String owner : owners) {
            o.append(o.length() == 0 ? "" : ",").append("{'owner':'").append(owner).append("','ownershipPercentage':50}");
        }
        raw("properties", "{'id':'" + id + "','name':'" + id + "','active':" + active + ",'owners':[" + o + "]}");
    }

    static void owner(String id) {
        raw("owners", "{'id':'" + id + "','fullName':'" + id + "','active':true}");
    }

    static void unit(String id, String property, boolean active, String marketRent) {
        raw("units", "{'id':'" + id + "','property':'" + property + "','active':" + active + ",'marketRent':" + marketRent + "}");
    }

    static void lease(String id, String property, String units, String status, String term, String start, String end,
                      String balance, String rent) {
        raw("leases", "{'id':'" + id + "','property':'" + property + "','units':[" + units + "],'status':'" + status
                + "','term':'" + term + "','start':" + q(start) + ",'end':" + q(end) + ",'totalBalanceDue':" + balance
                + ",'totalRecurringRent':" + rent + "}");
    }

    static void payment(String id, String lease, String amount, String date, boolean reversed) {
        raw("lease_payments", "{'id':'" + id + "','lease':'" + lease + "','amountReceived':" + amount + ",'date':'" + date
                + "','reversedPayment':" + reversed + "}");
    }

    static void task(String id, String type, String status, String property) {
        raw("tasks", "{'id':'" + id + "','type':'" + type + "','status':'" + status + "','property':" + q(property) + "}");
    }

    static String q(String s) {
        return s == null ? "null" : "'" + s + "'";
    }

    static Map<String, BigDecimal> compute(String scope, String id) {
        for (EntitySpec spec : DoorLoopMapping.ENTITIES) {
            assertThat(normalize.normalize(spec).rejected()).as(spec.entityType()).isEmpty();
        }
        kpis.replace(D, null);
        return kpis.read(D, scope, id);
    }

    static Map<String, BigDecimal> portfolio() {
        return compute("portfolio", null);
    }

    static void expect(Map<String, BigDecimal> got, String metric, String value) {
        assertThat(got.get(metric)).as(metric).isNotNull();
        assertThat(got.get(metric)).as(metric + " = " + got.get(metric)).isEqualByComparingTo(value);
    }

    // ---- the rules

    @Test
    void aLeaseIsActiveByStatusAnyCaseStartAndEndOrAtWill() {
        property("p", true);
        lease("endedYesterday", "p", "", "ACTIVE", "Fixed", "2024-12-15", "2025-12-14", "0", "100");
        lease("endsToday", "p", "", "ACTIVE", "Fixed", "2024-12-16", "2025-12-15", "0", "200");
        lease("startsTomorrow", "p", "", "ACTIVE", "Fixed", "2025-12-16", "2026-12-15", "0", "400");
        lease("startsToday", "p", "", "active", "Fixed", "2025-12-15", "2026-12-14", "0", "800");
        lease("atWillPastEnd", "p", "", "Active", "AtWill", "2022-01-01", "2022-12-31", "0", "1600");
        lease("atWillOpen", "p", "", "ACTIVE", "AtWill", "2023-01-01", null, "0", "3200");
        lease("inactive", "p", "", "INACTIVE", "Fixed", "2025-01-01", "2026-01-01", "0", "6400");
        Map<String, BigDecimal> k = portfolio();
        expect(k, "active_leases", "4");
        expect(k, "rent_roll", "5800"); // 200 + 800 + 1600 + 3200
    }

    @Test
    void expiringMeansEndWithinDToDPlus30() {
        property("p", true);
        lease("endsToday", "p", "", "ACTIVE", "Fixed", "2025-01-01", "2025-12-15", "0", "1");
        lease("endsIn30", "p", "", "ACTIVE", "Fixed", "2025-01-01", "2026-01-14", "0", "1");
        lease("endsIn31", "p", "", "ACTIVE", "Fixed", "2025-01-01", "2026-01-15", "0", "1");
        lease("atWillPastEnd", "p", "", "ACTIVE", "AtWill", "2022-01-01", "2022-12-31", "0", "1");
        Map<String, BigDecimal> k = portfolio();
        expect(k, "active_leases", "4");
        expect(k, "leases_expiring_30d", "2");
    }

    @Test
    void unitsCountOnlyWhenActiveAndAreOccupiedByAnActiveLeaseListingThem() {
        property("p", true);
        unit("u1", "p", true, "1000.10");
        unit("u2", "p", true, "1000.20");
        unit("u3", "p", true, "500.05");
        unit("off", "p", false, "9999");
        lease("twoUnits", "p", "'u1','u2'", "ACTIVE", "Fixed", "2025-01-01", "2026-06-30", "0", "2000");
        lease("onInactiveUnit", "p", "'off'", "ACTIVE", "Fixed", "2025-01-01", "2026-06-30", "0", "10");
        lease("futureOnU3", "p", "'u3'", "ACTIVE", "Fixed", "2026-01-01", "2026-12-31", "0", "10");
        Map<String, BigDecimal> k = portfolio();
        expect(k, "total_units", "3");
        expect(k, "occupied_units", "2");
        expect(k, "vacant_units", "1");
        expect(k, "occupancy_rate", "66.67");
        expect(k, "vacancy_loss", "500.05");
    }

    @Test
    void occupancyRateRoundsHalfUpAndIsZeroWithoutUnits() {
        property("p", true);
        property("empty", true);
        for (int i = 0; i < 8; i++) {
            unit("u" + i, "p", true, "1");
        }
        lease("l", "p", "'u0'", "ACTIVE", "AtWill", "2025-01-01", null, "0", "1");
        expect(compute("property", "p"), "occupancy_rate", "12.50");
        expect(kpis.read(D, "property", "empty"), "occupancy_rate", "0");
        // 1/3 and 2/3 round to 33.33 and 66.67; 1/8 = 12.5 exactly; 1/800 = 0.125 -> 0.13 (half up)
        for (int i = 8; i < 800; i++) {
            unit("u" + i, "p", true, "1");
        }
        expect(compute("property", "p"), "occupancy_rate", "0.13");
    }

    @Test
    void delinquencyCountsPositiveBalancesOfActiveLeasesOnly() {
        property("p", true);
        lease("owes", "p", "", "ACTIVE", "Fixed", "2025-01-01", "2026-06-30", "0.10", "1");
        lease("owesToo", "p", "", "ACTIVE", "Fixed", "2025-01-01", "2026-06-30", "0.20", "1");
        lease("credit", "p", "", "ACTIVE", "Fixed", "2025-01-01", "2026-06-30", "-150.00", "1");
        lease("inactiveOwes", "p", "", "INACTIVE", "Fixed", "2024-01-01", "2024-12-31", "999.99", "1");
        Map<String, BigDecimal> k = portfolio();
        expect(k, "delinquent_balance", "0.30"); // exact decimals: 0.1 + 0.2 is 0.30, not 0.30000000000000004
        expect(k, "delinquent_leases", "2");
        assertThat(k.get("delinquent_balance").toPlainString()).isEqualTo("0.30");
    }

    @Test
    void openWorkOrdersAreWorkOrderTasksNotCompletedOrArchivedByTheirProperty() {
        property("p", true);
        task("t1", "WORK_ORDER", "NOT_STARTED", "p");
        task("t2", "WORK_ORDER", "IN_PROGRESS", "p");
        task("t3", "WORK_ORDER", "COMPLETED", "p");
        task("t4", "WORK_ORDER", "ARCHIVED", "p");
        task("t5", "TENANT_REQUEST", "NOT_STARTED", "p");
        task("t6", "INTERNAL_TASK", "NOT_STARTED", null);
        expect(portfolio(), "open_work_orders", "2");
        expect(kpis.read(D, "property", "p"), "open_work_orders", "2");
    }

    @Test
    void paymentsCollectedMtdAreNotReversedAndInDsMonthByTheLeasesProperty() {
        property("p", true);
        property("q", true);
        lease("l", "p", "", "INACTIVE", "Fixed", "2025-01-01", "2025-12-10", "0", "1");
        lease("m", "q", "", "ACTIVE", "AtWill", "2025-01-01", null, "0", "1");
        payment("lastOfPrevMonth", "l", "100.00", "2025-11-30", false);
        payment("firstOfMonth", "l", "10.25", "2025-12-01", false);
        payment("onD", "m", "20.50", "2025-12-15", false);
        payment("reversed", "m", "1000.00", "2025-12-05", true);
        Map<String, BigDecimal> k = portfolio();
        expect(k, "payments_collected_mtd", "30.75");
        expect(kpis.read(D, "property", "p"), "payments_collected_mtd", "10.25");
        expect(kpis.read(D, "property", "q"), "payments_collected_mtd", "20.50");
    }

    @Test
    void anInactivePropertyIsNoPropertyAndItsInactiveUnitsCountNowhereButItsLeasesDo() {
        property("on", true);
        property("off", false);
        unit("offUnit", "off", false, "700");
        lease("offLease", "off", "'offUnit'", "ACTIVE", "Fixed", "2025-01-01", "2026-06-30", "50", "700");
        task("wo", "WORK_ORDER", "NOT_STARTED", "off");
        Map<String, BigDecimal> k = portfolio();
        expect(k, "total_properties", "1");
        expect(k, "total_units", "0");
        expect(k, "occupied_units", "0");
        expect(k, "active_leases", "1");
        expect(k, "rent_roll", "700");
        expect(k, "delinquent_balance", "50");
        expect(k, "open_work_orders", "1");
        Map<String, BigDecimal> off = kpis.read(D, "property", "off");
        expect(off, "total_properties", "0");
        expect(off, "active_leases", "1");
    }

    @Test
    void ownersGetTheFullValuesOfTheirPropertiesAndOwnersOfNothingAreAbsent() {
        owner("o1");
        owner("o2");
        owner("idle");
        property("a", true, "o1", "o2");
        property("b", true, "o1");
        lease("la", "a", "", "ACTIVE", "AtWill", "2025-01-01", null, "0", "1000");
        lease("lb", "b", "", "ACTIVE", "AtWill", "2025-01-01", null, "0", "500");
        Map<String, BigDecimal> o1 = compute("owner", "o1");
        expect(o1, "total_properties", "2");
        expect(o1, "rent_roll", "1500");
        expect(kpis.read(D, "owner", "o2"), "rent_roll", "1000"); // not weighted by the 50% share
        assertThat(kpis.read(D, "owner", "idle")).isEmpty();
        assertThat(jdbc.queryForObject("SELECT count(DISTINCT scope_id) FROM kpi_summary WHERE scope = 'owner'", Integer.class)).isEqualTo(2);
        assertThat(o1.keySet()).containsExactlyElementsOf(KpiMetrics.METRICS);
    }

    @Test
    void deletedRecordsCountNowhere() {
        property("p", true);
        unit("u", "p", true, "100");
        unit("gone", "p", true, "100");
        jdbc.update("UPDATE doorloop_raw_units SET deleted_at = now() WHERE id = 'gone'");
        expect(portfolio(), "total_units", "1");
    }

    @Test
    void reRunningADateReplacesThatDateOnly() {
        property("p", true);
        jdbc.update("INSERT INTO kpi_summary (as_of, scope, scope_id, metric, value) VALUES ('2025-12-14', 'portfolio', NULL, 'total_properties', 42)");
        jdbc.update("INSERT INTO kpi_summary (as_of, scope, scope_id, metric, value) VALUES (?, 'portfolio', NULL, 'stale_metric', 1)",
                java.sql.Date.valueOf(D));
        expect(portfolio(), "total_properties", "1");
        property("p2", true);
        expect(portfolio(), "total_properties", "2");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM kpi_summary WHERE as_of = ? AND scope = 'portfolio'", Integer.class,
                java.sql.Date.valueOf(D))).isEqualTo(KpiMetrics.METRICS.size());
        assertThat(jdbc.queryForObject("SELECT value FROM kpi_summary WHERE as_of = '2025-12-14'", BigDecimal.class))
                .isEqualByComparingTo("42");
    }
}
