package com.altus.hub.dropbox;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import org.springframework.dao.PessimisticLockingFailureException;
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

    public void insertSession(UUID id, String storeSessionId, String destPath, String entityType, String source,
                              String metaJson, String originalFilename) {
        jdbc.update("INSERT INTO upload_sessions (id, store_session_id, dest_path, entity_type, source, meta, original_filename) "
                + "VALUES (?, ?, ?, ?, ?, ?::jsonb, ?) ON CONFLICT (id) DO NOTHING",
                id, storeSessionId, destPath, entityType, source, metaJson, originalFilename);
    }

    /** An upload session's persisted state. */
    public record SessionRow(UUID id, String storeSessionId, String destPath, String entityType, String source,
                             String metaJson, String originalFilename, long clientOffset, long storeOffset,
                             byte[] blockDigests, byte[] tail, String status, String resultJson) {
    }

    /** Work on a locked session; answers the result and, through {@code update}, the new state. */
    @FunctionalInterface
    public interface SessionWork<T> {
        T run(SessionRow row) throws Exception;
    }

    /** Thrown when another request holds the session (answered 409). */
    public static class SessionBusyException extends RuntimeException {
        public SessionBusyException(UUID id) {
            super("another append or finish of upload session " + id + " is in progress");
        }
    }

    /**
     * Runs {@code work} while holding the session's row lock (FOR UPDATE NOWAIT) in one
     * transaction: a second request for the same session is refused at once, and the lock dies
     * with the connection if the hub does, so a restarted hub can continue the session.
     */
    public <T> Optional<T> withLockedSession(UUID id, SessionWork<T> work) {
        try {
            return tx.execute(status -> {
                Optional<SessionRow> row = jdbc.query("SELECT id, store_session_id, dest_path, entity_type, source, meta::text, "
                                + "original_filename, client_offset, store_offset, block_digests, tail, status, result::text "
                                + "FROM upload_sessions WHERE id = ? FOR UPDATE NOWAIT",
                        (rs, i) -> new SessionRow(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3),
                                rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7), rs.getLong(8),
                                rs.getLong(9), rs.getBytes(10), rs.getBytes(11), rs.getString(12), rs.getString(13)), id)
                        .stream().findFirst();
                if (row.isEmpty()) {
                    return Optional.<T>empty();
                }
                try {
                    return Optional.ofNullable(work.run(row.get()));
                } catch (RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new SessionWorkFailed(e);
                }
            });
        } catch (PessimisticLockingFailureException e) {
            throw new SessionBusyException(id);
        } catch (org.springframework.dao.DataAccessException e) {
            // NOWAIT's lock_not_available (55P03) is not always translated to a locking failure
            if (e.getMostSpecificCause() instanceof java.sql.SQLException sql && "55P03".equals(sql.getSQLState())) {
                throw new SessionBusyException(id);
            }
            throw e;
        }
    }

    /** Carries a checked exception of session work out of the transaction callback. */
    public static class SessionWorkFailed extends RuntimeException {
        SessionWorkFailed(Exception cause) {
            super(cause.getMessage(), cause);
        }
    }

    public void advanceSession(UUID id, long expectedClientOffset, long clientOffset, long storeOffset, byte[] blockDigests,
                               byte[] tail) {
        int n = jdbc.update("UPDATE upload_sessions SET client_offset = ?, store_offset = ?, block_digests = ?, tail = ?, "
                + "updated_at = now() WHERE id = ? AND client_offset = ?",
                clientOffset, storeOffset, blockDigests, tail, id, expectedClientOffset);
        if (n != 1) {
            throw new IllegalStateException("upload session " + id + " moved while it was locked");
        }
    }

    public void finishSession(UUID id, String resultJson) {
        jdbc.update("UPDATE upload_sessions SET status = 'finished', result = ?::jsonb, store_offset = client_offset, "
                + "tail = ''::bytea, updated_at = now() "
                + "WHERE id = ?", resultJson, id);
    }
}
