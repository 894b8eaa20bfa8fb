-- Legal module, faster (docs/legal.md, "Benchmark"): the same rules and the same results as V12,
-- cheaper to compute for a workbook of 100,000 rows. (PostgreSQL 15 and later: nothing newer is used.)

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
