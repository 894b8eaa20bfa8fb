package com.altus.hub.legal;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import com.altus.hub.legal.CaseRow.Column;
import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyOutputStream;
import org.springframework.stereotype.Repository;

/**
 * The legal module's SQL (V12__legal.sql). An import is one transaction on one connection:
 * the workbook's rows are COPYed into a temporary staging table as they are read, then matched
 * to the normalized tables, checked against the cases, upserted and their rejections recorded,
 * each step one set-based statement over the whole workbook. The lifecycle rules are the
 * database's (triggers); the statements here keep rows that would break them out of the upsert
 * and give them a reason instead.
 */
@Repository
public class LegalRepository {
    /** The case columns a workbook row sets; "changed" means one of these differs. */
    static final String CASE_COLUMNS = "case_type, phase, tenant_id, property_id, unit_id, lease_id, tenant_name, "
            + "property_address, unit_name, amount_claimed, filing_date, hearing_date, judgment_amount, attorney, notes";
    /**
     * The staging table: the workbook's rows as read (typed values where the row's cells passed,
     * the cells as written for the rejected rows' record, the row's own error). No index: every
     * statement over it reads it whole, through hash joins.
     */
    private static final String STAGE = """
            CREATE TEMP TABLE legal_stage (
                row_no              integer NOT NULL,
                case_number         text,
                tenant_name         text,
                property_address    text,
                unit_name           text,
                case_type           legal_case_type,
                phase               legal_phase,
                amount_claimed      numeric(14, 2),
                filing_date         date,
                hearing_date        date,
                judgment_amount     numeric(14, 2),
                attorney            text,
                notes               text,
                raw_case_type       text,
                raw_phase           text,
                raw_amount_claimed  text,
                raw_filing_date     text,
                raw_hearing_date    text,
                raw_judgment_amount text,
                error               text
            ) ON COMMIT DROP""";
    private static final String COPY = "COPY legal_stage (row_no, case_number, tenant_name, property_address, unit_name, case_type, "
            + "phase, amount_claimed, filing_date, hearing_date, judgment_amount, attorney, notes, raw_case_type, raw_phase, "
            + "raw_amount_claimed, raw_filing_date, raw_hearing_date, raw_judgment_amount, error) FROM STDIN";
    /**
     * Memory for the import's sorts and hash tables (this transaction only): the hash joins over a
     * workbook of 100,000 rows stay in memory instead of spilling to temporary files.
     */
    static final String SET_WORK_MEM = "SET LOCAL work_mem = '64MB'";

    /** Case numbers in more than one row: every such row is rejected (ambiguous), listing the first rows. */
    private static final String DUPLICATES = """
            CREATE TEMP TABLE legal_dups ON COMMIT DROP AS
            SELECT case_number,
                   format('case number %s is in %s rows (rows %s%s): one row per case', legal_quote(case_number), count(*),
                          array_to_string((array_agg(row_no ORDER BY row_no))[1:5], ', '),
                          CASE WHEN count(*) > 5 THEN ', ...' ELSE '' END) AS error
            FROM legal_stage
            WHERE case_number IN (SELECT case_number FROM legal_stage WHERE case_number IS NOT NULL
                                  GROUP BY case_number HAVING count(*) > 1)
            GROUP BY case_number""";

    /** The same table, empty: when the case numbers' hashes show that no case number is in two rows. */
    private static final String NO_DUPLICATES = "CREATE TEMP TABLE legal_dups (case_number text, error text) ON COMMIT DROP";

