package com.altus.hub.doorloop.normalize;

import java.util.List;
import java.util.Optional;

import com.altus.hub.doorloop.normalize.EntitySpec.Column;
import com.altus.hub.doorloop.normalize.EntitySpec.ListRef;
import com.altus.hub.doorloop.normalize.EntitySpec.Ref;

/**
 * The DoorLoop raw -> normalized mapping of every entity, parents before children (a child's
 * references resolve against parents normalized earlier in the same run). Field names are
 * DoorLoop's as recorded in samples/doorloop; money is cast from the JSON number's text to
 * numeric (never through floating point), enums are upper-cased, dates are dates.
 */
public final class DoorLoopMapping {
    public static final String FLOW = "doorloop-normalize";

    private static final String PROPERTIES = "normalized_properties";
    private static final String OWNERS = "normalized_owners";
    private static final String TENANTS = "normalized_tenants";
    private static final String VENDORS = "normalized_vendors";
    private static final String UNITS = "normalized_units";
    private static final String LEASES = "normalized_leases";

    /** properties[].owners expanded to one row per link, id '<property>:<owner>', first listing wins. */
    private static final String PROPERTY_OWNER_SOURCE = "(SELECT DISTINCT ON (x.id) x.id, x.data, x.deleted_at FROM ("
            + "SELECT rp.id || ':' || coalesce(o.elem->>'owner', '') AS id,"
            + " o.elem || jsonb_build_object('property', rp.id, 'position', o.pos) AS data, rp.deleted_at, o.pos"
            + " FROM doorloop_raw_properties rp CROSS JOIN LATERAL jsonb_array_elements("
            + "CASE WHEN jsonb_typeof(rp.data->'owners') = 'array' THEN rp.data->'owners' ELSE '[]'::jsonb END)"
            + " WITH ORDINALITY o(elem, pos)) x ORDER BY x.id, x.pos)";

    public static final List<EntitySpec> ENTITIES = List.of(
            new EntitySpec("property", "properties", PROPERTIES, "doorloop_raw_properties", false, List.of(
                    text("name", "name"), upper("type", "type"), upper("class", "class"), flag("active", "active"),
                    text("street1", "address.street1"), text("city", "address.city"), text("state", "address.state"),
                    text("zip", "address.zip")), List.of(), null),
            new EntitySpec("owner", "owners", OWNERS, "doorloop_raw_owners", false, List.of(
                    text("first_name", "firstName"), text("last_name", "lastName"), text("full_name", "fullName"),
                    text("company_name", "companyName"), flag("active", "active")), List.of(), null),
            new EntitySpec("tenant", "tenants", TENANTS, "doorloop_raw_tenants", false, List.of(
                    text("first_name", "firstName"), text("last_name", "lastName"), text("full_name", "fullName"),
                    upper("type", "type"),
                    new Column("primary_email", firstOf("emails", "address", "Primary"), "emails", null),
                    new Column("primary_phone", firstOf("phones", "number", "Mobile"), "phones", null),
                    new Column("emails", jsonArray("emails"), "emails", null),
                    new Column("phones", jsonArray("phones"), "phones", null)), List.of(), null),
            new EntitySpec("vendor", "vendors", VENDORS, "doorloop_raw_vendors", false, List.of(
                    text("name", "name"), flag("active", "active"),
                    new Column("property_doorloop_ids", "ARRAY(SELECT jsonb_array_elements_text(" + jsonArray("properties") + "))",
                            "properties", null)), List.of(), null),
            new EntitySpec("user", "users", "normalized_users", "doorloop_raw_users", false, List.of(
                    text("first_name", "firstName"), text("last_name", "lastName"),
                    new Column("login_email", "lower(r.data->>'loginEmail')", "loginEmail", null),
                    text("role", "role"), flag("active", "active")), List.of(), null),
            new EntitySpec("property_owner", "property_owners", "normalized_property_owners", PROPERTY_OWNER_SOURCE, true, List.of(
                    typed("ownership_percentage", "ownershipPercentage", "numeric"),
                    new Column("position", "(r.data->>'position')::integer", "position", null)),
                    List.of(new Ref("property_id", PROPERTIES, "property", true, "property"),
                            new Ref("owner_id", OWNERS, "owner", true, "owner")), null),
            new EntitySpec("unit", "units", UNITS, "doorloop_raw_units", false, List.of(
                    text("name", "name"), flag("active", "active"), typed("beds", "beds", "numeric"),
                    typed("baths", "baths", "numeric"), typed("size", "size", "numeric"),
                    typed("market_rent", "marketRent", "numeric"),
                    typed("address_same_as_property", "addressSameAsProperty", "boolean"),
                    text("street1", "address.street1"), text("city", "address.city"), text("state", "address.state"),
                    text("zip", "address.zip")),
                    List.of(new Ref("property_id", PROPERTIES, "property", true, "property")), null),
            new EntitySpec("lease", "leases", LEASES, "doorloop_raw_leases", false, List.of(
                    text("name", "name"), upper("status", "status"), upper("term", "term"),
                    typed("start_date", "start", "date"), typed("end_date", "end", "date"),
                    typed("total_balance_due", "totalBalanceDue", "numeric"),
                    typed("total_recurring_rent", "totalRecurringRent", "numeric")),
                    List.of(new Ref("property_id", PROPERTIES, "property", true, "property")),
                    new ListRef("unit_ids", "unit_id", UNITS, "units", "units")),
            new EntitySpec("lease_tenant", "lease_tenants", "normalized_lease_tenants", "doorloop_raw_lease_tenants", false, List.of(
                    upper("status", "status"), typed("move_in_at", "moveInAt", "date"), typed("move_out_at", "moveOutAt", "date")),
                    List.of(new Ref("lease_id", LEASES, "lease", true, "lease"),
                            new Ref("tenant_id", TENANTS, "tenant", true, "tenant"),
                            new Ref("property_id", PROPERTIES, "property", false, "property")), null),
            new EntitySpec("lease_payment", "lease_payments", "normalized_lease_payments", "doorloop_raw_lease_payments", false, List.of(
                    typed("amount_received", "amountReceived", "numeric"), typed("payment_date", "date", "date"),
                    upper("payment_method", "paymentMethod"), text("deposit_to_account", "depositToAccount"),
                    flag("reversed", "reversedPayment")),
                    List.of(new Ref("lease_id", LEASES, "lease", true, "lease"),
                            new Ref("tenant_id", TENANTS, "receivedFromTenant", false, "tenant")), null),
            new EntitySpec("task", "tasks", "normalized_tasks", "doorloop_raw_tasks", false, List.of(
                    upper("type", "type"), upper("status", "status"), text("subject", "subject"),
                    typed("due_date", "dueDate", "date"), typed("source_created_at", "createdAt", "timestamptz"),
                    typed("source_updated_at", "updatedAt", "timestamptz")),
                    List.of(new Ref("property_id", PROPERTIES, "property", false, "property"),
                            new Ref("unit_id", UNITS, "unit", false, "unit")), null),
            new EntitySpec("work_order", "work_orders", "normalized_work_orders", "doorloop_raw_work_orders", false, List.of(
                    upper("status", "status"), text("subject", "subject"), typed("due_date", "dueDate", "date"),
                    typed("approved_by_owner", "workOrder.approvedByOwner", "boolean"),
                    upper("entry_permission", "workOrder.entryPermission"),
                    text("vendor_instructions", "workOrder.vendorInstructions"),
                    typed("source_created_at", "createdAt", "timestamptz"),
                    typed("source_updated_at", "updatedAt", "timestamptz")),
                    List.of(new Ref("property_id", PROPERTIES, "property", false, "property"),
                            new Ref("unit_id", UNITS, "unit", false, "unit"),
                            new Ref("vendor_id", VENDORS, "workOrder.assignedToVendor", false, "vendor")), null));

