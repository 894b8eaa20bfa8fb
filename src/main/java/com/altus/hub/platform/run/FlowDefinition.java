package com.altus.hub.platform.run;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the platform knows of a flow before it runs: its name (the route id and
 * {@code direct:<name>}) and the run parameters it accepts.
 */
public record FlowDefinition(String name, List<FlowParam> params) {
    /** Set by the schedule routes on every flow: the Quartz fire time. */
    public static final FlowParam SCHEDULED_FIRE_TIME = FlowParam.text("scheduled_fire_time", "set by schedules");

    public FlowDefinition {
        params = List.copyOf(params);
    }

    /** Checks and converts parameters; unknown, null or wrong-typed ones throw {@link FlowParameterException}. */
    public Map<String, Object> validate(Map<String, ?> raw) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (raw == null) {
            return out;
        }
        for (Map.Entry<String, ?> e : raw.entrySet()) {
            FlowParam p = param(e.getKey());
            if (p == null) {
                throw new FlowParameterException(e.getKey(), "flow " + name + " has no run parameter '" + e.getKey() + "'"
                        + (params.isEmpty() ? " (it takes none)" : " (it takes: " + String.join(", ",
                        params.stream().map(FlowParam::name).toList()) + ")"));
            }
            out.put(p.name(), p.coerce(e.getValue()));
        }
        return out;
    }

    /** Whether the flow takes a parameter of that name. */
    public boolean accepts(String key) {
        return param(key) != null;
    }

    private FlowParam param(String key) {
        if (SCHEDULED_FIRE_TIME.name().equals(key)) {
            return SCHEDULED_FIRE_TIME;
        }
        for (FlowParam p : params) {
            if (p.name().equals(key)) {
                return p;
            }
        }
        return null;
    }
}
