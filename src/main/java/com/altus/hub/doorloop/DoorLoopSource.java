package com.altus.hub.doorloop;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Where DoorLoop records come from: the HTTP API ({@link DoorLoopHttpSource}) or recorded pages
 * ({@link DoorLoopFixtureSource}, the embedded default). Pages are numbered from 1; a page past
 * the last answers the total with no data.
 */
public interface DoorLoopSource {

    /**
     * One page as the source answered it, with what it cost: requests sent (retries included),
     * retries, and the time spent waiting for the rate limiter.
     */
    record Page(long total, List<JsonNode> data, int requests, int retries, long rateLimitWaitMillis) {
    }

    /** Fetches page {@code pageNumber} (1-based) of a resource; throws when it cannot be had. */
    Page fetch(DoorLoopResource resource, int pageNumber) throws Exception;

    /** For logs and stats: where the records come from (never a secret). */
    String describe();
}
