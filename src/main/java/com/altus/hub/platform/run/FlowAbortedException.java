package com.altus.hub.platform.run;

/**
 * A failure that ends the whole run at once instead of being dead-lettered with its unit (an
 * expired SAS, credentials refused for every request): the dead-letter channel lets it through,
 * a {@code split(...).stopOnException()} stops, and the run fails with its message.
 */
public class FlowAbortedException extends RuntimeException {
    public FlowAbortedException(String message, Throwable cause) {
        super(message, cause);
    }

    public FlowAbortedException(String message) {
        super(message);
    }
}
