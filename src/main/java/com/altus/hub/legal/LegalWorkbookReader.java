package com.altus.hub.legal;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.poi.ooxml.POIXMLException;
import org.apache.poi.openxml4j.exceptions.NotOfficeXmlFileException;
import org.apache.poi.openxml4j.exceptions.OpenXML4JException;
import org.apache.poi.openxml4j.exceptions.OpenXML4JRuntimeException;
import org.apache.poi.openxml4j.opc.OPCPackage;
import org.apache.poi.openxml4j.opc.PackageAccess;
import org.apache.poi.openxml4j.opc.PackagePart;
import org.apache.poi.openxml4j.opc.PackageRelationshipTypes;
import org.apache.poi.openxml4j.util.ZipSecureFile;
import org.apache.poi.poifs.filesystem.FileMagic;
import org.apache.poi.util.RecordFormatException;
import org.apache.poi.util.XMLHelper;
import org.apache.poi.xssf.eventusermodel.XSSFReader;
import org.apache.poi.xssf.model.StylesTable;
import org.apache.poi.xssf.usermodel.XSSFRelation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xml.sax.Attributes;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;
import org.xml.sax.XMLReader;
import org.xml.sax.helpers.DefaultHandler;

/**
 * Reads the first sheet of a legal-case workbook (.xlsx) row by row with POI's streaming reader:
 * {@link XSSFReader}'s sheet stream through POI's hardened SAX parser into {@link SheetCells} (cells
 * as POI's {@code XSSFSheetXMLHandler} makes them, without its per-cell xmlbeans objects), shared
 * strings read once, so a large sheet never sits in memory. Before POI builds anything, the package is checked:
 * a zip (not .xls, not text), entry count, every XML part POI reads whole within
 * {@link WorkbookLimits#maxXmlPartBytes()}, POI's zip-bomb limits on every entry read (inflate
 * ratio, entry size), no external links, data connections or macros. While the sheet streams:
 * no formula cells (formulas are never evaluated, and their cached values are not trusted: the
 * workbook is refused), at most {@link WorkbookLimits#maxRows()} rows, bounded cells. Anything
 * refused throws {@link WorkbookRefusedException} with the reason; rows already handed to the
 * sink are the caller's to discard.
 *
 * <p>Cells are read as text: strings as they are, numbers as Excel shows them in General format,
 * date-formatted numbers as ISO dates (YYYY-MM-DD, honouring the 1904 date system).
 */
public final class LegalWorkbookReader {
    private static final Logger log = LoggerFactory.getLogger(LegalWorkbookReader.class);
    static final String MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    static final String REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    private static final String EXTERNAL_LINK_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.externalLink+xml";
    private static final String CONNECTIONS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.connections+xml";
    private static final String QUERY_TABLE_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.queryTable+xml";
    private static final String VBA_TYPE = "application/vnd.ms-office.vbaProject";

    /** Where the rows go; a failure there is the caller's (it is rethrown as it is, never as a refusal). */
    @FunctionalInterface
    public interface RowSink {
        void row(CaseRow row) throws Exception;
    }

    /** What was read: data rows handed to the sink, blank rows skipped, the sheet's name. */
    public record Summary(int rows, int blankRows, String sheet) {
    }

    /** A sink failure carried through the SAX parser. */
    private static final class SinkFailure extends RuntimeException {
        SinkFailure(Exception cause) {
            super(cause);
        }
    }

    private final WorkbookLimits limits;

    public LegalWorkbookReader(WorkbookLimits limits) {
        this.limits = limits;
        applyZipLimits(limits);
    }

    /**
     * POI's zip-bomb guards are static (one setting per JVM); the hub reads workbooks only here, so
     * its limits are the JVM's.
     */
    static synchronized void applyZipLimits(WorkbookLimits l) {
        ZipSecureFile.setMinInflateRatio(l.minInflateRatio());
        ZipSecureFile.setMaxEntrySize(l.maxEntryBytes());
        ZipSecureFile.setMaxFileCount(l.maxEntries());
    }

    public WorkbookLimits limits() {
        return limits;
    }

