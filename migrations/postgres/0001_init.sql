-- Kept in step with ../sqlite/0001_init.sql; see there for the why.
CREATE TABLE deliveries (
    delivery_id TEXT PRIMARY KEY,
    event       TEXT NOT NULL,
    action      TEXT,
    received_at BIGINT NOT NULL,
    payload     TEXT NOT NULL
);

CREATE TABLE jobs (
    id               BIGSERIAL PRIMARY KEY,
    delivery_id      TEXT NOT NULL REFERENCES deliveries (delivery_id),
    installation_id  BIGINT NOT NULL,
    owner            TEXT NOT NULL,
    repo             TEXT NOT NULL,
    pr_number        BIGINT,
    head_sha         TEXT NOT NULL,
    trigger_name     TEXT NOT NULL,
    manual           BOOLEAN NOT NULL DEFAULT FALSE,
    state            TEXT NOT NULL DEFAULT 'queued',
    attempts         BIGINT NOT NULL DEFAULT 0,
    run_after        BIGINT NOT NULL,
    lease_owner      TEXT,
    lease_expires_at BIGINT,
    check_run_id     BIGINT,
    last_error       TEXT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX jobs_claimable ON jobs (state, run_after);
CREATE INDEX jobs_by_head ON jobs (owner, repo, head_sha, state);

CREATE TABLE pull_heads (
    owner     TEXT NOT NULL,
    repo      TEXT NOT NULL,
    head_sha  TEXT NOT NULL,
    pr_number BIGINT NOT NULL,
    PRIMARY KEY (owner, repo, head_sha, pr_number)
);

CREATE TABLE app_credentials (
    id             BIGINT PRIMARY KEY CHECK (id = 1),
    app_id         BIGINT NOT NULL,
    slug           TEXT,
    html_url       TEXT,
    webhook_secret TEXT NOT NULL,
    key_path       TEXT NOT NULL,
    created_at     BIGINT NOT NULL
);
