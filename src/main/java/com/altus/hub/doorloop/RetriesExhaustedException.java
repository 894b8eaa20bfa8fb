package com.altus.hub.doorloop;

import com.altus.hub.platform.http.TransientFailure;

/**
 * A DoorLoop request that still failed after every attempt the retry policy allows. Not itself
 * transient (its last failure is kept as a suppressed exception, not as the cause), so that the
 * dead-letter channel files the resource at once instead of redelivering a step that already
 * retried.
 */
public class RetriesExhaustedException extends RuntimeException {
    public RetriesExhaustedException(TransientFailure last, int attempts) {
        super(last.getMessage() + " (gave up after " + attempts + (attempts == 1 ? " attempt)" : " attempts)"));
        addSuppressed(last);
    }
}
