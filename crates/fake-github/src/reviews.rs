//! Pull request reviews and review comments (§4 of the reference).
//!
//! Creating a review is all-or-nothing, as on GitHub: every comment's anchor is
//! checked against the hunks of the file's patch at `commit_id`, and the first
//! bad one fails the whole request with GitHub's 422 and stores nothing.

use serde_json::{Value, json};

use crate::files::{FakeFile, Side, diff_hunk, find_anchor, find_position, parse_patch};
use crate::render::bot;
use crate::server::{Ctx, Reply};
use crate::util::{self, node_id};
use crate::{State, StoredComment};

const REVIEW_DOCS: &str =
    "https://docs.github.com/rest/pulls/reviews#create-a-review-for-a-pull-request";
const COMMENT_DOCS: &str =
    "https://docs.github.com/rest/pulls/comments#create-a-review-comment-for-a-pull-request";

pub(crate) const PATH_INVALID: &str = "Pull request review thread path is invalid";
pub(crate) const LINE_INVALID: &str = "Pull request review thread line must be part of the diff and Pull request review thread diff hunk can't be blank";
pub(crate) const START_PRECEDE: &str =
    "Pull request review thread start line must precede the end line.";
pub(crate) const START_SAME_HUNK: &str =
    "Pull request review thread start line must be part of the same hunk as the line.";

/// A comment anchor that passed GitHub's checks.
pub(crate) struct Anchored {
    pub path: String,
    pub line: Option<u64>,
    pub side: Option<Side>,
    pub start_line: Option<u64>,
    pub start_side: Option<Side>,
    pub position: Option<u64>,
    pub diff_hunk: String,
    pub subject_type: &'static str,
}

/// Checks one comment's anchor against the PR's files at the review's commit.
pub(crate) fn anchor(
    files: &[FakeFile],
    c: &Value,
    allow_file_subject: bool,
) -> Result<Anchored, &'static str> {
    let path = c.get("path").and_then(Value::as_str).unwrap_or_default();
    let file = files
        .iter()
        .find(|f| f.filename == path)
        .ok_or(PATH_INVALID)?;
    if allow_file_subject && c.get("subject_type").and_then(Value::as_str) == Some("file") {
        return Ok(Anchored {
            path: path.to_string(),
            line: None,
            side: None,
            start_line: None,
            start_side: None,
            position: None,
            diff_hunk: String::new(),
            subject_type: "file",
        });
    }
    let patch = file.patch.clone().unwrap_or_default();
    let hunks = parse_patch(&patch);
    let side = match c.get("side").and_then(Value::as_str) {
        None => Side::Right,
        Some(s) => Side::parse(s).ok_or(LINE_INVALID)?,
    };
    let (end, side, line) = if let Some(line) = c.get("line").and_then(Value::as_u64) {
        (
            find_anchor(&hunks, line, side).ok_or(LINE_INVALID)?,
            side,
            line,
        )
    } else if let Some(pos) = c.get("position").and_then(Value::as_u64) {
        // Legacy diff-relative position: derive the line and side it names.
        let a = find_position(&hunks, pos).ok_or(LINE_INVALID)?;
        let (side, line) = match a.line.kind {
            '-' => (Side::Left, a.line.old_no.unwrap_or(0)),
            _ => (Side::Right, a.line.new_no.unwrap_or(0)),
        };
        (a, side, line)
    } else {
        return Err(LINE_INVALID);
    };
    let mut start_line = None;
    let mut start_side = None;
    if let Some(sl) = c.get("start_line").and_then(Value::as_u64) {
        let ss = match c.get("start_side").and_then(Value::as_str) {
            None => side,
            Some(s) => Side::parse(s).ok_or(START_SAME_HUNK)?,
        };
        let start = find_anchor(&hunks, sl, ss);
        let precedes = if ss == side {
            sl < line
        } else {
            start
                .as_ref()
                .is_none_or(|s| s.line.position < end.line.position)
        };
        if !precedes {
            return Err(START_PRECEDE);
        }
        match start {
            Some(s) if s.hunk == end.hunk => {}
            _ => return Err(START_SAME_HUNK),
        }
        start_line = Some(sl);
        start_side = Some(ss);
    }
    let hunk = &hunks[end.hunk];
    Ok(Anchored {
        path: path.to_string(),
        line: Some(line),
        side: Some(side),
        start_line,
        start_side,
        position: Some(end.line.position),
        diff_hunk: diff_hunk(&patch, hunk, end.line.index),
        subject_type: "line",
    })
}

