//! The durable store: deliveries, review jobs with leases, the head-SHA → PR
//! map, sign-offs and App credentials — in SQLite (one process) or
//! PostgreSQL (several replicas sharing the work).
//!
//! Jobs are claimed with a lease. A worker that dies stops renewing it, and
//! once it expires any worker — in this process, after a restart, or in
//! another replica — claims the job again, so nothing accepted is lost.
//!
//! Both backends run the same SQL (`$n` parameters work in both) except in
//! two places: the claim, because PostgreSQL needs explicit locking where
//! SQLite's single writer already serialises, and storing deliveries, which
//! PostgreSQL does in one statement each (SQLite has no data-modifying
//! `WITH`) and SQLite a batch at a time, planned in memory (`batch`).

use std::collections::HashSet;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteArguments, SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous,
};
use sqlx::{Arguments, Row};
use tokio::sync::{mpsc, oneshot};

use super::batch::{self, KnownJob, covering_states};
use crate::intake::ReviewRequest;

/// Ordered schema migrations per backend, kept in step: the version is the
/// position in the list.
const SQLITE_MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/sqlite/0001_init.sql"),
    include_str!("../../migrations/sqlite/0002_signoffs.sql"),
    include_str!("../../migrations/sqlite/0003_lean_intake.sql"),
    include_str!("../../migrations/sqlite/0004_enqueue_function.sql"),
];
const POSTGRES_MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/postgres/0001_init.sql"),
    include_str!("../../migrations/postgres/0002_signoffs.sql"),
    include_str!("../../migrations/postgres/0003_lean_intake.sql"),
    include_str!("../../migrations/postgres/0004_enqueue_function.sql"),
];

/// Advisory-lock keys (PostgreSQL): migrations and job claims of all
/// replicas are serialised on them.
const MIGRATION_LOCK: i64 = 0x7072_7761_7264_0001;
const CLAIM_LOCK: i64 = 0x7072_7761_7264_0002;

/// A job fails for good after this many claims.
pub const MAX_ATTEMPTS: i64 = 5;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported DATABASE_URL scheme: expected sqlite://PATH or postgres://…")]
    UnsupportedUrl,
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("the stored payload of delivery {0} cannot be decompressed")]
    CorruptPayload(String),
}

#[derive(Clone)]
enum Pool {
    /// SQLite lets one connection write at a time. Several pooled writers
    /// spend their time in the busy handler's 1–100 ms sleeps waiting for
    /// that lock, so all writes share one connection and queue for it in
    /// process instead; readers have their own connections, which WAL lets
    /// run alongside the writer.
    Sqlite {
        writer: SqlitePool,
        readers: SqlitePool,
    },
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to whichever backend is in use: the same
/// SQL and code, compiled once per driver. On SQLite this is the writer; use
/// it for anything that writes.
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.pool {
            Pool::Sqlite { writer: $pool, .. } => $body,
            Pool::Postgres($pool) => $body,
        }
    };
}

/// [`on_pool!`] for a job's own bookkeeping (claim, lease, outcome), which
/// on PostgreSQL commits asynchronously: see [`Store::job_pool`].
macro_rules! on_job_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.job_pool {
            Pool::Sqlite { writer: $pool, .. } => $body,
            Pool::Postgres($pool) => $body,
        }
    };
}

/// [`on_pool!`] for read-only statements, which on SQLite need not wait for
/// the writer.
macro_rules! on_reader {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.pool {
            Pool::Sqlite { readers: $pool, .. } => $body,
            Pool::Postgres($pool) => $body,
        }
    };
}

/// The columns of a claimed job, in [`job_from_row`]'s order.
const JOB_COLUMNS: &str = "id, delivery_id, installation_id, owner, repo, pr_number, head_sha, \
     trigger_name, manual, attempts, check_run_id, signoff_by";

macro_rules! job_from_row {
    ($row:expr) => {{
        let row = $row;
        Job {
            id: row.get("id"),
            delivery_id: row.get("delivery_id"),
            installation_id: row.get::<i64, _>("installation_id") as u64,
            owner: row.get("owner"),
            repo: row.get("repo"),
            pr_number: row.get::<Option<i64>, _>("pr_number").map(|n| n as u64),
            head_sha: row.get("head_sha"),
            trigger: row.get("trigger_name"),
            manual: row.get("manual"),
            attempts: row.get("attempts"),
            check_run_id: row.get::<Option<i64>, _>("check_run_id").map(|n| n as u64),
            signoff_by: row.get("signoff_by"),
        }
    }};
}

/// The claim: the oldest job under an expired lease, else the oldest queued
/// one that may run, made `running` for `$1` until `$2` (now is `$3`).
fn claim_sql() -> String {
    // One `ORDER BY id LIMIT 1` per state walks the `(state, id)` index
    // and stops at the first job that may run; a single sub-select over
    // both states sorted every queued job on each claim, under the
    // write lock, which made draining a backlog quadratic.
    let free = "NOT EXISTS (
                    SELECT 1 FROM jobs r
                    WHERE r.id != j.id AND r.state = 'running'
                      AND r.lease_expires_at >= $3
                      AND r.owner = j.owner AND r.repo = j.repo
                      AND (r.head_sha = j.head_sha OR r.pr_number = j.pr_number))";
    format!(
        "UPDATE jobs SET state = 'running', lease_owner = $1, lease_expires_at = $2,
                attempts = attempts + 1, updated_at = $3
         WHERE id = COALESCE(
             (SELECT j.id FROM jobs j
              WHERE j.state = 'running' AND j.lease_expires_at < $3 AND {free}
              ORDER BY j.id LIMIT 1),
             (SELECT j.id FROM jobs j
              WHERE j.state = 'queued' AND j.run_after <= $3 AND {free}
              ORDER BY j.id LIMIT 1))
         RETURNING {JOB_COLUMNS}"
    )
}

/// Run first in a PostgreSQL claim's transaction: claims of all replicas
/// take turns on an advisory lock, and sorting is off for the transaction.
/// The claim must walk `(state, id)` in order and stop at the first job that
/// may run; PostgreSQL plans the prepared claim once, with the statistics of
/// a young table (a handful of queued jobs), and keeps that plan: a scan of
/// every queued job and a sort, measured at ~30 ms a claim with 20,000
/// queued.
const POSTGRES_CLAIM_SETUP: &str =
    "SELECT pg_advisory_xact_lock($1), set_config('enable_sort', 'off', true)";

#[derive(Clone)]
pub struct Store {
    pool: Pool,
    /// What [`write_deliveries`] stores with: on SQLite the same pool, on
    /// PostgreSQL connections of its own.
    intake_pool: Pool,
    /// What review workers record a job's progress with (claim, heartbeat,
    /// check run, outcome): on SQLite the same pool; on PostgreSQL
    /// connections with `synchronous_commit = off`. Every autocommitted
    /// update there used to wait for its own WAL flush, and an intake batch
    /// committing behind it waited for that flush too (with reviews
    /// running, a flush took 3–10 ms on this machine's disk). Only a
    /// crash of the PostgreSQL server can lose such a commit (its last
    /// ~0.6 s), which sets a job back to an earlier state: it then runs
    /// again, and publishing looks before it posts, so nothing is posted
    /// twice. The deliveries, what the 2xx promises GitHub, stay
    /// synchronous.
    job_pool: Pool,
    /// Deliveries waiting for [`write_deliveries`].
    intake: mpsc::Sender<PendingDelivery>,
    /// SQLite's background checkpoints, which end with the last clone.
    _checkpointer: Option<Arc<AbortOnDrop>>,
}

