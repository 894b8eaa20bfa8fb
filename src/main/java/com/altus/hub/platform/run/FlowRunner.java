package com.altus.hub.platform.run;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
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

import javax.sql.DataSource;

import com.altus.hub.platform.dlq.DeadLetterService;
import com.altus.hub.platform.ops.Redactor;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Service;

/**
 * Runs flows: one {@code sync_jobs} row per run, never two runs of a flow at once across all
 * hub instances, metrics, heartbeats and progress for long runs, and cleanup of runs whose
 * instance died.
 *
 * <p>Single-flight is a PostgreSQL session advisory lock held on a dedicated connection for
 * the whole run: it is released by the server when the holder's connection dies, so a run left
 * 'running' by a dead instance is recognisable (its lock is free) and is marked failed by the
 * next run of the flow, at startup, or by the periodic reaper.
 */
@Service
public class FlowRunner {
    private static final Logger log = LoggerFactory.getLogger(FlowRunner.class);
    private static final int LOCK_NAMESPACE = 0x4855_4201; // "HUB" + 1: keeps our keys apart from others'
    static final String ORPHAN_REASON = "interrupted: the hub instance running it stopped before the run finished";

    private final Map<String, Flow> flows = new TreeMap<>();
    private final RunLedger ledger;
    private final DataSource dataSource;
    private final DeadLetterService deadLetters;
    private final Redactor redactor;
    private final MeterRegistry meters;
    private final String instanceId;
    private final Duration shutdownGrace;
    private final Map<Long, Active> active = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> runningGauge = new ConcurrentHashMap<>();
    private final ScheduledExecutorService housekeeping;

    private record Active(RunContext ctx, Thread thread) { }

