-- Platform tables: run ledger, dead letters, their dashboard.

-- One row per flow run (scheduled, REST or one-shot). The partial unique index makes
-- "one running run per flow" a database fact, whatever the number of hub instances.
CREATE TABLE sync_jobs (
    id           bigserial PRIMARY KEY,
    flow         text        NOT NULL,
    status       text        NOT NULL CHECK (status IN ('running', 'succeeded', 'partial', 'failed')),
    trigger      text        NOT NULL,
    params       jsonb       NOT NULL DEFAULT '{}'::jsonb,
    started_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz,
    heartbeat_at timestamptz NOT NULL DEFAULT now(),
    stats        jsonb       NOT NULL DEFAULT '{}'::jsonb,
    error        text,
    instance     text        NOT NULL
);
CREATE UNIQUE INDEX sync_jobs_one_running_per_flow ON sync_jobs (flow) WHERE status = 'running';
CREATE INDEX sync_jobs_flow_started ON sync_jobs (flow, started_at DESC);
CREATE INDEX sync_jobs_started ON sync_jobs (started_at DESC);

-- Records that could not be processed, kept with their original payload until replayed.
-- An entity that fails again while still open updates its row (natural key below).
CREATE TABLE dead_letters (
    id              bigserial PRIMARY KEY,
    flow            text        NOT NULL,
    route_id        text,
    entity_type     text        NOT NULL,
    entity_key      text        NOT NULL,
    payload         jsonb,
    headers         jsonb       NOT NULL DEFAULT '{}'::jsonb,
    error_class     text,
    error_message   text,
    status          text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'replayed', 'parked')),
    attempts        integer     NOT NULL DEFAULT 0,
    run_id          bigint,
    first_failed_at timestamptz NOT NULL DEFAULT now(),
    last_failed_at  timestamptz NOT NULL DEFAULT now(),
    next_attempt_at timestamptz,
    replayed_at     timestamptz
);
CREATE UNIQUE INDEX dead_letters_open_entity ON dead_letters (flow, entity_type, entity_key) WHERE status <> 'replayed';
CREATE INDEX dead_letters_due ON dead_letters (next_attempt_at) WHERE status = 'pending';
CREATE INDEX dead_letters_flow_status ON dead_letters (flow, status);

CREATE VIEW dlq_dashboard AS
SELECT flow,
       entity_type,
       count(*) FILTER (WHERE status = 'pending' AND attempts = 0) AS pending,
       count(*) FILTER (WHERE status = 'pending' AND attempts > 0) AS retrying,
       count(*) FILTER (WHERE status = 'parked')                   AS parked,
       count(*) FILTER (WHERE status = 'replayed')                 AS replayed,
       min(first_failed_at) FILTER (WHERE status <> 'replayed')    AS oldest_open_at,
       max(last_failed_at)                                         AS last_failed_at,
       min(next_attempt_at) FILTER (WHERE status = 'pending')      AS next_attempt_at
FROM dead_letters
GROUP BY flow, entity_type;
