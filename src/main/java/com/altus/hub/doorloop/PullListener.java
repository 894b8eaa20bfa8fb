package com.altus.hub.doorloop;

import com.altus.hub.platform.run.RunStats;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a resource pull reports to whoever runs it: the flow (its RunContext) or the
 * dead-letter replayer (a log and the dead-letter table).
 */
public interface PullListener {

    RunStats stats();

    void progress(String format, Object... args);

    /** A record that cannot be stored, with its raw JSON and why. */
    void badRecord(RawTable entity, String key, JsonNode payload, String reason);

    /** Something that makes the outcome partial without failing the resource (a blocked deletion). */
    void partial(String reason);

    void checkNotCancelled() throws InterruptedException;
}
