//! The Checks API (§3 of the reference): create, update (annotations are
//! appended), read, list per ref and list annotations, with GitHub's limits.
//!
//! The OpenAPI schema already rejects most over-long fields (summary/text
//! 65535, 50 annotations, 3 actions, action label/description/identifier); the
//! rules GitHub states only in prose are enforced here and also recorded as
//! schema violations, so a test sees them even if the app swallows the 422.

use serde_json::{Map, Value, json};

use crate::server::{Ctx, Reply};
use crate::util::{self, node_id};
use crate::{CheckRun, Repo, State};

/// "The maximum size is 64 KB" (annotation `message` and `raw_details`).
const MAX_ANNOTATION_BYTES: usize = 64 * 1024;
/// "The maximum size is 255 characters" (annotation `title`).
const MAX_ANNOTATION_TITLE: usize = 255;

/// Current JSON of a run, with computed fields filled in.
pub(crate) fn render(st: &State, repo: &Repo, run: &CheckRun) -> Value {
    let mut v = run.json.clone();
    let head_sha = v["head_sha"].as_str().unwrap_or_default().to_string();
    v["output"]["annotations_count"] = json!(run.annotations.len());
    let repo_min = json!({
        "id": repo.id,
        "url": format!("{}/repos/{}", st.base_url, repo.full_name()),
        "name": repo.name
    });
    // As on GitHub: the PRs of this repository whose head is the run's commit.
    let prs: Vec<Value> = repo
        .pulls
        .values()
        .filter(|p| p.pr.head_sha == head_sha)
        .map(|p| {
            json!({
                "url": format!("{}/repos/{}/pulls/{}", st.base_url, repo.full_name(), p.pr.number),
                "id": p.id,
                "number": p.pr.number,
                "head": {"ref": p.pr.head_ref, "sha": p.pr.head_sha, "repo": repo_min},
                "base": {"ref": p.pr.base_ref, "sha": p.pr.base_sha, "repo": repo_min}
            })
        })
        .collect();
    v["pull_requests"] = Value::Array(prs);
    v
}