    /** Streams the first sheet's data rows (row 2 on; blank rows skipped) to the sink. */
    public Summary read(Path file, RowSink sink) throws Exception {
        String name = file.getFileName().toString();
        try {
            checkMagic(file);
            preScan(file);
            try (OPCPackage pkg = OPCPackage.open(file.toFile(), PackageAccess.READ)) {
                return readPackage(pkg, sink);
            }
        } catch (SinkFailure f) {
            throw (Exception) f.getCause();
        } catch (WorkbookRefusedException e) {
            throw e;
        } catch (SAXException e) {
            Throwable inner = e.getException();
            if (inner instanceof SinkFailure f) {
                throw (Exception) f.getCause();
            }
            if (inner instanceof WorkbookRefusedException w) {
                throw w;
            }
            String where = e instanceof SAXParseException p ? " (line " + p.getLineNumber() + ", column " + p.getColumnNumber() + ")" : "";
            throw refused("the workbook's XML is not well-formed" + where + ": " + e.getMessage(), e, file);
        } catch (IOException e) {
            String msg = String.valueOf(e.getMessage());
            if (msg.contains("Zip bomb detected")) {
                throw refused("refused as a zip bomb: " + zipBombDetail(msg), e, file);
            }
            throw refused("cannot read the workbook: " + msg, e, file);
        } catch (OpenXML4JException | OpenXML4JRuntimeException | POIXMLException | RecordFormatException e) {
            // POI's own words for a package that is not a readable spreadsheet
            throw refused("not a readable .xlsx workbook: " + e.getMessage(), e, file);
        } catch (IllegalArgumentException | IllegalStateException | IndexOutOfBoundsException e) {
            // POI's parts throw these on damaged content (a bad count, style or string index)
            throw refused("the workbook is damaged: " + e.getMessage(), e, file);
        } finally {
            log.debug("read workbook {}", name);
        }
    }

    private static WorkbookRefusedException refused(String reason, Throwable cause, Path file) {
        String r = reason.replace(file.toAbsolutePath().toString(), file.getFileName().toString())
                .replace(file.toString(), file.getFileName().toString());
        if (r.length() > 500) {
            r = r.substring(0, 500) + "...";
        }
        log.info("workbook {} refused: {}", file.getFileName(), r);
        log.debug("workbook {} refused", file.getFileName(), cause);
        return new WorkbookRefusedException(r, cause);
    }

    /** POI's zip-bomb message names the entry and the limit on its last lines. */
    private static String zipBombDetail(String msg) {
        String entry = null;
        for (String line : msg.split("\n")) {
            int i = line.indexOf("Entry: ");
            if (i >= 0) {
                entry = line.substring(i + 7).trim();
            }
        }
        String what = msg.contains("max size") ? "expands beyond the size limit" : "inflates more than the allowed ratio";
        return (entry == null ? "a part" : "part " + entry) + " " + what + " (min inflate ratio "
                + ZipSecureFile.getMinInflateRatio() + ", max entry size " + ZipSecureFile.getMaxEntrySize() + " bytes)";
    }

