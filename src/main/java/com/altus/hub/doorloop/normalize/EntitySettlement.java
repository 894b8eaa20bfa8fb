package com.altus.hub.doorloop.normalize;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;

/**
 * The aggregation of the doorloop-normalize split, called as each entity's exchange is done
 * (normalized, or dead-lettered by the channel): tells the run's {@link NormalizeState} that the
 * entity is settled, so that the entities waiting for it go on. The flow's exchange stays as it
 * is, unless an entity's exchange failed outright (an aborted or cancelled run), which then fails
 * the run.
 */
final class EntitySettlement implements AggregationStrategy {

    @Override
    public Exchange aggregate(Exchange oldExchange, Exchange newExchange) {
        NormalizeState state = NormalizeState.of(newExchange);
        Integer index = newExchange.getProperty(Exchange.SPLIT_INDEX, Integer.class);
        if (state != null && index != null) {
            state.settled(index);
        }
        return newExchange.getException() != null ? newExchange : oldExchange;
    }
}
