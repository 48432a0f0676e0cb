//! Route table and the REST endpoints other than checks and reviews: App
//! authentication, the manifest flow, pull requests, files, blobs, contents,
//! commits, labels, issue comments, permissions and the rate-limit endpoint.

use serde_json::{Value, json};

use crate::files::FakeCommit;
use crate::render::{self, file_entry, label_json, pull_json, repo_json, user};
use crate::server::{Ctx, Reply};
use crate::util::{self, base64_wrapped, encode_path, iso, page_window, paging};
use crate::{ManifestCode, Pull, Repo, State, TEST_APP_SLUG, TokenInfo};

/// GitHub stops listing a PR's files here (`pulls/list-files`).
const MAX_PR_FILES: usize = 3000;

/// Permissions the fake's installations grant (what prwarden's manifest asks for).
fn default_permissions() -> Value {
    json!({
        "checks": "write",
        "contents": "read",
        "issues": "write",
        "metadata": "read",
        "pull_requests": "write"
    })
}

fn default_events() -> Value {
    json!(["check_run", "check_suite", "pull_request"])
}

/// Whether the client asked for raw bytes (`application/vnd.github.raw`).
fn wants_raw(ctx: &Ctx) -> bool {
    ctx.headers
        .get("accept")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("vnd.github.raw") || a.contains("vnd.github.v3.raw"))
}

