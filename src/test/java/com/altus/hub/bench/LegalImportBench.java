package com.altus.hub.bench;

import java.io.InputStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.sql.DataSource;

import com.altus.hub.doorloop.normalize.DoorLoopMapping;
import com.altus.hub.doorloop.normalize.EntitySpec;
import com.altus.hub.doorloop.normalize.NormalizeRepository;
import com.altus.hub.doorloop.normalize.NormalizeTestDb;
import com.altus.hub.doorloop.normalize.RawLoader;
import com.altus.hub.dropbox.FolderDropboxStore;
import com.altus.hub.dropbox.FolderMap;
import com.altus.hub.legal.LegalCaseFolders;
import com.altus.hub.legal.LegalConfiguration;
import com.altus.hub.legal.LegalImporter;
import com.altus.hub.legal.LegalRepository;
import com.altus.hub.legal.LegalWorkbookReader;
import com.altus.hub.legal.TestWorkbooks;
import com.altus.hub.legal.WorkbookLimits;
import com.altus.hub.platform.config.HubSettings;
import org.apache.poi.openxml4j.opc.OPCPackage;
import org.apache.poi.openxml4j.opc.PackageAccess;
import org.apache.poi.ss.usermodel.DataFormatter;
import org.apache.poi.util.XMLHelper;
import org.apache.poi.xssf.eventusermodel.ReadOnlySharedStringsTable;
import org.apache.poi.xssf.eventusermodel.XSSFReader;
import org.apache.poi.xssf.eventusermodel.XSSFSheetXMLHandler;
import org.apache.poi.xssf.usermodel.XSSFComment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.xml.sax.InputSource;
import org.xml.sax.XMLReader;

/**
 * Benchmark of the legal import (bench/legal.bench) on a workbook of 100,000 rows made from the
 * normalized tables of a gen_data.py doorloop data set (gen_data.py legal numbers cases from a
 * pool of 99,999, so it cannot make 100,000 rows; the rows here have the same shape, 10% of them
 * invalid). Baseline, in the same run on the same file: reading it with POI's streaming reader
 * alone (XSSFReader + XSSFSheetXMLHandler over a read-only shared strings table, cells counted,
 * nothing else). Measured: the import (read, validate, COPY, match, upsert, history, rejected
 * rows, commit), the case folders in the folder store, the live heap growth during the import
 * (heap used after each GC, its peak minus the level before), and a re-import of the same
 * workbook, which must write nothing. Usage: LegalImportBench DOORLOOP_DIR [rows]
 */
public final class LegalImportBench {
    private LegalImportBench() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int rows = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        DataSource ds = NormalizeTestDb.create("bench_legal");
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        explainSlowStatements(jdbc, System.getenv("LEGAL_BENCH_EXPLAIN"));
        wipe(jdbc);
        NormalizeTestDb.truncate(jdbc);
        long t0 = System.nanoTime();
        RawLoader.load(ds, dir);
        NormalizeRepository normalize = new NormalizeRepository(jdbc, RawLoader.JSON);
        for (EntitySpec spec : DoorLoopMapping.ENTITIES) {
            normalize.normalize(spec);
            normalize.analyze(spec);
        }
        System.err.printf("doorloop data loaded and normalized in %.1f s%n", secs(t0));

        Path work = Files.createDirectories(NormalizeTestDb.basedir().resolve("target/bench-legal"));
        Path workbook = work.resolve("cases-" + rows + ".xlsx");
        int invalid = writeWorkbook(jdbc, workbook, rows);
        System.err.printf("workbook: %d rows (%d invalid), %.1f MiB%n", rows, invalid, Files.size(workbook) / 1048576.0);

        // baseline: POI's streaming reader alone, same file
        poiOnly(workbook); // warm-up of the classes both sides use
        long b0 = System.nanoTime();
        long cells = poiOnly(workbook);
        double baseSecs = secs(b0);
        System.err.printf("POI streaming read alone: %d cells in %.2f s%n", cells, baseSecs);

