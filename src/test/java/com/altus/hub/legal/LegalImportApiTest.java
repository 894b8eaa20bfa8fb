package com.altus.hub.legal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import javax.sql.DataSource;

import com.altus.hub.doorloop.normalize.DoorLoopIds;
import com.altus.hub.doorloop.normalize.GeneratedData;
import com.altus.hub.doorloop.normalize.NormalizeTestDb;
import com.altus.hub.doorloop.normalize.RawLoader;
import com.altus.hub.dropbox.DropboxStore;
import com.altus.hub.dropbox.FolderDropboxStore;
import com.altus.hub.test.HubTestBase;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.dao.DataAccessException;

/**
 * The legal module through the running hub: gen_data.py workbooks over HTTP multipart (POST
 * /api/legal/import) and through the inbox, on DoorLoop data loaded and normalized by the hub;
 * re-imports, the lifecycle rules, case folders in the folder store, TenantLegal uploads into
 * them, and every kind of hostile workbook refused with 400 while the hub stays healthy.
 */
class LegalImportApiTest extends HubTestBase {
    static final String AS_OF = "2025-12-15";

    @Autowired
    DataSource dataSource;
    @Autowired
    CamelContext camel;
    @Autowired
    DropboxStore store;
    @Autowired
    LegalConfiguration.Folders folders;

    @TempDir
    Path tmp;

    Path doorloop;

    @BeforeEach
    void data() throws Exception {
        LegalTestSupport.wipeLegalTables(jdbc);
        NormalizeTestDb.truncate(jdbc);
        doorloop = GeneratedData.doorloop(40, AS_OF, 25);
        RawLoader.load(dataSource, doorloop);
        JsonNode norm = json(post("/api/flows/doorloop-normalize/run", null));
        assertThat(norm.get("status").asText()).as(norm.toString()).isEqualTo("succeeded");
    }

    private HttpResponse<String> upload(Path file) throws Exception {
        return LegalTestSupport.upload(http, url(""), file);
    }

    private JsonNode importOk(Path file) throws Exception {
        HttpResponse<String> r = upload(file);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json(r);
    }

    private long count(String sql, Object... args) {
        return jdbc.queryForObject(sql, Long.class, args);
    }

    @Test
    void theRoutesAreThereWithTheirContractIds() throws Exception {
        for (String id : List.of("legal-import", "legal-import-upload", "legal-import-inbox", "legal-import-folders")) {
            assertThat(camel.getRoute(id)).as(id).isNotNull();
        }
        JsonNode api = json(get("/api/openapi.json"));
        assertThat(api.get("paths").has("/api/legal/import")).as(api.get("paths").fieldNames().toString()).isTrue();
        assertThat(api.get("paths").get("/api/legal/import").get("post").get("requestBody").get("content").has("multipart/form-data"))
                .isTrue();
    }

