package com.altus.hub.schedule;

import java.io.IOException;
import java.io.InputStream;
import java.security.DigestInputStream;
import java.sql.SQLException;
import java.util.Locale;

import com.fasterxml.jackson.core.JsonFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Syncs users.json in one transaction: the file is streamed through the parser straight into a
 * COPY to the staging table, then groups, companies and user_profiles are upserted
 * and diffed in SQL (no round trip per user). Users gone from the file are deleted unless the
 * mass-deletion guard (CONTRACT section 7) holds them back. Auth provisioning is not done here but
 * by {@link AuthReconciler} from the committed profiles, so it survives a crash in between.
 */
@Service
public class UsersFileSync {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(UsersFileSync.class);
    public static final String BLOB_NAME = "users.json";

    private final ScheduleRepository repo;
    private final ScheduleAdapters adapters;
    private final TransactionTemplate tx;
    private final UsersFileReader reader;
    private final double maxDeleteFraction;

    /** What one users.json did; {@code guardReason} is set when deletions were held back. */
    public record Result(long users, long created, long updated, long unchanged, long deleted, long deletionsBlocked,
                         String guardReason) {
    }

    public UsersFileSync(ScheduleRepository repo, ScheduleAdapters adapters, TransactionTemplate tx,
                         @Value("${hub.users.max-delete-fraction:0.25}") double maxDeleteFraction) {
        this.repo = repo;
        this.adapters = adapters;
        this.tx = tx;
        this.reader = new UsersFileReader(new JsonFactory().disable(com.fasterxml.jackson.core.JsonParser.Feature.AUTO_CLOSE_SOURCE));
        this.maxDeleteFraction = maxDeleteFraction;
    }

    /** Syncs users.json from its content stream; {@code etag} is the ETag of exactly that content. */
    public Result sync(BlobContainer.BlobRef blob, InputStream content, String etag) throws Exception {
        boolean authOn = adapters.authDirectory().enabled();
        try {
            return tx.execute(status -> {
                try {
                    return syncInTransaction(blob, content, etag, authOn);
                } catch (Exception e) {
                    throw new TxFailure(e);
                }
            });
        } catch (TxFailure f) {
            throw f.unwrap();
        }
    }

    private Result syncInTransaction(BlobContainer.BlobRef blob, InputStream content, String etag, boolean authOn)
            throws Exception {
        long t0 = System.nanoTime();
        long before = repo.countUsers();
        // first sync: nothing to diff, so the file goes straight into user_profiles
        boolean initialLoad = before == 0;
        UsersFile file;
        long staged;
        String md5;
        try (DigestInputStream in = Md5.wrap(content)) {
            UserCopyWriter copy = new UserCopyWriter(initialLoad ? repo.startInitialUserLoad() : repo.startUserStaging());
            try {
                file = reader.read(in, u -> {
                    try {
                        copy.add(u);
                    } catch (SQLException e) {
                        throw new IOException("COPY of users.json into PostgreSQL failed: " + e.getMessage(), e);
                    }
                });
                md5 = Md5.finish(in);
                staged = copy.finish();
            } catch (Exception e) {
                copy.cancel();
                throw e;
            }
        }
        long tCopied = System.nanoTime();
        repo.upsertGroups(file.groups().values(), md5);
        repo.upsertCompaniesFromUsers(file.companies().values());
        ScheduleRepository.UserMerge merge;
        if (initialLoad) {
            repo.keepLoadedUsersInAuth();
            merge = new ScheduleRepository.UserMerge(staged, 0, 0);
        } else {
            merge = repo.mergeStagedUsers(staged);
        }
        long tMerged = System.nanoTime();
        // ids are unique in the file, so every staged user either matched a profile or was created
        long missing = before - (staged - merge.created());
        String guard = null;
        long deleted = 0;
        long blocked = 0;
        if (staged == 0) {
            blocked = missing;
            guard = "users.json has no users: no one was deleted (" + missing + " existing users kept)";
        } else if (missing > 0 && missing > maxDeleteFraction * before) {
            blocked = missing;
            guard = String.format(Locale.ROOT, "users.json would delete %d of %d users (%.1f%%), more than "
                    + "hub.users.max-delete-fraction=%s: no one was deleted", missing, before, 100.0 * missing / before,
                    maxDeleteFraction);
        } else if (missing > 0) {
            deleted = repo.deleteUsersMissingFromStage(authOn);
        }
        if (!initialLoad) {
            repo.clearUserStaging();
        }
        if (guard == null) {
            repo.saveBlobState(blob.name(), etag, md5);
        }
        log.info("users.json: {} users streamed into PostgreSQL in {} ms ({}), merged in {} ms, deletions done in {} ms",
                staged, (tCopied - t0) / 1_000_000, initialLoad ? "initial load" : "staged", (tMerged - tCopied) / 1_000_000,
                (System.nanoTime() - tMerged) / 1_000_000);
        // with the guard holding, blob_state keeps the old ETag: every run re-checks the file (and stays
        // partial) until a complete users.json replaces it
        return new Result(staged, merge.created(), merge.updated(), merge.unchanged(), deleted, blocked, guard);
    }
}
