package com.altus.hub.legal;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import com.altus.hub.dropbox.FolderMap;

/**
 * One data row of a legal-case workbook (CONTRACT section 10) and the rules a row must pass
 * before it is matched to the normalized tables: the columns, case types and phases, amounts
 * (numbers >= 0 with at most 2 decimals), dates (YYYY-MM-DD text or Excel date cells, read as ISO
 * dates), a case number that can name a folder. Plain code: no POI, no database.
 */
public record CaseRow(int rowNumber, String[] cells, String caseType, String phase, BigDecimal amountClaimed,
                      LocalDate filingDate, LocalDate hearingDate, BigDecimal judgmentAmount, String error) {

    /** The workbook's columns, in the contract's order; {@link #header()} is the text of row 1. */
    public enum Column {
        CASE_NUMBER("Case Number"), TENANT_NAME("Tenant Name"), PROPERTY_ADDRESS("Property Address"), UNIT("Unit"),
        CASE_TYPE("Case Type"), PHASE("Phase"), AMOUNT_CLAIMED("Amount Claimed"), FILING_DATE("Filing Date"),
        HEARING_DATE("Hearing Date"), JUDGMENT_AMOUNT("Judgment Amount"), ATTORNEY("Attorney"), NOTES("Notes");

        private final String header;

        Column(String header) {
            this.header = header;
        }

        public String header() {
            return header;
        }
    }

    public static final List<String> CASE_TYPES = List.of("eviction", "collections", "damages");
    /** In lifecycle order: a case moves forward only; closed is last. */
    public static final List<String> PHASES = List.of("intake", "notice_served", "filed", "hearing_scheduled", "judgment",
            "writ_issued", "closed");
    /** numeric(14, 2) in the database. */
    static final BigDecimal MAX_AMOUNT = new BigDecimal("999999999999.99");
    static final int MAX_CASE_NUMBER = 64;
    private static final DateTimeFormatter ISO_DATE = DateTimeFormatter.ofPattern("uuuu-MM-dd", Locale.ROOT)
            .withResolverStyle(ResolverStyle.STRICT);
    private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d{1,3})?");

    public String cell(Column c) {
        return cells[c.ordinal()];
    }

    public String caseNumber() {
        return cell(Column.CASE_NUMBER);
    }

    public boolean valid() {
        return error == null;
    }

    /** The cells by header, as read (for the rejected rows' record). */
    public Map<String, String> cellsByHeader() {
        Map<String, String> m = new LinkedHashMap<>();
        for (Column c : Column.values()) {
            m.put(c.header(), cells[c.ordinal()]);
        }
        return m;
    }

    /**
     * Checks a row's cells (indexed by {@link Column#ordinal()}, null = empty; surrounding blanks are
     * trimmed here) and answers it with its typed values, or with the reasons it is rejected.
     */
    public static CaseRow of(int rowNumber, String[] raw) {
        String[] cells = new String[Column.values().length];
        for (int i = 0; i < cells.length && i < raw.length; i++) {
            cells[i] = clean(raw[i]);
        }
        List<String> problems = new ArrayList<>();
        String caseNumber = cells[Column.CASE_NUMBER.ordinal()];
        if (caseNumber == null) {
            problems.add("Case Number is required");
        } else if (caseNumber.length() > MAX_CASE_NUMBER) {
            problems.add("Case Number " + quote(caseNumber) + " is longer than " + MAX_CASE_NUMBER + " characters");
        } else {
            try {
                FolderMap.fileName(caseNumber, "Case Number");
            } catch (FolderMap.InvalidInput e) {
                problems.add("Case Number " + quote(caseNumber) + " cannot name its folder: " + e.getMessage());
            }
        }
        required(cells, Column.TENANT_NAME, problems);
        required(cells, Column.PROPERTY_ADDRESS, problems);
        String caseType = choice(cells, Column.CASE_TYPE, "case type", CASE_TYPES, problems);
        String phase = choice(cells, Column.PHASE, "phase", PHASES, problems);
        BigDecimal claimed = amount(cells, Column.AMOUNT_CLAIMED, problems);
        LocalDate filing = date(cells, Column.FILING_DATE, problems);
        LocalDate hearing = date(cells, Column.HEARING_DATE, problems);
        BigDecimal judgment = amount(cells, Column.JUDGMENT_AMOUNT, problems);
        String error = problems.isEmpty() ? null : String.join("; ", problems);
        return new CaseRow(rowNumber, cells, caseType, phase, claimed, filing, hearing, judgment, error);
    }

    /** Whether the row has no content at all (blank rows are skipped, not rejected). */
    public static boolean blank(String[] raw) {
        for (String s : raw) {
            if (clean(s) != null) {
                return false;
            }
        }
        return true;
    }

    /** Trimmed of blanks (no-break spaces too); empty is null. */
    static String clean(String s) {
        if (s == null) {
            return null;
        }
        int start = 0;
        int end = s.length();
        while (start < end && blank(s.charAt(start))) {
            start++;
        }
        while (end > start && blank(s.charAt(end - 1))) {
            end--;
        }
        return start == end ? null : s.substring(start, end);
    }

    private static boolean blank(char ch) {
        return Character.isWhitespace(ch) || Character.isSpaceChar(ch);
    }

    private static void required(String[] cells, Column c, List<String> problems) {
        if (cells[c.ordinal()] == null) {
            problems.add(c.header() + " is required");
        }
    }

    /** A case type or phase: case-insensitive, blanks and hyphens read as '_' ("Notice Served" = notice_served). */
    private static String choice(String[] cells, Column c, String what, List<String> allowed, List<String> problems) {
        String v = cells[c.ordinal()];
        if (v == null) {
            problems.add(c.header() + " is required");
            return null;
        }
        String key = choiceKey(v);
        if (allowed.contains(key)) {
            return key;
        }
        problems.add(what + " " + quote(v) + " is not one of " + String.join(", ", allowed));
        return null;
    }

    /** Lowercase, each run of blanks (ASCII whitespace, no-break space) one '_', each hyphen '_' (no regex: this runs for every row). */
    static String choiceKey(String v) {
        String lower = v.toLowerCase(Locale.ROOT);
        StringBuilder b = null;
        boolean inBlanks = false;
        for (int i = 0; i < lower.length(); i++) {
            char ch = lower.charAt(i);
            boolean blank = ch == ' ' || ch == '\t' || ch == '\n' || ch == '\u000B' || ch == '\f' || ch == '\r' || ch == '\u00A0';
            if (b == null && (blank || ch == '-')) {
                b = new StringBuilder(lower.length()).append(lower, 0, i);
            }
            if (b != null) {
                if (!blank) {
                    b.append(ch == '-' ? '_' : ch);
                } else if (!inBlanks) {
                    b.append('_');
                }
            }
            inBlanks = blank;
        }
        return b == null ? lower : b.toString();
    }

    static BigDecimal amount(String[] cells, Column c, List<String> problems) {
        String v = cells[c.ordinal()];
        if (v == null) {
            return null;
        }
        BigDecimal d;
        try {
            if (!NUMBER.matcher(v).matches()) {
                throw new NumberFormatException(v);
            }
            d = new BigDecimal(v);
        } catch (NumberFormatException e) {
            problems.add(c.header() + " " + quote(v) + " is not a number");
            return null;
        }
        if (d.signum() < 0) {
            problems.add(c.header() + " " + quote(v) + " must be 0 or more");
            return null;
        }
        BigDecimal stripped = d.stripTrailingZeros();
        if (stripped.scale() > 2) {
            problems.add(c.header() + " " + quote(v) + " has more than 2 decimals");
            return null;
        }
        if (d.compareTo(MAX_AMOUNT) > 0) {
            problems.add(c.header() + " " + quote(v) + " is larger than " + MAX_AMOUNT.toPlainString());
            return null;
        }
        return stripped.setScale(2);
    }

    static LocalDate date(String[] cells, Column c, List<String> problems) {
        String v = cells[c.ordinal()];
        if (v == null) {
            return null;
        }
        try {
            LocalDate d = isoDate(v);
            if (d.getYear() < 1900 || d.getYear() > 2999) {
                problems.add(c.header() + " " + quote(v) + " is not a plausible date");
                return null;
            }
            return d;
        } catch (DateTimeParseException e) {
            problems.add(c.header() + " " + quote(v) + " is not a date");
            return null;
        }
    }

    /** YYYY-MM-DD, strictly (no 2025-02-30): ten ASCII characters parsed directly, anything else through the formatter. */
    private static LocalDate isoDate(String v) {
        if (v.length() == 10 && v.charAt(4) == '-' && v.charAt(7) == '-') {
            int y = digits(v, 0, 4);
            int m = digits(v, 5, 7);
            int d = digits(v, 8, 10);
            if (y >= 0 && m >= 0 && d >= 0) {
                try {
                    return LocalDate.of(y, m, d);
                } catch (java.time.DateTimeException e) {
                    throw new DateTimeParseException("not a date: " + e.getMessage(), v, 0, e);
                }
            }
        }
        return LocalDate.parse(v, ISO_DATE);
    }

    private static int digits(String v, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            char ch = v.charAt(i);
            if (ch < '0' || ch > '9') {
                return -1;
            }
            n = n * 10 + (ch - '0');
        }
        return n;
    }

    /** 'text' as Python's repr would show a plain string (the generator's expected details use it). */
    static String quote(String v) {
        String t = v.length() > 80 ? v.substring(0, 80) + "..." : v;
        t = CONTROL.matcher(t).replaceAll("?");
        return t.indexOf('\'') >= 0 && t.indexOf('"') < 0 ? "\"" + t + "\"" : "'" + t.replace("'", "\\'") + "'";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CaseRow r && r.rowNumber == rowNumber && Arrays.equals(r.cells, cells)
                && java.util.Objects.equals(r.error, error);
    }

    @Override
    public int hashCode() {
        return 31 * rowNumber + Arrays.hashCode(cells);
    }

    @Override
    public String toString() {
        return "CaseRow[" + rowNumber + ", " + Arrays.toString(cells) + (error == null ? "" : ", error=" + error) + "]";
    }
}