impl State {
    pub(crate) fn dispatch(&mut self, ctx: &Ctx) -> Reply {
        let segs: Vec<&str> = ctx.segs.iter().map(String::as_str).collect();
        match (ctx.method, segs.as_slice()) {
            ("POST", ["app", "installations", id, "access_tokens"]) => self.create_token(ctx, id),
            ("GET", ["app"]) => self.get_app(ctx),
            ("GET", ["app", "installations"]) => {
                let list: Vec<Value> = self
                    .installations
                    .keys()
                    .map(|id| self.installation_json(*id, ctx.app_id))
                    .collect();
                Reply::json(200, Value::Array(list))
            }
            ("GET", ["app", "installations", id]) => match id.parse::<u64>() {
                Ok(id) if self.installations.contains_key(&id) => {
                    Reply::json(200, self.installation_json(id, ctx.app_id))
                }
                _ => Reply::not_found(),
            },
            ("GET", ["app", "hook", "deliveries"]) => self.list_deliveries(ctx),
            ("GET", ["app", "hook", "deliveries", id]) => self.get_delivery(id),
            ("POST", ["app", "hook", "deliveries", id, "attempts"]) => self.redeliver(id),
            ("GET", ["repos", o, r, "installation"]) => match self.repo(o, r) {
                Some(repo) => Reply::json(
                    200,
                    self.installation_json(repo.installation_id, ctx.app_id),
                ),
                None => Reply::not_found(),
            },
            ("POST", ["app-manifests", code, "conversions"]) => self.convert_manifest(code),
            ("GET", ["rate_limit"]) => self.rate_limit_json(),
            ("POST", ["graphql"]) => self.graphql(ctx),
            ("GET", ["repos", o, r]) => match self.repo(o, r) {
                Some(repo) => Reply::json(200, repo_json(&self.base_url, repo)),
                None => Reply::not_found(),
            },
            ("GET", ["repos", o, r, "pulls", n]) => match self.find_pull(o, r, n) {
                Ok((repo, pull)) => Reply::json(200, pull_json(&self.base_url, repo, pull)),
                Err(e) => e,
            },
            ("GET", ["repos", o, r, "pulls", n, "files"]) => self.list_files(ctx, o, r, n),
            ("GET", ["repos", o, r, "pulls", n, "commits"]) => self.list_commits(ctx, o, r, n),
            ("GET", ["repos", o, r, "pulls", n, "reviews"]) => self.list_reviews(ctx, o, r, n),
            ("POST", ["repos", o, r, "pulls", n, "reviews"]) => self.create_review(ctx, o, r, n),
            ("GET", ["repos", o, r, "pulls", n, "reviews", id]) => self.get_review(o, r, n, id),
            ("POST", ["repos", o, r, "pulls", n, "reviews", id, "events"]) => {
                self.submit_review(ctx, o, r, n, id)
            }
            ("GET", ["repos", o, r, "pulls", n, "comments"]) => {
                self.list_review_comments(ctx, o, r, n)
            }
            ("POST", ["repos", o, r, "pulls", n, "comments"]) => {
                self.create_single_comment(ctx, o, r, n)
            }
            ("POST", ["repos", o, r, "pulls", n, "comments", id, "replies"]) => {
                self.reply_to_comment(ctx, o, r, n, id)
            }
            ("GET", ["repos", o, r, "git", "blobs", sha]) => self.get_blob(ctx, o, r, sha),
            ("GET", ["repos", o, r, "git", "trees", sha]) => self.get_tree(ctx, o, r, sha),
            ("GET", ["repos", o, r, "contents", rest @ ..]) => {
                self.get_contents(ctx, o, r, &rest.join("/"))
            }
            ("POST", ["repos", o, r, "check-runs"]) => self.create_check_run(ctx, o, r),
            ("GET", ["repos", o, r, "check-runs", id]) => self.get_check_run(o, r, id),
            ("PATCH", ["repos", o, r, "check-runs", id]) => self.update_check_run(ctx, o, r, id),
            ("GET", ["repos", o, r, "check-runs", id, "annotations"]) => {
                self.list_annotations(ctx, o, r, id)
            }
            ("GET", ["repos", o, r, "commits", rest @ .., "check-runs"]) if !rest.is_empty() => {
                self.list_check_runs_for_ref(ctx, o, r, &rest.join("/"))
            }
            ("GET", ["repos", o, r, "issues", n]) => self.issue_of_pull(o, r, n),
            ("GET", ["repos", o, r, "issues", n, "labels"]) => {
                self.labels_reply(o, r, n, |_| Ok(()))
            }
            ("POST", ["repos", o, r, "issues", n, "labels"]) => {
                let names = label_names(ctx.body());
                self.labels_reply(o, r, n, |labels| {
                    for name in names {
                        if !labels.contains(&name) {
                            labels.push(name);
                        }
                    }
                    Ok(())
                })
            }
            ("PUT", ["repos", o, r, "issues", n, "labels"]) => {
                let names = label_names(ctx.body());
                self.labels_reply(o, r, n, |labels| {
                    *labels = names;
                    Ok(())
                })
            }
            ("DELETE", ["repos", o, r, "issues", n, "labels", name]) => {
                let name = name.to_string();
                self.labels_reply(o, r, n, |labels| {
                    let before = labels.len();
                    labels.retain(|l| l != &name);
                    if labels.len() == before {
                        Err(Reply::error(404, "Label does not exist"))
                    } else {
                        Ok(())
                    }
                })
            }
            ("GET", ["repos", o, r, "issues", n, "comments"]) => {
                let items = self
                    .repo(o, r)
                    .and_then(|repo| repo.issue_comments.get(&n.parse().unwrap_or(0)).cloned())
                    .unwrap_or_default();
                self.paginated(ctx, items)
            }
            ("POST", ["repos", o, r, "issues", n, "comments"]) => {
                self.create_issue_comment(ctx, o, r, n)
            }
            ("GET", ["repos", o, r, "collaborators", u, "permission"]) => {
                let Some(repo) = self.repo(o, r) else {
                    return Reply::not_found();
                };
                let role = repo
                    .permissions
                    .get(&u.to_lowercase())
                    .cloned()
                    .unwrap_or_else(|| "none".to_string());
                // The legacy `permission` field folds maintain→write, triage→read.
                let permission = match role.as_str() {
                    "maintain" => "write",
                    "triage" => "read",
                    other => other,
                };
                Reply::json(
                    200,
                    json!({
                        "permission": permission,
                        "role_name": role,
                        "user": user(&self.base_url, u, "User")
                    }),
                )
            }
            _ => Reply::not_found(),
        }
    }

    /// Slices `items` by `per_page`/`page` and adds the `Link` header.
    pub(crate) fn paginated(&self, ctx: &Ctx, items: Vec<Value>) -> Reply {
        let p = paging(&ctx.query);
        let (range, link) = page_window(&self.base_url, ctx.path, &ctx.query, items.len(), &p);
        let reply = Reply::json(200, Value::Array(items[range].to_vec()));
        match link {
            Some(l) => reply.header("link", &l),
            None => reply,
        }
    }

