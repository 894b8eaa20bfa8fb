package com.altus.hub.dropbox.drift;

import java.sql.Array;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import com.altus.hub.dropbox.FolderMap.Level;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/** The SQL of the drift detector: the expected tree from the normalized tables, and drift_audit. */
@Repository
public class DriftRepository {
    /** Rows per drift_audit statement. */
    static final int AUDIT_CHUNK = 10_000;

    private final JdbcTemplate jdbc;

    public DriftRepository(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Every owner, property, unit and tenancy the tree must have, owners first (CONTRACT section 9):
     * owners named by full name, else company name; a property under its primary owner (highest
     * ownership_percentage, ties: first listed); units under their property; a tenancy for every
     * lease active on {@code asOf} or starting after it (status ACTIVE; active as the KPIs define it:
     * started, and not ended or at will), under the lease's first unit, named after its primary
     * tenant (earliest move-in, ties: lowest DoorLoop tenant id). Deleted rows are left out.
     */
    public List<DriftEntity> expected(LocalDate asOf) {
        String sql = """
                WITH primary_owner AS (
                    SELECT DISTINCT ON (po.property_id) po.property_id, o.doorloop_id AS owner_key
                    FROM normalized_property_owners po
                    JOIN normalized_owners o ON o.id = po.owner_id AND o.deleted_at IS NULL
                    WHERE po.deleted_at IS NULL
                    ORDER BY po.property_id, po.ownership_percentage DESC NULLS LAST, po.position, o.doorloop_id
                ), primary_tenant AS (
                    SELECT DISTINCT ON (lt.lease_id) lt.lease_id,
                           coalesce(nullif(btrim(t.full_name), ''), nullif(btrim(concat_ws(' ', t.first_name, t.last_name)), ''))
                               AS tenant_name
                    FROM normalized_lease_tenants lt
                    JOIN normalized_tenants t ON t.id = lt.tenant_id AND t.deleted_at IS NULL
                    WHERE lt.deleted_at IS NULL
                    ORDER BY lt.lease_id, lt.move_in_at NULLS LAST, t.doorloop_id
                )
                SELECT 0 AS level, o.doorloop_id AS key,
                       coalesce(nullif(btrim(o.full_name), ''), nullif(btrim(o.company_name), '')) AS name, NULL AS parent
                FROM normalized_owners o
                WHERE o.deleted_at IS NULL
                UNION ALL
                SELECT 1, p.doorloop_id, p.name, po.owner_key
                FROM normalized_properties p
                LEFT JOIN primary_owner po ON po.property_id = p.id
                WHERE p.deleted_at IS NULL
                UNION ALL
                SELECT 2, u.doorloop_id, u.name, p.doorloop_id
                FROM normalized_units u
                LEFT JOIN normalized_properties p ON p.id = u.property_id AND p.deleted_at IS NULL
                WHERE u.deleted_at IS NULL
                UNION ALL
                SELECT 3, l.doorloop_id, pt.tenant_name, u.doorloop_id
                FROM normalized_leases l
                LEFT JOIN normalized_units u ON u.id = l.unit_id AND u.deleted_at IS NULL
                LEFT JOIN primary_tenant pt ON pt.lease_id = l.id
                WHERE l.deleted_at IS NULL AND upper(l.status) = 'ACTIVE' AND l.start_date IS NOT NULL
                  AND (l.start_date > ? OR l.end_date IS NULL OR l.end_date >= ? OR lower(l.term) = 'atwill')
                ORDER BY 1, 2
                """;
        Date d = Date.valueOf(asOf);
        List<DriftEntity> out = new ArrayList<>();
        jdbc.query(sql, rs -> {
            out.add(new DriftEntity(Level.values()[rs.getInt(1)], rs.getString(2), rs.getString(3), rs.getString(4)));
        }, d, d);
        return out;
    }

    /** One drift_audit row: what the run did for an entity. */
    public record AuditRow(String entity, String key, String path, String action, String detail, String previousPath) {
    }

    /** Writes (upserts on run, entity and key) the audit rows of a run, a few set-based statements. */
    public void audit(long runId, List<AuditRow> rows) {
        for (int from = 0; from < rows.size(); from += AUDIT_CHUNK) {
            List<AuditRow> chunk = rows.subList(from, Math.min(rows.size(), from + AUDIT_CHUNK));
            jdbc.execute((ConnectionCallback<Integer>) c -> insert(c, runId, chunk));
        }
    }

    private static int insert(Connection c, long runId, List<AuditRow> rows) throws java.sql.SQLException {
        int n = rows.size();
        String[][] cols = new String[6][n];
        for (int i = 0; i < n; i++) {
            AuditRow r = rows.get(i);
            cols[0][i] = r.entity();
            cols[1][i] = r.key();
            cols[2][i] = r.path();
            cols[3][i] = r.action();
            cols[4][i] = r.detail();
            cols[5][i] = r.previousPath();
        }
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO drift_audit (run_id, entity, key, path, action, detail, previous_path)
                SELECT ?, e, k, p, a, d, pp FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
                    AS t(e, k, p, a, d, pp)
                ON CONFLICT (run_id, entity, key) DO UPDATE SET path = EXCLUDED.path, action = EXCLUDED.action,
                    detail = EXCLUDED.detail, previous_path = EXCLUDED.previous_path, created_at = now()
                """)) {
            ps.setLong(1, runId);
            for (int i = 0; i < 6; i++) {
                Array a = c.createArrayOf("text", cols[i]);
                ps.setArray(i + 2, a);
            }
            return ps.executeUpdate();
        }
    }

    /** Keys of this flow's open dead letters of an entity type (to close them once the tree is healed). */
    public List<String> openLetters(String flow, String entityType) {
        return jdbc.queryForList("SELECT entity_key FROM dead_letters WHERE flow = ? AND entity_type = ? AND status <> 'replayed'",
                String.class, flow, entityType);
    }
}
