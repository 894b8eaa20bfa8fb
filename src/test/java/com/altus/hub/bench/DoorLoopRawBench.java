package com.altus.hub.bench;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.altus.hub.doorloop.DoorLoopHttpSource;
import com.altus.hub.doorloop.DoorLoopPacer;
import com.altus.hub.doorloop.DoorLoopRawStore;
import com.altus.hub.doorloop.DoorLoopResource;
import com.altus.hub.doorloop.DoorLoopResourcePull;
import com.altus.hub.doorloop.FakeDoorLoop;
import com.altus.hub.doorloop.PullListener;
import com.altus.hub.doorloop.RateLimiter;
import com.altus.hub.doorloop.RawTable;
import com.altus.hub.platform.http.Retrier;
import com.altus.hub.platform.run.RunStats;
import com.altus.hub.test.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.postgresql.PGConnection;

/**
 * DoorLoop raw ingestion benchmark. Serves recorded pages (gen_data.py doorloop, page size 1000)
 * from {@link FakeDoorLoop} over HTTP and pulls every resource twice with the production
 * classes (HTTP source, limiter raised past the fake's speed, raw store) into a fresh database:
 * <ul>
 *   <li>requests of the first pull against the minimum, sum of max(1, ceil(total/1000));</li>
 *   <li>raw-store throughput (rows/s in the store: COPY to staging, hash, upsert, commit) of the
 *       first pull (all inserts) and of the second (all unchanged), against a plain COPY of the
 *       same rows into an unindexed (id, data jsonb) table, measured in the same run, both one
 *       transaction per page (the store's granularity) and one COPY for everything.</li>
 * </ul>
 * Each resource's baseline is measured right before that resource is pulled (load on a shared
 * machine drifts). Usage: DoorLoopRawBench DIR
 */
