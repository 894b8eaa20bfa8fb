package com.altus.hub.platform.dlq;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.Route;
import org.springframework.stereotype.Component;

/**
 * Finds how a dead letter is replayed: the replayer its flow registered for the entity type,
 * else, for letters written by the Camel dead-letter channel, the route they failed in (its
 * original message is sent to the route's direct endpoint again).
 */
@Component
public class DeadLetterReplayRegistry {
    private final List<DeadLetterReplayer> replayers;
    private final CamelContext camel;
    private final ProducerTemplate producer;
    private final ObjectMapper json;

    public DeadLetterReplayRegistry(List<DeadLetterReplayer> replayers, CamelContext camel, ObjectMapper json) {
        this.replayers = List.copyOf(replayers);
        this.camel = camel;
        this.producer = camel.createProducerTemplate();
        this.json = json;
    }

    public Optional<DeadLetterReplayer> find(String flow, String entityType) {
        for (DeadLetterReplayer r : replayers) {
            if (r.flow().equals(flow) && r.handles(entityType)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /** Replays one letter; throws when it still fails or nothing knows how to replay it. */
    public void replay(StoredDeadLetter letter) throws Exception {
        Optional<DeadLetterReplayer> replayer = find(letter.flow(), letter.entityType());
        if (replayer.isPresent()) {
            replayer.get().replay(letter);
            return;
        }
        Route route = letter.routeId() == null ? null : camel.getRoute(letter.routeId());
        if (route != null && route.getEndpoint().getEndpointUri().startsWith("direct:")) {
            Exchange result = producer.send(route.getEndpoint(), ex -> {
                ex.getMessage().setBody(letter.payload() == null ? null : json.writeValueAsString(letter.payload()));
                if (letter.headers() != null && letter.headers().isObject()) {
                    for (Map.Entry<String, JsonNode> h : letter.headers().properties()) {
                        ex.getMessage().setHeader(h.getKey(), h.getValue().isTextual() ? h.getValue().asText() : h.getValue().toString());
                    }
                }
                ex.getMessage().setHeader(DeadLetterChannel.REPLAY_HEADER, letter.id());
            });
            if (result.getException() != null) {
                throw result.getException();
            }
            return;
        }
        throw new IllegalStateException("no replayer is registered for flow " + letter.flow() + " entity " + letter.entityType());
    }
}
