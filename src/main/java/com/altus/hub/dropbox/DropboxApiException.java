package com.altus.hub.dropbox;

/**
 * Dropbox refused a request for a reason retrying will not change (HTTP 409 route errors,
 * 400, 401 after a token refresh). Carries Dropbox's error_summary, e.g.
 * {@code path/insufficient_space/}, which the REST answer shows as is.
 */
public class DropboxApiException extends RuntimeException {
    private final int status;
    private final String errorSummary;

    public DropboxApiException(int status, String errorSummary, String message) {
        super(message);
        this.status = status;
        this.errorSummary = errorSummary;
    }

    public int status() {
        return status;
    }

    public String errorSummary() {
        return errorSummary;
    }
}
