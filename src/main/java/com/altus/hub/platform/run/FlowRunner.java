package com.altus.hub.platform.run;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.altus.hub.platform.dlq.DeadLetterService;
import com.altus.hub.platform.ops.Redactor;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.Route;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.support.RoutePolicySupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Service;

/**
 * The run ledger around every flow route (CONTRACT section 4a): one exchange of route
 * {@code <flow>} on {@code direct:<flow>} is one run. The route's first step ({@link #begin})
 * takes the flow's single-flight lease and opens the {@code sync_jobs} row; the route policy
 * ({@link #ledgerPolicy()}) finishes the row when the exchange is done: succeeded, partial (dead
 * letters or a partial reason) or failed (the exchange failed, so JMX counts a failed exchange).
 *
 * <p>Every trigger sends to {@code direct:<flow>}: schedules (YAML routes), REST and the
 * one-shot CLI (both through {@link #run}). A trigger that finds the flow running anywhere is
 * skipped: the exchange stops without a run (REST answers 409).
 *
 * <p>Single flight is a lease row ({@code flow_leases}) renewed by the heartbeat, so it survives a
 * lost database connection; a run that loses its lease (it expired and another run took it) is
 * cancelled, and its row, already failed by the new holder, is not finished twice.
 */
@Service
public class FlowRunner {
    private static final Logger log = LoggerFactory.getLogger(FlowRunner.class);
    static final String ORPHAN_REASON = "interrupted: the hub instance running it stopped before the run finished";
    /** Header of a trigger: schedule, rest, cli, chain or replay. */
    public static final String TRIGGER_HEADER = "HubTrigger";
    /** Header of a trigger: the run parameters (a Map). */
    public static final String PARAMS_HEADER = "HubRunParams";
    /** Exchange property set when the run is finished: its {@link RunRecord}. */
    public static final String RECORD_PROPERTY = "HubRunRecord";
    /** Exchange property set when the trigger was skipped because the flow runs elsewhere. */
    public static final String SKIPPED_PROPERTY = "HubRunSkipped";

    private final Map<String, FlowDefinition> flows = new ConcurrentHashMap<>();
    private final RunLedger ledger;
    private final DeadLetterService deadLetters;
    private final Redactor redactor;
    private final MeterRegistry meters;
    private final CamelContext camel;
    private final String instanceId;
    private final Duration leaseTtl;
    private final Duration shutdownGrace;
    private final boolean ownsDatabase;
    private final Map<Long, Active> active = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> runningGauge = new ConcurrentHashMap<>();
    private final ScheduledExecutorService housekeeping;
    private final RoutePolicy policy = new LedgerPolicy();
    private volatile ProducerTemplate producer;

    private record Active(RunContext ctx, Thread thread, long startNanos) { }

