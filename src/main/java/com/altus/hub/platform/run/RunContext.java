package com.altus.hub.platform.run;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import com.altus.hub.platform.dlq.DeadLetter;
import com.altus.hub.platform.dlq.DeadLetterService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.helpers.MessageFormatter;

/**
 * What a flow gets for one run: its id, parameters, stats, dead-letter sink and progress log.
 * A dead letter or a {@link #partial(String)} reason makes the run partial.
 */
public final class RunContext {
    private static final Logger progressLog = LoggerFactory.getLogger("hub.progress");

    private final long runId;
    private final String flow;
    private final String trigger;
    private final Map<String, Object> params;
    private final RunStats stats = new RunStats();
    private final DeadLetterService deadLetters;
    private final List<String> partialReasons = new CopyOnWriteArrayList<>();
    private final AtomicLong deadLettered = new AtomicLong();
    private final long startNanos = System.nanoTime();
    private volatile long lastProgressNanos = 0;
    private volatile boolean cancelled;

    RunContext(long runId, String flow, String trigger, Map<String, Object> params, DeadLetterService deadLetters) {
        this.runId = runId;
        this.flow = flow;
        this.trigger = trigger;
        this.params = Map.copyOf(params);
        this.deadLetters = deadLetters;
    }

    public long runId() {
        return runId;
    }

    public String flow() {
        return flow;
    }

    /** schedule, rest, cli, chain or replay. */
    public String trigger() {
        return trigger;
    }

    /** Parameters of this run (a REST body's fields, the one-shot's options); never null. */
    public Map<String, Object> params() {
        return params;
    }

    public String param(String name, String def) {
        Object v = params.get(name);
        return v == null ? def : v.toString();
    }

    public RunStats stats() {
        return stats;
    }

    /** Records a dead letter for this flow and run; the run becomes partial. Returns its id. */
    public long deadLetter(String entityType, String entityKey, Object payload, String reason, Throwable cause) {
        long id = deadLetters.record(DeadLetter.of(flow, entityType, entityKey, payload, reason, cause).withRunId(runId));
        deadLettered.incrementAndGet();
        stats.increment("dead_lettered");
        return id;
    }

    /** Counts a dead letter recorded elsewhere for this run (the Camel dead-letter channel). */
    public void countDeadLetter() {
        deadLettered.incrementAndGet();
        stats.increment("dead_lettered");
    }

    /** Marks the run partial, with a reason that ends up in the run record's error. */
    public void partial(String reason) {
        partialReasons.add(reason);
    }

    public List<String> partialReasons() {
        return List.copyOf(partialReasons);
    }

    public long deadLettered() {
        return deadLettered.get();
    }

    /** A progress line for long runs: always logged at INFO with the flow and run id. */
    public void progress(String format, Object... args) {
        lastProgressNanos = System.nanoTime();
        if (progressLog.isInfoEnabled()) {
            progressLog.info("[{}#{}] {}", flow, runId, MessageFormatter.arrayFormat(format, args).getMessage());
        }
    }

    /** Logs the line only if the last progress line is older than {@code every} (for tight loops). */
    public void progressEvery(Duration every, String format, Object... args) {
        if (System.nanoTime() - lastProgressNanos >= every.toNanos()) {
            progress(format, args);
        }
    }

    public Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    void cancel() {
        cancelled = true;
    }

    public boolean cancelled() {
        return cancelled || Thread.currentThread().isInterrupted();
    }

    /** Throws if the hub is shutting down, so that a long flow stops between units of work. */
    public void checkNotCancelled() throws InterruptedException {
        if (cancelled()) {
            throw new InterruptedException("run " + runId + " of " + flow + " cancelled: the hub is shutting down");
        }
    }
}
