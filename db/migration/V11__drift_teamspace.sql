-- Drift detector and Team Space migration (issue 12, CONTRACT section 9).

-- drift_audit: a renamed entity's folder is moved, not duplicated ('moved', with the path it came
-- from); an entity that has no place in the tree (a property without owners, a lease without a
-- unit) is 'skipped'.
ALTER TABLE drift_audit DROP CONSTRAINT drift_audit_action_check;
ALTER TABLE drift_audit ADD CONSTRAINT drift_audit_action_check
    CHECK (action IN ('created', 'exists', 'moved', 'error', 'skipped'));
ALTER TABLE drift_audit ADD COLUMN previous_path text;
CREATE INDEX drift_audit_run ON drift_audit (run_id, action);

-- teamspace_migrations: how each file got there (copy_reference, download_upload, already_present),
-- the bytes that went through the hub, and the run that did it.
ALTER TABLE teamspace_migrations ADD COLUMN method text
    CHECK (method IN ('copy_reference', 'download_upload', 'already_present'));
ALTER TABLE teamspace_migrations ADD COLUMN bytes_downloaded bigint NOT NULL DEFAULT 0;
ALTER TABLE teamspace_migrations ADD COLUMN run_id bigint;
ALTER TABLE teamspace_migrations ADD COLUMN started_at timestamptz;
