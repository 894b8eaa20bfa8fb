-- Legal module (CONTRACT sections 6 and 10): cases keyed by case number, their append-only history,
-- the rejected rows of imported workbooks, the case folders made in Dropbox, and reporting views.
-- The lifecycle rules live here, not only in the importer: a phase moves only forward (closed is the
-- last phase), a closed case never changes, and every change of a case appends a history row. Who
-- changed it comes from the transaction's setting hub.actor (the importer sets it: 'api', 'inbox',
-- 'run <id>'), else the database user; the run from hub.run_id.

CREATE TYPE legal_case_type AS ENUM ('eviction', 'collections', 'damages');
-- Declared in lifecycle order, so that phases compare with < and >.
CREATE TYPE legal_phase AS ENUM ('intake', 'notice_served', 'filed', 'hearing_scheduled', 'judgment', 'writ_issued', 'closed');

-- Keys for matching workbook text to the normalized tables: case-insensitive, runs of whitespace
-- as one space, trimmed; addresses also ignore commas ("1 Main St, Springfield" = "1 main st springfield").
-- Both sides of a match go through the same function, so the comparison is consistent whatever the collation.
CREATE FUNCTION legal_name_key(t text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS
$$
SELECT lower(btrim(regexp_replace(t, '[[:space:]]+', ' ', 'g')))
$$;

CREATE FUNCTION legal_address_key(t text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS
$$
SELECT lower(btrim(regexp_replace(t, '[[:space:],]+', ' ', 'g')))
$$;

-- A workbook value in a rejection reason: 'text' (or "text" when it holds a single quote), as the
-- Java side (CaseRow.quote) and the test data generator write them; long values are cut at 80 characters.
CREATE FUNCTION legal_quote(t text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS
$$
SELECT CASE WHEN strpos(v, '''') > 0 AND strpos(v, '"') = 0 THEN '"' || v || '"'
            ELSE '''' || replace(v, '''', '\''') || '''' END
FROM (SELECT regexp_replace(CASE WHEN length(t) > 80 THEN left(t, 80) || '...' ELSE t END, '[[:cntrl:]]', '?', 'g') AS v) q
$$;

CREATE FUNCTION legal_actor() RETURNS text
    LANGUAGE sql STABLE AS
$$
SELECT coalesce(nullif(current_setting('hub.actor', true), ''), 'db:' || session_user)
$$;

CREATE FUNCTION legal_run_id() RETURNS bigint
    LANGUAGE sql STABLE AS
$$
SELECT nullif(current_setting('hub.run_id', true), '')::bigint
$$;

-- tenant, property, unit and lease are the normalized rows the workbook's names matched (uuid
-- references without constraints, like the normalized tables themselves: see V5); tenant_name,
-- property_address and unit_name are the workbook's text.
CREATE TABLE legal_cases (
    case_number      text            PRIMARY KEY CHECK (length(case_number) BETWEEN 1 AND 64 AND case_number = btrim(case_number)),
    case_type        legal_case_type NOT NULL,
    phase            legal_phase     NOT NULL,
    tenant_id        uuid            NOT NULL,
    property_id      uuid            NOT NULL,
    unit_id          uuid,
    lease_id         uuid            NOT NULL,
    tenant_name      text            NOT NULL,
    property_address text            NOT NULL,
    unit_name        text,
    amount_claimed   numeric(14, 2)  CHECK (amount_claimed >= 0),
    filing_date      date,
    hearing_date     date,
    judgment_amount  numeric(14, 2)  CHECK (judgment_amount >= 0),
    attorney         text,
    notes            text,
    created_at       timestamptz     NOT NULL DEFAULT now(),
    updated_at       timestamptz     NOT NULL DEFAULT now(),
    updated_by       text            NOT NULL,
    run_id           bigint,
    closed_at        timestamptz
);
-- No secondary indexes: the views aggregate whole tables, and every index costs each imported row.

-- The case's data, without the bookkeeping columns: what history records and what "changed" means.
CREATE FUNCTION legal_case_data(c legal_cases) RETURNS jsonb
    LANGUAGE sql IMMUTABLE AS
$$
SELECT to_jsonb(c) - ARRAY['created_at', 'updated_at', 'updated_by', 'run_id', 'closed_at']
$$;

CREATE FUNCTION legal_cases_guard() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.phase = 'closed' THEN
            RAISE EXCEPTION 'legal case % is closed: a closed case cannot be deleted', OLD.case_number
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        IF NEW.case_number <> OLD.case_number THEN
            RAISE EXCEPTION 'legal case %: the case number cannot change (to %)', OLD.case_number, NEW.case_number
                USING ERRCODE = 'check_violation';
        END IF;
        IF OLD.phase = 'closed' THEN
            RAISE EXCEPTION 'legal case % is closed: a closed case cannot change', OLD.case_number
                USING ERRCODE = 'check_violation';
        END IF;
        IF NEW.phase < OLD.phase THEN
            RAISE EXCEPTION 'legal case %: phase cannot move back from % to %', OLD.case_number, OLD.phase, NEW.phase
                USING ERRCODE = 'check_violation';
        END IF;
        NEW.created_at := OLD.created_at;
        NEW.closed_at := OLD.closed_at;
    ELSE
        NEW.created_at := now();
        NEW.closed_at := NULL;
    END IF;
    NEW.updated_at := now();
    -- legal_actor() and legal_run_id(), written out: plain expressions stay on PL/pgSQL's fast path
    NEW.updated_by := coalesce(nullif(current_setting('hub.actor', true), ''), 'db:' || session_user);
    NEW.run_id := nullif(current_setting('hub.run_id', true), '')::bigint;
    IF NEW.phase = 'closed' AND NEW.closed_at IS NULL THEN
        NEW.closed_at := now();
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER legal_cases_guard
    BEFORE INSERT OR UPDATE OR DELETE ON legal_cases
    FOR EACH ROW EXECUTE FUNCTION legal_cases_guard();

CREATE FUNCTION legal_refuse_truncate() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    RAISE EXCEPTION '% cannot be truncated: its rows are legal records', TG_TABLE_NAME USING ERRCODE = 'check_violation';
END
$$;

CREATE TRIGGER legal_cases_no_truncate
    BEFORE TRUNCATE ON legal_cases
    FOR EACH STATEMENT EXECUTE FUNCTION legal_refuse_truncate();

-- Append-only: one row per created, changed or deleted case. change = created | phase (the phase
-- moved, maybe with other fields) | updated | deleted; changes = the data of a created case, or
-- {column: {"from": old, "to": new}} of the columns that changed.
CREATE TABLE legal_case_history (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_number text        NOT NULL,
    change      text        NOT NULL CHECK (change IN ('created', 'phase', 'updated', 'deleted')),
    from_phase  legal_phase,
    to_phase    legal_phase,
    changes     jsonb       NOT NULL,
    changed_by  text        NOT NULL,
    run_id      bigint,
    changed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX legal_case_history_case ON legal_case_history (case_number, id);

CREATE FUNCTION legal_case_history_refuse() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    RAISE EXCEPTION 'legal_case_history is append-only: % refused', TG_OP USING ERRCODE = 'check_violation';
END
$$;

CREATE TRIGGER legal_case_history_append_only
    BEFORE UPDATE OR DELETE ON legal_case_history
    FOR EACH ROW EXECUTE FUNCTION legal_case_history_refuse();

CREATE TRIGGER legal_case_history_no_truncate
    BEFORE TRUNCATE ON legal_case_history
    FOR EACH STATEMENT EXECUTE FUNCTION legal_refuse_truncate();

-- History is written per statement from the transition tables: one INSERT ... SELECT for a whole
-- import instead of a trigger call per row.
CREATE FUNCTION legal_cases_history_insert() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    INSERT INTO legal_case_history (case_number, change, from_phase, to_phase, changes, changed_by, run_id)
    SELECT n.case_number, 'created', NULL, n.phase, legal_case_data(n), n.updated_by, n.run_id
    FROM new_rows n;
    RETURN NULL;
END
$$;

CREATE FUNCTION legal_cases_history_update() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    INSERT INTO legal_case_history (case_number, change, from_phase, to_phase, changes, changed_by, run_id)
    SELECT d.case_number, CASE WHEN d.from_phase <> d.to_phase THEN 'phase' ELSE 'updated' END,
           d.from_phase, d.to_phase, d.changes, d.updated_by, d.run_id
    FROM (
        SELECT n.case_number, o.phase AS from_phase, n.phase AS to_phase, n.updated_by, n.run_id,
               (SELECT jsonb_object_agg(nv.key, jsonb_build_object('from', ov.value, 'to', nv.value))
                FROM jsonb_each(legal_case_data(n)) nv
                JOIN jsonb_each(legal_case_data(o)) ov ON ov.key = nv.key
                WHERE nv.value IS DISTINCT FROM ov.value) AS changes
        FROM new_rows n
        JOIN old_rows o ON o.case_number = n.case_number
    ) d
    WHERE d.changes IS NOT NULL;
    RETURN NULL;
END
$$;

CREATE FUNCTION legal_cases_history_delete() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    INSERT INTO legal_case_history (case_number, change, from_phase, to_phase, changes, changed_by, run_id)
    SELECT o.case_number, 'deleted', o.phase, NULL, legal_case_data(o), legal_actor(), legal_run_id()
    FROM old_rows o;
    RETURN NULL;
END
$$;

CREATE TRIGGER legal_cases_history_insert
    AFTER INSERT ON legal_cases REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION legal_cases_history_insert();

CREATE TRIGGER legal_cases_history_update
    AFTER UPDATE ON legal_cases REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION legal_cases_history_update();

CREATE TRIGGER legal_cases_history_delete
    AFTER DELETE ON legal_cases REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION legal_cases_history_delete();

-- Rejected rows of imported workbooks, keyed by the workbook's content (SHA-256) and the row
-- (the spreadsheet's row number, header = 1): importing the same workbook again writes nothing
-- new; a row that a later import of the same workbook accepts is removed.
CREATE TABLE legal_import_rows (
    workbook_sha256 text        NOT NULL,
    row_number      integer     NOT NULL CHECK (row_number >= 2),
    case_number     text,
    reason          text        NOT NULL,
    data            jsonb       NOT NULL,
    workbook_name   text,
    run_id          bigint,
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workbook_sha256, row_number)
);
CREATE INDEX legal_import_rows_case ON legal_import_rows (case_number);

-- The folder {tenancy}/10_Legal/{case_number} made for each case; source_md5 is the md5 of what
-- its path was computed from (names and DoorLoop ids of owner, property, unit, lease, primary
-- tenant, and the root), so that cases without a folder or with a stale one are found in SQL.
CREATE TABLE legal_case_folders (
    case_number text        PRIMARY KEY,
    path        text        NOT NULL,
    source_md5  text        NOT NULL,
    run_id      bigint,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Where each case's tenancy folder is (CONTRACT section 9): the lease's first unit, the property's
-- primary owner (highest share, ties: first listed), the lease's primary tenant (earliest move-in,
-- ties by DoorLoop tenant id).
CREATE VIEW legal_case_tenancies AS
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
LEFT JOIN LATERAL (
    SELECT o.doorloop_id, coalesce(o.full_name, o.company_name) AS name
    FROM normalized_property_owners po
    JOIN normalized_owners o ON o.id = po.owner_id
    WHERE po.property_id = p.id AND po.deleted_at IS NULL
    ORDER BY po.ownership_percentage DESC NULLS LAST, po.position
    LIMIT 1
) own ON true
LEFT JOIN LATERAL (
    SELECT t.doorloop_id, t.full_name AS name
    FROM normalized_lease_tenants lt
    JOIN normalized_tenants t ON t.id = lt.tenant_id
    WHERE lt.lease_id = l.id AND lt.deleted_at IS NULL
    ORDER BY lt.move_in_at NULLS LAST, t.doorloop_id
    LIMIT 1
) ten ON true;

-- Open cases by phase (every open phase, in lifecycle order, with zero counts too).
CREATE VIEW legal_open_cases_by_phase AS
SELECT ph.phase,
       count(c.case_number)                AS cases,
       coalesce(sum(c.amount_claimed), 0)  AS amount_claimed,
       coalesce(sum(c.judgment_amount), 0) AS amount_awarded
FROM unnest(enum_range(NULL::legal_phase)) AS ph(phase)
LEFT JOIN legal_cases c ON c.phase = ph.phase
WHERE ph.phase <> 'closed'
GROUP BY ph.phase
ORDER BY ph.phase;

-- Amounts claimed and awarded (judgment amounts) by property and by owner; an owner counts every
-- case of every property that lists it, at full value (as the KPIs do).
CREATE VIEW legal_amounts_by_property AS
SELECT c.property_id,
       p.doorloop_id                                                  AS property_doorloop_id,
       p.name                                                         AS property_name,
       count(*)                                                       AS cases,
       count(*) FILTER (WHERE c.phase <> 'closed')                    AS open_cases,
       coalesce(sum(c.amount_claimed), 0)                             AS amount_claimed,
       coalesce(sum(c.judgment_amount), 0)                            AS amount_awarded
FROM legal_cases c
LEFT JOIN normalized_properties p ON p.id = c.property_id
GROUP BY c.property_id, p.doorloop_id, p.name;

CREATE VIEW legal_amounts_by_owner AS
SELECT po.owner_id,
       o.doorloop_id                                 AS owner_doorloop_id,
       coalesce(o.full_name, o.company_name)         AS owner_name,
       count(*)                                      AS cases,
       count(*) FILTER (WHERE c.phase <> 'closed')   AS open_cases,
       coalesce(sum(c.amount_claimed), 0)            AS amount_claimed,
       coalesce(sum(c.judgment_amount), 0)           AS amount_awarded
FROM legal_cases c
JOIN normalized_property_owners po ON po.property_id = c.property_id AND po.deleted_at IS NULL
JOIN normalized_owners o ON o.id = po.owner_id
GROUP BY po.owner_id, o.doorloop_id, o.full_name, o.company_name;