    /**
     * Each distinct (address, unit, tenant) of the rows whose cells passed, matched once: property
     * by address (the full address or the street alone), unit by name at that property, then the
     * lease by the tenant's name at that property (and unit). Exactly one candidate each, else the
     * reason: what was not found or what was ambiguous. The keys of the normalized side are
     * computed once per import and joined by hash. {@code unit_key} is the unit name or '' (a
     * workbook cell is never '': blank cells are null).
     */
    private static final String MATCHES = """
            CREATE TEMP TABLE legal_matches ON COMMIT DROP AS
            WITH s AS (
                SELECT row_number() OVER () AS k, property_address, unit_name, tenant_name,
                       legal_address_key(property_address) AS akey, legal_name_key(tenant_name) AS tkey,
                       legal_name_key(unit_name) AS ukey
                FROM (SELECT DISTINCT property_address, unit_name, tenant_name FROM legal_stage WHERE error IS NULL) d),
            pk AS MATERIALIZED (
                SELECT DISTINCT k.key, p.id
                FROM normalized_properties p
                CROSS JOIN LATERAL (VALUES (legal_address_key(concat_ws(' ', p.street1, p.city, p.state, p.zip))),
                                           (legal_address_key(p.street1))) k(key)
                WHERE p.deleted_at IS NULL AND p.street1 IS NOT NULL AND k.key <> ''),
            tk AS MATERIALIZED (
                SELECT l.property_id, l.id AS lease_id, l.unit_id AS lease_unit_id, l.unit_ids, lt.tenant_id,
                       legal_name_key(coalesce(t.full_name, concat_ws(' ', t.first_name, t.last_name))) AS key
                FROM normalized_leases l
                JOIN normalized_lease_tenants lt ON lt.lease_id = l.id AND lt.deleted_at IS NULL
                JOIN normalized_tenants t ON t.id = lt.tenant_id AND t.deleted_at IS NULL
                WHERE l.deleted_at IS NULL),
            p AS (
                SELECT s.k, count(DISTINCT pk.id) AS n, (array_agg(pk.id))[1] AS id
                FROM s LEFT JOIN pk ON pk.key = s.akey
                GROUP BY s.k),
            u AS (
                SELECT s.k, count(DISTINCT un.id) AS n, (array_agg(un.id))[1] AS id
                FROM s
                JOIN p ON p.k = s.k AND p.n = 1
                LEFT JOIN normalized_units un ON un.property_id = p.id AND un.deleted_at IS NULL
                                             AND legal_name_key(un.name) = s.ukey
                WHERE s.ukey IS NOT NULL
                GROUP BY s.k),
            t AS (
                SELECT s.k, count(DISTINCT (tk.lease_id, tk.tenant_id)) FILTER (WHERE tk.lease_id IS NOT NULL) AS n,
                       (array_agg(tk.lease_id))[1] AS lease_id, (array_agg(tk.tenant_id))[1] AS tenant_id,
                       (array_agg(tk.lease_unit_id))[1] AS lease_unit_id
                FROM s
                JOIN p ON p.k = s.k AND p.n = 1
                LEFT JOIN u ON u.k = s.k
                LEFT JOIN tk ON tk.property_id = p.id AND tk.key = s.tkey
                            AND (u.id IS NULL OR u.id = ANY (tk.unit_ids) OR u.id = tk.lease_unit_id)
                WHERE coalesce(u.n, 1) = 1
                GROUP BY s.k)
            SELECT s.property_address, coalesce(s.unit_name, '') AS unit_key, s.tenant_name,
                   CASE WHEN p.n = 1 THEN p.id END AS property_id,
                   CASE WHEN t.n = 1 THEN coalesce(u.id, t.lease_unit_id) END AS unit_id,
                   CASE WHEN t.n = 1 THEN t.lease_id END AS lease_id,
                   CASE WHEN t.n = 1 THEN t.tenant_id END AS tenant_id,
                   CASE
                       WHEN p.n = 0 THEN format('no property at address %s', legal_quote(s.property_address))
                       WHEN p.n > 1 THEN format('address %s matches %s properties: ambiguous', legal_quote(s.property_address), p.n)
                       WHEN u.n = 0 THEN format('no unit %s at address %s', legal_quote(s.unit_name), legal_quote(s.property_address))
                       WHEN u.n > 1 THEN format('unit %s matches %s units at address %s: ambiguous', legal_quote(s.unit_name), u.n,
                                                legal_quote(s.property_address))
                       WHEN t.n = 0 THEN format('no tenant named %s at this property/unit', legal_quote(s.tenant_name))
                       WHEN t.n > 1 THEN format('tenant %s has %s leases at this property/unit: ambiguous',
                                                legal_quote(s.tenant_name), t.n)
                   END AS error
            FROM s
            LEFT JOIN p ON p.k = s.k
            LEFT JOIN u ON u.k = s.k
            LEFT JOIN t ON t.k = s.k""";

