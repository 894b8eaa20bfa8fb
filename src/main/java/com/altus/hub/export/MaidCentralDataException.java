package com.altus.hub.export;

/**
 * MaidCentral answered something the exporter cannot turn into a blob (not the documented shape,
 * invalid JSON, an unknown time zone): retrying will not fix it, so the company's export is
 * dead-lettered with this reason while the others go on.
 */
public class MaidCentralDataException extends RuntimeException {
    public MaidCentralDataException(String message) {
        super(message);
    }

    public MaidCentralDataException(String message, Throwable cause) {
        super(message, cause);
    }
}
