//! The GitHub calls of a review, each shaped after GitHub's documented
//! request and response bodies.

use serde::Deserialize;
use serde_json::{Value, json};

use super::{GitHubError, Installation};

/// GitHub returns at most this many files for a pull request.
pub const MAX_PR_FILES: usize = 3000;
/// Aliased blob lookups per GraphQL query: well under GitHub's node limits and
/// its 10-second timeout, while keeping the call count low.
const BLOBS_PER_QUERY: usize = 50;

#[derive(Debug, Clone, Deserialize)]
pub struct PullRequest {
    pub number: u64,
    pub state: String,
    #[serde(default)]
    pub draft: bool,
    pub head: GitRef,
    pub base: GitRef,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub body: Option<String>,
    pub user: Account,
    #[serde(default)]
    pub labels: Vec<Label>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Account {
    pub login: String,
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub id: Option<u64>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Label {
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct GitRef {
    pub sha: String,
    #[serde(rename = "ref")]
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PullFile {
    pub filename: String,
    pub status: String,
    /// Blob SHA at the head.
    #[serde(default)]
    pub sha: Option<String>,
    /// Absent for binary files and diffs too large to show.
    #[serde(default)]
    pub patch: Option<String>,
    /// Lines added plus lines deleted; 0 for a pure rename.
    #[serde(default)]
    pub changes: u64,
}

/// A file's content at a commit, as GraphQL returned it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlobContent {
    Text(String),
    Binary,
    /// Not returned whole (over GraphQL's size); fetch through the blobs API.
    Truncated,
    Missing,
}

pub async fn get_pull(
    gh: &Installation,
    owner: &str,
    repo: &str,
    number: u64,
) -> Result<PullRequest, GitHubError> {
    let value = gh
        .get(&format!("/repos/{owner}/{repo}/pulls/{number}"))
        .await?
        .value;
    serde_json::from_value(value).map_err(|e| GitHubError::Decode {
        method: http::Method::GET,
        path: format!("/repos/{owner}/{repo}/pulls/{number}"),
        detail: e.to_string(),
    })
}

pub async fn list_files(
    gh: &Installation,
    owner: &str,
    repo: &str,
    number: u64,
) -> Result<Vec<PullFile>, GitHubError> {
    let items = gh
        .get_all(
            &format!("/repos/{owner}/{repo}/pulls/{number}/files?per_page=100"),
            MAX_PR_FILES,
        )
        .await?;
    items
        .into_iter()
        .map(|item| {
            serde_json::from_value(item).map_err(|e| GitHubError::Decode {
                method: http::Method::GET,
                path: format!("/repos/{owner}/{repo}/pulls/{number}/files"),
                detail: e.to_string(),
            })
        })
        .collect()
}

/// Every file path (blobs only, no directories or submodules) of the
/// repository at `commit`, through the Git Trees API. `None` when GitHub
/// truncated the listing (over its 100,000 entries / 7 MB limit): a partial
/// list cannot tell that a file does not exist.
pub async fn list_tree_paths(
    gh: &Installation,
    owner: &str,
    repo: &str,
    commit: &str,
) -> Result<Option<Vec<String>>, GitHubError> {
    let path = format!("/repos/{owner}/{repo}/git/trees/{commit}");
    let value = gh.get(&format!("{path}?recursive=1")).await?.value;
    if value["truncated"].as_bool() == Some(true) {
        return Ok(None);
    }
    let entries = value["tree"]
        .as_array()
        .ok_or_else(|| GitHubError::Decode {
            method: http::Method::GET,
            path: path.clone(),
            detail: "no `tree` array".to_owned(),
        })?;
    Ok(Some(
        entries
            .iter()
            .filter(|e| e["type"] == "blob")
            .filter_map(|e| e["path"].as_str().map(str::to_owned))
            .collect(),
    ))
}

/// Bodies of every review comment on the PR (for fingerprint markers).
pub async fn list_review_comment_bodies(
    gh: &Installation,
    owner: &str,
    repo: &str,
    number: u64,
) -> Result<Vec<String>, GitHubError> {
    let items = gh
        .get_all(
            &format!("/repos/{owner}/{repo}/pulls/{number}/comments?per_page=100"),
            usize::MAX,
        )
        .await?;
    Ok(items
        .iter()
        .filter_map(|c| c["body"].as_str().map(str::to_owned))
        .collect())
}

/// File contents at `commit`, fetched in batches of aliased
/// `object(expression: "sha:path")` lookups — one GraphQL call per batch
/// instead of one REST call per file.
pub async fn fetch_blobs(
    gh: &Installation,
    owner: &str,
    repo: &str,
    commit: &str,
    paths: &[String],
) -> Result<Vec<BlobContent>, GitHubError> {
    let mut contents = Vec::with_capacity(paths.len());
    for batch in paths.chunks(BLOBS_PER_QUERY) {
        let mut declarations = vec!["$owner: String!".to_owned(), "$name: String!".to_owned()];
        let mut selections = Vec::new();
        let mut variables = serde_json::Map::new();
        variables.insert("owner".into(), json!(owner));
        variables.insert("name".into(), json!(repo));
        for (i, path) in batch.iter().enumerate() {
            declarations.push(format!("$e{i}: String!"));
            selections.push(format!(
                "f{i}: object(expression: $e{i}) {{ ... on Blob {{ text isBinary isTruncated byteSize }} }}"
            ));
            variables.insert(format!("e{i}"), json!(format!("{commit}:{path}")));
        }
        let query = format!(
            "query({}) {{ repository(owner: $owner, name: $name) {{ {} }} }}",
            declarations.join(", "),
            selections.join(" ")
        );
        let data = gh.graphql(&query, Value::Object(variables)).await?;
        let repository = &data["repository"];
        for i in 0..batch.len() {
            let blob = &repository[format!("f{i}")];
            contents.push(if blob.is_null() {
                BlobContent::Missing
            } else if blob["isBinary"].as_bool() == Some(true) {
                BlobContent::Binary
            } else if blob["isTruncated"].as_bool() == Some(true) {
                BlobContent::Truncated
            } else {
                match blob["text"].as_str() {
                    Some(text) => BlobContent::Text(text.to_owned()),
                    None => BlobContent::Binary,
                }
            });
        }
    }
    Ok(contents)
}

/// A blob through REST, for files GraphQL truncated.
pub async fn get_blob_text(
    gh: &Installation,
    owner: &str,
    repo: &str,
    blob_sha: &str,
) -> Result<Option<String>, GitHubError> {
    let path = format!("/repos/{owner}/{repo}/git/blobs/{blob_sha}");
    let value = gh.get(&path).await?.value;
    Ok(String::from_utf8(decode_content(&value, &path)?).ok())
}

/// The bytes of a blob or contents response: base64 with line breaks.
fn decode_content(value: &Value, path: &str) -> Result<Vec<u8>, GitHubError> {
    use base64::Engine;
    let encoded: String = value["content"]
        .as_str()
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .map_err(|e| GitHubError::Decode {
            method: http::Method::GET,
            path: path.to_owned(),
            detail: e.to_string(),
        })
}

/// Attempts of a content-creating call, each after looking whether the
/// previous one took effect after all.
const CREATE_ATTEMPTS: u32 = 3;

/// The check run with `external_id` on `head_sha`, if GitHub has it.
pub async fn find_check_run(
    gh: &Installation,
    owner: &str,
    repo: &str,
    head_sha: &str,
    external_id: &str,
) -> Result<Option<u64>, GitHubError> {
    let listed = gh
        .get(&format!(
            "/repos/{owner}/{repo}/commits/{head_sha}/check-runs?check_name=prwarden&filter=all&per_page=100"
        ))
        .await?
        .value;
    Ok(listed["check_runs"].as_array().and_then(|runs| {
        runs.iter()
            .find(|r| r["external_id"].as_str() == Some(external_id))
            .and_then(|r| r["id"].as_u64())
    }))
}

/// Creates a check run. A failed POST may still have created it, so before
/// sending it again the run is looked up by its `external_id`.
pub async fn create_check_run(
    gh: &Installation,
    owner: &str,
    repo: &str,
    body: &Value,
) -> Result<u64, GitHubError> {
    let path = format!("/repos/{owner}/{repo}/check-runs");
    let head_sha = body["head_sha"].as_str().unwrap_or_default();
    let external_id = body["external_id"].as_str().unwrap_or_default();
    let mut attempt = 0;
    loop {
        attempt += 1;
        match gh.post(&path, body).await {
            Ok(created) => {
                return created["id"].as_u64().ok_or_else(|| GitHubError::Decode {
                    method: http::Method::POST,
                    path,
                    detail: "check run without id".into(),
                });
            }
            Err(err) if err.is_transient() && attempt < CREATE_ATTEMPTS => {
                tracing::warn!(error = %err, "creating the check run failed; looking before retrying");
                if let Some(id) = find_check_run(gh, owner, repo, head_sha, external_id).await? {
                    return Ok(id);
                }
            }
            Err(err) => return Err(err),
        }
    }
}

/// Updates plain fields of a check run (status, conclusion, output without
/// annotations, actions): safe to repeat.
pub async fn update_check_run(
    gh: &Installation,
    owner: &str,
    repo: &str,
    id: u64,
    body: &Value,
) -> Result<(), GitHubError> {
    gh.patch(&format!("/repos/{owner}/{repo}/check-runs/{id}"), body)
        .await?;
    Ok(())
}

/// An update that appends annotations: GitHub adds them on every request,
/// so before resending, the run's `annotations_count` tells whether the
/// failed request was applied. `total_after` is the count once it is.
pub async fn append_annotations(
    gh: &Installation,
    owner: &str,
    repo: &str,
    id: u64,
    body: &Value,
    total_after: usize,
) -> Result<(), GitHubError> {
    let path = format!("/repos/{owner}/{repo}/check-runs/{id}");
    let mut attempt = 0;
    loop {
        attempt += 1;
        match gh.patch_once(&path, body).await {
            Ok(_) => return Ok(()),
            Err(err) if err.is_transient() && attempt < CREATE_ATTEMPTS => {
                tracing::warn!(error = %err, "adding annotations failed; looking before retrying");
                let run = gh.get(&path).await?.value;
                let count = run["output"]["annotations_count"].as_u64().unwrap_or(0) as usize;
                if count >= total_after {
                    return Ok(());
                }
            }
            Err(err) => return Err(err),
        }
    }
}

/// Posts a review. Its body gets a unique hidden marker, and a failed POST
/// is only sent again when no review with that marker exists.
pub async fn create_review(
    gh: &Installation,
    owner: &str,
    repo: &str,
    number: u64,
    body: &Value,
) -> Result<Value, GitHubError> {
    let path = format!("/repos/{owner}/{repo}/pulls/{number}/reviews");
    let marker = format!(
        "<!-- prwarden:review {} -->",
        hex::encode(rand::random::<[u8; 8]>())
    );
    let mut body = body.clone();
    body["body"] = Value::String(format!(
        "{}\n\n{marker}",
        body["body"].as_str().unwrap_or_default()
    ));
    let mut attempt = 0;
    loop {
        attempt += 1;
        match gh.post(&path, &body).await {
            Ok(review) => return Ok(review),
            Err(err) if err.is_transient() && attempt < CREATE_ATTEMPTS => {
                tracing::warn!(error = %err, "posting the review failed; looking before retrying");
                let reviews = gh
                    .get_all(&format!("{path}?per_page=100"), usize::MAX)
                    .await?;
                if let Some(existing) = reviews
                    .into_iter()
                    .find(|r| r["body"].as_str().is_some_and(|b| b.contains(&marker)))
                {
                    return Ok(existing);
                }
            }
            Err(err) => return Err(err),
        }
    }
}

/// The App that opened the pull request on its author's behalf, if any
/// (`performed_via_github_app`, only on the issue view of a PR).
pub async fn opened_via_app(
    gh: &Installation,
    owner: &str,
    repo: &str,
    number: u64,
) -> Result<Option<String>, GitHubError> {
    let issue = gh
        .get(&format!("/repos/{owner}/{repo}/issues/{number}"))
        .await?
        .value;
    Ok(issue["performed_via_github_app"]["slug"]
        .as_str()
        .map(str::to_owned))
}

/// GitHub lists at most 250 commits of a pull request.
const MAX_PR_COMMITS: usize = 250;

/// The pull request's commits (author, committer, message), every page.
pub async fn list_commits(
    gh: &Installation,
    owner: &str,
    repo: &str,
    number: u64,
) -> Result<Vec<Value>, GitHubError> {
    gh.get_all(
        &format!("/repos/{owner}/{repo}/pulls/{number}/commits?per_page=100"),
        MAX_PR_COMMITS,
    )
    .await
}

/// Adds labels; GitHub creates a label the repository does not have yet.
pub async fn add_labels(
    gh: &Installation,
    owner: &str,
    repo: &str,
    number: u64,
    labels: &[&str],
) -> Result<(), GitHubError> {
    gh.post_idempotent(
        &format!("/repos/{owner}/{repo}/issues/{number}/labels"),
        &json!({ "labels": labels }),
    )
    .await?;
    Ok(())
}

/// Removes a label; a label that is not there is not an error.
pub async fn remove_label(
    gh: &Installation,
    owner: &str,
    repo: &str,
    number: u64,
    label: &str,
) -> Result<(), GitHubError> {
    let name = encode_path_segment(label);
    match gh
        .delete(&format!(
            "/repos/{owner}/{repo}/issues/{number}/labels/{name}"
        ))
        .await
    {
        Err(err) if err.status() == Some(http::StatusCode::NOT_FOUND) => Ok(()),
        other => other,
    }
}

/// The user's permission on the repository: `admin`, `write`, `read` or `none`.
pub async fn permission(
    gh: &Installation,
    owner: &str,
    repo: &str,
    user: &str,
) -> Result<String, GitHubError> {
    let user = encode_path_segment(user);
    let value = gh
        .get(&format!(
            "/repos/{owner}/{repo}/collaborators/{user}/permission"
        ))
        .await?
        .value;
    Ok(value["permission"].as_str().unwrap_or("none").to_owned())
}

/// A file's content on a branch, fetched only when it changed since `etag`.
pub enum FileAt {
    Missing,
    Unchanged,
    Text { text: String, etag: Option<String> },
}

pub async fn file_if_changed(
    gh: &Installation,
    owner: &str,
    repo: &str,
    path: &str,
    git_ref: Option<&str>,
    etag: Option<&str>,
) -> Result<FileAt, GitHubError> {
    let mut url = format!("/repos/{owner}/{repo}/contents/{path}");
    if let Some(git_ref) = git_ref {
        url.push_str(&format!("?ref={}", encode_path_segment(git_ref)));
    }
    let response = match gh.get_if_changed(&url, etag).await {
        Ok(response) => response,
        Err(err) if err.status() == Some(http::StatusCode::NOT_FOUND) => {
            return Ok(FileAt::Missing);
        }
        Err(err) => return Err(err),
    };
    if response.status == http::StatusCode::NOT_MODIFIED {
        return Ok(FileAt::Unchanged);
    }
    let bytes = decode_content(
        &response.value,
        &format!("/repos/{owner}/{repo}/contents/{path}"),
    )?;
    let etag = response
        .headers
        .get(http::header::ETAG)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    Ok(FileAt::Text {
        text: String::from_utf8_lossy(&bytes).into_owned(),
        etag,
    })
}

/// One review thread and its comments, oldest first.
#[derive(Debug, Clone)]
pub struct ReviewThread {
    pub id: String,
    pub is_resolved: bool,
    pub path: String,
    pub comments: Vec<ThreadComment>,
}

#[derive(Debug, Clone)]
pub struct ThreadComment {
    pub database_id: u64,
    pub body: String,
}

const THREADS_QUERY: &str =
    "query($owner: String!, $name: String!, $number: Int!, $after: String) {
  repository(owner: $owner, name: $name) {
    pullRequest(number: $number) {
      reviewThreads(first: 100, after: $after) {
        pageInfo { hasNextPage endCursor }
        nodes {
          id isResolved path
          comments(first: 100) { nodes { databaseId body } }
        }
      }
    }
  }
}";

/// Every review thread of the pull request.
pub async fn review_threads(
    gh: &Installation,
    owner: &str,
    repo: &str,
    number: u64,
) -> Result<Vec<ReviewThread>, GitHubError> {
    let mut threads = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let data = gh
            .graphql(
                THREADS_QUERY,
                json!({ "owner": owner, "name": repo, "number": number, "after": after }),
            )
            .await?;
        let connection = &data["repository"]["pullRequest"]["reviewThreads"];
        for node in connection["nodes"].as_array().into_iter().flatten() {
            threads.push(ReviewThread {
                id: node["id"].as_str().unwrap_or_default().to_owned(),
                is_resolved: node["isResolved"].as_bool().unwrap_or(false),
                path: node["path"].as_str().unwrap_or_default().to_owned(),
                comments: node["comments"]["nodes"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|c| ThreadComment {
                        database_id: c["databaseId"].as_u64().unwrap_or_default(),
                        body: c["body"].as_str().unwrap_or_default().to_owned(),
                    })
                    .collect(),
            });
        }
        let page = &connection["pageInfo"];
        match (page["hasNextPage"].as_bool(), page["endCursor"].as_str()) {
            (Some(true), Some(cursor)) => after = Some(cursor.to_owned()),
            _ => return Ok(threads),
        }
    }
}

pub async fn resolve_thread(gh: &Installation, thread_id: &str) -> Result<(), GitHubError> {
    gh.graphql(
        "mutation($id: ID!) { resolveReviewThread(input: { threadId: $id }) { thread { id isResolved } } }",
        json!({ "id": thread_id }),
    )
    .await?;
    Ok(())
}

pub async fn reply_to_comment(
    gh: &Installation,
    owner: &str,
    repo: &str,
    number: u64,
    comment_id: u64,
    body: &str,
) -> Result<(), GitHubError> {
    gh.post(
        &format!("/repos/{owner}/{repo}/pulls/{number}/comments/{comment_id}/replies"),
        &json!({ "body": body }),
    )
    .await?;
    Ok(())
}

/// Percent-encodes a value used as one path segment or query value.
fn encode_path_segment(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for byte in raw.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}
