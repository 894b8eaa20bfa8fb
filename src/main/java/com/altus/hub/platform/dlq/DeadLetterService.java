package com.altus.hub.platform.dlq;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import com.altus.hub.platform.ops.Redactor;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/** Owns the {@code dead_letters} table: record (upsert per open entity), list, claim, settle. */
@Service
public class DeadLetterService {
    private final JdbcTemplate jdbc;
    private final ObjectMapper json;
    private final Redactor redactor;
    private final int maxAttempts;
    private final Duration baseBackoff;
    private final Duration maxBackoff;

    public DeadLetterService(JdbcTemplate jdbc, ObjectMapper json, Redactor redactor,
                             @Value("${hub.dlq.max-attempts:5}") int maxAttempts,
                             @Value("${hub.dlq.base-backoff:PT1M}") Duration baseBackoff,
                             @Value("${hub.dlq.max-backoff:PT12H}") Duration maxBackoff) {
        this.jdbc = jdbc;
        this.json = json;
        this.redactor = redactor;
        this.maxAttempts = maxAttempts;
        this.baseBackoff = baseBackoff;
        this.maxBackoff = maxBackoff;
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    /** When a new letter is first due for replay: this long after it was filed. */
    public Duration firstBackoff() {
        return baseBackoff;
    }

    /**
     * Stores a dead letter. An entity that already has an open letter (pending or parked) for
     * the same flow gets that row updated with the newer payload and error, not a second row.
     */
    public long record(DeadLetter dl) {
        String key = dl.entityKey() == null || dl.entityKey().isBlank() ? "unknown" : dl.entityKey();
        return jdbc.queryForObject("""
                INSERT INTO dead_letters (flow, route_id, entity_type, entity_key, payload, headers, error_class,
                                          error_message, run_id, next_attempt_at)
                VALUES (?, ?, ?, ?, ?::jsonb, ?::jsonb, ?, ?, ?, now() + make_interval(secs => ?))
                ON CONFLICT (flow, entity_type, entity_key) WHERE status <> 'replayed'
                DO UPDATE SET payload = EXCLUDED.payload, headers = EXCLUDED.headers, route_id = EXCLUDED.route_id,
                              error_class = EXCLUDED.error_class, error_message = EXCLUDED.error_message,
                              run_id = EXCLUDED.run_id, last_failed_at = now()
                RETURNING id
                """, Long.class,
                dl.flow(), dl.routeId(), dl.entityType(), key, toJson(redactedPayload(dl.payload())),
                toJson(redactor.redactHeaders(dl.headers() == null ? Map.of() : dl.headers())), dl.errorClass(),
                redactor.redact(truncate(dl.errorMessage(), 4000)), dl.runId(), (double) baseBackoff.toSeconds());
    }

    /** The payload as stored: secrets in it (token members, signed URLs, credentials) masked. */
    private Object redactedPayload(Object payload) {
        if (payload == null) {
            return null;
        }
        if (payload instanceof String text) {
            return redactor.redact(text);
        }
        try {
            JsonNode tree = payload instanceof JsonNode n ? n : json.valueToTree(payload);
            return redactor.redactJson(tree);
        } catch (IllegalArgumentException notJson) {
            return redactor.redact(String.valueOf(payload));
        }
    }

    /** Closes open letters of entities that have since been processed successfully in a normal run. */
    public int resolve(String flow, String entityType, Collection<String> entityKeys) {
        if (entityKeys.isEmpty()) {
            return 0;
        }
        return jdbc.update("""
                UPDATE dead_letters SET status = 'replayed', replayed_at = now()
                WHERE flow = ? AND entity_type = ? AND status <> 'replayed' AND entity_key = ANY (?)
                """, ps -> {
            ps.setString(1, flow);
            ps.setString(2, entityType);
            ps.setArray(3, ps.getConnection().createArrayOf("text", entityKeys.toArray()));
        });
    }

    public List<StoredDeadLetter> list(String status, String flow, int limit) {
        List<Object> args = new ArrayList<>();
        StringBuilder sql = new StringBuilder("SELECT * FROM dead_letters WHERE true");
        if (status != null && !status.isBlank()) {
            sql.append(" AND status = ?");
            args.add(status);
        }
        if (flow != null && !flow.isBlank()) {
            sql.append(" AND flow = ?");
            args.add(flow);
        }
        sql.append(" ORDER BY id DESC LIMIT ?");
        args.add(limit);
        return jdbc.query(sql.toString(), this::map, args.toArray());
    }

    public StoredDeadLetter get(long id) {
        List<StoredDeadLetter> rows = jdbc.query("SELECT * FROM dead_letters WHERE id = ?", this::map, id);
        return rows.isEmpty() ? null : rows.get(0);
    }

    /**
     * Claims letters to replay by pushing their next attempt out by a lease, so that a concurrent
     * claimer (another instance) skips them. Explicit ids or a flow select pending and parked
     * letters whatever their due time (an operator asked); otherwise only due pending letters.
     */
    public List<StoredDeadLetter> claim(List<Long> ids, String flow, int limit, Duration lease) {
        boolean explicit = (ids != null && !ids.isEmpty()) || (flow != null && !flow.isBlank());
        List<Object> args = new ArrayList<>();
        args.add((double) lease.toSeconds());
        // the filter is built from fixed fragments only; every value is a bind parameter
        StringBuilder where = new StringBuilder(explicit
                ? "status IN ('pending', 'parked')"
                : "status = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= now())");
        if (ids != null && !ids.isEmpty()) {
            where.append(" AND id = ANY (?)");
            args.add(ids.toArray(new Long[0]));
        }
        if (flow != null && !flow.isBlank()) {
            where.append(" AND flow = ?");
            args.add(flow);
        }
        args.add(limit);
        return jdbc.query("UPDATE dead_letters SET next_attempt_at = now() + make_interval(secs => ?) "
                + "WHERE id IN (SELECT id FROM dead_letters WHERE " + where
                + " ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED) RETURNING *", this::map, args.toArray());
    }

    public void markReplayed(long id) {
        jdbc.update("UPDATE dead_letters SET status = 'replayed', replayed_at = now(), next_attempt_at = NULL WHERE id = ?", id);
    }

    /** A failed replay: one more attempt, exponential backoff, parked after the maximum. Returns the new status. */
    public String markFailed(long id, int attemptsBefore, Throwable error) {
        int attempts = attemptsBefore + 1;
        long backoff = Math.min(maxBackoff.toSeconds(), baseBackoff.toSeconds() * (1L << Math.min(attempts, 30)));
        String status = attempts >= maxAttempts ? "parked" : "pending";
        jdbc.update("""
                UPDATE dead_letters SET attempts = ?, status = ?, last_failed_at = now(),
                       error_class = ?, error_message = ?,
                       next_attempt_at = CASE WHEN ? = 'parked' THEN NULL ELSE now() + make_interval(secs => ?) END
                WHERE id = ?
                """, attempts, status, error.getClass().getName(),
                redactor.redact(truncate(String.valueOf(error.getMessage()), 4000)), status, (double) backoff, id);
        return status;
    }

    private String toJson(Object value) {
        if (value == null) {
            return null;
        }
        try {
            if (value instanceof JsonNode node) {
                return json.writeValueAsString(node);
            }
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            return "\"" + String.valueOf(value).replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        }
    }

    private static String truncate(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max) + "...";
    }

    private StoredDeadLetter map(ResultSet rs, int row) throws SQLException {
        return new StoredDeadLetter(rs.getLong("id"), rs.getString("flow"), rs.getString("route_id"),
                rs.getString("entity_type"), rs.getString("entity_key"), readJson(rs.getString("payload")),
                readJson(rs.getString("headers")), rs.getString("error_class"), rs.getString("error_message"),
                rs.getString("status"), rs.getInt("attempts"), (Long) rs.getObject("run_id"),
                rs.getObject("first_failed_at", OffsetDateTime.class), rs.getObject("last_failed_at", OffsetDateTime.class),
                rs.getObject("next_attempt_at", OffsetDateTime.class), rs.getObject("replayed_at", OffsetDateTime.class));
    }

    private JsonNode readJson(String s) {
        if (s == null) {
            return null;
        }
        try {
            return json.readTree(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("dead_letters holds invalid JSON", e);
        }
    }
}
