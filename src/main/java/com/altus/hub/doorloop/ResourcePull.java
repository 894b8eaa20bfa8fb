package com.altus.hub.doorloop;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The bookkeeping of one resource's pull, page after page (plain Java; the
 * {@code doorloop-resource} route drives it): which page comes next, when to stop (the records
 * received reach the page's {@code total}, or a page is empty: the fewest requests the API
 * allows), which records of a page can be stored, and whether the pull saw a complete snapshot
 * (every page fetched, the total stable, every record storable, as many distinct ids as the
 * total), which alone allows marking missing records deleted.
 */
public final class ResourcePull {

    /** What a page gives to store: storable records (ids unique), the unstorable ones, and counts. */
    public record PageRecords(List<DoorLoopRawStore.RawRecord> records, List<BadRecord> bad, int fetched, int workOrders) {
    }

    /** A record that cannot be stored: its dead-letter key, its JSON and why. */
    public record BadRecord(String key, JsonNode payload, String problem) {
    }

    private final DoorLoopResource resource;
    private final ObjectMapper json;
    private final Set<String> seen = new HashSet<>();
    private final Set<String> workOrdersSeen = new HashSet<>();
    private final Set<String> badKeys = new HashSet<>();
    private int page;
    private int expectedPages = 1;
    private long firstTotal = -1;
    private long total = -1;
    private boolean totalChanged;
    private long onPages;
    private boolean done;

    public ResourcePull(DoorLoopResource resource, ObjectMapper json) {
        this.resource = resource;
        this.json = json;
    }

    public DoorLoopResource resource() {
        return resource;
    }

    /** Whether another page must be fetched. */
    public boolean more() {
        return !done;
    }

    /** Advances to the next page and answers its number (1-based). */
    public int nextPage() {
        if (done) {
            throw new IllegalStateException(resource.path() + ": the pull is complete");
        }
        if (page + 1 > 2 * expectedPages + 10) {
            // a server that ignores page_number or keeps growing its total would page forever
            throw new IllegalStateException(resource.path() + ": still no end after " + page + " pages for a total of "
                    + total + "; stopped");
        }
        return ++page;
    }

    /** The current page's number. */
    public int page() {
        return page;
    }

    public int expectedPages() {
        return expectedPages;
    }

    public long total() {
        return total;
    }

    /** Records received on the pages so far. */
    public long records() {
        return onPages;
    }

    /** Takes the current page: answers what to store, and decides whether it was the last. */
    public PageRecords accept(DoorLoopPage p) throws JsonProcessingException {
        if (firstTotal < 0) {
            firstTotal = p.total();
            expectedPages = p.data().isEmpty() ? 1 : (int) Math.max(1, (p.total() + p.data().size() - 1) / p.data().size());
        } else if (p.total() != total) {
            totalChanged = true;
        }
        total = p.total();
        if (p.data().isEmpty()) {
            done = true;
            return new PageRecords(List.of(), List.of(), 0, 0);
        }
        Map<String, DoorLoopRawStore.RawRecord> records = new LinkedHashMap<>(p.data().size() * 2);
        List<BadRecord> bad = new ArrayList<>();
        int workOrders = 0;
        for (JsonNode node : p.data()) {
            String text = json.writeValueAsString(node);
            String problem = problem(node, text);
            if (problem != null) {
                String key = key(node, text);
                badKeys.add(key);
                bad.add(new BadRecord(key, node, resource.path() + " page " + page + ": " + problem));
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
        onPages += p.data().size();
        if (onPages >= total) {
            done = true;
        }
        return new PageRecords(List.copyOf(records.values()), List.copyOf(bad), p.data().size(), workOrders);
    }

    /** Null when the pull saw a complete snapshot, else why not. */
    public String incompleteReason() {
        if (totalChanged) {
            return "the total changed during the pull (" + firstTotal + " -> " + total + ")";
        }
        if (!badKeys.isEmpty()) {
            return badKeys.size() + " records could not be stored";
        }
        if (seen.size() != total) {
            return seen.size() + " distinct ids for a total of " + total;
        }
        return null;
    }

    /** Ids of the stored records (the snapshot, when complete). */
    public Set<String> seen() {
        return seen;
    }

    /** Ids of the stored work orders (tasks of type WORK_ORDER). */
    public Set<String> workOrdersSeen() {
        return workOrdersSeen;
    }

    /** Dead-letter keys of the records that could not be stored. */
    public Set<String> badKeys() {
        return badKeys;
    }

    /** Why a record cannot be stored, or null when it can ({@code text}: its JSON). */
    public static String problem(JsonNode node, String text) {
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

    /** The dead-letter key of a record: its id, or a hash of its JSON when it has none. */
    public static String key(JsonNode node, String text) {
        return node != null && node.path("id").isTextual() && !node.path("id").asText().isBlank()
                ? node.get("id").asText() : "sha256:" + sha256(text).substring(0, 24);
    }

    /** A record ready to store, or an IllegalArgumentException with the reason it cannot be stored. */
    public static DoorLoopRawStore.RawRecord toRecord(DoorLoopResource resource, JsonNode node, ObjectMapper json)
            throws JsonProcessingException {
        String text = json.writeValueAsString(node);
        String problem = problem(node, text);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return new DoorLoopRawStore.RawRecord(node.get("id").asText(), text, isWorkOrder(resource, node));
    }

    static boolean isWorkOrder(DoorLoopResource resource, JsonNode node) {
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
