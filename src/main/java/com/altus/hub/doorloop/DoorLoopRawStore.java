package com.altus.hub.doorloop;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collection;
import java.util.HexFormat;

import javax.sql.DataSource;

import org.postgresql.PGConnection;
import org.springframework.stereotype.Repository;

/**
 * Owns the SQL of the DoorLoop raw layer ({@code doorloop_raw_<entity>}). A page is written
 * set-based: COPY into a temporary staging table (id, content hash, JSON as text), then one
 * {@code INSERT ... SELECT ... ON CONFLICT} per target table that only touches new, changed
 * (content hash differs) or previously deleted rows. Unchanged records are filtered out before
 * the insert, so they are neither rewritten nor even row-locked, and their JSON is never parsed
 * by the database. Tasks of type WORK_ORDER also land in the work orders table in the same
 * transaction.
 *
 * <p>{@code content_hash} is the MD5 (hex) of the record's JSON text as the hub received and
 * serialized it (compact, in DoorLoop's key order): a change detector, computed here so that an
 * unchanged page costs the database one index probe per record.
 */
@Repository
public class DoorLoopRawStore {

    /** A record ready to store: its DoorLoop id, its JSON text, and whether it is a work order. */
    public record RawRecord(String id, String json, boolean workOrder) {
    }

    /** What one upsert did to one table. {@code staged} records were offered; the rest were unchanged. */
    public record Counts(long staged, long inserted, long updated) {
        public long unchanged() {
            return staged - inserted - updated;
        }
    }

    /** A stored page: counts for the resource's table and, for tasks, the work orders table. */
    public record Stored(Counts records, Counts workOrders) {
    }

    /** The outcome of marking records missing from a complete snapshot. */
    public record Deletion(long live, long missing, boolean applied) {
    }

    private static final String STAGE = "CREATE TEMP TABLE IF NOT EXISTS doorloop_stage (id text NOT NULL, hash text NOT NULL,"
            + " data text NOT NULL, work_order boolean NOT NULL) ON COMMIT DELETE ROWS";
    private static final String SEEN = "CREATE TEMP TABLE IF NOT EXISTS doorloop_seen (id text NOT NULL) ON COMMIT DELETE ROWS";

    private final DataSource dataSource;

