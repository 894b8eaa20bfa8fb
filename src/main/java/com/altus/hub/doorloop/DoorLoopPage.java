package com.altus.hub.doorloop;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One page of a DoorLoop resource as the API (or a recorded page) answered it: the envelope
 * {@code {"total": N, "data": [...]}} of CONTRACT section 8. A page past the last has the total
 * and no data.
 */
public record DoorLoopPage(long total, List<JsonNode> data) {

    /** Reads the envelope; throws, naming {@code what}, when the body is something else. */
    public static DoorLoopPage of(String what, JsonNode body) {
        if (body == null || !body.isObject() || !body.path("total").isNumber() || !body.path("total").canConvertToLong()
                || !body.path("data").isArray()) {
            throw new IllegalStateException(what + " did not answer the {\"total\": N, \"data\": [...]} envelope");
        }
        List<JsonNode> data = new ArrayList<>(body.get("data").size());
        body.get("data").forEach(data::add);
        return new DoorLoopPage(body.get("total").asLong(), data);
    }
}
