-- "Mark reviewed" clicks wait in the job that re-completes the check run.
ALTER TABLE jobs ADD COLUMN signoff_by TEXT;

-- Human sign-offs of security-critical changes, per reviewed commit: a new
-- push needs a new sign-off.
CREATE TABLE signoffs (
    owner     TEXT NOT NULL,
    repo      TEXT NOT NULL,
    pr_number INTEGER NOT NULL,
    head_sha  TEXT NOT NULL,
    login     TEXT NOT NULL,
    signed_at INTEGER NOT NULL,
    PRIMARY KEY (owner, repo, pr_number, head_sha)
);
