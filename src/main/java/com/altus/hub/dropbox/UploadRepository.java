package com.altus.hub.dropbox;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** The SQL of the upload side: idempotency keys, file assets and upload sessions. */
@Repository
public class UploadRepository {
    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;

    public UploadRepository(JdbcTemplate jdbc, PlatformTransactionManager transactions) {
        this.jdbc = jdbc;
        this.tx = new TransactionTemplate(transactions);
    }

    /** A stored Idempotency-Key. */
    public record KeyRow(String endpoint, String requestHash, String status, Integer responseStatus, String response) {
    }

    /**
     * Purges expired keys (and an in-progress claim of this key older than {@code inFlightTimeout},
     * left by a hub that died mid-request) and tries to own {@code key}; false when someone else holds it.
     */
    public boolean claimKey(String key, String endpoint, String requestHash, Duration ttl, Duration inFlightTimeout) {
        jdbc.update("DELETE FROM upload_requests WHERE expires_at < now()");
        jdbc.update("DELETE FROM upload_requests WHERE idempotency_key = ? AND status = 'in_progress' AND created_at < ?",
                key, Timestamp.from(Instant.now().minus(inFlightTimeout)));
        return jdbc.update("INSERT INTO upload_requests (idempotency_key, endpoint, request_hash, status, expires_at) "
                + "VALUES (?, ?, ?, 'in_progress', ?) ON CONFLICT (idempotency_key) DO NOTHING",
                key, endpoint, requestHash, Timestamp.from(Instant.now().plus(ttl))) == 1;
    }

    public Optional<KeyRow> key(String key) {
        return jdbc.query("SELECT endpoint, request_hash, status, response_status, response::text FROM upload_requests "
                        + "WHERE idempotency_key = ? AND expires_at >= now()",
                (rs, i) -> new KeyRow(rs.getString(1), rs.getString(2), rs.getString(3),
                        (Integer) rs.getObject(4), rs.getString(5)), key).stream().findFirst();
    }

    public void completeKey(String key, int status, String responseJson) {
        jdbc.update("UPDATE upload_requests SET status = 'completed', response_status = ?, response = ?::jsonb "
                + "WHERE idempotency_key = ?", status, responseJson, key);
    }

    /** Forgets a key whose request stored nothing (validation failure, transient error): it may be sent again. */
    public void releaseKey(String key) {
        jdbc.update("DELETE FROM upload_requests WHERE idempotency_key = ? AND status = 'in_progress'", key);
    }

    /** A file asset to record (natural key: the Dropbox path). */
    public record Asset(String source, String entityType, FolderMap.Meta meta, String actorId, String originalFilename,
                        StoredFile file) {
    }

    /** Upserts the asset on its Dropbox path and answers its id (the same path keeps its id). */
    public UUID upsertAsset(Asset a) {
        FolderMap.Meta m = a.meta();
        return jdbc.queryForObject("INSERT INTO file_assets (id, source, entity_type, owner_id, property_id, unit_id, lease_id, "
                        + "tenant_id, actor_id, original_filename, dropbox_path, dropbox_id, rev, content_hash, size_bytes) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                        + "ON CONFLICT (dropbox_path) DO UPDATE SET dropbox_id = EXCLUDED.dropbox_id, rev = EXCLUDED.rev, "
                        + "content_hash = EXCLUDED.content_hash, size_bytes = EXCLUDED.size_bytes, updated_at = now() "
                        + "RETURNING id",
                UUID.class, UUID.randomUUID(), a.source(), a.entityType(), m.ownerId(), m.propertyId(), m.unitId(),
                m.leaseId(), m.tenantId(), a.actorId(), a.originalFilename(), a.file().path(), a.file().id(),
                a.file().rev(), a.file().contentHash(), a.file().size());
    }

    private static final String SESSION_COLUMNS = "id, store_session_id, dest_path, entity_type, source, meta::text, "
            + "original_filename, client_offset, store_offset, block_digests, tail, status, result::text, finish_hash";

