//! Deciding what a verified delivery asks for, from its event name and JSON
//! alone: a review of one commit, a ping, or nothing we handle.

use serde::Deserialize;
use serde_json::Value;

use super::lenient::{List, Maybe, Obj, Str};

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

/// The fields of a delivery that [`decide`] reads. The rest of the payload
/// is checked to be JSON but never built.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Delivery<'a> {
    #[serde(borrow)]
    action: Maybe<Str<'a>>,
    #[serde(borrow)]
    pull_request: Obj<PullRequest<'a>>,
    #[serde(borrow)]
    check_suite: Obj<CheckSuite<'a>>,
    #[serde(borrow)]
    check_run: Obj<CheckRun<'a>>,
    #[serde(borrow)]
    requested_action: Obj<RequestedAction<'a>>,
    #[serde(borrow)]
    sender: Obj<Account<'a>>,
    installation: Obj<Id>,
    #[serde(borrow)]
    repository: Obj<Repository<'a>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PullRequest<'a> {
    number: Maybe<u64>,
    draft: Maybe<bool>,
    #[serde(borrow)]
    state: Maybe<Str<'a>>,
    #[serde(borrow)]
    head: Obj<Head<'a>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Head<'a> {
    #[serde(borrow)]
    sha: Maybe<Str<'a>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CheckSuite<'a> {
    app: Obj<Id>,
    #[serde(borrow)]
    head_sha: Maybe<Str<'a>>,
    pull_requests: List<PullRef>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CheckRun<'a> {
    id: Maybe<u64>,
    app: Obj<Id>,
    #[serde(borrow)]
    head_sha: Maybe<Str<'a>>,
    pull_requests: List<PullRef>,
}

/// An entry of a check suite's or run's `pull_requests`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PullRef {
    number: Maybe<u64>,
    base: Obj<Base>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Base {
    repo: Obj<Id>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RequestedAction<'a> {
    #[serde(borrow)]
    identifier: Maybe<Str<'a>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Account<'a> {
    #[serde(borrow)]
    login: Maybe<Str<'a>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Id {
    id: Maybe<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Repository<'a> {
    id: Maybe<u64>,
    #[serde(borrow)]
    name: Maybe<Str<'a>>,
    #[serde(borrow)]
    owner: Obj<Account<'a>>,
}

impl<'a> Delivery<'a> {
    /// Parses a delivery's JSON text, which must be one object.
    pub fn from_json(json: &'a [u8]) -> Result<Delivery<'a>, String> {
        // Skipped strings are not checked for UTF-8, and a duplicate key is
        // an error to serde's derive but "last one wins" to `Value`: such
        // bodies take the `Value` path, which decides as before.
        if std::str::from_utf8(json).is_ok()
            && let Ok(delivery) = serde_json::from_slice::<Delivery<'a>>(json)
        {
            return match json.trim_ascii_start().first() {
                Some(b'{') => Ok(delivery),
                _ => Err("payload is not a JSON object".to_owned()),
            };
        }
        match serde_json::from_slice::<Value>(json) {
            Ok(value @ Value::Object(_)) => {
                Delivery::deserialize(value).map_err(|e| format!("malformed JSON: {e}"))
            }
            Ok(_) => Err("payload is not a JSON object".to_owned()),
            Err(e) => Err(format!("malformed JSON: {e}")),
        }
    }

    /// The same fields, from a parsed payload.
    pub fn from_value(payload: &'a Value) -> Delivery<'a> {
        // Every field is optional and of any type, and a `Value` has no
        // duplicate keys, so this cannot fail.
        Delivery::deserialize(payload).unwrap_or_default()
    }

    /// `action`, when it is a string.
    pub fn action(&self) -> Option<&str> {
        self.action.as_str()
    }
}

pub fn decide(event: &str, payload: &Value, our_app_id: u64) -> Decision {
    decide_delivery(event, &Delivery::from_value(payload), our_app_id)
}

pub fn decide_delivery(event: &str, payload: &Delivery, our_app_id: u64) -> Decision {
    let action = payload.action().unwrap_or("");
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

fn pull_request(action: &str, payload: &Delivery) -> Decision {
    if !matches!(
        action,
        "opened" | "reopened" | "synchronize" | "ready_for_review"
    ) {
        return ignore(format!("pull_request.{action} is not handled"));
    }
    let pr = &payload.pull_request;
    if pr.draft.get() == Some(true) {
        return ignore("draft pull requests are reviewed when marked ready for review");
    }
    if pr.state.as_str() == Some("closed") {
        return ignore("the pull request is closed");
    }
    let (Some(number), Some(head_sha)) = (pr.number.get(), pr.head.sha.as_str()) else {
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

fn check_suite(action: &str, payload: &Delivery, our_app_id: u64) -> Decision {
    if !matches!(action, "requested" | "rerequested") {
        return ignore(format!("check_suite.{action} is not handled"));
    }
    let suite = &payload.check_suite;
    if let Some(app_id) = suite.app.id.get()
        && app_id != our_app_id
    {
        return ignore("check suite of another app");
    }
    let Some(head_sha) = suite.head_sha.as_str() else {
        return ignore("check_suite payload lacks head_sha");
    };
    let number = first_pull_number(&suite.pull_requests, payload);
    request(
        payload,
        number,
        head_sha,
        format!("check_suite.{action}"),
        action == "rerequested",
    )
}

fn check_run(action: &str, payload: &Delivery, our_app_id: u64) -> Decision {
    let run = &payload.check_run;
    let mut signoff_by = None;
    match action {
        "rerequested" => {}
        "requested_action" => {
            // octocrab's typed payload drops `requested_action`; read the JSON.
            let identifier = payload.requested_action.identifier.as_str().unwrap_or("");
            match identifier {
                RERUN_ACTION => {}
                MARK_REVIEWED_ACTION => {
                    let Some(login) = payload.sender.login.as_str() else {
                        return ignore("sign-off without a sender");
                    };
                    signoff_by = Some(login.to_owned());
                }
                _ => return ignore(format!("requested action {identifier:?} is not handled")),
            }
        }
        _ => return ignore(format!("check_run.{action} is not handled")),
    }
    if run.app.id.get() != Some(our_app_id) {
        return ignore("check run of another app");
    }
    let Some(head_sha) = run.head_sha.as_str() else {
        return ignore("check_run payload lacks head_sha");
    };
    let number = first_pull_number(&run.pull_requests, payload);
    let mut decision = request(
        payload,
        number,
        head_sha,
        format!("check_run.{action}"),
        true,
    );
    if let (Decision::Review(req), Some(login)) = (&mut decision, signoff_by) {
        // The sign-off re-completes the run that showed the button.
        req.check_run_id = run.id.get();
        req.signoff_by = Some(login);
    }
    decision
}

/// The first listed PR whose base is this repository.
fn first_pull_number(pulls: &List<PullRef>, payload: &Delivery) -> Option<u64> {
    let repo_id = payload.repository.id.get();
    pulls.0.iter().find_map(|pr| {
        let base_repo = pr.base.repo.id.get();
        if base_repo.is_some() && repo_id.is_some() && base_repo != repo_id {
            return None;
        }
        pr.number.get()
    })
}

fn request(
    payload: &Delivery,
    pr_number: Option<u64>,
    head_sha: &str,
    trigger: String,
    manual: bool,
) -> Decision {
    // App deliveries carry the installation; examples and misrouted hooks may
    // not, and without it there is no way to act.
    let Some(installation_id) = payload.installation.id.get() else {
        return ignore("delivery has no installation");
    };
    let repository = &payload.repository;
    let (Some(owner), Some(repo)) = (repository.owner.login.as_str(), repository.name.as_str())
    else {
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

    /// The typed parse of the text and the `Value` path decide alike.
    fn decide_both_ways(event: &str, json: &str) -> Decision {
        let from_text = Delivery::from_json(json.as_bytes()).map(|d| decide_delivery(event, &d, 7));
        let from_value = serde_json::from_str::<Value>(json)
            .map_err(|e| e.to_string())
            .and_then(|v| {
                v.is_object()
                    .then(|| decide(event, &v, 7))
                    .ok_or_else(|| "not an object".to_owned())
            });
        assert_eq!(from_text.is_ok(), from_value.is_ok(), "{json}");
        let decision = from_text.unwrap_or_else(Decision::Ignore);
        if let Ok(expected) = from_value {
            assert_eq!(decision, expected, "{json}");
        }
        decision
    }

    #[test]
    fn parsing_only_the_fields_read_decides_as_the_whole_payload() {
        for name in [
            "pull_request.opened",
            "pull_request.synchronize",
            "pull_request.reopened",
            "pull_request.closed",
            "pull_request.ready_for_review.with-installation",
            "check_suite.requested",
            "check_suite.rerequested",
            "check_run.rerequested",
            "check_run.requested_action",
            "installation.created",
            "ping",
        ] {
            let text = serde_json::to_string(&payload(name)).unwrap();
            let event = name.split('.').next().unwrap();
            decide_both_ways(event, &text);
            // As our App's, so that the check-run paths run to the end.
            let mut ours = payload(name);
            if let Some(run) = ours.get_mut("check_run") {
                run["app"]["id"] = json!(7);
            }
            decide_both_ways(event, &serde_json::to_string(&ours).unwrap());
        }
        let head = r#""head": {"sha": "abc"}"#;
        let base = r#""installation": {"id": 3}, "repository": {"id": 9, "name": "r", "owner": {"login": "o"}}"#;
        let review = decide_both_ways(
            "pull_request",
            &format!(r#"{{"action": "opened", "pull_request": {{"number": 5, {head}}}, {base}}}"#),
        );
        assert!(matches!(review, Decision::Review(ref r) if r.pr_number == Some(5)));
        // Escaped strings are read, not just borrowed.
        let escaped = decide_both_ways(
            "pull_request",
            &format!(
                r#"{{"action": "op\u0065ned", "pull_request": {{"number": 5, {head}}},
                    "installation": {{"id": 3}},
                    "repository": {{"name": "r\"x", "owner": {{"login": "\u00e9"}}}}}}"#
            ),
        );
        assert!(matches!(escaped, Decision::Review(ref r) if r.repo == "r\"x" && r.owner == "é"));
        // A field of another type counts as absent, as `Value` indexing has it.
        for odd in [
            r#"{"action": "opened", "pull_request": {"number": "5", "head": {"sha": "abc"}}}"#,
            r#"{"action": "opened", "pull_request": {"number": -5, "head": {"sha": "abc"}}}"#,
            r#"{"action": "opened", "pull_request": {"number": 5.0, "head": {"sha": "abc"}}}"#,
            r#"{"action": "opened", "pull_request": {"number": 5, "head": ["abc"]}}"#,
            r#"{"action": "opened", "pull_request": [1, {"a": 2}], "installation": 3}"#,
            r#"{"action": "opened", "pull_request": {"number": 5, "draft": "yes", "head": {"sha": "abc"}}, "installation": {"id": 3}, "repository": {"name": "r", "owner": {"login": null}}}"#,
            r#"{"action": 1, "pull_request": null}"#,
            r#"{"action": "requested", "check_suite": {"head_sha": "abc", "pull_requests": [1, null, {"number": 4, "base": 1}]}, "installation": {"id": 3}, "repository": {"name": "r", "owner": {"login": "o"}}}"#,
            r#"{"action": "requested", "check_suite": {"head_sha": "abc", "pull_requests": {"number": 4}}, "installation": {"id": 3}, "repository": {"name": "r", "owner": {"login": "o"}}}"#,
        ] {
            decide_both_ways("pull_request", odd);
            decide_both_ways("check_suite", odd);
        }
        // A repeated key: the last one wins, as in `Value`.
        let repeated = decide_both_ways(
            "pull_request",
            &format!(
                r#"{{"action": "closed", "action": "opened",
                    "pull_request": {{"number": 5, {head}}}, {base}}}"#
            ),
        );
        assert!(matches!(repeated, Decision::Review(_)));
        // Only an object is a payload, and it must be JSON throughout.
        for bad in [
            "[]",
            "[1, 2]",
            "\"opened\"",
            "3",
            "null",
            "{",
            r#"{"a": [1,}"#,
            "{} {}",
        ] {
            assert!(Delivery::from_json(bad.as_bytes()).is_err(), "{bad}");
        }
        let mut invalid_utf8 = br#"{"action": "opened", "x": ""#.to_vec();
        invalid_utf8.extend_from_slice(&[0xff, b'"', b'}']);
        assert!(Delivery::from_json(&invalid_utf8).is_err());
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
