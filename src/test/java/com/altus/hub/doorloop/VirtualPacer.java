package com.altus.hub.doorloop;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/** A virtual clock for the DoorLoop client: sleeping advances it and is recorded, no real time passes. */
public final class VirtualPacer implements DoorLoopPacer {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final List<Duration> sleeps = new CopyOnWriteArrayList<>();

    @Override
    public long nanoTime() {
        return now.get();
    }

    @Override
    public void sleep(Duration d) {
        sleeps.add(d);
        now.addAndGet(d.toNanos());
    }

    public void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    public List<Duration> sleeps() {
        return List.copyOf(sleeps);
    }

    public void clear() {
        sleeps.clear();
    }
}
