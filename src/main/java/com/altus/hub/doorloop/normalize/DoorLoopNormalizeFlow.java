package com.altus.hub.doorloop.normalize;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import com.altus.hub.doorloop.normalize.NormalizeRepository.EntityResult;
import com.altus.hub.doorloop.normalize.NormalizeRepository.Rejected;
import com.altus.hub.platform.dlq.DeadLetterService;
import com.altus.hub.platform.run.Flow;
import com.altus.hub.platform.run.RunContext;
import com.altus.hub.platform.run.RunStats;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The {@code doorloop-normalize} flow: doorloop_raw_* -> normalized_*, one set-based upsert per
 * entity in parent-first order, then a concurrent refresh of the materialized views.
 * A record whose parent does not resolve (or whose fields do not parse) is dead-lettered with the
 * reason and left out; open letters of records that now normalize are closed. Stats per entity:
 * inserted, updated, unchanged, deleted, orphaned, invalid.
 *
 * <p>Each entity's statement commits on its own, so entities whose parents are done run at the
 * same time on {@code hub.doorloop.normalize.parallelism} connections (the mapping is a DAG:
 * tenants need nothing, lease payments need leases, ...).
 */
@Component
public class DoorLoopNormalizeFlow implements Flow {
    private final NormalizeRepository repository;
    private final DeadLetterService deadLetters;

    private final int parallelism;

    public DoorLoopNormalizeFlow(NormalizeRepository repository, DeadLetterService deadLetters,
                                 @Value("${hub.doorloop.normalize.parallelism:2}") int parallelism) {
        this.repository = repository;
        this.deadLetters = deadLetters;
        this.parallelism = Math.max(1, parallelism);
    }

    @Override
    public String name() {
        return DoorLoopMapping.FLOW;
    }

    @Override
    public void run(RunContext ctx) throws Exception {
        AtomicLong changed = new AtomicLong();
        EntityDag.run(DoorLoopMapping.ENTITIES, parallelism, "doorloop-normalize-" + ctx.runId(),
                spec -> normalizeEntity(ctx, spec, changed));
        ctx.checkNotCancelled();
        // after the entity statements committed: CONCURRENTLY cannot share a transaction with them
        long t0 = System.nanoTime();
        repository.refreshMaterializedViews();
        ctx.stats().set("views_refreshed", new ArrayList<>(NormalizeRepository.MATERIALIZED_VIEWS));
        ctx.stats().set("rows_changed", changed.get());
        ctx.progress("materialized views refreshed in {} ms", (System.nanoTime() - t0) / 1_000_000);
    }

    private void normalizeEntity(RunContext ctx, EntitySpec spec, AtomicLong changed) {
        if (ctx.cancelled()) {
            throw new java.util.concurrent.CancellationException("run " + ctx.runId() + " cancelled: the hub is shutting down");
        }
        long t0 = System.nanoTime();
        EntityResult r = repository.normalize(spec);
        long vanished = spec.derived() ? repository.markVanished(spec) : 0;
        RunStats s = ctx.stats().group(spec.statsGroup());
        s.add("inserted", r.inserted());
        s.add("updated", r.updated());
        s.add("unchanged", r.unchanged());
        s.add("deleted", r.deleted() + vanished);
        s.add("orphaned", r.orphaned());
        s.add("invalid", r.invalid());
        long entityChanged = r.inserted() + r.updated() + vanished;
        changed.addAndGet(entityChanged);
        if (entityChanged > 0 && entityChanged * 10 >= r.candidates()) {
            repository.analyze(spec); // before its children's statements plan against it
        }
        for (Rejected rej : r.rejected()) {
            String what = rej.orphan() ? "unresolved reference" : "invalid field";
            ctx.deadLetter(spec.entityType(), rej.id(), rej.data(),
                    spec.entityType() + " " + rej.id() + " not normalized (" + what + "): " + rej.reason(), null);
        }
        if (!r.resolved().isEmpty()) {
            deadLetters.resolve(name(), spec.entityType(), r.resolved());
            s.add("resolved", r.resolved().size());
        }
        ctx.progress("{}: {} inserted, {} updated, {} unchanged, {} deleted, {} rejected in {} ms", spec.statsGroup(),
                r.inserted(), r.updated(), r.unchanged(), r.deleted() + vanished, r.rejected().size(),
                (System.nanoTime() - t0) / 1_000_000);
    }

    /** Stats groups in run order, for tests and docs. */
    public static List<String> statsGroups() {
        return DoorLoopMapping.ENTITIES.stream().map(EntitySpec::statsGroup).toList();
    }
}