    public DoorLoopRawStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Upserts a page of records (ids unique within the page) of a resource in one transaction.
     * {@code endpoint} is recorded as the rows' source_endpoint.
     */
    public Stored store(DoorLoopResource resource, String endpoint, Collection<RawRecord> records) throws SQLException {
        if (records.isEmpty()) {
            Counts none = new Counts(0, 0, 0);
            return new Stored(none, none);
        }
        StringBuilder copy = new StringBuilder(records.size() * 512);
        boolean anyWorkOrder = false;
        MessageDigest md5 = md5();
        for (RawRecord r : records) {
            appendCopyField(copy, r.id());
            copy.append('\t').append(HexFormat.of().formatHex(md5.digest(r.json().getBytes(StandardCharsets.UTF_8)))).append('\t');
            appendCopyField(copy, r.json());
            copy.append('\t').append(r.workOrder() ? 't' : 'f').append('\n');
            anyWorkOrder |= r.workOrder();
        }
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                try (Statement st = c.createStatement()) {
                    st.execute(STAGE);
                }
                copyIn(c, "COPY doorloop_stage (id, hash, data, work_order) FROM STDIN", copy);
                Counts main = upsert(c, resource.table(), false, endpoint);
                Counts workOrders = resource.carriesWorkOrders()
                        ? (anyWorkOrder ? upsert(c, RawTable.WORK_ORDERS, true, endpoint) : new Counts(0, 0, 0))
                        : null;
                c.commit();
                return new Stored(main, workOrders);
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        }
    }

    private static Counts upsert(Connection c, RawTable table, boolean workOrdersOnly, String endpoint) throws SQLException {
        // Table names come from the RawTable enum only; every value is a bind parameter. The
        // current hash is read with a scalar subquery (one primary-key probe per staged row)
        // rather than a join: the staging table has no statistics, and a join planned without
        // them may scan the whole target for every page.
        String t = table.table();
        String filter = workOrdersOnly ? "s.work_order" : "true";
        String sql = """
                WITH changed AS (
                    SELECT s.id, s.hash, s.data FROM doorloop_stage s
                    WHERE %s AND s.hash IS DISTINCT FROM
                          (SELECT cur.content_hash FROM %s cur WHERE cur.id = s.id AND cur.deleted_at IS NULL)
                ), up AS (
                    INSERT INTO %s AS t (id, data, content_hash, source_endpoint)
                    SELECT id, data::jsonb, hash, ? FROM changed
                    ON CONFLICT (id) DO UPDATE
                       SET data = EXCLUDED.data, content_hash = EXCLUDED.content_hash,
                           source_endpoint = EXCLUDED.source_endpoint, changed_at = now(), deleted_at = NULL
                     WHERE t.content_hash IS DISTINCT FROM EXCLUDED.content_hash OR t.deleted_at IS NOT NULL
                    RETURNING (xmax = 0) AS inserted
                )
                SELECT (SELECT count(*) FROM doorloop_stage s WHERE %s),
                       count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM up
                """.formatted(filter, t, t, filter);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, endpoint);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Counts(rs.getLong(1), rs.getLong(2), rs.getLong(3));
            }
        }
    }

    /**
     * Marks every live row of {@code table} whose id is not in {@code seenIds} (a complete
     * snapshot) as deleted, unless that would delete more than {@code maxFraction} of the live
     * rows and more than {@code guardMinimum} rows (then nothing changes and applied is false).
     */
    public Deletion markMissingDeleted(RawTable table, Collection<String> seenIds, double maxFraction, long guardMinimum)
            throws SQLException {
        String t = table.table();
        StringBuilder copy = new StringBuilder(seenIds.size() * 26);
        for (String id : seenIds) {
            appendCopyField(copy, id);
            copy.append('\n');
        }
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                try (Statement st = c.createStatement()) {
                    st.execute(SEEN);
                }
                if (!seenIds.isEmpty()) {
                    copyIn(c, "COPY doorloop_seen (id) FROM STDIN", copy);
                }
                try (Statement st = c.createStatement()) {
                    st.execute("ANALYZE doorloop_seen");
                }
                long live;
                long missing;
                try (Statement st = c.createStatement();
                     // a join, not EXISTS inside FILTER: that would run as a per-row subplan over the seen ids
                     ResultSet rs = st.executeQuery("SELECT count(*), count(*) FILTER (WHERE s.id IS NULL) FROM " + t
                             + " t LEFT JOIN doorloop_seen s ON s.id = t.id WHERE t.deleted_at IS NULL")) {
                    rs.next();
                    live = rs.getLong(1);
                    missing = rs.getLong(2);
                }
                boolean blocked = missing > guardMinimum && missing > maxFraction * live;
                if (missing > 0 && !blocked) {
                    try (Statement st = c.createStatement()) {
                        st.executeUpdate("UPDATE " + t + " t SET deleted_at = now(), changed_at = now() WHERE t.deleted_at IS NULL"
                                + " AND NOT EXISTS (SELECT 1 FROM doorloop_seen s WHERE s.id = t.id)");
                    }
                }
                c.commit();
                return new Deletion(live, missing, !blocked);
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        }
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is missing from this JVM", e);
        }
    }

    private static void copyIn(Connection c, String sql, CharSequence rows) throws SQLException {
        try {
            c.unwrap(PGConnection.class).getCopyAPI().copyIn(sql, new StringReader(rows.toString()), 1 << 16);
        } catch (IOException e) {
            throw new SQLException("COPY into the staging table failed: " + e.getMessage(), e);
        }
    }

    /** Appends a value in COPY's text format: backslash, tab, newline and carriage return escaped. */
    static void appendCopyField(StringBuilder out, String value) {
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            switch (ch) {
                case '\\' -> out.append("\\\\");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                default -> out.append(ch);
            }
        }
    }
}