    /** Inserts a new session, already claimed by {@code claim} (its start may carry a first chunk). */
    public void insertSession(UUID id, String storeSessionId, String destPath, String entityType, String source,
                              String metaJson, String originalFilename, UUID claim, Duration claimTtl) {
        jdbc.update("INSERT INTO upload_sessions (id, store_session_id, dest_path, entity_type, source, meta, original_filename, "
                + "claimed_by, claimed_until) VALUES (?, ?, ?, ?, ?, ?::jsonb, ?, ?, now() + ? * interval '1 millisecond')",
                id, storeSessionId, destPath, entityType, source, metaJson, originalFilename, claim, claimTtl.toMillis());
    }

    /** An upload session's persisted state. */
    public record SessionRow(UUID id, String storeSessionId, String destPath, String entityType, String source,
                             String metaJson, String originalFilename, long clientOffset, long storeOffset,
                             byte[] blockDigests, byte[] tail, String status, String resultJson, String finishHash) {
    }

    private static SessionRow row(java.sql.ResultSet rs, int i) throws java.sql.SQLException {
        return new SessionRow(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getString(4),
                rs.getString(5), rs.getString(6), rs.getString(7), rs.getLong(8), rs.getLong(9), rs.getBytes(10),
                rs.getBytes(11), rs.getString(12), rs.getString(13), rs.getString(14));
    }

    /** Why a session could not be claimed. */
    public enum Refusal { MISSING, EXPIRED, FINISHED, BUSY }

    /** The outcome of a claim: the session's row, or why there is none. */
    public record Claim(SessionRow row, Refusal refusal, String resultJson) {
    }

    /** Thrown when another request holds the session (answered 409). */
    public static class SessionBusyException extends RuntimeException {
        public SessionBusyException(UUID id) {
            super("another append or finish of upload session " + id + " is in progress; retry when it is done");
        }
    }

    /**
     * Claims an open, unexpired session for one request with a single short UPDATE (no lock and
     * no connection is held afterwards): a second request for the same session is refused until
     * the claim is released or its {@code claimTtl} passes without renewal (the hub holding it died).
     */
    public Claim claim(UUID id, UUID claim, Duration claimTtl, Duration sessionTtl) {
        Optional<SessionRow> row = jdbc.query("UPDATE upload_sessions SET claimed_by = ?, "
                        + "claimed_until = now() + ? * interval '1 millisecond' "
                        + "WHERE id = ? AND status = 'open' AND created_at > now() - ? * interval '1 millisecond' "
                        + "AND (claimed_by IS NULL OR claimed_until < now()) RETURNING " + SESSION_COLUMNS,
                UploadRepository::row, claim, claimTtl.toMillis(), id, sessionTtl.toMillis()).stream().findFirst();
        if (row.isPresent()) {
            return new Claim(row.get(), null, null);
        }
        return jdbc.query("SELECT status, created_at <= now() - ? * interval '1 millisecond', result::text "
                        + "FROM upload_sessions WHERE id = ?",
                (rs, i) -> {
                    Refusal why = rs.getBoolean(2) ? Refusal.EXPIRED
                            : "finished".equals(rs.getString(1)) ? Refusal.FINISHED : Refusal.BUSY;
                    return new Claim(null, why, rs.getString(3));
                }, sessionTtl.toMillis(), id).stream().findFirst().orElse(new Claim(null, Refusal.MISSING, null));
    }

    /** Extends the live claims of this hub (one statement for all of them). */
    public int renewClaims(java.util.Collection<UUID> claims, Duration claimTtl) {
        if (claims.isEmpty()) {
            return 0;
        }
        return jdbc.update(con -> {
            java.sql.PreparedStatement ps = con.prepareStatement("UPDATE upload_sessions "
                    + "SET claimed_until = now() + ? * interval '1 millisecond' WHERE claimed_by = ANY (?)");
            ps.setLong(1, claimTtl.toMillis());
            ps.setArray(2, con.createArrayOf("uuid", claims.toArray()));
            return ps;
        });
    }

    /** Gives a claim up (the session is unchanged). */
    public void release(UUID id, UUID claim) {
        jdbc.update("UPDATE upload_sessions SET claimed_by = NULL, claimed_until = NULL WHERE id = ? AND claimed_by = ?",
                id, claim);
    }

