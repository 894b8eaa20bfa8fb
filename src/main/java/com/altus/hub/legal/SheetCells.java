package com.altus.hub.legal;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.poi.ss.usermodel.BuiltinFormats;
import org.apache.poi.ss.usermodel.DateUtil;
import org.apache.poi.ss.util.NumberToTextConverter;
import org.apache.poi.xssf.model.StylesTable;
import org.apache.poi.xssf.usermodel.XSSFCellStyle;
import org.xml.sax.Attributes;
import org.xml.sax.SAXException;
import org.xml.sax.helpers.DefaultHandler;

/**
 * The SAX side of the streaming read: the first sheet's XML events (from {@code XSSFReader},
 * parsed by POI's hardened SAX parser) turned into cell values, with the hub's guards on the same
 * events. Cells come out as POI's {@code XSSFSheetXMLHandler} makes them (the same element and
 * namespace rules, the same cell types and fallbacks), with two costs of that handler left out:
 * it builds an xmlbeans rich-text object for every string cell (inline or shared) and an
 * {@link XSSFCellStyle} with its format lookups for every number cell. Here a string is decoded
 * from its {@code _xHHHH_} escapes as {@code XSSFRichTextString} does, and a style's number format
 * (none, a number, or a date format) is resolved once per style index through POI's
 * {@link StylesTable}, {@link BuiltinFormats} and {@link DateUtil#isADateFormat}.
 *
 * <p>Guards, on every element in the main namespace or none: a formula ({@code <f>}) refuses the
 * workbook (formulas are never evaluated, their cached values not trusted); the sheet's declared
 * dimension and its row elements are bounded by {@link WorkbookLimits#maxRows()}; a cell's
 * characters by {@link WorkbookLimits#maxCellChars()}.
 */
final class SheetCells extends DefaultHandler {
    static final String MAIN_NS = LegalWorkbookReader.MAIN_NS;
    private static final Pattern UTF_ESCAPE = Pattern.compile("_x([0-9A-Fa-f]{4})_");

    /** Where the cells go (row numbers 0-based, as POI's handler gives them). */
    interface Rows {
        void startRow(int rowNum);

        void cell(String ref, String value);

        void endRow(int rowNum);
    }

    private enum Type { BOOLEAN, ERROR, FORMULA, INLINE_STRING, SST_STRING, NUMBER }

    /** A style's number format, as the cells need it. */
    private static final byte UNKNOWN = 0;
    private static final byte RAW = 1;      // no style or no format string: numbers as written
    private static final byte NUMBER = 2;   // Excel's General rendering
    private static final byte DATE = 3;     // ISO date

    private final WorkbookLimits limits;
    private final StylesTable styles;
    private final SharedStrings strings;
    private final Rows out;
    private final boolean date1904;
    private final byte[] styleFormats;

    private int rowElements;
    private long cellChars;
    private String cellRef;
    private boolean vIsOpen;
    private boolean isIsOpen;
    private Type type = Type.NUMBER;
    private byte format = RAW;
    private int rowNum;
    private int nextRowNum;
    private final StringBuilder value = new StringBuilder(64);

    SheetCells(WorkbookLimits limits, StylesTable styles, SharedStrings strings, Rows out, boolean date1904) {
        this.limits = limits;
        this.styles = styles;
        this.strings = strings;
        this.out = out;
        this.date1904 = date1904;
        this.styleFormats = new byte[styles == null ? 0 : Math.max(0, styles.getNumCellStyles())];
    }

    private static boolean guarded(String uri) {
        return uri == null || uri.isEmpty() || MAIN_NS.equals(uri);
    }

    /** POI's handler reads the main namespace only (and elements without a namespace URI at all). */
    private static boolean read(String uri) {
        return uri == null || MAIN_NS.equals(uri);
    }

    private boolean isTextTag(String name) {
        return "v".equals(name) || "inlineStr".equals(name) || ("t".equals(name) && isIsOpen);
    }

