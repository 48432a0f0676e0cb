//! `hardcoded-config/secret`: credentials committed in any text file.
//!
//! ## What it does
//! Finds credentials whose format identifies them on sight — GitHub tokens
//! (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`, `github_pat_`), AWS access key IDs
//! (`AKIA…`, `ASIA…`), Slack tokens (`xoxb-…`), Stripe live keys
//! (`sk_live_…`, `rk_live_…`), Google API keys (`AIza…`), OpenAI keys
//! (`sk-…`, `sk-proj-…`), Anthropic keys (`sk-ant-…`) and PEM private-key
//! blocks — in source, configuration, `.env` files and docs alike. Obvious
//! placeholders (`xxxx`, `<your-token>`, `…EXAMPLE`, one repeated character)
//! are ignored.
//!
//! Also finds passwords written into connection strings
//! (`postgres://app:<password>@db.acme.internal/orders`, JDBC
//! `…?user=app&password=<password>`) for remote hosts. Interpolations
//! (`${DB_PASSWORD}`, `%s`), well-known development defaults
//! (`postgres:postgres`, `root`, `password`, `changeme`), local hosts
//! (loopback, example domains, single-label service names like `db` in a
//! compose file) and test files are left out for this kind.
//!
//! ## Why is this bad?
//! A pushed secret is compromised: everyone with read access, every fork and
//! every CI log has it, and deleting the line does not remove it from the git
//! history. The only fix is to revoke it and load its replacement from the
//! environment or a secret manager.
//!
//! ## Example
//! ```ts
//! const GITHUB_TOKEN = "ghp_…36 characters…";
//! ```
//!
//! Use instead:
//! ```ts
//! const GITHUB_TOKEN = process.env.GITHUB_TOKEN;
//! ```

use tree_sitter::Node;

use super::token_formats::{TokenKind, TokenMatch, find_tokens};
use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::Rule;
use crate::syntax::NodeExt as _;
use crate::syntax::{identifier_words, is_test_path};

pub static META: RuleMeta = RuleMeta {
    id: "hardcoded-config/secret",
    item: ChecklistItem::HardcodedConfig,
    severity: Severity::Error,
    languages: &[],
    summary: "API keys, tokens and private keys committed in any text file",
};

pub struct Secret;

impl Rule for Secret {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let test_file = is_test_path(ctx.path);
        for token in find_tokens(ctx.source) {
            // Connection strings in tests point at throwaway databases.
            if token.kind == TokenKind::ConnectionPassword && test_file {
                continue;
            }
            let line = ctx.line_at(token.range.start);
            out.push(report(ctx, &token, line));
        }
    }
}

