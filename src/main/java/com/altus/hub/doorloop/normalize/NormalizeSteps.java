package com.altus.hub.doorloop.normalize;

import java.util.ArrayList;
import java.util.List;

import com.altus.hub.platform.run.RunContext;
import org.apache.camel.Exchange;
import org.springframework.stereotype.Component;

/**
 * The steps of the {@code doorloop-normalize} route around its splits: the plan (the entities in
 * topological layers), the finish (the run fails only when no entity could be normalized) and the
 * refresh of the materialized views, after the entity statements committed (CONCURRENTLY cannot
 * share their transaction).
 */
@Component
public class NormalizeSteps {
    private final NormalizeRepository repository;

    public NormalizeSteps(NormalizeRepository repository) {
        this.repository = repository;
    }

    /** Body: the entities' units, layer by layer (parents first); stats groups declared in mapping order. */
    public void plan(Exchange ex) {
        RunContext ctx = RunContext.of(ex);
        List<List<EntityUnit>> layers = new ArrayList<>();
        for (List<EntitySpec> layer : EntityDag.layers(DoorLoopMapping.ENTITIES)) {
            layers.add(layer.stream().map(EntityUnit::whole).toList());
        }
        for (EntitySpec spec : DoorLoopMapping.ENTITIES) {
            ctx.stats().group(spec.statsGroup());
        }
        ex.setProperty(NormalizeState.PROPERTY, new NormalizeState());
        ctx.progress("normalizing {} entities in {} layers", DoorLoopMapping.ENTITIES.size(), layers.size());
        ex.getMessage().setBody(layers);
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
