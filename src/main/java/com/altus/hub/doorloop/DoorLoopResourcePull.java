package com.altus.hub.doorloop;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import com.altus.hub.platform.run.RunStats;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Pulls one DoorLoop resource into its raw table: page after page until the records seen
 * reach the page's {@code total} (the fewest requests the API allows), each page stored as it
 * arrives. When the snapshot is complete (every page fetched, the total stable, every record
 * storable, as many distinct ids as the total) the live rows it did not contain get
 * {@code deleted_at}; otherwise nothing is marked deleted and the log says why.
 */
@Component
public class DoorLoopResourcePull {

    /**
     * What a pull did. {@code incompleteReason} is null when the snapshot was complete;
     * {@code badKeys} are the dead-letter keys of the records that could not be stored.
     */
    public record Outcome(int pages, long records, String incompleteReason, Set<String> badKeys) {
        public boolean complete() {
            return incompleteReason == null;
        }
    }

    /** Keys of a raw entity's stats group. */
    public static final String[] ENTITY_STATS = {"fetched", "inserted", "updated", "unchanged", "deleted", "failed"};

    private final DoorLoopRawStore store;
    private final ObjectMapper json;
    private final double maxDeleteFraction;
    private final long deleteGuardMinimum;

    public DoorLoopResourcePull(DoorLoopRawStore store, ObjectMapper json,
                                @Value("${hub.doorloop.max-delete-fraction:0.5}") double maxDeleteFraction,
                                @Value("${hub.doorloop.delete-guard-minimum:10}") long deleteGuardMinimum) {
        this.store = store;
        this.json = json;
        this.maxDeleteFraction = maxDeleteFraction;
        this.deleteGuardMinimum = deleteGuardMinimum;
    }

    /** Pulls the resource; throws when a page cannot be fetched or stored (pages already stored stay). */
    public Outcome pull(DoorLoopSource source, String endpoint, DoorLoopResource resource, PullListener listener)
            throws Exception {
        RunStats stats = listener.stats();
        RawTable table = resource.table();
        Set<String> seen = new HashSet<>();
        Set<String> workOrdersSeen = new HashSet<>();
        Set<String> badKeys = new HashSet<>();
        long firstTotal = -1;
        long total = -1;
        boolean totalChanged = false;
        long onPages = 0;
        int expectedPages = 1;
        int page = 0;
        while (true) {
            listener.checkNotCancelled();
            page++;
            if (page > 2 * expectedPages + 10) {
                // a server that ignores page_number or keeps growing its total would page forever
                throw new IllegalStateException(resource.path() + ": still no end after " + (page - 1) + " pages for a total of "
                        + total + "; stopped");
            }
            long fetchStart = System.nanoTime();
            PageMeter meter = new PageMeter(stats);
            DoorLoopSource.Page p;
            try {
                p = source.fetch(resource, page, meter);
            } finally {
                stats.add("fetch_ms", (System.nanoTime() - fetchStart) / 1_000_000);
            }
            if (firstTotal < 0) {
                firstTotal = p.total();
                expectedPages = p.data().isEmpty() ? 1 : (int) Math.max(1, (p.total() + p.data().size() - 1) / p.data().size());
            } else if (p.total() != total) {
                totalChanged = true;
            }
            total = p.total();
            if (p.data().isEmpty()) {
                listener.progress("{} page {}: no records (total {})", resource.path(), page, total);
                break;
            }
            Map<String, DoorLoopRawStore.RawRecord> records = new LinkedHashMap<>(p.data().size() * 2);
            int bad = 0;
            int workOrders = 0;
            for (JsonNode node : p.data()) {
                String text = json.writeValueAsString(node);
                String problem = problem(node, text);
                if (problem != null) {
                    bad++;
                    String key = node.path("id").isTextual() && !node.path("id").asText().isBlank()
                            ? node.get("id").asText() : "sha256:" + sha256(text).substring(0, 24);
                    badKeys.add(key);
                    listener.badRecord(table, key, node, resource.path() + " page " + page + ": " + problem);
                    continue;
                }
                String id = node.get("id").asText();
                boolean workOrder = isWorkOrder(resource, node);
                records.put(id, new DoorLoopRawStore.RawRecord(id, text, workOrder));
                seen.add(id);
                if (workOrder) {
                    workOrdersSeen.add(id);
                    workOrders++;
                }
            }
            long storeStart = System.nanoTime();
            DoorLoopRawStore.Stored stored = store.store(resource, endpoint, records.values());
            stats.add("store_ms", (System.nanoTime() - storeStart) / 1_000_000);
            count(stats, table, p.data().size(), bad, stored.records());
            if (stored.workOrders() != null) {
                count(stats, RawTable.WORK_ORDERS, workOrders, 0, stored.workOrders());
            }
            listener.progress("{} page {}/{}: {} records, {} new, {} changed, {} unchanged{}{}{}", resource.path(), page,
                    expectedPages, p.data().size(), stored.records().inserted(), stored.records().updated(),
                    stored.records().unchanged(), bad > 0 ? ", " + bad + " unstorable (dead-lettered)" : "",
                    meter.retries > 0 ? ", " + meter.retries + " retries" : "",
                    meter.waitedMillis >= 1000 ? ", waited " + meter.waitedMillis / 1000 + " s for the rate limit" : "");
            onPages += p.data().size();
            if (onPages >= total) {
                break;
            }
        }

        String incomplete = null;
        if (totalChanged) {
            incomplete = "the total changed during the pull (" + firstTotal + " -> " + total + ")";
        } else if (!badKeys.isEmpty()) {
            incomplete = badKeys.size() + " records could not be stored";
        } else if (seen.size() != total) {
            incomplete = seen.size() + " distinct ids for a total of " + total;
        }
        if (incomplete == null) {
            deleteMissing(resource, table, seen, stats, listener);
            if (resource.carriesWorkOrders()) {
                deleteMissing(resource, RawTable.WORK_ORDERS, workOrdersSeen, stats, listener);
            }
            listener.progress("{} done: {} pages, {} records, complete snapshot", resource.path(), page, onPages);
        } else {
            listener.progress("{} done: {} pages, {} records; snapshot incomplete ({}), so no record is marked deleted",
                    resource.path(), page, onPages, incomplete);
        }
        return new Outcome(page, onPages, incomplete, Set.copyOf(badKeys));
    }

