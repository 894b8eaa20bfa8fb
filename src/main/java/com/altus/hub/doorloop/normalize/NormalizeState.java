package com.altus.hub.doorloop.normalize;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import com.altus.hub.platform.run.RunContext;
import org.apache.camel.Exchange;

/**
 * What the entities of one doorloop-normalize run share (an exchange property the split hands to
 * every {@code doorloop-normalize-entity} exchange): the entities in run order, which of them are
 * settled (normalized or dead-lettered), which were normalized, and the rows changed. An entity
 * waits until the entities it references are settled, and is not run when one of them failed.
 * Absent in a dead-letter replay.
 */
final class NormalizeState {
    static final String PROPERTY = "HubDoorLoopNormalize";

    private final List<EntitySpec> order;
    private final Map<String, CompletableFuture<Void>> settled = new HashMap<>();
    private final Set<String> normalized = ConcurrentHashMap.newKeySet();
    private final AtomicLong changed = new AtomicLong();

    /** {@code order}: the entities as the split sends them, every entity after those it references. */
    NormalizeState(List<EntitySpec> order) {
        this.order = List.copyOf(order);
        for (EntitySpec spec : order) {
            settled.put(spec.table(), new CompletableFuture<>());
        }
    }

    static NormalizeState of(Exchange exchange) {
        return exchange.getProperty(PROPERTY, NormalizeState.class);
    }

    /** The entity at {@code index} of the split is done, whatever the outcome. */
    void settled(int index) {
        settled.get(order.get(index).table()).complete(null);
    }

    /**
     * Waits until the entities {@code spec} references are settled. The split sends the entities
     * in {@link #order} and its pool takes them first in, first out, so the parents are already
     * running or done: the earliest unsettled entity never waits.
     */
    void awaitParents(EntitySpec spec, RunContext ctx) throws InterruptedException {
        for (String parent : spec.parentTables()) {
            CompletableFuture<Void> f = settled.get(parent);
            while (f != null) {
                try {
                    f.get(1, TimeUnit.SECONDS);
                    f = null;
                } catch (TimeoutException stillRunning) {
                    ctx.checkNotCancelled();
                } catch (ExecutionException e) {
                    throw new IllegalStateException("the settlement of " + parent + " failed", e);
                }
            }
        }
    }

    void normalized(EntitySpec spec, long rowsChanged) {
        changed.addAndGet(rowsChanged);
        normalized.add(spec.table());
    }

    boolean isNormalized(String table) {
        return normalized.contains(table);
    }

    int normalizedCount() {
        return normalized.size();
    }

    long changed() {
        return changed.get();
    }
}
