//! The durable store: deliveries, review jobs with leases, the head-SHA → PR
//! map and App credentials, in SQLite.
//!
//! Jobs are claimed with a lease. A worker that dies stops renewing it, and
//! once it expires any worker — in this process or after a restart — claims
//! the job again, so nothing accepted is lost.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};

use crate::intake::ReviewRequest;

/// Ordered schema migrations; the version is the position in this list.
const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/sqlite/0001_init.sql"),
    include_str!("../../migrations/sqlite/0002_signoffs.sql"),
];

/// A job fails for good after this many claims.
pub const MAX_ATTEMPTS: i64 = 5;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported DATABASE_URL {0:?}: expected sqlite://PATH")]
    UnsupportedUrl(String),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
}

#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
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
        if !url.starts_with("sqlite:") {
            return Err(StoreError::UnsupportedUrl(url.to_owned()));
        }
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // WAL + NORMAL is durable against process crashes, which is what
            // "accepted before the 2xx" has to survive.
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        let store = Store { pool };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::raw_sql(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
        )
        .execute(&mut *tx)
        .await?;
        let applied: i64 =
            sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
                .fetch_one(&mut *tx)
                .await?;
        for (index, sql) in MIGRATIONS.iter().enumerate() {
            let version = index as i64 + 1;
            if version <= applied {
                continue;
            }
            sqlx::raw_sql(sql).execute(&mut *tx).await?;
            sqlx::query("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)")
                .bind(version)
                .bind(now_ms())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Persists a delivery and its review job in one transaction.
    pub async fn enqueue(
        &self,
        delivery_id: &str,
        event: &str,
        action: Option<&str>,
        payload: &[u8],
        request: &ReviewRequest,
    ) -> Result<Enqueued, StoreError> {
        let now = now_ms();
        let mut tx = self.pool.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO deliveries (delivery_id, event, action, received_at, payload)
             VALUES (?, ?, ?, ?, ?) ON CONFLICT (delivery_id) DO NOTHING",
        )
        .bind(delivery_id)
        .bind(event)
        .bind(action)
        .bind(now)
        .bind(String::from_utf8_lossy(payload).as_ref())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 0 {
            return Ok(Enqueued::Duplicate);
        }
        if let Some(number) = request.pr_number {
            sqlx::query(
                "INSERT INTO pull_heads (owner, repo, head_sha, pr_number) VALUES (?, ?, ?, ?)
                 ON CONFLICT DO NOTHING",
            )
            .bind(&request.owner)
            .bind(&request.repo)
            .bind(&request.head_sha)
            .bind(number as i64)
            .execute(&mut *tx)
            .await?;
        }
        // A job still waiting for the same commit and PR will review exactly
        // what this trigger asks for, so do not queue a second one.
        let waiting: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM jobs WHERE owner = ? AND repo = ? AND head_sha = ? AND state = 'queued'
             AND (pr_number IS ? OR ? IS NULL) LIMIT 1",
        )
        .bind(&request.owner)
        .bind(&request.repo)
        .bind(&request.head_sha)
        .bind(request.pr_number.map(|n| n as i64))
        .bind(request.pr_number.map(|n| n as i64))
        .fetch_optional(&mut *tx)
        .await?;
        // A sign-off is a person's click on one check run: it gets its own job.
        let waiting = waiting.filter(|_| request.signoff_by.is_none());
        let outcome = if let Some(job_id) = waiting {
            if request.manual {
                sqlx::query("UPDATE jobs SET manual = 1 WHERE id = ?")
                    .bind(job_id)
                    .execute(&mut *tx)
                    .await?;
            }
            Enqueued::Collapsed
        } else {
            sqlx::query(
                "INSERT INTO jobs (delivery_id, installation_id, owner, repo, pr_number, head_sha,
                                   trigger_name, manual, check_run_id, signoff_by, run_after,
                                   created_at, updated_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(delivery_id)
            .bind(request.installation_id as i64)
            .bind(&request.owner)
            .bind(&request.repo)
            .bind(request.pr_number.map(|n| n as i64))
            .bind(&request.head_sha)
            .bind(&request.trigger)
            .bind(request.manual)
            .bind(request.check_run_id.map(|n| n as i64))
            .bind(&request.signoff_by)
            .bind(now)
            .bind(now)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            Enqueued::Queued
        };
        tx.commit().await?;
        Ok(outcome)
    }

    /// Claims the oldest runnable job: queued and due, or running under an
    /// expired lease (its worker died).
    pub async fn claim(&self, worker: &str, lease: Duration) -> Result<Option<Job>, StoreError> {
        let now = now_ms();
        // SQLite runs one writer at a time, so the sub-select and the update
        // are atomic with respect to other claimers. A job waits while another
        // one for the same commit or pull request holds a live lease: two
        // reviews of one PR at once would both miss each other's comments.
        let row = sqlx::query(
            "UPDATE jobs SET state = 'running', lease_owner = ?1, lease_expires_at = ?2,
                    attempts = attempts + 1, updated_at = ?3
             WHERE id = (SELECT j.id FROM jobs j
                         WHERE ((j.state = 'queued' AND j.run_after <= ?3)
                                OR (j.state = 'running' AND j.lease_expires_at < ?3))
                           AND NOT EXISTS (
                               SELECT 1 FROM jobs r
                               WHERE r.id != j.id AND r.state = 'running'
                                 AND r.lease_expires_at >= ?3
                                 AND r.owner = j.owner AND r.repo = j.repo
                                 AND (r.head_sha = j.head_sha OR r.pr_number = j.pr_number))
                         ORDER BY j.id LIMIT 1)
             RETURNING id, delivery_id, installation_id, owner, repo, pr_number, head_sha,
                       trigger_name, manual, attempts, check_run_id, signoff_by",
        )
        .bind(worker)
        .bind(now + lease.as_millis() as i64)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|row| Job {
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
        }))
    }

    /// Extends the lease; `false` when another worker has taken the job over.
    pub async fn heartbeat(
        &self,
        job_id: i64,
        worker: &str,
        lease: Duration,
    ) -> Result<bool, StoreError> {
        let updated = sqlx::query(
            "UPDATE jobs SET lease_expires_at = ?, updated_at = ?
             WHERE id = ? AND lease_owner = ? AND state = 'running'",
        )
        .bind(now_ms() + lease.as_millis() as i64)
        .bind(now_ms())
        .bind(job_id)
        .bind(worker)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(updated == 1)
    }

    /// Remembers the check run so that a resumed job completes the same one
    /// instead of leaving it `in_progress` and creating another.
    pub async fn set_check_run(&self, job_id: i64, check_run_id: u64) -> Result<(), StoreError> {
        sqlx::query("UPDATE jobs SET check_run_id = ?, updated_at = ? WHERE id = ?")
            .bind(check_run_id as i64)
            .bind(now_ms())
            .bind(job_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn check_run_of(&self, job_id: i64) -> Result<Option<u64>, StoreError> {
        let id: Option<i64> = sqlx::query_scalar("SELECT check_run_id FROM jobs WHERE id = ?")
            .bind(job_id)
            .fetch_one(&self.pool)
            .await?;
        Ok(id.map(|n| n as u64))
    }

    pub async fn complete(&self, job_id: i64, worker: &str) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE jobs SET state = 'done', lease_owner = NULL, lease_expires_at = NULL,
                    last_error = NULL, updated_at = ?
             WHERE id = ? AND lease_owner = ?",
        )
        .bind(now_ms())
        .bind(job_id)
        .bind(worker)
        .execute(&self.pool)
        .await?;
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
        sqlx::query(
            "UPDATE jobs SET state = ?, run_after = ?, lease_owner = NULL, lease_expires_at = NULL,
                    last_error = ?, updated_at = ?
             WHERE id = ? AND lease_owner = ?",
        )
        .bind(if retry { "queued" } else { "failed" })
        .bind(now_ms() + retry_in.as_millis() as i64)
        .bind(error)
        .bind(now_ms())
        .bind(job.id)
        .bind(worker)
        .execute(&self.pool)
        .await?;
        Ok(retry)
    }

    /// The PR a head commit was last seen on, for triggers that lack one.
    pub async fn pr_for_head(
        &self,
        owner: &str,
        repo: &str,
        head_sha: &str,
    ) -> Result<Option<u64>, StoreError> {
        let number: Option<i64> = sqlx::query_scalar(
            "SELECT pr_number FROM pull_heads WHERE owner = ? AND repo = ? AND head_sha = ?
             ORDER BY pr_number DESC LIMIT 1",
        )
        .bind(owner)
        .bind(repo)
        .bind(head_sha)
        .fetch_optional(&self.pool)
        .await?;
        Ok(number.map(|n| n as u64))
    }

    pub async fn remember_pull_head(
        &self,
        owner: &str,
        repo: &str,
        head_sha: &str,
        pr_number: u64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO pull_heads (owner, repo, head_sha, pr_number) VALUES (?, ?, ?, ?)
             ON CONFLICT DO NOTHING",
        )
        .bind(owner)
        .bind(repo)
        .bind(head_sha)
        .bind(pr_number as i64)
        .execute(&self.pool)
        .await?;
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
        sqlx::query(
            "INSERT INTO signoffs (owner, repo, pr_number, head_sha, login, signed_at)
             VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT DO UPDATE SET login = excluded.login, signed_at = excluded.signed_at",
        )
        .bind(owner)
        .bind(repo)
        .bind(pr_number as i64)
        .bind(head_sha)
        .bind(login)
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
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
        Ok(sqlx::query_scalar(
            "SELECT login FROM signoffs WHERE owner = ? AND repo = ? AND pr_number = ? AND head_sha = ?",
        )
        .bind(owner)
        .bind(repo)
        .bind(pr_number as i64)
        .bind(head_sha)
        .fetch_optional(&self.pool)
        .await?)
    }

    pub async fn counts(&self) -> Result<QueueCounts, StoreError> {
        let rows = sqlx::query("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state")
            .fetch_all(&self.pool)
            .await?;
        let mut counts = QueueCounts::default();
        for row in rows {
            let n: i64 = row.get("n");
            match row.get::<String, _>("state").as_str() {
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
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM deliveries")
            .fetch_one(&self.pool)
            .await?)
    }

    pub async fn save_credentials(&self, creds: &StoredCredentials) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO app_credentials (id, app_id, slug, html_url, webhook_secret, key_path, created_at)
             VALUES (1, ?, ?, ?, ?, ?, ?)
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
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn load_credentials(&self) -> Result<Option<StoredCredentials>, StoreError> {
        let row = sqlx::query(
            "SELECT app_id, slug, html_url, webhook_secret, key_path FROM app_credentials WHERE id = 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|row| StoredCredentials {
            app_id: row.get::<i64, _>("app_id") as u64,
            slug: row.get("slug"),
            html_url: row.get("html_url"),
            webhook_secret: row.get("webhook_secret"),
            key_path: row.get("key_path"),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(sha: &str, pr: Option<u64>) -> ReviewRequest {
        ReviewRequest {
            installation_id: 1,
            owner: "o".into(),
            repo: "r".into(),
            pr_number: pr,
            head_sha: sha.into(),
            trigger: "pull_request.opened".into(),
            manual: false,
            check_run_id: None,
            signoff_by: None,
        }
    }

    async fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let store = Store::connect(&url).await.unwrap();
        (dir, store)
    }

    #[tokio::test]
    async fn redelivery_is_acknowledged_not_queued_twice() {
        let (_dir, store) = store().await;
        let req = request("abc", Some(2));
        assert_eq!(
            store
                .enqueue("d1", "pull_request", Some("opened"), b"{}", &req)
                .await
                .unwrap(),
            Enqueued::Queued
        );
        assert_eq!(
            store
                .enqueue("d1", "pull_request", Some("opened"), b"{}", &req)
                .await
                .unwrap(),
            Enqueued::Duplicate
        );
        assert_eq!(
            store
                .enqueue("d2", "check_suite", Some("requested"), b"{}", &req)
                .await
                .unwrap(),
            Enqueued::Collapsed
        );
        assert_eq!(store.counts().await.unwrap().queued, 1);
        assert_eq!(store.delivery_count().await.unwrap(), 2);
    }

    #[tokio::test]
    async fn expired_lease_is_taken_over_and_live_lease_is_not() {
        let (_dir, store) = store().await;
        store
            .enqueue(
                "d1",
                "pull_request",
                Some("opened"),
                b"{}",
                &request("abc", Some(2)),
            )
            .await
            .unwrap();
        let first = store
            .claim("w1", Duration::from_millis(50))
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
        tokio::time::sleep(Duration::from_millis(80)).await;
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
    }

    #[tokio::test]
    async fn jobs_of_one_pull_request_never_run_at_once() {
        let (_dir, store) = store().await;
        let lease = Duration::from_secs(60);
        store
            .enqueue(
                "d1",
                "pull_request",
                Some("opened"),
                b"{}",
                &request("abc", Some(2)),
            )
            .await
            .unwrap();
        let first = store.claim("w1", lease).await.unwrap().unwrap();
        // Same commit (check suite, no PR known) and a newer push of the PR.
        store
            .enqueue(
                "d2",
                "check_suite",
                Some("rerequested"),
                b"{}",
                &request("abc", None),
            )
            .await
            .unwrap();
        store
            .enqueue(
                "d3",
                "pull_request",
                Some("synchronize"),
                b"{}",
                &request("def", Some(2)),
            )
            .await
            .unwrap();
        // Another PR is independent.
        store
            .enqueue(
                "d4",
                "pull_request",
                Some("opened"),
                b"{}",
                &request("xyz", Some(3)),
            )
            .await
            .unwrap();
        let other = store.claim("w2", lease).await.unwrap().unwrap();
        assert_eq!(other.pr_number, Some(3));
        assert!(store.claim("w2", lease).await.unwrap().is_none());
        store.complete(first.id, "w1").await.unwrap();
        let next = store.claim("w2", lease).await.unwrap().unwrap();
        assert_eq!(next.delivery_id, "d2");
    }

    #[tokio::test]
    async fn failed_job_retries_until_attempts_run_out() {
        let (_dir, store) = store().await;
        store
            .enqueue(
                "d1",
                "pull_request",
                Some("opened"),
                b"{}",
                &request("abc", Some(2)),
            )
            .await
            .unwrap();
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
    }

    #[tokio::test]
    async fn state_survives_reopening_the_database() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        {
            let store = Store::connect(&url).await.unwrap();
            store
                .enqueue(
                    "d1",
                    "pull_request",
                    Some("opened"),
                    b"{}",
                    &request("abc", Some(7)),
                )
                .await
                .unwrap();
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
