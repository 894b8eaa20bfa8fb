package com.altus.hub.bench;

import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.altus.hub.HubApplication;
import com.altus.hub.doorloop.DoorLoopResource;
import com.altus.hub.doorloop.FakeDoorLoop;
import com.altus.hub.doorloop.RawTable;
import com.altus.hub.platform.run.FlowRunner;
import com.altus.hub.platform.run.RunRecord;
import com.altus.hub.test.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.api.management.ManagedCamelContext;
import org.apache.camel.api.management.mbean.ManagedProcessorMBean;
import org.apache.camel.api.management.mbean.ManagedRouteMBean;
import org.postgresql.PGConnection;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * DoorLoop raw ingestion benchmark, through the routes. Serves recorded pages (gen_data.py
 * doorloop, page size 1000) from {@link FakeDoorLoop} over HTTP; a hub (no web server, its own
 * database) pulls every resource twice with the {@code doorloop-sync} flow route (the
 * {@code doorloop-resource} route requesting the pages through Camel's http component):
 * <ul>
 *   <li>requests of the first pull against the minimum, sum of max(1, ceil(total/1000));</li>
 *   <li>raw-store throughput (the store step's rows/s) of the first pull (all inserts) and of the
 *       second (all unchanged), against a plain COPY of the same rows into an unindexed
 *       (id, data jsonb) table, one transaction per page and one COPY for everything;</li>
 *   <li>what the Camel steps cost: the http component's request step plus the step that parses
 *       the envelope, against a plain JDK HttpClient GET and Jackson parse of the same pages; the
 *       route's time outside its steps (loops, split, per-page steps, JMX statistics), from
 *       Camel's own per-processor statistics.</li>
 * </ul>
 * Each resource is pulled by a run of its own ({@code resources} parameter) right after its
 * baseline COPY (load on a shared machine drifts). Usage: DoorLoopRawBench DIR
 */
public final class DoorLoopRawBench {
    private static final String TOKEN = "bench-doorloop-token";
    private static final List<String> STEPS = List.of("doorloop-resource-begin", "doorloop-resource-next-page",
            "doorloop-resource-acquire", "doorloop-resource-get", "doorloop-resource-response", "doorloop-resource-store",
            "doorloop-resource-finish");

    private static final HttpClient JDK = HttpClient.newHttpClient();

    private DoorLoopRawBench() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        ObjectMapper json = new ObjectMapper();
        String db = "bench_doorloop_" + ProcessHandle.current().pid();
        TestDatabase.createDatabase(db);
        HikariConfig cfg = new HikariConfig();
        cfg.setJdbcUrl(TestDatabase.jdbcUrl(db));
        cfg.setUsername("postgres");
        cfg.setPassword("postgres");
        cfg.setMaximumPoolSize(2);
        try (HikariDataSource ds = new HikariDataSource(cfg); FakeDoorLoop fake = new FakeDoorLoop(TOKEN)) {
            fake.load(dir);
            long records = 0;
            long minimum = 0;
            for (DoorLoopResource r : DoorLoopResource.values()) {
                int total = fake.records(r).size();
                records += total;
                minimum += Math.max(1, (total + 999) / 1000);
            }
            System.err.printf("doorloop-raw: %d records in %s, minimum %d requests%n", records, dir, minimum);

            try (ConfigurableApplicationContext hub = startHub(db, fake.apiUrl())) {
                FlowRunner runner = hub.getBean(FlowRunner.class);
                ManagedCamelContext managed = hub.getBean(CamelContext.class).getCamelContextExtension()
                        .getContextPlugin(ManagedCamelContext.class);
                Baseline baseline = new Baseline(ds);
                Map<String, Long> first = new LinkedHashMap<>();
                Map<String, Long> second = new LinkedHashMap<>();
                long firstRunMs = 0;
                double jdkMs = 0;
                for (DoorLoopResource r : DoorLoopResource.values()) {
                    baseline.measure(pages(dir, r, json));
                    jdkMs += plainFetch(fake, r, json);
                    firstRunMs += pull(runner, r, first);
                }
                Map<String, Long> camelFirst = processingTimes(managed);
                System.err.printf("doorloop-raw: the same pages with the JDK HttpClient and Jackson in %.0f ms%n", jdkMs);
                for (DoorLoopResource r : DoorLoopResource.values()) {
                    baseline.measure(pages(dir, r, json));
                    pull(runner, r, second);
                }
                long firstWrites = first.get("inserted") + first.get("updated");
                long secondWrites = second.get("inserted") + second.get("updated") + second.get("deleted");
                long storedRows = records + workOrders(fake);
                System.err.printf("doorloop-raw: first pull %s%n", first);
                System.err.printf("doorloop-raw: second pull wrote %d rows (expected 0)%n", secondWrites);
                if (firstWrites != storedRows || secondWrites != 0) {
                    throw new IllegalStateException("the pulls did not store what they should: first wrote " + firstWrites
                            + " rows for " + records + " records (+ work orders), second wrote " + secondWrites);
                }
                double copyRate = 2 * storedRows / (baseline.pagedMs / 1000.0);
                double bulkRate = 2 * storedRows / (baseline.bulkMs / 1000.0);
                double insertRate = storedRows / (first.get("store_ms") / 1000.0);
                double unchangedRate = storedRows / (second.get("store_ms") / 1000.0);
                long httpAndParse = camelFirst.get("doorloop-resource-get") + camelFirst.get("doorloop-resource-response");
                long steps = 0;
                for (String s : STEPS) {
                    steps += camelFirst.get(s);
                }
                long routeOverhead = camelFirst.get("route:doorloop-sync") - steps;
                System.err.printf("doorloop-raw: Camel processing times of the first pull (ms): %s%n", camelFirst);

                BenchReport.line("doorloop-raw-requests", first.get("requests"), "requests", minimum);
                BenchReport.line("doorloop-raw-store-insert", insertRate, "rows/s", copyRate);
                BenchReport.line("doorloop-raw-store-unchanged", unchangedRate, "rows/s", copyRate);
                BenchReport.line("doorloop-raw-store-insert-vs-bulk-copy", insertRate, "rows/s", bulkRate);
                BenchReport.line("doorloop-raw-pull", records / (firstRunMs / 1000.0), "records/s");
                BenchReport.line("doorloop-raw-fetch-ms(http-component+envelope-step,baseline=jdk-httpclient+jackson)",
                        httpAndParse, "ms", jdkMs);
                BenchReport.line("doorloop-raw-route-overhead-ms(outside-the-steps,of-" + firstRunMs + "-ms)", routeOverhead, "ms");
            }
        }
    }

    /** One run of doorloop-sync for one resource; adds its stats (summed over entities) to {@code into}. */
    private static long pull(FlowRunner runner, DoorLoopResource r, Map<String, Long> into) {
        long t0 = System.nanoTime();
        RunRecord run = runner.run("doorloop-sync", "bench", Map.of("resources", r.path()));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        if (!RunRecord.SUCCEEDED.equals(run.status())) {
            throw new IllegalStateException("the pull of " + r.path() + " ended " + run.status() + ": " + run.error());
        }
        Map<String, Object> stats = run.stats();
        for (String k : List.of("requests", "retries", "fetch_ms", "store_ms")) {
            into.merge(k, ((Number) stats.get(k)).longValue(), Long::sum);
        }
        for (RawTable t : RawTable.values()) {
            if (stats.get(t.entity()) instanceof Map<?, ?> g) {
                for (String k : List.of("inserted", "updated", "unchanged", "deleted")) {
                    into.merge(k, ((Number) g.get(k)).longValue(), Long::sum);
                }
            }
        }
        into.putIfAbsent("inserted", 0L);
        into.putIfAbsent("updated", 0L);
        into.putIfAbsent("deleted", 0L);
        System.err.printf("doorloop-raw: %s in %d ms (%s requests)%n", r.path(), ms, stats.get("requests"));
        return ms;
    }

    /** Camel's total processing time (ms) of each step of doorloop-resource and of the flow route, so far. */
    private static Map<String, Long> processingTimes(ManagedCamelContext managed) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String s : STEPS) {
            ManagedProcessorMBean p = managed.getManagedProcessor(s);
            out.put(s, p == null ? 0 : p.getTotalProcessingTime());
        }
        ManagedRouteMBean route = managed.getManagedRoute("doorloop-sync");
        out.put("route:doorloop-sync", route.getTotalProcessingTime());
        return out;
    }

    /** The same page requests of a resource with the JDK's HttpClient and a Jackson parse, no Camel: the fetch baseline (ms). */
    private static double plainFetch(FakeDoorLoop fake, DoorLoopResource r, ObjectMapper json) throws Exception {
        long t0 = System.nanoTime();
        int n = Math.max(1, (fake.records(r).size() + 999) / 1000);
        for (int page = 1; page <= n; page++) {
            HttpRequest req = HttpRequest.newBuilder(URI.create(fake.apiUrl() + "/" + r.path() + "?page_number=" + page
                    + "&page_size=1000")).header("Authorization", "bearer " + TOKEN).GET().build();
            HttpResponse<java.io.InputStream> res = JDK.send(req, HttpResponse.BodyHandlers.ofInputStream());
            try (java.io.InputStream in = res.body()) {
                JsonNode body = json.readTree(in);
                if (res.statusCode() != 200 || !body.path("data").isArray()) {
                    throw new IllegalStateException("the fake answered " + res.statusCode());
                }
            }
        }
        return (System.nanoTime() - t0) / 1e6;
    }

    private static ConfigurableApplicationContext startHub(String db, String apiUrl) throws Exception {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("DATABASE_URL", TestDatabase.jdbcUrl(db));
        props.put("DATABASE_USER", "postgres");
        props.put("DATABASE_PASSWORD", "postgres");
        props.put("HUB_DATA_DIR", Files.createTempDirectory("bench-doorloop").toString());
        props.put("DOORLOOP_BASE_URL", apiUrl);
        props.put("DOORLOOP_API_TOKEN", TOKEN);
        props.put("hub.doorloop.page-size", "1000");
        // the limiter is raised past the fake's speed: the benchmark measures the pull, not DoorLoop's budget
        props.put("hub.doorloop.rate.per-minute", "1000000");
        props.put("hub.doorloop.rate.per-hour", "1000000");
        props.put("hub.scheduling.enabled", "false");
        props.put("spring.quartz.auto-startup", "false");
        props.put("camel.component.quartz.auto-start-scheduler", "false");
        props.put("logging.level.root", "WARN");
        props.put("logging.level.hub.progress", "WARN");
        props.forEach(System::setProperty);
        return new SpringApplicationBuilder(HubApplication.class).web(WebApplicationType.NONE).run();
    }

    private static long workOrders(FakeDoorLoop fake) {
        return fake.records(DoorLoopResource.TASKS).stream().filter(t -> "WORK_ORDER".equals(t.path("type").asText())).count();
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
                st.execute("CREATE TABLE IF NOT EXISTS bench_copy_baseline (id text, data jsonb)");
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