        Map<String, String> env = new HashMap<>();
        env.put("HUB_DATA_DIR", work.resolve("data").toString());
        HubSettings settings = HubSettings.from(env::get);
        Path legalBase = work.resolve("data/legal");
        LegalConfiguration.Folders folders = new LegalConfiguration.Folders(legalBase, legalBase.resolve("inbox"), legalBase.resolve("uploads"));
        Files.createDirectories(folders.uploads());
        Path staged = folders.uploads().resolve(workbook.getFileName());
        Files.copy(workbook, staged, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        LegalRepository repo = new LegalRepository(ds);
        LegalImporter importer = new LegalImporter(new LegalWorkbookReader(WorkbookLimits.defaults()), repo, folders, settings);
        Path storeRoot = work.resolve("data/dropbox");
        deleteTree(storeRoot);
        LegalCaseFolders caseFolders = new LegalCaseFolders(repo, new FolderDropboxStore(storeRoot), new FolderMap(settings.dropboxRoot),
                settings, 500);

        // the reader alone (POI + the hub's guards and row rules), for the breakdown
        long v0 = System.nanoTime();
        long[] valid = {0};
        new LegalWorkbookReader(WorkbookLimits.defaults()).read(workbook, row -> valid[0] += row.valid() ? 1 : 0);
        System.err.printf("reader with guards and row rules, no database: %.2f s (%d rows valid by their cells)%n", secs(v0), valid[0]);

        // the import, with the live heap watched
        LegalImporter.Workbook wb = importer.workbook(staged.toString(), workbook.getFileName().toString());
        HeapWatch heap = new HeapWatch();
        long i0 = System.nanoTime();
        LegalImporter.Outcome first = importer.importWorkbook(wb, "bench", null);
        double importSecs = secs(i0);
        double heapGrowth = heap.stop();
        long f0 = System.nanoTime();
        int made = 0;
        for (LegalCaseFolders.Batch b : caseFolders.batches(first.casesNeedingFolders())) {
            made += caseFolders.create(b.caseNumbers(), null).created();
        }
        double folderSecs = secs(f0);
        LegalRepository.Applied a = first.applied();
        System.err.printf("import: %d rows, %d imported, %d rejected in %.2f s (read+stage %d ms, apply %d ms %s, folders planned in the"
                        + " rest); %d folders in %.2f s%n", first.rows(), a.imported(), a.rejected(), importSecs, first.readAndStageMillis(),
                first.applyMillis(), a.stepMillis(), made, folderSecs);
        boolean ok = first.rows() == rows && a.rejected() == invalid && a.imported() == rows - invalid && made == a.imported();

        // the same workbook again: counted by the importer and in the tables themselves
        Map<String, Long> tablesBefore = tableCounts(jdbc);
        java.sql.Timestamp since = jdbc.queryForObject("SELECT clock_timestamp()", java.sql.Timestamp.class);
        long r0 = System.nanoTime();
        LegalImporter.Outcome again = importer.importWorkbook(wb, "bench", null);
        double reSecs = secs(r0);
        Map<String, Long> tablesAfter = tableCounts(jdbc);
        long touched = jdbc.queryForObject("SELECT (SELECT count(*) FROM legal_cases WHERE updated_at >= ?)"
                + " + (SELECT count(*) FROM legal_case_history WHERE changed_at >= ?)"
                + " + (SELECT count(*) FROM legal_import_rows WHERE recorded_at >= ?)"
                + " + (SELECT count(*) FROM legal_case_folders WHERE created_at >= ?)", Long.class, since, since, since, since);
        long countDiffs = 0;
        for (Map.Entry<String, Long> e : tablesBefore.entrySet()) {
            countDiffs += Math.abs(tablesAfter.get(e.getKey()) - e.getValue());
        }
        System.err.printf("re-import in %.2f s (read+stage %d ms, apply %d ms %s, folders planned in the rest): tables before %s,"
                + " after %s; rows written or rewritten since it began: %d; importer's count %d, cases needing folders %d%n", reSecs,
                again.readAndStageMillis(), again.applyMillis(), again.applied().stepMillis(), tablesBefore, tablesAfter, touched,
                again.applied().rowsWritten(), again.casesNeedingFolders().size());
        long reWritten = again.applied().rowsWritten() + again.casesNeedingFolders().size() + touched + countDiffs;
        ok &= again.applied().imported() == 0 && again.applied().updated() == 0 && reWritten == 0;

        BenchReport.line("legal-import-rows-per-s(" + rows + "-rows,baseline=poi-streaming-read-alone)", rows / importSecs, "rows/s",
                rows / baseSecs);
        BenchReport.line("legal-import-with-case-folders-rows-per-s(" + rows + "-rows,folder-store,baseline=poi-streaming-read-alone)",
                rows / (importSecs + folderSecs), "rows/s", rows / baseSecs);
        BenchReport.line("legal-import-heap-growth-mib(live-after-gc)", heapGrowth, "MiB");
        BenchReport.line("legal-reimport-seconds(baseline=first-import)", reSecs, "s", importSecs);
        BenchReport.line("legal-reimport-rows-written(cases,history,import-rows,folders)", reWritten, "rows");
        if (!ok) {
            System.err.println("bench check failed: first " + a + " rows " + first.rows() + " folders " + made + "; again " + again.applied());
            System.exit(1);
        }
    }