public final class DoorLoopRawBench {
    private static final String TOKEN = "bench-doorloop-token";

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        ObjectMapper json = new ObjectMapper();
        String db = "bench_doorloop_" + ProcessHandle.current().pid();
        TestDatabase.createDatabase(db);
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl(TestDatabase.jdbcUrl(db));
        cfg.setUsername("postgres");
        cfg.setPassword("postgres");
        cfg.setMaximumPoolSize(4);
        try (HikariDataSource ds = new HikariDataSource(cfg); FakeDoorLoop fake = new FakeDoorLoop(TOKEN)) {
            Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
            fake.load(dir);
            long records = 0;
            long minimum = 0;
            for (DoorLoopResource r : DoorLoopResource.values()) {
                int total = fake.records(r).size();
                records += total;
                minimum += Math.max(1, (total + 999) / 1000);
            }
            System.err.printf("doorloop-raw: %d records in %s, minimum %d requests%n", records, dir, minimum);

            DoorLoopRawStore store = new DoorLoopRawStore(ds);
            DoorLoopResourcePull pull = new DoorLoopResourcePull(store, json, 0.5, 10);
            RateLimiter limiter = new RateLimiter(List.of(new RateLimiter.Window(1_000_000, java.time.Duration.ofMinutes(1))),
                    DoorLoopPacer.SYSTEM);
            DoorLoopHttpSource source = new DoorLoopHttpSource(java.net.URI.create(fake.apiUrl()), TOKEN, 1000, limiter,
                    Retrier.Policy.standard(), DoorLoopPacer.SYSTEM, java.time.Duration.ofSeconds(10),
                    java.time.Duration.ofSeconds(120), json);

            // The machine is shared, so load drifts over minutes: each resource's baseline COPY runs
            // right before that resource is pulled, and the sums are compared.
            Baseline baseline = new Baseline(ds);
            RunStats first = new RunStats();
            RunStats second = new RunStats();
            for (DoorLoopResource r : DoorLoopResource.values()) {
                List<List<String[]>> pages = pages(dir, r, json);
                baseline.measure(pages);
                pull.pull(source, fake.apiUrl() + "/" + r.path(), r, listener(first));
            }
            for (DoorLoopResource r : DoorLoopResource.values()) {
                baseline.measure(pages(dir, r, json));
                pull.pull(source, fake.apiUrl() + "/" + r.path(), r, listener(second));
            }
            long firstWrites = sum(first, "inserted") + sum(first, "updated");
            long secondWrites = sum(second, "inserted") + sum(second, "updated") + sum(second, "deleted");
            System.err.printf("doorloop-raw: first pull %s%n", first.snapshot());
            System.err.printf("doorloop-raw: second pull wrote %d rows (expected 0)%n", secondWrites);
            if (firstWrites != records + workOrders(fake) || secondWrites != 0) {
                throw new IllegalStateException("the pulls did not store what they should: first wrote " + firstWrites
                        + " rows for " + records + " records (+ work orders), second wrote " + secondWrites);
            }
            // rows written to raw tables include the work orders' second copy
            long storedRows = records + workOrders(fake);
            double copyRate = 2 * storedRows / (baseline.pagedMs / 1000.0);
            double bulkRate = 2 * storedRows / (baseline.bulkMs / 1000.0);
            double insertRate = storedRows / (first.get("store_ms") / 1000.0);
            double unchangedRate = storedRows / (second.get("store_ms") / 1000.0);

            BenchReport.line("doorloop-raw-requests", first.get("requests"), "requests", minimum);
            BenchReport.line("doorloop-raw-store-insert", insertRate, "rows/s", copyRate);
            BenchReport.line("doorloop-raw-store-unchanged", unchangedRate, "rows/s", copyRate);
            BenchReport.line("doorloop-raw-store-insert-vs-bulk-copy", insertRate, "rows/s", bulkRate);
            BenchReport.line("doorloop-raw-pull", records / (first.get("fetch_ms") / 1000.0 + first.get("store_ms") / 1000.0),
                    "records/s");
        }
    }

    private static long workOrders(FakeDoorLoop fake) {
        return fake.records(DoorLoopResource.TASKS).stream().filter(t -> "WORK_ORDER".equals(t.path("type").asText())).count();
    }

    private static long sum(RunStats stats, String key) {
        long n = 0;
        for (RawTable t : RawTable.values()) {
            n += stats.group(t.entity()).get(key);
        }
        return n;
    }

    private static PullListener listener(RunStats stats) {
        return new PullListener() {
            @Override
            public RunStats stats() {
                return stats;
            }

            @Override
            public void progress(String format, Object... args) {
                if (format.contains("done")) {
                    System.err.println("doorloop-raw: " + org.slf4j.helpers.MessageFormatter.arrayFormat(format, args).getMessage());
                }
            }

            @Override
            public void badRecord(RawTable entity, String key, JsonNode payload, String reason) {
                throw new IllegalStateException("generated data has an unstorable record: " + reason);
            }

            @Override
            public void partial(String reason) {
                throw new IllegalStateException(reason);
            }

            @Override
            public void checkNotCancelled() {
            }
        };
    }

    /** The rows the store writes for a resource, page by page: [id, json] of every record, work orders again. */
    private static List<List<String[]>> pages(Path dir, DoorLoopResource r, ObjectMapper json) throws Exception {
        List<List<String[]>> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir.resolve(r.fixtureDir()))) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("page-")).sorted().toList()) {
                List<String[]> page = new ArrayList<>();
                List<String[]> workOrders = new ArrayList<>();
                for (JsonNode n : json.readTree(f.toFile()).get("data")) {
                    String[] row = {n.get("id").asText(), json.writeValueAsString(n)};
                    page.add(row);
                    if (r.carriesWorkOrders() && "WORK_ORDER".equals(n.path("type").asText())) {
                        workOrders.add(row);
                    }
                }
                out.add(page);
                if (!workOrders.isEmpty()) {
                    out.add(workOrders);
                }
            }
        }
        return out;
    }

    /** COPY of the same rows into a plain (id, data jsonb) table: one transaction per page, and one COPY for all. */
    private static final class Baseline {
        private final HikariDataSource ds;
        double pagedMs;
        double bulkMs;

        Baseline(HikariDataSource ds) throws Exception {
            this.ds = ds;
            try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE bench_copy_baseline (id text, data jsonb)");
            }
        }

        void measure(List<List<String[]>> pages) throws Exception {
            pagedMs += copy(pages, true);
            bulkMs += copy(pages, false);
        }

        private double copy(List<List<String[]>> pages, boolean perPage) throws Exception {
            try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
                st.execute("TRUNCATE bench_copy_baseline");
            }
            long start = System.nanoTime();
            try (Connection c = ds.getConnection()) {
                c.setAutoCommit(false);
                StringBuilder sb = new StringBuilder();
                for (List<String[]> page : pages) {
                    for (String[] row : page) {
                        escape(sb, row[0]);
                        sb.append('\t');
                        escape(sb, row[1]);
                        sb.append('\n');
                    }
                    if (perPage) {
                        DoorLoopRawBench.copy(c, sb);
                        c.commit();
                        sb.setLength(0);
                    }
                }
                if (!perPage) {
                    DoorLoopRawBench.copy(c, sb);
                    c.commit();
                }
                c.setAutoCommit(true);
            }
            return (System.nanoTime() - start) / 1e6;
        }
    }

    private static void copy(Connection c, StringBuilder rows) throws Exception {
        c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY bench_copy_baseline (id, data) FROM STDIN",
                new StringReader(rows.toString()), 1 << 16);
    }

    private static void escape(StringBuilder out, String v) {
        for (int i = 0; i < v.length(); i++) {
            char ch = v.charAt(i);
            switch (ch) {
                case '\\' -> out.append("\\\\");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> out.append(ch);
            }
        }
    }
}
