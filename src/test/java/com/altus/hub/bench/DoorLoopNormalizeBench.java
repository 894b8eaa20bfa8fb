package com.altus.hub.bench;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import com.altus.hub.doorloop.kpi.KpiMetrics;
import com.altus.hub.doorloop.kpi.KpiRepository;
import com.altus.hub.doorloop.normalize.DoorLoopMapping;
import com.altus.hub.doorloop.normalize.EntitySpec;
import com.altus.hub.doorloop.normalize.NormalizeRepository;
import com.altus.hub.doorloop.normalize.NormalizeRepository.EntityResult;
import com.altus.hub.doorloop.normalize.NormalizeTestDb;
import com.altus.hub.doorloop.normalize.RawLoader;
import com.fasterxml.jackson.databind.JsonNode;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Benchmark of doorloop-normalize and doorloop-kpis on a gen_data.py data set (bench/doorloop-normalize.bench):
 * set-based normalize of every raw record against a row-by-row JDBC upsert of the same records with the
 * same mapping (one statement per record, measured in the same run on the same server, on the first
 * {@code baselineLimit} records of each entity, scaled to rows/s), the idempotent re-run, the refresh of
 * the materialized views, and the KPI computation (checked against expected_kpis.json to the cent).
 * Usage: DoorLoopNormalizeBench DATA_DIR [baselineLimitPerEntity]
 */
public final class DoorLoopNormalizeBench {
    private DoorLoopNormalizeBench() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int baselineLimit = args.length > 1 ? Integer.parseInt(args[1]) : Integer.MAX_VALUE;
        DataSource ds = NormalizeTestDb.create("bench_doorloop_normalize");
        // one kept connection for the set-based side (the test DataSource opens a new one per call)
        SingleConnectionDataSource one = new SingleConnectionDataSource(ds.getConnection(), true);
        JdbcTemplate jdbc = new JdbcTemplate(one);
        NormalizeTestDb.truncate(jdbc);
        NormalizeRepository repo = new NormalizeRepository(jdbc, RawLoader.JSON);
        KpiRepository kpis = new KpiRepository(jdbc, new TransactionTemplate(new DataSourceTransactionManager(one)));

        long t0 = System.nanoTime();
        Map<String, Integer> loaded = RawLoader.load(ds, dir);
        long rawRows = loaded.values().stream().mapToLong(Integer::longValue).sum();
        System.err.printf("loaded %d raw records in %.1f s: %s%n", rawRows, secs(t0), loaded);
        jdbc.execute("VACUUM ANALYZE");

        // 1. set-based, into empty normalized tables
        long rows = 0;
        long setRowsNoLeases = 0;
        double setSecsNoLeases = 0;
        t0 = System.nanoTime();
        for (EntitySpec spec : DoorLoopMapping.ENTITIES) {
            long e0 = System.nanoTime();
            EntityResult r = repo.normalize(spec);
            if (spec.derived()) {
                repo.markVanished(spec);
            }
            repo.analyze(spec); // as the flow does after a large change
            if (!r.rejected().isEmpty()) {
                throw new IllegalStateException(spec.entityType() + ": " + r.rejected().size() + " rejected, e.g. " + r.rejected().get(0).reason());
            }
            rows += r.inserted();
            if (!spec.entityType().equals("lease")) {
                setRowsNoLeases += r.inserted();
                setSecsNoLeases += secs(e0);
            }
            System.err.printf("  %-16s %8d rows %6.2f s%n", spec.statsGroup(), r.inserted(), secs(e0));
        }
        double setSecs = secs(t0);
        double setRate = rows / setSecs;
        t0 = System.nanoTime();
        repo.refreshMaterializedViews();
        double mvSecs = secs(t0);

        // 2. the same run again: nothing changes
        t0 = System.nanoTime();
        long changed = 0;
        for (EntitySpec spec : DoorLoopMapping.ENTITIES) {
            EntityResult r = repo.normalize(spec);
            changed += r.inserted() + r.updated();
        }
        double rerunSecs = secs(t0);
        if (changed != 0) {
            throw new IllegalStateException("the second normalize changed " + changed + " rows");
        }

