-- Kept in step with ../postgres/0004_enqueue_function.sql, which adds
-- PostgreSQL's one-statement batch enqueue. Nothing to change here: SQLite
-- batches are planned in memory and written as one command
-- (src/queue/batch.rs).
SELECT 1;
