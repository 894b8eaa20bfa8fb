package com.altus.hub.platform.run;

/** A run parameter that is unknown, null or of the wrong type (answered 400; the CLI exits 2). */
public class FlowParameterException extends IllegalArgumentException {
    private final String parameter;

    public FlowParameterException(String parameter, String message) {
        super(message);
        this.parameter = parameter;
    }

    public String parameter() {
        return parameter;
    }
}
