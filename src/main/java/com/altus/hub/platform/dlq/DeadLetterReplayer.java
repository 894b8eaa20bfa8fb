package com.altus.hub.platform.dlq;

/**
 * How one flow replays its dead letters. Each flow that dead-letters registers one (a Spring
 * bean); the {@code dlq-replay} flow finds it by flow name and entity type.
 */
public interface DeadLetterReplayer {

    String flow();

    /** Entity types this replayer handles; by default all of its flow's. */
    default boolean handles(String entityType) {
        return true;
    }

    /**
     * Processes the letter's payload again. Return normally when it now succeeds; throw when it
     * still fails (the letter's attempts grow and it is retried later, then parked).
     */
    void replay(StoredDeadLetter letter) throws Exception;
}
