package com.altus.hub.doorloop.normalize;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.camel.Exchange;

/**
 * What the entities of one doorloop-normalize run share (an exchange property the splits hand to
 * every {@code doorloop-normalize-entity} exchange): the tables normalized so far, so that an
 * entity whose parent failed is not run against missing parents, and the rows changed. Absent
 * in a dead-letter replay.
 */
final class NormalizeState {
    static final String PROPERTY = "HubDoorLoopNormalize";

    private final Set<String> normalized = ConcurrentHashMap.newKeySet();
    private final AtomicLong changed = new AtomicLong();

    static NormalizeState of(Exchange exchange) {
        return exchange.getProperty(PROPERTY, NormalizeState.class);
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
