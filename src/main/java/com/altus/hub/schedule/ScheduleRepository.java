package com.altus.hub.schedule;

import java.sql.Array;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import javax.sql.DataSource;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.stereotype.Repository;

/**
 * Owns azure-sync's SQL: blob_state, groups, companies, schedule_data, user_profiles (staged with
 * COPY and diffed set-based) and the auth bookkeeping. Every write is an upsert on the natural
 * key that leaves an unchanged row untouched. Methods marked "in the caller's transaction" must
 * run inside one (they use the transaction-bound connection).
 */
@Repository
public class ScheduleRepository {
    private final JdbcTemplate jdbc;
    private final DataSource dataSource;

    public ScheduleRepository(JdbcTemplate jdbc, DataSource dataSource) {
        this.jdbc = jdbc;
        this.dataSource = dataSource;
    }

    // ---------------------------------------------------------------- blob_state

    /** ETags recorded for these blob names (absent names have none). */
    public Map<String, String> etags(Collection<String> names) {
        Map<String, String> out = new HashMap<>();
        if (names.isEmpty()) {
            return out;
        }
        jdbc.query("SELECT blob_name, etag FROM blob_state WHERE blob_name = ANY (?)",
                ps -> ps.setArray(1, ps.getConnection().createArrayOf("text", names.toArray())),
                rs -> {
                    out.put(rs.getString(1), rs.getString(2));
                });
        return out;
    }

    /** In the caller's transaction: the blob is processed at this ETag. */
    public void saveBlobState(String name, String etag, String contentMd5) {
        jdbc.update("""
                INSERT INTO blob_state (blob_name, etag, content_md5, processed_at) VALUES (?, ?, ?, now())
                ON CONFLICT (blob_name) DO UPDATE SET etag = EXCLUDED.etag, content_md5 = EXCLUDED.content_md5,
                                                      processed_at = EXCLUDED.processed_at
                """, name, etag, contentMd5);
    }

    // ---------------------------------------------------------------- groups and companies

    /** In the caller's transaction. {@code userFileHash} non-null when users.json is the source. */
    public void upsertGroups(Collection<UsersFile.Group> groups, String userFileHash) {
        List<Object[]> rows = new ArrayList<>();
        for (UsersFile.Group g : groups) {
            rows.add(new Object[] {g.id(), g.name(), g.active()});
        }
        jdbc.batchUpdate("""
                INSERT INTO service_company_groups AS g (id, name, is_active) VALUES (?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, is_active = EXCLUDED.is_active, updated_at = now()
                WHERE (g.name, g.is_active) IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.is_active)
                """, rows);
        if (userFileHash != null && !groups.isEmpty()) {
            jdbc.update("UPDATE service_company_groups SET last_user_sync_at = now(), last_user_file_hash = ? WHERE id = ANY (?)",
                    ps -> {
                        ps.setString(1, userFileHash);
                        ps.setArray(2, ps.getConnection().createArrayOf("integer",
                                groups.stream().map(UsersFile.Group::id).toArray()));
                    });
        }
    }

    /** In the caller's transaction: users.json's view of companies (keeps time zone and toggles). */
    public void upsertCompaniesFromUsers(Collection<UsersFile.Company> companies) {
        List<Object[]> rows = new ArrayList<>();
        for (UsersFile.Company c : companies) {
            rows.add(new Object[] {c.id(), c.groupId(), c.name(), c.active()});
        }
        jdbc.batchUpdate("""
                INSERT INTO companies AS c (id, service_company_group_id, name, is_active) VALUES (?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET service_company_group_id = EXCLUDED.service_company_group_id,
                       name = EXCLUDED.name, is_active = EXCLUDED.is_active, updated_at = now()
                WHERE (c.service_company_group_id, c.name, c.is_active)
                      IS DISTINCT FROM (EXCLUDED.service_company_group_id, EXCLUDED.name, EXCLUDED.is_active)
                """, rows);
    }

