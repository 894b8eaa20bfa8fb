package com.altus.hub.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The live heap while some work runs: a thread forces a full GC every {@value #EVERY_MS} ms and
 * keeps the largest heap left after it. Growth = that peak minus the live heap before the work.
 * Unlike "heap after any GC", garbage promoted by young collections is not counted, so the
 * number is what the work really holds (at the price of slowing it down: time it separately).
 */
final class LiveHeap implements AutoCloseable {
    private static final long EVERY_MS = 200;
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final long baseline;
    private final AtomicLong peak = new AtomicLong();
    private final CountDownLatch stop = new CountDownLatch(1);
    private final Thread sampler;

    private LiveHeap() {
        memory.gc();
        baseline = memory.getHeapMemoryUsage().getUsed();
        sampler = new Thread(this::sample, "live-heap-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    static LiveHeap start() {
        return new LiveHeap();
    }

    private void sample() {
        try {
            do {
                memory.gc();
                peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
            } while (!stop.await(EVERY_MS, TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    double growthMiB() {
        return Math.max(0, peak.get() - baseline) / (1024.0 * 1024.0);
    }

    @Override
    public void close() throws InterruptedException {
        stop.countDown();
        sampler.join();
    }
}