        // 3. KPIs as of the data set's date, compared with expected_kpis.json
        JsonNode expected = RawLoader.JSON.readTree(dir.resolve("expected_kpis.json").toFile());
        LocalDate d = LocalDate.parse(expected.get("as_of").asText());
        t0 = System.nanoTime();
        KpiRepository.Written w = kpis.replace(d, null);
        double kpiMs = secs(t0) * 1000;
        long mismatches = mismatches(jdbc, d, expected);
        System.err.printf("kpis: %d rows (%d properties, %d owners)%n", w.rows(), w.properties(), w.owners());

        // 3b. set-based again into emptied tables, independent entities at the same time on two
        // connections, as the flow runs them (hub.doorloop.normalize.parallelism = 2)
        jdbc.execute("TRUNCATE normalized_work_orders, normalized_tasks, normalized_lease_payments, normalized_lease_tenants,"
                + " normalized_leases, normalized_units, normalized_property_owners, normalized_users, normalized_vendors,"
                + " normalized_tenants, normalized_owners, normalized_properties CASCADE");
        NormalizeRepository pooledRepo = new NormalizeRepository(new JdbcTemplate(ds), RawLoader.JSON);
        java.util.concurrent.atomic.AtomicLong parallelRows = new java.util.concurrent.atomic.AtomicLong();
        t0 = System.nanoTime();
        com.altus.hub.doorloop.normalize.EntityDag.run(DoorLoopMapping.ENTITIES, 2, "bench-normalize", spec -> {
            EntityResult r = pooledRepo.normalize(spec);
            if (spec.derived()) {
                pooledRepo.markVanished(spec);
            }
            pooledRepo.analyze(spec);
            parallelRows.addAndGet(r.inserted());
        });
        double parallelSecs = secs(t0);
        if (parallelRows.get() != rows) {
            throw new IllegalStateException("the parallel normalize wrote " + parallelRows.get() + " rows, the sequential " + rows);
        }

        // 4. baseline: row by row, the same mapping, into emptied tables
        jdbc.execute("TRUNCATE normalized_work_orders, normalized_tasks, normalized_lease_payments, normalized_lease_tenants,"
                + " normalized_leases, normalized_units, normalized_property_owners, normalized_users, normalized_vendors,"
                + " normalized_tenants, normalized_owners, normalized_properties CASCADE");
        long baseRows = 0;
        long baseNanos = 0;
        // leases row by row cost ~3 ms each (their units[] lateral join, planned per row or generic alike):
        // the comparison is also reported without leases, so that the ratio does not rest on them
        long baseRowsNoLeases = 0;
        long baseNanosNoLeases = 0;

        try (Connection read = ds.getConnection(); Connection write = ds.getConnection()) {
            read.setAutoCommit(false);
            write.setAutoCommit(false);
            for (EntitySpec spec : DoorLoopMapping.ENTITIES) {
                String select = "SELECT r.id, r.data::text, r.deleted_at FROM " + spec.source() + " r ORDER BY r.id LIMIT ?";
                long n = 0;
                long e0 = System.nanoTime();
                try (PreparedStatement sel = read.prepareStatement(select);
                     PreparedStatement up = write.prepareStatement(spec.singleRowUpsertSql())) {
                    sel.setFetchSize(1000);
                    sel.setInt(1, baselineLimit);
                    try (ResultSet rs = sel.executeQuery()) {
                        while (rs.next()) {
                            up.setString(1, rs.getString(1));
                            up.setString(2, rs.getString(2));
                            up.setObject(3, rs.getObject(3));
                            try (ResultSet ur = up.executeQuery()) {
                                ur.next();
                            }
                            if (++n % 1000 == 0) {
                                write.commit();
                            }
                        }
                    }
                    write.commit();
                }
                // the same statistics refresh as the set-based side, so that neither runs on a blind plan
                try (Statement st = write.createStatement()) {
                    st.execute("ANALYZE " + spec.table());
                }
                write.commit();
                long nanos = System.nanoTime() - e0;
                baseNanos += nanos;
                baseRows += n;
                if (!spec.entityType().equals("lease")) {
                    baseNanosNoLeases += nanos;
                    baseRowsNoLeases += n;
                }
                System.err.printf("  baseline %-16s %8d rows %6.2f s%n", spec.statsGroup(), n, nanos / 1e9);
            }
            read.commit();
        }
        double baseRate = baseRows / (baseNanos / 1e9);
        String subset = baselineLimit == Integer.MAX_VALUE ? "all" : "first" + baselineLimit + "-per-entity";