fn report(ctx: &RuleContext<'_>, token: &TokenMatch, line: u32) -> Finding {
    let kind = token.kind;
    let masked = token.masked(ctx.source);
    let symbol = ctx.symbol_at(token.range.start, token.range.end);
    // The secret's own characters identify it: a rotated key is a new finding.
    let identity = ctx.source.get(token.identity.clone()).unwrap_or("");
    let assignment = find_assignment(ctx, token);
    let env_var = env_var_for(kind, assignment.as_ref().map(|a| a.name));

    let what = if kind == TokenKind::PrivateKey {
        format!("a private-key block (`{masked}`)")
    } else {
        let article = if kind.name().starts_with(['A', 'E', 'I', 'O', 'U']) {
            "an"
        } else {
            "a"
        };
        format!("{article} {} (`{masked}`)", kind.name())
    };
    let holder = match (&assignment, &symbol) {
        (Some(a), _) => format!(", assigned to `{}`", a.name),
        (None, Some(symbol)) => format!(", in `{symbol}`"),
        (None, None) => String::new(),
    };
    let file_kind = FileKind::of(ctx.path);

    let message = format!(
        "This line contains {what}{holder}. A secret pushed to a repository is compromised: \
         everyone with read access, every fork and every CI log has it, and deleting the line \
         does not remove it from the git history.\n\n\
         Treat it as leaked: {revoke}. Then {load}.",
        revoke = kind.revoke_hint(),
        load = file_kind.how_to_load(&env_var),
    );

    ctx.finding(&META, line, symbol.clone(), identity)
        .title(format!("Hard-coded {}", kind.name()))
        .message(message)
        .suggestion(assignment.and_then(|a| a.suggestion))
        .symptom(format!(
            "{what} is hard-coded in `{path}`{holder}.",
            what = capitalise(&what),
            path = ctx.path
        ))
        .root_cause(
            "The credential is written into the repository instead of being read from \
             configuration, so anyone who can read the repository or its history can use it.",
        )
        .fix(format!(
            "Remove the literal and {load}. Fail fast with a clear error at startup when the \
             variable is missing instead of falling back to a default value.",
            load = file_kind.how_to_load(&env_var)
        ))
        .scope(
            "Do not copy the secret anywhere else (tests, fixtures, committed `.env` files, logs, \
             comments, the PR description). Do not change unrelated configuration or behaviour. \
             Revoking the exposed credential is a manual step for a human: say so in the PR \
             description, do not attempt it.",
        )
        .build()
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[derive(Clone, Copy)]
enum FileKind {
    DotEnv,
    Code,
    Other,
}

impl FileKind {
    fn of(path: &str) -> FileKind {
        let name = path.rsplit('/').next().unwrap_or(path);
        if name == ".env" || name.starts_with(".env.") || name.ends_with(".env") {
            FileKind::DotEnv
        } else if Language::from_path(path).is_some() {
            FileKind::Code
        } else {
            FileKind::Other
        }
    }

    fn how_to_load(self, env_var: &str) -> String {
        match self {
            FileKind::DotEnv => format!(
                "stop committing this file: remove it from the repository, add it to \
                 `.gitignore`, and commit a `.env.example` that lists `{env_var}` without a value"
            ),
            FileKind::Code => format!(
                "read the replacement from the environment variable `{env_var}` (through the \
                 project's config module if it has one) or a secret manager"
            ),
            FileKind::Other => format!(
                "reference it from the deployment's secret store or the environment variable \
                 `{env_var}` instead of writing the value into this file"
            ),
        }
    }
}

/// `const NAME = "<token>"` / `NAME = "<token>"`: the secret is a whole
/// string literal assigned to a plain name.
struct Assignment<'a> {
    name: &'a str,
    /// The line with the literal replaced by an environment lookup, when
    /// that is mechanical and safe.
    suggestion: Option<String>,
}

fn find_assignment<'a>(ctx: &RuleContext<'a>, token: &TokenMatch) -> Option<Assignment<'a>> {
    let root = ctx.root()?;
    let language = ctx.language?;
    let leaf = root.descendant_for_byte_range(token.range.start, token.range.end)?;
    let string = std::iter::successors(Some(leaf), Node::parent)
        .take(3)
        .find(|n| n.kind_str() == "string")?;
    if string.start_position().row != string.end_position().row {
        return None;
    }
    let (name, replacement) = if language.is_js_family() {
        js_assignment(ctx, string, token)?
    } else {
        python_assignment(ctx, string, token)?
    };
    let suggestion = replacement.map(|replacement| {
        let line = ctx.line(string);
        let line_start = ctx.line_start(line);
        let text = ctx.line_text(line);
        let from = string.start_byte() - line_start;
        let to = string.end_byte() - line_start;
        format!("{}{}{}", &text[..from], replacement, &text[to..])
    });
    Some(Assignment { name, suggestion })
}

/// The string must be exactly the token: `"Bearer ghp_…"` cannot be replaced
/// by an environment lookup without changing its value.
fn literal_is_token(ctx: &RuleContext<'_>, content: Node<'_>, token: &TokenMatch) -> bool {
    content.byte_range() == token.range
        && ctx.text(content).len() == token.range.len()
        && token.kind != TokenKind::PrivateKey
}