/// Checks the rules GitHub states in prose. Returns the 422 detail if any is broken.
fn prose_limits(
    body: &Value,
    is_create: bool,
    violations: &mut Vec<String>,
    what: &str,
) -> Result<(), String> {
    let mut problems: Vec<String> = Vec::new();
    if let Some(status) = body.get("status").and_then(Value::as_str)
        && matches!(status, "waiting" | "requested" | "pending")
    {
        problems.push(
            "Only GitHub Actions can set a status of waiting, pending, or requested.".to_string(),
        );
    }
    if body.get("conclusion").and_then(Value::as_str) == Some("stale") {
        problems.push(
            "You cannot change a check run conclusion to stale, only GitHub can set this."
                .to_string(),
        );
    }
    let has_conclusion = body.get("conclusion").is_some_and(|c| !c.is_null());
    if !has_conclusion
        && (body.get("status").and_then(Value::as_str) == Some("completed")
            || body.get("completed_at").is_some_and(|c| !c.is_null()))
    {
        problems.push(
            "No subschema in \"anyOf\" matched.\n\"conclusion\" wasn't supplied.".to_string(),
        );
    }
    if let Some(output) = body.get("output").filter(|o| o.is_object()) {
        // The update schema requires only `summary`; the docs require `title` too.
        if !is_create && output.get("title").is_none_or(Value::is_null) {
            problems.push("\"title\" wasn't supplied.".to_string());
        }
        for (i, a) in output
            .get("annotations")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            if let Some(t) = a.get("title").and_then(Value::as_str)
                && t.chars().count() > MAX_ANNOTATION_TITLE
            {
                problems.push(format!(
                    "annotations[{i}].title: Only {MAX_ANNOTATION_TITLE} characters are allowed; {} were supplied.",
                    t.chars().count()
                ));
            }
            for field in ["message", "raw_details"] {
                if let Some(t) = a.get(field).and_then(Value::as_str)
                    && t.len() > MAX_ANNOTATION_BYTES
                {
                    problems.push(format!(
                        "annotations[{i}].{field}: the maximum size is 64 KB; {} bytes were supplied.",
                        t.len()
                    ));
                }
            }
            let start = a.get("start_line").and_then(Value::as_u64);
            let end = a.get("end_line").and_then(Value::as_u64);
            if let (Some(s), Some(e)) = (start, end) {
                if e < s {
                    problems.push(format!(
                        "annotations[{i}]: end_line {e} precedes start_line {s}."
                    ));
                }
                if s != e && (a.get("start_column").is_some() || a.get("end_column").is_some()) {
                    // GitHub accepts this but ignores the columns; only record it.
                    violations.push(format!(
                        "{what}: annotations[{i}] has columns on a multi-line range ({s}-{e}); GitHub ignores them"
                    ));
                }
            }
        }
    }
    for p in &problems {
        violations.push(format!("{what}: {}", p.replace('\n', " ")));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

/// An annotation as the list endpoint returns it.
fn normalize_annotation(a: &Value, blob_href: String) -> Value {
    let get = |k: &str| a.get(k).cloned().unwrap_or(Value::Null);
    json!({
        "path": get("path"),
        "start_line": get("start_line"),
        "end_line": get("end_line"),
        "start_column": get("start_column"),
        "end_column": get("end_column"),
        "annotation_level": get("annotation_level"),
        "title": get("title"),
        "message": get("message"),
        "raw_details": get("raw_details"),
        "blob_href": blob_href
    })
}

impl State {
    pub(crate) fn create_check_run(&mut self, ctx: &Ctx, o: &str, r: &str) -> Reply {
        let body = ctx.body().clone();
        let what = format!("POST {}", ctx.path);
        if let Err(detail) = prose_limits(&body, true, &mut self.violations, &what) {
            return Reply::invalid_request(&detail);
        }
        let id = self.next_id();
        let suite_id = self.next_id();
        let app = self.app_json(ctx.app_id);
        let base = self.base_url.clone();
        let Some(repo) = self.repo_mut(o, r) else {
            return Reply::not_found();
        };
        let full = repo.full_name();
        let head_sha = body["head_sha"].as_str().unwrap_or_default().to_string();
        if !repo.knows_commit(&head_sha) {
            // A branch name or a truncated SHA is a common client bug.
            return Reply::invalid_request(&format!("No commit found for SHA: {head_sha}"));
        }
        let suite_id = *repo.suites.entry(head_sha.clone()).or_insert(suite_id);
        let now = util::now_iso();
        let conclusion = body.get("conclusion").cloned().unwrap_or(Value::Null);
        let status = if conclusion.is_null() {
            body.get("status").cloned().unwrap_or(json!("queued"))
        } else {
            json!("completed")
        };
        let completed_at = if status == "completed" {
            body.get("completed_at").cloned().unwrap_or(json!(now))
        } else {
            Value::Null
        };
        let output = body.get("output").cloned().unwrap_or(Value::Null);
        let mut run_json = json!({
            "id": id,
            "node_id": node_id("CR", id),
            "head_sha": head_sha,
            "external_id": body.get("external_id").cloned().unwrap_or(json!("")),
            "url": format!("{base}/repos/{full}/check-runs/{id}"),
            "html_url": format!("https://github.com/{full}/runs/{id}"),
            "details_url": body.get("details_url").cloned().unwrap_or(json!(format!("https://github.com/{full}/runs/{id}"))),
            "status": status,
            "conclusion": conclusion,
            "started_at": body.get("started_at").cloned().unwrap_or(json!(now)),
            "completed_at": completed_at,
            "output": {
                "title": output.get("title").cloned().unwrap_or(Value::Null),
                "summary": output.get("summary").cloned().unwrap_or(Value::Null),
                "text": output.get("text").cloned().unwrap_or(Value::Null),
                "annotations_count": 0,
                "annotations_url": format!("{base}/repos/{full}/check-runs/{id}/annotations")
            },
            "name": body["name"],
            "check_suite": {"id": suite_id},
            "app": app,
            "pull_requests": []
        });
        if let Some(actions) = body.get("actions") {
            // GitHub does not echo actions; kept for `FakeGitHub::check_runs`.
            run_json["actions"] = actions.clone();
        }
        let annotations = Self::annotations_of(&body, &base, &full, &head_sha);
        repo.check_runs.push(CheckRun {
            id,
            json: run_json,
            annotations,
        });
        let Some(repo) = self.repo(o, r) else {
            return Reply::not_found();
        };
        let run = repo.check_runs.last().expect("just pushed");
        let mut v = render(self, repo, run);
        if let Some(m) = v.as_object_mut() {
            m.remove("actions");
        }
        Reply::json(201, v)
    }

    fn annotations_of(body: &Value, base: &str, full: &str, head_sha: &str) -> Vec<Value> {
        body.pointer("/output/annotations")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .map(|a| {
                        let path = a.get("path").and_then(Value::as_str).unwrap_or_default();
                        let href = format!(
                            "{base}/repos/{full}/blob/{head_sha}/{}",
                            util::encode_path(path)
                        );
                        normalize_annotation(a, href)
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    pub(crate) fn update_check_run(&mut self, ctx: &Ctx, o: &str, r: &str, id: &str) -> Reply {
        let body = ctx.body().clone();
        let what = format!("PATCH {}", ctx.path);
        if let Err(detail) = prose_limits(&body, false, &mut self.violations, &what) {
            return Reply::invalid_request(&detail);
        }
        let base = self.base_url.clone();
        let Ok(id) = id.parse::<u64>() else {
            return Reply::not_found();
        };
        let Some(repo) = self.repo_mut(o, r) else {
            return Reply::not_found();
        };
        let full = repo.full_name();
        let Some(run) = repo.check_runs.iter_mut().find(|c| c.id == id) else {
            return Reply::not_found();
        };
        let head_sha = run.json["head_sha"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let now = util::now_iso();
        let j = &mut run.json;
        for key in ["name", "details_url", "external_id", "started_at"] {
            if let Some(v) = body.get(key) {
                j[key] = v.clone();
            }
        }
        if let Some(status) = body.get("status") {
            j["status"] = status.clone();
            if status != "completed" {
                j["conclusion"] = Value::Null;
                j["completed_at"] = Value::Null;
            }
        }
        if let Some(conclusion) = body.get("conclusion").filter(|c| !c.is_null()) {
            // "Providing conclusion will automatically set the status to completed."
            j["conclusion"] = conclusion.clone();
            j["status"] = json!("completed");
            j["completed_at"] = body.get("completed_at").cloned().unwrap_or(json!(now));
        }
        if let Some(output) = body.get("output").and_then(Value::as_object) {
            let out = j["output"]
                .as_object_mut()
                .map(std::mem::take)
                .unwrap_or_else(Map::new);
            let mut out = Value::Object(out);
            for key in ["title", "summary", "text"] {
                if let Some(v) = output.get(key) {
                    out[key] = v.clone();
                }
            }
            j["output"] = out;
        }
        if let Some(actions) = body.get("actions") {
            j["actions"] = actions.clone();
        }
        // Annotations are appended to those already on the run (§3.3).
        let mut added = Self::annotations_of(&body, &base, &full, &head_sha);
        run.annotations.append(&mut added);
        let Some(repo) = self.repo(o, r) else {
            return Reply::not_found();
        };
        let Some(run) = repo.check_runs.iter().find(|c| c.id == id) else {
            return Reply::not_found();
        };
        let mut v = render(self, repo, run);
        if let Some(m) = v.as_object_mut() {
            m.remove("actions");
        }
        Reply::json(200, v)
    }

    pub(crate) fn get_check_run(&self, o: &str, r: &str, id: &str) -> Reply {
        let Some(repo) = self.repo(o, r) else {
            return Reply::not_found();
        };
        let run = id
            .parse::<u64>()
            .ok()
            .and_then(|id| repo.check_runs.iter().find(|c| c.id == id));
        match run {
            Some(run) => {
                let mut v = render(self, repo, run);
                if let Some(m) = v.as_object_mut() {
                    m.remove("actions");
                }
                Reply::json(200, v)
            }
            None => Reply::not_found(),
        }
    }

    pub(crate) fn list_annotations(&self, ctx: &Ctx, o: &str, r: &str, id: &str) -> Reply {
        let Some(repo) = self.repo(o, r) else {
            return Reply::not_found();
        };
        let run = id
            .parse::<u64>()
            .ok()
            .and_then(|id| repo.check_runs.iter().find(|c| c.id == id));
        match run {
            Some(run) => self.paginated(ctx, run.annotations.clone()),
            None => Reply::not_found(),
        }
    }

    /// `GET /commits/{ref}/check-runs` with `check_name`, `status`, `filter`
    /// (`latest`, the default, keeps the newest run of each name) and paging.
    pub(crate) fn list_check_runs_for_ref(
        &self,
        ctx: &Ctx,
        o: &str,
        r: &str,
        git_ref: &str,
    ) -> Reply {
        let Some(repo) = self.repo(o, r) else {
            return Reply::not_found();
        };
        let git_ref = git_ref.strip_prefix("refs/heads/").unwrap_or(git_ref);
        let sha = repo
            .pulls
            .values()
            .find(|p| p.pr.head_ref == git_ref)
            .map_or(git_ref.to_string(), |p| p.pr.head_sha.clone());
        let name = ctx.q("check_name");
        let status = ctx.q("status");
        let mut runs: Vec<&CheckRun> = repo
            .check_runs
            .iter()
            .filter(|c| c.json["head_sha"] == sha.as_str())
            .filter(|c| name.is_none_or(|n| c.json["name"] == n))
            .filter(|c| status.is_none_or(|s| c.json["status"] == s))
            .collect();
        if ctx.q("filter") != Some("all") {
            let mut seen = std::collections::HashSet::new();
            runs.reverse();
            runs.retain(|c| seen.insert(c.json["name"].to_string()));
            runs.reverse();
        }
        // Newest first, as GitHub lists them.
        runs.reverse();
        let total = runs.len();
        let p = util::paging(&ctx.query);
        let (range, link) = util::page_window(&self.base_url, ctx.path, &ctx.query, total, &p);
        let items: Vec<Value> = runs[range]
            .iter()
            .map(|c| {
                let mut v = render(self, repo, c);
                if let Some(m) = v.as_object_mut() {
                    m.remove("actions");
                }
                v
            })
            .collect();
        let reply = Reply::json(200, json!({"total_count": total, "check_runs": items}));
        match link {
            Some(l) => reply.header("link", &l),
            None => reply,
        }
    }
}