    @Test
    void aGeneratedWorkbookImportsAsExpectedAndAReimportChangesNothing() throws Exception {
        Path wb = TestWorkbooks.generated(doorloop, 80, false);
        JsonNode expected = mapper.readTree(TestWorkbooks.expectedOf(wb).toFile());
        JsonNode first = importOk(wb);
        JsonNode fe = expected.get("first_import");
        for (String k : List.of("rows", "imported", "updated", "rejected")) {
            assertThat(first.get(k).asLong()).as(k + " in " + first).isEqualTo(fe.get(k).asLong());
        }
        Map<Integer, String> errors = new TreeMap<>();
        first.get("errors").forEach(e -> errors.put(e.get("row").asInt(), e.get("message").asText()));
        Map<Integer, String> want = new TreeMap<>();
        expected.get("rejected").forEach(e -> want.put(e.get("row").asInt(), e.get("detail").asText()));
        assertThat(errors).isEqualTo(want);

        // rejected rows keep their reason in legal_import_rows, by spreadsheet row
        String sha = LegalImporter.sha256(wb);
        Map<Integer, String> recorded = new TreeMap<>();
        jdbc.query("SELECT row_number, reason FROM legal_import_rows WHERE workbook_sha256 = ?",
                rs -> { recorded.put(rs.getInt(1), rs.getString(2)); }, sha);
        assertThat(recorded).isEqualTo(want);

        // each match landed on the tenant, property, unit and lease the generator chose
        for (JsonNode m : expected.get("matches")) {
            Map<String, Object> c = jdbc.queryForMap("SELECT tenant_id::text AS t, property_id::text AS p, unit_id::text AS u,"
                    + " lease_id::text AS l, phase::text AS phase, case_type::text AS type FROM legal_cases WHERE case_number = ?",
                    m.get("case_number").asText());
            assertThat(c.get("t")).isEqualTo(DoorLoopIds.uuid(m.get("tenant_id").asText()).toString());
            assertThat(c.get("p")).isEqualTo(DoorLoopIds.uuid(m.get("property_id").asText()).toString());
            assertThat(c.get("u")).isEqualTo(DoorLoopIds.uuid(m.get("unit_id").asText()).toString());
            assertThat(c.get("l")).isEqualTo(DoorLoopIds.uuid(m.get("lease_id").asText()).toString());
            assertThat(c.get("phase")).isEqualTo(m.get("phase").asText());
            assertThat(c.get("type")).isEqualTo(m.get("case_type").asText());
        }
        long imported = fe.get("imported").asLong();
        assertThat(count("SELECT count(*) FROM legal_case_history WHERE change = 'created' AND changed_by = 'api'")).isEqualTo(imported);

        // the run: a sync_jobs row of legal-import, triggered by the upload
        Map<String, Object> run = jdbc.queryForMap("SELECT status, trigger, stats::text AS stats FROM sync_jobs WHERE id = ?",
                first.get("run_id").asLong());
        assertThat(run.get("trigger")).isEqualTo("upload");
        assertThat(run.get("status")).isEqualTo("partial");
        assertThat(mapper.readTree((String) run.get("stats")).get("imported").asLong()).isEqualTo(imported);

        // every case has its folder {tenancy}/10_Legal/{case_number} in the store
        FolderDropboxStore folderStore = (FolderDropboxStore) store;
        for (JsonNode m : expected.get("matches")) {
            String path = jdbc.queryForObject("SELECT path FROM legal_case_folders WHERE case_number = ?", String.class,
                    m.get("case_number").asText());
            assertThat(path).contains("-" + m.get("property_id").asText() + "/01_Units/")
                    .contains("-" + m.get("unit_id").asText() + "/02_Tenancies/")
                    .endsWith("-lease-" + m.get("lease_id").asText() + "/10_Legal/" + m.get("case_number").asText());
            assertThat(Files.isDirectory(folderStore.local(path))).as(path).isTrue();
        }

        // the same workbook again: nothing changes, nothing is written
        Map<String, Object> before = snapshot();
        JsonNode again = importOk(wb);
        JsonNode re = expected.get("reimport");
        for (String k : List.of("rows", "imported", "updated", "rejected")) {
            assertThat(again.get(k).asLong()).as(k + " in " + again).isEqualTo(re.get(k).asLong());
        }
        assertThat(again.get("errors").size()).isEqualTo(want.size());
        assertThat(snapshot()).isEqualTo(before);
        JsonNode againStats = mapper.readTree(jdbc.queryForObject("SELECT stats::text FROM sync_jobs WHERE id = ?", String.class,
                again.get("run_id").asLong()));
        assertThat(againStats.get("rows_written").asLong()).isZero();
        assertThat(againStats.get("folders_created").asLong()).isZero();

        // the views
        assertThat(count("SELECT coalesce(sum(cases), 0) FROM legal_open_cases_by_phase"))
                .isEqualTo(count("SELECT count(*) FROM legal_cases WHERE phase <> 'closed'"));
        assertThat(jdbc.queryForObject("SELECT sum(amount_claimed) = (SELECT sum(amount_claimed) FROM legal_cases)"
                + " AND sum(amount_awarded) = (SELECT coalesce(sum(judgment_amount), 0) FROM legal_cases) FROM legal_amounts_by_property",
                Boolean.class)).isTrue();
        assertThat(count("SELECT count(*) FROM legal_amounts_by_owner")).isPositive();
        assertThat(count("SELECT sum(cases) FROM legal_amounts_by_owner")).isGreaterThanOrEqualTo(imported);
    }

