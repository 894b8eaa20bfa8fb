package com.altus.hub.legal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.altus.hub.doorloop.normalize.GeneratedData;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The streaming reader on its own: generated workbooks, cell kinds, and every kind of refused workbook. */
class LegalWorkbookReaderTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final LegalWorkbookReader reader = new LegalWorkbookReader(WorkbookLimits.defaults().withMaxRows(5000));

    @TempDir
    Path tmp;

    private List<CaseRow> read(Path file) throws Exception {
        List<CaseRow> rows = new ArrayList<>();
        reader.read(file, rows::add);
        return rows;
    }

    @Test
    void readsGeneratedWorkbooksWithTextAndDateCellsAlike() throws Exception {
        Path dl = GeneratedData.doorloop(40, "2025-12-15", 25);
        for (boolean dateCells : List.of(false, true)) {
            Path wb = TestWorkbooks.generated(dl, 60, dateCells);
            JsonNode expected = JSON.readTree(TestWorkbooks.expectedOf(wb).toFile());
            List<CaseRow> rows = read(wb);
            assertThat(rows).hasSize(expected.get("rows").asInt());
            Map<Integer, CaseRow> byRow = new HashMap<>();
            rows.forEach(r -> byRow.put(r.rowNumber(), r));
            assertThat(byRow.keySet()).allMatch(n -> n >= 2 && n <= expected.get("rows").asInt() + 1);
            for (JsonNode m : expected.get("matches")) {
                CaseRow r = byRow.get(m.get("row").asInt());
                assertThat(r.valid()).as(r.toString()).isTrue();
                assertThat(r.caseNumber()).isEqualTo(m.get("case_number").asText());
                assertThat(r.caseType()).isEqualTo(m.get("case_type").asText());
                assertThat(r.phase()).isEqualTo(m.get("phase").asText());
            }
            // the invalid rows that need no database to be found invalid
            for (JsonNode rej : expected.get("rejected")) {
                CaseRow r = byRow.get(rej.get("row").asInt());
                if (!rej.get("reason").asText().equals("unknown_tenant")) {
                    assertThat(r.valid()).as(r.toString()).isFalse();
                    assertThat(r.error()).isEqualTo(rej.get("detail").asText());
                }
            }
            // dates come out as ISO dates whether the workbook held text or date cells
            assertThat(rows.stream().filter(r -> r.filingDate() != null)).isNotEmpty();
        }
    }

    @Test
    void readsSharedStringsNumbersAndDateCells() throws Exception {
        List<Object> row = TestWorkbooks.row("2025-EV-1", "Ana Núñez", "1 Main St, Springfield, IL 62701", "Unit 1", "Eviction",
                "Notice Served", "1234.5", null, null, "0");
        row.set(7, LocalDate.of(2025, 3, 4));
        Path wb = TestWorkbooks.write(tmp.resolve("sst.xlsx"), TestWorkbooks.withHeader(List.of(row)).iterator(),
                TestWorkbooks.Options.plain().withSharedStrings());
        List<CaseRow> rows = read(wb);
        assertThat(rows).hasSize(1);
        CaseRow r = rows.get(0);
        assertThat(r.valid()).as(r.toString()).isTrue();
        assertThat(r.rowNumber()).isEqualTo(2);
        assertThat(r.cell(CaseRow.Column.TENANT_NAME)).isEqualTo("Ana Núñez");
        assertThat(r.caseType()).isEqualTo("eviction");
        assertThat(r.phase()).isEqualTo("notice_served");
        assertThat(r.amountClaimed()).isEqualByComparingTo("1234.50");
        assertThat(r.filingDate()).isEqualTo(LocalDate.of(2025, 3, 4));
        assertThat(r.judgmentAmount()).isEqualByComparingTo("0");
    }

    @Test
    void columnsAreFoundByHeaderNameAndBlankRowsAreSkipped() throws Exception {
        List<Object> header = new ArrayList<>(TestWorkbooks.HEADER);
        java.util.Collections.reverse(header);
        header.add("Extra Column");
        List<Object> data = new ArrayList<>(TestWorkbooks.row("C-1", "T", "A", "U", "damages", "intake", "1", null, null, null));
        java.util.Collections.reverse(data);
        data.add("ignored");
        List<Object> blank = new ArrayList<>(java.util.Collections.nCopies(12, (Object) null));
        blank.set(3, "   ");
        Path wb = TestWorkbooks.write(tmp.resolve("order.xlsx"), List.of(header, blank, data));
        List<CaseRow> rows = read(wb);
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).rowNumber()).isEqualTo(3);
        assertThat(rows.get(0).caseNumber()).isEqualTo("C-1");
        assertThat(rows.get(0).caseType()).isEqualTo("damages");
    }

    @Test
    void refusesWhatIsNotAnXlsxWorkbook() throws Exception {
        assertRefused(TestWorkbooks.xls(tmp.resolve("old.xls")), "Excel 97-2003 .xls");
        assertRefused(Files.writeString(tmp.resolve("cases.csv"), String.join(",", TestWorkbooks.HEADER)), "not a zip package");
        assertRefused(Files.write(tmp.resolve("empty.xlsx"), new byte[0]), "the file is empty");
        assertRefused(TestWorkbooks.plainZip(tmp.resolve("plain.zip")), "no [Content_Types].xml");
        assertRefused(TestWorkbooks.zipWithoutWorkbook(tmp.resolve("noworkbook.xlsx")), "not an .xlsx workbook");
        assertRefused(TestWorkbooks.write(tmp.resolve("noheader.xlsx"), List.of(List.of("Case Number", "Tenant"))), "lacks the column(s)");
    }

    @Test
    void refusesFormulasAndExternalLinksWithoutEvaluatingThem() throws Exception {
        List<Object> row = TestWorkbooks.row("C-1", "T", "A", "U", "eviction", "intake", null, null, null, null);
        row.set(6, new TestWorkbooks.Formula("WEBSERVICE(\"http://127.0.0.1:9/leak\")", "100"));
        assertRefused(TestWorkbooks.write(tmp.resolve("formula.xlsx"), TestWorkbooks.withHeader(List.of(row))), "cell G2 holds a formula");
        List<Object> plain = TestWorkbooks.row("C-1", "T", "A", "U", "eviction", "intake", "1", null, null, null);
        assertRefused(TestWorkbooks.write(tmp.resolve("external.xlsx"), TestWorkbooks.withHeader(List.of(plain)).iterator(),
                TestWorkbooks.Options.plain().withExternalLink()), "external links");
    }

    @Test
    void refusesTooManyRowsByDimensionOrByCount() throws Exception {
        assertRefused(TestWorkbooks.manyRows(tmp.resolve("dim.xlsx"), 1_048_575, true), "declares 1048576 rows");
        assertRefused(TestWorkbooks.manyRows(tmp.resolve("count.xlsx"), 6000, false), "more than 5000 data rows");
        assertThat(read(TestWorkbooks.manyRows(tmp.resolve("ok.xlsx"), 5000, true))).hasSize(5000);
    }

    @Test
    void refusesAZipBombBeforeInflatingIt() throws Exception {
        Path bomb = TestWorkbooks.zipBomb(tmp.resolve("bomb.xlsx"), 256);
        assertThat(Files.size(bomb)).isLessThan(2L << 20);
        assertRefused(bomb, "zip bomb");
    }

    @Test
    void refusesOversizedCellsAndMarkupRuns() throws Exception {
        List<Object> row = TestWorkbooks.row("C-1", "T", "A", "U", "eviction", "intake", "1", null, null, null);
        row.set(11, "n".repeat(40_000));
        assertRefused(TestWorkbooks.write(tmp.resolve("bigcell.xlsx"), TestWorkbooks.withHeader(List.of(row))), "more than 32767 characters");
        // a start tag whose attribute never ends is refused before the parser holds it
        byte[] tag = ("<c r=\"A1\" x=\"" + "n".repeat(3 << 20) + "\"/>").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (GuardedXmlStream in = new GuardedXmlStream(new java.io.ByteArrayInputStream(tag), "sheet", 1L << 30, 1 << 20)) {
            assertThatThrownBy(() -> in.transferTo(java.io.OutputStream.nullOutputStream()))
                    .isInstanceOf(WorkbookRefusedException.class).hasMessageContaining("tag or text of more than 1048576 bytes");
        }
        try (GuardedXmlStream in = new GuardedXmlStream(new java.io.ByteArrayInputStream(tag), "styles", 1000, 1 << 22)) {
            assertThatThrownBy(() -> in.transferTo(java.io.OutputStream.nullOutputStream()))
                    .isInstanceOf(WorkbookRefusedException.class).hasMessageContaining("larger than 1000 bytes");
        }
    }

    private void assertRefused(Path file, String reason) {
        assertThatThrownBy(() -> read(file)).isInstanceOf(WorkbookRefusedException.class).hasMessageContaining(reason);
    }
}
