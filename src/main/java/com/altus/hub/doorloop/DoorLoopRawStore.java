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
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import org.postgresql.PGConnection;
import org.springframework.stereotype.Repository;

/**
 * Owns the SQL of the DoorLoop raw layer ({@code doorloop_raw_<entity>}). A page is written
 * set-based in one transaction: one primary-key probe for the page's ids, then new records
 * COPY'd straight into the table and changed (content hash differs) or previously deleted ones
 * updated in one statement. Unchanged records cost only the probe: they are neither rewritten
 * nor row-locked. Should another writer insert one of the ids between the probe and the COPY
 * (a replay pulling the same resource), the page is redone through a staging table and
 * {@code INSERT ... ON CONFLICT}. Tasks of type WORK_ORDER also land in the work orders table in
 * the same transaction.
 *
 * <p>{@code content_hash} is the MD5 (hex) of the record's JSON text as the hub received and
 * serialized it (compact, in DoorLoop's key order): a change detector, computed here so that the
 * database compares hashes and never parses an unchanged record.
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
            + " data text NOT NULL) ON COMMIT DELETE ROWS";
    private static final String UNIQUE_VIOLATION = "23505";
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
            return new Stored(none, resource.carriesWorkOrders() ? none : null);
        }
        List<Hashed> page = hashed(records);
        List<Hashed> workOrders = resource.carriesWorkOrders() ? page.stream().filter(h -> h.record().workOrder()).toList() : null;
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                try {
                    Stored stored = new Stored(write(c, resource.table(), page, endpoint),
                            workOrders == null ? null : write(c, RawTable.WORK_ORDERS, workOrders, endpoint));
                    c.commit();
                    return stored;
                } catch (SQLException e) {
                    c.rollback();
                    if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
                        throw e;
                    }
                    // another writer (a replay of the same resource) inserted one of these ids between
                    // the probe and the COPY: redo the page on the conflict-safe path
                }
                Stored stored = staged(c, resource, page, workOrders, endpoint);
                c.commit();
                return stored;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        }
    }

    /** The conflict-safe path alone, in its own transaction (what {@link #store} falls back to). */
    Stored storeStaged(DoorLoopResource resource, String endpoint, Collection<RawRecord> records) throws SQLException {
        List<Hashed> page = hashed(records);
        List<Hashed> workOrders = resource.carriesWorkOrders() ? page.stream().filter(h -> h.record().workOrder()).toList() : null;
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                Stored stored = staged(c, resource, page, workOrders, endpoint);
                c.commit();
                return stored;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        }
    }

    private static Stored staged(Connection c, DoorLoopResource resource, List<Hashed> page, List<Hashed> workOrders,
                                 String endpoint) throws SQLException {
        return new Stored(upsertStaged(c, resource.table(), page, endpoint),
                workOrders == null ? null : upsertStaged(c, RawTable.WORK_ORDERS, workOrders, endpoint));
    }

    private static List<Hashed> hashed(Collection<RawRecord> records) {
        List<Hashed> page = new ArrayList<>(records.size());
        MessageDigest md5 = md5();
        for (RawRecord r : records) {
            page.add(new Hashed(r, HexFormat.of().formatHex(md5.digest(r.json().getBytes(StandardCharsets.UTF_8)))));
        }
        return page;
    }

    /** A record with its content hash. */
    private record Hashed(RawRecord record, String hash) {
    }

    /**
     * The fast path: one probe of the primary key for the page's ids, then new records COPY'd
     * straight into the table and changed or previously deleted ones updated from arrays.
     * Unchanged records cost only the probe: no row is written, locked or even sent.
     */
    private static Counts write(Connection c, RawTable table, List<Hashed> rows, String endpoint) throws SQLException {
        if (rows.isEmpty()) {
            return new Counts(0, 0, 0);
        }
        String t = table.table();
        // id -> live content hash; a deleted row maps to null so that it counts as changed
        Map<String, String> current = new HashMap<>(rows.size() * 2);
        try (PreparedStatement ps = c.prepareStatement("SELECT id, CASE WHEN deleted_at IS NULL THEN content_hash END FROM "
                + t + " WHERE id = ANY (?)")) {
            ps.setArray(1, c.createArrayOf("text", rows.stream().map(h -> h.record().id()).toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    current.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        StringBuilder fresh = new StringBuilder();
        List<Hashed> changed = new ArrayList<>();
        for (Hashed h : rows) {
            String id = h.record().id();
            if (!current.containsKey(id)) {
                appendCopyField(fresh, id);
                fresh.append('\t');
                appendCopyField(fresh, h.record().json());
                fresh.append('\t').append(h.hash()).append('\t');
                appendCopyField(fresh, endpoint);
                fresh.append('\n');
            } else if (!h.hash().equals(current.get(id))) {
                changed.add(h);
            }
        }
        long inserted = fresh.isEmpty() ? 0
                : copyIn(c, "COPY " + t + " (id, data, content_hash, source_endpoint) FROM STDIN", fresh);
        long updated = 0;
        if (!changed.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + t + " t SET data = u.data::jsonb, content_hash = u.hash,"
                    + " source_endpoint = ?, changed_at = now(), deleted_at = NULL"
                    + " FROM unnest(?::text[], ?::text[], ?::text[]) AS u(id, hash, data)"
                    + " WHERE t.id = u.id AND (t.content_hash IS DISTINCT FROM u.hash OR t.deleted_at IS NOT NULL)")) {
                ps.setString(1, endpoint);
                ps.setArray(2, c.createArrayOf("text", changed.stream().map(h -> h.record().id()).toArray()));
                ps.setArray(3, c.createArrayOf("text", changed.stream().map(Hashed::hash).toArray()));
                ps.setArray(4, c.createArrayOf("text", changed.stream().map(h -> h.record().json()).toArray()));
                updated = ps.executeUpdate();
            }
        }
        return new Counts(rows.size(), inserted, updated);
    }

    /** The conflict-safe path: COPY into the staging table, then one INSERT ... ON CONFLICT. */
    private static Counts upsertStaged(Connection c, RawTable table, List<Hashed> rows, String endpoint) throws SQLException {
        if (rows.isEmpty()) {
            return new Counts(0, 0, 0);
        }
        StringBuilder copy = new StringBuilder(rows.size() * 512);
        for (Hashed h : rows) {
            appendCopyField(copy, h.record().id());
            copy.append('\t').append(h.hash()).append('\t');
            appendCopyField(copy, h.record().json());
            copy.append('\n');
        }
        try (Statement st = c.createStatement()) {
            st.execute(STAGE);
            st.execute("TRUNCATE doorloop_stage");
        }
        copyIn(c, "COPY doorloop_stage (id, hash, data) FROM STDIN", copy);
        return upsert(c, table, endpoint);
    }

    private static Counts upsert(Connection c, RawTable table, String endpoint) throws SQLException {
        // Table names come from the RawTable enum only; every value is a bind parameter. The
        // current hash is read with a scalar subquery (one primary-key probe per staged row)
        // rather than a join: the staging table has no statistics, and a join planned without
        // them may scan the whole target for every page.
        String t = table.table();
        String sql = """
                WITH changed AS (
                    SELECT s.id, s.hash, s.data FROM doorloop_stage s
                    WHERE s.hash IS DISTINCT FROM
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
                SELECT (SELECT count(*) FROM doorloop_stage),
                       count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM up
                """.formatted(t, t);
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

    private static long copyIn(Connection c, String sql, CharSequence rows) throws SQLException {
        try {
            return c.unwrap(PGConnection.class).getCopyAPI().copyIn(sql, new StringReader(rows.toString()), 1 << 16);
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