    /** Everything an import could write, with the row versions (xmin) so that a rewrite of the same values shows. */
    private Map<String, Object> snapshot() {
        Map<String, Object> s = new HashMap<>();
        s.put("cases", jdbc.queryForList("SELECT case_number, xmin::text FROM legal_cases ORDER BY case_number"));
        s.put("history", count("SELECT count(*) FROM legal_case_history"));
        s.put("rows", jdbc.queryForList("SELECT workbook_sha256, row_number, xmin::text FROM legal_import_rows ORDER BY 1, 2"));
        s.put("folders", jdbc.queryForList("SELECT case_number, xmin::text FROM legal_case_folders ORDER BY 1"));
        return s;
    }

    /** A row for a tenancy the generator matched (so it matches here too), with the given case number and phase. */
    private List<Object> rowFor(JsonNode match, String caseNumber, String phase, String claimed) throws Exception {
        Map<String, Object> t = jdbc.queryForMap("SELECT t.full_name AS tenant, concat_ws(', ', p.street1, p.city,"
                + " p.state || ' ' || p.zip) AS address, u.name AS unit FROM normalized_tenants t, normalized_properties p,"
                + " normalized_units u WHERE t.doorloop_id = ? AND p.doorloop_id = ? AND u.doorloop_id = ?",
                match.get("tenant_id").asText(), match.get("property_id").asText(), match.get("unit_id").asText());
        // case and blanks differ from the DoorLoop spelling: matching ignores both
        String address = "  " + ((String) t.get("address")).toUpperCase().replace(" ", "  ") + " ";
        return TestWorkbooks.row(caseNumber, ((String) t.get("tenant")).toLowerCase(), address, (String) t.get("unit"), "eviction",
                phase, claimed, "2025-06-01", null, null);
    }

    private List<JsonNode> matches(int n) throws Exception {
        Path wb = TestWorkbooks.generated(doorloop, 80, false);
        JsonNode expected = mapper.readTree(TestWorkbooks.expectedOf(wb).toFile());
        List<JsonNode> out = new ArrayList<>();
        expected.get("matches").forEach(out::add);
        return out.subList(0, n);
    }

    @Test
    void aBackwardsPhaseMoveIsThatRowsRejectionAndForwardMovesAreHistory() throws Exception {
        List<JsonNode> m = matches(2);
        JsonNode first = importOk(TestWorkbooks.write(tmp.resolve("a.xlsx"),
                TestWorkbooks.withHeader(List.of(rowFor(m.get(0), "LT-100", "judgment", "1500.00")))));
        assertThat(first.get("imported").asInt()).as(first.toString()).isEqualTo(1);

        JsonNode back = importOk(TestWorkbooks.write(tmp.resolve("b.xlsx"), TestWorkbooks.withHeader(List.of(
                rowFor(m.get(0), "LT-100", "filed", "1500.00"), rowFor(m.get(1), "LT-101", "intake", "10")))));
        assertThat(back.get("rows").asInt()).isEqualTo(2);
        assertThat(back.get("imported").asInt()).isEqualTo(1);
        assertThat(back.get("updated").asInt()).isZero();
        assertThat(back.get("rejected").asInt()).isEqualTo(1);
        assertThat(back.get("errors").get(0).get("row").asInt()).isEqualTo(2);
        assertThat(back.get("errors").get(0).get("message").asText()).isEqualTo("phase cannot move back from judgment to filed");
        assertThat(jdbc.queryForObject("SELECT phase::text FROM legal_cases WHERE case_number = 'LT-100'", String.class)).isEqualTo("judgment");

        JsonNode forward = importOk(TestWorkbooks.write(tmp.resolve("c.xlsx"), TestWorkbooks.withHeader(List.of(
                rowFor(m.get(0), "LT-100", "writ_issued", "1500.00")))));
        assertThat(forward.get("updated").asInt()).isEqualTo(1);
        Map<String, Object> h = jdbc.queryForMap("SELECT change, from_phase::text AS f, to_phase::text AS t, changed_by,"
                + " run_id FROM legal_case_history WHERE case_number = 'LT-100' ORDER BY id DESC LIMIT 1");
        assertThat(h.get("change")).isEqualTo("phase");
        assertThat(h.get("f")).isEqualTo("judgment");
        assertThat(h.get("t")).isEqualTo("writ_issued");
        assertThat(h.get("changed_by")).isEqualTo("api");
        assertThat(((Number) h.get("run_id")).longValue()).isEqualTo(forward.get("run_id").asLong());
        assertThat(count("SELECT count(*) FROM legal_case_history WHERE case_number = 'LT-100'")).isEqualTo(2);

        // the database itself refuses a backwards move, whoever writes
        assertThatThrownBy(() -> jdbc.update("UPDATE legal_cases SET phase = 'intake' WHERE case_number = 'LT-100'"))
                .isInstanceOf(DataAccessException.class).hasMessageContaining("phase cannot move back from writ_issued to intake");
    }

