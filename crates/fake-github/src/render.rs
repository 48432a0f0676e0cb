//! JSON shapes of GitHub objects (users, repositories, pull requests, files).
//!
//! They carry every field octocrab's models require (e.g. `Author` needs the
//! full set of user URLs), so octocrab can deserialize them as it would
//! GitHub's; API URLs point back at the fake, web URLs at github.com.

use serde_json::{Value, json};

use crate::files::FakeFile;
use crate::util::{encode_path, node_id, sha1_hex};
use crate::{Pull, Repo};

/// A stable numeric id for a login, so the same user always has the same id.
pub(crate) fn user_id(login: &str) -> u64 {
    u64::from_str_radix(&sha1_hex(login.as_bytes())[..7], 16).unwrap_or(1)
}

/// A user object (`simple-user`). `kind` is `User`, `Bot` or `Organization`.
pub(crate) fn user(base: &str, login: &str, kind: &str) -> Value {
    let id = user_id(login);
    let api = format!("{base}/users/{login}");
    json!({
        "login": login,
        "id": id,
        "node_id": node_id(if kind == "Bot" { "BOT" } else { "U" }, id),
        "avatar_url": format!("https://avatars.githubusercontent.com/u/{id}?v=4"),
        "gravatar_id": "",
        "url": api,
        "html_url": format!("https://github.com/{}", login.trim_end_matches("[bot]")),
        "followers_url": format!("{api}/followers"),
        "following_url": format!("{api}/following{{/other_user}}"),
        "gists_url": format!("{api}/gists{{/gist_id}}"),
        "starred_url": format!("{api}/starred{{/owner}}{{/repo}}"),
        "subscriptions_url": format!("{api}/subscriptions"),
        "organizations_url": format!("{api}/orgs"),
        "repos_url": format!("{api}/repos"),
        "events_url": format!("{api}/events{{/privacy}}"),
        "received_events_url": format!("{api}/received_events"),
        "type": kind,
        "site_admin": false,
        "user_view_type": "public"
    })
}

/// The bot user an App acts as.
pub(crate) fn bot(base: &str, slug: &str) -> Value {
    user(base, &format!("{slug}[bot]"), "Bot")
}

pub(crate) fn repo_json(base: &str, repo: &Repo) -> Value {
    let full = repo.full_name();
    let api = format!("{base}/repos/{full}");
    json!({
        "id": repo.id,
        "node_id": node_id("R", repo.id),
        "name": repo.name,
        "full_name": full,
        "private": false,
        "owner": user(base, &repo.owner, "User"),
        "html_url": format!("https://github.com/{full}"),
        "description": null,
        "fork": false,
        "url": api,
        "pulls_url": format!("{api}/pulls{{/number}}"),
        "contents_url": format!("{api}/contents/{{+path}}"),
        "git_url": format!("git://github.com/{full}.git"),
        "clone_url": format!("https://github.com/{full}.git"),
        "default_branch": repo.default_branch,
        "visibility": "public",
        "archived": false,
        "disabled": false,
        "created_at": "2024-01-01T00:00:00Z",
        "updated_at": "2024-01-01T00:00:00Z",
        "pushed_at": "2024-01-01T00:00:00Z"
    })
}

pub(crate) fn label_json(base: &str, repo: &Repo, name: &str) -> Value {
    let id = user_id(&format!("label:{name}"));
    json!({
        "id": id,
        "node_id": node_id("LA", id),
        "url": format!("{base}/repos/{}/labels/{}", repo.full_name(), crate::util::encode_component(name)),
        "name": name,
        "description": null,
        "color": "ededed",
        "default": false
    })
}

