package com.altus.hub.doorloop;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * A DoorLoop API resource the hub pulls (CONTRACT section 8): its URL path, the directory of
 * its recorded pages, and the raw table it lands in. Work orders are not a resource of their
 * own: they are the tasks of type WORK_ORDER, also kept in {@link RawTable#WORK_ORDERS}.
 */
public enum DoorLoopResource {
    PROPERTIES("properties", "properties", RawTable.PROPERTIES),
    UNITS("units", "units", RawTable.UNITS),
    TENANTS("tenants", "tenants", RawTable.TENANTS),
    OWNERS("owners", "owners", RawTable.OWNERS),
    LEASES("leases", "leases", RawTable.LEASES),
    LEASE_TENANTS("leases/tenants", "leases_tenants", RawTable.LEASE_TENANTS),
    LEASE_PAYMENTS("lease-payments", "lease-payments", RawTable.LEASE_PAYMENTS),
    TASKS("tasks", "tasks", RawTable.TASKS),
    VENDORS("vendors", "vendors", RawTable.VENDORS),
    USERS("users", "users", RawTable.USERS);

    /** The task type whose records are also work orders. */
    public static final String WORK_ORDER_TYPE = "WORK_ORDER";

    private final String path;
    private final String fixtureDir;
    private final RawTable table;

    DoorLoopResource(String path, String fixtureDir, RawTable table) {
        this.path = path;
        this.fixtureDir = fixtureDir;
        this.table = table;
    }

    /** The API path under the base URL, also the resource's name in logs and dead-letter keys. */
    public String path() {
        return path;
    }

    /** Directory of the recorded pages (the layout {@code gen_data.py doorloop} writes). */
    public String fixtureDir() {
        return fixtureDir;
    }

    public RawTable table() {
        return table;
    }

    /** True for tasks, whose WORK_ORDER records also go to {@link RawTable#WORK_ORDERS}. */
    public boolean carriesWorkOrders() {
        return this == TASKS;
    }

    /** Finds a resource by its path ({@code leases/tenants}) or its table's entity name ({@code lease_tenants}). */
    public static Optional<DoorLoopResource> byName(String name) {
        if (name == null) {
            return Optional.empty();
        }
        String n = name.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(r -> r.path.equals(n) || r.table.entity().equals(n)).findFirst();
    }
}
