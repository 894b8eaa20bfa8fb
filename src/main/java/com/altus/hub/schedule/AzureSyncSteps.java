package com.altus.hub.schedule;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import com.altus.hub.platform.dlq.DeadLetterService;
import com.altus.hub.platform.run.FlowAbortedException;
import com.altus.hub.platform.run.RunContext;
import com.altus.hub.platform.run.RunStats;
import com.altus.hub.platform.run.Units;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/**
 * The steps of the azure-sync routes ({@link AzureSyncRoutes}), one method each: declare the stats,
 * plan (ignored names out, unchanged ETags skipped, schedule files first in company order, then
 * users.json), name a blob unit, sync the downloaded blob, count what failed. The parsing, day
 * split, COPY and set-based SQL stay in {@link ScheduleFileSync} and {@link UsersFileSync}.
 */
@Component("azureSyncSteps")
public class AzureSyncSteps {
    static final String ENTITY_BLOB = "blob";
    /** Exchange property of a blob unit: its {@link BlobContainer.BlobRef}. */
    static final String BLOB = "HubAzureSyncBlob";
    /** Exchange property of a run: how many changed blobs went to the split. */
    static final String CHANGED = "HubAzureSyncChanged";
    static final String[] STATS = {"blobs_listed", "blobs_skipped_unchanged", "blobs_processed", "blobs_failed",
        "blobs_ignored", "blobs_downloaded", "schedule_days_written", "schedule_days_unchanged", "users_created",
        "users_updated", "users_deleted", "users_unchanged", "deletions_blocked", "auth_created", "auth_updated",
        "auth_deleted", "auth_failed"};

    private final BlobContainers containers;
    private final ScheduleRepository repo;
    private final ScheduleFileSync schedules;
    private final UsersFileSync users;
    private final DeadLetterService deadLetters;

    public AzureSyncSteps(BlobContainers containers, ScheduleRepository repo, ScheduleFileSync schedules, UsersFileSync users,
                          DeadLetterService deadLetters) {
        this.containers = containers;
        this.repo = repo;
        this.schedules = schedules;
        this.users = users;
        this.deadLetters = deadLetters;
    }

    /** First step of a run: every stat of CONTRACT section 7 is reported, zeros included. */
    public void begin(Exchange exchange) {
        RunStats stats = RunContext.of(exchange).stats();
        stats.declare(STATS);
        stats.set("source", containers.source().describe());
    }

    /**
     * The listing ({@code List<ListedBlob>}) becomes the blobs to sync: other names are counted and
     * left out, a blob whose ETag equals {@code blob_state.etag} is skipped without a download.
     */
    public List<BlobContainer.BlobRef> plan(Exchange exchange, List<BlobContainer.ListedBlob> listed) {
        RunStats stats = RunContext.of(exchange).stats();
        stats.add("blobs_listed", listed.size());
        List<BlobContainer.BlobRef> work = new ArrayList<>();
        for (BlobContainer.ListedBlob b : listed) {
            if (kind(b.name()) == Kind.IGNORED) {
                stats.increment("blobs_ignored");
            } else {
                work.add(b.ref());
            }
        }
        // schedule files first, in company order, then users.json: a user's company then usually exists
        work.sort(Comparator.comparing((BlobContainer.BlobRef b) -> kind(b.name()) == Kind.USERS)
                .thenComparingLong(b -> companyId(b.name())));
        Map<String, String> known = repo.etags(work.stream().map(BlobContainer.BlobRef::name).toList());
        List<BlobContainer.BlobRef> changed = new ArrayList<>();
        for (BlobContainer.BlobRef b : work) {
            if (b.etag() != null && Objects.equals(b.etag(), known.get(b.name()))) {
                stats.increment("blobs_skipped_unchanged");
            } else {
                changed.add(b);
            }
        }
        exchange.setProperty(CHANGED, changed.size());
        return changed;
    }

    /** First step of a blob unit: its body (the BlobRef, or its JSON in a replay) names the blob to download. */
    public void blob(Exchange exchange) {
        BlobContainer.BlobRef ref = Units.body(exchange, BlobContainer.BlobRef.class);
        if (ref.name() == null || ref.name().isBlank()) {
            throw new IllegalArgumentException("an azure-sync-blob message names no blob");
        }
        Units.entity(exchange, ENTITY_BLOB, ref.name());
        exchange.setProperty(BLOB, ref);
        exchange.getMessage().setHeader(BlobContainer.BLOB_NAME, ref.name());
    }

    /**
     * Syncs the downloaded blob (the body is its content stream) in one transaction, then closes its
     * open dead letter. A read that breaks off midway is not redelivered (this step alone would get
     * the half-read stream again): it is dead-lettered and the blob, still at its old ETag in
     * blob_state, is read again by the next run. An Error ends the run at once.
     */
    public void sync(Exchange exchange) throws Exception {
        BlobContainer.BlobRef ref = exchange.getProperty(BLOB, BlobContainer.BlobRef.class);
        RunContext ctx = RunContext.of(exchange);
        RunStats stats = ctx.stats();
        InputStream content = exchange.getMessage().getMandatoryBody(InputStream.class);
        String etag = BlobContainer.normalizeEtag(exchange.getMessage().getHeader(BlobContainer.ETAG, String.class));
        if (etag == null) {
            etag = ref.etag();
        }
        stats.increment("blobs_downloaded");
        try (content) {
            if (kind(ref.name()) == Kind.USERS) {
                UsersFileSync.Result r = users.sync(ref, content, etag);
                stats.add("users_created", r.created());
                stats.add("users_updated", r.updated());
                stats.add("users_unchanged", r.unchanged());
                stats.add("users_deleted", r.deleted());
                stats.add("deletions_blocked", r.deletionsBlocked());
                if (r.guardReason() != null) {
                    if (ctx.detached()) {
                        // a replay that deletes no one has not done its work: the letter stays open
                        throw new IllegalStateException(r.guardReason());
                    }
                    ctx.partial(r.guardReason());
                }
            } else if (kind(ref.name()) == Kind.SCHEDULE) {
                schedules.sync(ref, content, etag, stats);
            } else {
                throw new IllegalArgumentException(ref.name() + " is neither a schedule file nor users.json");
            }
        } catch (Error fatal) {
            // the process is dying (out of memory, a crash): end the run here, through Camel, instead of
            // unwinding past its routing (that leaves the split's queued units to run after the run ended)
            throw new FlowAbortedException("azure-sync stopped while syncing " + ref.name() + ": " + fatal, fatal);
        } catch (IOException e) {
            BlobReadException broken = new BlobReadException("reading blob " + ref.name() + " failed midway (" + e
                    + "); blob_state keeps its old ETag, so the next run reads it again");
            broken.addSuppressed(e);
            throw broken;
        }
        stats.increment("blobs_processed");
        deadLetters.resolve(ctx.flow(), ENTITY_BLOB, List.of(ref.name()));
    }

    /** After the split: the changed blobs that did not sync were dead-lettered; auth is next. */
    public AuthWork blobsDone(Exchange exchange) {
        RunStats stats = RunContext.of(exchange).stats();
        int changed = exchange.getProperty(CHANGED, 0, Integer.class);
        stats.add("blobs_failed", Math.max(0, changed - stats.get("blobs_processed")));
        return AuthWork.everyone();
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

    /**
     * A blob's content stopped or broke off while it was read. Not an IOException, on purpose: the
     * dead-letter channel would redeliver just the sync step, on a stream already half read.
     */
    static final class BlobReadException extends RuntimeException {
        BlobReadException(String message) {
            super(message);
        }
    }
}
