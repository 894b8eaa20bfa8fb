package com.altus.hub.platform.run;

/** The flow is already running on some hub instance (answered 409, or the trigger is skipped). */
public class FlowBusyException extends RuntimeException {
    private final String flow;

    public FlowBusyException(String flow) {
        super("flow " + flow + " is already running");
        this.flow = flow;
    }

    public String flow() {
        return flow;
    }
}
