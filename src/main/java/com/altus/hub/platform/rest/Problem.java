package com.altus.hub.platform.rest;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An RFC 9457 problem (application/problem+json) as an exception: thrown anywhere in request
 * handling, it becomes the response. Extra members (such as {@code field}) are kept in order.
 */
public class Problem extends RuntimeException {
    public static final String MEDIA_TYPE = "application/problem+json";

    private final int status;
    private final Map<String, Object> extra = new LinkedHashMap<>();

    public Problem(int status, String detail) {
        super(detail);
        this.status = status;
    }

    public static Problem badRequest(String field, String detail) {
        return new Problem(400, detail).with("field", field);
    }

    public static Problem notFound(String detail) {
        return new Problem(404, detail);
    }

    public Problem with(String key, Object value) {
        extra.put(key, value);
        return this;
    }

    /** Copies the extra members of another problem. */
    public Problem withAll(Problem other) {
        extra.putAll(other.extra);
        return this;
    }

    public int status() {
        return status;
    }

    public Map<String, Object> body(String instance) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("type", "about:blank");
        b.put("title", title(status));
        b.put("status", status);
        b.put("detail", getMessage());
        if (instance != null) {
            b.put("instance", instance);
        }
        b.putAll(extra);
        return b;
    }

    public static String title(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 409 -> "Conflict";
            case 413 -> "Content Too Large";
            case 415 -> "Unsupported Media Type";
            case 422 -> "Unprocessable Content";
            case 429 -> "Too Many Requests";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            default -> status >= 500 ? "Internal Server Error" : "Error";
        };
    }
}
