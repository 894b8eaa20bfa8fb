package com.altus.hub.platform.run;

import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.stereotype.Component;

/**
 * What the YAML schedule routes call: {@code scheduled('azure-sync', ${header.scheduledFireTime})}
 * runs a flow unless it is running somewhere (then the trigger is skipped), and
 * {@code chained('doorloop-normalize')} runs the next flow of a chain.
 * Both answer the run record, or null when the run was skipped.
 */
@Component("flowTrigger")
public class FlowTrigger {
    private final FlowRunner runner;

    public FlowTrigger(FlowRunner runner) {
        this.runner = runner;
    }

    public RunRecord scheduled(String flow, Date scheduledFireTime) {
        Map<String, Object> params = new LinkedHashMap<>();
        if (scheduledFireTime != null) {
            params.put("scheduled_fire_time", scheduledFireTime.toInstant().toString());
        }
        return runner.runIfIdle(flow, "schedule", params).orElse(null);
    }

    public RunRecord chained(String flow) {
        return runner.runIfIdle(flow, "chain", Map.of()).orElse(null);
    }

    /** Whether a chain goes on after this record: it ran and did not fail. */
    public static boolean proceed(RunRecord previous) {
        return previous != null && !previous.failed();
    }
}
