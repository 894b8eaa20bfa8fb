package com.altus.hub.schedule;

/** A blob whose content cannot be synced (invalid JSON, missing ids, wrong types): it is dead-lettered. */
public class BadBlobException extends Exception {
    public BadBlobException(String message) {
        super(message);
    }

    public BadBlobException(String message, Throwable cause) {
        super(message, cause);
    }
}
