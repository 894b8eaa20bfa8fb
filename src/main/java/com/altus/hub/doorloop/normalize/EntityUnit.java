package com.altus.hub.doorloop.normalize;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * The body of a {@code doorloop-normalize-entity} exchange, and of its dead letters: the entity
 * (its type, e.g. {@code unit}, or stats group, {@code units}) and, for the letter of records that
 * did not normalize, their DoorLoop ids (and, for the reader, the raw record that failed). Without
 * ids the whole entity is normalized; with ids only those records, after the parents they name.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EntityUnit(String entity, List<String> ids, JsonNode record) {

    public static EntityUnit whole(EntitySpec spec) {
        return new EntityUnit(spec.entityType(), null, null);
    }

    public static EntityUnit record(EntitySpec spec, String id, JsonNode data) {
        return new EntityUnit(spec.entityType(), List.of(id), data);
    }
}
