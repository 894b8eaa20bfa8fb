package com.altus.hub.doorloop;

import java.util.List;

import com.altus.hub.platform.dlq.DeadLetter;
import com.altus.hub.platform.dlq.DeadLetterReplayer;
import com.altus.hub.platform.dlq.DeadLetterService;
import com.altus.hub.platform.dlq.StoredDeadLetter;
import com.altus.hub.platform.run.RunStats;
import com.fasterxml.jackson.databind.JsonNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Replays {@code doorloop-sync} dead letters. A {@code resource} letter pulls that resource
 * again, whole (a replay succeeds only when every page is fetched and stored). A record letter
 * (entity type = raw entity, e.g. {@code units}) stores its payload if it has become storable
 * (an operator corrected it), and otherwise still fails with the reason.
 */
@Component
public class DoorLoopReplayer implements DeadLetterReplayer {
    private static final Logger log = LoggerFactory.getLogger(DoorLoopReplayer.class);

    private final DoorLoopSources sources;
    private final DoorLoopResourcePull pull;
    private final DoorLoopRawStore store;
    private final DeadLetterService deadLetters;

    public DoorLoopReplayer(DoorLoopSources sources, DoorLoopResourcePull pull, DoorLoopRawStore store,
                            DeadLetterService deadLetters) {
        this.sources = sources;
        this.pull = pull;
        this.store = store;
        this.deadLetters = deadLetters;
    }

    @Override
    public String flow() {
        return DoorLoopSyncFlow.NAME;
    }

    @Override
    public boolean handles(String entityType) {
        return DoorLoopSyncFlow.RESOURCE.equals(entityType) || rawEntity(entityType) != null;
    }

    @Override
    public void replay(StoredDeadLetter letter) throws Exception {
        if (DoorLoopSyncFlow.RESOURCE.equals(letter.entityType())) {
            DoorLoopResource resource = DoorLoopResource.byName(letter.entityKey()).orElseThrow(() ->
                    new IllegalArgumentException("dead letter " + letter.id() + " names no DoorLoop resource: " + letter.entityKey()));
            DoorLoopResourcePull.Outcome outcome = pull.pull(sources.source(), sources.endpoint(resource), resource,
                    new LogListener(letter));
            log.info("replayed dead letter {}: pulled {} again ({} pages, {} records{})", letter.id(), resource.path(),
                    outcome.pages(), outcome.records(), outcome.complete() ? ", complete snapshot" : "");
            return;
        }
        RawTable entity = rawEntity(letter.entityType());
        DoorLoopResource resource = resourceOf(entity);
        DoorLoopRawStore.RawRecord record = pull.toRecord(resource, letter.payload());
        DoorLoopRawStore.Stored stored = store.store(resource, sources.endpoint(resource) + " (replayed dead letter "
                + letter.id() + ")", List.of(record));
        log.info("replayed dead letter {}: {} {} stored ({} new, {} changed)", letter.id(), entity.entity(), record.id(),
                stored.records().inserted(), stored.records().updated());
    }

    private static RawTable rawEntity(String entityType) {
        for (RawTable t : RawTable.values()) {
            if (t != RawTable.WORK_ORDERS && t.entity().equals(entityType)) {
                return t;
            }
        }
        return null;
    }

    private static DoorLoopResource resourceOf(RawTable table) {
        for (DoorLoopResource r : DoorLoopResource.values()) {
            if (r.table() == table) {
                return r;
            }
        }
        throw new IllegalArgumentException("no DoorLoop resource lands in " + table.table());
    }

    /** Reports a replayed pull to the log; its unstorable records become dead letters of their own. */
    private final class LogListener implements PullListener {
        private final StoredDeadLetter letter;
        private final RunStats stats = new RunStats();

        LogListener(StoredDeadLetter letter) {
            this.letter = letter;
        }

        @Override
        public RunStats stats() {
            return stats;
        }

        @Override
        public void progress(String format, Object... args) {
            if (log.isInfoEnabled()) {
                log.info("[dead letter {}] {}", letter.id(), org.slf4j.helpers.MessageFormatter.arrayFormat(format, args).getMessage());
            }
        }

        @Override
        public void badRecord(RawTable entity, String key, JsonNode payload, String reason) {
            deadLetters.record(DeadLetter.of(DoorLoopSyncFlow.NAME, entity.entity(), key, payload, reason, null));
        }

        @Override
        public void partial(String reason) {
            log.warn("[dead letter {}] {}", letter.id(), reason);
        }

        @Override
        public void checkNotCancelled() throws InterruptedException {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException("replay of dead letter " + letter.id() + " interrupted");
            }
        }
    }
}
