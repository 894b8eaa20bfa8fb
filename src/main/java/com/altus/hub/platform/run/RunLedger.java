package com.altus.hub.platform.run;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Owns {@code sync_jobs}, the job repository of every flow run, and {@code flow_leases}, the
 * single-flight leases: a run starts only by taking its flow's lease (free or expired) in the
 * same transaction that opens its row, renews it with every heartbeat and gives it back in the
 * transaction that finishes the row. A row is finished at most once ({@code status = 'running'}).
 */
@Repository
public class RunLedger {
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() { };
    private static final String ORPHAN_ERROR =
            "? || ' (instance ' || instance || ', last heartbeat ' || to_char(heartbeat_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') || ')'";
    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final ObjectMapper json;

    public RunLedger(JdbcTemplate jdbc, TransactionTemplate tx, ObjectMapper json) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.json = json;
    }

    /**
     * Takes the flow's lease and opens a 'running' row, in one transaction; empty when a live run
     * holds the lease. Rows left 'running' by the lease's earlier holder (whose lease expired) are
     * failed with {@code orphanReason} on the way.
     */
    public Optional<Started> start(String flow, String trigger, String instance, Map<String, Object> params,
                                   Duration leaseTtl, String orphanReason) {
        return tx.execute(status -> {
            List<String> taken = jdbc.queryForList("""
                    INSERT INTO flow_leases (flow, owner, expires_at) VALUES (?, ?, now() + make_interval(secs => ?))
                    ON CONFLICT (flow) DO UPDATE SET run_id = NULL, owner = EXCLUDED.owner, acquired_at = now(),
                           renewed_at = now(), expires_at = EXCLUDED.expires_at
                    WHERE flow_leases.expires_at < now()
                    RETURNING flow
                    """, String.class, flow, instance, seconds(leaseTtl));
            if (taken.isEmpty()) {
                return Optional.<Started>empty();
            }
            int orphans = jdbc.update("UPDATE sync_jobs SET status = 'failed', finished_at = now(), error = " + ORPHAN_ERROR
                    + " WHERE flow = ? AND status = 'running'", orphanReason, flow);
            RunRecord row = jdbc.queryForObject("""
                    INSERT INTO sync_jobs (flow, status, trigger, instance, params) VALUES (?, 'running', ?, ?, ?::jsonb) RETURNING *
                    """, this::map, flow, trigger, instance, write(params));
            jdbc.update("UPDATE flow_leases SET run_id = ? WHERE flow = ?", row.id(), flow);
            return Optional.of(new Started(row, orphans));
        });
    }

    /** A run that got its lease, and how many interrupted runs of its flow it failed on the way. */
    public record Started(RunRecord record, int orphansFailed) {
    }

    /**
     * Renews the run's lease and saves its stats so far. Answers false when the run no longer holds
     * its lease (it expired and another run took it): the run must stop.
     */
    public boolean heartbeat(long id, String flow, Map<String, Object> stats, Duration leaseTtl) {
        return Boolean.TRUE.equals(tx.execute(status -> {
            int held = jdbc.update("""
                    UPDATE flow_leases SET renewed_at = now(), expires_at = now() + make_interval(secs => ?)
                    WHERE flow = ? AND run_id = ?
                    """, seconds(leaseTtl), flow, id);
            jdbc.update("UPDATE sync_jobs SET heartbeat_at = now(), stats = ?::jsonb WHERE id = ? AND status = 'running'",
                    write(stats), id);
            return held == 1;
        }));
    }

    /**
     * Finishes the run's row and gives its lease back, in one transaction. A row that is no longer
     * 'running' (another instance failed it after the lease expired) is left as it is: the answer
     * is then the row as stored, and {@link Finished#applied()} is false.
     */
    public Finished finish(long id, String flow, String status, Map<String, Object> stats, String error) {
        return tx.execute(s -> {
            // every transaction here locks flow_leases before sync_jobs, so a heartbeat and a finish never deadlock
            jdbc.update("DELETE FROM flow_leases WHERE flow = ? AND run_id = ?", flow, id);
            List<RunRecord> done = jdbc.query("""
                    UPDATE sync_jobs SET status = ?, finished_at = clock_timestamp(), heartbeat_at = now(),
                           stats = ?::jsonb, error = ?
                    WHERE id = ? AND status = 'running' RETURNING *
                    """, this::map, status, write(stats), error, id);
            return done.isEmpty() ? new Finished(get(id), false) : new Finished(done.get(0), true);
        });
    }

    /** The outcome of {@link #finish}: the stored row, and whether this call finished it. */
    public record Finished(RunRecord record, boolean applied) {
    }

    /**
     * Fails every 'running' row whose lease has expired or is gone (its instance died or lost the
     * database for longer than the lease), and drops those leases. Answers the flows affected.
     */
    public List<String> failExpired(String reason) {
        return tx.execute(s -> {
            jdbc.update("DELETE FROM flow_leases WHERE expires_at < now()");
            return jdbc.queryForList("UPDATE sync_jobs j SET status = 'failed', finished_at = now(), error = "
                    + ORPHAN_ERROR + """
                     WHERE j.status = 'running' AND NOT EXISTS (
                        SELECT 1 FROM flow_leases l WHERE l.flow = j.flow AND l.run_id = j.id AND l.expires_at >= now())
                    RETURNING j.flow
                    """, String.class, reason);
        });
    }

    /**
     * Fails every 'running' row and drops every lease: only for a database this hub owns alone
     * (the embedded one it just started), where any such row belongs to a hub that is gone.
     */
    public List<String> failAllRunning(String reason) {
        return tx.execute(s -> {
            jdbc.update("DELETE FROM flow_leases");
            return jdbc.queryForList("UPDATE sync_jobs SET status = 'failed', finished_at = now(), error = "
                    + ORPHAN_ERROR + " WHERE status = 'running' RETURNING flow", String.class, reason);
        });
    }

    private static double seconds(Duration d) {
        return d.toMillis() / 1000.0;
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