struct CommentCtx<'a> {
    base: &'a str,
    full: &'a str,
    number: u64,
    slug: &'a str,
    commit_id: &'a str,
}

fn comment_json(
    cx: &CommentCtx,
    id: u64,
    review_id: u64,
    a: &Anchored,
    body: &str,
    in_reply_to: Option<u64>,
) -> Value {
    let now = util::now_iso();
    let url = format!("{}/repos/{}/pulls/comments/{id}", cx.base, cx.full);
    let html = format!(
        "https://github.com/{}/pull/{}#discussion_r{id}",
        cx.full, cx.number
    );
    let pr_url = format!("{}/repos/{}/pulls/{}", cx.base, cx.full, cx.number);
    let mut v = json!({
        "url": url,
        "pull_request_review_id": review_id,
        "id": id,
        "node_id": node_id("PRRC", id),
        "diff_hunk": a.diff_hunk,
        "path": a.path,
        "position": a.position,
        "original_position": a.position,
        "commit_id": cx.commit_id,
        "original_commit_id": cx.commit_id,
        "user": bot(cx.base, cx.slug),
        "body": body,
        "created_at": now,
        "updated_at": now,
        "html_url": html,
        "pull_request_url": pr_url,
        "author_association": "NONE",
        "_links": {
            "self": {"href": url},
            "html": {"href": html},
            "pull_request": {"href": pr_url}
        },
        "start_line": a.start_line,
        "original_start_line": a.start_line,
        "start_side": a.start_side.map(Side::as_str),
        "line": a.line,
        "original_line": a.line,
        "side": a.side.map(Side::as_str),
        "subject_type": a.subject_type
    });
    if let Some(parent) = in_reply_to {
        v["in_reply_to_id"] = json!(parent);
    }
    v
}

/// Whether an object's numeric `id` is the one named in the URL.
fn has_id(v: &Value, id: &str) -> bool {
    v["id"].as_u64().is_some_and(|n| id.parse() == Ok(n))
}

fn review_state(event: Option<&str>) -> &'static str {
    match event {
        Some("APPROVE") => "APPROVED",
        Some("REQUEST_CHANGES") => "CHANGES_REQUESTED",
        Some("COMMENT") => "COMMENTED",
        _ => "PENDING",
    }
}

