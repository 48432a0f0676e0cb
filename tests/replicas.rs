//! PostgreSQL: the same review on the second backend, and several replicas
//! sharing one database without running any job twice.

mod common;

use std::sync::Arc;

use common::*;
use fake_github::{FakeFile, FakeGitHub, FakePr};
use prwarden::queue::scratch::{ScratchDatabase, admin_url};
use prwarden::server::Workers;
use prwarden::state::AppState;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opened_pr_is_reviewed_once_on_postgres() {
    let app =
        TestApp::with_pr_on_postgres(vec![FakeFile::added("src/users.ts", &risky_ts())]).await;
    assert_eq!(app.state.store.backend(), "postgres");
    let body = payload_bytes("pull_request.opened");
    assert_eq!(
        app.deliver("pull_request", "pg-1", &body).await.status(),
        202
    );
    assert_eq!(
        app.deliver("pull_request", "pg-1", &body).await.status(),
        200
    );
    app.settle().await;
    assert_eq!(app.reviews().len(), 1);
    assert_eq!(app.comments().len(), 4);
    let runs = app.check_runs();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0]["status"], "completed");
    app.assert_github_happy();
    app.cleanup().await;
}

/// One more replica on the same database, with its own workers (stopped
/// when [`Workers`] is dropped).
async fn replica(
    fake: &FakeGitHub,
    db_url: &str,
) -> (Arc<AppState>, String, tempfile::TempDir, Workers) {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(&fake.url(), dir.path());
    cfg.database_url = db_url.to_owned();
    let state = AppState::new(cfg).await.unwrap();
    let workers = prwarden::server::spawn_workers(&state).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let router = prwarden::server::router(Arc::clone(&state));
    tokio::spawn(async move { axum::serve(listener, router).await });
    (state, url, dir, workers)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_share_a_burst_and_run_no_job_twice() {
    const PRS: u64 = 40;
    let fake = FakeGitHub::start().await;
    fake.add_repo(INSTALLATION, OWNER, REPO);
    let sha = |n: u64| format!("{n:040x}");
    for n in 1..=PRS {
        let file = FakeFile::added(
            &format!("src/m{n}.ts"),
            &format!("export function f{n}(x: any): number {{\n  return {n};\n}}\n"),
        );
        fake.add_pull(OWNER, REPO, FakePr::new(n, &sha(n), vec![file]));
    }
    let db = ScratchDatabase::create(&admin_url()).await.unwrap();
    let (a, a_url, _a_dir, _a_workers) = replica(&fake, &db.url).await;
    let (b, b_url, _b_dir, _b_workers) = replica(&fake, &db.url).await;

    // Every PR's delivery goes to one replica and its redelivery to the
    // other, all at once.
    let http = reqwest::Client::new();
    let mut sends = Vec::new();
    for n in 1..=PRS {
        let mut payload = payload("pull_request.opened");
        payload["number"] = json!(n);
        payload["pull_request"]["number"] = json!(n);
        payload["pull_request"]["head"]["sha"] = json!(sha(n));
        let body = serde_json::to_vec(&payload).unwrap();
        for url in [&a_url, &b_url] {
            let (http, url, body) = (http.clone(), url.clone(), body.clone());
            sends.push(tokio::spawn(async move {
                http.post(format!("{url}/api/github/webhooks"))
                    .header("x-github-event", "pull_request")
                    .header("x-github-delivery", format!("burst-{n}"))
                    .header(
                        "x-hub-signature-256",
                        prwarden::intake::signature::sign(SECRET, &body),
                    )
                    .body(body)
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            }));
        }
    }
    let mut statuses = Vec::new();
    for send in sends {
        statuses.push(send.await.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 202).count(),
        PRS as usize,
        "one accepted per delivery id"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        PRS as usize,
        "the other acknowledged as a duplicate"
    );

    wait_until(std::time::Duration::from_secs(90), || async {
        let c = a.store.counts().await.unwrap();
        c.done == PRS as i64 && c.queued == 0 && c.running == 0
    })
    .await;
    for (delivery, attempts) in a.store.attempts_by_delivery().await.unwrap() {
        assert_eq!(attempts, 1, "{delivery} was claimed more than once");
    }
    for n in 1..=PRS {
        assert_eq!(fake.reviews(OWNER, REPO, n).len(), 1, "PR {n}: one review");
        assert_eq!(fake.review_comments(OWNER, REPO, n).len(), 1);
    }
    let runs = fake.check_runs(OWNER, REPO);
    assert_eq!(runs.len(), PRS as usize, "one check run per commit");
    assert!(runs.iter().all(|r| r["status"] == "completed"));
    assert!(fake.schema_violations().is_empty());
    a.store.close().await;
    b.store.close().await;
    db.drop_database().await.unwrap();
}
