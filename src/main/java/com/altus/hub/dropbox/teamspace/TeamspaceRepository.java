package com.altus.hub.dropbox.teamspace;

import java.sql.Timestamp;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** The SQL of the Team Space migration: file_assets to migrate and teamspace_migrations. */
@Repository
public class TeamspaceRepository {
    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;

    public TeamspaceRepository(JdbcTemplate jdbc, PlatformTransactionManager transactions) {
        this.jdbc = jdbc;
        this.tx = new TransactionTemplate(transactions);
    }

    /** A file asset as the migration reads it. */
    public record Asset(UUID id, String dropboxPath, String contentHash, long size, Timestamp migratedAt) {
    }

    /**
     * Up to {@code limit} file assets not migrated yet, oldest first; those that failed before come
     * after the others, so a file that keeps failing does not eat every run's limit.
     */
    public List<FileJob> pending(int limit) {
        return jdbc.query("""
                SELECT f.id, f.dropbox_path FROM file_assets f
                LEFT JOIN teamspace_migrations m ON m.file_asset_id = f.id
                WHERE f.migrated_at IS NULL
                ORDER BY (m.status = 'failed') NULLS FIRST, f.created_at, f.id
                LIMIT ?
                """, (rs, i) -> new FileJob(rs.getString(1), rs.getString(2)), limit);
    }

    public long remaining() {
        return jdbc.queryForObject("SELECT count(*) FROM file_assets WHERE migrated_at IS NULL", Long.class);
    }

    public Optional<Asset> asset(UUID id) {
        return jdbc.query("SELECT id, dropbox_path, content_hash, size_bytes, migrated_at FROM file_assets WHERE id = ?",
                (rs, i) -> new Asset(rs.getObject(1, UUID.class), rs.getString(2), rs.getString(3), rs.getLong(4),
                        rs.getTimestamp(5)), id).stream().findFirst();
    }

    /** The migration of a file starts (again): its row is pending, one more attempt. */
    public void begin(Asset a, String targetPath, long runId) {
        jdbc.update("""
                INSERT INTO teamspace_migrations (file_asset_id, source_path, target_path, status, content_hash, attempts,
                                                  run_id, started_at, updated_at)
                VALUES (?, ?, ?, 'pending', ?, 1, ?, now(), now())
                ON CONFLICT (file_asset_id) DO UPDATE SET source_path = EXCLUDED.source_path,
                    target_path = EXCLUDED.target_path, status = 'pending', content_hash = EXCLUDED.content_hash,
                    attempts = teamspace_migrations.attempts + 1, run_id = EXCLUDED.run_id, started_at = now(),
                    updated_at = now(), error = NULL
                """, a.id(), a.dropboxPath(), targetPath, a.contentHash(), runId);
    }

    /** The copy call answered (before the hash is checked). */
    public void copied(UUID id, String method) {
        jdbc.update("UPDATE teamspace_migrations SET status = 'copied', method = ?, updated_at = now() WHERE file_asset_id = ?",
                method, id);
    }

    /** The Team Space holds the file with the same content_hash: both tables say so, in one transaction. */
    public void verified(UUID id, String targetPath, String contentHash, String method, long bytesDownloaded) {
        tx.executeWithoutResult(s -> {
            jdbc.update("""
                    UPDATE teamspace_migrations SET status = 'verified', target_path = ?, content_hash = ?, method = ?,
                        bytes_downloaded = bytes_downloaded + ?, error = NULL, migrated_at = now(), updated_at = now()
                    WHERE file_asset_id = ?
                    """, targetPath, contentHash, method, bytesDownloaded, id);
            jdbc.update("UPDATE file_assets SET teamspace_path = ?, migrated_at = now() WHERE id = ? AND migrated_at IS NULL",
                    targetPath, id);
        });
    }

    /** A failure: {@code failed} for good (dead-lettered), else the row stays pending with the error of the last try. */
    public void failure(UUID id, boolean permanent, String error) {
        jdbc.update("UPDATE teamspace_migrations SET status = CASE WHEN ? THEN 'failed' ELSE status END, error = ?, "
                + "updated_at = now() WHERE file_asset_id = ? AND status <> 'verified'", permanent, error, id);
    }
}
