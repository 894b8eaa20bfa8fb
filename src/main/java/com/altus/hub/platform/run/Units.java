package com.altus.hub.platform.run;

import com.altus.hub.platform.dlq.DeadLetterChannel;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;

/**
 * Helpers for the first step of a sub-route: the unit's body as its type, whether it came from
 * the flow's split (the object itself) or from a dead-letter replay (its JSON), and the entity the
 * dead-letter channel files a failure under.
 */
public final class Units {
    private Units() {
    }

    /** The body as {@code type}: the object itself, or converted from JSON text or a JSON tree. */
    public static <T> T body(Exchange exchange, Class<T> type) {
        Object body = exchange.getMessage().getBody();
        if (type.isInstance(body)) {
            return type.cast(body);
        }
        ObjectMapper json = exchange.getContext().getRegistry().findSingleByType(ObjectMapper.class);
        try {
            if (body instanceof JsonNode node) {
                return json.treeToValue(node, type);
            }
            String text = exchange.getMessage().getBody(String.class);
            if (text == null) {
                throw new IllegalArgumentException("route " + exchange.getFromRouteId() + " got no body (expected "
                        + type.getSimpleName() + ")");
            }
            return json.readValue(text, type);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("route " + exchange.getFromRouteId() + " cannot read its body as "
                    + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
        }
    }

    /** Names the entity this unit works on, for its dead letter (entity type and key). */
    public static void entity(Exchange exchange, String entityType, String entityKey) {
        exchange.setProperty(DeadLetterChannel.ENTITY_TYPE, entityType);
        exchange.setProperty(DeadLetterChannel.ENTITY_KEY, entityKey);
    }
}
