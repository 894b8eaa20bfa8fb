package com.altus.hub.platform.dlq;

import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import com.altus.hub.platform.http.TransientFailure;
import com.altus.hub.platform.run.FlowRunner;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteConfigurationBuilder;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The shared error handling that flow routes opt into with {@code .routeConfigurationId(ID)}:
 * transient errors (I/O, timeouts, {@link TransientFailure}) are redelivered with exponential
 * backoff; whatever still fails goes, with its original message, into {@code dead_letters}.
 *
 * <p>Routes say what failed through headers: {@link #FLOW}, {@link #ENTITY_TYPE},
 * {@link #ENTITY_KEY}, and {@link #RUN_ID} to count it in the run (which becomes partial).
 */
@Component
public class DeadLetterChannel extends RouteConfigurationBuilder {
    public static final String ID = "hub-dead-letter";
    public static final String FLOW = "HubFlow";
    public static final String ENTITY_TYPE = "HubEntityType";
    public static final String ENTITY_KEY = "HubEntityKey";
    public static final String RUN_ID = "HubRunId";
    public static final String REPLAY_HEADER = "HubReplayOf";
    private static final Set<String> SECRET_HEADERS = Set.of("authorization", "cookie", "x-api-key", "apikey");

    private final int redeliveries;
    private final long initialDelayMs;

    public DeadLetterChannel(@Value("${hub.dlq.channel.redeliveries:3}") int redeliveries,
                             @Value("${hub.dlq.channel.initial-delay-ms:500}") long initialDelayMs) {
        this.redeliveries = redeliveries;
        this.initialDelayMs = initialDelayMs;
    }

    @Override
    public void configuration() {
        routeConfiguration(ID)
                .errorHandler(deadLetterChannel("bean:deadLetterChannel?method=store")
                        .useOriginalMessage()
                        .maximumRedeliveries(redeliveries)
                        .redeliveryDelay(initialDelayMs)
                        .useExponentialBackOff()
                        .backOffMultiplier(2)
                        .maximumRedeliveryDelay(60_000)
                        .retryWhile(method(DeadLetterChannel.class, "isTransient"))
                        .logExhausted(true)
                        .logExhaustedMessageHistory(false));
    }

    /** Whether a failure is worth redelivering. */
    public static boolean isTransient(Exchange exchange) {
        Throwable e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (e == null) {
            e = exchange.getException();
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TransientFailure || t instanceof HttpTimeoutException
                    || (t instanceof IOException && !(t instanceof com.fasterxml.jackson.core.JsonProcessingException))) {
                return true;
            }
        }
        return false;
    }

    /** The channel's endpoint: writes the original message and the failure into dead_letters. */
    public void store(Exchange exchange) {
        var ctx = exchange.getContext().getRegistry();
        DeadLetterService service = ctx.findSingleByType(DeadLetterService.class);
        ObjectMapper json = ctx.findSingleByType(ObjectMapper.class);
        Throwable error = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        var msg = exchange.getMessage();
        String flow = msg.getHeader(FLOW, exchange.getFromRouteId(), String.class);
        String entityType = msg.getHeader(ENTITY_TYPE, "message", String.class);
        String entityKey = msg.getHeader(ENTITY_KEY, exchange.getExchangeId(), String.class);
        Map<String, Object> headers = new LinkedHashMap<>();
        msg.getHeaders().forEach((k, v) -> {
            if (v != null && !SECRET_HEADERS.contains(k.toLowerCase())
                    && (v instanceof CharSequence || v instanceof Number || v instanceof Boolean)) {
                headers.put(k, v.toString());
            }
        });
        Object payload = payloadOf(msg.getBody(), json, exchange);
        String routeId = exchange.getProperty(Exchange.FAILURE_ROUTE_ID, exchange.getFromRouteId(), String.class);
        DeadLetter dl = DeadLetter.of(flow, entityType, entityKey, payload,
                error == null ? "failed" : error.getClass().getSimpleName(), error).withRoute(routeId, headers);
        Long runId = msg.getHeader(RUN_ID, Long.class);
        if (runId != null) {
            dl = dl.withRunId(runId);
        }
        service.record(dl);
        if (runId != null) {
            FlowRunner runner = ctx.findSingleByType(FlowRunner.class);
            if (runner != null) {
                runner.activeRun(runId).ifPresent(rc -> rc.countDeadLetter());
            }
        }
    }

    private static Object payloadOf(Object body, ObjectMapper json, Exchange exchange) {
        if (body == null) {
            return null;
        }
        String text = body instanceof String s ? s : exchange.getContext().getTypeConverter().tryConvertTo(String.class, exchange, body);
        if (text == null) {
            return String.valueOf(body);
        }
        try {
            return json.readTree(text);
        } catch (IOException notJson) {
            return text;
        }
    }
}
