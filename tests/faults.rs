//! An unreliable GitHub: 20% server errors, 10% rate limits with
//! `retry-after`, slow answers. Every PR still ends with exactly one review,
//! no duplicate comment, and a completed check run.

mod common;

use std::time::Duration;

use common::*;
use fake_github::{Chaos, FakeFile, FakePr};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_pr_is_reviewed_exactly_once_despite_faults() {
    const PRS: u64 = 8;
    let sha = |n: u64| format!("{:040x}", 0xfa_u64 * 1000 + n);
    let app = TestApp::with_pr(vec![FakeFile::added("src/users.ts", &risky_ts())]).await;
    for n in 10..10 + PRS {
        let file = FakeFile::added(
            &format!("src/m{n}.ts"),
            &format!("export function f{n}(x: any): number {{\n  return {n};\n}}\n"),
        );
        app.fake
            .add_pull(OWNER, REPO, FakePr::new(n, &sha(n), vec![file]));
    }
    app.fake.set_chaos(Some(Chaos {
        server_errors: 0.2,
        rate_limits: 0.1,
        max_delay: Duration::from_millis(40),
    }));

    for round in 0..2 {
        for n in 10..10 + PRS {
            let mut payload = payload("pull_request.opened");
            payload["number"] = json!(n);
            payload["pull_request"]["number"] = json!(n);
            payload["pull_request"]["head"]["sha"] = json!(sha(n));
            let body = serde_json::to_vec(&payload).unwrap();
            // The second round repeats each event under a new delivery id.
            let status = app
                .deliver("pull_request", &format!("chaos-{round}-{n}"), &body)
                .await
                .status();
            assert!(status.is_success(), "intake never calls GitHub: {status}");
        }
    }
    wait_until(Duration::from_secs(180), || async {
        let c = app.state.store.counts().await.unwrap();
        c.queued == 0 && c.running == 0
    })
    .await;
    app.fake.set_chaos(None);

    let counts = app.state.store.counts().await.unwrap();
    assert_eq!(counts.failed, 0, "no review gave up");
    let runs = app.check_runs();
    for n in 10..10 + PRS {
        assert_eq!(
            app.fake.reviews(OWNER, REPO, n).len(),
            1,
            "PR {n}: one review"
        );
        assert_eq!(
            app.fake.review_comments(OWNER, REPO, n).len(),
            1,
            "PR {n}: no duplicate"
        );
        let mine: Vec<_> = runs.iter().filter(|r| r["head_sha"] == sha(n)).collect();
        assert_eq!(
            mine.len(),
            1,
            "PR {n}: one check run: {:#?}",
            mine.iter()
                .map(|r| (
                    r["id"].clone(),
                    r["external_id"].clone(),
                    r["conclusion"].clone(),
                    r["output"]["title"].clone()
                ))
                .collect::<Vec<_>>()
        );
        assert_eq!(mine[0]["status"], "completed");
        assert_eq!(
            mine[0]["conclusion"], "success",
            "{}",
            mine[0]["output"]["summary"]
        );
        assert_eq!(mine[0]["annotations"].as_array().unwrap().len(), 1);
    }
    assert!(
        app.fake.responses_with_status(429) > 0,
        "the faults happened"
    );
    assert!(app.fake.schema_violations().is_empty());
}
