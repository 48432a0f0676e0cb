//! Catch-up: deliveries GitHub could not make while prwarden was down are
//! found in the App's delivery log and redelivered, exactly once, and only
//! when prwarden handles them and never stored them.

mod common;

use std::time::Duration;

use common::*;
use fake_github::{FakeFile, FakeGitHub, FakePr, TEST_APP_ID};
use prwarden::catchup::{self, CatchUp};
use prwarden::queue::scratch::{ScratchDatabase, admin_url};
use serde_json::Value;

#[derive(Clone, Copy, Debug)]
enum Backend {
    Sqlite,
    Postgres,
}

const BACKENDS: [Backend; 2] = [Backend::Sqlite, Backend::Postgres];

/// A URL where nothing listens: prwarden is down.
async fn closed_url() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}/api/github/webhooks")
}

/// A fake GitHub with PR #2 (one risky file) whose webhook goes nowhere.
async fn fake_while_down() -> FakeGitHub {
    let fake = FakeGitHub::start().await;
    fake.add_repo(INSTALLATION, OWNER, REPO);
    fake.add_pull(
        OWNER,
        REPO,
        FakePr::new(PR, HEAD, vec![FakeFile::added("src/users.ts", &risky_ts())]),
    );
    fake.set_webhook(&closed_url().await, SECRET);
    fake
}

/// Starts prwarden against `fake` and points the webhook at it.
async fn start(fake: FakeGitHub, backend: Backend) -> TestApp {
    start_with(fake, backend, 0).await
}

async fn start_with(fake: FakeGitHub, backend: Backend, catchup_secs: u64) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(&fake.url(), dir.path());
    cfg.catchup_secs = catchup_secs;
    let scratch = match backend {
        Backend::Sqlite => None,
        Backend::Postgres => Some(
            ScratchDatabase::create(&admin_url())
                .await
                .expect("PostgreSQL for the tests (set PRWARDEN_TEST_POSTGRES)"),
        ),
    };
    if let Some(scratch) = &scratch {
        cfg.database_url = scratch.url.clone();
    }
    let mut app = TestApp::start(fake, dir, cfg).await;
    app.scratch = scratch;
    app.fake
        .set_webhook(&format!("{}/api/github/webhooks", app.url), SECRET);
    app
}

async fn wait_for_deliveries(fake: &FakeGitHub, n: usize) -> Vec<Value> {
    wait_until(Duration::from_secs(20), || async {
        fake.deliveries().len() >= n
    })
    .await;
    fake.deliveries()
}