fn js_assignment<'a>(
    ctx: &RuleContext<'a>,
    string: Node<'_>,
    token: &TokenMatch,
) -> Option<(&'a str, Option<String>)> {
    let declarator = string.parent()?;
    if declarator.kind_str() != "variable_declarator" || declarator.field("value")? != string {
        return None;
    }
    let name = declarator.field("name")?;
    if name.kind_str() != "identifier" {
        return None;
    }
    let name = ctx.text(name);
    let mut cursor = string.walk();
    let parts: Vec<Node<'_>> = string.named_children(&mut cursor).collect();
    let whole = matches!(parts.as_slice(), [only] if literal_is_token(ctx, *only, token));
    // `process.env.X` is `string | undefined`: it would break an explicit
    // `: string` annotation. Client bundles (TSX/JSX) inline env values, so
    // moving the secret there would not hide it.
    let safe = whole
        && declarator.field("type").is_none()
        && ctx.language != Some(Language::Tsx)
        && !ctx.path.ends_with(".jsx");
    let replacement = safe.then(|| format!("process.env.{}", env_var_for(token.kind, Some(name))));
    Some((name, replacement))
}

fn python_assignment<'a>(
    ctx: &RuleContext<'a>,
    string: Node<'_>,
    token: &TokenMatch,
) -> Option<(&'a str, Option<String>)> {
    let assignment = string.parent()?;
    if assignment.kind_str() != "assignment" || assignment.field("right")? != string {
        return None;
    }
    let left = assignment.field("left")?;
    if left.kind_str() != "identifier" {
        return None;
    }
    let name = ctx.text(left);
    let mut cursor = string.walk();
    let parts: Vec<Node<'_>> = string.named_children(&mut cursor).collect();
    let whole = match parts.as_slice() {
        [start, content, _end] => {
            // A prefix (`f"…"`, `b"…"`) changes the literal's type or meaning.
            matches!(ctx.text(*start), "\"" | "'") && literal_is_token(ctx, *content, token)
        }
        _ => false,
    };
    // `os.environ[…]` needs `import os`; adding an import is not a one-line edit.
    let safe = whole && imports_os(ctx);
    let replacement =
        safe.then(|| format!("os.environ[\"{}\"]", env_var_for(token.kind, Some(name))));
    Some((name, replacement))
}

fn imports_os(ctx: &RuleContext<'_>) -> bool {
    let Some(root) = ctx.root() else {
        return false;
    };
    let mut cursor = root.walk();
    root.named_children(&mut cursor)
        .filter(|n| n.kind_str() == "import_statement")
        .any(|import| {
            let mut c = import.walk();
            import
                .children_by_field_name("name", &mut c)
                .any(|n| n.kind_str() == "dotted_name" && ctx.text(n) == "os")
        })
}

/// The variable's own name when it says what it holds (`stripeKey` →
/// `STRIPE_KEY`); the conventional name for the format when it is as vague as
/// `token`, `key` or `t`.
fn env_var_for(kind: TokenKind, identifier: Option<&str>) -> String {
    match identifier {
        Some(name) if identifier_words(name).len() >= 2 => env_var_name(name),
        _ => kind.env_var().to_string(),
    }
}

/// `githubToken` → `GITHUB_TOKEN`; `STRIPE_KEY` stays as it is.
fn env_var_name(identifier: &str) -> String {
    identifier_words(identifier)
        .into_iter()
        .map(|w| w.to_ascii_uppercase())
        .collect::<Vec<_>>()
        .join("_")
}

#[cfg(test)]
mod tests {
    use super::{TokenKind, env_var_for};

    #[test]
    fn env_var_names() {
        let github = TokenKind::GitHubToken;
        assert_eq!(env_var_for(github, Some("githubToken")), "GITHUB_TOKEN");
        assert_eq!(env_var_for(github, Some("STRIPE_KEY")), "STRIPE_KEY");
        assert_eq!(env_var_for(github, Some("openaiApiKey")), "OPENAI_API_KEY");
        assert_eq!(env_var_for(github, Some("token")), "GITHUB_TOKEN");
        assert_eq!(env_var_for(github, Some("API")), "GITHUB_TOKEN");
        assert_eq!(env_var_for(TokenKind::SlackToken, None), "SLACK_TOKEN");
    }
}
