package com.altus.hub.platform.http;

/** A failure that retrying will not fix (HTTP 4xx other than 408/429, invalid input). */
public class PermanentFailure extends RuntimeException {
    private final int status;
    private final String responseBody;

    public PermanentFailure(String message, int status, String responseBody) {
        super(message);
        this.status = status;
        this.responseBody = responseBody;
    }

    public int status() {
        return status;
    }

    /** The service's error body (already free of our secrets: services never echo them). */
    public String responseBody() {
        return responseBody;
    }
}
