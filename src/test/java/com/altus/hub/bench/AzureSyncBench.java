package com.altus.hub.bench;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import javax.sql.DataSource;

import com.altus.hub.HubApplication;
import com.altus.hub.platform.run.FlowRunner;
import com.altus.hub.platform.run.RunRecord;
import com.altus.hub.schedule.FakeSupabase;
import com.altus.hub.schedule.UserCopyWriter;
import com.altus.hub.schedule.UsersFileReader;
import com.altus.hub.test.AzuriteServer;
import com.altus.hub.test.TestDatabase;
import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.fasterxml.jackson.core.JsonFactory;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * azure-sync benchmarks (bench/azure.bench), each against a real hub context on embedded
 * PostgreSQL with its baseline measured in the same JVM:
 * <ul>
 *   <li>{@code users DIR}: first sync of DIR/users.json with auth off, as users per second, against a
 *       plain COPY of the same rows into a table of the same shape; peak heap of the sync.</li>
 *   <li>{@code rerun DIR}: with Supabase Auth (the fake) on, after a first sync: a re-run with the
 *       blob unchanged, and one with users.json rewritten with the same users (new ETag, full
 *       re-processing); seconds and auth calls, against the first sync's duration.</li>
 *   <li>{@code blobs DIR}: a container (Azurite) of the 1,000 blobs in DIR, synced once, then a
 *       re-run: seconds and downloads, against a bare SDK listing of the same container.</li>
 * </ul>
 */
public final class AzureSyncBench {
    private static final String[] ROUTES = {"azure-sync", "azure-sync-blob", "azure-sync-auth"};

