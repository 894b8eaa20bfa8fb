-- Single flight that survives a lost database connection (CONTRACT section 4).
-- One row per flow that is running or was running: the holder (instance and run) and until
-- when it holds. The run's heartbeat renews expires_at; a lease whose expiry has passed is
-- free, and whoever takes it fails the run that held it. A dropped connection, a pooler
-- killing idle sessions or a PostgreSQL restart does not free it (unlike a session lock).
CREATE TABLE flow_leases (
    flow        text        PRIMARY KEY,
    run_id      bigint,
    owner       text        NOT NULL,
    acquired_at timestamptz NOT NULL DEFAULT now(),
    renewed_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL
);