    @Override
    public void startElement(String uri, String localName, String qName, Attributes attributes) throws SAXException {
        if (!guarded(uri)) {
            return;
        }
        switch (localName) {
            case "c" -> {
                cellRef = attributes.getValue("r");
                cellChars = 0;
            }
            case "f" -> throw new WorkbookRefusedException("cell " + (cellRef == null ? "?" : cellRef)
                    + " holds a formula: formulas are never evaluated; paste the values (Paste Special > Values) "
                    + "and import again");
            case "row" -> {
                if (++rowElements > limits.maxRows() + 1) {
                    throw LegalWorkbookReader.tooManyRows(limits);
                }
            }
            case "dimension" -> checkDimension(attributes.getValue("ref"));
            default -> {
                // the rest is read below
            }
        }
        if (!read(uri)) {
            return;
        }
        if (isTextTag(localName)) {
            vIsOpen = true;
            if (!isIsOpen) {
                value.setLength(0);
            }
        } else if ("is".equals(localName)) {
            isIsOpen = true;
        } else if ("row".equals(localName)) {
            String r = attributes.getValue("r");
            rowNum = r != null ? Integer.parseInt(r.trim()) - 1 : nextRowNum;
            out.startRow(rowNum);
        } else if ("c".equals(localName)) {
            type = Type.NUMBER;
            format = RAW;
            String t = attributes.getValue("t");
            if ("b".equals(t)) {
                type = Type.BOOLEAN;
            } else if ("e".equals(t)) {
                type = Type.ERROR;
            } else if ("inlineStr".equals(t)) {
                type = Type.INLINE_STRING;
            } else if ("s".equals(t)) {
                type = Type.SST_STRING;
            } else if ("str".equals(t)) {
                type = Type.FORMULA;
            } else {
                String s = attributes.getValue("s");
                if (s != null) {
                    format = styleFormat(Integer.parseInt(s.trim()));
                } else if (styleFormats.length > 0) {
                    format = styleFormat(0);
                }
            }
        }
    }

    /** The number format of a style index, resolved once per index (an index outside the table has none, as in POI). */
    private byte styleFormat(int index) {
        if (index < 0 || index >= styleFormats.length) {
            return RAW;
        }
        byte f = styleFormats[index];
        if (f == UNKNOWN) {
            XSSFCellStyle style = styles.getStyleAt(index);
            if (style == null) {
                f = RAW;
            } else {
                short formatIndex = style.getDataFormat();
                String formatString = style.getDataFormatString();
                if (formatString == null) {
                    formatString = BuiltinFormats.getBuiltinFormat(formatIndex);
                }
                f = formatString == null ? RAW : DateUtil.isADateFormat(formatIndex, formatString) ? DATE : NUMBER;
            }
            styleFormats[index] = f;
        }
        return f;
    }

    private void checkDimension(String ref) {
        if (ref == null) {
            return;
        }
        String last = ref.substring(ref.indexOf(':') + 1);
        int digits = 0;
        while (digits < last.length() && !Character.isDigit(last.charAt(digits))) {
            digits++;
        }
        String n = last.substring(digits);
        if (!n.isEmpty() && n.length() <= 9 && n.chars().allMatch(Character::isDigit) && Long.parseLong(n) > limits.maxRows() + 1L) {
            throw new WorkbookRefusedException("the sheet declares " + Long.parseLong(n) + " rows (dimension " + ref
                    + "): more than " + limits.maxRows() + " data rows (hub.legal.max-rows); split it into smaller workbooks");
        }
    }

    @Override
    public void endElement(String uri, String localName, String qName) {
        if (!read(uri)) {
            return;
        }
        if (isTextTag(localName)) {
            vIsOpen = false;
            if (!isIsOpen) {
                outputCell();
                value.setLength(0);
            }
        } else if ("is".equals(localName)) {
            isIsOpen = false;
            outputCell();
            value.setLength(0);
        } else if ("row".equals(localName)) {
            out.endRow(rowNum);
            nextRowNum = rowNum + 1;
        }
    }

    @Override
    public void characters(char[] ch, int start, int length) {
        cellChars += length;
        if (cellChars > limits.maxCellChars() + 1024L) {
            throw new WorkbookRefusedException("cell " + cellRef + " holds more than " + limits.maxCellChars()
                    + " characters (more than a cell can)");
        }
        if (vIsOpen) {
            value.append(ch, start, length);
        }
    }

    private void outputCell() {
        String v = switch (type) {
            case BOOLEAN -> value.charAt(0) == '0' ? "FALSE" : "TRUE";
            case ERROR -> "ERROR:" + value;
            case FORMULA, INLINE_STRING -> type == Type.FORMULA ? value.toString() : utfDecode(value.toString());
            case SST_STRING -> sharedString(value.toString().trim());
            case NUMBER -> number(value.toString());
        };
        out.cell(cellRef, v);
    }