    /** Row counts of the legal tables (history also by kind: a re-import adds no phase rows). */
    static Map<String, Long> tableCounts(JdbcTemplate jdbc) {
        Map<String, Long> out = new java.util.TreeMap<>();
        jdbc.query("SELECT 'cases', count(*) FROM legal_cases UNION ALL SELECT 'history_' || change, count(*) FROM legal_case_history"
                + " GROUP BY change UNION ALL SELECT 'import_rows', count(*) FROM legal_import_rows"
                + " UNION ALL SELECT 'folders', count(*) FROM legal_case_folders", rs -> {
                    out.put(rs.getString(1), rs.getLong(2));
                });
        for (String k : List.of("history_created", "history_phase", "history_updated")) {
            out.putIfAbsent(k, 0L);
        }
        return out;
    }

    /** POI's streaming reader and nothing else: every cell's formatted value, counted. */
    static long poiOnly(Path workbook) throws Exception {
        AtomicLong cells = new AtomicLong();
        try (OPCPackage pkg = OPCPackage.open(workbook.toFile(), PackageAccess.READ)) {
            XSSFReader reader = new XSSFReader(pkg);
            ReadOnlySharedStringsTable sst = new ReadOnlySharedStringsTable(pkg);
            XMLReader xml = XMLHelper.newXMLReader();
            xml.setContentHandler(new XSSFSheetXMLHandler(reader.getStylesTable(), sst, new XSSFSheetXMLHandler.SheetContentsHandler() {
                @Override
                public void startRow(int rowNum) {
                }

                @Override
                public void endRow(int rowNum) {
                }

                @Override
                public void cell(String ref, String value, XSSFComment comment) {
                    cells.incrementAndGet();
                }
            }, new DataFormatter(), false));
            Iterator<InputStream> sheets = reader.getSheetsData();
            try (InputStream in = sheets.next()) {
                xml.parse(new InputSource(in));
            }
        }
        return cells.get();
    }

    /**
     * A workbook of {@code rows} cases on tenancies that match exactly one lease (one tenant name
     * per property and unit, one property per address), every 10th row invalid in one of three ways.
     */
    static int writeWorkbook(JdbcTemplate jdbc, Path out, int rows) throws Exception {
        List<String[]> tenancies = new ArrayList<>();
        jdbc.query("""
                SELECT tenant, address, unit FROM (
                    SELECT t.full_name AS tenant, concat_ws(', ', p.street1, p.city, p.state || ' ' || p.zip) AS address, u.name AS unit,
                           count(*) OVER (PARTITION BY lower(t.full_name), l.property_id, l.unit_id) AS same_key,
                           count(*) OVER (PARTITION BY lower(concat_ws(' ', p.street1, p.city, p.state, p.zip))) AS same_address_rows,
                           p.id AS pid
                    FROM normalized_lease_tenants lt
                    JOIN normalized_leases l ON l.id = lt.lease_id AND l.deleted_at IS NULL
                    JOIN normalized_tenants t ON t.id = lt.tenant_id AND t.full_name IS NOT NULL
                    JOIN normalized_units u ON u.id = l.unit_id
                    JOIN normalized_properties p ON p.id = l.property_id) x
                WHERE same_key = 1
                  AND NOT EXISTS (SELECT 1 FROM normalized_properties q WHERE q.id <> x.pid
                                  AND lower(concat_ws(', ', q.street1, q.city, q.state || ' ' || q.zip)) = lower(x.address))
                  AND NOT EXISTS (SELECT 1 FROM normalized_units v JOIN normalized_properties q ON q.id = v.property_id
                                  WHERE q.id = x.pid AND lower(v.name) = lower(x.unit) GROUP BY q.id HAVING count(*) > 1)
                ORDER BY tenant, address""", rs -> {
            tenancies.add(new String[]{rs.getString(1), rs.getString(2), rs.getString(3)});
        });
        if (tenancies.isEmpty()) {
            throw new IllegalStateException("no usable tenancies in the normalized tables");
        }
        Random r = new Random(7);
        String[] types = {"eviction", "collections", "damages"};
        String[] phases = {"intake", "notice_served", "filed", "hearing_scheduled", "judgment", "writ_issued", "closed"};
        int[] invalid = {0};
        Iterator<List<Object>> it = new Iterator<>() {
            int i = -1;

            @Override
            public boolean hasNext() {
                return i < rows;
            }

            @Override
            public List<Object> next() {
                i++;
                if (i == 0) {
                    return new ArrayList<>(TestWorkbooks.HEADER);
                }
                String[] t = tenancies.get(i % tenancies.size());
                String phase = phases[r.nextInt(phases.length)];
                int claimed = 500 + r.nextInt(9000);
                List<Object> row = TestWorkbooks.row(String.format("B-%07d", i), t[0], t[1], t[2], types[r.nextInt(3)], phase,
                        claimed + "." + String.format("%02d", r.nextInt(100)), "2025-0" + (1 + r.nextInt(9)) + "-1" + r.nextInt(10),
                        null, phase.equals("judgment") ? String.valueOf(claimed) : null);
                row.set(11, i % 3 == 0 ? "Tenant requested payment plan" : null);
                if (i % 10 == 0) {
                    invalid[0]++;
                    switch ((i / 10) % 3) {
                        case 0 -> row.set(5, "appeal");
                        case 1 -> row.set(1, "Casey Nobody-Known");
                        default -> row.set(7, "2025-02-30");
                    }
                }
                return row;
            }
        };
        TestWorkbooks.write(out, it, TestWorkbooks.Options.plain());
        return invalid[0];
    }

