package com.altus.hub.schedule;

/**
 * The blob source refused access (HTTP 403): an expired or revoked SAS, a wrong key. Retrying
 * cannot help and every other blob would fail the same way, so the run fails at once.
 */
public class BlobAccessDeniedException extends RuntimeException {
    public BlobAccessDeniedException(String message, Throwable cause) {
        super(message, cause);
    }
}
