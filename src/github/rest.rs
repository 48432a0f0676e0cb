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
    use base64::Engine;
    let value = gh
        .get(&format!("/repos/{owner}/{repo}/git/blobs/{blob_sha}"))
        .await?
        .value;
    let encoded: String = value["content"]
        .as_str()
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .map_err(|e| GitHubError::Decode {
            method: http::Method::GET,
            path: format!("/repos/{owner}/{repo}/git/blobs/{{sha}}"),
            detail: e.to_string(),
        })?;
    Ok(String::from_utf8(bytes).ok())
}

pub async fn create_check_run(
    gh: &Installation,
    owner: &str,
    repo: &str,
    body: &Value,
) -> Result<u64, GitHubError> {
    let created = gh
        .post(&format!("/repos/{owner}/{repo}/check-runs"), body)
        .await?;
    created["id"].as_u64().ok_or_else(|| GitHubError::Decode {
        method: http::Method::POST,
        path: format!("/repos/{owner}/{repo}/check-runs"),
        detail: "check run without id".into(),
    })
}

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

pub async fn create_review(
    gh: &Installation,
    owner: &str,
    repo: &str,
    number: u64,
    body: &Value,
) -> Result<Value, GitHubError> {
    gh.post(
        &format!("/repos/{owner}/{repo}/pulls/{number}/reviews"),
        body,
    )
    .await
}