    /** A zip package, not an OLE2 .xls, not text: decided on the first bytes. */
    static void checkMagic(Path file) throws IOException {
        if (Files.size(file) == 0) {
            throw new WorkbookRefusedException("the file is empty");
        }
        FileMagic magic;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            magic = FileMagic.valueOf(in);
        }
        if (magic == FileMagic.OLE2) {
            throw new WorkbookRefusedException("not an .xlsx workbook: it is an Excel 97-2003 .xls file (or a password-protected "
                    + "workbook); save it as an .xlsx workbook without a password");
        }
        if (magic != FileMagic.OOXML) {
            throw new WorkbookRefusedException("not an .xlsx workbook: the file is " + describe(magic)
                    + ", not a zip package");
        }
    }

    private static String describe(FileMagic magic) {
        return switch (magic) {
            case XML -> "XML text";
            case HTML -> "HTML";
            case PDF -> "a PDF";
            case RTF -> "RTF text";
            case JPEG, GIF, PNG, TIFF, BMP, WMF, EMF -> "an image";
            case BIFF2, BIFF3, BIFF4 -> "an old Excel (BIFF) file";
            case UNKNOWN -> "text or data of an unknown kind";
            default -> "a " + magic.name().toLowerCase(Locale.ROOT) + " file";
        };
    }

    /**
     * Reads the package's small parts before POI does: the entry count, [Content_Types].xml, and
     * every XML part except worksheets and the shared strings (which are streamed), each within the
     * part limit and through POI's zip-bomb checks; refuses external links, data connections and
     * macros by their content types.
     */
    void preScan(Path file) throws IOException, SAXException {
        try (ZipSecureFile zip = new ZipSecureFile(file.toFile())) {
            List<ZipArchiveEntry> entries = Collections.list(zip.getEntries());
            if (entries.size() > limits.maxEntries()) {
                throw new WorkbookRefusedException("the zip has " + entries.size() + " entries, more than "
                        + limits.maxEntries());
            }
            ZipArchiveEntry types = null;
            for (ZipArchiveEntry e : entries) {
                if (e.getName().equalsIgnoreCase("[Content_Types].xml")) {
                    types = e;
                }
            }
            if (types == null) {
                throw new WorkbookRefusedException("not an .xlsx workbook: the zip has no [Content_Types].xml, so it is not "
                        + "an Office document");
            }
            ContentTypes ct = new ContentTypes();
            try (InputStream in = guard(zip.getInputStream(types), types.getName(), limits.maxXmlPartBytes())) {
                parse(in, ct);
            }
            for (ZipArchiveEntry e : entries) {
                if (e.isDirectory() || e == types) {
                    continue;
                }
                String type = ct.of("/" + e.getName());
                if (EXTERNAL_LINK_TYPE.equals(type)) {
                    throw new WorkbookRefusedException("the workbook links to other workbooks (external links, part "
                            + e.getName() + "): links are never followed; break them (Data > Edit Links) and import again");
                }
                if (CONNECTIONS_TYPE.equals(type) || QUERY_TABLE_TYPE.equals(type)) {
                    throw new WorkbookRefusedException("the workbook has data connections or queries (part " + e.getName()
                            + "): they are never run; remove them and import again");
                }
                if (VBA_TYPE.equals(type)) {
                    throw new WorkbookRefusedException("the workbook carries macros (part " + e.getName()
                            + "): save it as a plain .xlsx workbook");
                }
                boolean xml = e.getName().endsWith(".rels") || (type != null && type.endsWith("xml"));
                boolean streamed = XSSFRelation.WORKSHEET.getContentType().equals(type)
                        || XSSFRelation.SHARED_STRINGS.getContentType().equals(type);
                if (xml && !streamed) {
                    try (InputStream in = guard(zip.getInputStream(e), e.getName(), limits.maxXmlPartBytes())) {
                        in.transferTo(java.io.OutputStream.nullOutputStream());
                    }
                }
            }
        }
    }

    private InputStream guard(InputStream in, String part, long maxBytes) {
        return new GuardedXmlStream(in, part, maxBytes, limits.maxMarkupRun());
    }

    private static void parse(InputStream in, DefaultHandler handler) throws IOException, SAXException {
        XMLReader xml;
        try {
            xml = XMLHelper.newXMLReader();
        } catch (javax.xml.parsers.ParserConfigurationException e) {
            throw new IllegalStateException("no SAX parser: " + e.getMessage(), e);
        }
        xml.setContentHandler(handler);
        xml.parse(new InputSource(in));
    }

    /** [Content_Types].xml: defaults by extension and overrides by part name (both case-insensitive, as OPC says). */
    private static final class ContentTypes extends DefaultHandler {
        private final Map<String, String> defaults = new HashMap<>();
        private final Map<String, String> overrides = new HashMap<>();

        @Override
        public void startElement(String uri, String localName, String qName, Attributes a) {
            if ("Default".equals(localName) && a.getValue("Extension") != null) {
                defaults.put(a.getValue("Extension").toLowerCase(Locale.ROOT), a.getValue("ContentType"));
            } else if ("Override".equals(localName) && a.getValue("PartName") != null) {
                overrides.put(a.getValue("PartName").toLowerCase(Locale.ROOT), a.getValue("ContentType"));
            }
        }

        String of(String partName) {
            String o = overrides.get(partName.toLowerCase(Locale.ROOT));
            if (o != null) {
                return o;
            }
            int dot = partName.lastIndexOf('.');
            return dot < 0 ? null : defaults.get(partName.substring(dot + 1).toLowerCase(Locale.ROOT));
        }
    }

    private Summary readPackage(OPCPackage pkg, RowSink sink) throws Exception {
        List<PackagePart> main = new ArrayList<>(pkg.getPartsByRelationshipType(PackageRelationshipTypes.CORE_DOCUMENT));
        if (main.isEmpty()) {
            main.addAll(pkg.getPartsByRelationshipType(PackageRelationshipTypes.STRICT_CORE_DOCUMENT));
        }
        if (main.isEmpty()) {
            throw new WorkbookRefusedException("not an .xlsx workbook: the package has no main document");
        }
        String type = main.get(0).getContentType();
        if (type.equals(XSSFRelation.MACROS_WORKBOOK.getContentType()) || type.equals(XSSFRelation.MACRO_TEMPLATE_WORKBOOK.getContentType())
                || type.equals(XSSFRelation.MACRO_ADDIN_WORKBOOK.getContentType())) {
            throw new WorkbookRefusedException("the workbook is macro-enabled (.xlsm): save it as a plain .xlsx workbook");
        }
        if (!type.equals(XSSFRelation.WORKBOOK.getContentType()) && !type.equals(XSSFRelation.TEMPLATE_WORKBOOK.getContentType())) {
            throw new WorkbookRefusedException("not an .xlsx workbook: its main part is " + type);
        }
        if (!main.get(0).getRelationshipsByType(XSSFRelation.EXTERNAL_LINKS.getRelation()).isEmpty()) {
            throw new WorkbookRefusedException("the workbook links to other workbooks (external links): links are never followed; "
                    + "break them (Data > Edit Links) and import again");
        }
        XSSFReader reader = new XSSFReader(pkg);
        WorkbookInfo info = new WorkbookInfo();
        try (InputStream in = guard(reader.getWorkbookData(), "xl/workbook.xml", limits.maxXmlPartBytes())) {
            parse(in, info);
        }
        if (info.firstSheetRelId == null) {
            throw new WorkbookRefusedException("the workbook has no sheet");
        }
        StylesTable styles;
        List<PackagePart> styleParts = pkg.getPartsByContentType(XSSFRelation.STYLES.getContentType());
        if (styleParts.isEmpty()) {
            styles = new StylesTable();
        } else {
            try (InputStream in = guard(styleParts.get(0).getInputStream(), "styles", limits.maxXmlPartBytes())) {
                styles = new StylesTable(in); // the file's styles only (the no-argument table starts with defaults)
            }
        }
        SheetCells.SharedStrings strings = new SheetCells.SharedStrings(limits.maxSharedStringChars(), limits.maxCellChars());
        List<PackagePart> sst = pkg.getPartsByContentType(XSSFRelation.SHARED_STRINGS.getContentType());
        if (!sst.isEmpty()) {
            try (InputStream in = guard(sst.get(0).getInputStream(), "sharedStrings", limits.maxEntryBytes())) {
                parse(in, strings);
            }
        }
        Rows rows = new Rows(sink);
        SheetCells handler = new SheetCells(limits, styles, strings, rows, info.date1904);
        try (InputStream in = guard(reader.getSheet(info.firstSheetRelId), "sheet " + info.firstSheetName, limits.maxEntryBytes())) {
            parse(in, handler);
        }
        if (!rows.headerSeen) {
            throw new WorkbookRefusedException("the first sheet (" + info.firstSheetName + ") is empty: row 1 must be the header row "
                    + headerList());
        }
        return new Summary(rows.dataRows, rows.blankRows, info.firstSheetName);
    }

    static String headerList() {
        StringBuilder b = new StringBuilder();
        for (CaseRow.Column c : CaseRow.Column.values()) {
            b.append(b.length() == 0 ? "" : ", ").append(c.header());
        }
        return "(" + b + ")";
    }

    /** workbook.xml: the first sheet in workbook order and the date system. */
    private static final class WorkbookInfo extends DefaultHandler {
        String firstSheetRelId;
        String firstSheetName;
        boolean date1904;

        @Override
        public void startElement(String uri, String localName, String qName, Attributes a) {
            if ("sheet".equals(localName) && firstSheetRelId == null) {
                firstSheetRelId = a.getValue(REL_NS, "id");
                firstSheetName = a.getValue("name");
            } else if ("workbookPr".equals(localName)) {
                String v = a.getValue("date1904");
                date1904 = "1".equals(v) || "true".equalsIgnoreCase(v);
            }
        }
    }

    static WorkbookRefusedException tooManyRows(WorkbookLimits limits) {
        return new WorkbookRefusedException("the sheet has more than " + limits.maxRows() + " data rows (hub.legal.max-rows); "
                + "split it into smaller workbooks");
    }

    /** Row events: row 1 is the header (columns found by name), the rest are data rows for the sink. */
    private static final class Rows implements SheetCells.Rows {
        private static final int COLUMNS = CaseRow.Column.values().length;
        private final RowSink sink;
        /** The workbook column (0-based) of each contract column; columns without a header are not read. */
        private final CaseRow.Column[] columns = new CaseRow.Column[16_384];
        private final Map<CaseRow.Column, String> headerCells = new EnumMap<>(CaseRow.Column.class);
        private final List<String> headerTexts = new ArrayList<>();
        private String[] cells;
        private boolean inHeader;
        boolean headerSeen;
        int dataRows;
        int blankRows;

        Rows(RowSink sink) {
            this.sink = sink;
        }

        @Override
        public void startRow(int rowNum) {
            if (!headerSeen && rowNum != 0) {
                throw new WorkbookRefusedException("row 1 must be the header row " + headerList() + "; the sheet starts at row "
                        + (rowNum + 1));
            }
            inHeader = rowNum == 0;
            cells = new String[COLUMNS];
        }

        @Override
        public void cell(String ref, String value) {
            if (ref == null) {
                return;
            }
            int col = columnIndex(ref);
            if (inHeader) {
                String text = CaseRow.clean(value);
                if (text == null) {
                    return;
                }
                headerTexts.add(text);
                CaseRow.Column c = headerColumn(text);
                if (c != null) {
                    if (headerCells.containsKey(c)) {
                        throw new WorkbookRefusedException("the header row names column '" + c.header() + "' twice");
                    }
                    headerCells.put(c, ref);
                    if (col >= 0) {
                        columns[col] = c;
                    }
                }
                return;
            }
            CaseRow.Column c = col >= 0 ? columns[col] : null;
            if (c != null) {
                cells[c.ordinal()] = value;
            }
        }

        @Override
        public void endRow(int rowNum) {
            if (inHeader) {
                headerSeen = true;
                List<String> missing = new ArrayList<>();
                for (CaseRow.Column c : CaseRow.Column.values()) {
                    if (!headerCells.containsKey(c)) {
                        missing.add(c.header());
                    }
                }
                if (!missing.isEmpty()) {
                    throw new WorkbookRefusedException("the header row (row 1) lacks the column(s) " + String.join(", ", missing)
                            + "; expected " + headerList() + (headerTexts.isEmpty() ? "" : ", found "
                            + String.join(", ", headerTexts.subList(0, Math.min(20, headerTexts.size())))));
                }
                return;
            }
            if (CaseRow.blank(cells)) {
                blankRows++;
                return;
            }
            dataRows++;
            try {
                sink.row(CaseRow.of(rowNum + 1, cells));
            } catch (WorkbookRefusedException e) {
                throw e;
            } catch (Exception e) {
                throw new SinkFailure(e);
            }
        }

        /** The 0-based column of a cell reference such as "AB12" (letters first). */
        private static int columnIndex(String ref) {
            int col = 0;
            for (int i = 0; i < ref.length(); i++) {
                char ch = ref.charAt(i);
                if (ch >= 'A' && ch <= 'Z') {
                    col = col * 26 + (ch - 'A' + 1);
                } else if (ch >= 'a' && ch <= 'z') {
                    col = col * 26 + (ch - 'a' + 1);
                } else if (ch != '$') {
                    break;
                }
                if (col > 16_384) {
                    return -1;
                }
            }
            return col - 1;
        }

        private static CaseRow.Column headerColumn(String header) {
            String key = header.replaceAll("[\\s\\u00A0_]+", " ").trim().toLowerCase(Locale.ROOT);
            for (CaseRow.Column c : CaseRow.Column.values()) {
                if (c.header().toLowerCase(Locale.ROOT).equals(key)) {
                    return c;
                }
            }
            return null;
        }
    }
}