    /// `GET /issues/{n}` of a pull request: the PR as an issue, with
    /// `performed_via_github_app` when an App opened it on a user's behalf.
    fn issue_of_pull(&self, o: &str, r: &str, n: &str) -> Reply {
        let (repo, pull) = match self.find_pull(o, r, n) {
            Ok(x) => x,
            Err(e) => return e,
        };
        let pr_json = render::pull_json(&self.base_url, repo, pull);
        let via = pull.pr.via_app.as_ref().map_or(Value::Null, |slug| {
            json!({ "id": render::user_id(slug), "slug": slug, "name": slug, "node_id": util::node_id("A", render::user_id(slug)) })
        });
        let mut issue = json!({
            "id": pr_json["id"],
            "node_id": pr_json["node_id"],
            "number": pr_json["number"],
            "title": pr_json["title"],
            "body": pr_json["body"],
            "user": pr_json["user"],
            "labels": pr_json["labels"],
            "state": pr_json["state"],
            "locked": false,
            "comments": 0,
            "created_at": pr_json["created_at"],
            "updated_at": pr_json["updated_at"],
            "closed_at": null,
            "author_association": "CONTRIBUTOR",
            "pull_request": { "url": pr_json["url"], "html_url": pr_json["html_url"] },
            "performed_via_github_app": via,
        });
        issue["url"] = json!(format!(
            "{}/repos/{}/issues/{}",
            self.base_url,
            repo.full_name(),
            pull.pr.number
        ));
        Reply::json(200, issue)
    }

    pub(crate) fn find_pull(
        &self,
        owner: &str,
        repo: &str,
        number: &str,
    ) -> Result<(&Repo, &Pull), Reply> {
        let repo = self.repo(owner, repo).ok_or_else(Reply::not_found)?;
        let number: u64 = number.parse().map_err(|_| Reply::not_found())?;
        let pull = repo.pulls.get(&number).ok_or_else(Reply::not_found)?;
        Ok((repo, pull))
    }

    pub(crate) fn find_pull_mut(
        &mut self,
        owner: &str,
        repo: &str,
        number: &str,
    ) -> Result<&mut Pull, Reply> {
        let repo = self.repo_mut(owner, repo).ok_or_else(Reply::not_found)?;
        let number: u64 = number.parse().map_err(|_| Reply::not_found())?;
        repo.pulls.get_mut(&number).ok_or_else(Reply::not_found)
    }

    /// The slug of the App acting in this request (the test App by default).
    pub(crate) fn app_slug(&self, ctx: &Ctx) -> String {
        ctx.app_id
            .and_then(|id| self.apps.get(&id))
            .map_or_else(|| TEST_APP_SLUG.to_string(), |a| a.slug.clone())
    }

    pub(crate) fn app_json(&self, app_id: Option<u64>) -> Value {
        let id = app_id.unwrap_or(crate::TEST_APP_ID);
        let (slug, name, client_id) = match self.apps.get(&id) {
            Some(a) => (a.slug.clone(), a.name.clone(), a.client_id.clone()),
            None => (
                TEST_APP_SLUG.to_string(),
                TEST_APP_SLUG.to_string(),
                String::new(),
            ),
        };
        json!({
            "id": id,
            "slug": slug,
            "node_id": util::node_id("A", id),
            "client_id": client_id,
            "owner": user(&self.base_url, "Octocoders", "Organization"),
            "name": name,
            "description": "",
            "external_url": "https://example.com",
            "html_url": format!("https://github.com/apps/{slug}"),
            "created_at": "2019-04-19T19:36:24Z",
            "updated_at": "2019-04-19T19:36:56Z",
            "permissions": default_permissions(),
            "events": default_events()
        })
    }

    fn get_app(&self, ctx: &Ctx) -> Reply {
        let mut v = self.app_json(ctx.app_id);
        v["installations_count"] = json!(self.installations.len());
        Reply::json(200, v)
    }

    fn installation_json(&self, id: u64, app_id: Option<u64>) -> Value {
        let account = self
            .installations
            .get(&id)
            .cloned()
            .unwrap_or_else(|| "Codertocat".to_string());
        let app = self.app_json(app_id);
        json!({
            "id": id,
            "account": user(&self.base_url, &account, "Organization"),
            "repository_selection": "all",
            "access_tokens_url": format!("{}/app/installations/{id}/access_tokens", self.base_url),
            "repositories_url": format!("{}/installation/repositories", self.base_url),
            "html_url": format!("https://github.com/organizations/{account}/settings/installations/{id}"),
            "app_id": app["id"],
            "app_slug": app["slug"],
            "target_id": render::user_id(&account),
            "target_type": "Organization",
            "permissions": default_permissions(),
            "events": default_events(),
            "created_at": "2019-04-19T19:36:24Z",
            "updated_at": "2019-04-19T19:36:56Z",
            "single_file_name": null,
            "suspended_at": null,
            "suspended_by": null
        })
    }

