package com.altus.hub.doorloop;

/**
 * The body of a {@code doorloop-resource} exchange, and of its dead letter: the resource to pull
 * (its path, e.g. {@code leases/tenants}). Replaying the letter pulls that resource again.
 */
public record ResourceUnit(String resource) {
}