    public FlowRunner(List<Flow> flowBeans, RunLedger ledger, DataSource dataSource, DeadLetterService deadLetters,
                      Redactor redactor, MeterRegistry meters,
                      @Value("${hub.runs.heartbeat:PT15S}") Duration heartbeat,
                      @Value("${hub.runs.reaper-interval:PT1M}") Duration reaperInterval,
                      @Value("${hub.runs.shutdown-grace:PT20S}") Duration shutdownGrace) {
        for (Flow f : flowBeans) {
            if (flows.put(f.name(), f) != null) {
                throw new IllegalStateException("two flows are named " + f.name());
            }
        }
        this.ledger = ledger;
        this.dataSource = dataSource;
        this.deadLetters = deadLetters;
        this.redactor = redactor;
        this.meters = meters;
        this.shutdownGrace = shutdownGrace;
        this.instanceId = instanceName();
        for (String name : flows.keySet()) {
            AtomicInteger g = new AtomicInteger();
            runningGauge.put(name, g);
            Gauge.builder("hub.flow.running", g, AtomicInteger::get).tag("flow", name)
                    .description("1 while this instance runs the flow").register(meters);
            for (String status : List.of(RunRecord.SUCCEEDED, RunRecord.PARTIAL, RunRecord.FAILED)) {
                runCounter(name, status);
            }
        }
        this.housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hub-run-housekeeping");
            t.setDaemon(true);
            return t;
        });
        housekeeping.scheduleWithFixedDelay(this::heartbeatAll, heartbeat.toMillis(), heartbeat.toMillis(), TimeUnit.MILLISECONDS);
        housekeeping.scheduleWithFixedDelay(this::reapQuietly, reaperInterval.toMillis(), reaperInterval.toMillis(), TimeUnit.MILLISECONDS);
    }

    public Collection<String> flowNames() {
        return flows.keySet();
    }

    public boolean exists(String flow) {
        return flows.containsKey(flow);
    }

    public String instanceId() {
        return instanceId;
    }

    /** Runs the flow now, in this thread. Throws {@link FlowBusyException} when it runs elsewhere. */
    public RunRecord run(String flowName, String trigger, Map<String, Object> params) {
        Flow flow = flows.get(flowName);
        if (flow == null) {
            throw new UnknownFlowException(flowName);
        }
        try (Connection lock = dataSource.getConnection()) {
            lock.setAutoCommit(true);
            if (!tryLock(lock, flowName)) {
                meters.counter("hub.flow.skipped", "flow", flowName).increment();
                throw new FlowBusyException(flowName);
            }
            try {
                return runLocked(flow, trigger, params);
            } finally {
                unlock(lock, flowName);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("database unavailable for the run ledger: " + e.getMessage(), e);
        }
    }

    /** For schedules: runs unless the flow is running somewhere (then logs and returns empty). */
    public Optional<RunRecord> runIfIdle(String flowName, String trigger, Map<String, Object> params) {
        try {
            return Optional.of(run(flowName, trigger, params));
        } catch (FlowBusyException busy) {
            log.info("{} trigger for flow {} skipped: it is already running", trigger, flowName);
            return Optional.empty();
        }
    }

    /** The context of a run in progress on this instance (for routes that dead-letter on its behalf). */
    public Optional<RunContext> activeRun(long runId) {
        Active a = active.get(runId);
        return a == null ? Optional.empty() : Optional.of(a.ctx());
    }

    private RunRecord runLocked(Flow flow, String trigger, Map<String, Object> params) {
        String name = flow.name();
        int orphans = ledger.failOrphans(name, ORPHAN_REASON);
        if (orphans > 0) {
            log.warn("flow {}: marked {} interrupted run(s) failed", name, orphans);
        }
        Map<String, Object> safeParams = params == null ? Map.of() : params;
        RunRecord started = ledger.start(name, trigger, instanceId, safeParams);
        RunContext ctx = new RunContext(started.id(), name, trigger, safeParams, deadLetters);
        active.put(started.id(), new Active(ctx, Thread.currentThread()));
        runningGauge.get(name).set(1);
        log.info("flow {} run {} started ({})", name, started.id(), trigger);
        long t0 = System.nanoTime();
        String status;
        String error = null;
        try {
            flow.run(ctx);
            boolean partial = ctx.deadLettered() > 0 || !ctx.partialReasons().isEmpty();
            status = partial ? RunRecord.PARTIAL : RunRecord.SUCCEEDED;
            if (partial) {
                error = partialSummary(ctx);
            }
        } catch (InterruptedException e) {
            status = RunRecord.FAILED;
            error = "interrupted: " + e.getMessage();
        } catch (Exception | Error e) {
            status = RunRecord.FAILED;
            error = describe(e);
            log.error("flow {} run {} failed: {}", name, started.id(), redactor.redact(error), e);
        } finally {
            active.remove(started.id());
            runningGauge.get(name).set(0);
        }
        boolean wasInterrupted = Thread.interrupted(); // let the final JDBC write through
        try {
            RunRecord done = ledger.finish(started.id(), status, ctx.stats().snapshot(), redactor.redact(error));
            long nanos = System.nanoTime() - t0;
            runCounter(name, status).increment();
            Timer.builder("hub.flow.duration").tag("flow", name).tag("status", status)
                    .description("flow run duration").register(meters).record(nanos, TimeUnit.NANOSECONDS);
            log.info("flow {} run {} {} in {} ms: {}{}", name, done.id(), status, TimeUnit.NANOSECONDS.toMillis(nanos),
                    done.stats(), error == null ? "" : " (" + redactor.redact(error) + ")");
            return done;
        } finally {
            if (wasInterrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

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

    private static boolean tryLock(Connection c, String flow) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(?, hashtext(?))")) {
            ps.setInt(1, LOCK_NAMESPACE);
            ps.setString(2, flow);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private static void unlock(Connection c, String flow) {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_unlock(?, hashtext(?))")) {
            ps.setInt(1, LOCK_NAMESPACE);
            ps.setString(2, flow);
            ps.execute();
        } catch (SQLException e) {
            // the lock dies with the session anyway; closing the connection below ends it
            log.warn("could not release the run lock of {}: {}", flow, e.getMessage());
        }
    }

    /** Marks runs left 'running' by dead instances as failed (their locks are free). */
    @EventListener(ApplicationReadyEvent.class)
    public int reapOrphans() {
        int reaped = 0;
        for (String flow : ledger.flowsWithRunningRows()) {
            if (active.values().stream().anyMatch(a -> a.ctx().flow().equals(flow))) {
                continue;
            }
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(true);
                if (tryLock(c, flow)) {
                    try {
                        int n = ledger.failOrphans(flow, ORPHAN_REASON);
                        if (n > 0) {
                            log.warn("flow {}: marked {} interrupted run(s) failed", flow, n);
                        }
                        reaped += n;
                    } finally {
                        unlock(c, flow);
                    }
                }
            } catch (SQLException e) {
                log.warn("run reaper could not check flow {}: {}", flow, e.getMessage());
            }
        }
        return reaped;
    }

    private void reapQuietly() {
        try {
            reapOrphans();
        } catch (RuntimeException e) {
            log.warn("run reaper failed: {}", e.getMessage());
        }
    }

    private void heartbeatAll() {
        for (Active a : active.values()) {
            RunContext ctx = a.ctx();
            try {
                ledger.heartbeat(ctx.runId(), ctx.stats().snapshot());
                ctx.progress("still running after {} s: {}", ctx.elapsed().toSeconds(), ctx.stats().snapshot());
            } catch (RuntimeException e) {
                log.warn("heartbeat of run {} failed: {}", ctx.runId(), e.getMessage());
            }
        }
    }

    /** On shutdown, asks running flows to stop and records them as failed rather than leaving them 'running'. */
    @PreDestroy
    public void shutdown() {
        housekeeping.shutdownNow();
        if (active.isEmpty()) {
            return;
        }
        log.warn("shutting down with {} run(s) in progress; interrupting them", active.size());
        for (Active a : active.values()) {
            a.ctx().cancel();
            a.thread().interrupt();
        }
        long deadline = System.nanoTime() + shutdownGrace.toNanos();
        while (!active.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (Active a : active.values()) {
            try {
                ledger.finish(a.ctx().runId(), RunRecord.FAILED, a.ctx().stats().snapshot(),
                        "interrupted: the hub shut down before the run finished");
            } catch (RuntimeException e) {
                log.warn("could not record run {} as failed: {}", a.ctx().runId(), e.getMessage());
            }
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
