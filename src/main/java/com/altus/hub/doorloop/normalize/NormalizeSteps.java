package com.altus.hub.doorloop.normalize;

import java.util.ArrayList;
import java.util.List;

import com.altus.hub.platform.run.RunContext;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/**
 * The steps of the {@code doorloop-normalize} route around its split: the plan (the entities in
 * topological order), the finish (the run fails only when no entity could be normalized) and the
 * refresh of the materialized views, after the entity statements committed (CONCURRENTLY cannot
 * share their transaction).
 */
@Component
public class NormalizeSteps {
    private final NormalizeRepository repository;

    public NormalizeSteps(NormalizeRepository repository) {
        this.repository = repository;
    }

    /**
     * Body: the entities' units in run order, every entity after those it references (the layers
     * of {@link EntityDag}, one after the other); stats groups declared in mapping order.
     */
    public void plan(Exchange ex) {
        RunContext ctx = RunContext.of(ex);
        List<EntitySpec> order = new ArrayList<>();
        EntityDag.layers(DoorLoopMapping.ENTITIES).forEach(order::addAll);
        for (EntitySpec spec : DoorLoopMapping.ENTITIES) {
            ctx.stats().group(spec.statsGroup());
        }
        ex.setProperty(NormalizeState.PROPERTY, new NormalizeState(order));
        ctx.progress("normalizing {} entities, each once the entities it references are done", order.size());
        ex.getMessage().setBody(order.stream().map(EntityUnit::whole).toList());
    }

    /** The split's aggregation: marks each entity settled as its exchange is done. */
    public AggregationStrategy settlement() {
        return new EntitySettlement();
    }

    /** Fails the run when no entity could be normalized (each failure is already a dead letter). */
    public void finish(Exchange ex) {
        RunContext ctx = RunContext.of(ex);
        NormalizeState state = NormalizeState.of(ex);
        ctx.stats().set("rows_changed", state.changed());
        if (state.normalizedCount() == 0) {
            throw new IllegalStateException("no DoorLoop entity could be normalized (see the dead letters of "
                    + DoorLoopMapping.FLOW + ")");
        }
    }

    public void refreshViews(Exchange ex) {
        RunContext ctx = RunContext.of(ex);
        long t0 = System.nanoTime();
        repository.refreshMaterializedViews();
        ctx.stats().set("views_refreshed", new ArrayList<>(NormalizeRepository.MATERIALIZED_VIEWS));
        ctx.progress("materialized views refreshed in {} ms", (System.nanoTime() - t0) / 1_000_000);
    }
}
