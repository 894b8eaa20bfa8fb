-- Legal module, faster (docs/legal.md, "Benchmark"): the same rules and the same results as V12,
-- cheaper to compute for a workbook of 100,000 rows.

-- The case's data as history records it. V12 built it with to_jsonb(row) minus the bookkeeping
-- columns inside an IMMUTABLE SQL function, which PostgreSQL cannot inline (to_jsonb is only
-- STABLE), so the statement-level history trigger paid a function call and a whole-row conversion
-- per case. Same keys, same JSON values (enums and uuids are JSON strings either way, numerics
-- numbers, dates ISO strings); a column added to legal_cases later must be added here too.
CREATE OR REPLACE FUNCTION legal_case_data(c legal_cases) RETURNS jsonb
    LANGUAGE sql STABLE AS
$$
SELECT jsonb_build_object('case_number', c.case_number, 'case_type', c.case_type::text, 'phase', c.phase::text,
                          'tenant_id', c.tenant_id::text, 'property_id', c.property_id::text, 'unit_id', c.unit_id::text,
                          'lease_id', c.lease_id::text, 'tenant_name', c.tenant_name, 'property_address', c.property_address,
                          'unit_name', c.unit_name, 'amount_claimed', c.amount_claimed, 'filing_date', c.filing_date,
                          'hearing_date', c.hearing_date, 'judgment_amount', c.judgment_amount, 'attorney', c.attorney,
                          'notes', c.notes)
$$;

-- Where each case's tenancy folder is: the same columns and rows as V12's view, with the primary
-- owner of each property and the primary tenant of each lease picked once per property and lease
-- (DISTINCT ON, hash-joinable) instead of by two LATERAL subqueries per case, so that the folders
-- of a whole import (or of a batch of thousands of cases) are one set-based join.
CREATE OR REPLACE VIEW legal_case_tenancies AS
SELECT c.case_number,
       c.lease_id,
       own.doorloop_id  AS owner_doorloop_id,
       own.name         AS owner_name,
       p.doorloop_id    AS property_doorloop_id,
       p.name           AS property_name,
       u.doorloop_id    AS unit_doorloop_id,
       u.name           AS unit_name,
       l.doorloop_id    AS lease_doorloop_id,
       ten.doorloop_id  AS tenant_doorloop_id,
       ten.name         AS tenant_name
FROM legal_cases c
JOIN normalized_leases l ON l.id = c.lease_id
JOIN normalized_properties p ON p.id = l.property_id
LEFT JOIN normalized_units u ON u.id = l.unit_id
LEFT JOIN (
    SELECT DISTINCT ON (po.property_id) po.property_id, o.doorloop_id, coalesce(o.full_name, o.company_name) AS name
    FROM normalized_property_owners po
    JOIN normalized_owners o ON o.id = po.owner_id
    WHERE po.deleted_at IS NULL
    ORDER BY po.property_id, po.ownership_percentage DESC NULLS LAST, po.position
) own ON own.property_id = p.id
LEFT JOIN (
    SELECT DISTINCT ON (lt.lease_id) lt.lease_id, t.doorloop_id, t.full_name AS name
    FROM normalized_lease_tenants lt
    JOIN normalized_tenants t ON t.id = lt.tenant_id
    WHERE lt.deleted_at IS NULL
    ORDER BY lt.lease_id, lt.move_in_at NULLS LAST, t.doorloop_id
) ten ON ten.lease_id = l.id;
