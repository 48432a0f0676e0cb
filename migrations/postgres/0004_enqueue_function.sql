-- Kept in step with ../sqlite/0004_enqueue_function.sql.
-- Stores a batch of deliveries in ONE statement (its own transaction, one
-- round trip): a delivery, its commit's PR, and a job unless one already
-- covers the commit. Deliveries are taken in order, so a later one sees the
-- jobs of the earlier ones. Sent one statement per delivery between BEGIN and
-- COMMIT, the same work cost a round trip each, and PostgreSQL's CPU at
-- 2,000 deliveries/s went mostly to the kernel's socket wake-ups.
-- `p_covering[i]` is the comma-separated job states that take delivery i in
-- (`covering_states` in src/queue/batch.rs).
CREATE FUNCTION prwarden_enqueue(
    p_delivery_id TEXT[], p_event TEXT[], p_action TEXT[], p_received_at BIGINT[],
    p_payload BYTEA[], p_owner TEXT[], p_repo TEXT[], p_head_sha TEXT[],
    p_pr_number BIGINT[], p_installation_id BIGINT[], p_trigger TEXT[],
    p_manual BOOLEAN[], p_check_run_id BIGINT[], p_signoff_by TEXT[], p_covering TEXT[])
RETURNS TABLE (stored BOOLEAN, queued BOOLEAN)
LANGUAGE plpgsql AS $$
DECLARE
    covering_id BIGINT;
BEGIN
    FOR i IN 1 .. COALESCE(array_length(p_delivery_id, 1), 0) LOOP
        INSERT INTO deliveries (delivery_id, event, action, received_at, payload, payload_lz4)
        VALUES (p_delivery_id[i], p_event[i], p_action[i], p_received_at[i], '', p_payload[i])
        ON CONFLICT (delivery_id) DO NOTHING;
        IF NOT FOUND THEN
            stored := FALSE;
            queued := FALSE;
            RETURN NEXT;
            CONTINUE;
        END IF;
        IF p_pr_number[i] IS NOT NULL THEN
            INSERT INTO pull_heads (owner, repo, head_sha, pr_number)
            VALUES (p_owner[i], p_repo[i], p_head_sha[i], p_pr_number[i])
            ON CONFLICT DO NOTHING;
        END IF;
        covering_id := NULL;
        -- A sign-off is a click on one check run: always a job of its own.
        IF p_signoff_by[i] IS NULL THEN
            SELECT j.id INTO covering_id FROM jobs j
            WHERE j.owner = p_owner[i] AND j.repo = p_repo[i] AND j.head_sha = p_head_sha[i]
              AND j.state = ANY (string_to_array(p_covering[i], ','))
              AND j.signoff_by IS NULL
              AND (j.pr_number IS NOT DISTINCT FROM p_pr_number[i] OR p_pr_number[i] IS NULL)
            ORDER BY j.id DESC LIMIT 1;
        END IF;
        IF covering_id IS NOT NULL THEN
            IF p_manual[i] THEN
                UPDATE jobs SET manual = TRUE WHERE id = covering_id AND state = 'queued';
            END IF;
            stored := TRUE;
            queued := FALSE;
            RETURN NEXT;
            CONTINUE;
        END IF;
        INSERT INTO jobs (delivery_id, installation_id, owner, repo, pr_number, head_sha,
                          trigger_name, manual, check_run_id, signoff_by, run_after,
                          created_at, updated_at)
        VALUES (p_delivery_id[i], p_installation_id[i], p_owner[i], p_repo[i], p_pr_number[i],
                p_head_sha[i], p_trigger[i], p_manual[i], p_check_run_id[i], p_signoff_by[i],
                p_received_at[i], p_received_at[i], p_received_at[i]);
        stored := TRUE;
        queued := TRUE;
        RETURN NEXT;
    END LOOP;
END
$$;