    /// `POST /app/installations/{id}/access_tokens` (JWT already verified).
    fn create_token(&mut self, ctx: &Ctx, id: &str) -> Reply {
        let Ok(id) = id.parse::<u64>() else {
            return Reply::not_found();
        };
        if !self.installations.contains_key(&id) {
            return Reply::not_found();
        }
        let token = util::installation_token();
        let expires_at = chrono::Utc::now() + self.token_ttl;
        self.tokens.insert(
            token.clone(),
            TokenInfo {
                installation_id: id,
                app_id: ctx.app_id.unwrap_or(crate::TEST_APP_ID),
                expires_at,
            },
        );
        self.tokens_issued += 1;
        let permissions = match ctx.body().get("permissions") {
            Some(p) if p.is_object() => p.clone(),
            _ => default_permissions(),
        };
        let mut v = json!({
            "token": token,
            "expires_at": iso(expires_at),
            "permissions": permissions,
            "repository_selection": "all"
        });
        if let Some(names) = ctx.body().get("repositories").and_then(Value::as_array) {
            let repos: Vec<Value> = self
                .repos
                .values()
                .filter(|r| {
                    r.installation_id == id
                        && names
                            .iter()
                            .any(|n| n.as_str().is_some_and(|n| n.eq_ignore_ascii_case(&r.name)))
                })
                .map(|r| repo_json(&self.base_url, r))
                .collect();
            v["repository_selection"] = json!("selected");
            v["repositories"] = Value::Array(repos);
        }
        Reply::json(201, v)
    }

    /// `POST /app-manifests/{code}/conversions`: each code works once.
    fn convert_manifest(&mut self, code: &str) -> Reply {
        let Some(ManifestCode {
            app_id,
            pem,
            webhook_secret,
        }) = self.manifest_codes.remove(code)
        else {
            return Reply::not_found();
        };
        let mut v = self.app_json(Some(app_id));
        let slug = self
            .apps
            .get(&app_id)
            .map_or_else(|| format!("prwarden-{app_id}"), |a| a.slug.clone());
        v["slug"] = json!(slug);
        v["name"] = json!(slug);
        v["html_url"] = json!(format!("https://github.com/apps/{slug}"));
        v["client_secret"] = json!(util::random_hex(40));
        v["webhook_secret"] = json!(webhook_secret);
        v["pem"] = json!(pem);
        Reply::json(201, v)
    }

    fn rate_limit_json(&self) -> Reply {
        let bucket = |name: &str| {
            self.rate.get(name).map_or(Value::Null, |b| {
                json!({
                    "limit": b.limit,
                    "remaining": b.remaining,
                    "used": b.limit - b.remaining.min(b.limit),
                    "reset": b.reset
                })
            })
        };
        Reply::json(
            200,
            json!({
                "resources": {"core": bucket("core"), "graphql": bucket("graphql")},
                "rate": bucket("core")
            }),
        )
    }

    fn list_files(&self, ctx: &Ctx, o: &str, r: &str, n: &str) -> Reply {
        let (repo, pull) = match self.find_pull(o, r, n) {
            Ok(x) => x,
            Err(e) => return e,
        };
        let files = &pull.pr.files[..pull.pr.files.len().min(MAX_PR_FILES)];
        let items: Vec<Value> = files
            .iter()
            .map(|f| file_entry(&self.base_url, repo, &pull.pr.head_sha, f))
            .collect();
        self.paginated(ctx, items)
    }