    private String sharedString(String index) {
        if (index.isEmpty()) {
            return null;
        }
        int i;
        try {
            i = Integer.parseInt(index);
        } catch (NumberFormatException e) {
            return null; // POI logs it and leaves the cell empty
        }
        return utfDecode(strings.get(i));
    }

    /** A number cell: as written without a format; else Excel's General rendering, or an ISO date for a date format. */
    private String number(String n) {
        if (format == RAW || n.isEmpty()) {
            return n;
        }
        double d;
        try {
            d = Double.parseDouble(n.trim());
        } catch (NumberFormatException e) {
            return n; // POI keeps the raw value of a cell it cannot format
        }
        return format(d, format == DATE, date1904);
    }

    static String format(double d, boolean dateFormat, boolean date1904) {
        if (dateFormat && DateUtil.isValidExcelDate(d)) {
            LocalDate day = DateUtil.getLocalDateTime(d, date1904).toLocalDate();
            return day.toString();
        }
        return NumberToTextConverter.toText(d);
    }

    /** {@code _xHHHH_} escapes of characters XML cannot hold, decoded as {@code XSSFRichTextString} does. */
    static String utfDecode(String s) {
        if (s == null || !s.contains("_x")) {
            return s;
        }
        Matcher m = UTF_ESCAPE.matcher(s);
        StringBuilder b = null;
        int at = 0;
        while (m.find()) {
            if (b == null) {
                b = new StringBuilder(s.length());
            }
            b.append(s, at, m.start()).append((char) Integer.parseInt(m.group(1), 16));
            at = m.end();
        }
        return b == null ? s : b.append(s, at, s.length()).toString();
    }

    /**
     * The shared strings table, read once and held (its parse is bounded): each {@code <si>}'s text
     * runs without phonetic runs, as POI's {@code ReadOnlySharedStringsTable} reads them. Its total
     * characters and each string's are limited (a string longer than a cell can hold is not a cell's).
     */
    static final class SharedStrings extends DefaultHandler {
        private final long maxTotal;
        private final int maxOne;
        private List<String> strings;
        private final StringBuilder text = new StringBuilder(64);
        private boolean tIsOpen;
        private boolean inPhonetic;
        private long total;
        private long one;

        SharedStrings(long maxTotal, int maxOne) {
            this.maxTotal = maxTotal;
            this.maxOne = maxOne;
        }

        @Override
        public void startElement(String uri, String localName, String qName, Attributes attributes) {
            if ("si".equals(localName)) {
                one = 0;
            }
            if (!read(uri)) {
                return;
            }
            switch (localName) {
                case "sst" -> {
                    String unique = attributes.getValue("uniqueCount");
                    int expected = unique == null ? 0 : (int) Long.parseLong(unique);
                    strings = new ArrayList<>(Math.max(0, Math.min(expected, 100_000)));
                }
                case "si" -> text.setLength(0);
                case "t" -> tIsOpen = true;
                case "rPh" -> inPhonetic = true;
                default -> {
                    // runs and their properties: only their <t> text counts
                }
            }
        }

        @Override
        public void endElement(String uri, String localName, String qName) {
            if (!read(uri)) {
                return;
            }
            switch (localName) {
                case "si" -> {
                    if (strings != null) {
                        strings.add(text.toString());
                    }
                }
                case "t" -> tIsOpen = false;
                case "rPh" -> inPhonetic = false;
                default -> {
                    // nothing to close
                }
            }
        }

        @Override
        public void characters(char[] ch, int start, int length) throws SAXException {
            total += length;
            one += length;
            if (one > maxOne + 1024L) {
                throw new WorkbookRefusedException("a shared string holds more than " + maxOne + " characters (more than a cell can)");
            }
            if (total > maxTotal) {
                throw new WorkbookRefusedException("the shared strings hold more than " + maxTotal
                        + " characters (hub.legal.max-shared-string-chars)");
            }
            if (tIsOpen && !inPhonetic) {
                text.append(ch, start, length);
            }
        }

        String get(int index) {
            int size = strings == null ? 0 : strings.size();
            if (index < 0 || index >= size) {
                throw new IllegalStateException("a cell refers to shared string " + index + ", the table has " + size);
            }
            return strings.get(index);
        }

        int size() {
            return strings == null ? 0 : strings.size();
        }
    }
}