    /** In the caller's transaction: a schedule file's group and company, feature toggles included. */
    public void upsertCompany(ScheduleFile f, String featureTogglesJson) {
        upsertGroups(List.of(new UsersFile.Group(f.groupId(), f.groupName(), true)), null);
        jdbc.update("""
                INSERT INTO companies AS c (id, service_company_group_id, name, is_active, time_zone, feature_toggles)
                VALUES (?, ?, ?, ?, ?, ?::jsonb)
                ON CONFLICT (id) DO UPDATE SET service_company_group_id = EXCLUDED.service_company_group_id,
                       name = EXCLUDED.name, is_active = EXCLUDED.is_active, time_zone = EXCLUDED.time_zone,
                       feature_toggles = EXCLUDED.feature_toggles, updated_at = now()
                WHERE (c.service_company_group_id, c.name, c.is_active, c.time_zone, c.feature_toggles)
                      IS DISTINCT FROM (EXCLUDED.service_company_group_id, EXCLUDED.name, EXCLUDED.is_active,
                                        EXCLUDED.time_zone, EXCLUDED.feature_toggles)
                """, f.companyId(), f.groupId(), f.name(), f.active(), f.timeZone(), featureTogglesJson);
    }

    // ---------------------------------------------------------------- schedule_data

    /** content_hash of the company's stored days, by date. */
    public Map<LocalDate, String> dayHashes(int companyId, LocalDate from, LocalDate to) {
        Map<LocalDate, String> out = new HashMap<>();
        jdbc.query("SELECT schedule_date, content_hash FROM schedule_data WHERE service_company_id = ? AND schedule_date BETWEEN ? AND ?",
                rs -> {
                    out.put(rs.getObject(1, LocalDate.class), rs.getString(2));
                }, companyId, from, to);
        return out;
    }

    /** In the caller's transaction: one row per day on (service_company_id, schedule_date). */
    public void upsertDays(int companyId, List<ScheduleDaySplitter.Day> days, OffsetDateTime generatedAt, String blobName, String etag) {
        List<Object[]> rows = new ArrayList<>(days.size());
        Timestamp gen = generatedAt == null ? null : Timestamp.from(generatedAt.toInstant());
        for (ScheduleDaySplitter.Day d : days) {
            rows.add(new Object[] {companyId, d.date(), d.path(), d.jobCount(), d.contentHash(), gen, blobName, etag});
        }
        jdbc.batchUpdate("""
                INSERT INTO schedule_data AS s (service_company_id, schedule_date, storage_path, job_count, content_hash,
                                                generated_at, azure_blob_name, azure_blob_hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (service_company_id, schedule_date) DO UPDATE SET storage_path = EXCLUDED.storage_path,
                       job_count = EXCLUDED.job_count, content_hash = EXCLUDED.content_hash,
                       generated_at = EXCLUDED.generated_at, azure_blob_name = EXCLUDED.azure_blob_name,
                       azure_blob_hash = EXCLUDED.azure_blob_hash, updated_at = now()
                WHERE (s.storage_path, s.job_count, s.content_hash, s.generated_at, s.azure_blob_name, s.azure_blob_hash)
                      IS DISTINCT FROM (EXCLUDED.storage_path, EXCLUDED.job_count, EXCLUDED.content_hash,
                                        EXCLUDED.generated_at, EXCLUDED.azure_blob_name, EXCLUDED.azure_blob_hash)
                """, rows);
    }

    // ---------------------------------------------------------------- users

    /** In the caller's transaction: empties the staging table (locking it until commit) and starts a COPY into it. */
    public CopyIn startUserStaging() throws SQLException {
        Connection c = DataSourceUtils.getConnection(dataSource);
        jdbc.execute("TRUNCATE user_profiles_stage");
        return c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY user_profiles_stage (" + UserCopyWriter.COLUMNS + ") FROM STDIN");
    }

