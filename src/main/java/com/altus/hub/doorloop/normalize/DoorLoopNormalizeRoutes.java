package com.altus.hub.doorloop.normalize;

import java.util.concurrent.ExecutorService;

import com.altus.hub.platform.run.FlowRouteBuilder;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The {@code doorloop-normalize} flow: doorloop_raw_* -> normalized_*, then the materialized
 * views. The entities run layer by layer in topological order (parents before children, see
 * {@link EntityDag}); the entities of a layer are independent and run at the same time on
 * {@code hub.doorloop.normalize.parallelism} threads (each statement on its own connection).
 * One {@code doorloop-normalize-entity} exchange is one entity's set-based upsert. A record that
 * does not normalize (an unknown parent, a field that does not parse) is dead-lettered with a
 * unit that a replay sends back to normalize just that record after its parents; an entity that
 * fails is dead-lettered whole (its children are not run against it). The run fails only when no
 * entity could be normalized.
 */
@Component
public class DoorLoopNormalizeRoutes extends FlowRouteBuilder {
    public static final String NAME = DoorLoopMapping.FLOW;
    public static final String ENTITY_ROUTE = NormalizeEntitySteps.ROUTE;

    private final NormalizeSteps steps;
    private final NormalizeEntitySteps entity;
    private final int parallelism;

    public DoorLoopNormalizeRoutes(NormalizeSteps steps, NormalizeEntitySteps entity,
                                   @Value("${hub.doorloop.normalize.parallelism:2}") int parallelism) {
        this.steps = steps;
        this.entity = entity;
        this.parallelism = Math.max(1, parallelism);
    }

    @Override
    public void configure() {
        ExecutorService pool = getContext().getExecutorServiceManager().newFixedThreadPool(this, NAME, parallelism);

        flow(NAME)
                .process(steps::plan).id("doorloop-normalize-plan")
                .split(body()).id("doorloop-normalize-layers")
                    .split(body()).parallelProcessing().executorService(pool).id("doorloop-normalize-layer")
                        .to("direct:" + ENTITY_ROUTE).id("doorloop-normalize-each")
                    .end()
                .end()
                .process(steps::finish).id("doorloop-normalize-finish")
                .process(steps::refreshViews).id("doorloop-normalize-refresh-views");

        unit(ENTITY_ROUTE)
                .process(entity::begin).id("doorloop-normalize-entity-begin")
                .process(entity::parents).id("doorloop-normalize-entity-parents")
                .process(entity::upsert).id("doorloop-normalize-entity-upsert")
                .process(entity::settle).id("doorloop-normalize-entity-settle");
    }
}
