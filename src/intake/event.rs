//! Deciding what a verified delivery asks for, from its event name and JSON
//! alone: a review of one commit, a ping, or nothing we handle.

use serde_json::Value;

/// A request to review one head commit, taken from a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewRequest {
    pub installation_id: u64,
    pub owner: String,
    pub repo: String,
    /// Unknown for check-suite triggers on forks; resolved by the worker.
    pub pr_number: Option<u64>,
    pub head_sha: String,
    /// `event.action`, e.g. `pull_request.opened`.
    pub trigger: String,
    /// A person asked for it (Re-run, action button): drafts are reviewed too.
    pub manual: bool,
    /// The check run to complete again instead of creating one (action clicks).
    pub check_run_id: Option<u64>,
    /// Login of the user who clicked "Mark reviewed".
    pub signoff_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Ping,
    Review(ReviewRequest),
    Ignore(String),
}

/// The check-run action button that re-reviews the commit.
pub const RERUN_ACTION: &str = "rerun";
/// The check-run action button a human clicks to sign off security-critical
/// changes.
pub const MARK_REVIEWED_ACTION: &str = "mark-reviewed";

pub fn decide(event: &str, payload: &Value, our_app_id: u64) -> Decision {
    let action = payload.get("action").and_then(Value::as_str).unwrap_or("");
    match event {
        "ping" => Decision::Ping,
        "pull_request" => pull_request(action, payload),
        "check_suite" => check_suite(action, payload, our_app_id),
        "check_run" => check_run(action, payload, our_app_id),
        _ => Decision::Ignore(format!("event {event} is not handled")),
    }
}

fn ignore(reason: impl Into<String>) -> Decision {
    Decision::Ignore(reason.into())
}

fn pull_request(action: &str, payload: &Value) -> Decision {
    if !matches!(
        action,
        "opened" | "reopened" | "synchronize" | "ready_for_review"
    ) {
        return ignore(format!("pull_request.{action} is not handled"));
    }
    let pr = &payload["pull_request"];
    if pr["draft"].as_bool() == Some(true) {
        return ignore("draft pull requests are reviewed when marked ready for review");
    }
    if pr["state"].as_str() == Some("closed") {
        return ignore("the pull request is closed");
    }
    let (Some(number), Some(head_sha)) = (pr["number"].as_u64(), pr["head"]["sha"].as_str()) else {
        return ignore("pull_request payload lacks number or head sha");
    };
    request(
        payload,
        Some(number),
        head_sha,
        format!("pull_request.{action}"),
        false,
    )
}

fn check_suite(action: &str, payload: &Value, our_app_id: u64) -> Decision {
    if !matches!(action, "requested" | "rerequested") {
        return ignore(format!("check_suite.{action} is not handled"));
    }
    let suite = &payload["check_suite"];
    if let Some(app_id) = suite["app"]["id"].as_u64()
        && app_id != our_app_id
    {
        return ignore("check suite of another app");
    }
    let Some(head_sha) = suite["head_sha"].as_str() else {
        return ignore("check_suite payload lacks head_sha");
    };
    let number = first_pull_number(&suite["pull_requests"], payload);
    request(
        payload,
        number,
        head_sha,
        format!("check_suite.{action}"),
        action == "rerequested",
    )
}

fn check_run(action: &str, payload: &Value, our_app_id: u64) -> Decision {
    let run = &payload["check_run"];
    let mut signoff_by = None;
    match action {
        "rerequested" => {}
        "requested_action" => {
            // octocrab's typed payload drops `requested_action`; read the JSON.
            let identifier = payload["requested_action"]["identifier"]
                .as_str()
                .unwrap_or("");
            match identifier {
                RERUN_ACTION => {}
                MARK_REVIEWED_ACTION => {
                    let Some(login) = payload["sender"]["login"].as_str() else {
                        return ignore("sign-off without a sender");
                    };
                    signoff_by = Some(login.to_owned());
                }
                _ => return ignore(format!("requested action {identifier:?} is not handled")),
            }
        }
        _ => return ignore(format!("check_run.{action} is not handled")),
    }
    if run["app"]["id"].as_u64() != Some(our_app_id) {
        return ignore("check run of another app");
    }
    let Some(head_sha) = run["head_sha"].as_str() else {
        return ignore("check_run payload lacks head_sha");
    };
    let number = first_pull_number(&run["pull_requests"], payload);
    let mut decision = request(
        payload,
        number,
        head_sha,
        format!("check_run.{action}"),
        true,
    );
    if let (Decision::Review(req), Some(login)) = (&mut decision, signoff_by) {
        // The sign-off re-completes the run that showed the button.
        req.check_run_id = run["id"].as_u64();
        req.signoff_by = Some(login);
    }
    decision
}

/// The first listed PR whose base is this repository.
fn first_pull_number(pulls: &Value, payload: &Value) -> Option<u64> {
    let repo_id = payload["repository"]["id"].as_u64();
    pulls.as_array()?.iter().find_map(|pr| {
        let base_repo = pr["base"]["repo"]["id"].as_u64();
        if base_repo.is_some() && repo_id.is_some() && base_repo != repo_id {
            return None;
        }
        pr["number"].as_u64()
    })
}

