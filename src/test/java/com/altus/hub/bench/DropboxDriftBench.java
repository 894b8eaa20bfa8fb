package com.altus.hub.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import com.altus.hub.HubApplication;
import com.altus.hub.dropbox.FakeDropboxTree;
import com.altus.hub.dropbox.FolderMap;
import com.altus.hub.platform.run.FlowRunner;
import com.altus.hub.platform.run.RunRecord;
import com.altus.hub.test.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * drift-detector and teamspace-migrate at scale, hub and {@link FakeDropboxTree} in this JVM
 * (bench/dropbox-drift.bench). Usage: DropboxDriftBench [properties] [units] [files].
 * <ul>
 * <li>Drift on {@code properties} properties and {@code units} units (owners with four properties
 * each, 80% of the units let on an active lease; normalized rows written set-based): the first
 * run's API calls against the bound listing pages + ceil(missing folders / 10,000) + batch-check
 * polls + moves (the baseline); the unchanged second run's calls (only listing pages) and its time
 * against a plain client paging through the same listing (the baseline, same run); a run after 1%
 * of the owners were renamed (listing + one move each).</li>
 * <li>Team Space migration of {@code files} files of 64 KiB: API calls per file and bytes
 * downloaded with copy references, against the download/upload fallback (copy references
 * refused) on the same files in the same run. Wall times go to stderr only: against the in-process
 * fake every small request costs the loopback's delayed-ACK latency, so the copy-reference path
 * (three small requests per file) is not faster there, while against Dropbox it saves the transfer.</li>
 * </ul>
 */
public final class DropboxDriftBench {
    private static final String AS_OF = "2025-12-15";
    private static final ObjectMapper JSON = new ObjectMapper();

    private DropboxDriftBench() {
    }