    public FlowRunner(RunLedger ledger, DeadLetterService deadLetters, Redactor redactor, MeterRegistry meters, CamelContext camel,
                      @Value("${hub.runs.heartbeat:PT15S}") Duration heartbeat,
                      @Value("${hub.runs.lease-ttl:PT1M}") Duration leaseTtl,
                      @Value("${hub.runs.reaper-interval:PT1M}") Duration reaperInterval,
                      @Value("${hub.runs.shutdown-grace:PT20S}") Duration shutdownGrace,
                      @Value("${hub.database.embedded:false}") boolean ownsDatabase) {
        if (leaseTtl.compareTo(heartbeat.multipliedBy(2)) < 0) {
            throw new IllegalArgumentException("hub.runs.lease-ttl (" + leaseTtl + ") must be at least twice hub.runs.heartbeat ("
                    + heartbeat + ")");
        }
        this.ledger = ledger;
        this.deadLetters = deadLetters;
        this.redactor = redactor;
        this.meters = meters;
        this.camel = camel;
        this.leaseTtl = leaseTtl;
        this.shutdownGrace = shutdownGrace;
        this.ownsDatabase = ownsDatabase;
        this.instanceId = instanceName();
        this.housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hub-run-housekeeping");
            t.setDaemon(true);
            return t;
        });
        housekeeping.scheduleWithFixedDelay(this::heartbeatAll, heartbeat.toMillis(), heartbeat.toMillis(), TimeUnit.MILLISECONDS);
        housekeeping.scheduleWithFixedDelay(this::reapQuietly, reaperInterval.toMillis(), reaperInterval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Called by {@link FlowRouteBuilder#flow} for every flow route: makes the flow known, with its metrics. */
    public void register(FlowDefinition def) {
        if (flows.putIfAbsent(def.name(), def) != null) {
            throw new IllegalStateException("two flows are named " + def.name());
        }
        AtomicInteger g = new AtomicInteger();
        runningGauge.put(def.name(), g);
        Gauge.builder("hub.flow.running", g, AtomicInteger::get).tag("flow", def.name())
                .description("1 while this instance runs the flow").register(meters);
        for (String status : List.of(RunRecord.SUCCEEDED, RunRecord.PARTIAL, RunRecord.FAILED)) {
            runCounter(def.name(), status);
        }
        meters.counter("hub.flow.skipped", "flow", def.name());
    }

    public Collection<String> flowNames() {
        return new TreeMap<>(flows).keySet();
    }

    public boolean exists(String flow) {
        return flow != null && flows.containsKey(flow);
    }

    public FlowDefinition definition(String flow) {
        FlowDefinition def = flow == null ? null : flows.get(flow);
        if (def == null) {
            throw new UnknownFlowException(flow);
        }
        return def;
    }

    public String instanceId() {
        return instanceId;
    }

    /** The route policy every flow route carries: it finishes the run when the exchange is done. */
    public RoutePolicy ledgerPolicy() {
        return policy;
    }

    /**
     * Triggers a run: sends to {@code direct:<flow>} and waits for it (direct routes run in the
     * caller's thread). Answers the run record, also of a failed run. Throws
     * {@link UnknownFlowException}, {@link FlowParameterException} (nothing ran, no row) or
     * {@link FlowBusyException} (the flow is running somewhere).
     */
    public RunRecord run(String flowName, String trigger, Map<String, ?> params) {
        return runWithOutcome(flowName, trigger, params).record();
    }

    /** A run's record and, for a failed run, the exception that failed it (the CLI maps configuration errors to exit 2). */
    public record Outcome(RunRecord record, Throwable failure) {
    }

    /** As {@link #run}, with the failure itself. */
    public Outcome runWithOutcome(String flowName, String trigger, Map<String, ?> params) {
        Map<String, Object> validated = definition(flowName).validate(params);
        Endpoint endpoint = camel.getEndpoint("direct:" + flowName);
        Exchange exchange = endpoint.createExchange();
        exchange.getMessage().setHeader(TRIGGER_HEADER, trigger);
        exchange.getMessage().setHeader(PARAMS_HEADER, validated);
        try {
            producer().send(endpoint, exchange);
        } catch (Error e) {
            // an Error unwinds past Camel's routing, policy included: the run is finished here
            RunContext ctx = exchange.getProperty(RunContext.PROPERTY, RunContext.class);
            if (ctx == null || !active.containsKey(ctx.runId())) {
                throw e;
            }
            exchange.removeProperty(RunContext.PROPERTY);
            finish(ctx, exchange, e);
            return new Outcome(outcome(flowName, exchange), e);
        }
        return new Outcome(outcome(flowName, exchange), exchange.getException());
    }

    /**
     * For a trigger that sends a copy of its exchange to {@code direct:<flow>} (an enrich): brings
     * the run's outcome back (record, or skipped) and, when the flow did not run at all, its failure.
     * A failed run is an outcome, not a failure of the trigger.
     */
    public static final AggregationStrategy TRIGGER_OUTCOME = (original, run) -> {
        if (run == null) {
            return original;
        }
        original.setProperty(RECORD_PROPERTY, run.getProperty(RECORD_PROPERTY));
        original.setProperty(SKIPPED_PROPERTY, run.getProperty(SKIPPED_PROPERTY));
        if (run.getProperty(RECORD_PROPERTY) == null && run.getException() != null) {
            original.setException(run.getException());
        }
        return original;
    };

    /** The run record of an exchange that went through a flow route; throws when it did not run. */
    public static RunRecord outcome(String flowName, Exchange done) {
        if (Boolean.TRUE.equals(done.getProperty(SKIPPED_PROPERTY, Boolean.class))) {
            throw new FlowBusyException(flowName);
        }
        RunRecord record = done.getProperty(RECORD_PROPERTY, RunRecord.class);
        if (record != null) {
            return record;
        }
        Exception e = done.getException();
        if (e instanceof RuntimeException re) {
            throw re;
        }
        throw new IllegalStateException("flow " + flowName + " did not run" + (e == null ? "" : ": " + e.getMessage()), e);
    }

    /** The first step of a flow route: lease, run row and run context, or a skipped trigger. */
    Processor begin(String flowName) {
        return exchange -> begin(flowName, exchange);
    }

    private void begin(String flowName, Exchange exchange) {
        FlowDefinition def = definition(flowName);
        var msg = exchange.getMessage();
        String trigger = msg.getHeader(TRIGGER_HEADER, "direct", String.class);
        Map<?, ?> rawParams = msg.getHeader(PARAMS_HEADER, Map.class);
        msg.removeHeaders("Hub*");
        exchange.removeProperty(RECORD_PROPERTY);
        exchange.removeProperty(SKIPPED_PROPERTY);
        @SuppressWarnings("unchecked")
        Map<String, Object> params = def.validate(rawParams == null ? Map.of() : (Map<String, ?>) rawParams);
        Optional<RunLedger.Started> started = ledger.start(flowName, trigger, instanceId, params, leaseTtl, ORPHAN_REASON);
        if (started.isEmpty()) {
            meters.counter("hub.flow.skipped", "flow", flowName).increment();
            log.info("{} trigger for flow {} skipped: it is already running", trigger, flowName);
            exchange.setProperty(SKIPPED_PROPERTY, true);
            exchange.setRouteStop(true);
            return;
        }
        if (started.get().orphansFailed() > 0) {
            log.warn("flow {}: marked {} interrupted run(s) failed", flowName, started.get().orphansFailed());
        }
        RunRecord row = started.get().record();
        RunContext ctx = new RunContext(row.id(), flowName, trigger, params, deadLetters);
        active.put(row.id(), new Active(ctx, Thread.currentThread(), System.nanoTime()));
        runningGauge.get(flowName).set(1);
        exchange.setProperty(RunContext.PROPERTY, ctx);
        msg.setBody(params);
        log.info("flow {} run {} started ({})", flowName, row.id(), trigger);
    }

    /** Finishes the run of a flow route's exchange (from the route policy). */
    private void finish(Route route, Exchange exchange) {
        RunContext ctx = exchange.getProperty(RunContext.PROPERTY, RunContext.class);
        if (ctx == null || !ctx.flow().equals(route.getRouteId()) || ctx.detached()) {
            return;
        }
        exchange.removeProperty(RunContext.PROPERTY);
        finish(ctx, exchange, exchange.getException());
    }

    private void finish(RunContext ctx, Exchange exchange, Throwable failure) {
        Active a = active.remove(ctx.runId());
        runningGauge.get(ctx.flow()).set(0);
        String status;
        String error = null;
        if (failure != null) {
            status = RunRecord.FAILED;
            error = failure instanceof InterruptedException ? "interrupted: " + failure.getMessage() : describe(failure);
            log.error("flow {} run {} failed: {}", ctx.flow(), ctx.runId(), redactor.redact(error), failure);
        } else if (ctx.deadLettered() > 0 || !ctx.partialReasons().isEmpty()) {
            status = RunRecord.PARTIAL;
            error = partialSummary(ctx);
        } else {
            status = RunRecord.SUCCEEDED;
        }
        boolean wasInterrupted = Thread.interrupted(); // let the final JDBC write through
        try {
            RunLedger.Finished f = ledger.finish(ctx.runId(), ctx.flow(), status, ctx.stats().snapshot(), redactor.redact(error));
            long nanos = System.nanoTime() - (a == null ? System.nanoTime() : a.startNanos());
            RunRecord done = f.record();
            if (!f.applied()) {
                log.error("flow {} run {} ended {} after losing its lease: its row was already finished as {} ({})",
                        ctx.flow(), ctx.runId(), status, done.status(), done.error());
            }
            runCounter(ctx.flow(), done.status()).increment();
            Timer.builder("hub.flow.duration").tag("flow", ctx.flow()).tag("status", done.status())
                    .description("flow run duration").register(meters).record(nanos, TimeUnit.NANOSECONDS);
            log.info("flow {} run {} {} in {} ms: {}{}", ctx.flow(), done.id(), done.status(), TimeUnit.NANOSECONDS.toMillis(nanos),
                    done.stats(), done.error() == null ? "" : " (" + done.error() + ")");
            exchange.setProperty(RECORD_PROPERTY, done);
            exchange.getMessage().setBody(done);
        } catch (RuntimeException e) {
            log.error("flow {} run {}: the run record could not be written ({}); the run is failed by the reaper once its "
                    + "lease expires", ctx.flow(), ctx.runId(), e.getMessage(), e);
            exchange.setException(e);
        } finally {
            if (wasInterrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The run's outcome rule, shared with the policy: see {@link RunContext#partial}. */
    private static String partialSummary(RunContext ctx) {
        StringBuilder sb = new StringBuilder();
        for (String r : ctx.partialReasons()) {
            if (sb.length() > 0) {
                sb.append("; ");
            }
            sb.append(r);
        }
        if (ctx.deadLettered() > 0) {
            if (sb.length() > 0) {
                sb.append("; ");
            }
            sb.append(ctx.deadLettered()).append(ctx.deadLettered() == 1 ? " record" : " records")
                    .append(" dead-lettered (see GET /api/dlq?flow=").append(ctx.flow()).append(")");
        }
        return sb.toString();
    }

    /** The exception's own message, with its root cause when that adds something. */
    static String describe(Throwable e) {
        String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root != e && root.getMessage() != null && !msg.contains(root.getMessage())) {
            msg = msg + " (caused by " + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
        }
        return msg.length() > 2000 ? msg.substring(0, 2000) + "..." : msg;
    }

    private Counter runCounter(String flow, String status) {
        return Counter.builder("hub.flow.runs").tag("flow", flow).tag("status", status)
                .description("flow runs by outcome").register(meters);
    }

    private ProducerTemplate producer() {
        ProducerTemplate p = producer;
        if (p == null) {
            synchronized (this) {
                if (producer == null) {
                    producer = camel.createProducerTemplate();
                }
                p = producer;
            }
        }
        return p;
    }

    /**
     * At startup: runs left 'running' by instances that are gone are failed. On the embedded
     * database, which this hub owns alone, that is every 'running' row; on a shared database,
     * those whose lease expired (the others belong to live instances, or are failed once their
     * lease runs out).
     */
    @EventListener(ApplicationReadyEvent.class)
    public int reapOrphans() {
        List<String> reaped = ownsDatabase ? ledger.failAllRunning(ORPHAN_REASON) : ledger.failExpired(ORPHAN_REASON);
        for (String flow : reaped) {
            log.warn("flow {}: marked an interrupted run failed", flow);
        }
        return reaped.size();
    }

    private void reapQuietly() {
        try {
            for (String flow : ledger.failExpired(ORPHAN_REASON)) {
                log.warn("flow {}: marked a run whose lease expired failed", flow);
            }
        } catch (RuntimeException e) {
            log.warn("run reaper failed: {}", e.getMessage());
        }
    }

    private void heartbeatAll() {
        for (Active a : active.values()) {
            RunContext ctx = a.ctx();
            try {
                if (!ledger.heartbeat(ctx.runId(), ctx.flow(), ctx.stats().snapshot(), leaseTtl)) {
                    log.error("flow {} run {} lost its single-flight lease (the database was unreachable for longer than "
                            + "hub.runs.lease-ttl={} and another run took over): cancelling it", ctx.flow(), ctx.runId(), leaseTtl);
                    ctx.cancel("it lost its single-flight lease to another run");
                    continue;
                }
                ctx.progress("still running after {} s: {}", ctx.elapsed().toSeconds(), ctx.stats().snapshot());
            } catch (RuntimeException e) {
                log.warn("heartbeat of run {} failed: {}", ctx.runId(), e.getMessage());
            }
        }
    }

    /**
     * When the hub shuts down (before Camel and the web server stop), running flows are asked to
     * stop and interrupted, so that their routes end and record them as failed instead of leaving
     * them 'running'.
     */
    @EventListener(ContextClosedEvent.class)
    public void shutdown() {
        housekeeping.shutdownNow();
        if (active.isEmpty()) {
            return;
        }
        log.warn("shutting down with {} run(s) in progress; interrupting them", active.size());
        for (Active a : active.values()) {
            a.ctx().cancel("the hub is shutting down");
            a.thread().interrupt();
        }
        long deadline = System.nanoTime() + shutdownGrace.toNanos();
        while (!active.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (Active a : active.values()) {
            try {
                ledger.finish(a.ctx().runId(), a.ctx().flow(), RunRecord.FAILED, a.ctx().stats().snapshot(),
                        "interrupted: the hub shut down before the run finished");
            } catch (RuntimeException e) {
                log.warn("could not record run {} as failed: {}", a.ctx().runId(), e.getMessage());
            }
        }
    }

    private final class LedgerPolicy extends RoutePolicySupport {
        @Override
        public void onExchangeDone(Route route, Exchange exchange) {
            finish(route, exchange);
        }

        @Override
        public String toString() {
            return "hub run ledger";
        }
    }

    private static String instanceName() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "host";
        }
        String pid = String.valueOf(ProcessHandle.current().pid());
        String jvm = ManagementFactory.getRuntimeMXBean().getName();
        return host + ":" + pid + ":" + UUID.nameUUIDFromBytes(jvm.getBytes()).toString().substring(0, 8)
                + UUID.randomUUID().toString().substring(0, 4);
    }
}
