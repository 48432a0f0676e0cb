//! The signal table: `signals.yml`, compiled into the binary and parsed once.
//!
//! Parsing validates everything a typo could break (unknown keys, one matcher
//! per signal, family/tier consistency, regexes) so that a bad entry fails the
//! unit tests instead of silently never matching in production.

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::{Regex, RegexBuilder};
use serde::Deserialize;

const SIGNALS_YML: &str = include_str!("../signals.yml");

static REGISTRY: LazyLock<Registry> = LazyLock::new(|| {
    // The file is a compile-time asset checked by `tests::builtin_table_is_valid`,
    // so a failure here means the tests were not run.
    Registry::parse(SIGNALS_YML).unwrap_or_else(|e| panic!("invalid signals.yml: {e}"))
});

pub(crate) fn registry() -> &'static Registry {
    &REGISTRY
}

/// The families an [`crate::Evidence`] may carry, besides "override".
pub(crate) const FAMILIES: [&str; 8] = [
    "pr author",
    "app",
    "commit author",
    "commit trailer",
    "pr body",
    "branch",
    "label",
    "assist",
];

pub(crate) struct Registry {
    pub signals: Vec<Signal>,
    pub lookalikes: Vec<Lookalike>,
}

pub(crate) struct Signal {
    pub id: String,
    pub tool: String,
    pub family: String,
    pub tier: u8,
    pub weight: f32,
    pub matcher: Matcher,
}

pub(crate) enum Matcher {
    PrAuthor(AccountMatch),
    App(Vec<String>),
    CommitIdentity(IdentityMatch),
    Coauthor(IdentityMatch),
    Message(Regex),
    Body(Regex),
    Branch(Regex),
    Label(Vec<String>),
}

