package com.altus.hub.doorloop;

/**
 * The raw tables of CONTRACT section 6 (seed 001). Table names come only from this enum, so
 * every SQL statement that names one is built from a fixed set, never from input.
 */
public enum RawTable {
    PROPERTIES("properties"),
    UNITS("units"),
    TENANTS("tenants"),
    OWNERS("owners"),
    LEASES("leases"),
    LEASE_TENANTS("lease_tenants"),
    LEASE_PAYMENTS("lease_payments"),
    TASKS("tasks"),
    VENDORS("vendors"),
    WORK_ORDERS("work_orders"),
    USERS("users");

    private final String entity;

    RawTable(String entity) {
        this.entity = entity;
    }

    /** The entity name used in stats and dead letters (e.g. {@code lease_payments}). */
    public String entity() {
        return entity;
    }

    /** The table, {@code doorloop_raw_<entity>}. */
    public String table() {
        return "doorloop_raw_" + entity;
    }
}