    @Test
    void aCaseWhoseTenancyWasRenamedGetsItsFolderAgainAndOnlyThen() throws Exception {
        JsonNode m = matches(1).get(0);
        Path wb = TestWorkbooks.write(tmp.resolve("renamed.xlsx"),
                TestWorkbooks.withHeader(List.of(rowFor(m, "LT-500", "intake", "100"))));
        JsonNode first = importOk(wb);
        assertThat(first.get("imported").asInt()).as(first.toString()).isEqualTo(1);
        Map<String, Object> made = jdbc.queryForMap("SELECT path, source_md5 FROM legal_case_folders WHERE case_number = 'LT-500'");
        assertThat(runStats(importOk(wb)).get("folders_created").asLong()).isZero();

        String property = m.get("property_id").asText();
        String name = jdbc.queryForObject("SELECT name FROM normalized_properties WHERE doorloop_id = ?", String.class, property);
        try {
            jdbc.update("UPDATE normalized_properties SET name = ? WHERE doorloop_id = ?", name + " Annex", property);
            JsonNode again = importOk(wb);
            assertThat(again.get("updated").asInt()).isZero();
            assertThat(runStats(again).get("folders_created").asLong()).isEqualTo(1);
            Map<String, Object> remade = jdbc.queryForMap("SELECT path, source_md5 FROM legal_case_folders WHERE case_number = 'LT-500'");
            assertThat(remade.get("source_md5")).isNotEqualTo(made.get("source_md5"));
            assertThat((String) remade.get("path")).isNotEqualTo(made.get("path")).contains("-annex-").endsWith("/10_Legal/LT-500");
            assertThat(runStats(importOk(wb)).get("folders_created").asLong()).isZero();
        } finally {
            jdbc.update("UPDATE normalized_properties SET name = ? WHERE doorloop_id = ?", name, property);
        }
    }

    private JsonNode runStats(JsonNode answer) throws Exception {
        return mapper.readTree(jdbc.queryForObject("SELECT stats::text FROM sync_jobs WHERE id = ?", String.class,
                answer.get("run_id").asLong()));
    }

