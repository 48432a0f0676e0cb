-- Kept in step with ../sqlite/0002_signoffs.sql.
ALTER TABLE jobs ADD COLUMN signoff_by TEXT;

CREATE TABLE signoffs (
    owner     TEXT NOT NULL,
    repo      TEXT NOT NULL,
    pr_number BIGINT NOT NULL,
    head_sha  TEXT NOT NULL,
    login     TEXT NOT NULL,
    signed_at BIGINT NOT NULL,
    PRIMARY KEY (owner, repo, pr_number, head_sha)
);
