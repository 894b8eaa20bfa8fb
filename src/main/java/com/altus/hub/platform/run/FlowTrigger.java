package com.altus.hub.platform.run;

import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * What the YAML schedule routes call before they send to {@code direct:<flow>}:
 * {@code scheduled} marks the exchange as a schedule firing (with its fire time as the run
 * parameter {@code scheduled_fire_time}), {@code chained} as the next flow of a chain. A chain's
 * next flow runs only when the previous one did not fail: a failed run fails the exchange, which
 * ends the schedule route (route configuration {@value FlowRouteConfiguration#TRIGGER_ID}); a skipped
 * trigger (the flow runs elsewhere) stops it too.
 */
@Component("flowTrigger")
public class FlowTrigger {
    private static final Logger log = LoggerFactory.getLogger(FlowTrigger.class);

    public void scheduled(Exchange exchange) {
        Map<String, Object> params = new LinkedHashMap<>();
        Date fire = exchange.getMessage().getHeader("scheduledFireTime", Date.class);
        if (fire != null) {
            params.put(FlowDefinition.SCHEDULED_FIRE_TIME.name(), fire.toInstant().toString());
        }
        exchange.getMessage().setHeader(FlowRunner.TRIGGER_HEADER, "schedule");
        exchange.getMessage().setHeader(FlowRunner.PARAMS_HEADER, params);
    }

    public void chained(Exchange exchange) {
        exchange.getMessage().setHeader(FlowRunner.TRIGGER_HEADER, "chain");
        exchange.getMessage().setHeader(FlowRunner.PARAMS_HEADER, Map.of());
    }

    /** The schedule route's error handling: a failed run is already logged and recorded; anything else is logged here. */
    public void failed(Exchange exchange) {
        Throwable e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        RunRecord record = exchange.getProperty(FlowRunner.RECORD_PROPERTY, RunRecord.class);
        if (record == null) {
            log.error("schedule route {} could not start its flow: {}", exchange.getFromRouteId(),
                    e == null ? "unknown error" : e.getMessage(), e);
        } else {
            log.info("schedule route {}: run {} of {} failed, so the chain stops here", exchange.getFromRouteId(),
                    record.id(), record.flow());
        }
    }
}
