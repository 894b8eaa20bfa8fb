package com.altus.hub.platform.run;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import com.altus.hub.platform.dlq.DeadLetter;
import com.altus.hub.platform.dlq.DeadLetterService;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.helpers.MessageFormatter;

/**
 * What a flow's route steps get for one run: its id, parameters, stats, dead-letter sink and
 * progress log. It travels with the run's exchange as the property {@value #PROPERTY} (split
 * parts share it), so a processor finds it with {@link #of(Exchange)}.
 * A dead letter or a {@link #partial(String)} reason makes the run partial.
 */
public final class RunContext {
    /** Exchange property holding the run of the flow route the exchange is in. */
    public static final String PROPERTY = "HubRun";
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
    private volatile String cancelReason;
    private volatile Throwable abortCause;
    private final boolean detached;

    RunContext(long runId, String flow, String trigger, Map<String, Object> params, DeadLetterService deadLetters) {
        this(runId, flow, trigger, params, deadLetters, false);
    }

    private RunContext(long runId, String flow, String trigger, Map<String, Object> params, DeadLetterService deadLetters,
                       boolean detached) {
        this.runId = runId;
        this.flow = flow;
        this.trigger = trigger;
        this.params = Map.copyOf(params);
        this.deadLetters = deadLetters;
        this.detached = detached;
    }

    /**
     * A context for work done outside a run of {@code flow}: a dead letter replayed into one of its
     * sub-routes. Stats stay here (the replay run counts the letter); dead letters are recorded
     * against {@code flow} and the replaying run {@code runId}.
     */
    public static RunContext detached(long runId, String flow, String trigger, DeadLetterService deadLetters) {
        return new RunContext(runId, flow, trigger, Map.of(), deadLetters, true);
    }

    /** The run the exchange belongs to; fails loudly when a step runs outside any run. */
    public static RunContext of(Exchange exchange) {
        RunContext ctx = exchange.getProperty(PROPERTY, RunContext.class);
        if (ctx == null) {
            throw new IllegalStateException("route " + exchange.getFromRouteId() + " step ran outside a flow run "
                    + "(send to direct:<flow>, or replay a dead letter through dlq-replay)");
        }
        return ctx;
    }

    /** Whether this context is a replay's, not a flow run's. */
    public boolean detached() {
        return detached;
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

    /**
     * Records a dead letter for this flow and run; the run becomes partial. Returns its id.
     * Without a route, only a registered replayer can replay it: prefer the variant with a route.
     */
    public long deadLetter(String entityType, String entityKey, Object payload, String reason, Throwable cause) {
        return deadLetter(null, entityType, entityKey, payload, reason, cause);
    }

    /**
     * Records a dead letter whose replay sends {@code payload} (as JSON) to {@code direct:<routeId>}:
     * the sub-route that redoes that entity's work. The run becomes partial. Returns its id.
     */
    public long deadLetter(String routeId, String entityType, String entityKey, Object payload, String reason, Throwable cause) {
        DeadLetter dl = DeadLetter.of(flow, entityType, entityKey, payload, reason, cause).withRunId(runId);
        if (routeId != null) {
            dl = dl.withRoute(routeId, Map.of());
        }
        long id = deadLetters.record(dl);
        deadLettered.incrementAndGet();
        stats.increment("dead_lettered");
        return id;
    }

    /** Counts a dead letter recorded elsewhere for this run (the Camel dead-letter channel). */
    public void countDeadLetter() {
        countDeadLetters(1);
    }

    /** Counts dead letters a set-based statement filed for this run; any makes the run partial. */
    public void countDeadLetters(long n) {
        if (n > 0) {
            deadLettered.addAndGet(n);
            stats.add("dead_lettered", n);
        }
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

    void cancel(String reason) {
        cancelReason = reason;
    }

    /**
     * Ends the run after a failure that no unit can get past (a {@link FlowAbortedException}): the
     * units still queued in a split fail at once with the same reason instead of trying.
     */
    public void abort(Throwable cause) {
        if (abortCause == null) {
            abortCause = cause;
            cancelReason = "aborted: " + cause.getMessage();
        }
    }

    /** Throws the abort's reason again, or an interrupt when the run is cancelled; for the first step of a unit. */
    public void checkGoesOn() throws InterruptedException {
        Throwable a = abortCause;
        if (a != null) {
            throw new FlowAbortedException(a.getMessage(), a);
        }
        checkNotCancelled();
    }

    public boolean cancelled() {
        return cancelReason != null || Thread.currentThread().isInterrupted();
    }

    /**
     * Throws if the run must stop (the hub is shutting down, or the run lost its lease), so that a
     * long flow stops between units of work. The exception is never dead-lettered: it fails the run.
     */
    public void checkNotCancelled() throws InterruptedException {
        if (cancelled()) {
            throw new InterruptedException("run " + runId + " of " + flow + " cancelled: "
                    + (cancelReason != null ? cancelReason : "the hub is shutting down"));
        }
    }
}
