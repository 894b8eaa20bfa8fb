package com.altus.hub.platform.http;

import java.io.IOException;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntConsumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retries a call on transient failures with exponential backoff (with jitter), honouring the
 * server's Retry-After when it gives one. Permanent failures and anything else pass through
 * at once. Used by every HTTP client of the hub.
 */
public final class Retrier {
    private static final Logger log = LoggerFactory.getLogger(Retrier.class);

    /** How many attempts and how long to wait between them. */
    public record Policy(int maxAttempts, Duration initialDelay, Duration maxDelay, Duration maxRetryAfter) {
        public static Policy standard() {
            return new Policy(5, Duration.ofMillis(500), Duration.ofSeconds(30), Duration.ofMinutes(2));
        }

        public Policy withMaxAttempts(int n) {
            return new Policy(n, initialDelay, maxDelay, maxRetryAfter);
        }

        public Policy withInitialDelay(Duration d) {
            return new Policy(maxAttempts, d, maxDelay, maxRetryAfter);
        }
    }

    /** Waits between attempts; tests replace it to run without real delays. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    private final Policy policy;
    private final Sleeper sleeper;
    private final IntConsumer onRetry;

    public Retrier(Policy policy, Sleeper sleeper, IntConsumer onRetry) {
        this.policy = policy;
        this.sleeper = sleeper;
        this.onRetry = onRetry;
    }

    public Retrier(Policy policy) {
        this(policy, d -> Thread.sleep(d.toMillis()), n -> { });
    }

    public <T> T call(String what, Callable<T> call) throws Exception {
        int attempt = 0;
        while (true) {
            attempt++;
            try {
                return call.call();
            } catch (TransientFailure | IOException e) {
                if (e instanceof com.fasterxml.jackson.core.JsonProcessingException) {
                    throw e;
                }
                if (attempt >= policy.maxAttempts()) {
                    throw e;
                }
                Duration wait = delay(attempt, e instanceof TransientFailure tf ? tf : null);
                log.info("{} failed ({}); retry {}/{} in {} ms", what, e.getMessage(), attempt, policy.maxAttempts() - 1,
                        wait.toMillis());
                onRetry.accept(attempt);
                sleeper.sleep(wait);
            }
        }
    }

    Duration delay(int attempt, TransientFailure tf) {
        if (tf != null && tf.retryAfter().isPresent()) {
            Duration ra = tf.retryAfter().get();
            return ra.compareTo(policy.maxRetryAfter()) > 0 ? policy.maxRetryAfter() : ra;
        }
        long base = policy.initialDelay().toMillis() * (1L << Math.min(attempt - 1, 20));
        long capped = Math.min(base, policy.maxDelay().toMillis());
        long jitter = capped <= 1 ? 0 : ThreadLocalRandom.current().nextLong(capped / 4 + 1);
        return Duration.ofMillis(capped - capped / 8 + jitter);
    }

    /** Reads Retry-After (delta-seconds or an HTTP date); null when absent or unreadable. */
    public static Duration retryAfter(HttpHeaders headers) {
        return headers.firstValue("Retry-After").map(Retrier::parseRetryAfter).orElse(null);
    }

    public static Duration parseRetryAfter(String v) {
        if (v == null || v.isBlank()) {
            return null;
        }
        String s = v.trim();
        try {
            return Duration.ofMillis(Math.max(0, (long) (Double.parseDouble(s) * 1000)));
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(s, DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration d = Duration.between(ZonedDateTime.now(at.getZone()), at);
                return d.isNegative() ? Duration.ZERO : d;
            } catch (DateTimeParseException e) {
                return null;
            }
        }
    }

    /** Classifies an HTTP status: null when 2xx/3xx, else the exception to throw. */
    public static RuntimeException failureFor(String what, int status, HttpHeaders headers, String body) {
        if (status < 400) {
            return null;
        }
        String shortBody = body == null ? "" : (body.length() > 500 ? body.substring(0, 500) + "..." : body);
        if (status == 429 || status == 408 || status >= 500) {
            return new TransientFailure(what + " answered HTTP " + status + (shortBody.isEmpty() ? "" : ": " + shortBody),
                    status, retryAfter(headers));
        }
        return new PermanentFailure(what + " answered HTTP " + status + (shortBody.isEmpty() ? "" : ": " + shortBody),
                status, body);
    }
}
