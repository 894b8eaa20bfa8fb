package com.altus.hub.platform.run;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/** Owns {@code sync_jobs}: the job repository of every flow run. */
@Repository
public class RunLedger {
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() { };
    private final JdbcTemplate jdbc;
    private final ObjectMapper json;

    public RunLedger(JdbcTemplate jdbc, ObjectMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** Marks every run of the flow still 'running' as failed; only called by the lock holder. */
    public int failOrphans(String flow, String reason) {
        return jdbc.update("""
                UPDATE sync_jobs SET status = 'failed', finished_at = now(),
                       error = ? || ' (instance ' || instance || ', last heartbeat ' || to_char(heartbeat_at, 'YYYY-MM-DD"T"HH24:MI:SS"Z"') || ')'
                WHERE flow = ? AND status = 'running'
                """, reason, flow);
    }

    public List<String> flowsWithRunningRows() {
        return jdbc.queryForList("SELECT DISTINCT flow FROM sync_jobs WHERE status = 'running'", String.class);
    }

    public RunRecord start(String flow, String trigger, String instance, Map<String, Object> params) {
        return jdbc.queryForObject("""
                INSERT INTO sync_jobs (flow, status, trigger, instance, params) VALUES (?, 'running', ?, ?, ?::jsonb) RETURNING *
                """, this::map, flow, trigger, instance, write(params));
    }

    public void heartbeat(long id, Map<String, Object> stats) {
        jdbc.update("UPDATE sync_jobs SET heartbeat_at = now(), stats = ?::jsonb WHERE id = ? AND status = 'running'",
                write(stats), id);
    }

    public RunRecord finish(long id, String status, Map<String, Object> stats, String error) {
        return jdbc.queryForObject("""
                UPDATE sync_jobs SET status = ?, finished_at = clock_timestamp(), heartbeat_at = now(),
                       stats = ?::jsonb, error = ?
                WHERE id = ? RETURNING *
                """, this::map, status, write(stats), error, id);
    }

    public List<RunRecord> recent(String flow, int limit) {
        if (flow == null || flow.isBlank()) {
            return jdbc.query("SELECT * FROM sync_jobs ORDER BY started_at DESC, id DESC LIMIT ?", this::map, limit);
        }
        return jdbc.query("SELECT * FROM sync_jobs WHERE flow = ? ORDER BY started_at DESC, id DESC LIMIT ?",
                this::map, flow, limit);
    }

    public RunRecord get(long id) {
        List<RunRecord> rows = jdbc.query("SELECT * FROM sync_jobs WHERE id = ?", this::map, id);
        return rows.isEmpty() ? null : rows.get(0);
    }

    private String write(Map<String, Object> value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("run stats or params are not serializable", e);
        }
    }

    private RunRecord map(ResultSet rs, int row) throws SQLException {
        Map<String, Object> stats;
        try {
            stats = json.readValue(rs.getString("stats"), MAP);
        } catch (JsonProcessingException e) {
            throw new SQLException("sync_jobs.stats is not a JSON object", e);
        }
        return new RunRecord(rs.getLong("id"), rs.getString("flow"), rs.getString("status"),
                rs.getObject("started_at", OffsetDateTime.class), rs.getObject("finished_at", OffsetDateTime.class),
                stats, rs.getString("error"), rs.getString("trigger"), rs.getString("instance"));
    }
}
