package com.altus.hub.doorloop;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Client-side limit on DoorLoop requests: sliding windows (50 a minute and 500 an hour by
 * default), all enforced at once. {@link #acquire()} blocks until every window has room, so a
 * long pull slows down instead of collecting 429s; one limiter is shared by every caller in
 * this JVM (the flow and the dead-letter replayer).
 */
public final class RateLimiter {
    private static final Logger log = LoggerFactory.getLogger(RateLimiter.class);

    /** At most {@code permits} requests in any period of {@code length}. */
    public record Window(int permits, Duration length) {
        public Window {
            if (permits < 1 || length.isNegative() || length.isZero()) {
                throw new IllegalArgumentException("a rate window needs at least 1 permit and a positive length");
            }
        }

        @Override
        public String toString() {
            return permits + "/" + length;
        }
    }

    private final List<Window> windows;
    private final DoorLoopPacer pacer;
    private final ReentrantLock lock = new ReentrantLock(true);
    private final long longestNanos;
    // send times of the last `ring.length` granted permits (enough for the largest window), oldest at head
    private final long[] ring;
    private int head;
    private int size;

    public RateLimiter(List<Window> windows, DoorLoopPacer pacer) {
        if (windows.isEmpty()) {
            throw new IllegalArgumentException("a rate limiter needs at least one window");
        }
        this.windows = List.copyOf(windows);
        this.pacer = pacer;
        this.ring = new long[windows.stream().mapToInt(Window::permits).max().orElseThrow()];
        this.longestNanos = windows.stream().mapToLong(w -> w.length().toNanos()).max().orElseThrow();
    }

    /** Waits until a request may be sent and counts it; returns how long it waited. */
    public Duration acquire() throws InterruptedException {
        lock.lockInterruptibly();
        try {
            long waited = 0;
            while (true) {
                long now = pacer.nanoTime();
                dropOlderThan(now - longestNanos);
                long wait = 0;
                Window full = null;
                for (Window w : windows) {
                    if (size >= w.permits()) {
                        // the window is full when its permits-th most recent request is still inside it
                        long nth = ring[(head + size - w.permits()) % ring.length];
                        long until = nth + w.length().toNanos() - now;
                        if (until > wait) {
                            wait = until;
                            full = w;
                        }
                    }
                }
                if (wait <= 0) {
                    add(now);
                    return Duration.ofNanos(waited);
                }
                Duration d = Duration.ofNanos(wait);
                if (d.toMillis() >= 1000) {
                    log.info("DoorLoop rate limit {} used up; waiting {} s before the next request", full,
                            String.format(java.util.Locale.ROOT, "%.1f", d.toMillis() / 1000.0));
                }
                pacer.sleep(d);
                waited += wait;
            }
        } finally {
            lock.unlock();
        }
    }

    public List<Window> windows() {
        return windows;
    }

    private void dropOlderThan(long cutoff) {
        while (size > 0 && ring[head] <= cutoff) {
            head = (head + 1) % ring.length;
            size--;
        }
    }

    private void add(long at) {
        if (size == ring.length) {
            // the oldest entry can no longer decide any window: every window holds at most ring.length permits
            head = (head + 1) % ring.length;
            size--;
        }
        ring[(head + size) % ring.length] = at;
        size++;
    }
}