    /** In the caller's transaction: the staged rows are not kept past the transaction that diffed them. */
    public void clearUserStaging() {
        jdbc.execute("TRUNCATE user_profiles_stage");
    }

    /** Counts of one users.json merge. */
    public record UserMerge(long created, long updated, long unchanged) {
    }

    /**
     * In the caller's transaction, when user_profiles is empty (the first sync): a COPY straight
     * into user_profiles, since there is nothing to diff against.
     */
    public CopyIn startInitialUserLoad() throws SQLException {
        Connection c = DataSourceUtils.getConnection(dataSource);
        return c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY user_profiles (" + UserCopyWriter.COLUMNS + ") FROM STDIN");
    }

    /** In the caller's transaction, after an initial load: users back in the file are no longer to be deleted from auth. */
    public void keepLoadedUsersInAuth() {
        jdbc.update("DELETE FROM auth_user_deletions d USING user_profiles p WHERE d.user_id = p.id");
    }

    /**
     * In the caller's transaction: merges the staged users (ids unique, checked while reading)
     * into user_profiles, set-based: one UPDATE of the rows that differ (unchanged rows are not
     * written) and one INSERT of the new ones (no ON CONFLICT needed: the flow is single-flight).
     */
    public UserMerge mergeStagedUsers(long staged) {
        long updated = jdbc.update("""
                UPDATE user_profiles p SET email = s.email, first_name = s.first_name, last_name = s.last_name,
                       full_name = s.full_name, employee_information_id = s.employee_information_id, roles = s.roles,
                       service_company_id = s.service_company_id, auth_hash = s.auth_hash, updated_at = now()
                FROM user_profiles_stage s
                WHERE p.id = s.id
                  AND (p.email, p.first_name, p.last_name, p.full_name, p.employee_information_id, p.roles, p.service_company_id)
                      IS DISTINCT FROM (s.email, s.first_name, s.last_name, s.full_name, s.employee_information_id, s.roles,
                                        s.service_company_id)
                """);
        long created = jdbc.update("""
                INSERT INTO user_profiles (id, email, first_name, last_name, full_name, employee_information_id, roles,
                                           service_company_id, auth_hash)
                SELECT s.id, s.email, s.first_name, s.last_name, s.full_name, s.employee_information_id, s.roles,
                       s.service_company_id, s.auth_hash
                FROM user_profiles_stage s WHERE NOT EXISTS (SELECT 1 FROM user_profiles p WHERE p.id = s.id)
                """);
        // a user back in the file is no longer to be deleted from auth
        jdbc.update("DELETE FROM auth_user_deletions d USING user_profiles_stage s WHERE d.user_id = s.id");
        return new UserMerge(created, updated, staged - created - updated);
    }

    public long countUsers() {
        return jdbc.queryForObject("SELECT count(*) FROM user_profiles", Long.class);
    }

    /**
     * In the caller's transaction: deletes the profiles of users gone from the file; with auth
     * provisioning on, queues their auth deletion in the same transaction.
     */
    public long deleteUsersMissingFromStage(boolean queueAuthDeletion) {
        if (queueAuthDeletion) {
            return jdbc.queryForObject("""
                    WITH gone AS (
                      DELETE FROM user_profiles p WHERE NOT EXISTS (SELECT 1 FROM user_profiles_stage s WHERE s.id = p.id)
                      RETURNING p.id, p.email),
                    queued AS (
                      INSERT INTO auth_user_deletions (user_id, email) SELECT id, email FROM gone
                      ON CONFLICT (user_id) DO NOTHING RETURNING 1)
                    SELECT count(*) FROM gone
                    """, Long.class);
        }
        return jdbc.update("DELETE FROM user_profiles p WHERE NOT EXISTS (SELECT 1 FROM user_profiles_stage s WHERE s.id = p.id)");
    }

    // ---------------------------------------------------------------- auth bookkeeping

    /** A user whose auth record must be created (never confirmed) or updated. */
    public record PendingAuth(UUID id, String email, String metadataJson, String authHash, boolean neverSynced) {
    }