    @Test
    void aClosedCaseIsUntouchedAndHistoryIsAppendOnly() throws Exception {
        List<JsonNode> m = matches(1);
        List<Object> closed = rowFor(m.get(0), "LT-200", "closed", "900");
        importOk(TestWorkbooks.write(tmp.resolve("closed.xlsx"), TestWorkbooks.withHeader(List.of(closed))));
        Map<String, Object> before = jdbc.queryForMap("SELECT *, xmin::text AS version FROM legal_cases WHERE case_number = 'LT-200'");
        assertThat(before.get("closed_at")).isNotNull();

        JsonNode same = importOk(TestWorkbooks.write(tmp.resolve("same.xlsx"), TestWorkbooks.withHeader(List.of(closed))));
        assertThat(same.get("rejected").asInt()).isZero();
        assertThat(same.get("unchanged").asInt()).isEqualTo(1);

        List<Object> changed = rowFor(m.get(0), "LT-200", "closed", "950");
        JsonNode refused = importOk(TestWorkbooks.write(tmp.resolve("changed.xlsx"), TestWorkbooks.withHeader(List.of(changed))));
        assertThat(refused.get("rejected").asInt()).isEqualTo(1);
        assertThat(refused.get("errors").get(0).get("message").asText()).isEqualTo("case 'LT-200' is closed: a closed case cannot change");
        assertThat(jdbc.queryForMap("SELECT *, xmin::text AS version FROM legal_cases WHERE case_number = 'LT-200'")).isEqualTo(before);

        assertThatThrownBy(() -> jdbc.update("UPDATE legal_cases SET notes = 'x' WHERE case_number = 'LT-200'"))
                .isInstanceOf(DataAccessException.class).hasMessageContaining("is closed");
        assertThatThrownBy(() -> jdbc.update("DELETE FROM legal_cases WHERE case_number = 'LT-200'"))
                .isInstanceOf(DataAccessException.class).hasMessageContaining("is closed");
        assertThatThrownBy(() -> jdbc.update("UPDATE legal_case_history SET changed_by = 'x'"))
                .isInstanceOf(DataAccessException.class).hasMessageContaining("append-only");
        assertThatThrownBy(() -> jdbc.update("DELETE FROM legal_case_history"))
                .isInstanceOf(DataAccessException.class).hasMessageContaining("append-only");
        assertThatThrownBy(() -> jdbc.execute("TRUNCATE legal_case_history"))
                .isInstanceOf(DataAccessException.class).hasMessageContaining("cannot be truncated");
        assertThat(count("SELECT count(*) FROM legal_case_history WHERE case_number = 'LT-200'")).isEqualTo(1);
    }

    @Test
    void unmatchedAndAmbiguousRowsAreRejectedNotGuessed() throws Exception {
        List<JsonNode> m = matches(1);
        List<Object> noProperty = rowFor(m.get(0), "LT-300", "intake", "1");
        noProperty.set(2, "1 Nowhere Road, Atlantis, ZZ 00000");
        List<Object> noUnit = rowFor(m.get(0), "LT-301", "intake", "1");
        noUnit.set(3, "Unit 9999");
        List<Object> dup1 = rowFor(m.get(0), "LT-302", "intake", "1");
        List<Object> dup2 = rowFor(m.get(0), "LT-302", "filed", "1");
        JsonNode r = importOk(TestWorkbooks.write(tmp.resolve("unmatched.xlsx"), TestWorkbooks.withHeader(List.of(noProperty, noUnit,
                dup1, dup2))));
        assertThat(r.get("rejected").asInt()).isEqualTo(4);
        assertThat(r.get("errors").get(0).get("message").asText()).startsWith("no property at address");
        assertThat(r.get("errors").get(1).get("message").asText()).startsWith("no unit 'Unit 9999' at address");
        assertThat(r.get("errors").get(2).get("message").asText()).isEqualTo("case number 'LT-302' is in 2 rows (rows 4, 5): one row per case");
        // two properties at one address: ambiguous
        String id = jdbc.queryForObject("SELECT doorloop_id FROM normalized_properties WHERE doorloop_id <> ? LIMIT 1", String.class,
                m.get(0).get("property_id").asText());
        jdbc.update("UPDATE normalized_properties SET street1 = x.street1, city = x.city, state = x.state, zip = x.zip"
                + " FROM (SELECT street1, city, state, zip FROM normalized_properties WHERE doorloop_id = ?) x WHERE doorloop_id = ?",
                m.get(0).get("property_id").asText(), id);
        JsonNode amb = importOk(TestWorkbooks.write(tmp.resolve("ambiguous.xlsx"), TestWorkbooks.withHeader(List.of(
                rowFor(m.get(0), "LT-303", "intake", "1")))));
        assertThat(amb.get("errors").get(0).get("message").asText()).contains("matches 2 properties: ambiguous");
        assertThat(count("SELECT count(*) FROM legal_cases")).isZero();
    }

