package com.altus.hub.platform.dlq;

import java.util.Map;

import com.altus.hub.platform.run.RunContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.Route;
import org.springframework.stereotype.Component;

/**
 * Replays a dead letter as a route trigger: its original message (payload and headers) is sent to
 * {@code direct:<route_id>}, the sub-route that failed, as a detached unit of its flow. A replay
 * that fails again throws, whether the failure reached the caller or was caught by the route's
 * dead-letter channel (which files nothing for a replay). A letter without a route (filed before
 * the flows were routes) cannot be replayed; the next successful run of its flow closes it.
 */
@Component
public class DeadLetterReplayRegistry {
    private final CamelContext camel;
    private final ProducerTemplate producer;
    private final ObjectMapper json;
    private final DeadLetterService letters;

    public DeadLetterReplayRegistry(CamelContext camel, ObjectMapper json, DeadLetterService letters) {
        this.camel = camel;
        this.producer = camel.createProducerTemplate();
        this.json = json;
        this.letters = letters;
    }

    /** Replays one letter within the replay run {@code replayRunId}; throws when it still fails. */
    public void replay(StoredDeadLetter letter, long replayRunId) throws Exception {
        Route route = letter.routeId() == null ? null : camel.getRoute(letter.routeId());
        if (route != null && route.getEndpoint().getEndpointUri().startsWith("direct:")) {
            Exchange result = producer.send(route.getEndpoint(), ex -> {
                ex.getMessage().setBody(letter.payload() == null ? null : json.writeValueAsString(letter.payload()));
                if (letter.headers() != null && letter.headers().isObject()) {
                    for (Map.Entry<String, JsonNode> h : letter.headers().properties()) {
                        ex.getMessage().setHeader(h.getKey(), h.getValue().isTextual() ? h.getValue().asText() : h.getValue().toString());
                    }
                }
                ex.setProperty(DeadLetterChannel.REPLAY_OF, letter.id());
                ex.setProperty(DeadLetterChannel.ENTITY_TYPE, letter.entityType());
                ex.setProperty(DeadLetterChannel.ENTITY_KEY, letter.entityKey());
                ex.setProperty(RunContext.PROPERTY, RunContext.detached(replayRunId, letter.flow(), "replay", letters));
            });
            if (result.getException() != null) {
                throw result.getException();
            }
            Throwable caught = result.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
            if (caught != null) {
                throw caught instanceof Exception e ? e : new IllegalStateException(caught.getMessage(), caught);
            }
            return;
        }
        throw new IllegalStateException(letter.routeId() != null
                ? "route " + letter.routeId() + " of dead letter " + letter.id() + " no longer exists"
                : "dead letter " + letter.id() + " names no route to replay it through (filed by an older version of the hub)");
    }
}
