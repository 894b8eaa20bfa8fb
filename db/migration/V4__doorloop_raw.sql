-- DoorLoop raw layer (CONTRACT section 8): one table per entity, the record as DoorLoop sent it.
-- content_hash lets an unchanged record go unwritten; deleted_at marks records gone from a complete snapshot.

CREATE TABLE doorloop_raw_properties (
    id              text        PRIMARY KEY,
    data            jsonb       NOT NULL,
    content_hash    text        NOT NULL,
    source_endpoint text        NOT NULL,
    first_seen_at   timestamptz NOT NULL DEFAULT now(),
    changed_at      timestamptz NOT NULL DEFAULT now(),
    deleted_at      timestamptz
);
CREATE INDEX doorloop_raw_properties_changed ON doorloop_raw_properties (changed_at);

CREATE TABLE doorloop_raw_units (
    id              text        PRIMARY KEY,
    data            jsonb       NOT NULL,
    content_hash    text        NOT NULL,
    source_endpoint text        NOT NULL,
    first_seen_at   timestamptz NOT NULL DEFAULT now(),
    changed_at      timestamptz NOT NULL DEFAULT now(),
    deleted_at      timestamptz
);
CREATE INDEX doorloop_raw_units_changed ON doorloop_raw_units (changed_at);

CREATE TABLE doorloop_raw_tenants (
    id              text        PRIMARY KEY,
    data            jsonb       NOT NULL,
    content_hash    text        NOT NULL,
    source_endpoint text        NOT NULL,
    first_seen_at   timestamptz NOT NULL DEFAULT now(),
    changed_at      timestamptz NOT NULL DEFAULT now(),
    deleted_at      timestamptz
);
CREATE INDEX doorloop_raw_tenants_changed ON doorloop_raw_tenants (changed_at);

CREATE TABLE doorloop_raw_owners (
    id              text        PRIMARY KEY,
    data            jsonb       NOT NULL,
    content_hash    text        NOT NULL,
    source_endpoint text        NOT NULL,
    first_seen_at   timestamptz NOT NULL DEFAULT now(),
    changed_at      timestamptz NOT NULL DEFAULT now(),
    deleted_at      timestamptz
);
CREATE INDEX doorloop_raw_owners_changed ON doorloop_raw_owners (changed_at);

CREATE TABLE doorloop_raw_leases (
    id              text        PRIMARY KEY,
    data            jsonb       NOT NULL,
    content_hash    text        NOT NULL,
    source_endpoint text        NOT NULL,
    first_seen_at   timestamptz NOT NULL DEFAULT now(),
    changed_at      timestamptz NOT NULL DEFAULT now(),
    deleted_at      timestamptz
);
CREATE INDEX doorloop_raw_leases_changed ON doorloop_raw_leases (changed_at);

CREATE TABLE doorloop_raw_lease_tenants (
    id              text        PRIMARY KEY,
    data            jsonb       NOT NULL,
    content_hash    text        NOT NULL,
    source_endpoint text        NOT NULL,
    first_seen_at   timestamptz NOT NULL DEFAULT now(),
    changed_at      timestamptz NOT NULL DEFAULT now(),
    deleted_at      timestamptz
);
CREATE INDEX doorloop_raw_lease_tenants_changed ON doorloop_raw_lease_tenants (changed_at);

CREATE TABLE doorloop_raw_lease_payments (
    id              text        PRIMARY KEY,
    data            jsonb       NOT NULL,
    content_hash    text        NOT NULL,
    source_endpoint text        NOT NULL,
    first_seen_at   timestamptz NOT NULL DEFAULT now(),
    changed_at      timestamptz NOT NULL DEFAULT now(),
    deleted_at      timestamptz
);
CREATE INDEX doorloop_raw_lease_payments_changed ON doorloop_raw_lease_payments (changed_at);

CREATE TABLE doorloop_raw_tasks (
    id              text        PRIMARY KEY,
    data            jsonb       NOT NULL,
    content_hash    text        NOT NULL,
    source_endpoint text        NOT NULL,
    first_seen_at   timestamptz NOT NULL DEFAULT now(),
    changed_at      timestamptz NOT NULL DEFAULT now(),
    deleted_at      timestamptz
);
CREATE INDEX doorloop_raw_tasks_changed ON doorloop_raw_tasks (changed_at);

CREATE TABLE doorloop_raw_vendors (
    id              text        PRIMARY KEY,
    data            jsonb       NOT NULL,
    content_hash    text        NOT NULL,
    source_endpoint text        NOT NULL,
    first_seen_at   timestamptz NOT NULL DEFAULT now(),
    changed_at      timestamptz NOT NULL DEFAULT now(),
    deleted_at      timestamptz
);
CREATE INDEX doorloop_raw_vendors_changed ON doorloop_raw_vendors (changed_at);

CREATE TABLE doorloop_raw_work_orders (
    id              text        PRIMARY KEY,
    data            jsonb       NOT NULL,
    content_hash    text        NOT NULL,
    source_endpoint text        NOT NULL,
    first_seen_at   timestamptz NOT NULL DEFAULT now(),
    changed_at      timestamptz NOT NULL DEFAULT now(),
    deleted_at      timestamptz
);
CREATE INDEX doorloop_raw_work_orders_changed ON doorloop_raw_work_orders (changed_at);

CREATE TABLE doorloop_raw_users (
    id              text        PRIMARY KEY,
    data            jsonb       NOT NULL,
    content_hash    text        NOT NULL,
    source_endpoint text        NOT NULL,
    first_seen_at   timestamptz NOT NULL DEFAULT now(),
    changed_at      timestamptz NOT NULL DEFAULT now(),
    deleted_at      timestamptz
);
CREATE INDEX doorloop_raw_users_changed ON doorloop_raw_users (changed_at);