pub(crate) fn pull_json(base: &str, repo: &Repo, pull: &Pull) -> Value {
    let pr = &pull.pr;
    let full = repo.full_name();
    let api = format!("{base}/repos/{full}/pulls/{}", pr.number);
    let html = format!("https://github.com/{full}/pull/{}", pr.number);
    let repo_v = repo_json(base, repo);
    let owner = user(base, &repo.owner, "User");
    let (additions, deletions) = pr
        .files
        .iter()
        .map(FakeFile::line_counts)
        .fold((0, 0), |(a, d), (x, y)| (a + x, d + y));
    let author_kind = match &pr.author_type {
        Some(kind) => kind.as_str(),
        None if pr.author.ends_with("[bot]") => "Bot",
        None => "User",
    };
    let links = json!({
        "self": {"href": api},
        "html": {"href": html},
        "issue": {"href": format!("{base}/repos/{full}/issues/{}", pr.number)},
        "comments": {"href": format!("{base}/repos/{full}/issues/{}/comments", pr.number)},
        "review_comments": {"href": format!("{api}/comments")},
        "review_comment": {"href": format!("{base}/repos/{full}/pulls/comments{{/number}}")},
        "commits": {"href": format!("{api}/commits")},
        "statuses": {"href": format!("{base}/repos/{full}/statuses/{}", pr.head_sha)}
    });
    json!({
        "url": api,
        "id": pull.id,
        "node_id": node_id("PR", pull.id),
        "html_url": html,
        "diff_url": format!("{html}.diff"),
        "patch_url": format!("{html}.patch"),
        "issue_url": format!("{base}/repos/{full}/issues/{}", pr.number),
        "commits_url": format!("{api}/commits"),
        "review_comments_url": format!("{api}/comments"),
        "review_comment_url": format!("{base}/repos/{full}/pulls/comments{{/number}}"),
        "comments_url": format!("{base}/repos/{full}/issues/{}/comments", pr.number),
        "statuses_url": format!("{base}/repos/{full}/statuses/{}", pr.head_sha),
        "number": pr.number,
        "state": "open",
        "locked": false,
        "title": pr.title,
        "user": user(base, &pr.author, author_kind),
        "body": pr.body,
        "labels": pull.labels.iter().map(|l| label_json(base, repo, l)).collect::<Vec<_>>(),
        "milestone": null,
        "active_lock_reason": null,
        "created_at": pull.created_at,
        "updated_at": pull.created_at,
        "closed_at": null,
        "merged_at": null,
        "merge_commit_sha": null,
        "assignee": null,
        "assignees": [],
        "requested_reviewers": [],
        "requested_teams": [],
        "head": {
            "label": format!("{}:{}", repo.owner, pr.head_ref),
            "ref": pr.head_ref,
            "sha": pr.head_sha,
            "user": owner,
            "repo": repo_v
        },
        "base": {
            "label": format!("{}:{}", repo.owner, pr.base_ref),
            "ref": pr.base_ref,
            "sha": pr.base_sha,
            "user": owner,
            "repo": repo_v
        },
        "_links": links,
        "author_association": "CONTRIBUTOR",
        "auto_merge": null,
        "draft": pr.draft,
        "merged": false,
        "mergeable": true,
        "rebaseable": true,
        "mergeable_state": "clean",
        "merged_by": null,
        "comments": 0,
        "review_comments": pull.comments.len(),
        "maintainer_can_modify": false,
        "commits": pull.commits.as_ref().map_or(pull.snapshots.len(), Vec::len),
        "additions": additions,
        "deletions": deletions,
        "changed_files": pr.files.len()
    })
}

/// One entry of `GET /pulls/{n}/files` (`diff-entry`).
pub(crate) fn file_entry(base: &str, repo: &Repo, head_sha: &str, f: &FakeFile) -> Value {
    let full = repo.full_name();
    let sha = match f.head_bytes() {
        Some(bytes) => crate::util::git_blob_sha(&bytes),
        None => "0000000000000000000000000000000000000000".to_string(),
    };
    let (additions, deletions) = f.line_counts();
    let path = encode_path(&f.filename);
    let mut v = json!({
        "sha": sha,
        "filename": f.filename,
        "status": f.status,
        "additions": additions,
        "deletions": deletions,
        "changes": additions + deletions,
        "blob_url": format!("https://github.com/{full}/blob/{head_sha}/{path}"),
        "raw_url": format!("https://github.com/{full}/raw/{head_sha}/{path}"),
        "contents_url": format!("{base}/repos/{full}/contents/{path}?ref={head_sha}"),
    });
    if let Some(p) = &f.patch {
        v["patch"] = json!(p);
    }
    if let Some(prev) = &f.previous_filename {
        v["previous_filename"] = json!(prev);
    }
    v
}
