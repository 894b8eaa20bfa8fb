package com.altus.hub.doorloop.normalize;

import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * Owns the SQL of doorloop-normalize: one set-based upsert per entity (built by
 * {@link EntitySpec}), the vanished-link sweep of derived entities, and the refresh of the
 * materialized views. Each call is its own transaction (autocommit), so a later entity sees the
 * parents committed before it.
 */
@Repository
public class NormalizeRepository {
    /** Materialized views refreshed after a normalize, each with the unique index CONCURRENTLY needs. */
    public static final List<String> MATERIALIZED_VIEWS = List.of("mv_full_properties", "mv_full_units", "mv_full_leases",
            "mv_full_tenants");

    private final JdbcTemplate jdbc;
    private final ObjectMapper json;

    public NormalizeRepository(JdbcTemplate jdbc, ObjectMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** A record left out of the normalized table: its parents do not resolve ({@code missing}) or a field does not parse. */
    public record Rejected(String id, String missing, String invalid, JsonNode data) {
        public boolean orphan() {
            return missing != null;
        }

        public String reason() {
            if (missing != null && invalid != null) {
                return missing + "; " + invalid;
            }
            return missing != null ? missing : invalid;
        }
    }

    /**
     * What one entity's upsert did. {@code unchanged} = candidates written by nobody; {@code orphaned}
     * and {@code invalid} count the records left out; {@code rejected} lists them (with their data)
     * unless the statement filed them as dead letters itself ({@code lettered}).
     */
    public record EntityResult(long candidates, long inserted, long updated, long deleted, long orphaned, long invalid,
                               List<Rejected> rejected, long lettered, List<String> resolved) {
        public long unchanged() {
            return candidates - inserted - updated;
        }
    }

    /** Where the statement files rejected records as dead letters: the flow, the route that replays them, the run. */
    public record Letters(String flow, String routeId, long runId, Duration firstBackoff) {
    }

    /** Normalizes every raw record of the entity, answering the rejected records. */
    public EntityResult normalize(EntitySpec spec) {
        return run(spec, null, null);
    }

    /**
     * Normalizes every raw record of the entity; the rejected ones become dead letters in the same
     * statement (set-based: however many there are, none is read into memory).
     */
    public EntityResult normalize(EntitySpec spec, Letters letters) {
        return run(spec, null, letters);
    }

    /** Normalizes only the given source ids (a dead letter's replay). */
    public EntityResult normalize(EntitySpec spec, Collection<String> ids) {
        return run(spec, List.copyOf(ids), null);
    }

    /** The raw record of a source id (for derived entities, the derived record), or null when there is none. */
    public JsonNode rawRecord(EntitySpec spec, String id) {
        List<String> rows = jdbc.queryForList("SELECT r.data::text FROM " + spec.source() + " r WHERE r.id = ?", String.class, id);
        if (rows.isEmpty()) {
            return null;
        }
        try {
            return json.readTree(rows.get(0));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("raw record " + id + " of " + spec.entityType() + " is not JSON", e);
        }
    }

    /** For derived entities after a full run: marks links their source no longer lists as deleted. */
    public int markVanished(EntitySpec spec) {
        return jdbc.update(spec.vanishedSql());
    }

    /**
     * Refreshes the planner's statistics of an entity's table after a large change, so that the
     * next entity's joins and the KPI statement are planned on real row counts (autovacuum may
     * not have run yet after a first load).
     */
    public void analyze(EntitySpec spec) {
        jdbc.execute("ANALYZE " + spec.table());
    }

    public void refreshMaterializedViews() {
        for (String mv : MATERIALIZED_VIEWS) {
            // names come from the fixed list above; CONCURRENTLY keeps readers unblocked during the refresh
            jdbc.execute("REFRESH MATERIALIZED VIEW CONCURRENTLY " + mv);
        }
    }

    private EntityResult run(EntitySpec spec, List<String> ids, Letters letters) {
        String sql = spec.upsertSql(ids != null, letters != null);
        return jdbc.execute((ConnectionCallback<EntityResult>) con -> {
            try (PreparedStatement ps = con.prepareStatement(sql)) {
                int i = 1;
                if (ids != null) {
                    ps.setArray(i++, con.createArrayOf("text", ids.toArray()));
                }
                if (letters != null) {
                    ps.setString(i++, letters.flow());
                    ps.setString(i++, letters.routeId());
                    ps.setLong(i++, letters.runId());
                    ps.setDouble(i++, letters.firstBackoff().toMillis() / 1000.0);
                }
                ps.setString(i, spec.entityType());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new EntityResult(rs.getLong("candidates"), rs.getLong("inserted"), rs.getLong("updated"),
                            rs.getLong("deleted"), rs.getLong("orphaned"), rs.getLong("invalid"),
                            rejected(rs.getString("rejected")), rs.getLong("lettered"), strings(rs.getArray("resolved")));
                }
            }
        });
    }

    private List<Rejected> rejected(String text) throws SQLException {
        JsonNode arr;
        try {
            arr = json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new SQLException("the normalize statement answered invalid JSON", e);
        }
        List<Rejected> out = new ArrayList<>(arr.size());
        for (JsonNode n : arr) {
            out.add(new Rejected(n.get("id").asText(), textOrNull(n.get("missing")), textOrNull(n.get("invalid")), n.get("data")));
        }
        return out;
    }

    private static String textOrNull(JsonNode n) {
        return n == null || n.isNull() ? null : n.asText();
    }

    private static List<String> strings(Array array) throws SQLException {
        if (array == null) {
            return List.of();
        }
        try {
            return Arrays.asList((String[]) array.getArray());
        } finally {
            array.free();
        }
    }
}
