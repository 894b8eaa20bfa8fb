package com.altus.hub.platform.dlq;

import java.util.Map;

/**
 * A record that could not be processed: which flow and entity, the original payload, and why.
 * {@code payload} is anything Jackson can write (a JsonNode, a map, a record); a String is
 * stored as a JSON string (for input that is not JSON at all).
 */
public record DeadLetter(
        String flow,
        String routeId,
        String entityType,
        String entityKey,
        Object payload,
        Map<String, Object> headers,
        String errorClass,
        String errorMessage,
        Long runId) {

    public static DeadLetter of(String flow, String entityType, String entityKey, Object payload, String reason, Throwable cause) {
        String cls = cause == null ? "RejectedRecord" : cause.getClass().getName();
        String msg = reason;
        if (cause != null && cause.getMessage() != null && (reason == null || !reason.contains(cause.getMessage()))) {
            msg = reason == null ? cause.getMessage() : reason + ": " + cause.getMessage();
        }
        return new DeadLetter(flow, null, entityType, entityKey, payload, Map.of(), cls, msg, null);
    }

    public DeadLetter withRunId(long id) {
        return new DeadLetter(flow, routeId, entityType, entityKey, payload, headers, errorClass, errorMessage, id);
    }

    public DeadLetter withRoute(String route, Map<String, Object> hdrs) {
        return new DeadLetter(flow, route, entityType, entityKey, payload, hdrs, errorClass, errorMessage, runId);
    }
}
