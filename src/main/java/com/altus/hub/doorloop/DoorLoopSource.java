package com.altus.hub.doorloop;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Where DoorLoop records come from: the HTTP API ({@link DoorLoopHttpSource}) or recorded pages
 * ({@link DoorLoopFixtureSource}, the embedded default). Pages are numbered from 1; a page past
 * the last answers the total with no data.
 */
public interface DoorLoopSource {

    /** One page as the source answered it. */
    record Page(long total, List<JsonNode> data) {
    }

    /** Told what fetching costs as it happens, so that failed fetches are counted too. */
    interface Meter {
        void requestSent();

        void retried();

        void waitedForRateLimit(long millis);

        Meter NONE = new Meter() {
            @Override
            public void requestSent() {
            }

            @Override
            public void retried() {
            }

            @Override
            public void waitedForRateLimit(long millis) {
            }
        };
    }

    /** Fetches page {@code pageNumber} (1-based) of a resource; throws when it cannot be had. */
    Page fetch(DoorLoopResource resource, int pageNumber, Meter meter) throws Exception;

    /** For logs and stats: where the records come from (never a secret). */
    String describe();
}