    private void deleteMissing(DoorLoopResource resource, RawTable table, Set<String> seen, RunStats stats,
                               PullListener listener) throws Exception {
        DoorLoopRawStore.Deletion d = store.markMissingDeleted(table, seen, maxDeleteFraction, deleteGuardMinimum);
        if (d.applied()) {
            stats.add(table.entity(), "deleted", d.missing());
        } else {
            listener.partial(table.entity() + ": " + d.missing() + " of " + d.live() + " records are missing from the "
                    + resource.path() + " snapshot, more than hub.doorloop.max-delete-fraction=" + maxDeleteFraction
                    + " allows; none marked deleted");
        }
    }

    /** Counts a page's requests into the run's stats as they happen, and keeps the page's own numbers for its log line. */
    private static final class PageMeter implements DoorLoopSource.Meter {
        private final RunStats stats;
        int retries;
        long waitedMillis;

        PageMeter(RunStats stats) {
            this.stats = stats;
        }

        @Override
        public void requestSent() {
            stats.increment("requests");
        }

        @Override
        public void retried() {
            retries++;
            stats.increment("retries");
        }

        @Override
        public void waitedForRateLimit(long millis) {
            waitedMillis += millis;
            stats.add("rate_limit_wait_ms", millis);
        }
    }

    private static void count(RunStats stats, RawTable table, long fetched, long failed, DoorLoopRawStore.Counts c) {
        RunStats g = stats.group(table.entity());
        g.add("fetched", fetched);
        g.add("inserted", c.inserted());
        g.add("updated", c.updated());
        g.add("unchanged", c.unchanged());
        g.add("failed", failed);
    }

    /** Why a record cannot be stored, or null when it can. */
    static String problem(JsonNode node, String text) {
        if (node == null || !node.isObject()) {
            return "not a JSON object";
        }
        JsonNode id = node.get("id");
        if (id == null || !id.isTextual() || id.asText().isBlank()) {
            return "no string id";
        }
        if (text.contains("\\u0000")) {
            // jsonb rejects the NUL character; the whole page would fail with it
            return "contains a NUL character (\\u0000), which PostgreSQL jsonb cannot store";
        }
        return null;
    }

    /** Converts a record for storing, or throws with the reason it cannot be stored. */
    DoorLoopRawStore.RawRecord toRecord(DoorLoopResource resource, JsonNode node) throws JsonProcessingException {
        String text = json.writeValueAsString(node);
        String problem = problem(node, text);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return new DoorLoopRawStore.RawRecord(node.get("id").asText(), text, isWorkOrder(resource, node));
    }

    private static boolean isWorkOrder(DoorLoopResource resource, JsonNode node) {
        return resource.carriesWorkOrders() && DoorLoopResource.WORK_ORDER_TYPE.equals(node.path("type").asText(null));
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