        BenchReport.line("doorloop-normalize-rows-per-s(" + rows + "-rows,baseline=row-by-row-jdbc-upsert-" + subset + ")",
                setRate, "rows/s", baseRate);
        BenchReport.line("doorloop-normalize-rows-per-s-without-leases(baseline=row-by-row-jdbc-upsert-" + subset + ")",
                setRowsNoLeases / setSecsNoLeases, "rows/s", baseRowsNoLeases / (baseNanosNoLeases / 1e9));
        BenchReport.line("doorloop-normalize-rows-per-s-2-connections(" + rows + "-rows,baseline=row-by-row-jdbc-upsert-" + subset + ")",
                rows / parallelSecs, "rows/s", baseRate);
        BenchReport.line("doorloop-normalize-seconds(" + rows + "-rows)", setSecs, "s");
        BenchReport.line("doorloop-normalize-seconds-2-connections(" + rows + "-rows)", parallelSecs, "s");
        BenchReport.line("doorloop-normalize-rerun-unchanged-seconds", rerunSecs, "s");
        BenchReport.line("doorloop-normalize-refresh-materialized-views-seconds", mvSecs, "s");
        BenchReport.line("doorloop-kpis-compute-ms(" + w.rows() + "-kpi-rows)", kpiMs, "ms");
        BenchReport.line("doorloop-kpis-mismatches-vs-expected_kpis.json", mismatches, "count");
        if (mismatches != 0) {
            System.exit(1);
        }
    }

    private static long mismatches(JdbcTemplate jdbc, LocalDate d, JsonNode expected) {
        Map<String, Map<String, BigDecimal>> got = new HashMap<>();
        jdbc.query("SELECT scope, scope_doorloop_id, metric, value FROM kpi_summary WHERE as_of = ?", rs -> {
            got.computeIfAbsent(rs.getString(1) + " " + rs.getString(2), k -> new HashMap<>()).put(rs.getString(3), rs.getBigDecimal(4));
        }, java.sql.Date.valueOf(d));
        long bad = compare(got.getOrDefault("portfolio null", Map.of()), expected.get("portfolio"), "portfolio");
        long scopes = 1;
        for (String scope : List.of("property", "owner")) {
            for (Iterator<Map.Entry<String, JsonNode>> it = expected.get(scope).fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                bad += compare(got.getOrDefault(scope + " " + e.getKey(), Map.of()), e.getValue(), scope + " " + e.getKey());
                scopes++;
            }
        }
        if (scopes != got.size()) {
            System.err.println("KPI scopes: expected " + scopes + ", computed " + got.size());
            bad++;
        }
        return bad;
    }

    private static long compare(Map<String, BigDecimal> got, JsonNode want, String what) {
        long bad = 0;
        for (String m : KpiMetrics.METRICS) {
            BigDecimal g = got.get(m);
            if (g == null || g.compareTo(want.get(m).decimalValue()) != 0) {
                System.err.println("KPI mismatch " + what + " " + m + ": got " + g + ", expected " + want.get(m));
                bad++;
            }
        }
        return bad;
    }

    private static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

}