    @Test
    void hostileWorkbooksAreRefusedWith400AndNothingIsImported() throws Exception {
        List<Object> ok = rowFor(matches(1).get(0), "LT-400", "intake", "1");
        List<Object> formulaRow = new ArrayList<>(ok);
        formulaRow.set(6, new TestWorkbooks.Formula("WEBSERVICE(\"http://127.0.0.1:9/steal\")", "1"));
        Map<String, Path> hostile = new java.util.LinkedHashMap<>();
        hostile.put("zip bomb", TestWorkbooks.zipBomb(tmp.resolve("bomb.xlsx"), 512));
        hostile.put("Excel 97-2003 .xls", TestWorkbooks.xls(tmp.resolve("old.xls")));
        hostile.put("not a zip package", Files.writeString(tmp.resolve("cases.xlsx"), "Case Number,Tenant Name\n1,2\n"));
        hostile.put("no [Content_Types].xml", TestWorkbooks.plainZip(tmp.resolve("plain.xlsx")));
        hostile.put("not an .xlsx workbook", TestWorkbooks.zipWithoutWorkbook(tmp.resolve("noworkbook.xlsx")));
        hostile.put("1048576 rows", TestWorkbooks.manyRows(tmp.resolve("rows-dim.xlsx"), 1_048_575, true));
        hostile.put("more than 200000 data rows", TestWorkbooks.manyRows(tmp.resolve("rows.xlsx"), 1_048_575, false));
        hostile.put("holds a formula", TestWorkbooks.write(tmp.resolve("formula.xlsx"), TestWorkbooks.withHeader(List.of(ok, formulaRow))));
        hostile.put("external links", TestWorkbooks.write(tmp.resolve("external.xlsx"), TestWorkbooks.withHeader(List.of(ok)).iterator(),
                TestWorkbooks.Options.plain().withExternalLink()));
        for (Map.Entry<String, Path> e : hostile.entrySet()) {
            HttpResponse<String> r = upload(e.getValue());
            assertThat(r.statusCode()).as(e.getKey() + ": " + r.body()).isEqualTo(400);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
            assertThat(json(r).get("detail").asText()).as(e.getKey()).startsWith("workbook refused: ").contains(e.getKey());
            assertThat(count("SELECT count(*) FROM legal_cases")).as(e.getKey()).isZero();
            HttpResponse<String> health = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url("/actuator/health")))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
        }
        // refused runs are failed runs of legal-import with the reason
        assertThat(count("SELECT count(*) FROM sync_jobs WHERE flow = 'legal-import' AND status = 'failed'"
                + " AND stats->>'refused' IS NOT NULL")).isGreaterThanOrEqualTo(hostile.size());
        assertThat(Files.list(folders.uploads()).count()).as("no spool file is left behind").isZero();

        // bad requests
        assertThat(LegalTestSupport.send(http, url(""), "application/json", "{}".getBytes(StandardCharsets.UTF_8)).statusCode()).isEqualTo(400);
        HttpResponse<String> noPart = LegalTestSupport.upload(http, url(""), hostile.get("external links"), "upload");
        assertThat(noPart.statusCode()).as(noPart.body()).isEqualTo(400);

        // and a good workbook still imports
        JsonNode good = importOk(TestWorkbooks.write(tmp.resolve("good.xlsx"), TestWorkbooks.withHeader(List.of(ok))));
        assertThat(good.get("imported").asInt()).isEqualTo(1);
    }

    @Test
    void theInboxImportsDroppedWorkbooksAndMovesThem() throws Exception {
        Path wb = TestWorkbooks.generated(doorloop, 80, true);
        JsonNode expected = mapper.readTree(TestWorkbooks.expectedOf(wb).toFile());
        Path staged = folders.inbox().resolve(".incoming.tmp");
        Files.copy(wb, staged, StandardCopyOption.REPLACE_EXISTING);
        Files.move(staged, folders.inbox().resolve("cases-dates.xlsx"), StandardCopyOption.ATOMIC_MOVE);
        Path bad = folders.inbox().resolve("not-a-workbook.xlsx");
        Files.writeString(bad, "hello");
        Files.deleteIfExists(folders.done().resolve("cases-dates.xlsx"));
        Files.deleteIfExists(folders.failed().resolve("not-a-workbook.xlsx"));

        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(folders.done().resolve("cases-dates.xlsx"))
                && Files.exists(folders.failed().resolve("not-a-workbook.xlsx.error.txt")));
        assertThat(folders.inbox().resolve("cases-dates.xlsx")).doesNotExist();
        assertThat(Files.readString(folders.failed().resolve("not-a-workbook.xlsx.error.txt"))).contains("not a zip package");

        Map<String, Object> run = jdbc.queryForMap("SELECT status, stats::text AS stats FROM sync_jobs WHERE flow = 'legal-import'"
                + " AND trigger = 'inbox' AND stats->>'workbook' = 'cases-dates.xlsx' ORDER BY id DESC LIMIT 1");
        assertThat(run.get("status")).isEqualTo("partial");
        JsonNode stats = mapper.readTree((String) run.get("stats"));
        assertThat(stats.get("imported").asLong()).isEqualTo(expected.get("first_import").get("imported").asLong());
        assertThat(stats.get("rejected").asLong()).isEqualTo(expected.get("first_import").get("rejected").asLong());
        assertThat(count("SELECT count(*) FROM legal_case_history WHERE changed_by = 'inbox'"))
                .isEqualTo(expected.get("first_import").get("imported").asLong());
        assertThat(count("SELECT count(*) FROM legal_case_folders")).isEqualTo(expected.get("first_import").get("imported").asLong());
    }

    @Test
    void aTenantLegalDocumentWithACaseNumberLandsInTheCaseFolder() throws Exception {
        JsonNode m = matches(1).get(0);
        importOk(TestWorkbooks.write(tmp.resolve("doc.xlsx"), TestWorkbooks.withHeader(List.of(rowFor(m, "2025/EV/77", "filed", "5")))));
        String caseFolder = jdbc.queryForObject("SELECT path FROM legal_case_folders WHERE case_number = '2025/EV/77'", String.class);
        assertThat(caseFolder).endsWith("/10_Legal/2025_EV_77");
        Map<String, Object> t = jdbc.queryForMap("SELECT * FROM legal_case_tenancies WHERE case_number = '2025/EV/77'");
        ObjectNode meta = mapper.createObjectNode().put("owner_id", (String) t.get("owner_doorloop_id"))
                .put("owner_name", (String) t.get("owner_name")).put("property_id", (String) t.get("property_doorloop_id"))
                .put("property_name", (String) t.get("property_name")).put("unit_id", (String) t.get("unit_doorloop_id"))
                .put("unit_name", (String) t.get("unit_name")).put("lease_id", (String) t.get("lease_doorloop_id"))
                .put("tenant_id", (String) t.get("tenant_doorloop_id")).put("tenant_name", (String) t.get("tenant_name"))
                .put("case_number", "2025/EV/77");
        ObjectNode body = mapper.createObjectNode().put("entity_type", "TenantLegal").put("original_filename", "summons.pdf")
                .put("file_base64", java.util.Base64.getEncoder().encodeToString("%PDF-1.4 summons".getBytes(StandardCharsets.UTF_8)));
        body.set("meta", meta);
        HttpResponse<String> r = post("/api/dropbox_upload", body.toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(json(r).get("path").asText()).isEqualTo(caseFolder + "/summons.pdf");
        // without a case number it goes to the tenancy's 10_Legal as before
        meta.remove("case_number");
        body.put("original_filename", "notice.pdf");
        HttpResponse<String> plain = post("/api/dropbox_upload", body.toString());
        assertThat(json(plain).get("path").asText()).isEqualTo(caseFolder.substring(0, caseFolder.lastIndexOf('/')) + "/notice.pdf");

        // an upload session for a TenantLegal document with a case number lands in the case folder too
        ObjectNode withCase = meta.deepCopy();
        withCase.put("case_number", "2025/EV/77");
        ObjectNode start = mapper.createObjectNode().put("entity_type", "TenantLegal").put("filename", "judgment.pdf");
        start.set("meta", withCase);
        HttpResponse<String> session = post("/api/upload_session/start", start.toString());
        assertThat(session.statusCode()).as(session.body()).isEqualTo(200);
        assertThat(json(session).get("dest_path").asText()).isEqualTo(caseFolder + "/judgment.pdf");
    }
}