    /**
     * Every staged row with its matched ids, its reason and its status. The lifecycle is checked
     * here, against the stored case, so that a row that would break it is that row's rejection (the
     * triggers would fail the whole import): a closed case does not change, a phase does not move
     * back. The rejected rows' cells as written ({@code data}) are built for them only.
     */
    private static final String RESULT = """
            CREATE TEMP TABLE legal_result ON COMMIT DROP AS
            SELECT r.row_no, r.case_number, r.case_type, r.phase, r.tenant_id, r.property_id, r.unit_id, r.lease_id,
                   r.tenant_name, r.property_address, r.unit_name, r.amount_claimed, r.filing_date, r.hearing_date,
                   r.judgment_amount, r.attorney, r.notes, r.error,
                   CASE WHEN r.error IS NOT NULL THEN 'rejected' WHEN r.stored IS NULL THEN 'new'
                        WHEN r.changed THEN 'changed' ELSE 'unchanged' END AS status,
                   CASE WHEN r.error IS NOT NULL THEN
                       jsonb_build_object('Case Number', r.case_number, 'Tenant Name', r.tenant_name,
                                          'Property Address', r.property_address, 'Unit', r.unit_name,
                                          'Case Type', r.raw_case_type, 'Phase', r.raw_phase,
                                          'Amount Claimed', r.raw_amount_claimed, 'Filing Date', r.raw_filing_date,
                                          'Hearing Date', r.raw_hearing_date, 'Judgment Amount', r.raw_judgment_amount,
                                          'Attorney', r.attorney, 'Notes', r.notes) END AS data
            FROM (
                SELECT v.*,
                       coalesce(v.early_error,
                                CASE WHEN v.changed AND v.stored_phase = 'closed'
                                         THEN format('case %s is closed: a closed case cannot change', legal_quote(v.case_number))
                                     WHEN v.changed AND v.phase < v.stored_phase
                                         THEN format('phase cannot move back from %s to %s', v.stored_phase, v.phase) END) AS error
                FROM (
                    SELECT s.row_no, s.case_number, s.case_type, s.phase, m.tenant_id, m.property_id, m.unit_id, m.lease_id,
                           s.tenant_name, s.property_address, s.unit_name, s.amount_claimed, s.filing_date, s.hearing_date,
                           s.judgment_amount, s.attorney, s.notes, s.raw_case_type, s.raw_phase, s.raw_amount_claimed,
                           s.raw_filing_date, s.raw_hearing_date, s.raw_judgment_amount,
                           coalesce(s.error, d.error, m.error) AS early_error,
                           c.case_number AS stored, c.phase AS stored_phase,
                           c.case_number IS NOT NULL
                               AND (c.case_type, c.phase, c.tenant_id, c.property_id, c.unit_id, c.lease_id, c.tenant_name,
                                    c.property_address, c.unit_name, c.amount_claimed, c.filing_date, c.hearing_date,
                                    c.judgment_amount, c.attorney, c.notes)
                               IS DISTINCT FROM
                                   (s.case_type, s.phase, m.tenant_id, m.property_id, m.unit_id, m.lease_id, s.tenant_name,
                                    s.property_address, s.unit_name, s.amount_claimed, s.filing_date, s.hearing_date,
                                    s.judgment_amount, s.attorney, s.notes) AS changed
                    FROM legal_stage s
                    LEFT JOIN legal_dups d ON d.case_number = s.case_number
                    LEFT JOIN legal_matches m ON m.property_address = s.property_address
                                             AND m.unit_key = coalesce(s.unit_name, '') AND m.tenant_name = s.tenant_name
                    LEFT JOIN legal_cases c ON c.case_number = s.case_number
                ) v
            ) r""";

