package com.altus.hub.bench;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import javax.sql.DataSource;

import com.altus.hub.HubApplication;
import com.altus.hub.doorloop.kpi.KpiMetrics;
import com.altus.hub.doorloop.normalize.DoorLoopMapping;
import com.altus.hub.doorloop.normalize.EntityDag;
import com.altus.hub.doorloop.normalize.EntitySpec;
import com.altus.hub.doorloop.normalize.NormalizeRepository;
import com.altus.hub.doorloop.normalize.NormalizeRepository.EntityResult;
import com.altus.hub.doorloop.normalize.NormalizeTestDb;
import com.altus.hub.doorloop.normalize.RawLoader;
import com.altus.hub.platform.run.FlowRunner;
import com.altus.hub.platform.run.RunRecord;
import com.altus.hub.test.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.CamelContext;
import org.apache.camel.api.management.ManagedCamelContext;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

/**
 * Benchmark of doorloop-normalize and doorloop-kpis on a gen_data.py data set
 * (bench/doorloop-normalize.bench), through the routes: a hub (no web server) on the benchmark's
 * database runs the {@code doorloop-normalize} flow route (each entity as soon as the entities it
 * references are done, on hub.doorloop.normalize.parallelism = 2 connections, one
 * {@code doorloop-normalize-entity} exchange each) into empty normalized tables, then again
 * (nothing changes), then {@code doorloop-kpis} (checked against expected_kpis.json to the cent).
 * Compared in the same run with a row-by-row JDBC upsert of the same records with the same mapping
 * (one statement per record, on the first {@code baselineLimit} records of each entity, scaled to
 * rows/s). What the routes cost is measured against the same statements called directly: on one
 * connection in mapping order, each entity as soon as its parents are done on two connections (what
 * the route does, without Camel), and layer by layer on two connections (a barrier after each layer).
 * Usage: DoorLoopNormalizeBench DATA_DIR [baselineLimitPerEntity]
 */
public final class DoorLoopNormalizeBench {
    private static final String TRUNCATE = "TRUNCATE normalized_work_orders, normalized_tasks, normalized_lease_payments,"
            + " normalized_lease_tenants, normalized_leases, normalized_units, normalized_property_owners, normalized_users,"
            + " normalized_vendors, normalized_tenants, normalized_owners, normalized_properties CASCADE";

    private DoorLoopNormalizeBench() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int baselineLimit = args.length > 1 ? Integer.parseInt(args[1]) : Integer.MAX_VALUE;
        String db = "bench_doorloop_normalize";
        DataSource ds = NormalizeTestDb.create(db);
        JdbcTemplate plain = new JdbcTemplate(ds);
        NormalizeTestDb.truncate(plain);
        long t0 = System.nanoTime();
        Map<String, Integer> loaded = RawLoader.load(ds, dir);
        long rawRows = loaded.values().stream().mapToLong(Integer::longValue).sum();
        System.err.printf("loaded %d raw records in %.1f s: %s%n", rawRows, secs(t0), loaded);
        plain.execute("VACUUM ANALYZE");
        JsonNode expected = RawLoader.JSON.readTree(dir.resolve("expected_kpis.json").toFile());
        LocalDate d = LocalDate.parse(expected.get("as_of").asText());