    /**
     * Commits an append and releases the claim in one statement; false when the claim was lost
     * (it expired unrenewed) or the session expired meanwhile: then nothing changed.
     */
    public boolean advanceSession(UUID id, UUID claim, long expectedClientOffset, long clientOffset, long storeOffset,
                                  byte[] blockDigests, byte[] tail, Duration sessionTtl) {
        return jdbc.update("UPDATE upload_sessions SET client_offset = ?, store_offset = ?, block_digests = ?, tail = ?, "
                + "claimed_by = NULL, claimed_until = NULL, updated_at = now() "
                + "WHERE id = ? AND claimed_by = ? AND client_offset = ? AND created_at > now() - ? * interval '1 millisecond'",
                clientOffset, storeOffset, blockDigests, tail, id, claim, expectedClientOffset, sessionTtl.toMillis()) == 1;
    }

    /** Records that a finish is committing content {@code hash} (kept for a retry after a crash). */
    public void markFinishing(UUID id, UUID claim, String hash) {
        if (jdbc.update("UPDATE upload_sessions SET finish_hash = ?, updated_at = now() WHERE id = ? AND claimed_by = ?",
                hash, id, claim) != 1) {
            throw new SessionBusyException(id);
        }
    }

    /** Records the finished session's answer and its file (one transaction), releasing the claim. */
    public UUID finishSession(UUID id, UUID claim, Asset asset, java.util.function.Function<UUID, String> resultJson) {
        return tx.execute(status -> {
            UUID assetId = upsertAsset(asset);
            int n = jdbc.update("UPDATE upload_sessions SET status = 'finished', result = ?::jsonb, store_offset = client_offset, "
                    + "tail = ''::bytea, claimed_by = NULL, claimed_until = NULL, updated_at = now() "
                    + "WHERE id = ? AND claimed_by = ?", resultJson.apply(assetId), id, claim);
            if (n != 1) {
                throw new SessionBusyException(id);
            }
            return assetId;
        });
    }

    /**
     * Deletes a session row unless another request holds it (a claim other than {@code claim}
     * that is still live) and answers its store session id; empty when it was gone or held.
     */
    public Optional<String> deleteSession(UUID id, UUID claim) {
        return jdbc.query("DELETE FROM upload_sessions WHERE id = ? "
                        + "AND (claimed_by IS NULL OR claimed_until < now() OR claimed_by = ?) RETURNING store_session_id",
                (rs, i) -> rs.getString(1), id, claim).stream().findFirst();
    }

    /** An expired session: its row id and the store's session (whose part the sweep deletes first). */
    public record Expired(UUID id, String storeSessionId) {
    }

    /** Sessions past their time to live that no live request holds (expired sessions cannot be claimed anew). */
    public java.util.List<Expired> expiredSessions(Duration sessionTtl, int limit) {
        return jdbc.query("SELECT id, store_session_id FROM upload_sessions "
                        + "WHERE created_at <= now() - ? * interval '1 millisecond' "
                        + "AND (claimed_by IS NULL OR claimed_until < now()) ORDER BY created_at LIMIT ?",
                (rs, i) -> new Expired(rs.getObject(1, UUID.class), rs.getString(2)), sessionTtl.toMillis(), limit);
    }

    /** Deletes the rows of these expired sessions (not one a request claimed meanwhile). */
    public int deleteExpired(java.util.List<UUID> ids, Duration sessionTtl) {
        if (ids.isEmpty()) {
            return 0;
        }
        return jdbc.update(con -> {
            java.sql.PreparedStatement ps = con.prepareStatement("DELETE FROM upload_sessions WHERE id = ANY (?) "
                    + "AND created_at <= now() - ? * interval '1 millisecond' AND (claimed_by IS NULL OR claimed_until < now())");
            ps.setArray(1, con.createArrayOf("uuid", ids.toArray()));
            ps.setLong(2, sessionTtl.toMillis());
            return ps;
        });
    }

    /** Whether a store session still belongs to a session row (the sweep keeps those parts). */
    public boolean storeSessionKnown(String storeSessionId) {
        return Boolean.TRUE.equals(jdbc.queryForObject(
                "SELECT EXISTS (SELECT 1 FROM upload_sessions WHERE store_session_id = ?)", Boolean.class, storeSessionId));
    }
}
