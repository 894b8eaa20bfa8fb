-- Seed 000 (Dropbox document hub): idempotent uploads, stored files, resumable upload
-- sessions, and the drift-detector / Team Space tables that later issues fill.

-- One row per Idempotency-Key. The primary key decides who owns a key (INSERT ... ON
-- CONFLICT DO NOTHING); a completed row replays its stored answer until expires_at.
CREATE TABLE upload_requests (
    idempotency_key text        PRIMARY KEY CHECK (length(idempotency_key) BETWEEN 1 AND 255),
    endpoint        text        NOT NULL,
    request_hash    text        NOT NULL,
    status          text        NOT NULL CHECK (status IN ('in_progress', 'completed')),
    response_status integer,
    response        jsonb,
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL
);
CREATE INDEX upload_requests_expires ON upload_requests (expires_at);

-- Every file the hub stored in Dropbox (or the local folder store). The Dropbox path is the
-- natural key: storing the same name with the same content answers the same row.
CREATE TABLE file_assets (
    id                uuid        PRIMARY KEY,
    source            text        NOT NULL CHECK (source IN ('api', 'session', 'dealroom', 'fieldapp', 'legal')),
    entity_type       text        NOT NULL,
    owner_id          text,
    property_id       text,
    unit_id           text,
    lease_id          text,
    tenant_id         text,
    actor_id          text,
    original_filename text        NOT NULL,
    dropbox_path      text        NOT NULL UNIQUE,
    dropbox_id        text,
    rev               text,
    content_hash      text        NOT NULL,
    size_bytes        bigint      NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    teamspace_path    text,
    migrated_at       timestamptz
);
CREATE INDEX file_assets_not_migrated ON file_assets (created_at) WHERE migrated_at IS NULL;
CREATE INDEX file_assets_property ON file_assets (property_id);

-- A resumable upload session. Everything needed to continue after a restart lives here:
-- the store's session id, the bytes Dropbox has (store_offset), the 4 MiB block digests of
-- those bytes (for the content_hash) and the tail (< 4 MiB) not yet sent to Dropbox, which
-- keeps every non-final Dropbox append a multiple of 4 MiB whatever the client's chunk size.
CREATE TABLE upload_sessions (
    id                uuid        PRIMARY KEY,
    store_session_id  text        NOT NULL,
    dest_path         text        NOT NULL,
    entity_type       text        NOT NULL,
    source            text        NOT NULL DEFAULT 'session',
    meta              jsonb       NOT NULL DEFAULT '{}'::jsonb,
    original_filename text        NOT NULL,
    client_offset     bigint      NOT NULL DEFAULT 0,
    store_offset      bigint      NOT NULL DEFAULT 0,
    block_digests     bytea       NOT NULL DEFAULT ''::bytea,
    tail              bytea       NOT NULL DEFAULT ''::bytea,
    status            text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'finished')),
    result            jsonb,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CHECK (client_offset = store_offset + length(tail))
);
CREATE INDEX upload_sessions_open ON upload_sessions (updated_at) WHERE status = 'open';

-- Drift detector (CONTRACT section 9): one row per entity and run.
CREATE TABLE drift_audit (
    id         bigserial   PRIMARY KEY,
    run_id     bigint,
    entity     text        NOT NULL,
    key        text        NOT NULL,
    path       text        NOT NULL,
    action     text        NOT NULL CHECK (action IN ('created', 'exists', 'error')),
    detail     text,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (run_id, entity, key)
);
CREATE INDEX drift_audit_entity ON drift_audit (entity, key, created_at DESC);

-- Team Space migration: one row per migrated file asset, resumable.
CREATE TABLE teamspace_migrations (
    file_asset_id uuid        PRIMARY KEY REFERENCES file_assets (id),
    source_path   text        NOT NULL,
    target_path   text        NOT NULL,
    status        text        NOT NULL CHECK (status IN ('pending', 'copied', 'verified', 'failed')),
    content_hash  text,
    error         text,
    attempts      integer     NOT NULL DEFAULT 0,
    migrated_at   timestamptz,
    updated_at    timestamptz NOT NULL DEFAULT now()
);