impl Matcher {
    /// The family a signal with this matcher must declare (tier 4 aside).
    fn family(&self) -> &'static str {
        match self {
            Matcher::PrAuthor(_) => "pr author",
            Matcher::App(_) => "app",
            Matcher::CommitIdentity(_) => "commit author",
            Matcher::Coauthor(_) | Matcher::Message(_) => "commit trailer",
            Matcher::Body(_) => "pr body",
            Matcher::Branch(_) => "branch",
            Matcher::Label(_) => "label",
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AccountMatch {
    #[serde(default)]
    pub bots: Vec<String>,
    #[serde(default)]
    pub users: Vec<String>,
    #[serde(default)]
    pub ids: Vec<u64>,
}

/// How well a PR author matched an [`AccountMatch`]; better kinds win when
/// several agents match, because bare logins are ambiguous: REST calls the
/// coding agent `Copilot` while GraphQL calls the `copilot[bot]` app `copilot`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum AccountQuality {
    /// The login only matches without `app/` and `[bot]`.
    Normalized = 1,
    /// The login is exactly one of the entry's.
    Exact = 2,
    /// The numeric account id, which survives renames.
    Id = 3,
}

impl AccountMatch {
    /// Whether the PR author is one of these accounts, and how surely.
    ///
    /// Bot logins also match their `app/x` search form and, when GitHub says
    /// the account is a Bot, the bare `x` that GraphQL returns. A *User* called
    /// `cursor` is somebody else than the `cursor[bot]` app.
    pub fn matches(&self, login: &str, kind: &str, id: Option<u64>) -> Option<AccountQuality> {
        if id.is_some_and(|id| self.ids.contains(&id)) {
            return Some(AccountQuality::Id);
        }
        let login = login.trim();
        if self
            .users
            .iter()
            .chain(&self.bots)
            .any(|u| u.eq_ignore_ascii_case(login))
        {
            // Exact bot logins need no type check: only apps have `[bot]`,
            // and the bare ones listed (`Copilot`) are reserved by GitHub.
            return Some(AccountQuality::Exact);
        }
        let lower = login.to_ascii_lowercase();
        let is_bot = kind.eq_ignore_ascii_case("bot")
            || lower.ends_with("[bot]")
            || lower.starts_with("app/");
        (is_bot
            && self
                .bots
                .iter()
                .any(|b| bare_login(b) == bare_login(&lower)))
        .then_some(AccountQuality::Normalized)
    }
}

/// `login` lower-cased without `app/` and `[bot]`.
fn bare_login(login: &str) -> String {
    let lower = login.trim().to_ascii_lowercase();
    let lower = lower.strip_prefix("app/").unwrap_or(&lower);
    lower.strip_suffix("[bot]").unwrap_or(lower).to_owned()
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIdentity {
    #[serde(default)]
    emails: Vec<String>,
    #[serde(default)]
    noreply_ids: Vec<u64>,
    #[serde(default)]
    logins: Vec<String>,
    name: Option<String>,
    not_name: Option<String>,
    roles: Option<Vec<Role>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Role {
    Author,
    Committer,
}

pub(crate) struct IdentityMatch {
    emails: Vec<String>,
    noreply_ids: Vec<u64>,
    logins: Vec<String>,
    name: Option<Regex>,
    not_name: Option<Regex>,
    pub roles: Vec<Role>,
}

impl IdentityMatch {
    fn compile(raw: RawIdentity, roles_allowed: bool) -> Result<Self, String> {
        if raw.emails.is_empty()
            && raw.noreply_ids.is_empty()
            && raw.logins.is_empty()
            && raw.name.is_none()
        {
            return Err("identity needs emails, noreply_ids, logins or name".into());
        }
        if raw.roles.is_some() && !roles_allowed {
            return Err("roles only apply to commit_identity".into());
        }
        let emails: Vec<String> = raw.emails.iter().map(|e| e.to_ascii_lowercase()).collect();
        if let Some(bad) = emails
            .iter()
            .find(|e| !e.contains('@') || e.starts_with('@'))
        {
            // Whole domains would match vendor employees (reference §2).
            return Err(format!("`{bad}` is not an exact email address"));
        }
        Ok(IdentityMatch {
            emails,
            noreply_ids: raw.noreply_ids,
            logins: raw.logins,
            name: raw.name.as_deref().map(compile).transpose()?,
            not_name: raw.not_name.as_deref().map(compile).transpose()?,
            roles: raw
                .roles
                .unwrap_or_else(|| vec![Role::Author, Role::Committer]),
        })
    }

    /// Whether a (display name, email, GitHub login) identity matches. The
    /// address-like criteria are alternatives; the name ones narrow them down.
    pub fn matches(&self, name: Option<&str>, email: Option<&str>, login: Option<&str>) -> bool {
        let name = name.map(str::trim).unwrap_or_default();
        let email = email.map(|e| e.trim().to_ascii_lowercase());
        let has_address =
            !self.emails.is_empty() || !self.noreply_ids.is_empty() || !self.logins.is_empty();
        let address_ok = !has_address
            || email.as_deref().is_some_and(|e| {
                self.emails.iter().any(|x| x == e)
                    || noreply_id(e).is_some_and(|id| self.noreply_ids.contains(&id))
            })
            || login.is_some_and(|l| self.logins.iter().any(|x| x.eq_ignore_ascii_case(l.trim())));
        address_ok
            && self.name.as_ref().is_none_or(|r| r.is_match(name))
            && !self.not_name.as_ref().is_some_and(|r| r.is_match(name))
    }
}

/// The account id in a GitHub noreply address, `<id>+<login>@users.noreply.github.com`.
/// Matching on it survives bot renames.
fn noreply_id(email: &str) -> Option<u64> {
    let local = email.strip_suffix("@users.noreply.github.com")?;
    let (id, _) = local.split_once('+')?;
    id.parse().ok()
}

pub(crate) struct Lookalike {
    pub automation: bool,
    pub quotes_upstream: bool,
    logins: Vec<String>,
    ids: Vec<u64>,
    pub strip: Option<(Regex, Option<Regex>)>,
}

impl Lookalike {
    /// Whether an account (PR author or commit author) is this look-alike.
    pub fn is_account(&self, login: Option<&str>, id: Option<u64>) -> bool {
        id.is_some_and(|id| self.ids.contains(&id))
            || login.is_some_and(|l| {
                let l = bare_login(l);
                self.logins.iter().any(|x| bare_login(x) == l)
            })
    }

    /// Whether a commit email is this look-alike's noreply address,
    /// `[<id>+]<login>@users.noreply.github.com`.
    pub fn is_email(&self, email: Option<&str>) -> bool {
        let Some(email) = email.map(|e| e.trim().to_ascii_lowercase()) else {
            return false;
        };
        let Some(local) = email.strip_suffix("@users.noreply.github.com") else {
            return false;
        };
        match local.split_once('+') {
            Some((id, login)) => self.is_account(Some(login), id.parse().ok()),
            None => self.is_account(Some(local), None),
        }
    }
}

// ── Raw file format ─────────────────────────────────────────────────────────

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    version: u32,
    signals: Vec<RawSignal>,
    lookalikes: Vec<RawLookalike>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSignal {
    id: String,
    tool: String,
    family: String,
    tier: u8,
    weight: f32,
    pr_author: Option<AccountMatch>,
    app: Option<Vec<String>>,
    commit_identity: Option<RawIdentity>,
    coauthor: Option<RawIdentity>,
    trailer: Option<String>,
    body: Option<String>,
    branch: Option<String>,
    label: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLookalike {
    id: String,
    kind: String,
    #[allow(dead_code)] // documentation for readers of the table
    what: String,
    logins: Vec<String>,
    #[serde(default)]
    ids: Vec<u64>,
    #[serde(default)]
    quotes_upstream: bool,
    strip: Option<RawStrip>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStrip {
    begin: String,
    end: Option<String>,
}

/// Every table regex is case-insensitive and line-oriented; CRLF text works
/// even though bodies are normalised to LF before matching.
fn compile(pattern: &str) -> Result<Regex, String> {
    RegexBuilder::new(pattern)
        .case_insensitive(true)
        .multi_line(true)
        .crlf(true)
        .build()
        .map_err(|e| format!("regex `{pattern}`: {e}"))
}

impl Registry {
    pub fn parse(yaml: &str) -> Result<Self, String> {
        let raw: RawFile = serde_yaml::from_str(yaml).map_err(|e| e.to_string())?;
        if raw.version != 1 {
            return Err(format!("unsupported version {}", raw.version));
        }
        let mut seen = HashSet::new();
        let mut signals = Vec::with_capacity(raw.signals.len());
        for s in raw.signals {
            let id = s.id.clone();
            if !seen.insert(id.clone()) {
                return Err(format!("duplicate signal id `{id}`"));
            }
            signals.push(Signal::compile(s).map_err(|e| format!("signal `{id}`: {e}"))?);
        }
        let mut lookalikes = Vec::with_capacity(raw.lookalikes.len());
        for l in raw.lookalikes {
            let automation = match l.kind.as_str() {
                "automation" => true,
                "reviewer" => false,
                other => return Err(format!("look-alike `{}`: unknown kind `{other}`", l.id)),
            };
            let strip = match l.strip {
                Some(s) => {
                    let begin = compile(&s.begin)?;
                    if begin.is_match("") {
                        // It would strip every body from its first character.
                        return Err(format!(
                            "look-alike `{}`: strip begin matches nothing",
                            l.id
                        ));
                    }
                    Some((begin, s.end.as_deref().map(compile).transpose()?))
                }
                None => None,
            };
            lookalikes.push(Lookalike {
                automation,
                quotes_upstream: l.quotes_upstream,
                logins: l.logins,
                ids: l.ids,
                strip,
            });
        }
        Ok(Registry {
            signals,
            lookalikes,
        })
    }
}

impl Signal {
    fn compile(s: RawSignal) -> Result<Self, String> {
        let mut matchers = Vec::new();
        if let Some(m) = s.pr_author {
            if m.bots.is_empty() && m.users.is_empty() && m.ids.is_empty() {
                return Err("pr_author needs bots, users or ids".into());
            }
            matchers.push(Matcher::PrAuthor(m));
        }
        if let Some(slugs) = s.app {
            matchers.push(Matcher::App(slugs));
        }
        if let Some(raw) = s.commit_identity {
            matchers.push(Matcher::CommitIdentity(IdentityMatch::compile(raw, true)?));
        }
        if let Some(raw) = s.coauthor {
            matchers.push(Matcher::Coauthor(IdentityMatch::compile(raw, false)?));
        }
        if let Some(p) = &s.trailer {
            matchers.push(Matcher::Message(compile(p)?));
        }
        if let Some(p) = &s.body {
            matchers.push(Matcher::Body(compile(p)?));
        }
        if let Some(p) = &s.branch {
            matchers.push(Matcher::Branch(compile(p)?));
        }
        if let Some(names) = s.label {
            matchers.push(Matcher::Label(names));
        }
        if matchers.len() != 1 {
            return Err(format!("needs exactly one matcher, has {}", matchers.len()));
        }
        let matcher = matchers.remove(0);
        if !(1..=4).contains(&s.tier) {
            return Err(format!("tier {} is not 1–4", s.tier));
        }
        if !(s.weight > 0.0 && s.weight <= 1.0) {
            return Err(format!("weight {} is not in (0, 1]", s.weight));
        }
        if !FAMILIES.contains(&s.family.as_str()) {
            return Err(format!("unknown family `{}`", s.family));
        }
        // Tier 4 is "assist" wherever it is found; otherwise the family says
        // where the evidence was found, which the matcher fixes.
        let expected = if s.tier == 4 {
            "assist"
        } else {
            matcher.family()
        };
        if s.family != expected {
            return Err(format!("family `{}` should be `{expected}`", s.family));
        }
        // A PR author or app is an identity by definition; classification
        // treats it as decisive, so it must not hide in a weaker tier.
        if matches!(matcher, Matcher::PrAuthor(_) | Matcher::App(_)) && s.tier != 1 {
            return Err("pr_author and app signals are tier 1".into());
        }
        if s.tool.trim().is_empty() {
            return Err("empty tool".into());
        }
        Ok(Signal {
            id: s.id,
            tool: s.tool,
            family: s.family,
            tier: s.tier,
            weight: s.weight,
            matcher,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_table_is_valid() {
        let reg =
            Registry::parse(SIGNALS_YML).expect("signals.yml parses and every regex compiles");
        assert!(reg.signals.len() > 100, "{} signals", reg.signals.len());
        for s in &reg.signals {
            assert!(FAMILIES.contains(&s.family.as_str()), "{}", s.id);
            let (tool_part, _) = s.id.split_once('.').expect("ids are `tool.signal`");
            assert!(!tool_part.is_empty(), "{}", s.id);
        }
    }

    #[test]
    fn automation_lookalikes_are_never_agents() {
        // A dependency bot in the agent registry would make every Dependabot
        // PR "agent-authored" (reference §2). Reviewers may also author PRs.
        let reg = registry();
        for l in reg.lookalikes.iter().filter(|l| l.automation) {
            for s in &reg.signals {
                if let Matcher::PrAuthor(m) = &s.matcher {
                    for login in &l.logins {
                        assert!(
                            m.matches(login, "Bot", None).is_none()
                                && m.matches(login, "User", None).is_none(),
                            "{} matches look-alike {login}",
                            s.id
                        );
                    }
                    for id in &l.ids {
                        assert!(!m.ids.contains(id), "{} lists look-alike id {id}", s.id);
                    }
                }
            }
        }
    }

    #[test]
    fn rejects_malformed_entries() {
        let one = |body: &str| {
            Registry::parse(&format!(
                "version: 1\nlookalikes: []\nsignals:\n  - id: x.y\n    tool: X\n{body}"
            ))
        };
        assert!(
            one("    family: branch\n    tier: 3\n    weight: 0.4\n    branch: '^x/'\n").is_ok()
        );
        // Two matchers.
        assert!(one("    family: branch\n    tier: 3\n    weight: 0.4\n    branch: '^x/'\n    label: [x]\n").is_err());
        // Wrong family for the matcher.
        assert!(
            one("    family: label\n    tier: 3\n    weight: 0.4\n    branch: '^x/'\n").is_err()
        );
        // Assist must be tier 4 and vice versa.
        assert!(
            one("    family: assist\n    tier: 2\n    weight: 0.4\n    branch: '^x/'\n").is_err()
        );
        // Bad regex.
        assert!(
            one("    family: branch\n    tier: 3\n    weight: 0.4\n    branch: '^x/('\n").is_err()
        );
        // Domain instead of an address.
        assert!(one("    family: commit author\n    tier: 1\n    weight: 0.9\n    commit_identity: {emails: ['@openai.com']}\n").is_err());
        // Unknown key (a typo would otherwise silently disable the matcher).
        assert!(
            one("    family: branch\n    tier: 3\n    weight: 0.4\n    branchh: '^x/'\n").is_err()
        );
        // A PR author is always tier 1.
        assert!(one("    family: pr author\n    tier: 2\n    weight: 0.4\n    pr_author: {bots: ['x[bot]']}\n").is_err());
    }

    #[test]
    fn bot_logins_do_not_match_same_named_users() {
        let m = AccountMatch {
            bots: vec!["cursor[bot]".into(), "Copilot".into()],
            ..AccountMatch::default()
        };
        let q = |login, kind| m.matches(login, kind, None);
        assert_eq!(q("cursor[bot]", "Bot"), Some(AccountQuality::Exact));
        assert_eq!(
            q("cursor", "Bot"),
            Some(AccountQuality::Normalized),
            "GraphQL drops [bot]"
        );
        assert_eq!(
            q("app/cursor", ""),
            Some(AccountQuality::Normalized),
            "search form"
        );
        assert_eq!(q("cursor", "User"), None);
        assert_eq!(q("Copilot", "Bot"), Some(AccountQuality::Exact));
        assert_eq!(q("copilot[bot]", "Bot"), Some(AccountQuality::Normalized));
    }

    #[test]
    fn noreply_ids_are_parsed() {
        assert_eq!(
            noreply_id("198982749+copilot@users.noreply.github.com"),
            Some(198982749)
        );
        assert_eq!(noreply_id("alice@users.noreply.github.com"), None);
        assert_eq!(noreply_id("198982749+copilot@example.com"), None);
    }
}
