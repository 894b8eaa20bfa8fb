package com.altus.hub.legal;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import com.altus.hub.doorloop.normalize.NormalizeTestDb;

/**
 * Workbooks for the tests, written as OOXML the way spreadsheet programs do (streaming, so a sheet
 * of a million rows costs no memory): inline or shared strings, numbers, date cells (numFmt 14),
 * formulas with cached values, external links; and hostile files: zip bombs, .xls, text, zips
 * without workbook parts. Also runs {@code gen_data.py legal}.
 */
public final class TestWorkbooks {
    private static final String HEAD = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";
    private static final String MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    private static final String RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    public static final List<String> HEADER = List.of("Case Number", "Tenant Name", "Property Address", "Unit", "Case Type",
            "Phase", "Amount Claimed", "Filing Date", "Hearing Date", "Judgment Amount", "Attorney", "Notes");

    private TestWorkbooks() {
    }

    /** A numeric cell. */
    public record Num(String text) {
    }

    /** A formula cell with its cached value. */
    public record Formula(String formula, String cached) {
    }

    /** How to write a workbook. */
    public record Options(boolean sharedStrings, boolean externalLink, String dimension, boolean compressed) {
        public static Options plain() {
            return new Options(false, false, null, true);
        }

        public Options withSharedStrings() {
            return new Options(true, externalLink, dimension, compressed);
        }

        public Options withExternalLink() {
            return new Options(sharedStrings, true, dimension, compressed);
        }

        public Options withDimension(String ref) {
            return new Options(sharedStrings, externalLink, ref, compressed);
        }
    }

    /** Writes rows (cells: null, String, Num, LocalDate, Formula) as the first sheet "Cases". */
    public static Path write(Path out, Iterator<List<Object>> rows, Options o) throws IOException {
        Files.createDirectories(out.toAbsolutePath().getParent());
        Map<String, Integer> sst = new LinkedHashMap<>();
        try (ZipOutputStream zip = new ZipOutputStream(new BufferedOutputStream(Files.newOutputStream(out), 1 << 16))) {
            zip.setLevel(o.compressed() ? 6 : 0);
            entry(zip, "[Content_Types].xml", HEAD
                    + "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
                    + "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
                    + "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
                    + "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
                    + "<Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
                    + "<Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>"
                    + (o.sharedStrings() ? "<Override PartName=\"/xl/sharedStrings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml\"/>" : "")
                    + (o.externalLink() ? "<Override PartName=\"/xl/externalLinks/externalLink1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml\"/>" : "")
                    + "</Types>");
            entry(zip, "_rels/.rels", HEAD + "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
                    + "<Relationship Id=\"rId1\" Type=\"" + RELS + "/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>");
            entry(zip, "xl/workbook.xml", HEAD + "<workbook xmlns=\"" + MAIN + "\" xmlns:r=\"" + RELS + "\"><sheets>"
                    + "<sheet name=\"Cases\" sheetId=\"1\" r:id=\"rId1\"/></sheets>"
                    + (o.externalLink() ? "<externalReferences><externalReference r:id=\"rId9\"/></externalReferences>" : "")
                    + "</workbook>");
            entry(zip, "xl/_rels/workbook.xml.rels", HEAD
                    + "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
                    + "<Relationship Id=\"rId1\" Type=\"" + RELS + "/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
                    + "<Relationship Id=\"rId2\" Type=\"" + RELS + "/styles\" Target=\"styles.xml\"/>"
                    + (o.sharedStrings() ? "<Relationship Id=\"rId3\" Type=\"" + RELS + "/sharedStrings\" Target=\"sharedStrings.xml\"/>" : "")
                    + (o.externalLink() ? "<Relationship Id=\"rId9\" Type=\"" + RELS + "/externalLink\" Target=\"externalLinks/externalLink1.xml\"/>" : "")
                    + "</Relationships>");
            entry(zip, "xl/styles.xml", HEAD + "<styleSheet xmlns=\"" + MAIN + "\"><fonts count=\"1\"><font><sz val=\"11\"/>"
                    + "<name val=\"Calibri\"/></font></fonts><fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill>"
                    + "<fill><patternFill patternType=\"gray125\"/></fill></fills><borders count=\"1\"><border><left/><right/><top/>"
                    + "<bottom/><diagonal/></border></borders><cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" "
                    + "borderId=\"0\"/></cellStyleXfs><cellXfs count=\"2\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" "
                    + "xfId=\"0\"/><xf numFmtId=\"14\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/>"
                    + "</cellXfs></styleSheet>");
            if (o.externalLink()) {
                entry(zip, "xl/externalLinks/externalLink1.xml", HEAD + "<externalLink xmlns=\"" + MAIN + "\" xmlns:r=\"" + RELS
                        + "\"><externalBook r:id=\"rId1\"><sheetNames><sheetName val=\"Rates\"/></sheetNames></externalBook></externalLink>");
                entry(zip, "xl/externalLinks/_rels/externalLink1.xml.rels", HEAD
                        + "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
                        + "<Relationship Id=\"rId1\" Type=\"" + RELS + "/externalLinkPath\" Target=\"file:///C:/secret/rates.xlsx\" "
                        + "TargetMode=\"External\"/></Relationships>");
            }
            zip.putNextEntry(new ZipEntry("xl/worksheets/sheet1.xml"));
            Writer w = new OutputStreamWriter(zip, StandardCharsets.UTF_8);
            w.write(HEAD + "<worksheet xmlns=\"" + MAIN + "\">");
            if (o.dimension() != null) {
                w.write("<dimension ref=\"" + o.dimension() + "\"/>");
            }
            w.write("<sheetData>");
            int r = 0;
            StringBuilder b = new StringBuilder(1024);
            while (rows.hasNext()) {
                List<Object> row = rows.next();
                r++;
                b.setLength(0);
                b.append("<row r=\"").append(r).append("\">");
                for (int c = 0; c < row.size(); c++) {
                    Object v = row.get(c);
                    if (v == null) {
                        continue;
                    }
                    String ref = column(c) + r;
                    if (v instanceof Num n) {
                        b.append("<c r=\"").append(ref).append("\"><v>").append(n.text()).append("</v></c>");
                    } else if (v instanceof LocalDate d) {
                        b.append("<c r=\"").append(ref).append("\" s=\"1\"><v>")
                                .append(ChronoUnit.DAYS.between(LocalDate.of(1899, 12, 30), d)).append("</v></c>");
                    } else if (v instanceof Formula f) {
                        b.append("<c r=\"").append(ref).append("\"><f>").append(escape(f.formula())).append("</f><v>")
                                .append(escape(f.cached())).append("</v></c>");
                    } else if (o.sharedStrings()) {
                        int idx = sst.computeIfAbsent(v.toString(), k -> sst.size());
                        b.append("<c r=\"").append(ref).append("\" t=\"s\"><v>").append(idx).append("</v></c>");
                    } else {
                        b.append("<c r=\"").append(ref).append("\" t=\"inlineStr\"><is><t xml:space=\"preserve\">")
                                .append(escape(v.toString())).append("</t></is></c>");
                    }
                }
                b.append("</row>");
                w.write(b.toString());
            }
            w.write("</sheetData></worksheet>");
            w.flush();
            zip.closeEntry();
            if (o.sharedStrings()) {
                zip.putNextEntry(new ZipEntry("xl/sharedStrings.xml"));
                Writer s = new OutputStreamWriter(zip, StandardCharsets.UTF_8);
                s.write(HEAD + "<sst xmlns=\"" + MAIN + "\" count=\"" + sst.size() + "\" uniqueCount=\"" + sst.size() + "\">");
                for (String k : sst.keySet()) {
                    s.write("<si><t xml:space=\"preserve\">" + escape(k) + "</t></si>");
                }
                s.write("</sst>");
                s.flush();
                zip.closeEntry();
            }
        }
        return out;
    }