    private AzureSyncBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: AzureSyncBench users|rerun|blobs DIR");
        }
        Path dir = Path.of(args[1]).toAbsolutePath();
        try {
            switch (args[0]) {
                case "users" -> users(dir);
                case "rerun" -> rerun(dir);
                case "blobs" -> blobs(dir);
                default -> throw new IllegalArgumentException("unknown benchmark " + args[0]);
            }
        } catch (Throwable t) {
            // a failed benchmark ends with its reason and a non-zero code, whatever threads are left
            t.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    private static void users(Path dir) throws Exception {
        Path blobDir = usersOnly(dir);
        try (ConfigurableApplicationContext hub = startHub(Map.of("HUB_BLOB_DIR", blobDir.toString()))) {
            JdbcTemplate jdbc = hub.getBean(JdbcTemplate.class);
            FlowRunner runner = hub.getBean(FlowRunner.class);
            DataSource ds = hub.getBean(DataSource.class);
            byte[] rows = copyText(blobDir.resolve("users.json"));
            long users = countLines(rows);
            jdbc.execute("DROP TABLE IF EXISTS bench_copy_baseline");
            jdbc.execute("CREATE TABLE bench_copy_baseline (LIKE user_profiles_stage INCLUDING ALL, PRIMARY KEY (id))");

            // one untimed round of each warms the JIT and PostgreSQL's caches
            copy(ds, rows);
            sync(runner, jdbc, true);
            double copySeconds = Double.MAX_VALUE;
            double syncSeconds = Double.MAX_VALUE;
            double peak = 0;
            for (int i = 0; i < 3; i++) {
                copySeconds = Math.min(copySeconds, copy(ds, rows));
                System.gc();
                BenchReport.resetPeakHeap();
                double s = sync(runner, jdbc, true);
                peak = Math.max(peak, BenchReport.peakHeapMiB());
                syncSeconds = Math.min(syncSeconds, s);
            }
            StepTimes.print(hub.getBean(org.apache.camel.CamelContext.class), "first syncs of users.json (warm-up and 3 measured)", ROUTES);
            long profiles = jdbc.queryForObject("SELECT count(*) FROM user_profiles", Long.class);
            if (profiles != users) {
                throw new IllegalStateException("synced " + profiles + " profiles, the file has " + users);
            }
            BenchReport.line("azure_users_first_sync_" + users, users / syncSeconds, "users/s", users / copySeconds);
            BenchReport.line("azure_users_first_sync_peak_heap_" + users, peak, "MiB");
        }
    }

    private static void rerun(Path dir) throws Exception {
        Path blobDir = usersOnly(dir);
        try (CountingGoTrue gotrue = new CountingGoTrue();
             ConfigurableApplicationContext hub = startHub(Map.of("HUB_BLOB_DIR", blobDir.toString(),
                     "SUPABASE_URL", gotrue.baseUrl(), "SUPABASE_SERVICE_ROLE_KEY", FakeSupabase.SERVICE_KEY,
                     "hub.azure.auth.concurrency", "8"))) {
            JdbcTemplate jdbc = hub.getBean(JdbcTemplate.class);
            FlowRunner runner = hub.getBean(FlowRunner.class);
            double first = sync(runner, jdbc, true);
            // users, not calls: a create retried after an I/O error under load is one user
            long created = gotrue.createdIds.size();
            long firstCalls = gotrue.calls.get();
            gotrue.calls.set(0);

            double skip = sync(runner, jdbc, false);
            long skipCalls = gotrue.calls.get();
            // same users, new bytes and mtime: a new ETag, so the file is downloaded, parsed and diffed again
            Path users = blobDir.resolve("users.json");
            String text = Files.readString(users).replaceFirst("\"GeneratedAt\": ?\"[^\"]*\"", "\"GeneratedAt\":\"2030-01-01T00:00:00Z\"");
            Files.writeString(users, text);
            Files.setLastModifiedTime(users, FileTime.from(Instant.now()));
            double reprocess = sync(runner, jdbc, false);
            long reprocessCalls = gotrue.calls.get();
            long synced = jdbc.queryForObject("SELECT count(*) FROM user_profiles WHERE auth_synced_hash = auth_hash", Long.class);
            if (synced != created || skipCalls != 0 || reprocessCalls != 0) {
                throw new IllegalStateException("auth users " + created + "/" + synced + ", calls on re-runs " + skipCalls + "/"
                        + reprocessCalls);
            }
            System.err.printf("first sync: %d auth users created with %d calls%n", created, firstCalls);
            BenchReport.line("azure_users_rerun_unchanged_" + created, skip, "s", first);
            BenchReport.line("azure_users_rerun_unchanged_auth_calls", skipCalls, "calls");
            BenchReport.line("azure_users_rerun_rewritten_same_users_" + created, reprocess, "s", first);
            BenchReport.line("azure_users_rerun_rewritten_auth_calls", reprocessCalls, "calls");
        }
    }

    /**
     * GoTrue's admin API reduced to what a first sync calls (create answers 200), counting calls
     * and recording nothing else, so that provisioning 100,000 users measures the hub rather than
     * a fake that keeps every request (the tests' {@link FakeSupabase} does).
     */
    private static final class CountingGoTrue implements AutoCloseable {
        final java.util.concurrent.atomic.AtomicLong calls = new java.util.concurrent.atomic.AtomicLong();
        final java.util.Set<String> createdIds = java.util.concurrent.ConcurrentHashMap.newKeySet();
        private static final java.util.regex.Pattern ID = java.util.regex.Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"");
        private final com.sun.net.httpserver.HttpServer server;
        // daemon threads, shut down on close: a failed check must end the JVM, not leave it waiting
        private final java.util.concurrent.ExecutorService executor = java.util.concurrent.Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "counting-gotrue");
            t.setDaemon(true);
            return t;
        });

        CountingGoTrue() throws java.io.IOException {
            // without it the JDK server's header and body writes meet Nagle and delayed ACKs: 40 ms per call
            System.setProperty("sun.net.httpserver.nodelay", "true");
            server = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 256);
            server.setExecutor(executor);
            server.createContext("/auth/v1/admin/users", ex -> {
                calls.incrementAndGet();
                byte[] body = ex.getRequestBody().readAllBytes();
                int status = "POST".equals(ex.getRequestMethod()) ? 200 : 404;
                if (status == 200) {
                    java.util.regex.Matcher m = ID.matcher(new String(body, StandardCharsets.UTF_8));
                    if (m.find()) {
                        createdIds.add(m.group(1));
                    }
                }
                byte[] answer = status == 200 ? body : "{\"error_code\":\"user_not_found\"}".getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("Content-Type", "application/json");
                ex.sendResponseHeaders(status, answer.length);
                ex.getResponseBody().write(answer);
                ex.close();
            });
            server.start();
        }

        String baseUrl() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        @Override
        public void close() {
            server.stop(0);
            executor.shutdownNow();
        }
    }

    private static void blobs(Path dir) throws Exception {
        AzuriteServer azurite = AzuriteServer.get();
        String containerName = "bench-blobs";
        BlobContainerClient container = new BlobServiceClientBuilder().connectionString(azurite.connectionString()).buildClient()
                .getBlobContainerClient(containerName);
        container.deleteIfExists();
        container.create();
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
        }
        for (Path f : files) {
            container.getBlobClient(f.getFileName().toString()).upload(BinaryData.fromFile(f), true);
        }
        Path data = Files.createTempDirectory("bench-azure-blobs");
        try (ConfigurableApplicationContext hub = startHub(Map.of("AZURE_STORAGE_CONNECTION_STRING", azurite.connectionString(),
                "AZURE_BLOB_CONTAINER", containerName, "HUB_DATA_DIR", data.toString()))) {
            JdbcTemplate jdbc = hub.getBean(JdbcTemplate.class);
            FlowRunner runner = hub.getBean(FlowRunner.class);
            RunRecord first = runner.run("azure-sync", "bench", Map.of());
            if (((Number) first.stats().get("blobs_processed")).intValue() != files.size()) {
                throw new IllegalStateException("first sync: " + first.stats() + " " + first.error());
            }
            runner.run("azure-sync", "bench", Map.of()); // warm-up of the re-run path
            org.apache.camel.CamelContext camel = hub.getBean(org.apache.camel.CamelContext.class);
            StepTimes.reset(camel, ROUTES);
            double baseline = Double.MAX_VALUE;
            double rerun = Double.MAX_VALUE;
            long downloads = 0;
            for (int i = 0; i < 3; i++) {
                long t0 = System.nanoTime();
                int listed = 0;
                for (var ignored : container.listBlobs()) {
                    listed++;
                }
                baseline = Math.min(baseline, (System.nanoTime() - t0) / 1e9);
                if (listed != files.size()) {
                    throw new IllegalStateException("listed " + listed);
                }
                long t1 = System.nanoTime();
                RunRecord r = runner.run("azure-sync", "bench", Map.of());
                rerun = Math.min(rerun, (System.nanoTime() - t1) / 1e9);
                downloads += ((Number) r.stats().get("blobs_downloaded")).longValue();
                if (((Number) r.stats().get("blobs_skipped_unchanged")).intValue() != files.size()) {
                    throw new IllegalStateException("re-run: " + r.stats());
                }
            }
            StepTimes.print(camel, "3 re-runs of " + files.size() + " unchanged blobs", ROUTES);
            BenchReport.line("azure_unchanged_container_" + files.size() + "_blobs", rerun, "s", baseline);
            BenchReport.line("azure_unchanged_container_downloads", downloads, "downloads");
            long states = jdbc.queryForObject("SELECT count(*) FROM blob_state", Long.class);
            if (states != files.size()) {
                throw new IllegalStateException("blob_state holds " + states + " rows for " + files.size() + " blobs");
            }
        }
    }

    /** Runs the flow; with {@code fresh}, on empty tables first. Answers seconds. */
    private static double sync(FlowRunner runner, JdbcTemplate jdbc, boolean fresh) {
        if (fresh) {
            jdbc.execute("TRUNCATE schedule_data, user_profiles, auth_user_deletions, blob_state, companies, service_company_groups");
        }
        long t0 = System.nanoTime();
        RunRecord r = runner.run("azure-sync", "bench", Map.of());
        double s = (System.nanoTime() - t0) / 1e9;
        if (!r.succeeded()) {
            throw new IllegalStateException("azure-sync " + r.status() + ": " + r.error() + " " + r.stats());
        }
        return s;
    }

    /** The baseline: COPY of the already rendered rows into an empty table of the profiles' shape. */
    private static double copy(DataSource ds, byte[] rows) throws Exception {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("TRUNCATE bench_copy_baseline");
            long t0 = System.nanoTime();
            c.setAutoCommit(false);
            CopyIn in = c.unwrap(PGConnection.class).getCopyAPI().copyIn(
                    "COPY bench_copy_baseline (" + UserCopyWriter.COLUMNS + ") FROM STDIN");
            for (int off = 0; off < rows.length; off += 1 << 20) {
                in.writeToCopy(rows, off, Math.min(1 << 20, rows.length - off));
            }
            in.endCopy();
            c.commit();
            c.setAutoCommit(true);
            return (System.nanoTime() - t0) / 1e9;
        }
    }

    private static byte[] copyText(Path usersJson) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringBuilder line = new StringBuilder();
        java.security.MessageDigest md5 = UserCopyWriter.newMd5();
        try (InputStream in = Files.newInputStream(usersJson)) {
            new UsersFileReader(new JsonFactory()).read(in, u -> {
                line.setLength(0);
                UserCopyWriter.appendRow(line, u, md5);
                out.writeBytes(line.toString().getBytes(StandardCharsets.UTF_8));
            });
        }
        return out.toByteArray();
    }

    private static long countLines(byte[] rows) {
        long n = 0;
        for (byte b : rows) {
            if (b == '\n') {
                n++;
            }
        }
        return n;
    }

    /** A folder holding only DIR/users.json (a copy, so the rerun benchmark may rewrite it). */
    private static Path usersOnly(Path dir) throws Exception {
        Path only = Files.createTempDirectory("bench-users-only");
        Files.copy(dir.resolve("users.json"), only.resolve("users.json"));
        return only;
    }

    private static ConfigurableApplicationContext startHub(Map<String, String> env) throws Exception {
        TestDatabase.install();
        Map<String, Object> props = new HashMap<>(env);
        props.putIfAbsent("HUB_DATA_DIR", Files.createTempDirectory("bench-azure").toString());
        props.put("hub.scheduling.enabled", "false");
        props.put("spring.quartz.auto-startup", "false");
        props.put("camel.component.quartz.auto-start-scheduler", "false");
        props.put("logging.level.root", "WARN");
        props.put("logging.level.com.altus.hub.schedule", "INFO");
        props.put("logging.level.hub.progress", "WARN");
        return new SpringApplicationBuilder(HubApplication.class).web(WebApplicationType.NONE).properties(props)
                .run();
    }
}