/// SQLite's own checkpoints on the writer: a backstop only, for when
/// [`checkpoint_wal`] is not running. A checkpoint that restarts the WAL has
/// to run on the writer, and it syncs the database file with every page
/// copied since the last restart: SQLite's default of 1,000 pages put that
/// inside an acknowledgement every hundred or so deliveries, 10,000 pages
/// stalled intake ~10 ms twice a second at 2,000 deliveries/s, and 65,536
/// ~100 ms every three seconds.
const WRITER_AUTOCHECKPOINT_PAGES: u32 = 262_144;

/// WAL length (pages) past which [`checkpoint_wal`] has the writer restart
/// the log, and what the WAL file is cut back to afterwards (bytes).
const WAL_RESTART_PAGES: i64 = 16_384;
const WAL_SIZE_LIMIT_BYTES: u64 = 64 * 1024 * 1024;

/// How often [`checkpoint_wal`] copies the WAL back into the database.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(100);

/// Keeps SQLite's WAL short without stalling intake, until the pool closes.
///
/// Every [`CHECKPOINT_EVERY`] it copies the WAL into the database from a
/// reader connection (PASSIVE never takes the write lock) and syncs the
/// database file (SQLite itself syncs it only after a checkpoint that
/// completes, which a passive one never does while deliveries keep
/// arriving). Only a checkpoint on the writer completes under load, so once
/// the WAL is long the writer runs one — right after the copy and sync,
/// when it is left a few milliseconds of frames instead of everything since
/// the last restart — and the next write starts the WAL from the beginning.
async fn checkpoint_wal(writer: SqlitePool, readers: SqlitePool, database: Option<PathBuf>) {
    let closed = readers.close_event();
    tokio::pin!(closed);
    loop {
        tokio::select! {
            () = &mut closed => return,
            () = tokio::time::sleep(CHECKPOINT_EVERY) => {}
        }
        let checkpoint = || sqlx::query_as::<_, (i64, i64, i64)>("PRAGMA wal_checkpoint(PASSIVE)");
        let wal_pages = match checkpoint().fetch_one(&readers).await {
            Ok((_busy, wal_pages, _copied)) => wal_pages,
            Err(err) => {
                tracing::debug!(error = %err, "background WAL checkpoint failed");
                continue;
            }
        };
        if wal_pages <= WAL_RESTART_PAGES {
            continue;
        }
        if let Some(path) = &database {
            let synced = async { tokio::fs::File::open(path).await?.sync_data().await };
            if let Err(err) = synced.await {
                tracing::debug!(error = %err, "syncing the database file failed");
            }
        }
        // The frames written during that sync, copied from here too.
        if let Err(err) = checkpoint().fetch_one(&readers).await {
            tracing::debug!(error = %err, "background WAL checkpoint failed");
        }
        let restart = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)");
        if let Err(err) = restart.execute(&writer).await {
            tracing::debug!(error = %err, "WAL checkpoint on the writer failed");
        }
    }
}

/// Most deliveries committed in one transaction.
const MAX_BATCH: usize = 64;

/// Batches of deliveries stored at once on PostgreSQL: one being flushed to
/// the WAL while the next gathers. With reviews running at 2,000
/// deliveries/s, four gave a p99 of 4.9 ms, two 3.3–4.2 ms (smaller batches
/// meant more commits, each a WAL flush, for the same deliveries).
const POSTGRES_WRITERS: usize = 2;

/// A delivery on its way to the SQLite writer, and where its outcome goes.
struct PendingDelivery {
    delivery_id: String,
    event: String,
    action: Option<String>,
    compressed: Vec<u8>,
    request: ReviewRequest,
    received_at: i64,
    reply: oneshot::Sender<Result<Enqueued, StoreError>>,
}

/// Stores deliveries, committing those that arrived together in one
/// transaction (group commit). A durable commit costs a WAL write and, on
/// PostgreSQL, an fsync: once per batch instead of once per delivery, and
/// on SQLite also one BEGIN and COMMIT on the one writer every delivery
/// waits for. Each is answered only once its transaction has committed, and
/// a delivery whose handler gave up is stored all the same (its redelivery
/// is then a duplicate).
async fn write_deliveries(
    pool: Pool,
    pending: Arc<tokio::sync::Mutex<mpsc::Receiver<PendingDelivery>>>,
) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    loop {
        let received = pending.lock().await.recv_many(&mut batch, MAX_BATCH).await;
        if received == 0 {
            return;
        }
        match store_batch(&pool, &batch).await {
            Ok(outcomes) => {
                for (delivery, outcome) in batch.drain(..).zip(outcomes) {
                    let _ = delivery.reply.send(Ok(outcome));
                }
            }
            // One delivery that cannot be stored must not fail the others:
            // each gets its own transaction and its own answer.
            Err(_) => {
                for delivery in batch.drain(..) {
                    let result = store_batch(&pool, std::slice::from_ref(&delivery))
                        .await
                        .map(|outcomes| outcomes[0]);
                    let _ = delivery.reply.send(result);
                }
            }
        }
    }
}

async fn store_batch(pool: &Pool, batch: &[PendingDelivery]) -> Result<Vec<Enqueued>, StoreError> {
    match pool {
        Pool::Sqlite { writer, .. } => store_batch_sqlite(writer, batch).await,
        Pool::Postgres(pool) => store_batch_postgres(pool, batch).await,
    }
}

/// Numbered bind parameters for statements built to a batch's size.
#[derive(Default)]
struct Binds<'q> {
    args: SqliteArguments<'q>,
    count: usize,
}

impl<'q> Binds<'q> {
    /// Binds `value` and returns its placeholder.
    fn push<T>(&mut self, value: T) -> Result<String, StoreError>
    where
        T: sqlx::Encode<'q, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite> + 'q,
    {
        self.args
            .add(value)
            .map_err(|e| StoreError::Db(sqlx::Error::Encode(e)))?;
        self.count += 1;
        Ok(format!("${}", self.count))
    }
}