    public static void main(String[] args) throws Exception {
        int properties = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int units = args.length > 1 ? Integer.parseInt(args[1]) : 20000;
        int files = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
        Path work = Files.createTempDirectory("drift-bench");
        TestDatabase.install();
        try (FakeDropboxTree fake = new FakeDropboxTree(work.resolve("fake"))) {
            fake.appEnv().forEach(System::setProperty);
            fake.teamEnv().forEach(System::setProperty);
            ConfigurableApplicationContext hub = SpringApplication.run(HubApplication.class,
                    "--server.port=0", "--hub.api.token=bench-token-0123456789abcdef", "--hub.scheduling.enabled=false",
                    "--spring.quartz.auto-startup=false", "--HUB_DATA_DIR=" + work.resolve("hub"),
                    "--logging.level.root=WARN", "--hub.drift.poll-interval=PT0.05S");
            try {
                JdbcTemplate jdbc = hub.getBean(JdbcTemplate.class);
                FlowRunner runner = hub.getBean(FlowRunner.class);
                FolderMap folders = hub.getBean(FolderMap.class);
                drift(jdbc, runner, folders, fake, properties, units);
                migration(jdbc, runner, fake, files);
            } finally {
                hub.close();
            }
        } finally {
            try (var walk = Files.walk(work)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    static void drift(JdbcTemplate jdbc, FlowRunner runner, FolderMap folders, FakeDropboxTree fake, int properties, int units)
            throws Exception {
        seed(jdbc, properties, units);
        fake.asyncBatches(1); // Dropbox answers big batches asynchronously: one in_progress check each
        fake.resetCalls();
        long t0 = System.nanoTime();
        RunRecord first = run(runner, "drift-detector", Map.of("as_of", AS_OF));
        double firstSeconds = secs(t0);
        Map<String, Object> s = first.stats();
        long calls = fake.totalCalls();
        long bound = num(s, "listing_calls") + (long) Math.ceil(num(s, "folders_created") / 10_000.0)
                + num(s, "batch_check_calls") + num(s, "move_calls");
        System.err.printf("first run: %.1f s, %d entities, %d folders created in %d batch(es), calls %s%n", firstSeconds,
                num(s, "entities_total"), num(s, "folders_created"), num(s, "batch_calls"), fake.callCounts());
        BenchReport.line("drift_first_run_api_calls", calls, "calls", bound);
        BenchReport.line("drift_first_run_seconds", firstSeconds, "s");

        // unchanged: only listing pages; baseline = a plain client paging through the same listing
        fake.resetCalls();
        t0 = System.nanoTime();
        RunRecord second = run(runner, "drift-detector", Map.of("as_of", AS_OF));
        double secondSeconds = secs(t0);
        Map<String, Object> s2 = second.stats();
        long listing = fake.calls("list_folder") + fake.calls("list_folder/continue");
        if (fake.totalCalls() != listing || num(s2, "folders_created") != 0 || num(s2, "entities_exists") != num(s2, "entities_total")) {
            throw new IllegalStateException("the unchanged run did more than list: " + fake.callCounts() + " " + s2);
        }
        double[] plain = plainListing(fake, folders.ownersFolder());
        System.err.printf("unchanged run: %.1f s, %d listing calls, %d folders listed; plain client %.1f s, %d pages%n",
                secondSeconds, listing, num(s2, "folders_listed"), plain[0], (long) plain[1]);
        BenchReport.line("drift_unchanged_run_api_calls", listing, "calls", plain[1]);
        BenchReport.line("drift_unchanged_run_seconds", secondSeconds, "s", plain[0]);

        // 1% of the owners renamed: one move each, nothing created
        int renamed = jdbc.update("UPDATE normalized_owners SET full_name = full_name || ' Renamed' WHERE doorloop_id IN "
                + "(SELECT doorloop_id FROM normalized_owners ORDER BY doorloop_id LIMIT (SELECT count(*) / 100 FROM normalized_owners))");
        fake.resetCalls();
        RunRecord third = run(runner, "drift-detector", Map.of("as_of", AS_OF));
        Map<String, Object> s3 = third.stats();
        long bound3 = num(s3, "listing_calls") + (long) Math.ceil(num(s3, "folders_created") / 10_000.0)
                + num(s3, "batch_check_calls") + num(s3, "move_calls");
        if (num(s3, "folders_moved") != renamed || num(s3, "folders_created") != 0) {
            throw new IllegalStateException("renamed " + renamed + " owners, run: " + s3);
        }
        BenchReport.line("drift_rename_run_api_calls", fake.totalCalls(), "calls", bound3);
        fake.asyncBatches(-1);
    }

    /** Owners (4 properties each), properties, units, tenants and active leases on 80% of the units, set-based. */
    static void seed(JdbcTemplate jdbc, int properties, int units) {
        jdbc.execute("TRUNCATE normalized_lease_tenants, normalized_leases, normalized_units, normalized_property_owners, "
                + "normalized_tenants, normalized_owners, normalized_properties");
        int owners = Math.max(1, properties / 4);
        jdbc.update("INSERT INTO normalized_owners (id, doorloop_id, full_name, company_name, active) "
                + "SELECT doorloop_uuid('o' || lpad(i::text, 6, '0')), 'o' || lpad(i::text, 6, '0'), 'Owner ' || i || ' Smith', "
                + "CASE WHEN i % 4 = 0 THEN 'Holdings ' || i || ' LLC' END, true FROM generate_series(1, ?) i", owners);
        jdbc.update("INSERT INTO normalized_properties (id, doorloop_id, name, active) "
                + "SELECT doorloop_uuid('p' || lpad(i::text, 6, '0')), 'p' || lpad(i::text, 6, '0'), 'Property ' || i || ' Lofts', true "
                + "FROM generate_series(1, ?) i", properties);
        jdbc.update("INSERT INTO normalized_property_owners (id, doorloop_id, property_id, owner_id, ownership_percentage, position) "
                + "SELECT gen_random_uuid(), 'p' || lpad(i::text, 6, '0') || ':o' || lpad((1 + (i - 1) % ?)::text, 6, '0'), "
                + "doorloop_uuid('p' || lpad(i::text, 6, '0')), doorloop_uuid('o' || lpad((1 + (i - 1) % ?)::text, 6, '0')), 100, 0 "
                + "FROM generate_series(1, ?) i", owners, owners, properties);
        jdbc.update("INSERT INTO normalized_units (id, doorloop_id, property_id, name, active) "
                + "SELECT doorloop_uuid('u' || lpad(i::text, 7, '0')), 'u' || lpad(i::text, 7, '0'), "
                + "doorloop_uuid('p' || lpad((1 + (i - 1) % ?)::text, 6, '0')), 'Unit ' || i, true FROM generate_series(1, ?) i",
                properties, units);
        jdbc.update("INSERT INTO normalized_tenants (id, doorloop_id, full_name) "
                + "SELECT doorloop_uuid('t' || lpad(i::text, 7, '0')), 't' || lpad(i::text, 7, '0'), 'Tenant ' || i || ' Jones' "
                + "FROM generate_series(1, ?) i WHERE i % 5 <> 0", units);
        jdbc.update("INSERT INTO normalized_leases (id, doorloop_id, property_id, unit_id, unit_ids, status, term, start_date, end_date) "
                + "SELECT doorloop_uuid('l' || lpad(i::text, 7, '0')), 'l' || lpad(i::text, 7, '0'), u.property_id, u.id, ARRAY[u.id], "
                + "'ACTIVE', 'Fixed', DATE '2025-06-01', DATE '2026-05-31' "
                + "FROM generate_series(1, ?) i JOIN normalized_units u ON u.doorloop_id = 'u' || lpad(i::text, 7, '0') WHERE i % 5 <> 0",
                units);
        jdbc.update("INSERT INTO normalized_lease_tenants (id, doorloop_id, lease_id, tenant_id, status, move_in_at) "
                + "SELECT gen_random_uuid(), 'lt' || i, doorloop_uuid('l' || lpad(i::text, 7, '0')), "
                + "doorloop_uuid('t' || lpad(i::text, 7, '0')), 'CURRENT', DATE '2025-06-01' FROM generate_series(1, ?) i WHERE i % 5 <> 0",
                units);
        jdbc.execute("ANALYZE");
    }

    /** A plain client paging through the recursive listing: seconds and pages. */
    static double[] plainListing(FakeDropboxTree fake, String path) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String token = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(fake.baseUrl() + "/oauth2/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=refresh_token&refresh_token="
                        + fake.appEnv().get("DROPBOX_REFRESH_TOKEN")
                        + "&client_id=" + fake.appEnv().get("DROPBOX_APP_KEY") + "&client_secret=" + fake.appEnv().get("DROPBOX_APP_SECRET")))
                .build(), HttpResponse.BodyHandlers.ofString()).body()).get("access_token").asText();
        long t0 = System.nanoTime();
        long pages = 1;
        long entries = 0;
        JsonNode page = rpc(http, fake, token, "/2/files/list_folder",
                "{\"path\":\"" + path + "\",\"recursive\":true,\"limit\":2000}");
        entries += page.get("entries").size();
        while (page.get("has_more").asBoolean()) {
            page = rpc(http, fake, token, "/2/files/list_folder/continue", "{\"cursor\":\"" + page.get("cursor").asText() + "\"}");
            entries += page.get("entries").size();
            pages++;
        }
        System.err.printf("plain listing: %d entries%n", entries);
        return new double[] {secs(t0), pages};
    }

    private static JsonNode rpc(HttpClient http, FakeDropboxTree fake, String token, String path, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(fake.baseUrl() + path))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(path + " answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    static void migration(JdbcTemplate jdbc, FlowRunner runner, FakeDropboxTree fake, int files) throws Exception {
        jdbc.update("DELETE FROM teamspace_migrations");
        jdbc.update("DELETE FROM file_assets");
        Random random = new Random(42);
        long bytes = 0;
        for (int i = 0; i < files; i++) {
            byte[] content = new byte[64 * 1024];
            random.nextBytes(content);
            String path = "/Altus_Empire_Command_Center/00_Owners/bench-o" + (i % 50) + "/10_AUM/bench-p" + (i % 200)
                    + "/03_Photos/photo-" + i + ".jpg";
            String hash = fake.putFile(FakeDropboxTree.APP_NS, path, content);
            jdbc.update("INSERT INTO file_assets (id, source, entity_type, original_filename, dropbox_path, content_hash, size_bytes) "
                    + "VALUES (?, 'api', 'PropertyPhoto', ?, ?, ?, ?)", UUID.randomUUID(), "photo-" + i + ".jpg", path, hash,
                    content.length);
            bytes += content.length;
        }
        // each mode twice, alternating, the faster run of each counts: the first runs pay for warm-up (JIT, pools)
        double[] byReference = null;
        double[] fallback = null;
        for (int round = 0; round < 2; round++) {
            byReference = faster(byReference, migrate(jdbc, runner, fake, files, false));
            fallback = faster(fallback, migrate(jdbc, runner, fake, files, true));
        }
        System.err.printf("migration of %d files (%.1f MiB): copy references %.1f s, %.2f calls/file, %.1f MiB downloaded; "
                + "download/upload %.1f s, %.2f calls/file, %.1f MiB downloaded%n", files, bytes / 1048576.0, byReference[0],
                byReference[1], byReference[2], fallback[0], fallback[1], fallback[2]);
        BenchReport.line("teamspace_calls_per_file_copy_reference", byReference[1], "calls/file", fallback[1]);
        BenchReport.line("teamspace_mib_downloaded_copy_reference", byReference[2], "MiB", fallback[2]);
    }

    private static double[] faster(double[] a, double[] b) {
        return a == null || b[0] < a[0] ? b : a;
    }

    /** One migration of {@code files} files: seconds, API calls per file, MiB downloaded. Resets the Team Space first. */
    static double[] migrate(JdbcTemplate jdbc, FlowRunner runner, FakeDropboxTree fake, int files, boolean refuse) {
        for (FakeDropboxTree.Item f : fake.files(FakeDropboxTree.TEAM_ROOT_NS, "")) {
            fake.delete(FakeDropboxTree.TEAM_ROOT_NS, f.pathDisplay());
        }
        jdbc.update("DELETE FROM teamspace_migrations");
        jdbc.update("UPDATE file_assets SET migrated_at = NULL, teamspace_path = NULL");
        fake.refuseCopyReferences(refuse);
        fake.resetCalls();
        long t0 = System.nanoTime();
        RunRecord r = run(runner, "teamspace-migrate", Map.of("limit", files));
        double seconds = secs(t0);
        long migrated = num(r.stats(), "files_copied_by_reference") + num(r.stats(), "files_downloaded_uploaded");
        if (migrated != files || fake.files(FakeDropboxTree.TEAM_ROOT_NS, "").size() != files) {
            throw new IllegalStateException("migrated " + migrated + " of " + files + ": " + r.stats());
        }
        long calls = fake.totalCalls() - fake.calls("users/get_current_account");
        return new double[] {seconds, calls / (double) files, fake.bytesDownloaded() / 1048576.0};
    }

    private static RunRecord run(FlowRunner runner, String flow, Map<String, ?> params) {
        RunRecord r = runner.run(flow, "bench", params);
        if (!r.succeeded()) {
            throw new IllegalStateException(flow + " " + r.status() + ": " + r.error() + " " + r.stats());
        }
        return r;
    }

    private static long num(Map<String, Object> stats, String key) {
        Object v = stats.get(key);
        return v instanceof Number n ? n.longValue() : 0;
    }

    private static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