    /** Users whose auth record is behind their profile, in id order after {@code after} (keyset paging). */
    public List<PendingAuth> pendingAuth(UUID after, int limit) {
        return jdbc.query("""
                SELECT id, email, auth_hash, auth_synced_hash IS NULL AS never_synced,
                       jsonb_build_object('first_name', first_name, 'last_name', last_name, 'full_name', full_name,
                                          'employee_information_id', employee_information_id, 'roles', to_jsonb(roles),
                                          'service_company_id', service_company_id)::text AS metadata
                FROM user_profiles
                WHERE auth_synced_hash IS DISTINCT FROM auth_hash AND id > ?
                ORDER BY id LIMIT ?
                """, (rs, i) -> new PendingAuth(rs.getObject("id", UUID.class), rs.getString("email"), rs.getString("metadata"),
                rs.getString("auth_hash"), rs.getBoolean("never_synced")), after, limit);
    }

    public List<PendingAuth> pendingAuth(Collection<UUID> ids) {
        return jdbc.query("""
                SELECT id, email, auth_hash, auth_synced_hash IS NULL AS never_synced,
                       jsonb_build_object('first_name', first_name, 'last_name', last_name, 'full_name', full_name,
                                          'employee_information_id', employee_information_id, 'roles', to_jsonb(roles),
                                          'service_company_id', service_company_id)::text AS metadata
                FROM user_profiles WHERE id = ANY (?) AND auth_synced_hash IS DISTINCT FROM auth_hash
                """, ps -> ps.setArray(1, ps.getConnection().createArrayOf("uuid", ids.toArray())),
                (rs, i) -> new PendingAuth(rs.getObject("id", UUID.class), rs.getString("email"), rs.getString("metadata"),
                        rs.getString("auth_hash"), rs.getBoolean("never_synced")));
    }

    /** Records what auth now holds; a profile changed meanwhile keeps its newer auth_hash and stays pending. */
    public void markAuthSynced(List<PendingAuth> done) {
        if (done.isEmpty()) {
            return;
        }
        jdbc.update("""
                UPDATE user_profiles p SET auth_synced_hash = v.h
                FROM unnest(?::uuid[], ?::text[]) AS v(id, h) WHERE p.id = v.id
                """, ps -> {
            ps.setArray(1, uuidArray(ps.getConnection(), done.stream().map(PendingAuth::id).toList()));
            ps.setArray(2, ps.getConnection().createArrayOf("text", done.stream().map(PendingAuth::authHash).toArray()));
        });
    }

    /** An auth user still to be hard-deleted. */
    public record PendingDeletion(UUID id, String email) {
    }

    public List<PendingDeletion> pendingDeletions(UUID after, int limit) {
        return jdbc.query("SELECT user_id, email FROM auth_user_deletions WHERE user_id > ? ORDER BY user_id LIMIT ?",
                (rs, i) -> new PendingDeletion(rs.getObject(1, UUID.class), rs.getString(2)), after, limit);
    }

    /** The queued deletions among these users. */
    public List<PendingDeletion> pendingDeletions(Collection<UUID> ids) {
        return jdbc.query("SELECT user_id, email FROM auth_user_deletions WHERE user_id = ANY (?) ORDER BY user_id",
                ps -> ps.setArray(1, ps.getConnection().createArrayOf("uuid", ids.toArray())),
                (rs, i) -> new PendingDeletion(rs.getObject(1, UUID.class), rs.getString(2)));
    }

    public void markDeleted(List<UUID> ids) {
        if (ids.isEmpty()) {
            return;
        }
        jdbc.update("DELETE FROM auth_user_deletions WHERE user_id = ANY (?)",
                ps -> ps.setArray(1, uuidArray(ps.getConnection(), ids)));
    }

    private static Array uuidArray(Connection c, List<UUID> ids) throws SQLException {
        return c.createArrayOf("uuid", ids.toArray());
    }
}