    fn list_commits(&self, ctx: &Ctx, o: &str, r: &str, n: &str) -> Reply {
        let (repo, pull) = match self.find_pull(o, r, n) {
            Ok(x) => x,
            Err(e) => return e,
        };
        let commits: Vec<FakeCommit> = pull.commits.clone().unwrap_or_else(|| {
            pull.snapshots
                .iter()
                .enumerate()
                .map(|(i, (sha, _))| {
                    let mut c = FakeCommit::new(sha, &format!("Update files ({})", i + 1));
                    c.author_login = Some(pull.pr.author.clone());
                    c
                })
                .collect()
        });
        let base = &self.base_url;
        let full = repo.full_name();
        let mut parent = pull.pr.base_sha.clone();
        let items: Vec<Value> = commits
            .iter()
            .map(|c| {
                let person = json!({"name": c.author_name, "email": c.author_email, "date": pull.created_at});
                let account = c.author_login.as_ref().map(|l| {
                    user(base, l, if l.ends_with("[bot]") { "Bot" } else { "User" })
                });
                let v = json!({
                    "sha": c.sha,
                    "node_id": format!("C_{}", &c.sha[..c.sha.len().min(20)]),
                    "commit": {
                        "author": person,
                        "committer": person,
                        "message": c.message,
                        "tree": {"sha": util::sha1_hex(format!("tree {}", c.sha).as_bytes()), "url": format!("{base}/repos/{full}/git/trees/{}", c.sha)},
                        "url": format!("{base}/repos/{full}/git/commits/{}", c.sha),
                        "comment_count": 0,
                        "verification": {"verified": false, "reason": "unsigned", "signature": null, "payload": null, "verified_at": null}
                    },
                    "url": format!("{base}/repos/{full}/commits/{}", c.sha),
                    "html_url": format!("https://github.com/{full}/commit/{}", c.sha),
                    "comments_url": format!("{base}/repos/{full}/commits/{}/comments", c.sha),
                    "author": account,
                    "committer": account,
                    "parents": [{"sha": parent, "url": format!("{base}/repos/{full}/commits/{parent}"), "html_url": format!("https://github.com/{full}/commit/{parent}")}]
                });
                parent = c.sha.clone();
                v
            })
            .collect();
        self.paginated(ctx, items)
    }

    fn get_blob(&self, ctx: &Ctx, o: &str, r: &str, sha: &str) -> Reply {
        let Some(repo) = self.repo(o, r) else {
            return Reply::not_found();
        };
        let Some(bytes) = repo.blobs.get(sha) else {
            return Reply::not_found();
        };
        if wants_raw(ctx) {
            return Reply::raw(200, bytes.clone(), "application/vnd.github.raw");
        }
        Reply::json(
            200,
            json!({
                "sha": sha,
                "node_id": format!("B_{}", &sha[..sha.len().min(24)]),
                "size": bytes.len(),
                "url": format!("{}/repos/{}/git/blobs/{sha}", self.base_url, repo.full_name()),
                "content": base64_wrapped(bytes),
                "encoding": "base64"
            }),
        )
    }

    /// `GET /git/trees/{sha}`: the files at a commit or branch (the base
    /// branch's files overlaid with a PR head's changes, as [`Repo::lookup`]
    /// sees them). With `recursive`, every blob and the directories leading to
    /// them; without it, the top level only.
    fn get_tree(&self, ctx: &Ctx, o: &str, r: &str, sha: &str) -> Reply {
        let Some(repo) = self.repo(o, r) else {
            return Reply::not_found();
        };
        let Some(files) = repo.files_at(sha) else {
            return Reply::json(
                404,
                json!({"message": "Not Found", "documentation_url": "https://docs.github.com/rest/git/trees#get-a-tree"}),
            );
        };
        let recursive = ctx
            .q("recursive")
            .is_some_and(|v| !v.is_empty() && v != "0" && v != "false");
        let base = format!("{}/repos/{}", self.base_url, repo.full_name());
        let mut dirs = std::collections::BTreeSet::new();
        let mut entries = Vec::new();
        for (path, bytes) in &files {
            let mut parts: Vec<&str> = path.split('/').collect();
            parts.pop();
            for depth in 1..=parts.len() {
                dirs.insert(parts[..depth].join("/"));
            }
            if !recursive && path.contains('/') {
                continue;
            }
            let blob = util::git_blob_sha(bytes);
            entries.push((
                path.clone(),
                json!({
                    "path": path, "mode": "100644", "type": "blob", "sha": blob,
                    "size": bytes.len(), "url": format!("{base}/git/blobs/{blob}")
                }),
            ));
        }
        for dir in dirs {
            if !recursive && dir.contains('/') {
                continue;
            }
            let tree = util::sha1_hex(format!("tree {sha} {dir}").as_bytes());
            entries.push((
                dir.clone(),
                json!({
                    "path": dir, "mode": "040000", "type": "tree", "sha": tree,
                    "url": format!("{base}/git/trees/{tree}")
                }),
            ));
        }
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let tree_sha = util::sha1_hex(format!("tree {sha}").as_bytes());
        Reply::json(
            200,
            json!({
                "sha": tree_sha,
                "url": format!("{base}/git/trees/{tree_sha}"),
                "tree": entries.into_iter().map(|(_, e)| e).collect::<Vec<_>>(),
                "truncated": repo.truncate_trees,
            }),
        )
    }

