package com.altus.hub.doorloop;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The body of a {@code doorloop-record} exchange: the payload of the dead letter of a record that
 * could not be stored, i.e. its resource and its JSON as DoorLoop sent it. An operator corrects
 * {@code record} in the letter, and the replay stores it.
 */
public record RecordUnit(String resource, JsonNode record) {
}
