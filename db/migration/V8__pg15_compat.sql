-- PostgreSQL 15 compatibility (Supabase and Debian 12 run 15): pg_input_is_valid is 16+.
--
-- hub_input_is_valid(value, type_name) answers what pg_input_is_valid answers: whether the text
-- casts to the type. On 16+ it is pg_input_is_valid itself (an inlined SQL function, so the
-- normalizer keeps the built-in's speed). On 15 it is hub_input_is_valid_portable: the shapes that
-- always cast (plain decimals, ISO dates and timestamps, true/false) are recognized in the statement,
-- and only other values pay for hub_cast_succeeds, whose EXCEPTION block costs a subtransaction.
-- The portable functions exist on every version, so the suite checks them on 17 as well as on 15.

-- Slow path: tries the cast. An unknown type is an error, not an invalid value.
CREATE FUNCTION hub_cast_succeeds(value text, type_name text) RETURNS boolean
    LANGUAGE plpgsql STABLE STRICT AS
$$
DECLARE
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

-- Shapes that cast on every supported version (false means "ask the cast", not "invalid").
-- A SQL function without STRICT: the planner inlines it and folds the CASE on the constant type name.
CREATE FUNCTION hub_input_is_well_formed(value text, type_name text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$
SELECT CASE type_name
    WHEN 'boolean' THEN value IN ('true', 'false')
    WHEN 'numeric' THEN length(value) <= 1000 AND value ~ '^-?([0-9]+(\.[0-9]*)?|\.[0-9]+)$'
    -- every month's days except February 29 (the cast knows leap years); years 0001-9999
    WHEN 'date' THEN left(value, 4) <> '0000'
        AND value ~ '^[0-9]{4}-((0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])|(0[13-9]|1[0-2])-(29|30)|(0[13578]|1[02])-31)$'
    -- the date as above, then a time of day with seconds, an optional fraction and an optional UTC
    -- offset up to 15:59 (two short expressions cost less than one long one)
    WHEN 'timestamptz' THEN left(value, 4) <> '0000' AND length(value) <= 40
        AND left(value, 10) ~ '^[0-9]{4}-((0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])|(0[13-9]|1[0-2])-(29|30)|(0[13578]|1[02])-31)$'
        AND substr(value, 11) ~ '^[T ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?(Z|[+-](0[0-9]|1[0-5])(:?[0-5][0-9])?)?$'
    ELSE false
END
$$;

CREATE FUNCTION hub_input_is_valid_portable(value text, type_name text) RETURNS boolean
    LANGUAGE sql STABLE AS
$$
SELECT CASE WHEN value IS NULL THEN NULL
            WHEN hub_input_is_well_formed(value, type_name) THEN true
            ELSE hub_cast_succeeds(value, type_name) END
$$;

DO $$
BEGIN
    IF current_setting('server_version_num')::int >= 160000 THEN
        EXECUTE $f$
            CREATE FUNCTION hub_input_is_valid(value text, type_name text) RETURNS boolean
                LANGUAGE sql STABLE AS 'SELECT pg_input_is_valid(value, type_name)'
        $f$;
    ELSE
        EXECUTE $f$
            CREATE FUNCTION hub_input_is_valid(value text, type_name text) RETURNS boolean
                LANGUAGE sql STABLE AS 'SELECT hub_input_is_valid_portable(value, type_name)'
        $f$;
    END IF;
END
$$;

COMMENT ON FUNCTION hub_input_is_valid(text, text) IS
    'pg_input_is_valid on 16+, hub_input_is_valid_portable on 15 (V8__pg15_compat.sql)';