/// [`Store::enqueue`] on SQLite for a whole batch: one read of what the
/// store holds for the batch's deliveries and commits, the decisions made in
/// memory ([`batch::plan`]), and one write — two hand-offs to the
/// connection's thread instead of four per delivery. Holding the one writer
/// connection throughout keeps the read true until the write: nothing else
/// writes to SQLite.
async fn store_batch_sqlite(
    writer: &SqlitePool,
    batch: &[PendingDelivery],
) -> Result<Vec<Enqueued>, StoreError> {
    let mut conn = writer.acquire().await?;
    let (known_deliveries, known_jobs) = read_known(&mut conn, batch).await?;
    let requests: Vec<(&str, &ReviewRequest)> = batch
        .iter()
        .map(|d| (d.delivery_id.as_str(), &d.request))
        .collect();
    let plan = batch::plan(&requests, &known_deliveries, &known_jobs);
    if plan.writes_nothing() {
        return Ok(plan.outcomes);
    }
    let mut binds = Binds::default();
    // BEGIN and COMMIT go in the same command as the writes, so the batch
    // is atomic without two more hand-offs. A failure leaves the transaction
    // open on the connection: roll it back before anyone else uses it.
    let mut sql = String::from("BEGIN;\n");
    let mut rows = Vec::new();
    for &index in &plan.store {
        let d = &batch[index];
        rows.push(format!(
            "({}, {}, {}, {}, '', {})",
            binds.push(d.delivery_id.as_str())?,
            binds.push(d.event.as_str())?,
            binds.push(d.action.as_deref())?,
            binds.push(d.received_at)?,
            binds.push(d.compressed.as_slice())?,
        ));
    }
    sql.push_str(&format!(
        "INSERT INTO deliveries (delivery_id, event, action, received_at, payload, payload_lz4) \
         VALUES {} ON CONFLICT (delivery_id) DO NOTHING;\n",
        rows.join(", ")
    ));
    rows.clear();
    for &index in &plan.store {
        let request = &batch[index].request;
        if let Some(number) = request.pr_number {
            rows.push(format!(
                "({}, {}, {}, {})",
                binds.push(request.owner.as_str())?,
                binds.push(request.repo.as_str())?,
                binds.push(request.head_sha.as_str())?,
                binds.push(number as i64)?,
            ));
        }
    }
    if !rows.is_empty() {
        sql.push_str(&format!(
            "INSERT INTO pull_heads (owner, repo, head_sha, pr_number) VALUES {} \
             ON CONFLICT DO NOTHING;\n",
            rows.join(", ")
        ));
    }
    if !plan.make_manual.is_empty() {
        let ids = plan
            .make_manual
            .iter()
            .map(|id| binds.push(*id))
            .collect::<Result<Vec<_>, _>>()?;
        sql.push_str(&format!(
            "UPDATE jobs SET manual = 1 WHERE state = 'queued' AND id IN ({});\n",
            ids.join(", ")
        ));
    }
    rows.clear();
    for job in &plan.new_jobs {
        let d = &batch[job.delivery];
        let request = &d.request;
        rows.push(format!(
            "({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {now}, {now}, {now})",
            binds.push(d.delivery_id.as_str())?,
            binds.push(request.installation_id as i64)?,
            binds.push(request.owner.as_str())?,
            binds.push(request.repo.as_str())?,
            binds.push(request.pr_number.map(|n| n as i64))?,
            binds.push(request.head_sha.as_str())?,
            binds.push(request.trigger.as_str())?,
            binds.push(job.manual)?,
            binds.push(request.check_run_id.map(|n| n as i64))?,
            binds.push(request.signoff_by.as_deref())?,
            now = binds.push(d.received_at)?,
        ));
    }
    if !rows.is_empty() {
        sql.push_str(&format!(
            "INSERT INTO jobs (delivery_id, installation_id, owner, repo, pr_number, head_sha, \
             trigger_name, manual, check_run_id, signoff_by, run_after, created_at, updated_at) \
             VALUES {};\n",
            rows.join(", ")
        ));
    }
    sql.push_str("COMMIT;");
    // Statements sized to the batch: not worth a slot in the cache.
    let written = sqlx::query_with(&sql, binds.args)
        .persistent(false)
        .execute(&mut *conn)
        .await;
    if let Err(err) = written {
        if let Err(rollback) = sqlx::query("ROLLBACK").execute(&mut *conn).await {
            tracing::debug!(error = %rollback, "nothing to roll back after a failed batch");
        }
        return Err(err.into());
    }
    Ok(plan.outcomes)
}

/// [`read_known`]'s query: one branch per commit, each an equality on
/// `jobs_by_head`'s leading columns. (An `OR` of the commits, tried first,
/// was planned as two index searches for any number of commits, and the
/// read's cost grew with the queue.) `+state` keeps the claim index on
/// `(state, id)` out of the planner's choices.
fn known_query(batch: &[PendingDelivery]) -> Result<(String, Binds<'_>), StoreError> {
    let mut binds = Binds::default();
    let ids = batch
        .iter()
        .map(|d| binds.push(d.delivery_id.as_str()))
        .collect::<Result<Vec<_>, _>>()?;
    let mut sql = format!(
        "SELECT delivery_id, NULL AS id, NULL AS owner, NULL AS repo, NULL AS head_sha, \
         NULL AS pr_number, NULL AS state FROM deliveries WHERE delivery_id IN ({})",
        ids.join(", ")
    );
    let mut seen = HashSet::new();
    for d in batch.iter().filter(|d| d.request.signoff_by.is_none()) {
        let r = &d.request;
        if seen.insert((&r.owner, &r.repo, &r.head_sha)) {
            sql.push_str(&format!(
                " UNION ALL SELECT NULL, id, owner, repo, head_sha, pr_number, state FROM jobs \
                 WHERE owner = {} AND repo = {} AND head_sha = {} AND signoff_by IS NULL \
                 AND +state IN ('queued', 'running', 'done')",
                binds.push(r.owner.as_str())?,
                binds.push(r.repo.as_str())?,
                binds.push(r.head_sha.as_str())?,
            ));
        }
    }
    Ok((sql, binds))
}

/// Which of the batch's deliveries are stored already, and the stored jobs
/// (no sign-offs) of its commits that a trigger could join.
async fn read_known(
    conn: &mut sqlx::SqliteConnection,
    batch: &[PendingDelivery],
) -> Result<(HashSet<String>, Vec<KnownJob>), StoreError> {
    let (sql, binds) = known_query(batch)?;
    let rows = sqlx::query_with(&sql, binds.args)
        .persistent(false)
        .fetch_all(&mut *conn)
        .await?;
    let mut deliveries = HashSet::new();
    let mut jobs = Vec::new();
    for row in rows {
        if let Some(id) = row.try_get::<Option<String>, _>(0)? {
            deliveries.insert(id);
            continue;
        }
        jobs.push(KnownJob {
            id: row.try_get(1)?,
            owner: row.try_get(2)?,
            repo: row.try_get(3)?,
            head_sha: row.try_get(4)?,
            pr_number: row.try_get::<Option<i64>, _>(5)?.map(|n| n as u64),
            state: row.try_get(6)?,
        });
    }
    Ok((deliveries, jobs))
}

