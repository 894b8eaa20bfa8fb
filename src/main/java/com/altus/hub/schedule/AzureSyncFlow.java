package com.altus.hub.schedule;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import com.altus.hub.platform.dlq.DeadLetterService;
import com.altus.hub.platform.run.Flow;
import com.altus.hub.platform.run.RunContext;
import com.altus.hub.platform.run.RunStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The {@code azure-sync} flow (CONTRACT section 7): lists the blob source, skips every blob whose
 * ETag matches {@code blob_state} without downloading it, syncs the schedule files and then
 * users.json (one transaction per blob), then brings Supabase Auth in line with the profiles.
 * A bad blob is dead-lettered and the others go on (run partial); a 403 from Azure (expired SAS)
 * fails the run at once.
 */
@Component
public class AzureSyncFlow implements Flow {
    public static final String NAME = "azure-sync";
    static final String ENTITY_BLOB = "blob";
    private static final Logger log = LoggerFactory.getLogger(AzureSyncFlow.class);

    private final ScheduleAdapters adapters;
    private final ScheduleRepository repo;
    private final ScheduleFileSync schedules;
    private final UsersFileSync users;
    private final AuthReconciler auth;
    private final DeadLetterService deadLetters;

    public AzureSyncFlow(ScheduleAdapters adapters, ScheduleRepository repo, ScheduleFileSync schedules, UsersFileSync users,
                         AuthReconciler auth, DeadLetterService deadLetters) {
        this.adapters = adapters;
        this.repo = repo;
        this.schedules = schedules;
        this.users = users;
        this.auth = auth;
        this.deadLetters = deadLetters;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void run(RunContext ctx) throws Exception {
        RunStats stats = ctx.stats();
        stats.declare("blobs_listed", "blobs_skipped_unchanged", "blobs_processed", "blobs_failed", "blobs_ignored",
                "blobs_downloaded", "schedule_days_written", "schedule_days_unchanged", "users_created", "users_updated",
                "users_deleted", "users_unchanged", "deletions_blocked", "auth_created", "auth_updated", "auth_deleted",
                "auth_failed");
        BlobSource source = adapters.blobSource();
        stats.set("source", source.describe());
        List<BlobSource.BlobRef> listed = source.list();
        stats.add("blobs_listed", listed.size());

        List<BlobSource.BlobRef> work = new ArrayList<>();
        for (BlobSource.BlobRef b : listed) {
            if (kind(b.name()) == Kind.IGNORED) {
                stats.increment("blobs_ignored");
            } else {
                work.add(b);
            }
        }
        // schedule files first, in company order, then users.json: a user's company then usually exists
        work.sort(Comparator.comparing((BlobSource.BlobRef b) -> kind(b.name()) == Kind.USERS)
                .thenComparingLong(b -> companyId(b.name())));
        Map<String, String> known = repo.etags(work.stream().map(BlobSource.BlobRef::name).toList());
        List<String> synced = new ArrayList<>();
        for (BlobSource.BlobRef blob : work) {
            ctx.checkNotCancelled();
            if (blob.etag() != null && Objects.equals(blob.etag(), known.get(blob.name()))) {
                stats.increment("blobs_skipped_unchanged");
                continue;
            }
            if (syncBlob(ctx, blob)) {
                synced.add(blob.name());
            }
            ctx.progressEvery(java.time.Duration.ofSeconds(10), "{} blobs of {} done", synced.size(), work.size());
        }
        deadLetters.resolve(NAME, ENTITY_BLOB, synced);
        auth.reconcile(ctx);
    }

    /** Syncs one changed blob; answers whether it succeeded (a failure is dead-lettered here). */
    private boolean syncBlob(RunContext ctx, BlobSource.BlobRef blob) throws Exception {
        RunStats stats = ctx.stats();
        try {
            if (kind(blob.name()) == Kind.USERS) {
                UsersFileSync.Result r = users.sync(blob, () -> stats.increment("blobs_downloaded"));
                stats.add("users_created", r.created());
                stats.add("users_updated", r.updated());
                stats.add("users_unchanged", r.unchanged());
                stats.add("users_deleted", r.deleted());
                stats.add("deletions_blocked", r.deletionsBlocked());
                if (r.guardReason() != null) {
                    ctx.partial(r.guardReason());
                }
            } else {
                schedules.sync(blob, stats);
            }
            stats.increment("blobs_processed");
            return true;
        } catch (BlobAccessDeniedException | InterruptedException fatal) {
            throw fatal;
        } catch (BadBlobException e) {
            stats.increment("blobs_failed");
            ctx.deadLetter(ENTITY_BLOB, blob.name(), payload(blob, e.getMessage()), blob.name() + ": " + e.getMessage(), null);
            return false;
        } catch (Exception e) {
            stats.increment("blobs_failed");
            log.warn("azure-sync: blob {} failed: {}", blob.name(), e.toString());
            ctx.deadLetter(ENTITY_BLOB, blob.name(), payload(blob, e.getMessage()), blob.name() + " could not be synced", e);
            return false;
        }
    }

    /** What the letter keeps: enough to find the blob again (the content itself may be 25 MB). */
    static Map<String, Object> payload(BlobSource.BlobRef blob, String reason) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("blob_name", blob.name());
        p.put("etag", blob.etag());
        p.put("size", blob.size());
        p.put("reason", reason);
        return p;
    }

    enum Kind { SCHEDULE, USERS, IGNORED }

    static Kind kind(String name) {
        if (UsersFileSync.BLOB_NAME.equals(name)) {
            return Kind.USERS;
        }
        return ScheduleFileParser.SCHEDULE_BLOB.matcher(name).matches() ? Kind.SCHEDULE : Kind.IGNORED;
    }

    private static long companyId(String name) {
        var m = ScheduleFileParser.SCHEDULE_BLOB.matcher(name);
        return m.matches() ? Long.parseLong(m.group(1)) : Long.MAX_VALUE;
    }
}