impl State {
    pub(crate) fn create_review(&mut self, ctx: &Ctx, o: &str, r: &str, n: &str) -> Reply {
        let body = ctx.body().clone();
        let (full, number, files, commit_id) = {
            let (repo, pull) = match self.find_pull(o, r, n) {
                Ok(x) => x,
                Err(e) => return e,
            };
            let commit_id = body
                .get("commit_id")
                .and_then(Value::as_str)
                .unwrap_or(&pull.pr.head_sha)
                .to_string();
            if !pull.has_commit(&commit_id) {
                return Reply::unprocessable(
                    &[&format!("No commit found for SHA: {commit_id}")],
                    REVIEW_DOCS,
                );
            }
            let files = pull.files_at(&commit_id).unwrap_or(&pull.pr.files).to_vec();
            (repo.full_name(), pull.pr.number, files, commit_id)
        };
        let event = body.get("event").and_then(Value::as_str);
        let text = body.get("body").and_then(Value::as_str).unwrap_or_default();
        if matches!(event, Some("COMMENT" | "REQUEST_CHANGES")) && text.trim().is_empty() {
            return Reply::unprocessable(
                &["Body is required when using REQUEST_CHANGES or COMMENT"],
                REVIEW_DOCS,
            );
        }
        // All or nothing: check every anchor before storing anything.
        let mut anchored = Vec::new();
        for c in body
            .get("comments")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            match anchor(&files, c, false) {
                Ok(a) => anchored.push((
                    a,
                    c.get("body")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                )),
                Err(msg) => return Reply::unprocessable(&[msg], REVIEW_DOCS),
            }
        }
        let state = review_state(event);
        if state == "PENDING" {
            self.pending_reviews += 1;
        }
        let review_id = self.next_id();
        let ids: Vec<u64> = anchored.iter().map(|_| self.next_id()).collect();
        let slug = self.app_slug(ctx);
        let base = self.base_url.clone();
        let cx = CommentCtx {
            base: &base,
            full: &full,
            number,
            slug: &slug,
            commit_id: &commit_id,
        };
        let html = format!("https://github.com/{full}/pull/{number}#pullrequestreview-{review_id}");
        let pr_url = format!("{base}/repos/{full}/pulls/{number}");
        let review = json!({
            "id": review_id,
            "node_id": node_id("PRR", review_id),
            "user": bot(&base, &slug),
            "body": text,
            "state": state,
            "html_url": html,
            "pull_request_url": pr_url,
            "_links": {"html": {"href": html}, "pull_request": {"href": pr_url}},
            "submitted_at": if state == "PENDING" { Value::Null } else { json!(util::now_iso()) },
            "commit_id": commit_id,
            "author_association": "NONE"
        });
        let comments: Vec<StoredComment> = anchored
            .iter()
            .zip(&ids)
            .map(|((a, text), id)| StoredComment {
                json: comment_json(&cx, *id, review_id, a, text, None),
                resolved: false,
                minimized: None,
            })
            .collect();
        let pull = match self.find_pull_mut(o, r, n) {
            Ok(p) => p,
            Err(e) => return e,
        };
        pull.reviews.push(review.clone());
        pull.comments.extend(comments);
        Reply::json(200, review)
    }

    pub(crate) fn list_reviews(&self, ctx: &Ctx, o: &str, r: &str, n: &str) -> Reply {
        match self.find_pull(o, r, n) {
            Ok((_, pull)) => self.paginated(ctx, pull.reviews.clone()),
            Err(e) => e,
        }
    }

    pub(crate) fn get_review(&self, o: &str, r: &str, n: &str, id: &str) -> Reply {
        let pull = match self.find_pull(o, r, n) {
            Ok((_, p)) => p,
            Err(e) => return e,
        };
        match pull.reviews.iter().find(|v| has_id(v, id)) {
            Some(v) => Reply::json(200, v.clone()),
            None => Reply::not_found(),
        }
    }

    /// `POST /reviews/{id}/events`: submits a pending review.
    pub(crate) fn submit_review(
        &mut self,
        ctx: &Ctx,
        o: &str,
        r: &str,
        n: &str,
        id: &str,
    ) -> Reply {
        let event = ctx
            .body()
            .get("event")
            .and_then(Value::as_str)
            .map(str::to_string);
        let text = ctx
            .body()
            .get("body")
            .and_then(Value::as_str)
            .map(str::to_string);
        let pull = match self.find_pull_mut(o, r, n) {
            Ok(p) => p,
            Err(e) => return e,
        };
        let Some(review) = pull.reviews.iter_mut().find(|v| has_id(v, id)) else {
            return Reply::not_found();
        };
        if review["state"] != "PENDING" {
            return Reply::unprocessable(
                &["Can not submit a review that is not pending"],
                REVIEW_DOCS,
            );
        }
        let state = review_state(event.as_deref());
        if state == "PENDING" {
            return Reply::unprocessable(&["Unrecognizable entity"], REVIEW_DOCS);
        }
        review["state"] = json!(state);
        review["submitted_at"] = json!(util::now_iso());
        if let Some(t) = text {
            review["body"] = json!(t);
        }
        Reply::json(200, review.clone())
    }

    pub(crate) fn list_review_comments(&self, ctx: &Ctx, o: &str, r: &str, n: &str) -> Reply {
        match self.find_pull(o, r, n) {
            Ok((_, pull)) => {
                self.paginated(ctx, pull.comments.iter().map(|c| c.json.clone()).collect())
            }
            Err(e) => e,
        }
    }

    /// `POST /pulls/{n}/comments`: one comment (its own review), `subject_type:
    /// file` allowed, or a reply when `in_reply_to` is set.
    pub(crate) fn create_single_comment(&mut self, ctx: &Ctx, o: &str, r: &str, n: &str) -> Reply {
        let body = ctx.body().clone();
        if let Some(parent) = body.get("in_reply_to").and_then(Value::as_u64) {
            return self.reply_to_comment(ctx, o, r, n, &parent.to_string());
        }
        let (full, number, files, commit_id) = {
            let (repo, pull) = match self.find_pull(o, r, n) {
                Ok(x) => x,
                Err(e) => return e,
            };
            let commit_id = body
                .get("commit_id")
                .and_then(Value::as_str)
                .unwrap_or(&pull.pr.head_sha)
                .to_string();
            if !pull.has_commit(&commit_id) {
                return Reply::unprocessable(
                    &[&format!("No commit found for SHA: {commit_id}")],
                    COMMENT_DOCS,
                );
            }
            let files = pull.files_at(&commit_id).unwrap_or(&pull.pr.files).to_vec();
            (repo.full_name(), pull.pr.number, files, commit_id)
        };
        let a = match anchor(&files, &body, true) {
            Ok(a) => a,
            Err(msg) => return Reply::unprocessable(&[msg], COMMENT_DOCS),
        };
        let review_id = self.next_id();
        let id = self.next_id();
        let slug = self.app_slug(ctx);
        let base = self.base_url.clone();
        let cx = CommentCtx {
            base: &base,
            full: &full,
            number,
            slug: &slug,
            commit_id: &commit_id,
        };
        let text = body.get("body").and_then(Value::as_str).unwrap_or_default();
        let comment = comment_json(&cx, id, review_id, &a, text, None);
        let html = format!("https://github.com/{full}/pull/{number}#pullrequestreview-{review_id}");
        let pr_url = format!("{base}/repos/{full}/pulls/{number}");
        let review = json!({
            "id": review_id,
            "node_id": node_id("PRR", review_id),
            "user": bot(&base, &slug),
            "body": "",
            "state": "COMMENTED",
            "html_url": html,
            "pull_request_url": pr_url,
            "_links": {"html": {"href": html}, "pull_request": {"href": pr_url}},
            "submitted_at": util::now_iso(),
            "commit_id": commit_id,
            "author_association": "NONE"
        });
        let pull = match self.find_pull_mut(o, r, n) {
            Ok(p) => p,
            Err(e) => return e,
        };
        pull.reviews.push(review);
        pull.comments.push(StoredComment {
            json: comment.clone(),
            resolved: false,
            minimized: None,
        });
        Reply::json(201, comment)
    }

    /// `POST /pulls/{n}/comments/{id}/replies`. A reply to a reply joins the
    /// thread of the top-level comment, as on GitHub.
    pub(crate) fn reply_to_comment(
        &mut self,
        ctx: &Ctx,
        o: &str,
        r: &str,
        n: &str,
        id: &str,
    ) -> Reply {
        let text = ctx
            .body()
            .get("body")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let review_id = self.next_id();
        let new_id = self.next_id();
        let slug = self.app_slug(ctx);
        let base = self.base_url.clone();
        let (full, number, root) = {
            let (repo, pull) = match self.find_pull(o, r, n) {
                Ok(x) => x,
                Err(e) => return e,
            };
            let Some(parent) = pull.comments.iter().find(|c| has_id(&c.json, id)) else {
                return Reply::not_found();
            };
            let root_id = parent.json["in_reply_to_id"]
                .as_u64()
                .unwrap_or_else(|| parent.json["id"].as_u64().unwrap_or(0));
            let root = pull
                .comments
                .iter()
                .find(|c| c.json["id"].as_u64() == Some(root_id))
                .map_or_else(|| parent.json.clone(), |c| c.json.clone());
            (repo.full_name(), pull.pr.number, root)
        };
        let mut v = root.clone();
        let now = util::now_iso();
        let url = format!("{base}/repos/{full}/pulls/comments/{new_id}");
        let html = format!("https://github.com/{full}/pull/{number}#discussion_r{new_id}");
        v["id"] = json!(new_id);
        v["node_id"] = json!(node_id("PRRC", new_id));
        v["url"] = json!(url);
        v["html_url"] = json!(html);
        v["_links"]["self"]["href"] = json!(url);
        v["_links"]["html"]["href"] = json!(html);
        v["pull_request_review_id"] = json!(review_id);
        v["in_reply_to_id"] = root["id"].clone();
        v["body"] = json!(text);
        v["user"] = bot(&base, &slug);
        v["created_at"] = json!(now);
        v["updated_at"] = json!(now);
        let pull = match self.find_pull_mut(o, r, n) {
            Ok(p) => p,
            Err(e) => return e,
        };
        pull.comments.push(StoredComment {
            json: v.clone(),
            resolved: false,
            minimized: None,
        });
        Reply::json(201, v)
    }
}
