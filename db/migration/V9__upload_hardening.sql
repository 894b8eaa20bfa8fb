-- Upload sessions without row locks held during a request (issue 10): an append or finish
-- claims its session with a short UPDATE (claimed_by, claimed_until), works without holding
-- a connection while the body arrives or Dropbox answers, and commits with the claim. A
-- claim of a hub that died expires at claimed_until (live claims are renewed).
-- finish_hash records that a finish started and what it commits, so that a retry after a
-- crash between placing the file and committing the row finds the placed file.
-- Sessions expire hub.upload.session-ttl after created_at (checked in the queries).
ALTER TABLE upload_sessions
    ADD COLUMN claimed_by    uuid,
    ADD COLUMN claimed_until timestamptz,
    ADD COLUMN finish_hash   text;

CREATE INDEX upload_sessions_created ON upload_sessions (created_at);
