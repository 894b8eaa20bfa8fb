package com.altus.hub.platform.run;

/** No flow of that name is registered (answered 404). */
public class UnknownFlowException extends RuntimeException {
    public UnknownFlowException(String flow) {
        super("unknown flow '" + flow + "'");
    }
}