/// [`Store::enqueue`]'s steps on PostgreSQL as one statement: one round
/// trip instead of four. Its parts see one snapshot, so `covering` cannot see
/// the job `job` inserts; `delivery` is empty for a redelivery, which then
/// changes nothing.
/// One call of `prwarden_enqueue` (migrations/postgres/0004): the batch
/// in one statement, committed on its own, answered one row per delivery in
/// order.
async fn store_batch_postgres(
    pool: &PgPool,
    batch: &[PendingDelivery],
) -> Result<Vec<Enqueued>, StoreError> {
    let requests = || batch.iter().map(|delivery| &delivery.request);
    let rows: Vec<(bool, bool)> = sqlx::query_as(
        "SELECT stored, queued FROM prwarden_enqueue(
             $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(
        batch
            .iter()
            .map(|d| d.delivery_id.as_str())
            .collect::<Vec<_>>(),
    )
    .bind(batch.iter().map(|d| d.event.as_str()).collect::<Vec<_>>())
    .bind(
        batch
            .iter()
            .map(|d| d.action.as_deref())
            .collect::<Vec<_>>(),
    )
    .bind(batch.iter().map(|d| d.received_at).collect::<Vec<_>>())
    .bind(
        batch
            .iter()
            .map(|d| d.compressed.as_slice())
            .collect::<Vec<_>>(),
    )
    .bind(requests().map(|r| r.owner.as_str()).collect::<Vec<_>>())
    .bind(requests().map(|r| r.repo.as_str()).collect::<Vec<_>>())
    .bind(requests().map(|r| r.head_sha.as_str()).collect::<Vec<_>>())
    .bind(
        requests()
            .map(|r| r.pr_number.map(|n| n as i64))
            .collect::<Vec<_>>(),
    )
    .bind(
        requests()
            .map(|r| r.installation_id as i64)
            .collect::<Vec<_>>(),
    )
    .bind(requests().map(|r| r.trigger.as_str()).collect::<Vec<_>>())
    .bind(requests().map(|r| r.manual).collect::<Vec<_>>())
    .bind(
        requests()
            .map(|r| r.check_run_id.map(|n| n as i64))
            .collect::<Vec<_>>(),
    )
    .bind(
        requests()
            .map(|r| r.signoff_by.as_deref())
            .collect::<Vec<_>>(),
    )
    .bind(
        requests()
            .map(|r| covering_states(r).join(","))
            .collect::<Vec<_>>(),
    )
    .fetch_all(pool)
    .await?;
    if rows.len() != batch.len() {
        return Err(StoreError::Db(sqlx::Error::Protocol(format!(
            "prwarden_enqueue answered {} rows for {} deliveries",
            rows.len(),
            batch.len()
        ))));
    }
    Ok(rows
        .into_iter()
        .map(|(stored, queued)| match (stored, queued) {
            (false, _) => Enqueued::Duplicate,
            (true, true) => Enqueued::Queued,
            (true, false) => Enqueued::Collapsed,
        })
        .collect())
}

struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// What happened to an incoming delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enqueued {
    /// Stored, with a new job.
    Queued,
    /// Stored; a queued job for the same commit already covers it.
    Collapsed,
    /// This delivery id was accepted before: nothing stored again.
    Duplicate,
}

/// A claimed job.
#[derive(Debug, Clone)]
pub struct Job {
    pub id: i64,
    pub delivery_id: String,
    pub installation_id: u64,
    pub owner: String,
    pub repo: String,
    pub pr_number: Option<u64>,
    pub head_sha: String,
    pub trigger: String,
    /// Asked for by a person (Re-run button, action): reviews drafts too.
    pub manual: bool,
    pub attempts: i64,
    pub check_run_id: Option<u64>,
    /// Login of the user who clicked "Mark reviewed", for sign-off jobs.
    pub signoff_by: Option<String>,
}

