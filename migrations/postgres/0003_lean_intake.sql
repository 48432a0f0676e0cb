-- Kept in step with ../sqlite/0003_lean_intake.sql; see there for the why.
ALTER TABLE deliveries ADD COLUMN payload_lz4 BYTEA;
-- Already compressed: pglz would spend CPU failing to shrink it. EXTERNAL
-- keeps large values out of line without compressing them again, and a
-- compressed delivery (a few KB) stays in its row instead of being toasted.
ALTER TABLE deliveries ALTER COLUMN payload_lz4 SET STORAGE EXTERNAL;
ALTER TABLE deliveries SET (toast_tuple_target = 8160);

DROP INDEX jobs_claimable;
CREATE INDEX jobs_claim_order ON jobs (state, id);