        try (ConfigurableApplicationContext hub = startHub(db)) {
            FlowRunner runner = hub.getBean(FlowRunner.class);
            ManagedCamelContext managed = hub.getBean(CamelContext.class).getCamelContextExtension()
                    .getContextPlugin(ManagedCamelContext.class);
            JdbcTemplate jdbc = hub.getBean(JdbcTemplate.class);

            // 1. the flow route into empty normalized tables
            t0 = System.nanoTime();
            RunRecord first = runner.run("doorloop-normalize", "bench", Map.of());
            double routeRunSecs = secs(t0);
            check(first);
            long rows = sum(first, "inserted");
            double routeEntitiesSecs = managed.getManagedProcessor("doorloop-normalize-entities").getLastProcessingTime() / 1000.0;
            double routeViewsSecs = managed.getManagedProcessor("doorloop-normalize-refresh-views").getLastProcessingTime() / 1000.0;
            System.err.printf("route: %d rows, entities %.2f s, views %.2f s, run %.2f s; stats %s%n", rows, routeEntitiesSecs,
                    routeViewsSecs, routeRunSecs, first.stats());

            // what Camel adds around the statements: the entity route's time outside its steps (channel, DLC, JMX)
            long entityRouteMs = managed.getManagedRoute("doorloop-normalize-entity").getTotalProcessingTime();
            long entityStepsMs = 0;
            for (String step : List.of("check", "begin", "parents", "upsert", "settle")) {
                entityStepsMs += managed.getManagedProcessor("doorloop-normalize-entity-" + step).getTotalProcessingTime();
            }
            System.err.printf("entity route %d ms, its steps %d ms%n", entityRouteMs, entityStepsMs);

            // 2. the same run again: nothing changes
            t0 = System.nanoTime();
            RunRecord rerun = runner.run("doorloop-normalize", "bench", Map.of());
            double rerunSecs = secs(t0);
            check(rerun);
            if (((Number) rerun.stats().get("rows_changed")).longValue() != 0) {
                throw new IllegalStateException("the second normalize changed " + rerun.stats().get("rows_changed") + " rows");
            }
            double rerunEntitiesSecs = managed.getManagedProcessor("doorloop-normalize-entities").getLastProcessingTime() / 1000.0;

            // 3. KPIs as of the data set's date through doorloop-kpis, compared with expected_kpis.json
            RunRecord kpi = runner.run("doorloop-kpis", "bench", Map.of("as_of", d.toString()));
            if (!RunRecord.SUCCEEDED.equals(kpi.status())) {
                throw new IllegalStateException("doorloop-kpis ended " + kpi.status() + ": " + kpi.error());
            }
            long kpiMs = ((Number) kpi.stats().get("compute_ms")).longValue();
            long kpiRows = ((Number) kpi.stats().get("rows_written")).longValue();
            long mismatches = mismatches(jdbc, d, expected);

            // 4. the same statements without Camel: one connection in mapping order, as before the routes
            jdbc.execute(TRUNCATE);
            double oneSecs;
            try (Connection c = ds.getConnection()) {
                NormalizeRepository one = new NormalizeRepository(new JdbcTemplate(new SingleConnectionDataSource(c, true)),
                        RawLoader.JSON);
                t0 = System.nanoTime();
                long n = 0;
                for (EntitySpec spec : DoorLoopMapping.ENTITIES) {
                    n += normalize(one, spec);
                }
                oneSecs = secs(t0);
                same(n, rows, "one connection");
            }
            NormalizeRepository pooled = new NormalizeRepository(jdbc, RawLoader.JSON);
            // 5. layer by layer on two connections, without Camel
            jdbc.execute(TRUNCATE);
            t0 = System.nanoTime();
            same(layers(pooled, 2), rows, "layers");
            double layersSecs = secs(t0);
            // 6. each entity as soon as its parents are done, on two connections (no layer barrier)
            jdbc.execute(TRUNCATE);
            t0 = System.nanoTime();
            same(dag(pooled, 2), rows, "dag");
            double dagSecs = secs(t0);

            // 7. baseline: row by row, the same mapping, into emptied tables
            jdbc.execute(TRUNCATE);
            double[] base = rowByRow(ds, baselineLimit);
            double baseRate = base[0] / base[1];

            // 8. the flow route again into empty tables, after the baseline: the machine's load drifts over
            // minutes, so the route's rate is the mean of the runs before and after the baseline
            jdbc.execute(TRUNCATE);
            check(runner.run("doorloop-normalize", "bench", Map.of()));
            double routeEntitiesSecsAfter = managed.getManagedProcessor("doorloop-normalize-entities").getLastProcessingTime() / 1000.0;
            System.err.printf("route entities: %.2f s before the baseline, %.2f s after%n", routeEntitiesSecs, routeEntitiesSecsAfter);
            double routeSecs = (routeEntitiesSecs + routeEntitiesSecsAfter) / 2;
            String subset = baselineLimit == Integer.MAX_VALUE ? "all" : "first" + baselineLimit + "-per-entity";

            BenchReport.line("doorloop-normalize-route-rows-per-s(" + rows + "-rows,2-connections,baseline=row-by-row-jdbc-upsert-"
                    + subset + ")", rows / routeSecs, "rows/s", baseRate);
            BenchReport.line("doorloop-normalize-direct-one-connection-rows-per-s(baseline=row-by-row-jdbc-upsert-" + subset + ")",
                    rows / oneSecs, "rows/s", baseRate);
            BenchReport.line("doorloop-normalize-route-entities-seconds(baseline=same-scheduling-without-camel)", routeEntitiesSecs,
                    "s", dagSecs);
            BenchReport.line("doorloop-normalize-entity-route-overhead-ms(outside-its-steps,12-exchanges)",
                    entityRouteMs - entityStepsMs, "ms", entityRouteMs);
            BenchReport.line("doorloop-normalize-layer-by-layer-seconds(baseline=entity-as-soon-as-its-parents-are-done)", layersSecs,
                    "s", dagSecs);
            BenchReport.line("doorloop-normalize-route-run-seconds(entities+materialized-views)", routeRunSecs, "s");
            BenchReport.line("doorloop-normalize-rerun-unchanged-entities-seconds", rerunEntitiesSecs, "s");
            BenchReport.line("doorloop-normalize-refresh-materialized-views-seconds", routeViewsSecs, "s");
            BenchReport.line("doorloop-kpis-compute-ms(" + kpiRows + "-kpi-rows)", kpiMs, "ms");
            BenchReport.line("doorloop-kpis-mismatches-vs-expected_kpis.json", mismatches, "count");
            if (mismatches != 0) {
                System.exit(1);
            }
        }
    }

    private static void check(RunRecord run) {
        if (!RunRecord.SUCCEEDED.equals(run.status())) {
            throw new IllegalStateException("doorloop-normalize ended " + run.status() + ": " + run.error());
        }
    }

    private static long sum(RunRecord run, String key) {
        long n = 0;
        for (String group : DoorLoopMapping.statsGroups()) {
            if (run.stats().get(group) instanceof Map<?, ?> g && g.get(key) instanceof Number v) {
                n += v.longValue();
            }
        }
        return n;
    }

    private static void same(long n, long rows, String what) {
        if (n != rows) {
            throw new IllegalStateException("the " + what + " normalize wrote " + n + " rows, the route " + rows);
        }
    }

    /** One entity as the route's entity step does it: the statement, the vanished links, ANALYZE. */
    private static long normalize(NormalizeRepository repo, EntitySpec spec) {
        EntityResult r = repo.normalize(spec);
        if (spec.derived()) {
            repo.markVanished(spec);
        }
        repo.analyze(spec);
        if (!r.rejected().isEmpty()) {
            throw new IllegalStateException(spec.entityType() + ": " + r.rejected().size() + " rejected, e.g. " + r.rejected().get(0).reason());
        }
        return r.inserted();
    }

    private static long layers(NormalizeRepository repo, int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            long n = 0;
            for (List<EntitySpec> layer : EntityDag.layers(DoorLoopMapping.ENTITIES)) {
                List<Future<Long>> done = new ArrayList<>();
                for (EntitySpec spec : layer) {
                    done.add(pool.submit(() -> normalize(repo, spec)));
                }
                for (Future<Long> f : done) {
                    n += f.get();
                }
            }
            return n;
        } finally {
            pool.shutdownNow();
        }
    }

    private static long dag(NormalizeRepository repo, int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            AtomicLong n = new AtomicLong();
            Map<String, CompletableFuture<Void>> byTable = new HashMap<>();
            for (EntitySpec spec : DoorLoopMapping.ENTITIES) {
                CompletableFuture<?>[] parents = spec.parentTables().stream().map(byTable::get).toArray(CompletableFuture[]::new);
                byTable.put(spec.table(), CompletableFuture.allOf(parents).thenRunAsync(() -> n.addAndGet(normalize(repo, spec)), pool));
            }
            CompletableFuture.allOf(byTable.values().toArray(CompletableFuture[]::new)).get();
            return n.get();
        } finally {
            pool.shutdownNow();
        }
    }

    /** Row by row: {rows, seconds}. */
    private static double[] rowByRow(DataSource ds, int baselineLimit) throws Exception {
        long baseRows = 0;
        long baseNanos = 0;
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
                System.err.printf("  baseline %-16s %8d rows %6.2f s%n", spec.statsGroup(), n, nanos / 1e9);
            }
            read.commit();
        }
        return new double[] {baseRows, baseNanos / 1e9};
    }

    private static ConfigurableApplicationContext startHub(String db) throws Exception {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("DATABASE_URL", TestDatabase.jdbcUrl(db));
        props.put("DATABASE_USER", "postgres");
        props.put("DATABASE_PASSWORD", "postgres");
        props.put("HUB_DATA_DIR", Files.createTempDirectory("bench-normalize").toString());
        props.put("hub.doorloop.normalize.parallelism", "2");
        props.put("hub.scheduling.enabled", "false");
        props.put("spring.quartz.auto-startup", "false");
        props.put("camel.component.quartz.auto-start-scheduler", "false");
        props.put("logging.level.root", "WARN");
        props.put("logging.level.hub.progress", "INFO");
        props.forEach(System::setProperty);
        return new SpringApplicationBuilder(HubApplication.class).web(WebApplicationType.NONE).run();
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
