package com.altus.hub.platform.dlq;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpTimeoutException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.altus.hub.platform.http.TransientFailure;
import com.altus.hub.platform.run.FlowAbortedException;
import com.altus.hub.platform.run.RunContext;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteConfigurationBuilder;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The shared dead-letter channel (route configuration {@value #ID}) that every per-unit
 * sub-route uses: transient errors (I/O, timeouts, {@link TransientFailure}) are redelivered with
 * exponential backoff, up to {@code hub.dlq.channel.redeliveries} times; whatever still fails
 * goes, with the unit's original message and the id of the route that failed, into
 * {@code dead_letters}, and the run becomes partial. Replaying the letter sends that message to
 * {@code direct:<route_id>} again ({@link DeadLetterReplayRegistry}).
 *
 * <p>Not dead-lettered: a {@link FlowAbortedException} or an interrupt (the run fails at once), and
 * the failure of a replay (the replay marks its letter failed instead of filing a second one).
 *
 * <p>The entity a letter is filed under comes from the exchange properties (or headers)
 * {@link #ENTITY_TYPE} and {@link #ENTITY_KEY}; the flow and run from the exchange's
 * {@link RunContext}, else the header {@link #FLOW}.
 */
@Component
public class DeadLetterChannel extends RouteConfigurationBuilder {
    public static final String ID = "hub-dead-letter";
    public static final String FLOW = "HubFlow";
    public static final String ENTITY_TYPE = "HubEntityType";
    public static final String ENTITY_KEY = "HubEntityKey";
    /** Exchange property of a replay: the id of the letter being replayed. */
    public static final String REPLAY_OF = "HubReplayOf";
    /** Exchange property: failures of this unit so far (the redelivery limit). */
    static final String FAILURES = "HubUnitFailures";
    private static final Set<String> SECRET_HEADERS = Set.of("authorization", "proxy-authorization", "cookie", "set-cookie",
            "x-api-key", "apikey", "api-key", "x-auth-token", "x-upsert-token");

    private final int redeliveries;
    private final long initialDelayMs;

    public DeadLetterChannel(@Value("${hub.dlq.channel.redeliveries:3}") int redeliveries,
                             @Value("${hub.dlq.channel.initial-delay-ms:500}") long initialDelayMs) {
        this.redeliveries = redeliveries;
        this.initialDelayMs = initialDelayMs;
    }

    @Override
    public void configuration() {
        var config = routeConfiguration(ID);
        config.errorHandler(deadLetterChannel("bean:deadLetterChannel?method=store")
                .useOriginalMessage()
                .maximumRedeliveries(redeliveries)
                .redeliveryDelay(initialDelayMs)
                .useExponentialBackOff()
                .backOffMultiplier(2)
                .maximumRedeliveryDelay(60_000)
                // retryWhile replaces the maximum, so the predicate carries it too
                .retryWhile(method(this, "shouldRedeliver"))
                .logExhausted(true)
                .logExhaustedMessageHistory(false)
                .logStackTrace(false));
        // these end the run: no redelivery, no letter, the exception goes on to the flow route
        config.onException(FlowAbortedException.class, InterruptedException.class).id("hub-dead-letter-abort").handled(false)
                .maximumRedeliveries(0).logExhausted(false)
                .process(DeadLetterChannel::abortRun).id("hub-dead-letter-abort-run");
    }

    /** Tells the run that a unit aborted it, so that the split's remaining units stop at their first step. */
    static void abortRun(Exchange exchange) {
        RunContext run = exchange.getProperty(RunContext.PROPERTY, RunContext.class);
        Throwable e = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (run != null && e instanceof FlowAbortedException) {
            run.abort(e);
        }
    }

    /**
     * Transient, and not redelivered as often as allowed yet. The failures are counted in an
     * exchange property, not read from Camel's redelivery header: a step that clears the message
     * headers would reset that and redeliver forever.
     */
    public boolean shouldRedeliver(Exchange exchange) {
        int failures = exchange.getProperty(FAILURES, 0, Integer.class) + 1;
        exchange.setProperty(FAILURES, failures);
        return failures <= redeliveries && isTransient(exchange);
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
        if (exchange.getProperty(REPLAY_OF) != null) {
            // a replay that failed again: the replayer counts the attempt on the letter it replays
            return;
        }
        var registry = exchange.getContext().getRegistry();
        DeadLetterService service = registry.findSingleByType(DeadLetterService.class);
        ObjectMapper json = registry.findSingleByType(ObjectMapper.class);
        Throwable error = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        var msg = exchange.getMessage();
        RunContext run = exchange.getProperty(RunContext.PROPERTY, RunContext.class);
        String flow = run != null ? run.flow() : msg.getHeader(FLOW, exchange.getFromRouteId(), String.class);
        String entityType = text(exchange, ENTITY_TYPE, "message");
        String entityKey = text(exchange, ENTITY_KEY, exchange.getExchangeId());
        Map<String, Object> headers = new LinkedHashMap<>();
        msg.getHeaders().forEach((k, v) -> {
            if (v != null && !k.startsWith("Hub") && !SECRET_HEADERS.contains(k.toLowerCase(Locale.ROOT))
                    && (v instanceof CharSequence || v instanceof Number || v instanceof Boolean)) {
                headers.put(k, v.toString()); // DeadLetterService redacts what it stores
            }
        });
        Object payload = payloadOf(msg.getBody(), json, exchange);
        String routeId = exchange.getProperty(Exchange.FAILURE_ROUTE_ID, exchange.getFromRouteId(), String.class);
        DeadLetter dl = DeadLetter.of(flow, entityType, entityKey, payload,
                error == null ? "failed" : error.getClass().getSimpleName(), error).withRoute(routeId, headers);
        if (run != null) {
            dl = dl.withRunId(run.runId());
        }
        service.record(dl);
        if (run != null) {
            run.countDeadLetter();
        }
    }

    private static String text(Exchange exchange, String name, String def) {
        String v = exchange.getProperty(name, String.class);
        if (v == null) {
            v = exchange.getMessage().getHeader(name, String.class);
        }
        return v == null ? def : v;
    }

    /** The message body as JSON for the letter: JSON text as a tree, objects as Jackson writes them. */
    private static Object payloadOf(Object body, ObjectMapper json, Exchange exchange) {
        if (body == null) {
            return null;
        }
        if (body instanceof InputStream) {
            return "(a stream body is not kept)";
        }
        if (!(body instanceof CharSequence) && !(body instanceof byte[])) {
            try {
                return json.valueToTree(body);
            } catch (IllegalArgumentException notJson) {
                return String.valueOf(body);
            }
        }
        String text = exchange.getContext().getTypeConverter().tryConvertTo(String.class, exchange, body);
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
