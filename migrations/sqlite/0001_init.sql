-- Every accepted webhook delivery, verbatim. The primary key makes a
-- redelivery (same X-GitHub-Delivery) a no-op.
CREATE TABLE deliveries (
    delivery_id TEXT PRIMARY KEY,
    event       TEXT NOT NULL,
    action      TEXT,
    received_at INTEGER NOT NULL,
    payload     TEXT NOT NULL
);

-- Review jobs. A worker owns a running job only while its lease is fresh.
CREATE TABLE jobs (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id      TEXT NOT NULL REFERENCES deliveries (delivery_id),
    installation_id  INTEGER NOT NULL,
    owner            TEXT NOT NULL,
    repo             TEXT NOT NULL,
    pr_number        INTEGER,
    head_sha         TEXT NOT NULL,
    trigger_name     TEXT NOT NULL,
    manual           INTEGER NOT NULL DEFAULT 0,
    state            TEXT NOT NULL DEFAULT 'queued',
    attempts         INTEGER NOT NULL DEFAULT 0,
    run_after        INTEGER NOT NULL,
    lease_owner      TEXT,
    lease_expires_at INTEGER,
    check_run_id     INTEGER,
    last_error       TEXT,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX jobs_claimable ON jobs (state, run_after);
CREATE INDEX jobs_by_head ON jobs (owner, repo, head_sha, state);

-- Which pull requests a head commit belongs to, learnt from pull_request
-- deliveries, for check-suite and check-run triggers that arrive without one
-- (forks send an empty pull_requests array).
CREATE TABLE pull_heads (
    owner     TEXT NOT NULL,
    repo      TEXT NOT NULL,
    head_sha  TEXT NOT NULL,
    pr_number INTEGER NOT NULL,
    PRIMARY KEY (owner, repo, head_sha, pr_number)
);

-- Credentials obtained through the manifest flow. The private key lives in a
-- 0600 file; this row says where.
CREATE TABLE app_credentials (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    app_id         INTEGER NOT NULL,
    slug           TEXT,
    html_url       TEXT,
    webhook_secret TEXT NOT NULL,
    key_path       TEXT NOT NULL,
    created_at     INTEGER NOT NULL
);