    fn get_contents(&self, ctx: &Ctx, o: &str, r: &str, path: &str) -> Reply {
        let not_found = || {
            Reply::json(
                404,
                json!({"message": "Not Found", "documentation_url": "https://docs.github.com/rest/repos/contents#get-repository-content"}),
            )
        };
        let Some(repo) = self.repo(o, r) else {
            return not_found();
        };
        let git_ref = ctx.q("ref");
        let Some(bytes) = repo.lookup(git_ref, path) else {
            return not_found();
        };
        if wants_raw(ctx) {
            return Reply::raw(200, bytes.clone(), "application/vnd.github.raw");
        }
        let sha = util::git_blob_sha(bytes);
        let full = repo.full_name();
        let r = git_ref.unwrap_or(&repo.default_branch);
        let enc = encode_path(path);
        let self_url = format!(
            "{}/repos/{full}/contents/{enc}?ref={}",
            self.base_url,
            util::encode_component(r)
        );
        let git_url = format!("{}/repos/{full}/git/blobs/{sha}", self.base_url);
        let html_url = format!("https://github.com/{full}/blob/{r}/{enc}");
        Reply::json(
            200,
            json!({
                "type": "file",
                "encoding": "base64",
                "size": bytes.len(),
                "name": path.rsplit('/').next().unwrap_or(path),
                "path": path,
                "content": base64_wrapped(bytes),
                "sha": sha,
                "url": self_url,
                "git_url": git_url,
                "html_url": html_url,
                "download_url": format!("https://raw.githubusercontent.com/{full}/{r}/{enc}"),
                "_links": {"self": self_url, "git": git_url, "html": html_url}
            }),
        )
    }

    /// Runs `change` on a PR's labels and answers with the resulting list.
    fn labels_reply(
        &mut self,
        o: &str,
        r: &str,
        n: &str,
        change: impl FnOnce(&mut Vec<String>) -> Result<(), Reply>,
    ) -> Reply {
        let pull = match self.find_pull_mut(o, r, n) {
            Ok(p) => p,
            Err(e) => return e,
        };
        if let Err(e) = change(&mut pull.labels) {
            return e;
        }
        let labels = pull.labels.clone();
        let Some(repo) = self.repo(o, r) else {
            return Reply::not_found();
        };
        let list: Vec<Value> = labels
            .iter()
            .map(|l| label_json(&self.base_url, repo, l))
            .collect();
        Reply::json(200, Value::Array(list))
    }

    fn create_issue_comment(&mut self, ctx: &Ctx, o: &str, r: &str, n: &str) -> Reply {
        let Ok(number) = n.parse::<u64>() else {
            return Reply::not_found();
        };
        if self.find_pull(o, r, n).is_err() {
            return Reply::not_found();
        }
        let Some(body) = ctx
            .body()
            .get("body")
            .and_then(Value::as_str)
            .map(str::to_string)
        else {
            return Reply::unprocessable(&["Body is required"], crate::server::DOCS);
        };
        let id = self.next_id();
        let slug = self.app_slug(ctx);
        let base = self.base_url.clone();
        let app = self.app_json(ctx.app_id);
        let Some(repo) = self.repo_mut(o, r) else {
            return Reply::not_found();
        };
        let full = repo.full_name();
        let now = util::now_iso();
        let comment = json!({
            "id": id,
            "node_id": util::node_id("IC", id),
            "url": format!("{base}/repos/{full}/issues/comments/{id}"),
            "html_url": format!("https://github.com/{full}/pull/{number}#issuecomment-{id}"),
            "issue_url": format!("{base}/repos/{full}/issues/{number}"),
            "body": body,
            "user": render::bot(&base, &slug),
            "created_at": now,
            "updated_at": now,
            "author_association": "NONE",
            "performed_via_github_app": app
        });
        repo.issue_comments
            .entry(number)
            .or_default()
            .push(comment.clone());
        Reply::json(201, comment)
    }
}

/// Label names from `{"labels": ["a"]}`, `{"labels": [{"name": "a"}]}` or `["a"]`.
fn label_names(body: &Value) -> Vec<String> {
    let list = body.get("labels").unwrap_or(body);
    list.as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i.as_str().or_else(|| i.get("name").and_then(Value::as_str)))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}
