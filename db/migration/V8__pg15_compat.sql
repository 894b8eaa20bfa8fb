-- PostgreSQL 15 compatibility (Supabase and Debian 12 run 15): pg_input_is_valid is 16+.
--
-- hub_input_is_valid(value, type_name) answers what pg_input_is_valid(value, type_name) answers on
-- 16+: whether the text casts to the type. It is the slow path only. Its EXCEPTION block costs a
-- subtransaction per call, so the normalizer (EntitySpec.validSql) first tests the well-formed
-- shapes (ISO dates and timestamps, plain decimal numbers, true/false) with regular expressions in
-- the statement itself, and calls this only for the odd values that match none of them.
CREATE FUNCTION hub_input_is_valid(value text, type_name text) RETURNS boolean
    LANGUAGE plpgsql STABLE STRICT AS
$$
DECLARE
    -- resolved outside the EXCEPTION block: an unknown type is an error, not an invalid value
    target regtype := type_name::regtype;
BEGIN
    BEGIN
        EXECUTE format('SELECT CAST($1 AS %s)', target) USING value;
        RETURN true;
    EXCEPTION
        WHEN data_exception THEN
            RETURN false;
    END;
END
$$;

COMMENT ON FUNCTION hub_input_is_valid(text, text) IS
    'pg_input_is_valid for PostgreSQL 15: true when the text casts to the type (slow path; see V8__pg15_compat.sql)';