fn request(
    payload: &Value,
    pr_number: Option<u64>,
    head_sha: &str,
    trigger: String,
    manual: bool,
) -> Decision {
    // App deliveries carry the installation; examples and misrouted hooks may
    // not, and without it there is no way to act.
    let Some(installation_id) = payload["installation"]["id"].as_u64() else {
        return ignore("delivery has no installation");
    };
    let repository = &payload["repository"];
    let (Some(owner), Some(repo)) = (
        repository["owner"]["login"].as_str(),
        repository["name"].as_str(),
    ) else {
        return ignore("delivery has no repository");
    };
    Decision::Review(ReviewRequest {
        installation_id,
        owner: owner.to_owned(),
        repo: repo.to_owned(),
        pr_number,
        head_sha: head_sha.to_owned(),
        trigger,
        manual,
        check_run_id: None,
        signoff_by: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn payload(name: &str) -> Value {
        let shared = std::env::var("PRWARDEN_SHARED_DIR")
            .unwrap_or_else(|_| format!("{}/../shared", env!("CARGO_MANIFEST_DIR")));
        let path = format!("{shared}/reference/github/webhook-payloads/{name}.json");
        serde_json::from_str(&std::fs::read_to_string(&path).expect(&path)).unwrap()
    }

    #[test]
    fn pull_request_opened_asks_for_a_review_of_its_head() {
        let Decision::Review(req) = decide("pull_request", &payload("pull_request.opened"), 1)
        else {
            panic!("expected a review");
        };
        assert_eq!(req.owner, "Codertocat");
        assert_eq!(req.repo, "Hello-World");
        assert_eq!(req.pr_number, Some(2));
        assert_eq!(req.installation_id, 1);
        assert_eq!(req.head_sha, "ec26c3e57ca3a959ca5aad62de7213c562f8c821");
        assert!(!req.manual);
    }

    #[test]
    fn drafts_wait_for_ready_for_review() {
        let mut opened = payload("pull_request.opened");
        opened["pull_request"]["draft"] = json!(true);
        assert!(matches!(
            decide("pull_request", &opened, 1),
            Decision::Ignore(_)
        ));
        let ready = payload("pull_request.ready_for_review.with-installation");
        assert!(matches!(
            decide("pull_request", &ready, 1),
            Decision::Review(_)
        ));
        // The upstream example has no installation: acknowledged, skipped.
        assert!(matches!(
            decide("pull_request", &payload("pull_request.ready_for_review"), 1),
            Decision::Ignore(_)
        ));
    }

    #[test]
    fn closed_and_unknown_events_are_ignored() {
        assert!(matches!(
            decide("pull_request", &payload("pull_request.closed"), 1),
            Decision::Ignore(_)
        ));
        assert!(matches!(
            decide("installation", &payload("installation.created"), 1),
            Decision::Ignore(_)
        ));
        assert_eq!(decide("ping", &payload("ping"), 1), Decision::Ping);
    }

    #[test]
    fn check_run_rerequested_only_for_our_app() {
        let rerequested = payload("check_run.rerequested");
        let app_id = rerequested["check_run"]["app"]["id"].as_u64().unwrap();
        let Decision::Review(req) = decide("check_run", &rerequested, app_id) else {
            panic!("expected a review");
        };
        assert!(req.manual);
        assert_eq!(req.pr_number, None);
        assert!(matches!(
            decide("check_run", &rerequested, app_id + 1),
            Decision::Ignore(_)
        ));
    }

    #[test]
    fn requested_action_reviews_only_for_the_rerun_button() {
        let mut clicked = payload("check_run.requested_action");
        let app_id = clicked["check_run"]["app"]["id"].as_u64().unwrap();
        assert!(matches!(
            decide("check_run", &clicked, app_id),
            Decision::Ignore(_)
        ));
        clicked["requested_action"]["identifier"] = json!(RERUN_ACTION);
        let Decision::Review(req) = decide("check_run", &clicked, app_id) else {
            panic!("expected a review");
        };
        assert_eq!(req.pr_number, Some(26764));
        assert_eq!(req.trigger, "check_run.requested_action");
        assert_eq!(req.signoff_by, None);
    }

    #[test]
    fn mark_reviewed_carries_the_clicking_user_and_the_check_run() {
        let mut clicked = payload("check_run.requested_action");
        let app_id = clicked["check_run"]["app"]["id"].as_u64().unwrap();
        clicked["requested_action"]["identifier"] = json!(MARK_REVIEWED_ACTION);
        let Decision::Review(req) = decide("check_run", &clicked, app_id) else {
            panic!("expected a review");
        };
        assert_eq!(
            req.signoff_by.as_deref(),
            clicked["sender"]["login"].as_str()
        );
        assert_eq!(req.check_run_id, clicked["check_run"]["id"].as_u64());
    }

    #[test]
    fn check_suite_requested_and_rerequested() {
        let requested = payload("check_suite.requested");
        let Decision::Review(req) = decide("check_suite", &requested, 29310) else {
            panic!("expected a review");
        };
        assert_eq!(req.pr_number, None);
        assert!(!req.manual);
        let Decision::Review(req) =
            decide("check_suite", &payload("check_suite.rerequested"), 29310)
        else {
            panic!("expected a review");
        };
        assert_eq!(req.pr_number, Some(2));
        assert!(req.manual);
        assert!(matches!(
            decide("check_suite", &payload("check_suite.completed"), 29310),
            Decision::Ignore(_)
        ));
    }
}