    /** The heap in use after each GC while watching; {@link #stop()} answers its peak minus the level at the start, in MiB. */
    static final class HeapWatch {
        private final long start;
        private volatile long peak;
        private volatile int gcs;
        private final NotificationListener listener = (n, h) -> sample(n);
        private final java.util.Set<String> heapPools = new java.util.HashSet<>();
        private final List<NotificationEmitter> emitters = new ArrayList<>();

        HeapWatch() {
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP) {
                    heapPools.add(pool.getName());
                }
            }
            System.gc();
            start = heapUsed();
            peak = start;
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                if (gc instanceof NotificationEmitter e) {
                    e.addNotificationListener(listener, null, null);
                    emitters.add(e);
                }
            }
        }

        private void sample(javax.management.Notification n) {
            if (!com.sun.management.GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
                return;
            }
            var info = com.sun.management.GarbageCollectionNotificationInfo.from((javax.management.openmbean.CompositeData) n.getUserData());
            long used = 0;
            for (var e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
                if (heapPools.contains(e.getKey())) {
                    used += e.getValue().getUsed();
                }
            }
            gcs++;
            if (used > peak) {
                peak = used;
            }
        }

        double stop() throws Exception {
            for (NotificationEmitter e : emitters) {
                e.removeNotificationListener(listener);
            }
            System.err.printf("heap: %.1f MiB live before the import, %.1f MiB at most after any of its %d GCs%n", start / 1048576.0,
                    peak / 1048576.0, gcs);
            return Math.max(0, peak - start) / 1048576.0;
        }

        private static long heapUsed() {
            long used = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP) {
                    used += pool.getUsage().getUsed();
                }
            }
            return used;
        }
    }

    /**
     * LEGAL_BENCH_EXPLAIN=&lt;ms&gt;: PostgreSQL's auto_explain logs the plan, with actual times, of
     * every statement (also those run inside functions and triggers) slower than that, on stderr
     * with the server's log. For profiling the import's SQL; off by default (it slows it down).
     */
    private static void explainSlowStatements(JdbcTemplate jdbc, String minMillis) {
        if (minMillis == null || minMillis.isBlank()) {
            return;
        }
        int ms = Integer.parseInt(minMillis.trim());
        String db = jdbc.queryForObject("SELECT current_database()", String.class);
        jdbc.execute("ALTER DATABASE \"" + db + "\" SET session_preload_libraries = 'auto_explain'");
        jdbc.execute("ALTER DATABASE \"" + db + "\" SET auto_explain.log_min_duration = " + ms);
        jdbc.execute("ALTER DATABASE \"" + db + "\" SET auto_explain.log_analyze = on");
        jdbc.execute("ALTER DATABASE \"" + db + "\" SET auto_explain.log_nested_statements = on");
        jdbc.execute("ALTER DATABASE \"" + db + "\" SET auto_explain.log_timing = on");
    }

    /** Empties the legal tables of the bench database (their triggers refuse it, so with triggers off for this session). */
    private static void wipe(JdbcTemplate jdbc) {
        jdbc.execute((org.springframework.jdbc.core.ConnectionCallback<Void>) c -> {
            try (var st = c.createStatement()) {
                st.execute("SET session_replication_role = replica");
                st.execute("DELETE FROM legal_case_history; DELETE FROM legal_cases; DELETE FROM legal_import_rows;"
                        + " DELETE FROM legal_case_folders");
                st.execute("SET session_replication_role = origin");
            }
            return null;
        });
    }

    private static void deleteTree(Path root) throws java.io.IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var s = Files.walk(root)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
