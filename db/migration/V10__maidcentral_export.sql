-- maidcentral-export (CONTRACT section 12): what the exporter last wrote to each blob of its target
-- container. A blob is rewritten only when the hash of its content apart from GeneratedAt changes;
-- the same hash is in the blob's own metadata (hub_content_sha256), which is what a run compares
-- with (it lists the container), and this table is what a replayed dead letter compares with.
CREATE TABLE maidcentral_exports (
    container          text        NOT NULL,              -- Azure container name, or the folder's path
    blob_name          text        NOT NULL,              -- {ServiceCompanyId}_schedules.json or users.json
    content_sha256     text        NOT NULL,              -- SHA-256 (hex) of the blob's bytes apart from GeneratedAt
    etag               text,                              -- the blob's ETag after the upload
    service_company_id integer,                           -- null for users.json
    date_range_start   date,                              -- the schedule file's window (company's local today + 6)
    date_range_end     date,
    item_count         integer     NOT NULL,              -- jobs of the schedule file, users of users.json
    generated_at       timestamptz NOT NULL,              -- GeneratedAt of the uploaded content
    uploaded_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (container, blob_name)
);