    public static Path write(Path out, List<List<Object>> rows) throws IOException {
        return write(out, rows.iterator(), Options.plain());
    }

    /** A header row followed by the given rows. */
    public static List<List<Object>> withHeader(List<List<Object>> rows) {
        List<List<Object>> all = new ArrayList<>();
        all.add(new ArrayList<>(HEADER));
        all.addAll(rows);
        return all;
    }

    /** A valid-looking data row. */
    public static List<Object> row(String caseNumber, String tenant, String address, String unit, String type, String phase,
                                   String claimed, String filing, String hearing, String judgment) {
        List<Object> r = new ArrayList<>();
        r.add(caseNumber);
        r.add(tenant);
        r.add(address);
        r.add(unit);
        r.add(type);
        r.add(phase);
        r.add(claimed == null ? null : new Num(claimed));
        r.add(filing);
        r.add(hearing);
        r.add(judgment == null ? null : new Num(judgment));
        r.add("Harbor Legal PLLC");
        r.add(null);
        return r;
    }

    /** The header and then {@code rows} rows of one cell each (a sheet "of that many rows"), with an honest dimension. */
    public static Path manyRows(Path out, int rows, boolean dimension) throws IOException {
        Iterator<List<Object>> it = new Iterator<>() {
            int i;

            @Override
            public boolean hasNext() {
                return i <= rows;
            }

            @Override
            public List<Object> next() {
                List<Object> r = i == 0 ? new ArrayList<>(HEADER) : List.of("X-" + i);
                i++;
                return r;
            }
        };
        return write(out, it, dimension ? Options.plain().withDimension("A1:L" + (rows + 1)) : Options.plain());
    }

