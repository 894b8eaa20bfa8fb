package com.altus.hub.doorloop;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How often a DoorLoop request is tried and how long to wait in between: the server's
 * Retry-After when it gives one (capped by {@code maxRetryAfter}), else exponential backoff from
 * {@code initialDelay} up to {@code maxDelay}, with jitter (the platform Retrier's rule).
 */
public record DoorLoopRetryPolicy(int maxAttempts, Duration initialDelay, Duration maxDelay, Duration maxRetryAfter) {

    public DoorLoopRetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("hub.doorloop.retry.max-attempts must be at least 1, got " + maxAttempts);
        }
    }

    /** The wait after failed attempt number {@code attempt} (1-based); {@code retryAfter} may be null. */
    public Duration delay(int attempt, Duration retryAfter) {
        if (retryAfter != null) {
            return retryAfter.compareTo(maxRetryAfter) > 0 ? maxRetryAfter : retryAfter;
        }
        long base = initialDelay.toMillis() * (1L << Math.min(attempt - 1, 20));
        long capped = Math.min(base, maxDelay.toMillis());
        long jitter = capped <= 1 ? 0 : ThreadLocalRandom.current().nextLong(capped / 4 + 1);
        return Duration.ofMillis(capped - capped / 8 + jitter);
    }
}
