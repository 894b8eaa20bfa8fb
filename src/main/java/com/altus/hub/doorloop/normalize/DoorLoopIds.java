package com.altus.hub.doorloop.normalize;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/**
 * The hub's ids for DoorLoop records: UUIDv5 (RFC 9562, SHA-1) of the DoorLoop id in a fixed
 * namespace, so every database and every run gives a record the same uuid. The SQL function
 * {@code doorloop_uuid(text)} of V5 computes exactly this; tests hold the two together.
 */
public final class DoorLoopIds {
    /** UUIDv5(NAMESPACE_URL, "https://app.doorloop.com/api"). */
    public static final UUID NAMESPACE = UUID.fromString("1d9087e5-f1b4-5862-b675-10e4b2fcf7dd");

    private DoorLoopIds() {
    }

    public static UUID uuid(String doorloopId) {
        if (doorloopId == null) {
            throw new IllegalArgumentException("a DoorLoop id is required");
        }
        MessageDigest sha1;
        try {
            sha1 = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-1, which every Java platform must provide", e);
        }
        ByteBuffer ns = ByteBuffer.allocate(16);
        ns.putLong(NAMESPACE.getMostSignificantBits()).putLong(NAMESPACE.getLeastSignificantBits());
        sha1.update(ns.array());
        byte[] h = sha1.digest(doorloopId.getBytes(StandardCharsets.UTF_8));
        h[6] = (byte) ((h[6] & 0x0f) | 0x50);
        h[8] = (byte) ((h[8] & 0x3f) | 0x80);
        ByteBuffer b = ByteBuffer.wrap(h, 0, 16);
        return new UUID(b.getLong(), b.getLong());
    }

    /** The id of a property-owner link, whose natural key is the pair. */
    public static String propertyOwnerKey(String propertyId, String ownerId) {
        return propertyId + ":" + ownerId;
    }
}
