package com.altus.hub.doorloop;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.altus.hub.platform.dlq.DeadLetterService;
import com.altus.hub.platform.dlq.StoredDeadLetter;
import com.altus.hub.platform.http.PermanentFailure;
import com.altus.hub.platform.http.Retrier;
import com.altus.hub.platform.http.TransientFailure;
import com.altus.hub.platform.run.RunContext;
import com.altus.hub.platform.run.RunStats;
import com.altus.hub.platform.run.Units;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The steps of the {@code doorloop-resource} route: one DoorLoop resource, page after page. For
 * each page: wait for the rate limiter and prepare the request ({@link #acquire}), the http
 * component sends it, {@link #response} judges the answer (the envelope of a 200; 429, 408, 5xx
 * and transport failures such as a read timeout are retried after Retry-After or an exponential
 * backoff, through the pacer; a 401 stops the run's later resources; other statuses are
 * permanent), and {@link #store} lands the page in the raw table. {@link #finish} marks records
 * missing from a complete snapshot deleted and closes the letters the pull has made obsolete.
 * With no token, {@link #readRecorded} reads the recorded page instead of the request.
 */
@Component
public class DoorLoopResourceSteps {
    private static final Logger log = LoggerFactory.getLogger(DoorLoopResourceSteps.class);
    private static final int MAX_ERROR_BODY = 2000;

    private final DoorLoopApi api;
    private final DoorLoopRawStore store;
    private final DeadLetterService deadLetters;
    private final ObjectMapper json;
    private final double maxDeleteFraction;
    private final long deleteGuardMinimum;

    public DoorLoopResourceSteps(DoorLoopApi api, DoorLoopRawStore store, DeadLetterService deadLetters, ObjectMapper json,
                                 @Value("${hub.doorloop.max-delete-fraction:0.5}") double maxDeleteFraction,
                                 @Value("${hub.doorloop.delete-guard-minimum:10}") long deleteGuardMinimum) {
        this.api = api;
        this.store = store;
        this.deadLetters = deadLetters;
        this.json = json;
        this.maxDeleteFraction = maxDeleteFraction;
        this.deleteGuardMinimum = deleteGuardMinimum;
    }

    /** Reads the unit (a run's or a replayed letter's), names it for its dead letter, starts the pull. */
    public void begin(Exchange ex) {
        ResourceUnit unit = Units.body(ex, ResourceUnit.class);
        DoorLoopResource resource = DoorLoopResource.byName(unit.resource()).orElseThrow(() ->
                new IllegalArgumentException("no DoorLoop resource is named '" + unit.resource() + "'"));
        Units.entity(ex, DoorLoopSyncRoutes.RESOURCE_ENTITY, resource.path());
        SyncState sync = SyncState.of(ex);
        if (sync != null && sync.rejected() != null) {
            // the requests would be refused as well: the letter lets a replay pull it once the token is fixed
            throw new PermanentFailure("not pulled: " + sync.rejected().getMessage(), 401, null);
        }
        ex.setProperty(PullState.PROPERTY, new PullState(resource, new ResourcePull(resource, json), api.endpoint(resource)));
    }

    /** Loop condition: another page is needed. */
    public boolean morePages(Exchange ex) {
        return PullState.of(ex).pull.more();
    }

    /** First step of a page: stop if the run is cancelled, else move to the next page number. */
    public void nextPage(Exchange ex) throws InterruptedException {
        RunContext.of(ex).checkNotCancelled();
        PullState st = PullState.of(ex);
        st.pull.nextPage();
        st.startPage();
    }

    /** Loop condition of the attempts: the page has not been fetched yet. */
    public boolean needsAttempt(Exchange ex) {
        return PullState.of(ex).page == null;
    }

    /** Waits for the rate limiter, counts the request and prepares the message the http endpoint sends. */
    public void acquire(Exchange ex) throws InterruptedException {
        PullState st = PullState.of(ex);
        RunStats stats = RunContext.of(ex).stats();
        long waited = api.limiter().acquire().toMillis();
        stats.add("rate_limit_wait_ms", waited);
        st.pageWaitedMillis += waited;
        st.attempt++;
        stats.increment("requests");
        st.transportFailure = null;
        Message msg = ex.getMessage();
        // nothing of the exchange becomes a request header; the client adds the token itself
        msg.removeHeaders("*");
        msg.setBody(null);
        msg.setHeader(Exchange.HTTP_PATH, st.resource.path());
        msg.setHeader(Exchange.HTTP_QUERY, api.query(st.pull.page()));
        st.requestStartNanos = System.nanoTime();
    }

    /** The request failed in transport (a timeout, a dropped connection): {@link #response} retries it. */
    public void transportFailed(Exchange ex) {
        PullState st = PullState.of(ex);
        st.transportFailure = ex.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        ex.removeProperty(Exchange.EXCEPTION_CAUGHT);
        ex.getMessage().removeHeaders("*");
        ex.getMessage().setBody(null);
    }

    /**
     * Judges the answer: a 200 with the envelope is the page; 429, 408, 5xx and transport failures
     * wait (Retry-After, else backoff) and ask for another attempt, until the policy's attempts are
     * used up; a 401 throws and stops the run's later resources; other answers are permanent.
     */
    public void response(Exchange ex) throws Exception {
        PullState st = PullState.of(ex);
        RunContext ctx = RunContext.of(ex);
        ctx.stats().add("fetch_ms", (System.nanoTime() - st.requestStartNanos) / 1_000_000);
        String what = st.what();
        Message msg = ex.getMessage();
        TransientFailure failure;
        if (st.transportFailure != null) {
            Throwable t = st.transportFailure;
            st.transportFailure = null;
            failure = new TransientFailure(what + " failed: " + t.getClass().getSimpleName()
                    + (t.getMessage() == null ? "" : " (" + t.getMessage() + ")"), 0, null, t);
        } else {
            int status = msg.getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
            if (status == 200) {
                JsonNode body;
                try (InputStream in = msg.getBody(InputStream.class)) {
                    body = in == null ? null : json.readTree(in);
                }
                clear(msg);
                st.page = DoorLoopPage.of(what, body);
                return;
            }
            String errorBody = errorBody(msg);
            Duration retryAfter = Retrier.parseRetryAfter(msg.getHeader("Retry-After", String.class));
            clear(msg);
            String answered = what + " answered HTTP " + status;
            if (status == 401) {
                PermanentFailure rejected = new PermanentFailure(answered + ": DoorLoop rejected the API token"
                        + " (check DOORLOOP_API_TOKEN)", status, errorBody);
                SyncState sync = SyncState.of(ex);
                if (sync != null) {
                    sync.rejected(rejected);
                }
                throw rejected;
            }
            String detail = errorBody.isEmpty() ? "" : ": " + (errorBody.length() > 500 ? errorBody.substring(0, 500) + "..." : errorBody);
            if (status != 429 && status != 408 && status < 500) {
                // a 4xx, a redirect or another 2xx is not the page; retrying would not change it
                throw new PermanentFailure(answered + (status < 400 ? " instead of 200" : "") + detail, status, errorBody);
            }
            failure = new TransientFailure(answered + detail, status, retryAfter);
        }
        DoorLoopRetryPolicy policy = api.retry();
        if (st.attempt >= policy.maxAttempts()) {
            throw new RetriesExhaustedException(failure, st.attempt);
        }
        Duration wait = policy.delay(st.attempt, failure.retryAfter().orElse(null));
        log.info("{}; retry {}/{} in {} ms", failure.getMessage(), st.attempt, policy.maxAttempts() - 1,
                wait.toMillis());
        ctx.stats().increment("retries");
        st.pageRetries++;
        api.pacer().sleep(wait);
    }

    /** With no token: the recorded page takes the place of the request. */
    public void readRecorded(Exchange ex) throws Exception {
        PullState st = PullState.of(ex);
        RunStats stats = RunContext.of(ex).stats();
        long t0 = System.nanoTime();
        stats.increment("requests");
        try {
            st.page = api.fixtures().fetch(st.resource, st.pull.page());
        } finally {
            stats.add("fetch_ms", (System.nanoTime() - t0) / 1_000_000);
        }
    }

    /** Stores the fetched page (one transaction); its unstorable records become dead letters of {@code doorloop-record}. */
    public void store(Exchange ex) throws Exception {
        PullState st = PullState.of(ex);
        RunContext ctx = RunContext.of(ex);
        RunStats stats = ctx.stats();
        RawTable table = st.resource.table();
        ResourcePull.PageRecords page = st.records;
        if (page == null) {
            page = st.pull.accept(st.page);
            st.records = page;
            for (ResourcePull.BadRecord bad : page.bad()) {
                ctx.deadLetter(DoorLoopSyncRoutes.RECORD_ROUTE, table.entity(), bad.key(), recordPayload(st.resource, bad.payload()),
                        bad.problem(), null);
            }
        }
        if (page.fetched() == 0) {
            ctx.progress("{} page {}: no records (total {})", st.resource.path(), st.pull.page(), st.pull.total());
            st.page = null;
            st.records = null;
            return;
        }
        long t0 = System.nanoTime();
        DoorLoopRawStore.Stored stored = store.store(st.resource, st.endpoint, page.records());
        stats.add("store_ms", (System.nanoTime() - t0) / 1_000_000);
        count(stats, table, page.fetched(), page.bad().size(), stored.records());
        if (stored.workOrders() != null) {
            count(stats, RawTable.WORK_ORDERS, page.workOrders(), 0, stored.workOrders());
        }
        ctx.progress("{} page {}/{}: {} records, {} new, {} changed, {} unchanged{}{}{}", st.resource.path(), st.pull.page(),
                st.pull.expectedPages(), page.fetched(), stored.records().inserted(), stored.records().updated(),
                stored.records().unchanged(), page.bad().isEmpty() ? "" : ", " + page.bad().size() + " unstorable (dead-lettered)",
                st.pageRetries > 0 ? ", " + st.pageRetries + " retries" : "",
                st.pageWaitedMillis >= 1000 ? ", waited " + st.pageWaitedMillis / 1000 + " s for the rate limit" : "");
        st.page = null;
        st.records = null;
    }

    /**
     * After the last page: a complete snapshot marks the live rows it did not contain deleted (within
     * the delete guard); the resource's letter and the letters of records the source no longer serves
     * unstorable are closed; the run learns the resource was pulled.
     */
    public void finish(Exchange ex) throws Exception {
        PullState st = PullState.of(ex);
        RunContext ctx = RunContext.of(ex);
        ResourcePull pull = st.pull;
        String incomplete = pull.incompleteReason();
        if (incomplete == null) {
            deleteMissing(ctx, st.resource, st.resource.table(), pull.seen());
            if (st.resource.carriesWorkOrders()) {
                deleteMissing(ctx, st.resource, RawTable.WORK_ORDERS, pull.workOrdersSeen());
            }
            ctx.progress("{} done: {} pages, {} records, complete snapshot", st.resource.path(), pull.page(), pull.records());
        } else {
            ctx.progress("{} done: {} pages, {} records; snapshot incomplete ({}), so no record is marked deleted",
                    st.resource.path(), pull.page(), pull.records(), incomplete);
        }
        deadLetters.resolve(DoorLoopSyncRoutes.NAME, DoorLoopSyncRoutes.RESOURCE_ENTITY, List.of(st.resource.path()));
        resolveStaleRecordLetters(st.resource.table(), pull.badKeys());
        SyncState sync = SyncState.of(ex);
        if (sync != null) {
            sync.pulled(st.resource);
        }
        ex.removeProperty(PullState.PROPERTY);
    }

    private void deleteMissing(RunContext ctx, DoorLoopResource resource, RawTable table, Set<String> seen) throws Exception {
        DoorLoopRawStore.Deletion d = store.markMissingDeleted(table, seen, maxDeleteFraction, deleteGuardMinimum);
        if (d.applied()) {
            ctx.stats().add(table.entity(), "deleted", d.missing());
        } else {
            String reason = table.entity() + ": " + d.missing() + " of " + d.live() + " records are missing from the "
                    + resource.path() + " snapshot, more than hub.doorloop.max-delete-fraction=" + maxDeleteFraction
                    + " allows; none marked deleted";
            ctx.progress("{}", reason);
            ctx.partial(reason);
        }
    }

    /** Closes the open record letters of an entity that the source no longer serves unstorable. */
    private void resolveStaleRecordLetters(RawTable entity, Set<String> stillBad) {
        List<String> stale = new ArrayList<>();
        for (String status : List.of("pending", "parked")) {
            for (StoredDeadLetter l : deadLetters.list(status, DoorLoopSyncRoutes.NAME, 10_000)) {
                if (l.entityType().equals(entity.entity()) && !stillBad.contains(l.entityKey())) {
                    stale.add(l.entityKey());
                }
            }
        }
        deadLetters.resolve(DoorLoopSyncRoutes.NAME, entity.entity(), stale);
    }

    /** The payload of a record's dead letter: what {@code direct:doorloop-record} accepts to store it. */
    static Map<String, Object> recordPayload(DoorLoopResource resource, JsonNode record) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("resource", resource.path());
        p.put("record", record);
        return p;
    }

    private static void count(RunStats stats, RawTable table, long fetched, long failed, DoorLoopRawStore.Counts c) {
        RunStats g = stats.group(table.entity());
        g.add("fetched", fetched);
        g.add("inserted", c.inserted());
        g.add("updated", c.updated());
        g.add("unchanged", c.unchanged());
        g.add("failed", failed);
    }

    private static String errorBody(Message msg) throws java.io.IOException {
        try (InputStream in = msg.getBody(InputStream.class)) {
            return in == null ? "" : new String(in.readNBytes(MAX_ERROR_BODY), StandardCharsets.UTF_8);
        }
    }

    private static void clear(Message msg) {
        msg.removeHeaders("*");
        msg.setBody(null);
    }
}
