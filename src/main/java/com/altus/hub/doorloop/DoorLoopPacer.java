package com.altus.hub.doorloop;

import java.time.Duration;

/**
 * The clock and the waits of the DoorLoop client (rate limiter, retries). Production uses the
 * system's; tests register a virtual one as a bean so that waits are recorded, not slept.
 */
public interface DoorLoopPacer {

    /** Monotonic time in nanoseconds. */
    long nanoTime();

    void sleep(Duration d) throws InterruptedException;

    DoorLoopPacer SYSTEM = new DoorLoopPacer() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void sleep(Duration d) throws InterruptedException {
            Thread.sleep(d.toMillis(), (int) (d.toNanos() % 1_000_000));
        }
    };
}
