package com.altus.hub.schedule;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import com.altus.hub.platform.dlq.DeadLetterService;
import com.altus.hub.platform.run.RunContext;
import com.altus.hub.platform.run.Units;
import org.apache.camel.Exchange;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;

/**
 * Brings the auth directory in line with {@code user_profiles}: creates or updates the users whose
 * profile changed since auth last confirmed it ({@code auth_hash <> auth_synced_hash}) and
 * hard-deletes the users queued in {@code auth_user_deletions}. Only what changed is called, so an
 * unchanged run makes no auth calls. Calls run with bounded concurrency; 429/5xx are retried with
 * backoff (Retry-After honoured) inside the adapter; an email owned by another auth user id, or a
 * call that still fails, becomes a dead letter while the others go on. It is the step of route
 * {@code azure-sync-auth}: a run sends {@link AuthWork#everyone()}; a letter names its user, and
 * replaying it sends that user alone to the route again.
 */
@Service
public class AuthReconciler {
    static final String ENTITY_USER = "auth_user";
    static final String ENTITY_DELETION = "auth_user_deletion";
    static final String ENTITY_ALL = "auth_reconcile";
    private static final UUID FIRST = new UUID(0, 0);

    private final ScheduleRepository repo;
    private final ScheduleAdapters adapters;
    private final DeadLetterService deadLetters;
    private final int concurrency;
    private final int pageSize;
    private final int maxFailures;

    public AuthReconciler(ScheduleRepository repo, ScheduleAdapters adapters, DeadLetterService deadLetters,
                          @Value("${hub.azure.auth.concurrency:4}") int concurrency,
                          @Value("${hub.azure.auth.page-size:500}") int pageSize,
                          @Value("${hub.azure.auth.max-failures-per-run:50}") int maxFailures) {
        this.repo = repo;
        this.adapters = adapters;
        this.deadLetters = deadLetters;
        this.concurrency = Math.max(1, concurrency);
        this.pageSize = Math.max(1, pageSize);
        this.maxFailures = Math.max(1, maxFailures);
    }

    /** The step of route azure-sync-auth: every pending user, or the users the body names. */
    public void reconcile(Exchange exchange) throws Exception {
        AuthWork work = Units.body(exchange, AuthWork.class);
        RunContext ctx = RunContext.of(exchange);
        if (work.all()) {
            Units.entity(exchange, ENTITY_ALL, "pending users");
            reconcileAll(ctx);
        } else {
            Units.entity(exchange, ENTITY_USER, work.userIds().size() == 1 ? work.userIds().get(0).toString()
                    : work.userIds().toString());
            reconcileOnly(ctx, work.userIds());
        }
    }