    private final DataSource dataSource;

    public LegalRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Opens an import: its transaction (who and which run, for the triggers), the staging table and its COPY. */
    public Staging begin(String actor, Long runId) throws SQLException {
        Connection c = dataSource.getConnection();
        try {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("SELECT set_config('hub.actor', ?, true), set_config('hub.run_id', ?, true)")) {
                ps.setString(1, actor);
                ps.setString(2, runId == null ? "" : runId.toString());
                ps.execute();
            }
            try (Statement st = c.createStatement()) {
                st.execute(STAGE);
            }
            return new Staging(c);
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly(c, e);
            c.close();
            throw e;
        }
    }

    private static void rollbackQuietly(Connection c, Exception cause) {
        try {
            c.rollback();
        } catch (SQLException r) {
            cause.addSuppressed(r);
        }
    }

    /** Counts of one import. */
    public record Applied(long imported, long updated, long unchanged, long rejected, long historyRows, long importRowsWritten,
                          java.util.Map<String, Long> stepMillis) {
        public long rowsWritten() {
            return imported + updated + historyRows + importRowsWritten;
        }
    }

    /** One import in progress: rows go to the staging table through COPY, then {@link #apply} does the rest. */
    public static final class Staging implements AutoCloseable {
        private final Connection c;
        private PGCopyOutputStream copy;
        private Writer out;
        private final StringBuilder line = new StringBuilder(512);
        private final CaseNumberHashes caseNumbers = new CaseNumberHashes();
        private boolean done;

        Staging(Connection c) throws SQLException {
            this.c = c;
            this.copy = new PGCopyOutputStream(c.unwrap(PGConnection.class), COPY, 1 << 16);
            this.out = new OutputStreamWriter(copy, StandardCharsets.UTF_8);
        }

        /** One row into the staging table (COPY text format). */
        public void add(CaseRow r) throws IOException {
            line.setLength(0);
            line.append(r.rowNumber());
            caseNumbers.add(r.caseNumber());
            field(r.caseNumber());
            field(r.cell(Column.TENANT_NAME));
            field(r.cell(Column.PROPERTY_ADDRESS));
            field(r.cell(Column.UNIT));
            field(r.caseType());
            field(r.phase());
            field(r.amountClaimed() == null ? null : r.amountClaimed().toPlainString());
            field(r.filingDate() == null ? null : r.filingDate().toString());
            field(r.hearingDate() == null ? null : r.hearingDate().toString());
            field(r.judgmentAmount() == null ? null : r.judgmentAmount().toPlainString());
            field(r.cell(Column.ATTORNEY));
            field(r.cell(Column.NOTES));
            field(r.cell(Column.CASE_TYPE));
            field(r.cell(Column.PHASE));
            field(r.cell(Column.AMOUNT_CLAIMED));
            field(r.cell(Column.FILING_DATE));
            field(r.cell(Column.HEARING_DATE));
            field(r.cell(Column.JUDGMENT_AMOUNT));
            field(r.error());
            line.append('\n');
            out.append(line);
        }

        private void field(String v) {
            line.append('\t');
            if (v == null) {
                line.append("\\N");
                return;
            }
            for (int i = 0; i < v.length(); i++) {
                char ch = v.charAt(i);
                switch (ch) {
                    case '\\' -> line.append("\\\\");
                    case '\n' -> line.append("\\n");
                    case '\r' -> line.append("\\r");
                    case '\t' -> line.append("\\t");
                    case '\0' -> line.append(' ');
                    default -> line.append(ch);
                }
            }
        }

        /**
         * Ends the COPY and applies the staged rows: duplicates, matching, lifecycle checks, the
         * upsert (history comes from the triggers) and the rejected rows of this workbook. Does not
         * commit. Each step is one set-based statement over the whole workbook:
         * <ol>
         * <li>{@code legal_dups}: case numbers in more than one row, with their reason;</li>
         * <li>{@code legal_matches}: each distinct (address, unit, tenant) of the workbook matched
         * once to the normalized tables (a workbook repeats them: 100,000 rows name a few thousand
         * tenancies), with its ids or its reason;</li>
         * <li>{@code legal_result}: every row with its ids, its reason (its own, duplicate, match,
         * lifecycle against the stored case, in that order) and its status: new, changed,
         * unchanged or rejected;</li>
         * <li>the upsert of the new and changed rows only, so that unchanged cases are not even
         * proposed (no trigger call, no row lock: a re-import writes nothing);</li>
         * <li>the rejected rows that differ from what this workbook's earlier imports recorded,
         * and the removal of those a later import accepted.</li>
         * </ol>
         */
        public Applied apply(String workbookSha256, String workbookName, Long runId) throws SQLException, IOException {
            out.flush();
            out = null;
            copy.endCopy();
            copy = null;
            java.util.Map<String, Long> steps = new java.util.LinkedHashMap<>();
            long t = System.nanoTime();
            try (Statement st = c.createStatement()) {
                st.execute(SET_WORK_MEM);
                // every join here is between a large side read whole and a small one: hash joins; a
                // merge join would sort the 100,000 staged rows (wide ones) to save a small hash table
                st.execute("SET LOCAL enable_mergejoin = off");
                // statistics of the columns the next statements filter, group and join by (not of every column)
                st.execute("ANALYZE legal_stage (case_number, property_address, unit_name, tenant_name, error)");
                t = step(steps, "analyze", t);
                // no two rows share a case number's hash: no duplicates, without asking the database
                st.execute(caseNumbers.possibleDuplicates() ? DUPLICATES : NO_DUPLICATES);
                t = step(steps, "duplicates", t);
                st.execute(MATCHES);
                st.execute("ANALYZE legal_matches");
                t = step(steps, "match", t);
                st.execute(RESULT);
                // its size and its accepted rows, for the plans of the statements that read it
                st.execute("ANALYZE legal_result (error, status)");
                t = step(steps, "lifecycle", t);
            }
            long historyBefore = historyCount();
            long imported;
            long updated;
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("WITH up AS (INSERT INTO legal_cases AS c (case_number, " + CASE_COLUMNS + ")"
                         + " SELECT case_number, " + CASE_COLUMNS + " FROM legal_result WHERE status IN ('new', 'changed')"
                         + " ON CONFLICT (case_number) DO UPDATE SET " + setExcluded()
                         + " WHERE (" + qualified("c") + ") IS DISTINCT FROM (" + qualified("EXCLUDED") + ")"
                         + " RETURNING (xmax = 0) AS inserted)"
                         + " SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM up")) {
                rs.next();
                imported = rs.getLong(1);
                updated = rs.getLong(2);
            }
            long history = imported + updated == 0 ? 0 : historyCount() - historyBefore;
            t = step(steps, "upsert", t);
            long accepted;
            long rejected;
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FILTER (WHERE error IS NULL), count(*) FILTER (WHERE error IS NOT NULL)"
                         + " FROM legal_result")) {
                rs.next();
                accepted = rs.getLong(1);
                rejected = rs.getLong(2);
            }
            long importRows = recordRejections(workbookSha256, workbookName, runId);
            step(steps, "rejections", t);
            return new Applied(imported, updated, accepted - imported - updated, rejected, history, importRows, steps);
        }

        private static long step(java.util.Map<String, Long> steps, String name, long since) {
            long now = System.nanoTime();
            steps.put(name, (now - since) / 1_000_000);
            return now;
        }

        private long historyCount() throws SQLException {
            // the identity only grows; its last value bounds what this transaction appended
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT coalesce(max(id), 0) FROM legal_case_history")) {
                rs.next();
                return rs.getLong(1);
            }
        }

        private static String setExcluded() {
            StringBuilder b = new StringBuilder();
            for (String col : CASE_COLUMNS.split(", ")) {
                b.append(b.length() == 0 ? "" : ", ").append(col).append(" = EXCLUDED.").append(col);
            }
            return b.toString();
        }

        private static String qualified(String alias) {
            StringBuilder b = new StringBuilder();
            for (String col : CASE_COLUMNS.split(", ")) {
                b.append(b.length() == 0 ? "" : ", ").append(alias).append('.').append(col);
            }
            return b.toString();
        }

        /** Rejected rows of this workbook, keyed by (workbook, row): a re-import writes nothing new. */
        private long recordRejections(String sha256, String workbookName, Long runId) throws SQLException {
            long n;
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO legal_import_rows AS r (workbook_sha256, row_number, case_number, reason, data, workbook_name, run_id)
                    SELECT ?, x.row_no, x.case_number, x.error, x.data, ?, ?
                    FROM legal_result x
                    LEFT JOIN legal_import_rows o ON o.workbook_sha256 = ? AND o.row_number = x.row_no
                    WHERE x.error IS NOT NULL
                      AND (o.row_number IS NULL
                           OR (o.case_number, o.reason, o.data) IS DISTINCT FROM (x.case_number, x.error, x.data))
                    ON CONFLICT (workbook_sha256, row_number) DO UPDATE
                    SET case_number = EXCLUDED.case_number, reason = EXCLUDED.reason, data = EXCLUDED.data,
                        run_id = EXCLUDED.run_id, recorded_at = now()
                    WHERE (r.case_number, r.reason, r.data) IS DISTINCT FROM (EXCLUDED.case_number, EXCLUDED.reason, EXCLUDED.data)""")) {
                ps.setString(1, sha256);
                ps.setString(2, workbookName);
                ps.setObject(3, runId, java.sql.Types.BIGINT);
                ps.setString(4, sha256);
                n = ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM legal_import_rows r WHERE r.workbook_sha256 = ?"
                    + " AND NOT EXISTS (SELECT 1 FROM legal_result x WHERE x.row_no = r.row_number AND x.error IS NOT NULL)")) {
                ps.setString(1, sha256);
                n += ps.executeUpdate();
            }
            return n;
        }

        /**
         * Cases of this workbook whose folder is missing or was made from other names or ids (its
         * source no longer matches), in case-number order.
         */
        public List<String> casesNeedingFolders(String root) throws SQLException {
            List<String> out = new ArrayList<>();
            // a case without a folder needs one (its tenancy exists: its row was matched in this
            // transaction); only the cases with a folder have their source's md5 computed and compared
            try (PreparedStatement ps = c.prepareStatement(NEEDING_FOLDERS)) {
                ps.setString(1, root);
                ps.setFetchSize(5000);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
            }
            return out;
        }

        /** The rejected rows of this import (row, reason), the first {@code limit} by row number. */
        public List<RowError> errors(int limit) throws SQLException {
            List<RowError> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT row_no, error FROM legal_result WHERE error IS NOT NULL"
                    + " ORDER BY row_no LIMIT ?")) {
                ps.setInt(1, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new RowError(rs.getInt(1), rs.getString(2)));
                    }
                }
            }
            return out;
        }

        public void commit() throws SQLException {
            c.commit();
            done = true;
        }

        @Override
        public void close() throws SQLException {
            try {
                if (copy != null && copy.isActive()) {
                    copy.cancelCopy();
                }
                if (!done) {
                    c.rollback();
                }
            } finally {
                c.setAutoCommit(true);
                c.close();
            }
        }
    }

    /**
     * 64-bit hashes of the staged case numbers (open addressing, 8 bytes a row): when no two rows'
     * hashes are equal, no case number is in two rows and the duplicates statement is not needed;
     * equal hashes (a duplicate, or rarely two case numbers with the same hash) leave the question to
     * the database. The hash is of the text as the staging table holds it ({@code \0} as a blank,
     * as {@code field} writes it; surrogates as '?', which can only add false alarms).
     */
    static final class CaseNumberHashes {
        private long[] slots = new long[1 << 12];
        private boolean hasZero;
        private int size;
        private boolean duplicates;

        void add(String caseNumber) {
            if (caseNumber == null || duplicates) {
                return;
            }
            long h = hash(caseNumber);
            if (h == 0) {
                duplicates = hasZero;
                hasZero = true;
                return;
            }
            if (!insert(slots, h)) {
                duplicates = true;
                return;
            }
            if (++size > slots.length / 2) {
                long[] bigger = new long[slots.length * 2];
                for (long v : slots) {
                    if (v != 0) {
                        insert(bigger, v);
                    }
                }
                slots = bigger;
            }
        }

        /** False when the hash was there already. */
        private static boolean insert(long[] table, long h) {
            int mask = table.length - 1;
            for (int i = (int) (h ^ (h >>> 32)) & mask; ; i = (i + 1) & mask) {
                if (table[i] == 0) {
                    table[i] = h;
                    return true;
                }
                if (table[i] == h) {
                    return false;
                }
            }
        }

        boolean possibleDuplicates() {
            return duplicates;
        }

        static long hash(String s) {
            long h = 0xcbf29ce484222325L;
            for (int i = 0; i < s.length(); i++) {
                char ch = s.charAt(i);
                if (ch == '\0') {
                    ch = ' ';
                } else if (Character.isSurrogate(ch)) {
                    ch = '?';
                }
                h = (h ^ ch) * 0x100000001b3L;
            }
            // a final mix so that the low bits (the slot) depend on every character
            h ^= h >>> 33;
            h *= 0xff51afd7ed558ccdL;
            h ^= h >>> 33;
            return h;
        }
    }

    /** A rejected row: spreadsheet row number and reason. */
    public record RowError(int row, String message) {
    }

    /**
     * The cases of this import that need their folder made: those without one, and those whose
     * folder's source (md5 of the root, parameter 1, and their row of {@code legal_case_tenancies})
     * changed. The tenancy rows are built here as the view builds them, for the whole import at once:
     * the primary owner of each property and primary tenant of each lease picked once (DISTINCT ON,
     * same order as the view's LATERAL ... LIMIT 1), joined by hash; {@code ROW(...)::text} is the
     * view row's text (same columns, same order, same output functions). The view itself stays
     * LATERAL: it is the fast form for the folder step's batches of a few hundred cases.
     */
    private static final String NEEDING_FOLDERS = """
            WITH x AS MATERIALIZED (
                SELECT r.case_number, f.source_md5
                FROM legal_result r
                LEFT JOIN legal_case_folders f ON f.case_number = r.case_number
                WHERE r.error IS NULL)
            SELECT x.case_number FROM x WHERE x.source_md5 IS NULL
            UNION ALL
            SELECT x.case_number
            FROM x
            JOIN legal_cases c ON c.case_number = x.case_number
            JOIN normalized_leases l ON l.id = c.lease_id
            JOIN normalized_properties p ON p.id = l.property_id
            LEFT JOIN normalized_units u ON u.id = l.unit_id
            LEFT JOIN (
                SELECT DISTINCT ON (po.property_id) po.property_id, o.doorloop_id, coalesce(o.full_name, o.company_name) AS name
                FROM normalized_property_owners po
                JOIN normalized_owners o ON o.id = po.owner_id
                WHERE po.deleted_at IS NULL
                ORDER BY po.property_id, po.ownership_percentage DESC NULLS LAST, po.position
            ) own ON own.property_id = p.id
            LEFT JOIN (
                SELECT DISTINCT ON (lt.lease_id) lt.lease_id, t.doorloop_id, t.full_name AS name
                FROM normalized_lease_tenants lt
                JOIN normalized_tenants t ON t.id = lt.tenant_id
                WHERE lt.deleted_at IS NULL
                ORDER BY lt.lease_id, lt.move_in_at NULLS LAST, t.doorloop_id
            ) ten ON ten.lease_id = l.id
            WHERE x.source_md5 IS NOT NULL
              AND x.source_md5 <> md5(?::text || '|' || ROW(c.case_number, c.lease_id, own.doorloop_id, own.name, p.doorloop_id,
                                                          p.name, u.doorloop_id, u.name, l.doorloop_id, ten.doorloop_id,
                                                          ten.name)::text)
            ORDER BY 1""";

    /** md5 of a tenancy row of legal_case_tenancies (alias t) and the root (parameter 1): what a case folder's path comes from. */
    static final String SOURCE_MD5 = "md5(?::text || '|' || t::text)";

    /** What a case's folder path is computed from (a row of the view legal_case_tenancies). */
    public record CaseTenancy(String caseNumber, String ownerId, String ownerName, String propertyId, String propertyName,
                              String unitId, String unitName, String leaseId, String tenantId, String tenantName,
                              String sourceMd5) {
    }

    public List<CaseTenancy> tenancies(List<String> caseNumbers, String root) throws SQLException {
        List<CaseTenancy> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT t.case_number, t.owner_doorloop_id, t.owner_name,"
                     + " t.property_doorloop_id, t.property_name, t.unit_doorloop_id, t.unit_name, t.lease_doorloop_id,"
                     + " t.tenant_doorloop_id, t.tenant_name, " + SOURCE_MD5
                     + " FROM legal_case_tenancies t WHERE t.case_number = ANY (?) ORDER BY t.case_number")) {
            Array arr = c.createArrayOf("text", caseNumbers.toArray());
            ps.setString(1, root);
            ps.setArray(2, arr);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new CaseTenancy(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                            rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10), rs.getString(11)));
                }
            }
        }
        return out;
    }

    /** A case folder that exists in the store now. */
    public record CaseFolder(String caseNumber, String path, String sourceMd5) {
    }

    /** Records made folders (upsert on the case number; unchanged ones are not written). */
    public int recordFolders(List<CaseFolder> folders, Long runId) throws SQLException {
        if (folders.isEmpty()) {
            return 0;
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     INSERT INTO legal_case_folders AS f (case_number, path, source_md5, run_id)
                     SELECT * FROM unnest(?::text[], ?::text[], ?::text[]) AS x(case_number, path, source_md5), (SELECT ?::bigint) r
                     ON CONFLICT (case_number) DO UPDATE
                     SET path = EXCLUDED.path, source_md5 = EXCLUDED.source_md5, run_id = EXCLUDED.run_id, created_at = now()
                     WHERE (f.path, f.source_md5) IS DISTINCT FROM (EXCLUDED.path, EXCLUDED.source_md5)""")) {
            ps.setArray(1, c.createArrayOf("text", folders.stream().map(CaseFolder::caseNumber).toArray()));
            ps.setArray(2, c.createArrayOf("text", folders.stream().map(CaseFolder::path).toArray()));
            ps.setArray(3, c.createArrayOf("text", folders.stream().map(CaseFolder::sourceMd5).toArray()));
            ps.setObject(4, runId, java.sql.Types.BIGINT);
            return ps.executeUpdate();
        }
    }

    /** The rejected rows recorded for a workbook (by its SHA-256), the first {@code limit} by row number. */
    public List<RowError> rejectedRows(String workbookSha256, int limit) throws SQLException {
        List<RowError> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT row_number, reason FROM legal_import_rows WHERE workbook_sha256 = ?"
                     + " ORDER BY row_number LIMIT ?")) {
            ps.setString(1, workbookSha256);
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new RowError(rs.getInt(1), rs.getString(2)));
                }
            }
        }
        return out;
    }
}
