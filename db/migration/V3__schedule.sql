-- azure-sync (CONTRACT sections 6 "Seed 002" and 7): groups, companies, users and schedule days
-- synced from the blob source, with the per-blob change detection state that commits with them.

CREATE TABLE service_company_groups (
    id                  integer     PRIMARY KEY,          -- ServiceCompanyGroupId
    name                text        NOT NULL,
    is_active           boolean     NOT NULL DEFAULT true,
    last_user_sync_at   timestamptz,
    last_user_file_hash text,                             -- MD5 (hex) of the users.json that last synced the group
    updated_at          timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE companies (
    id                       integer     PRIMARY KEY,     -- ServiceCompanyId
    service_company_group_id integer     NOT NULL REFERENCES service_company_groups (id),
    name                     text        NOT NULL,
    is_active                boolean     NOT NULL DEFAULT true,
    time_zone                text,                        -- Windows zone id as sent (TimeZoneInfoId)
    feature_toggles          jsonb       NOT NULL DEFAULT '{}'::jsonb,
    updated_at               timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX companies_group ON companies (service_company_group_id);

-- auth_hash is the digest of what Supabase Auth should hold for the user (email + metadata);
-- auth_synced_hash is what it was last confirmed to hold. They differ exactly for the users
-- whose auth record still has to be created or updated, so a crash between the database
-- commit and the auth calls is caught up by the next run even when users.json is unchanged.
CREATE TABLE user_profiles (
    id                      uuid        PRIMARY KEY,      -- UserId (also the Supabase auth user id)
    email                   text        NOT NULL,
    first_name              text,
    last_name               text,
    full_name               text,
    employee_information_id integer,
    roles                   text[]      NOT NULL DEFAULT '{}',
    -- no foreign key to companies: users.json is rejected whole when a user names a company the
    -- file does not carry, and its companies are upserted in the same transaction; an FK would
    -- add a trigger call per row to 100,000-row merges (see docs/azure-sync.md, benchmarks)
    service_company_id      integer     NOT NULL,
    auth_hash               text        NOT NULL,
    auth_synced_hash        text,
    updated_at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX user_profiles_company ON user_profiles (service_company_id);

-- Users removed from users.json whose auth record still has to be hard-deleted (the profile row
-- is gone already; this row outlives it until Supabase confirms the deletion).
CREATE TABLE auth_user_deletions (
    user_id      uuid        PRIMARY KEY,
    email        text,
    requested_at timestamptz NOT NULL DEFAULT now()
);

-- Where users.json is COPY'd before it is diffed against user_profiles. Unlogged (no WAL, and in
-- shared buffers rather than a session's small temp buffers); truncated at the start and end of
-- each users.json transaction, which azure-sync's single flight keeps to one at a time.
CREATE UNLOGGED TABLE user_profiles_stage (
    id                      uuid    NOT NULL,
    email                   text    NOT NULL,
    first_name              text,
    last_name               text,
    full_name               text,
    employee_information_id integer,
    roles                   text[]  NOT NULL,
    service_company_id      integer NOT NULL,
    auth_hash               text    NOT NULL                -- computed while streaming (UserCopyWriter)
);

CREATE TABLE schedule_data (
    service_company_id integer     NOT NULL REFERENCES companies (id),
    schedule_date      date        NOT NULL,
    storage_path       text        NOT NULL,
    job_count          integer     NOT NULL,
    content_hash       text        NOT NULL,              -- SHA-256 of the stored day object
    generated_at       timestamptz,                       -- the schedule file's GeneratedAt
    azure_blob_name    text        NOT NULL,
    azure_blob_hash    text        NOT NULL,              -- the blob's ETag when this day was written
    updated_at         timestamptz NOT NULL DEFAULT now(),
    UNIQUE (service_company_id, schedule_date)
);

-- One row per blob processed; a blob whose ETag equals etag here is neither downloaded nor parsed.
CREATE TABLE blob_state (
    blob_name    text        PRIMARY KEY,
    etag         text        NOT NULL,
    content_md5  text,                                    -- MD5 (hex) of the content actually read
    processed_at timestamptz NOT NULL DEFAULT now()
);