    private void reconcileAll(RunContext ctx) throws InterruptedException {
        AuthDirectory auth = adapters.authDirectory();
        if (!auth.enabled()) {
            return;
        }
        AtomicInteger failures = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(concurrency, r -> {
            Thread t = new Thread(r, "azure-sync-auth");
            t.setDaemon(true);
            return t;
        });
        try {
            UUID after = FIRST;
            while (failures.get() < maxFailures) {
                ctx.checkNotCancelled();
                List<ScheduleRepository.PendingAuth> page = repo.pendingAuth(after, pageSize);
                if (page.isEmpty()) {
                    break;
                }
                after = page.get(page.size() - 1).id();
                List<ScheduleRepository.PendingAuth> done = upsertAll(ctx, auth, pool, page, failures);
                repo.markAuthSynced(done);
                deadLetters.resolve(ctx.flow(), ENTITY_USER, done.stream().map(p -> p.id().toString()).toList());
            }
            after = FIRST;
            while (failures.get() < maxFailures) {
                ctx.checkNotCancelled();
                List<ScheduleRepository.PendingDeletion> page = repo.pendingDeletions(after, pageSize);
                if (page.isEmpty()) {
                    break;
                }
                after = page.get(page.size() - 1).id();
                List<UUID> done = deleteAll(ctx, auth, pool, page, failures);
                repo.markDeleted(done);
                deadLetters.resolve(ctx.flow(), ENTITY_DELETION, done.stream().map(UUID::toString).toList());
            }
            if (failures.get() >= maxFailures) {
                ctx.partial("auth provisioning stopped after " + failures.get()
                        + " failed calls (hub.azure.auth.max-failures-per-run); the rest is retried on the next run");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private List<ScheduleRepository.PendingAuth> upsertAll(RunContext ctx, AuthDirectory auth, ExecutorService pool,
                                                          List<ScheduleRepository.PendingAuth> page, AtomicInteger failures)
            throws InterruptedException {
        ConcurrentLinkedQueue<ScheduleRepository.PendingAuth> done = new ConcurrentLinkedQueue<>();
        List<Future<?>> futures = new ArrayList<>(page.size());
        for (ScheduleRepository.PendingAuth p : page) {
            futures.add(pool.submit(() -> {
                if (failures.get() >= maxFailures) {
                    return;
                }
                AuthDirectory.AuthUser user = new AuthDirectory.AuthUser(p.id(), p.email(), p.metadataJson());
                try {
                    if (p.neverSynced()) {
                        auth.create(user);
                        ctx.stats().increment("auth_created");
                    } else {
                        auth.update(user);
                        ctx.stats().increment("auth_updated");
                    }
                    done.add(p);
                } catch (AuthDirectory.EmailTakenException e) {
                    ctx.stats().increment("auth_failed");
                    ctx.deadLetter(AzureSyncRoutes.AUTH_ROUTE, ENTITY_USER, p.id().toString(), AuthWork.user(p.id(), p.email()),
                            e.getMessage(), null);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (Exception e) {
                    failures.incrementAndGet();
                    ctx.stats().increment("auth_failed");
                    ctx.deadLetter(AzureSyncRoutes.AUTH_ROUTE, ENTITY_USER, p.id().toString(), AuthWork.user(p.id(), p.email()),
                            (p.neverSynced() ? "creating" : "updating") + " the auth user failed", e);
                }
            }));
        }
        await(futures);
        return new ArrayList<>(done);
    }

    private List<UUID> deleteAll(RunContext ctx, AuthDirectory auth, ExecutorService pool,
                                 List<ScheduleRepository.PendingDeletion> page, AtomicInteger failures) throws InterruptedException {
        ConcurrentLinkedQueue<UUID> done = new ConcurrentLinkedQueue<>();
        List<Future<?>> futures = new ArrayList<>(page.size());
        for (ScheduleRepository.PendingDeletion d : page) {
            futures.add(pool.submit(() -> {
                if (failures.get() >= maxFailures) {
                    return;
                }
                try {
                    auth.delete(d.id());
                    ctx.stats().increment("auth_deleted");
                    done.add(d.id());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (Exception e) {
                    failures.incrementAndGet();
                    ctx.stats().increment("auth_failed");
                    ctx.deadLetter(AzureSyncRoutes.AUTH_ROUTE, ENTITY_DELETION, d.id().toString(), AuthWork.user(d.id(), d.email()),
                            "deleting the auth user failed", e);
                }
            }));
        }
        await(futures);
        return new ArrayList<>(done);
    }

    /**
     * Brings just these users in line (a replayed letter): creates or updates those whose auth record
     * is behind, deletes those queued for deletion. Throws when any still fails, so the letter stays
     * pending; the ones that went through are recorded.
     */
    private void reconcileOnly(RunContext ctx, List<UUID> ids) throws Exception {
        AuthDirectory auth = adapters.authDirectory();
        if (!auth.enabled()) {
            return;
        }
        Exception first = null;
        int failed = 0;
        for (ScheduleRepository.PendingAuth p : repo.pendingAuth(ids)) {
            try {
                AuthDirectory.AuthUser user = new AuthDirectory.AuthUser(p.id(), p.email(), p.metadataJson());
                if (p.neverSynced()) {
                    auth.create(user);
                    ctx.stats().increment("auth_created");
                } else {
                    auth.update(user);
                    ctx.stats().increment("auth_updated");
                }
                repo.markAuthSynced(List.of(p));
                deadLetters.resolve(ctx.flow(), ENTITY_USER, List.of(p.id().toString()));
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                ctx.stats().increment("auth_failed");
                failed++;
                first = first == null ? e : first;
            }
        }
        for (ScheduleRepository.PendingDeletion d : repo.pendingDeletions(ids)) {
            try {
                auth.delete(d.id());
                ctx.stats().increment("auth_deleted");
                repo.markDeleted(List.of(d.id()));
                deadLetters.resolve(ctx.flow(), ENTITY_DELETION, List.of(d.id().toString()));
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                ctx.stats().increment("auth_failed");
                failed++;
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw new IllegalStateException(failed + " of the named auth users still failed: " + first.getMessage(), first);
        }
    }

    private static void await(List<Future<?>> futures) throws InterruptedException {
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                // tasks catch everything they can fail with; an Error (out of memory) ends the run
                throw new IllegalStateException("an auth call crashed: " + e.getCause(), e.getCause());
            }
        }
    }
}