/// Credentials stored by the manifest flow.
#[derive(Debug, Clone)]
pub struct StoredCredentials {
    pub app_id: u64,
    pub slug: Option<String>,
    pub html_url: Option<String>,
    pub webhook_secret: String,
    pub key_path: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueCounts {
    pub queued: i64,
    pub running: i64,
    pub done: i64,
    pub failed: i64,
}

pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl Store {
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        let mut checkpointer = None;
        let pool = if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                // WAL + NORMAL is durable against process crashes, which is
                // what "accepted before the 2xx" has to survive.
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true);
            // The file [`checkpoint_wal`] syncs (none for in-memory databases).
            let database = Some(options.get_filename().to_path_buf())
                .filter(|path| path.as_os_str() != ":memory:");
            // The writer must exist (and create the file) before the readers
            // open it. An in-process database cannot have gone away: no ping
            // (a round trip to the connection's thread) before every use. Its
            // thread, started here by the intake's runtime, keeps that
            // runtime's priority (review threads run lower:
            // `server::spawn_workers`), so the connection is never replaced.
            let writer = SqlitePoolOptions::new()
                .max_connections(1)
                .test_before_acquire(false)
                .idle_timeout(None)
                .max_lifetime(None)
                // Under load the queue for the one connection is the wait a
                // busy timeout used to be.
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(
                    options
                        .clone()
                        .pragma(
                            "wal_autocheckpoint",
                            WRITER_AUTOCHECKPOINT_PAGES.to_string(),
                        )
                        .pragma("journal_size_limit", WAL_SIZE_LIMIT_BYTES.to_string()),
                )
                .await?;
            let readers = SqlitePoolOptions::new()
                .max_connections(4)
                .test_before_acquire(false)
                .connect_with(options)
                .await?;
            checkpointer = Some(Arc::new(AbortOnDrop(tokio::spawn(checkpoint_wal(
                writer.clone(),
                readers.clone(),
                database,
            )))));
            Pool::Sqlite { writer, readers }
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Pool::Postgres(
                PgPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect(url)
                    .await?,
            )
        } else {
            return Err(StoreError::UnsupportedUrl);
        };
        let (intake, pending) = mpsc::channel(MAX_BATCH * 4);
        // SQLite has one writer connection. A PostgreSQL batch spends most of
        // its time waiting, for the server's answers and the WAL flush, so
        // several overlap.
        let (writers, intake_pool) = match &pool {
            Pool::Sqlite { .. } => (1, pool.clone()),
            // Connections of their own, opened by these tasks on the
            // intake's runtime: a connection opened by a review worker
            // would have its I/O driven by the review runtime's
            // lower-priority threads.
            // Opened up front and kept: opening one costs postgres a fork
            // and the batches queued behind it tens of milliseconds. Not
            // pinged before each batch either (a round trip per batch); a
            // broken connection fails its batch, which is retried, and is
            // replaced.
            Pool::Postgres(_) => {
                let pool = PgPoolOptions::new()
                    .min_connections(POSTGRES_WRITERS as u32)
                    .max_connections(POSTGRES_WRITERS as u32)
                    .test_before_acquire(false)
                    .idle_timeout(None)
                    .max_lifetime(None)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect(url)
                    .await?;
                (POSTGRES_WRITERS, Pool::Postgres(pool))
            }
        };
        let job_pool = match &pool {
            Pool::Sqlite { .. } => pool.clone(),
            Pool::Postgres(_) => Pool::Postgres(
                PgPoolOptions::new()
                    .max_connections(8)
                    // Workers claim and renew leases several times a second
                    // under load: no extra round trip per statement.
                    .test_before_acquire(false)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(
                        PgConnectOptions::from_str(url)?.options([("synchronous_commit", "off")]),
                    )
                    .await?,
            ),
        };
        let pending = Arc::new(tokio::sync::Mutex::new(pending));
        for _ in 0..writers {
            // Ends when the last clone of the store (and so of `intake`) is gone.
            tokio::spawn(write_deliveries(intake_pool.clone(), Arc::clone(&pending)));
        }
        let store = Store {
            pool,
            intake_pool,
            job_pool,
            intake,
            _checkpointer: checkpointer,
        };
        store.migrate().await?;
        Ok(store)
    }

    pub async fn close(&self) {
        match &self.intake_pool {
            Pool::Sqlite { readers, .. } => readers.close().await,
            Pool::Postgres(intake) => intake.close().await,
        }
        if let Pool::Postgres(jobs) = &self.job_pool {
            jobs.close().await;
        }
        on_pool!(self, pool => pool.close().await)
    }

    pub fn backend(&self) -> &'static str {
        match self.pool {
            Pool::Sqlite { .. } => "sqlite",
            Pool::Postgres(_) => "postgres",
        }
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        let migrations = match self.pool {
            Pool::Sqlite { .. } => SQLITE_MIGRATIONS,
            Pool::Postgres(_) => POSTGRES_MIGRATIONS,
        };
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            if let Pool::Postgres(_) = self.pool {
                // Replicas starting together must not migrate twice.
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(MIGRATION_LOCK)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::raw_sql(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
            )
            .execute(&mut *tx)
            .await?;
            let applied: i64 =
                sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
                    .fetch_one(&mut *tx)
                    .await?;
            for (index, sql) in migrations.iter().enumerate() {
                let version = index as i64 + 1;
                if version <= applied {
                    continue;
                }
                sqlx::raw_sql(sql).execute(&mut *tx).await?;
                sqlx::query("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)")
                    .bind(version)
                    .bind(now_ms())
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    pub async fn ping(&self) -> Result<(), StoreError> {
        on_reader!(self, pool => sqlx::query("SELECT 1").execute(pool).await?.rows_affected());
        Ok(())
    }

    /// Persists a delivery and its review job in one transaction (shared
    /// with the deliveries that arrived alongside: [`write_deliveries`]).
    pub async fn enqueue(
        &self,
        delivery_id: &str,
        event: &str,
        action: Option<&str>,
        payload: &[u8],
        request: &ReviewRequest,
    ) -> Result<Enqueued, StoreError> {
        let now = now_ms();
        // GitHub's payloads repeat the same URLs over and over: LZ4 makes a
        // 24 KB pull_request delivery about 3 KB in a few microseconds,
        // which is what the acknowledging transaction then writes (SQLite:
        // twice, to the WAL and at the checkpoint). Compressed before the
        // transaction, so no other delivery waits for it.
        let compressed = lz4_flex::compress_prepend_size(payload);
        let (reply, outcome) = oneshot::channel();
        let delivery = PendingDelivery {
            delivery_id: delivery_id.to_owned(),
            event: event.to_owned(),
            action: action.map(str::to_owned),
            compressed,
            request: request.clone(),
            received_at: now,
            reply,
        };
        // Either fails only once the store is shut down.
        let closed = || StoreError::Db(sqlx::Error::PoolClosed);
        self.intake.send(delivery).await.map_err(|_| closed())?;
        outcome.await.map_err(|_| closed())?
    }

    /// A delivery's body as it was received, for diagnostics and tests.
    pub async fn delivery_payload(&self, delivery_id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let row: Option<(String, Option<Vec<u8>>)> = on_reader!(self, pool => sqlx::query_as(
            "SELECT payload, payload_lz4 FROM deliveries WHERE delivery_id = $1",
        )
        .bind(delivery_id)
        .fetch_optional(pool)
        .await?);
        row.map(|(text, compressed)| match compressed {
            Some(bytes) => lz4_flex::decompress_size_prepended(&bytes)
                .map_err(|_| StoreError::CorruptPayload(delivery_id.to_owned())),
            // Stored before payloads were compressed.
            None => Ok(text.into_bytes()),
        })
        .transpose()
    }

    /// Claims a runnable job: the oldest one running under an expired lease
    /// (its worker died), else the oldest queued and due. A job waits while
    /// another job of the same commit or pull request holds a live lease:
    /// two reviews of one PR at once would both miss each other's comments.
    pub async fn claim(&self, worker: &str, lease: Duration) -> Result<Option<Job>, StoreError> {
        let now = now_ms();
        let expires = now + lease.as_millis() as i64;
        let sql = claim_sql();
        match &self.job_pool {
            // SQLite runs one writer at a time, so the sub-select and the
            // update are atomic with respect to other claimers.
            Pool::Sqlite { writer: pool, .. } => {
                let row = sqlx::query(&sql)
                    .bind(worker)
                    .bind(expires)
                    .bind(now)
                    .fetch_optional(pool)
                    .await?;
                Ok(row.map(|row| job_from_row!(row)))
            }
            // Under READ COMMITTED two replicas could each see "no running
            // job of this PR" and claim two of its jobs; claims are short, so
            // they take turns on an advisory lock.
            // Sorting is off for the claim: [`POSTGRES_CLAIM_SETUP`].
            Pool::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                sqlx::query(POSTGRES_CLAIM_SETUP)
                    .bind(CLAIM_LOCK)
                    .execute(&mut *tx)
                    .await?;
                let row = sqlx::query(&sql)
                    .bind(worker)
                    .bind(expires)
                    .bind(now)
                    .fetch_optional(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(row.map(|row| job_from_row!(row)))
            }
        }
    }

    /// Extends the lease; `false` when another worker has taken the job over.
    pub async fn heartbeat(
        &self,
        job_id: i64,
        worker: &str,
        lease: Duration,
    ) -> Result<bool, StoreError> {
        let now = now_ms();
        let updated = on_job_pool!(self, pool => sqlx::query(
            "UPDATE jobs SET lease_expires_at = $1, updated_at = $2
             WHERE id = $3 AND lease_owner = $4 AND state = 'running'",
        )
        .bind(now + lease.as_millis() as i64)
        .bind(now)
        .bind(job_id)
        .bind(worker)
        .execute(pool)
        .await?
        .rows_affected());
        Ok(updated == 1)
    }

    /// Remembers the check run so that a resumed job completes the same one
    /// instead of leaving it `in_progress` and creating another.
    pub async fn set_check_run(&self, job_id: i64, check_run_id: u64) -> Result<(), StoreError> {
        on_job_pool!(self, pool => sqlx::query("UPDATE jobs SET check_run_id = $1, updated_at = $2 WHERE id = $3")
            .bind(check_run_id as i64)
            .bind(now_ms())
            .bind(job_id)
            .execute(pool)
            .await?
            .rows_affected());
        Ok(())
    }

    pub async fn check_run_of(&self, job_id: i64) -> Result<Option<u64>, StoreError> {
        let id: Option<i64> = on_reader!(self, pool => sqlx::query_scalar("SELECT check_run_id FROM jobs WHERE id = $1")
            .bind(job_id)
            .fetch_one(pool)
            .await?);
        Ok(id.map(|n| n as u64))
    }

    pub async fn complete(&self, job_id: i64, worker: &str) -> Result<(), StoreError> {
        on_job_pool!(self, pool => sqlx::query(
            "UPDATE jobs SET state = 'done', lease_owner = NULL, lease_expires_at = NULL,
                    last_error = NULL, updated_at = $1
             WHERE id = $2 AND lease_owner = $3",
        )
        .bind(now_ms())
        .bind(job_id)
        .bind(worker)
        .execute(pool)
        .await?
        .rows_affected());
        Ok(())
    }

    /// Records a failed attempt: queued again after `retry_in`, or failed for
    /// good once the attempts are used up. Returns whether it will retry.
    pub async fn fail(
        &self,
        job: &Job,
        worker: &str,
        error: &str,
        retry_in: Duration,
    ) -> Result<bool, StoreError> {
        let retry = job.attempts < MAX_ATTEMPTS;
        let now = now_ms();
        on_job_pool!(self, pool => sqlx::query(
            "UPDATE jobs SET state = $1, run_after = $2, lease_owner = NULL, lease_expires_at = NULL,
                    last_error = $3, updated_at = $4
             WHERE id = $5 AND lease_owner = $6",
        )
        .bind(if retry { "queued" } else { "failed" })
        .bind(now + retry_in.as_millis() as i64)
        .bind(error)
        .bind(now)
        .bind(job.id)
        .bind(worker)
        .execute(pool)
        .await?
        .rows_affected());
        Ok(retry)
    }

    /// Puts a job back until `until` without counting the attempt: GitHub
    /// asked us to wait (rate limit), nothing failed.
    pub async fn defer(&self, job: &Job, worker: &str, until_ms: i64) -> Result<(), StoreError> {
        on_job_pool!(self, pool => sqlx::query(
            "UPDATE jobs SET state = 'queued', run_after = $1, attempts = attempts - 1,
                    lease_owner = NULL, lease_expires_at = NULL, updated_at = $2
             WHERE id = $3 AND lease_owner = $4",
        )
        .bind(until_ms)
        .bind(now_ms())
        .bind(job.id)
        .bind(worker)
        .execute(pool)
        .await?
        .rows_affected());
        Ok(())
    }

    /// A newer job of the same pull request for another commit: the PR has
    /// (probably) moved on while `job` was running.
    pub async fn newer_head(
        &self,
        job: &Job,
        pr_number: u64,
    ) -> Result<Option<String>, StoreError> {
        Ok(on_reader!(self, pool => sqlx::query_scalar(
            "SELECT head_sha FROM jobs WHERE owner = $1 AND repo = $2 AND pr_number = $3
             AND head_sha != $4 AND id > $5 ORDER BY id DESC LIMIT 1",
        )
        .bind(&job.owner)
        .bind(&job.repo)
        .bind(pr_number as i64)
        .bind(&job.head_sha)
        .bind(job.id)
        .fetch_optional(pool)
        .await?))
    }

    /// The PR a head commit was last seen on, for triggers that lack one.
    pub async fn pr_for_head(
        &self,
        owner: &str,
        repo: &str,
        head_sha: &str,
    ) -> Result<Option<u64>, StoreError> {
        let number: Option<i64> = on_reader!(self, pool => sqlx::query_scalar(
            "SELECT pr_number FROM pull_heads WHERE owner = $1 AND repo = $2 AND head_sha = $3
             ORDER BY pr_number DESC LIMIT 1",
        )
        .bind(owner)
        .bind(repo)
        .bind(head_sha)
        .fetch_optional(pool)
        .await?);
        Ok(number.map(|n| n as u64))
    }

    pub async fn remember_pull_head(
        &self,
        owner: &str,
        repo: &str,
        head_sha: &str,
        pr_number: u64,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => sqlx::query(
            "INSERT INTO pull_heads (owner, repo, head_sha, pr_number) VALUES ($1, $2, $3, $4)
             ON CONFLICT DO NOTHING",
        )
        .bind(owner)
        .bind(repo)
        .bind(head_sha)
        .bind(pr_number as i64)
        .execute(pool)
        .await?
        .rows_affected());
        Ok(())
    }

    /// Records a human sign-off of the security-critical changes at `head_sha`.
    pub async fn record_signoff(
        &self,
        owner: &str,
        repo: &str,
        pr_number: u64,
        head_sha: &str,
        login: &str,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => sqlx::query(
            "INSERT INTO signoffs (owner, repo, pr_number, head_sha, login, signed_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (owner, repo, pr_number, head_sha)
             DO UPDATE SET login = excluded.login, signed_at = excluded.signed_at",
        )
        .bind(owner)
        .bind(repo)
        .bind(pr_number as i64)
        .bind(head_sha)
        .bind(login)
        .bind(now_ms())
        .execute(pool)
        .await?
        .rows_affected());
        Ok(())
    }

    /// Who signed off the changes at `head_sha`, if anyone.
    pub async fn signoff(
        &self,
        owner: &str,
        repo: &str,
        pr_number: u64,
        head_sha: &str,
    ) -> Result<Option<String>, StoreError> {
        Ok(on_reader!(self, pool => sqlx::query_scalar(
            "SELECT login FROM signoffs WHERE owner = $1 AND repo = $2 AND pr_number = $3 AND head_sha = $4",
        )
        .bind(owner)
        .bind(repo)
        .bind(pr_number as i64)
        .bind(head_sha)
        .fetch_optional(pool)
        .await?))
    }

    pub async fn counts(&self) -> Result<QueueCounts, StoreError> {
        let rows: Vec<(String, i64)> = on_reader!(self, pool => sqlx::query_as(
            "SELECT state, COUNT(*) AS n FROM jobs GROUP BY state",
        )
        .fetch_all(pool)
        .await?);
        let mut counts = QueueCounts::default();
        for (state, n) in rows {
            match state.as_str() {
                "queued" => counts.queued = n,
                "running" => counts.running = n,
                "done" => counts.done = n,
                "failed" => counts.failed = n,
                _ => {}
            }
        }
        Ok(counts)
    }

    pub async fn delivery_count(&self) -> Result<i64, StoreError> {
        Ok(
            on_reader!(self, pool => sqlx::query_scalar("SELECT COUNT(*) FROM deliveries")
            .fetch_one(pool)
            .await?),
        )
    }

    /// How often each job was claimed, by delivery id (for tests and
    /// diagnostics: a job claimed twice ran twice).
    pub async fn attempts_by_delivery(&self) -> Result<Vec<(String, i64)>, StoreError> {
        Ok(on_reader!(self, pool => sqlx::query_as(
            "SELECT delivery_id, attempts FROM jobs ORDER BY id",
        )
        .fetch_all(pool)
        .await?))
    }

    pub async fn save_credentials(&self, creds: &StoredCredentials) -> Result<(), StoreError> {
        on_pool!(self, pool => sqlx::query(
            "INSERT INTO app_credentials (id, app_id, slug, html_url, webhook_secret, key_path, created_at)
             VALUES (1, $1, $2, $3, $4, $5, $6)
             ON CONFLICT (id) DO UPDATE SET app_id = excluded.app_id, slug = excluded.slug,
                 html_url = excluded.html_url, webhook_secret = excluded.webhook_secret,
                 key_path = excluded.key_path, created_at = excluded.created_at",
        )
        .bind(creds.app_id as i64)
        .bind(&creds.slug)
        .bind(&creds.html_url)
        .bind(&creds.webhook_secret)
        .bind(&creds.key_path)
        .bind(now_ms())
        .execute(pool)
        .await?
        .rows_affected());
        Ok(())
    }

    pub async fn load_credentials(&self) -> Result<Option<StoredCredentials>, StoreError> {
        type CredentialsRow = (i64, Option<String>, Option<String>, String, String);
        let row: Option<CredentialsRow> = on_reader!(self, pool => sqlx::query_as(
            "SELECT app_id, slug, html_url, webhook_secret, key_path FROM app_credentials WHERE id = 1",
        )
        .fetch_optional(pool)
        .await?);
        Ok(row.map(
            |(app_id, slug, html_url, webhook_secret, key_path)| StoredCredentials {
                app_id: app_id as u64,
                slug,
                html_url,
                webhook_secret,
                key_path,
            },
        ))
    }

    /// Which of these delivery GUIDs (`X-GitHub-Delivery`) were accepted and
    /// stored, for catch-up: those need no redelivery.
    pub async fn known_deliveries(
        &self,
        guids: &[String],
    ) -> Result<std::collections::HashSet<String>, StoreError> {
        // Well under SQLite's and PostgreSQL's limits on bound parameters.
        const CHUNK: usize = 500;
        let mut known = std::collections::HashSet::new();
        for chunk in guids.chunks(CHUNK) {
            let placeholders: Vec<String> = (1..=chunk.len()).map(|n| format!("${n}")).collect();
            let sql = format!(
                "SELECT delivery_id FROM deliveries WHERE delivery_id IN ({})",
                placeholders.join(", ")
            );
            let found: Vec<String> = on_reader!(self, pool => {
                let mut query = sqlx::query_scalar(&sql);
                for guid in chunk {
                    query = query.bind(guid);
                }
                query.fetch_all(pool).await?
            });
            known.extend(found);
        }
        Ok(known)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use super::super::batch::request;

    async fn enqueue(store: &Store, delivery: &str, request: &ReviewRequest) -> Enqueued {
        let event = request.trigger.split('.').next().unwrap_or("pull_request");
        store
            .enqueue(delivery, event, None, b"{}", request)
            .await
            .unwrap()
    }

    /// A fresh store on each backend; the guard cleans up.
    enum Guard {
        // Held only so the directory outlives the store.
        Sqlite(#[allow(dead_code)] tempfile::TempDir),
        Postgres(super::super::scratch::ScratchDatabase),
    }

    impl Guard {
        async fn cleanup(self, store: Store) {
            store.close().await;
            if let Guard::Postgres(db) = self {
                db.drop_database().await.unwrap();
            }
        }
    }

    async fn stores() -> Vec<(Guard, Store)> {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let sqlite = Store::connect(&url).await.unwrap();
        let db =
            super::super::scratch::ScratchDatabase::create(&super::super::scratch::admin_url())
                .await
                .expect("PostgreSQL for the tests (set PRWARDEN_TEST_POSTGRES)");
        let postgres = Store::connect(&db.url).await.unwrap();
        vec![
            (Guard::Sqlite(dir), sqlite),
            (Guard::Postgres(db), postgres),
        ]
    }

    #[tokio::test]
    async fn redelivery_is_acknowledged_not_queued_twice() {
        for (guard, store) in stores().await {
            let req = request("abc", Some(2));
            assert_eq!(enqueue(&store, "d1", &req).await, Enqueued::Queued);
            assert_eq!(enqueue(&store, "d1", &req).await, Enqueued::Duplicate);
            assert_eq!(enqueue(&store, "d2", &req).await, Enqueued::Collapsed);
            assert_eq!(store.counts().await.unwrap().queued, 1);
            assert_eq!(store.delivery_count().await.unwrap(), 2);
            guard.cleanup(store).await;
        }
    }

    #[tokio::test]
    async fn stored_payload_reads_back_as_received() {
        for (guard, store) in stores().await {
            let body = format!("{{\"url\": \"{}\"}}", "https://api.github.com/x".repeat(50));
            store
                .enqueue(
                    "d1",
                    "pull_request",
                    Some("opened"),
                    body.as_bytes(),
                    &request("abc", Some(2)),
                )
                .await
                .unwrap();
            assert_eq!(
                store.delivery_payload("d1").await.unwrap().as_deref(),
                Some(body.as_bytes())
            );
            // Rows stored before compression still read back.
            on_pool!(store, pool => sqlx::query(
                "INSERT INTO deliveries (delivery_id, event, received_at, payload) VALUES ('old', 'ping', 0, '{}')",
            )
            .execute(pool)
            .await
            .unwrap()
            .rows_affected());
            assert_eq!(
                store.delivery_payload("old").await.unwrap().as_deref(),
                Some(&b"{}"[..])
            );
            assert_eq!(store.delivery_payload("nope").await.unwrap(), None);
            guard.cleanup(store).await;
        }
    }

    #[tokio::test]
    async fn a_manual_trigger_joins_a_queued_job_and_a_signoff_never_does() {
        for (guard, store) in stores().await {
            enqueue(&store, "d1", &request("abc", Some(2))).await;
            let rerun = ReviewRequest {
                manual: true,
                ..request("abc", Some(2))
            };
            assert_eq!(enqueue(&store, "d2", &rerun).await, Enqueued::Collapsed);
            let signoff = ReviewRequest {
                signoff_by: Some("octocat".into()),
                ..rerun.clone()
            };
            assert_eq!(enqueue(&store, "d3", &signoff).await, Enqueued::Queued);
            let lease = Duration::from_secs(60);
            let first = store.claim("w", lease).await.unwrap().unwrap();
            assert_eq!(first.delivery_id, "d1");
            assert!(first.manual, "the rerun made the queued job manual");
            // Done, an automatic trigger of the commit joins it; a rerun does not.
            store.complete(first.id, "w").await.unwrap();
            assert_eq!(
                enqueue(&store, "d4", &request("abc", Some(2))).await,
                Enqueued::Collapsed
            );
            assert_eq!(enqueue(&store, "d5", &rerun).await, Enqueued::Queued);
            guard.cleanup(store).await;
        }
    }

    #[tokio::test]
    async fn the_batch_read_walks_the_head_index_not_the_queue() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let store = Store::connect(&url).await.unwrap();
        let Pool::Sqlite { writer, .. } = &store.pool else {
            unreachable!("a sqlite:// store")
        };
        let pending = |n: usize| PendingDelivery {
            delivery_id: format!("d{n}"),
            event: "pull_request".into(),
            action: None,
            compressed: Vec::new(),
            request: ReviewRequest {
                // Twelve commits in four organisations; the last two
                // deliveries repeat the first two's commits.
                owner: format!("org{}", n % 12 % 4),
                ..request(&format!("sha{}", n % 12), Some(1))
            },
            received_at: 0,
            reply: oneshot::channel().0,
        };
        let batch: Vec<PendingDelivery> = (0..14).map(pending).collect();
        let (sql, binds) = known_query(&batch).unwrap();
        let plan: Vec<String> = sqlx::query_with(&format!("EXPLAIN QUERY PLAN {sql}"), binds.args)
            .fetch_all(writer)
            .await
            .unwrap()
            .iter()
            .map(|row| row.get::<String, _>("detail"))
            .collect();
        // One index search per distinct commit, and never a walk of a table.
        let by_head = plan
            .iter()
            .filter(|step| step.contains("jobs_by_head (owner=? AND repo=? AND head_sha=?"));
        assert_eq!(by_head.count(), 12, "{plan:#?}");
        assert!(
            !plan.iter().any(|step| step.starts_with("SCAN")),
            "{plan:#?}"
        );
        store.close().await;
    }

    /// The plan PostgreSQL caches for the claim in a young database, with
    /// or without [`POSTGRES_CLAIM_SETUP`]'s settings.
    async fn cached_claim_plan(pool: &PgPool, setup: bool) -> String {
        let mut conn = pool.acquire().await.unwrap();
        let mut tx = sqlx::Connection::begin(&mut *conn).await.unwrap();
        if setup {
            sqlx::query(POSTGRES_CLAIM_SETUP)
                .bind(CLAIM_LOCK)
                .execute(&mut *tx)
                .await
                .unwrap();
        }
        sqlx::raw_sql("SET LOCAL plan_cache_mode = force_generic_plan")
            .execute(&mut *tx)
            .await
            .unwrap();
        let prepare = format!("PREPARE claim (text, bigint, bigint) AS {}", claim_sql());
        sqlx::raw_sql(&prepare).execute(&mut *tx).await.unwrap();
        let plan: Vec<String> = sqlx::query_scalar("EXPLAIN EXECUTE claim('w', 2, 1)")
            .fetch_all(&mut *tx)
            .await
            .unwrap();
        sqlx::raw_sql("DEALLOCATE claim")
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.rollback().await.unwrap();
        plan.join("\n")
    }

    #[tokio::test]
    async fn the_postgres_claim_plan_never_sorts_the_queue() {
        let db =
            super::super::scratch::ScratchDatabase::create(&super::super::scratch::admin_url())
                .await
                .expect("PostgreSQL for the tests (set PRWARDEN_TEST_POSTGRES)");
        let store = Store::connect(&db.url).await.unwrap();
        let Pool::Postgres(pool) = &store.pool else {
            unreachable!("a postgres:// store")
        };
        // A queue that grew faster than autovacuum looks (it wakes once a
        // minute): no statistics yet.
        sqlx::raw_sql(
            "INSERT INTO deliveries (delivery_id, event, received_at, payload)
                 SELECT 'd' || n, 'pull_request', 0, '' FROM generate_series(1, 2000) n;
             INSERT INTO jobs (delivery_id, installation_id, owner, repo, pr_number, head_sha,
                               trigger_name, manual, run_after, created_at, updated_at)
                 SELECT 'd' || n, 1, 'o' || n % 20, 'r', n, md5(n::text), 'pull_request.opened',
                        FALSE, 0, 0, 0
                 FROM generate_series(1, 2000) n;",
        )
        .execute(pool)
        .await
        .unwrap();
        // PostgreSQL would sort every queued job per claim.
        let unguarded = cached_claim_plan(pool, false).await;
        assert!(unguarded.contains("Sort"), "{unguarded}");
        let claim = cached_claim_plan(pool, true).await;
        assert!(!claim.contains("Sort"), "{claim}");
        assert!(claim.contains("jobs_claim_order"), "{claim}");
        store.close().await;
        db.drop_database().await.unwrap();
    }

    /// Deliveries are durable before the 2xx; a job's bookkeeping may be
    /// lost to a database crash and redone ([`Store::job_pool`]).
    #[tokio::test]
    async fn only_job_bookkeeping_commits_asynchronously_on_postgres() {
        let db =
            super::super::scratch::ScratchDatabase::create(&super::super::scratch::admin_url())
                .await
                .expect("PostgreSQL for the tests (set PRWARDEN_TEST_POSTGRES)");
        let store = Store::connect(&db.url).await.unwrap();
        let setting = |pool: &Pool| {
            let Pool::Postgres(pool) = pool.clone() else {
                unreachable!("a postgres:// store")
            };
            async move {
                sqlx::query_scalar::<_, String>("SHOW synchronous_commit")
                    .fetch_one(&pool)
                    .await
                    .unwrap()
            }
        };
        assert_eq!(setting(&store.intake_pool).await, "on");
        assert_eq!(setting(&store.pool).await, "on");
        assert_eq!(setting(&store.job_pool).await, "off");
        // Committed asynchronously is still committed: other connections
        // see the claim at once.
        enqueue(&store, "d1", &request("abc", Some(2))).await;
        let job = store.claim("w1", Duration::from_secs(60)).await.unwrap();
        assert!(job.is_some());
        assert_eq!(store.counts().await.unwrap().running, 1);
        store.close().await;
        db.drop_database().await.unwrap();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn deliveries_arriving_together_are_each_stored_once() {
        for (guard, store) in stores().await {
            let mut tasks = Vec::new();
            for n in 0..40 {
                let store = store.clone();
                // Half are redeliveries of one delivery; all are one commit.
                let id = if n % 2 == 0 {
                    "same".to_owned()
                } else {
                    format!("d{n}")
                };
                tasks.push(tokio::spawn(async move {
                    (
                        id.clone(),
                        enqueue(&store, &id, &request("abc", Some(2))).await,
                    )
                }));
            }
            let mut outcomes = Vec::new();
            for task in tasks {
                outcomes.push(task.await.unwrap());
            }
            let stored_same = outcomes
                .iter()
                .filter(|(id, outcome)| id == "same" && *outcome != Enqueued::Duplicate)
                .count();
            assert_eq!(stored_same, 1);
            assert!(
                outcomes
                    .iter()
                    .all(|(id, outcome)| id == "same" || *outcome != Enqueued::Duplicate)
            );
            assert_eq!(store.delivery_count().await.unwrap(), 21);
            if store.backend() == "sqlite" {
                // Stored one after another: every later trigger of the
                // commit joins the first one's job.
                assert_eq!(store.counts().await.unwrap().queued, 1);
            }
            guard.cleanup(store).await;
        }
    }

    #[tokio::test]
    async fn expired_lease_is_taken_over_and_live_lease_is_not() {
        for (guard, store) in stores().await {
            enqueue(&store, "d1", &request("abc", Some(2))).await;
            let first = store
                .claim("w1", Duration::from_millis(400))
                .await
                .unwrap()
                .unwrap();
            assert!(
                store
                    .claim("w2", Duration::from_secs(60))
                    .await
                    .unwrap()
                    .is_none()
            );
            tokio::time::sleep(Duration::from_millis(500)).await;
            let again = store
                .claim("w2", Duration::from_secs(60))
                .await
                .unwrap()
                .unwrap();
            assert_eq!(again.id, first.id);
            assert_eq!(again.attempts, 2);
            // The dead worker can no longer renew or complete it.
            assert!(
                !store
                    .heartbeat(first.id, "w1", Duration::from_secs(60))
                    .await
                    .unwrap()
            );
            store.complete(again.id, "w2").await.unwrap();
            assert_eq!(store.counts().await.unwrap().done, 1);
            guard.cleanup(store).await;
        }
    }

    #[tokio::test]
    async fn jobs_of_one_pull_request_never_run_at_once() {
        for (guard, store) in stores().await {
            let lease = Duration::from_secs(60);
            enqueue(&store, "d1", &request("abc", Some(2))).await;
            let first = store.claim("w1", lease).await.unwrap().unwrap();
            // Same commit (check suite, no PR known) and a newer push of the PR.
            enqueue(
                &store,
                "d2",
                &ReviewRequest {
                    manual: true,
                    ..request("abc", None)
                },
            )
            .await;
            enqueue(&store, "d3", &request("def", Some(2))).await;
            // Another PR is independent.
            enqueue(&store, "d4", &request("xyz", Some(3))).await;
            let other = store.claim("w2", lease).await.unwrap().unwrap();
            assert_eq!(other.pr_number, Some(3));
            assert!(store.claim("w2", lease).await.unwrap().is_none());
            store.complete(first.id, "w1").await.unwrap();
            let next = store.claim("w2", lease).await.unwrap().unwrap();
            assert_eq!(next.delivery_id, "d2");
            guard.cleanup(store).await;
        }
    }

    #[tokio::test]
    async fn failed_job_retries_until_attempts_run_out() {
        for (guard, store) in stores().await {
            enqueue(&store, "d1", &request("abc", Some(2))).await;
            for attempt in 1..=MAX_ATTEMPTS {
                let job = store
                    .claim("w", Duration::from_secs(60))
                    .await
                    .unwrap()
                    .unwrap();
                assert_eq!(job.attempts, attempt);
                let retry = store.fail(&job, "w", "boom", Duration::ZERO).await.unwrap();
                assert_eq!(retry, attempt < MAX_ATTEMPTS);
            }
            assert!(
                store
                    .claim("w", Duration::from_secs(60))
                    .await
                    .unwrap()
                    .is_none()
            );
            assert_eq!(store.counts().await.unwrap().failed, 1);
            guard.cleanup(store).await;
        }
    }

    #[tokio::test]
    async fn state_survives_reopening_the_database() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        {
            let store = Store::connect(&url).await.unwrap();
            enqueue(&store, "d1", &request("abc", Some(7))).await;
        }
        let store = Store::connect(&url).await.unwrap();
        let job = store
            .claim("w", Duration::from_secs(60))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(job.pr_number, Some(7));
        assert_eq!(store.pr_for_head("o", "r", "abc").await.unwrap(), Some(7));
    }
}
