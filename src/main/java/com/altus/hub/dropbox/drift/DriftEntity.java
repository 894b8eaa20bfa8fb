package com.altus.hub.dropbox.drift;

import com.altus.hub.dropbox.FolderMap.Level;

/**
 * An entity of the expected tree as the normalized tables have it: its level, DoorLoop id, the
 * name its folder is named after (an owner's full or company name, a property's or unit's name,
 * a tenancy's primary tenant) and the DoorLoop id of the entity whose folder holds it (null when
 * it has none: a property without owners, a lease without a unit).
 */
public record DriftEntity(Level level, String key, String name, String parentKey) {

    /** The entity name drift_audit and dead letters use: owner, property, unit, tenancy. */
    public String entity() {
        return entity(level);
    }

    public static String entity(Level level) {
        return level.name().toLowerCase(java.util.Locale.ROOT);
    }
}
