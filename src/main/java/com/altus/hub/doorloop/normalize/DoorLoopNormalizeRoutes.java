package com.altus.hub.doorloop.normalize;

import java.util.concurrent.ExecutorService;

import com.altus.hub.platform.run.FlowRouteBuilder;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The {@code doorloop-normalize} flow: doorloop_raw_* -> normalized_*, then the materialized
 * views. One {@code doorloop-normalize-entity} exchange is one entity's set-based upsert. The
 * split sends the entities parents first to {@code hub.doorloop.normalize.parallelism} threads
 * (each statement on its own connection); an entity waits until the entities it references are
 * settled (the split's aggregation, {@link EntitySettlement}, marks each one as its exchange is
 * done), so independent entities run at the same time and each starts as soon as it can (the
 * mapping is a DAG, see {@link EntityDag}). A record that does not normalize (an unknown parent,
 * a field that does not parse) is dead-lettered with a unit that a replay sends back to normalize
 * just that record after its parents; an entity that fails is dead-lettered whole (the entities
 * referencing it are not run against it). The run fails only when no entity could be normalized.
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
                .split(body(), steps.settlement()).parallelProcessing().streaming().executorService(pool)
                        .id("doorloop-normalize-entities")
                    .to("direct:" + ENTITY_ROUTE).id("doorloop-normalize-each")
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
