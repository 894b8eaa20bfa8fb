package com.altus.hub.platform.run;

import org.apache.camel.builder.RouteConfigurationBuilder;
import org.springframework.stereotype.Component;

/**
 * Error handling of flow routes and of the routes that trigger them.
 * <ul>
 * <li>{@value #ID} (flow routes): none. A failure that reaches the flow route fails the exchange,
 * and so the run; the run ledger logs and records it once. Per-unit failures never get there:
 * the sub-routes dead-letter them.</li>
 * <li>{@value #TRIGGER_ID} (schedule routes): a failed run ends the firing (a chain goes no
 * further) without Quartz reporting an unhandled job exception.</li>
 * </ul>
 */
@Component
public class FlowRouteConfiguration extends RouteConfigurationBuilder {
    public static final String ID = "hub-flow";
    public static final String TRIGGER_ID = "hub-trigger";

    @Override
    public void configuration() {
        routeConfiguration(ID).errorHandler(noErrorHandler());
        routeConfiguration(TRIGGER_ID)
                .onException(Exception.class).handled(true).logHandled(false).logExhausted(false)
                    .bean("flowTrigger", "failed");
    }
}
