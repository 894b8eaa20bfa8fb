-- DoorLoop normalized layer (CONTRACT sections 6 and 8): typed, joinable tables written set-based
-- from doorloop_raw_*, the get_full_* views, materialized copies of the heavy ones, and kpi_summary.
-- Every table is keyed by id = UUIDv5(namespace, DoorLoop id), so ids are the same in every database.

-- uuid-ossp is a trusted extension (PostgreSQL 13+): a database owner may create it; the zonky
-- embedded binaries ship it. Its uuid_generate_v5 is RFC 9562's UUIDv5 (SHA-1), computed in C.
CREATE EXTENSION IF NOT EXISTS "uuid-ossp";

-- UUIDv5 of a DoorLoop id in the hub's fixed namespace 1d9087e5-f1b4-5862-b675-10e4b2fcf7dd
-- (= UUIDv5(NAMESPACE_URL, 'https://app.doorloop.com/api')). DoorLoopIds.uuid in Java is the same function.
-- A single expression, so the planner inlines it into the set-based statements.
CREATE FUNCTION doorloop_uuid(doorloop_id text) RETURNS uuid
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS
$$
SELECT uuid_generate_v5('1d9087e5-f1b4-5862-b675-10e4b2fcf7dd'::uuid, doorloop_id)
$$;

-- Foreign keys are uuid columns without REFERENCES constraints, on purpose: the normalize
-- statement is their only writer and inserts a row only when its parents resolve in the same
-- statement (else the record is dead-lettered), and normalized rows are never hard-deleted
-- (deleted_at), so a reference cannot dangle. Measured on 17.6k lease payments, the two RI
-- triggers were 40% of the statement's time. DoorLoopNormalizeFlowTest checks no reference dangles.

