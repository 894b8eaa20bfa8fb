package com.altus.hub.platform.dlq;

import java.util.List;
import java.util.Map;
import java.util.Optional;

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
 * dead-letter channel (which files nothing for a replay). Letters without a route fall back to a
 * {@link DeadLetterReplayer} their flow registered.
 */
@Component
public class DeadLetterReplayRegistry {
    private final List<DeadLetterReplayer> replayers;
    private final CamelContext camel;
    private final ProducerTemplate producer;
    private final ObjectMapper json;
    private final DeadLetterService letters;

    public DeadLetterReplayRegistry(List<DeadLetterReplayer> replayers, CamelContext camel, ObjectMapper json,
                                    DeadLetterService letters) {
        this.replayers = List.copyOf(replayers);
        this.camel = camel;
        this.producer = camel.createProducerTemplate();
        this.json = json;
        this.letters = letters;
    }

    public Optional<DeadLetterReplayer> find(String flow, String entityType) {
        for (DeadLetterReplayer r : replayers) {
            if (r.flow().equals(flow) && r.handles(entityType)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
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
        Optional<DeadLetterReplayer> replayer = find(letter.flow(), letter.entityType());
        if (replayer.isPresent()) {
            replayer.get().replay(letter);
            return;
        }
        throw new IllegalStateException(letter.routeId() != null
                ? "route " + letter.routeId() + " of dead letter " + letter.id() + " no longer exists"
                : "nothing can replay dead letters of flow " + letter.flow() + " entity " + letter.entityType());
    }
}
