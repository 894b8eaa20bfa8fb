package com.altus.hub.schedule;

/** Carries a checked exception out of a TransactionTemplate callback (which rolls back on it). */
final class TxFailure extends RuntimeException {
    TxFailure(Exception cause) {
        super(cause.getMessage(), cause, false, false);
    }

    /** Rethrows the carried exception as itself. */
    Exception unwrap() {
        return (Exception) getCause();
    }
}