    private DoorLoopMapping() {
    }

    public static Optional<EntitySpec> byEntityType(String entityType) {
        return ENTITIES.stream().filter(e -> e.entityType().equals(entityType)).findFirst();
    }

    /** By entity type ({@code unit}) or stats group ({@code units}). */
    public static Optional<EntitySpec> byName(String name) {
        return ENTITIES.stream().filter(e -> e.entityType().equals(name) || e.statsGroup().equals(name)).findFirst();
    }

    /** Stats groups in mapping order (parents first), for tests and docs. */
    public static List<String> statsGroups() {
        return ENTITIES.stream().map(EntitySpec::statsGroup).toList();
    }

    public static Optional<EntitySpec> byTable(String table) {
        return ENTITIES.stream().filter(e -> e.table().equals(table)).findFirst();
    }

    static Column text(String col, String path) {
        return new Column(col, EntitySpec.path(path), path, null);
    }

    static Column upper(String col, String path) {
        return new Column(col, "upper(" + EntitySpec.path(path) + ")", path, null);
    }

    /** A value whose JSON text must parse as {@code pgType} (else the record is rejected, not the run). */
    static Column typed(String col, String path, String pgType) {
        return new Column(col, "(" + EntitySpec.path(path) + ")::" + pgType, path, pgType);
    }

    /** A NOT NULL boolean: absent means false. */
    static Column flag(String col, String path) {
        return new Column(col, "coalesce((" + EntitySpec.path(path) + ")::boolean, false)", path, "boolean");
    }

    private static String jsonArray(String field) {
        String p = "r.data->'" + field + "'";
        return "(CASE WHEN jsonb_typeof(" + p + ") = 'array' THEN " + p + " ELSE '[]'::jsonb END)";
    }

    /**
     * The {@code valueKey} of the first element of an array whose type is {@code preferredType},
     * else of the first element (jsonpath: no per-row subquery).
     */
    private static String firstOf(String field, String valueKey, String preferredType) {
        return "coalesce(jsonb_path_query_first(r.data, '$." + field + "[*] ? (@.type == \"" + preferredType + "\")." + valueKey
                + "') #>> '{}', r.data->'" + field + "'->0->>'" + valueKey + "')";
    }
}