fn redeliveries_requested(fake: &FakeGitHub) -> usize {
    fake.requests()
        .iter()
        .filter(|r| {
            r.method == "POST" && r.path.starts_with("/app/hook/deliveries/") && r.status == 202
        })
        .count()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pr_opened_while_down_is_reviewed_once_after_catch_up() {
    for backend in BACKENDS {
        let fake = fake_while_down().await;
        let opened = payload("pull_request.opened");
        assert_eq!(fake.send_webhook("pull_request", &opened).await, 0);
        let log = fake.deliveries();
        assert_eq!(log.len(), 1);
        assert_eq!(log[0]["status"], "failed to connect");
        assert_eq!(log[0]["status_code"], 0);
        let guid = log[0]["guid"].as_str().unwrap().to_owned();

        let app = start(fake, backend).await;
        let report = catchup::run_once(&app.state).await.unwrap();
        assert_eq!(
            report,
            CatchUp {
                listed: 1,
                redelivered: 1,
                ..CatchUp::default()
            },
            "{backend:?}"
        );
        let log = wait_for_deliveries(&app.fake, 2).await;
        assert_eq!(log[1]["guid"], guid.as_str(), "same GUID again");
        assert_eq!(log[1]["redelivery"], true);
        assert_eq!(log[1]["status_code"], 202, "{backend:?}: {:#}", log[1]);
        app.settle().await;

        assert_eq!(app.reviews().len(), 1, "{backend:?}: exactly one review");
        let runs = app.check_runs();
        assert_eq!(runs.len(), 1, "{backend:?}: one check run");
        assert_eq!(runs[0]["status"], "completed");
        assert_eq!(runs[0]["head_sha"], HEAD);

        // (d) A second run finds the event delivered and does nothing.
        let again = catchup::run_once(&app.state).await.unwrap();
        assert_eq!(
            again,
            CatchUp {
                listed: 2,
                delivered: 1,
                ..CatchUp::default()
            }
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(app.fake.deliveries().len(), 2);
        assert_eq!(redeliveries_requested(&app.fake), 1);
        assert_eq!(app.reviews().len(), 1);
        app.assert_github_happy();
        app.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn delivered_and_stored_events_are_not_redelivered() {
    for backend in BACKENDS {
        let app = start(fake_while_down().await, backend).await;
        // Delivered normally.
        assert_eq!(
            app.fake
                .send_webhook("pull_request", &payload("pull_request.opened"))
                .await,
            202
        );
        // Failed for GitHub (say prwarden answered too late), yet stored: the
        // same GUID reached prwarden.
        let url = format!("{}/api/github/webhooks", app.url);
        app.fake.set_webhook(&closed_url().await, SECRET);
        let sync = payload("pull_request.synchronize");
        assert_eq!(app.fake.send_webhook("pull_request", &sync).await, 0);
        let guid = app.fake.deliveries()[1]["guid"]
            .as_str()
            .unwrap()
            .to_owned();
        let response = app
            .deliver("pull_request", &guid, &serde_json::to_vec(&sync).unwrap())
            .await;
        assert!(response.status().is_success());
        app.fake.set_webhook(&url, SECRET);

        let report = catchup::run_once(&app.state).await.unwrap();
        assert_eq!(
            report,
            CatchUp {
                listed: 2,
                delivered: 1,
                already_processed: 1,
                ..CatchUp::default()
            },
            "{backend:?}"
        );
        assert_eq!(redeliveries_requested(&app.fake), 0);
        app.settle().await;
        assert_eq!(app.reviews().len(), 1);
        app.assert_github_happy();
        app.cleanup().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn events_prwarden_does_not_handle_are_not_redelivered() {
    let fake = fake_while_down().await;
    assert_eq!(
        fake.send_webhook("installation", &payload("installation.created"))
            .await,
        0
    );
    assert_eq!(
        fake.send_webhook("pull_request", &payload("pull_request.closed"))
            .await,
        0
    );
    assert_eq!(
        fake.send_webhook("check_run", &payload("check_run.completed"))
            .await,
        0
    );
    let app = start(fake, Backend::Sqlite).await;
    let report = catchup::run_once(&app.state).await.unwrap();
    assert_eq!(
        report,
        CatchUp {
            listed: 3,
            unhandled: 3,
            ..CatchUp::default()
        }
    );
    assert_eq!(redeliveries_requested(&app.fake), 0);
    assert_eq!(app.fake.count("POST", "/attempts"), 0);
    app.cleanup().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn deliveries_older_than_three_days_are_left_alone() {
    let fake = fake_while_down().await;
    fake.send_webhook("pull_request", &payload("pull_request.opened"))
        .await;
    fake.backdate_deliveries(Duration::from_secs(4 * 24 * 3600));
    let app = start(fake, Backend::Sqlite).await;
    let report = catchup::run_once(&app.state).await.unwrap();
    assert_eq!(
        report,
        CatchUp {
            listed: 1,
            too_old: 1,
            ..CatchUp::default()
        }
    );
    assert_eq!(app.fake.count("POST", "/attempts"), 0);
    assert!(app.reviews().is_empty());
    app.assert_github_happy();
    app.cleanup().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn catch_up_reads_every_page_of_the_window() {
    let fake = fake_while_down().await;
    // The PR's delivery is the oldest, on the second page of 100.
    fake.send_webhook("pull_request", &payload("pull_request.opened"))
        .await;
    let installation = payload("installation.created");
    for _ in 0..120 {
        fake.send_webhook("installation", &installation).await;
    }
    let app = start(fake, Backend::Sqlite).await;
    let report = catchup::run_once(&app.state).await.unwrap();
    assert_eq!(report.listed, 121);
    assert_eq!(report.unhandled, 120);
    assert_eq!(report.redelivered, 1);
    let pages: Vec<_> = app
        .fake
        .requests()
        .into_iter()
        .filter(|r| r.method == "GET" && r.path == "/app/hook/deliveries")
        .collect();
    assert_eq!(pages.len(), 2);
    assert!(
        pages[1].query.as_deref().unwrap_or("").contains("cursor="),
        "{:?}",
        pages[1].query
    );
    wait_for_deliveries(&app.fake, 122).await;
    app.settle().await;
    assert_eq!(app.reviews().len(), 1);
    app.assert_github_happy();
    app.cleanup().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_event_that_keeps_failing_is_given_up() {
    let fake = fake_while_down().await;
    fake.send_webhook("pull_request", &payload("pull_request.opened"))
        .await;
    let app = start(fake, Backend::Sqlite).await;
    // prwarden is up but GitHub still cannot reach it.
    app.fake.set_webhook(&closed_url().await, SECRET);
    for attempt in 1..catchup::MAX_ATTEMPTS {
        let report = catchup::run_once(&app.state).await.unwrap();
        assert_eq!(report.redelivered, 1, "run {attempt}");
        wait_for_deliveries(&app.fake, attempt + 1).await;
    }
    let report = catchup::run_once(&app.state).await.unwrap();
    assert_eq!(report.redelivered, 0);
    assert_eq!(report.gave_up, 1);
    assert!(
        app.fake
            .deliveries()
            .iter()
            .all(|d| d["status"] == "failed to connect")
    );
    app.cleanup().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_periodic_task_catches_up_shortly_after_start() {
    let fake = fake_while_down().await;
    fake.send_webhook("pull_request", &payload("pull_request.opened"))
        .await;
    let app = start_with(fake, Backend::Sqlite, 1).await;
    // As `serve` does; the first run comes after min(interval, 5 s).
    prwarden::server::spawn_catchup(&app.state);
    wait_for_deliveries(&app.fake, 2).await;
    app.settle().await;
    assert_eq!(app.reviews().len(), 1);
    assert_eq!(redeliveries_requested(&app.fake), 1);
    app.cleanup().await;
}

#[tokio::test]
async fn catch_up_without_credentials_does_nothing() {
    let fake = FakeGitHub::start().await;
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config(&fake.url(), dir.path());
    cfg.github_app_id = None;
    cfg.github_private_key = None;
    cfg.github_webhook_secret = None;
    let state = prwarden::state::AppState::new(cfg).await.unwrap();
    assert_eq!(catchup::run_once(&state).await.unwrap(), CatchUp::default());
    assert!(fake.requests().is_empty());
}

/// Catch-up's list of handled triggers never misses one that intake reviews.
#[test]
fn every_trigger_intake_reviews_is_caught_up() {
    let dir = shared_dir().join("reference/github/webhook-payloads");
    let mut checked = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let event = name.split('.').next().unwrap().to_owned();
        let body: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let app_ids = [
            Some(TEST_APP_ID),
            body["check_run"]["app"]["id"].as_u64(),
            body["check_suite"]["app"]["id"].as_u64(),
        ];
        for app_id in app_ids.into_iter().flatten() {
            if let prwarden::intake::Decision::Review(_) =
                prwarden::intake::decide(&event, &body, app_id)
            {
                checked += 1;
                assert!(
                    catchup::handles(&event, body["action"].as_str()),
                    "{name}: intake reviews it, catch-up would skip it"
                );
            }
        }
    }
    assert!(checked >= 5, "only {checked} reviewing payloads found");
}