-- ---------------------------------------------------------------- entities without parents
CREATE TABLE normalized_properties (
    id            uuid        PRIMARY KEY,
    doorloop_id   text        NOT NULL UNIQUE,
    name          text,
    type          text,
    class         text,
    active        boolean     NOT NULL DEFAULT false,
    street1       text,
    city          text,
    state         text,
    zip           text,
    deleted_at    timestamptz,
    normalized_at timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE normalized_owners (
    id            uuid        PRIMARY KEY,
    doorloop_id   text        NOT NULL UNIQUE,
    first_name    text,
    last_name     text,
    full_name     text,
    company_name  text,
    active        boolean     NOT NULL DEFAULT false,
    deleted_at    timestamptz,
    normalized_at timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE normalized_tenants (
    id            uuid        PRIMARY KEY,
    doorloop_id   text        NOT NULL UNIQUE,
    first_name    text,
    last_name     text,
    full_name     text,
    type          text,
    primary_email text,
    primary_phone text,
    emails        jsonb       NOT NULL DEFAULT '[]'::jsonb,
    phones        jsonb       NOT NULL DEFAULT '[]'::jsonb,
    deleted_at    timestamptz,
    normalized_at timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE normalized_vendors (
    id                    uuid        PRIMARY KEY,
    doorloop_id           text        NOT NULL UNIQUE,
    name                  text,
    active                boolean     NOT NULL DEFAULT false,
    property_doorloop_ids text[]      NOT NULL DEFAULT '{}',
    deleted_at            timestamptz,
    normalized_at         timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE normalized_users (
    id            uuid        PRIMARY KEY,
    doorloop_id   text        NOT NULL UNIQUE,
    first_name    text,
    last_name     text,
    login_email   text,
    role          text,
    active        boolean     NOT NULL DEFAULT false,
    deleted_at    timestamptz,
    normalized_at timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- ---------------------------------------------------------------- entities with parents
-- properties[].owners of DoorLoop; doorloop_id = '<property id>:<owner id>', position = order listed
-- (the primary owner is the highest share, ties: first listed; CONTRACT section 9).
CREATE TABLE normalized_property_owners (
    id                   uuid        PRIMARY KEY,
    doorloop_id          text        NOT NULL UNIQUE,
    property_id          uuid        NOT NULL,
    owner_id             uuid        NOT NULL,
    ownership_percentage numeric,
    position             integer     NOT NULL,
    deleted_at           timestamptz,
    normalized_at        timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    UNIQUE (property_id, owner_id)
);
CREATE INDEX normalized_property_owners_owner ON normalized_property_owners (owner_id);

CREATE TABLE normalized_units (
    id                       uuid        PRIMARY KEY,
    doorloop_id              text        NOT NULL UNIQUE,
    property_id              uuid        NOT NULL,
    name                     text,
    active                   boolean     NOT NULL DEFAULT false,
    beds                     numeric,
    baths                    numeric,
    size                     numeric,
    market_rent              numeric,
    address_same_as_property boolean,
    street1                  text,
    city                     text,
    state                    text,
    zip                      text,
    deleted_at               timestamptz,
    normalized_at            timestamptz NOT NULL DEFAULT now(),
    updated_at               timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX normalized_units_property ON normalized_units (property_id);

-- unit_id is the lease's first unit (its tenancy folder lives there); unit_ids all of units[] in order.
CREATE TABLE normalized_leases (
    id                   uuid        PRIMARY KEY,
    doorloop_id          text        NOT NULL UNIQUE,
    property_id          uuid        NOT NULL,
    unit_id              uuid,
    unit_ids             uuid[]      NOT NULL DEFAULT '{}',
    name                 text,
    status               text,
    term                 text,
    start_date           date,
    end_date             date,
    total_balance_due    numeric,
    total_recurring_rent numeric,
    deleted_at           timestamptz,
    normalized_at        timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX normalized_leases_property ON normalized_leases (property_id);
CREATE INDEX normalized_leases_unit ON normalized_leases (unit_id);

CREATE TABLE normalized_lease_tenants (
    id            uuid        PRIMARY KEY,
    doorloop_id   text        NOT NULL UNIQUE,
    lease_id      uuid        NOT NULL,
    tenant_id     uuid        NOT NULL,
    property_id   uuid,
    status        text,
    move_in_at    date,
    move_out_at   date,
    deleted_at    timestamptz,
    normalized_at timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX normalized_lease_tenants_lease ON normalized_lease_tenants (lease_id);
CREATE INDEX normalized_lease_tenants_tenant ON normalized_lease_tenants (tenant_id);

CREATE TABLE normalized_lease_payments (
    id                 uuid        PRIMARY KEY,
    doorloop_id        text        NOT NULL UNIQUE,
    lease_id           uuid        NOT NULL,
    tenant_id          uuid,
    amount_received    numeric,
    payment_date       date,
    payment_method     text,
    deposit_to_account text,
    reversed           boolean     NOT NULL DEFAULT false,
    deleted_at         timestamptz,
    normalized_at      timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX normalized_lease_payments_lease ON normalized_lease_payments (lease_id);
CREATE INDEX normalized_lease_payments_date ON normalized_lease_payments (payment_date);

CREATE TABLE normalized_tasks (
    id                 uuid        PRIMARY KEY,
    doorloop_id        text        NOT NULL UNIQUE,
    type               text,
    status             text,
    subject            text,
    property_id        uuid,
    unit_id            uuid,
    due_date           date,
    source_created_at  timestamptz,
    source_updated_at  timestamptz,
    deleted_at         timestamptz,
    normalized_at      timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX normalized_tasks_property ON normalized_tasks (property_id);

CREATE TABLE normalized_work_orders (
    id                  uuid        PRIMARY KEY,
    doorloop_id         text        NOT NULL UNIQUE,
    status              text,
    subject             text,
    property_id         uuid,
    unit_id             uuid,
    vendor_id           uuid,
    due_date            date,
    approved_by_owner   boolean,
    entry_permission    text,
    vendor_instructions text,
    source_created_at   timestamptz,
    source_updated_at   timestamptz,
    deleted_at          timestamptz,
    normalized_at       timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX normalized_work_orders_property ON normalized_work_orders (property_id);

-- ---------------------------------------------------------------- views (current, not deleted)
-- Owner display name as in CONTRACT section 9: fullName, else companyName.
CREATE VIEW get_full_properties AS
SELECT p.id,
       p.doorloop_id,
       p.name,
       p.type,
       p.class,
       p.active,
       p.street1,
       p.city,
       p.state,
       p.zip,
       prim.owner_id          AS primary_owner_id,
       prim.owner_doorloop_id AS primary_owner_doorloop_id,
       prim.owner_name        AS primary_owner_name,
       coalesce(own.owners, '[]'::jsonb) AS owners,
       coalesce(un.unit_count, 0)        AS unit_count,
       coalesce(un.active_unit_count, 0) AS active_unit_count
FROM normalized_properties p
LEFT JOIN (
    SELECT po.property_id,
           jsonb_agg(jsonb_build_object('owner_id', o.id, 'owner_doorloop_id', o.doorloop_id,
                                        'name', coalesce(o.full_name, o.company_name),
                                        'ownership_percentage', po.ownership_percentage)
                     ORDER BY po.position) AS owners
    FROM normalized_property_owners po
    JOIN normalized_owners o ON o.id = po.owner_id
    WHERE po.deleted_at IS NULL
    GROUP BY po.property_id
) own ON own.property_id = p.id
LEFT JOIN (
    SELECT DISTINCT ON (po.property_id) po.property_id, o.id AS owner_id, o.doorloop_id AS owner_doorloop_id,
           coalesce(o.full_name, o.company_name) AS owner_name
    FROM normalized_property_owners po
    JOIN normalized_owners o ON o.id = po.owner_id
    WHERE po.deleted_at IS NULL
    ORDER BY po.property_id, po.ownership_percentage DESC NULLS LAST, po.position
) prim ON prim.property_id = p.id
LEFT JOIN (
    SELECT property_id, count(*) AS unit_count, count(*) FILTER (WHERE active) AS active_unit_count
    FROM normalized_units
    WHERE deleted_at IS NULL
    GROUP BY property_id
) un ON un.property_id = p.id
WHERE p.deleted_at IS NULL;

-- A lease is active as in CONTRACT section 8, here as of the current date.
CREATE VIEW get_full_leases AS
SELECT l.id,
       l.doorloop_id,
       l.name,
       l.status,
       l.term,
       l.start_date,
       l.end_date,
       l.total_balance_due,
       l.total_recurring_rent,
       (l.status = 'ACTIVE' AND l.start_date <= current_date
           AND (l.end_date IS NULL OR l.end_date >= current_date OR l.term = 'ATWILL')) AS is_active,
       l.property_id,
       p.doorloop_id AS property_doorloop_id,
       p.name        AS property_name,
       l.unit_id,
       u.doorloop_id AS unit_doorloop_id,
       u.name        AS unit_name,
       l.unit_ids,
       prim.tenant_id          AS primary_tenant_id,
       prim.tenant_doorloop_id AS primary_tenant_doorloop_id,
       prim.tenant_name        AS primary_tenant_name,
       coalesce(ten.tenants, '[]'::jsonb) AS tenants
FROM normalized_leases l
JOIN normalized_properties p ON p.id = l.property_id
LEFT JOIN normalized_units u ON u.id = l.unit_id
LEFT JOIN (
    SELECT lt.lease_id,
           jsonb_agg(jsonb_build_object('tenant_id', t.id, 'tenant_doorloop_id', t.doorloop_id, 'name', t.full_name,
                                        'status', lt.status, 'move_in_at', lt.move_in_at, 'move_out_at', lt.move_out_at)
                     ORDER BY lt.move_in_at NULLS LAST, t.doorloop_id) AS tenants
    FROM normalized_lease_tenants lt
    JOIN normalized_tenants t ON t.id = lt.tenant_id
    WHERE lt.deleted_at IS NULL
    GROUP BY lt.lease_id
) ten ON ten.lease_id = l.id
LEFT JOIN (
    -- primary tenant (CONTRACT section 9): earliest moveInAt, ties by tenant id
    SELECT DISTINCT ON (lt.lease_id) lt.lease_id, t.id AS tenant_id, t.doorloop_id AS tenant_doorloop_id, t.full_name AS tenant_name
    FROM normalized_lease_tenants lt
    JOIN normalized_tenants t ON t.id = lt.tenant_id
    WHERE lt.deleted_at IS NULL
    ORDER BY lt.lease_id, lt.move_in_at NULLS LAST, t.doorloop_id
) prim ON prim.lease_id = l.id
WHERE l.deleted_at IS NULL;

CREATE VIEW get_full_units AS
SELECT u.id,
       u.doorloop_id,
       u.name,
       u.active,
       u.beds,
       u.baths,
       u.size,
       u.market_rent,
       u.address_same_as_property,
       CASE WHEN u.address_same_as_property IS FALSE THEN u.street1 ELSE p.street1 END AS street1,
       CASE WHEN u.address_same_as_property IS FALSE THEN u.city ELSE p.city END       AS city,
       CASE WHEN u.address_same_as_property IS FALSE THEN u.state ELSE p.state END     AS state,
       CASE WHEN u.address_same_as_property IS FALSE THEN u.zip ELSE p.zip END         AS zip,
       u.property_id,
       p.doorloop_id AS property_doorloop_id,
       p.name        AS property_name,
       cur.lease_id          AS current_lease_id,
       cur.lease_doorloop_id AS current_lease_doorloop_id,
       (u.active AND cur.lease_id IS NOT NULL) AS occupied
FROM normalized_units u
JOIN normalized_properties p ON p.id = u.property_id
LEFT JOIN (
    -- the active lease (as of today) listing the unit, the latest started when several do
    SELECT DISTINCT ON (x.unit_id) x.unit_id, l.id AS lease_id, l.doorloop_id AS lease_doorloop_id
    FROM normalized_leases l
    CROSS JOIN LATERAL unnest(l.unit_ids) AS x(unit_id)
    WHERE l.deleted_at IS NULL AND l.status = 'ACTIVE' AND l.start_date <= current_date
      AND (l.end_date IS NULL OR l.end_date >= current_date OR l.term = 'ATWILL')
    ORDER BY x.unit_id, l.start_date DESC, l.doorloop_id
) cur ON cur.unit_id = u.id
WHERE u.deleted_at IS NULL;

CREATE VIEW get_full_tenants AS
SELECT t.id,
       t.doorloop_id,
       t.first_name,
       t.last_name,
       t.full_name,
       t.type,
       t.primary_email,
       t.primary_phone,
       t.emails,
       t.phones,
       coalesce(ls.leases, '[]'::jsonb) AS leases
FROM normalized_tenants t
LEFT JOIN (
    SELECT lt.tenant_id,
           jsonb_agg(jsonb_build_object('lease_id', l.id, 'lease_doorloop_id', l.doorloop_id, 'lease_status', l.status,
                                        'tenancy_status', lt.status, 'property_id', l.property_id, 'unit_id', l.unit_id,
                                        'move_in_at', lt.move_in_at, 'move_out_at', lt.move_out_at)
                     ORDER BY lt.move_in_at NULLS LAST, l.doorloop_id) AS leases
    FROM normalized_lease_tenants lt
    JOIN normalized_leases l ON l.id = lt.lease_id
    WHERE lt.deleted_at IS NULL AND l.deleted_at IS NULL
    GROUP BY lt.tenant_id
) ls ON ls.tenant_id = t.id
WHERE t.deleted_at IS NULL;

CREATE VIEW get_full_work_orders AS
SELECT w.id,
       w.doorloop_id,
       w.status,
       w.subject,
       w.due_date,
       w.approved_by_owner,
       w.entry_permission,
       w.vendor_instructions,
       w.source_created_at,
       w.source_updated_at,
       (w.status NOT IN ('COMPLETED', 'ARCHIVED')) AS is_open,
       w.property_id,
       p.doorloop_id AS property_doorloop_id,
       p.name        AS property_name,
       w.unit_id,
       u.doorloop_id AS unit_doorloop_id,
       u.name        AS unit_name,
       w.vendor_id,
       v.doorloop_id AS vendor_doorloop_id,
       v.name        AS vendor_name
FROM normalized_work_orders w
LEFT JOIN normalized_properties p ON p.id = w.property_id
LEFT JOIN normalized_units u ON u.id = w.unit_id
LEFT JOIN normalized_vendors v ON v.id = w.vendor_id
WHERE w.deleted_at IS NULL;

-- Materialized copies of the aggregating views, for dashboards that read them often; refreshed
-- CONCURRENTLY (readers never block) after each normalize, which needs the unique indexes.
CREATE MATERIALIZED VIEW mv_full_properties AS SELECT * FROM get_full_properties;
CREATE UNIQUE INDEX mv_full_properties_id ON mv_full_properties (id);
CREATE MATERIALIZED VIEW mv_full_units AS SELECT * FROM get_full_units;
CREATE UNIQUE INDEX mv_full_units_id ON mv_full_units (id);
CREATE MATERIALIZED VIEW mv_full_leases AS SELECT * FROM get_full_leases;
CREATE UNIQUE INDEX mv_full_leases_id ON mv_full_leases (id);
CREATE MATERIALIZED VIEW mv_full_tenants AS SELECT * FROM get_full_tenants;
CREATE UNIQUE INDEX mv_full_tenants_id ON mv_full_tenants (id);

-- ---------------------------------------------------------------- KPIs
-- One row per (as_of, scope, scope id, metric); a re-run for a date replaces that date's rows only.
CREATE TABLE kpi_summary (
    as_of             date        NOT NULL,
    scope             text        NOT NULL CHECK (scope IN ('portfolio', 'property', 'owner')),
    scope_id          uuid,
    scope_doorloop_id text,
    metric            text        NOT NULL,
    value             numeric     NOT NULL,
    run_id            bigint,
    computed_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT kpi_summary_natural_key UNIQUE NULLS NOT DISTINCT (as_of, scope, scope_id, metric),
    CONSTRAINT kpi_summary_scope_id CHECK ((scope = 'portfolio') = (scope_id IS NULL))
);
CREATE INDEX kpi_summary_scope ON kpi_summary (scope, scope_id, as_of DESC);