    /**
     * A zip bomb: a valid workbook whose sheet, after the header row, is one row of {@code mib} MiB of the
     * same empty cell elements, inflating about a thousand times.
     */
    public static Path zipBomb(Path out, int mib) throws IOException {
        Files.createDirectories(out.toAbsolutePath().getParent());
        try (ZipOutputStream zip = new ZipOutputStream(new BufferedOutputStream(Files.newOutputStream(out), 1 << 16))) {
            zip.setLevel(9);
            Path small = write(Files.createTempFile("bomb-base", ".xlsx"), List.of(new ArrayList<>(HEADER)));
            try (java.util.zip.ZipFile base = new java.util.zip.ZipFile(small.toFile())) {
                for (ZipEntry e : java.util.Collections.list(base.entries())) {
                    if (e.getName().equals("xl/worksheets/sheet1.xml")) {
                        continue;
                    }
                    zip.putNextEntry(new ZipEntry(e.getName()));
                    try (var in = base.getInputStream(e)) {
                        in.transferTo(zip);
                    }
                    zip.closeEntry();
                }
            } finally {
                Files.deleteIfExists(small);
            }
            zip.putNextEntry(new ZipEntry("xl/worksheets/sheet1.xml"));
            StringBuilder head = new StringBuilder(HEAD + "<worksheet xmlns=\"" + MAIN + "\"><sheetData><row r=\"1\">");
            for (int c = 0; c < HEADER.size(); c++) {
                head.append("<c r=\"").append(column(c)).append("1\" t=\"inlineStr\"><is><t>").append(HEADER.get(c)).append("</t></is></c>");
            }
            head.append("</row><row r=\"2\">");
            zip.write(head.toString().getBytes(StandardCharsets.UTF_8));
            byte[] block = "<c/>".repeat(1 << 14).getBytes(StandardCharsets.UTF_8);
            long total = (long) mib << 20;
            for (long done = 0; done < total; done += block.length) {
                zip.write(block);
            }
            zip.write("</row></sheetData></worksheet>".getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        return out;
    }

    /** The first bytes of an OLE2 compound file (what an Excel 97-2003 .xls is), padded to 4 KiB. */
    public static Path xls(Path out) throws IOException {
        byte[] b = new byte[4096];
        byte[] magic = {(byte) 0xD0, (byte) 0xCF, 0x11, (byte) 0xE0, (byte) 0xA1, (byte) 0xB1, 0x1A, (byte) 0xE1};
        System.arraycopy(magic, 0, b, 0, magic.length);
        Files.createDirectories(out.toAbsolutePath().getParent());
        return Files.write(out, b);
    }

    /** A zip that is no Office document (no [Content_Types].xml, no workbook part). */
    public static Path plainZip(Path out) throws IOException {
        Files.createDirectories(out.toAbsolutePath().getParent());
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(out))) {
            zip.putNextEntry(new ZipEntry("cases.csv"));
            zip.write(String.join(",", HEADER).getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        return out;
    }

    /** A zip with [Content_Types].xml but without a workbook. */
    public static Path zipWithoutWorkbook(Path out) throws IOException {
        Files.createDirectories(out.toAbsolutePath().getParent());
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(out))) {
            entry(zip, "[Content_Types].xml", HEAD + "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
                    + "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
                    + "<Default Extension=\"xml\" ContentType=\"application/xml\"/></Types>");
            entry(zip, "docProps/app.xml", HEAD + "<Properties/>");
        }
        return out;
    }

    private static void entry(ZipOutputStream zip, String name, String text) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(text.getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
    }

    static String column(int i) {
        StringBuilder s = new StringBuilder();
        int n = i + 1;
        while (n > 0) {
            int rem = (n - 1) % 26;
            s.insert(0, (char) ('A' + rem));
            n = (n - 1) / 26;
        }
        return s.toString();
    }

    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                default -> b.append(ch);
            }
        }
        return b.toString();
    }

    /**
     * {@code gen_data.py legal} from a recorded DoorLoop directory, made once per arguments under
     * target/test-data; answers the workbook (its .expected.json beside it).
     */
    public static synchronized Path generated(Path doorloopDir, int rows, boolean dateCells) throws IOException, InterruptedException {
        Path base = NormalizeTestDb.basedir();
        Path out = base.resolve("target/test-data/legal-gen/" + doorloopDir.getFileName() + "-" + rows + (dateCells ? "-dates" : "") + ".xlsx");
        Path expected = out.resolveSibling(out.getFileName().toString().replace(".xlsx", ".expected.json"));
        if (Files.exists(out) && Files.exists(expected)) {
            return out;
        }
        Files.createDirectories(out.getParent());
        Path gen = base.resolve("../shared/tools/gen_data.py");
        if (!Files.exists(gen)) {
            gen = base.resolve("tools/gen_data.py");
        }
        List<String> cmd = new ArrayList<>(List.of("python3", gen.toString(), "legal", "--out", out.toString(), "--from-doorloop",
                doorloopDir.toString(), "--rows", String.valueOf(rows)));
        if (dateCells) {
            cmd.add("--date-cells");
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("gen_data.py legal failed (exit " + (p.isAlive() ? "timeout" : p.exitValue()) + ")");
        }
        return out;
    }

    public static Path expectedOf(Path workbook) {
        return workbook.resolveSibling(workbook.getFileName().toString().replace(".xlsx", ".expected.json"));
    }

    /** Copies bytes to a stream (for multipart bodies). */
    static void copy(Path file, OutputStream out) throws IOException {
        Files.copy(file, out);
    }
}
