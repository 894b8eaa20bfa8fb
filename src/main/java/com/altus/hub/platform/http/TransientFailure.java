package com.altus.hub.platform.http;

import java.time.Duration;
import java.util.Optional;

/** A failure worth retrying (HTTP 429/5xx, a dropped connection); may carry the server's Retry-After. */
public class TransientFailure extends RuntimeException {
    private final int status;
    private final Duration retryAfter;

    public TransientFailure(String message, int status, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.retryAfter = retryAfter;
    }

    public TransientFailure(String message, int status, Duration retryAfter) {
        this(message, status, retryAfter, null);
    }

    /** HTTP status, or 0 for a transport failure. */
    public int status() {
        return status;
    }

    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
