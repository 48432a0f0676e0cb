-- Deliveries are stored LZ4-compressed (lz4_flex's size-prepended block
-- format): the acknowledging transaction writes a tenth of the bytes. Rows
-- stored before keep their text in `payload`; new rows leave it empty, as
-- SQLite cannot relax the column's NOT NULL in place.
ALTER TABLE deliveries ADD COLUMN payload_lz4 BLOB;

-- Claims take the oldest job of one state. `(state, run_after)` made that a
-- sort of every queued job; `(state, id)` is read in order and the walk stops
-- at the first job that may run.
DROP INDEX jobs_claimable;
CREATE INDEX jobs_claim_order ON jobs (state, id);
