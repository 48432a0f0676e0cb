//! One file → one [`Layer`]: validation with a line for every problem.
//!
//! Each key is checked on its own. A bad value is reported and left out of
//! the layer, so the setting falls back to what the organisation or the
//! built-in defaults say, and every other key of the file still applies: a
//! team that mistypes one value must not silently lose its whole policy.

use std::collections::BTreeMap;

use prwarden_analyze::{ChecklistItem, Language, Pattern, Severity};

use crate::yaml::{self, Entry, Node, Value};
use crate::{
    CUSTOM_RULE_ITEMS, CUSTOM_RULE_LANGUAGES, CustomRule, Layer, MAX_INLINE_COMMENTS_LIMIT,
    PendingRule, Problem, RuleSetting, Scope, glob, suggest,
};

/// Every top-level key, in the order the docs list them.
pub(crate) const TOP_LEVEL_KEYS: [&str; 9] = [
    "scope",
    "fail_on",
    "max_inline_comments",
    "ignore",
    "rules",
    "security_paths",
    "ai_authors",
    "human_authors",
    "custom_rules",
];

const CUSTOM_RULE_KEYS: [&str; 7] = [
    "id", "language", "pattern", "message", "severity", "paths", "item",
];

const SCOPES: [&str; 2] = ["all", "ai-authored"];
const FAIL_ON: [&str; 4] = ["error", "warning", "info", "never"];
const RULE_SETTINGS: [&str; 4] = ["off", "error", "warning", "info"];
const SEVERITIES: [&str; 3] = ["error", "warning", "info"];

/// GitHub serves files up to 1 MB through the contents API; anything larger
/// is not a hand-written configuration.
const MAX_FILE_BYTES: usize = 1024 * 1024;

/// What a setting falls back to when its value is rejected, said once at the
/// end of each message so users know the effect.
const IGNORED: &str = "the setting is ignored";
const ENTRY_IGNORED: &str = "this entry is ignored";
const RULE_SKIPPED: &str = "this custom rule is skipped";

/// Parses one configuration file. `source` names it in problems (e.g.
/// `.github/prwarden.yml`, `acme/.github:.github/prwarden.yml`);
/// `known_rule_ids` are the built-in rule ids (`type-safety/explicit-any`),
/// whose checklist items are accepted as well.
///
/// Never fails: whatever cannot be used becomes a [`Problem`]. Problems are
/// sorted by line.
pub fn parse_layer(text: &str, source: &str, known_rule_ids: &[&str]) -> Layer {
    let mut cx = Cx {
        source,
        problems: Vec::new(),
    };
    let mut layer = Layer {
        source: source.to_string(),
        ..Layer::default()
    };
    if text.len() > MAX_FILE_BYTES {
        cx.problems.push(Problem {
            source: source.to_string(),
            line: None,
            key: String::new(),
            message: format!(
                "the file is larger than {} KiB; none of its settings apply",
                MAX_FILE_BYTES / 1024
            ),
        });
        layer.problems = cx.problems;
        return layer;
    }
    match yaml::load(text) {
        Err(e) => {
            let hint = if e.message.contains("anchor") || e.message.contains("alias") {
                " (a value starting with \"*\" must be quoted, e.g. \"*.generated.ts\")"
            } else {
                ""
            };
            cx.report(
                e.line,
                "",
                format!(
                    "not valid YAML: {}{hint}; none of this file's settings apply",
                    e.message
                ),
            );
        }
        Ok(doc) => {
            for (line, message) in doc.warnings {
                cx.report(line, "", message);
            }
            if let Some(root) = doc.root {
                cx.top_level(&root, known_rule_ids, &mut layer);
            }
        }
    }
    // Stable: problems on one line keep the order they were found in.
    cx.problems.sort_by_key(|p| p.line);
    layer.problems = cx.problems;
    layer
}

struct Cx<'a> {
    source: &'a str,
    problems: Vec<Problem>,
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn quoted_list(values: &[&str]) -> String {
    values
        .iter()
        .map(|v| format!("\"{v}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Cx<'_> {
    fn report(&mut self, line: usize, key: &str, message: impl Into<String>) {
        self.problems.push(Problem {
            source: self.source.to_string(),
            line: Some(line),
            key: key.to_string(),
            message: message.into(),
        });
    }

    /// The entries of a mapping whose keys are plain names, first occurrence
    /// only. Duplicates and collection keys are reported and skipped: YAML
    /// forbids the former, and which of two values was meant is a guess.
    fn entries<'n>(&mut self, entries: &'n [Entry], path: &str) -> Vec<(&'n str, &'n Entry)> {
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        let mut out = Vec::new();
        for entry in entries {
            let Some(name) = entry.key.as_deref() else {
                self.report(
                    entry.key_line,
                    path,
                    "a key must be a name, not a list or a mapping; this entry is ignored",
                );
                continue;
            };
            if let Some(first) = seen.get(name) {
                self.report(
                    entry.key_line,
                    &join(path, name),
                    format!(
                        "duplicate key \"{name}\" (first set on line {first}); this one is ignored"
                    ),
                );
                continue;
            }
            seen.insert(name, entry.key_line);
            out.push((name, entry));
        }
        out
    }

    fn unknown_key(&mut self, entry: &Entry, path: &str, name: &str, known: &[&str]) {
        self.report(
            entry.key_line,
            &join(path, name),
            format!(
                "unknown key \"{name}\"{}",
                suggest::hint(name, known.iter().copied())
            ),
        );
    }

    fn string<'n>(&mut self, node: &'n Node, key: &str, fallback: &str) -> Option<&'n str> {
        match &node.value {
            Value::Str(s) => Some(s),
            other => {
                let quote = match other {
                    Value::Int(_) | Value::Float(_) | Value::Bool(_) => {
                        " (quote it to make it one)"
                    }
                    _ => "",
                };
                self.report(
                    node.line,
                    key,
                    format!(
                        "expected a string, found {}{quote}; {fallback}",
                        other.kind()
                    ),
                );
                None
            }
        }
    }

    /// A string that must be one of `allowed`.
    fn choice<'n>(
        &mut self,
        node: &'n Node,
        key: &str,
        allowed: &[&str],
        fallback: &str,
    ) -> Option<&'n str> {
        let value = match &node.value {
            Value::Str(s) => s.as_str(),
            other => {
                self.report(
                    node.line,
                    key,
                    format!(
                        "expected one of {}, found {}; {fallback}",
                        quoted_list(allowed),
                        other.kind()
                    ),
                );
                return None;
            }
        };
        if allowed.contains(&value) {
            return Some(value);
        }
        self.report(
            node.line,
            key,
            format!(
                "\"{value}\" is not one of {}{}; {fallback}",
                quoted_list(allowed),
                suggest::hint(value, allowed.iter().copied())
            ),
        );
        None
    }

    /// A non-blank string.
    fn text<'n>(&mut self, node: &'n Node, key: &str, fallback: &str) -> Option<&'n str> {
        let s = self.string(node, key, fallback)?;
        if s.trim().is_empty() {
            self.report(node.line, key, format!("must not be empty; {fallback}"));
            return None;
        }
        Some(s)
    }

    /// The items of a list. An empty value (`ignore:` with every entry
    /// commented out) is an empty list, not a mistake.
    fn list<'n>(&mut self, node: &'n Node, key: &str, fallback: &str) -> Option<&'n [Node]> {
        match &node.value {
            Value::Seq(items) => Some(items),
            Value::Null => Some(&[]),
            Value::Str(s) => {
                self.report(
                    node.line,
                    key,
                    format!(
                        "expected a list, found a string (write it as a list: [\"{s}\"]); {fallback}"
                    ),
                );
                None
            }
            other => {
                self.report(
                    node.line,
                    key,
                    format!("expected a list, found {}; {fallback}", other.kind()),
                );
                None
            }
        }
    }

    /// A list of path globs; invalid entries are reported (ending with
    /// `entry_fallback`) and dropped. `None` when the value is not a list;
    /// otherwise the valid globs and whether every entry was valid.
    fn globs(
        &mut self,
        node: &Node,
        key: &str,
        fallback: &str,
        entry_fallback: &str,
    ) -> Option<(Vec<String>, bool)> {
        let items = self.list(node, key, fallback)?;
        let mut out = Vec::new();
        let mut all_valid = true;
        for (i, item) in items.iter().enumerate() {
            let item_key = format!("{key}[{i}]");
            let Some(pattern) = self.string(item, &item_key, entry_fallback) else {
                all_valid = false;
                continue;
            };
            match glob::check(pattern) {
                Ok(()) => out.push(pattern.to_string()),
                Err(why) => {
                    all_valid = false;
                    self.report(
                        item.line,
                        &item_key,
                        format!("invalid glob \"{pattern}\": {why}; {entry_fallback}"),
                    );
                }
            }
        }
        Some((out, all_valid))
    }

    /// A list of GitHub logins, each optionally ending in a `*` wildcard.
    fn logins(&mut self, node: &Node, key: &str) -> Vec<String> {
        let Some(items) = self.list(node, key, IGNORED) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let item_key = format!("{key}[{i}]");
            let Some(login) = self.string(item, &item_key, ENTRY_IGNORED) else {
                continue;
            };
            if is_login_pattern(login) {
                out.push(login.to_string());
            } else {
                self.report(
                    item.line,
                    &item_key,
                    format!(
                        "\"{login}\" is not a GitHub login (letters, digits, \"-\", \"_\" and \".\", \
                         optionally \"[bot]\", optionally ending in \"*\"); {ENTRY_IGNORED}"
                    ),
                );
            }
        }
        out
    }

    fn top_level(&mut self, root: &Node, known_rule_ids: &[&str], layer: &mut Layer) {
        let entries = match &root.value {
            Value::Map(entries) => entries,
            // `---` alone, or a file of comments.
            Value::Null => return,
            other => {
                self.report(
                    root.line,
                    "",
                    format!(
                        "expected a mapping of settings (key: value), found {}; none of this file's settings apply",
                        other.kind()
                    ),
                );
                return;
            }
        };
        let mut rules_node = None;
        for (name, entry) in self.entries(entries, "") {
            let node = &entry.value;
            match name {
                "scope" => {
                    layer.scope = self.choice(node, name, &SCOPES, IGNORED).map(|s| match s {
                        "ai-authored" => Scope::AiAuthored,
                        _ => Scope::All,
                    });
                }
                "fail_on" => {
                    layer.fail_on = self
                        .choice(node, name, &FAIL_ON, IGNORED)
                        .map(Severity::parse);
                }
                "max_inline_comments" => layer.max_inline_comments = self.max_comments(node),
                "ignore" | "security_paths" => {
                    let globs = self
                        .globs(node, name, IGNORED, ENTRY_IGNORED)
                        .map(|(globs, _)| globs)
                        .unwrap_or_default();
                    if name == "ignore" {
                        layer.ignore = globs;
                    } else {
                        layer.security_paths = globs;
                    }
                }
                "ai_authors" => layer.ai_authors = self.logins(node, name),
                "human_authors" => layer.human_authors = self.logins(node, name),
                "custom_rules" => self.custom_rules(node, known_rule_ids, layer),
                // After the custom rules, which `rules` may name.
                "rules" => rules_node = Some(node),
                _ => self.unknown_key(entry, "", name, &TOP_LEVEL_KEYS),
            }
        }
        if let Some(node) = rules_node {
            self.rules(node, known_rule_ids, layer);
        }
        self.conflicting_authors(entries, layer);
    }

    fn max_comments(&mut self, node: &Node) -> Option<usize> {
        let key = "max_inline_comments";
        let value = match node.value {
            Value::Int(n) => n as f64,
            // JSON Schema counts 30.0 as an integer; so does this parser, so
            // that the editor and the App never disagree.
            Value::Float(f) if f.fract() == 0.0 => f,
            ref other => {
                let what = match other {
                    Value::Float(_) => "a fractional number".to_string(),
                    Value::Str(s) => format!("a string (\"{s}\")"),
                    _ => other.kind().to_string(),
                };
                self.report(
                    node.line,
                    key,
                    format!("expected a whole number from 0 to {MAX_INLINE_COMMENTS_LIMIT}, found {what}; {IGNORED}"),
                );
                return None;
            }
        };
        if !(0.0..=MAX_INLINE_COMMENTS_LIMIT as f64).contains(&value) {
            self.report(
                node.line,
                key,
                format!("{value} is out of range (0 to {MAX_INLINE_COMMENTS_LIMIT}); {IGNORED}"),
            );
            return None;
        }
        Some(value as usize)
    }

    fn rules(&mut self, node: &Node, known_rule_ids: &[&str], layer: &mut Layer) {
        let entries = match &node.value {
            Value::Map(entries) => entries,
            Value::Null => return,
            other => {
                self.report(
                    node.line,
                    "rules",
                    format!(
                        "expected a mapping of rule ids or checklist items to off, error, warning or info, found {}; {IGNORED}",
                        other.kind()
                    ),
                );
                return;
            }
        };
        let custom: Vec<String> = layer.custom_rules.iter().map(CustomRule::rule_id).collect();
        let items: Vec<&str> = ChecklistItem::ALL
            .iter()
            .map(|i| i.id())
            .chain(CUSTOM_RULE_ITEMS)
            .collect();
        for (name, entry) in self.entries(entries, "rules") {
            let key = join("rules", name);
            let Some(setting) = self
                .choice(&entry.value, &key, &RULE_SETTINGS, ENTRY_IGNORED)
                .and_then(RuleSetting::parse)
            else {
                continue;
            };
            let known = known_rule_ids.contains(&name)
                || items.contains(&name)
                || custom.iter().any(|c| c == name);
            if known {
                layer.rules.insert(name.to_string(), setting);
                continue;
            }
            let candidates = known_rule_ids
                .iter()
                .copied()
                .chain(items.iter().copied())
                .chain(custom.iter().map(String::as_str));
            let problem = Problem {
                source: self.source.to_string(),
                line: Some(entry.key_line),
                key: key.clone(),
                message: format!(
                    "unknown rule or checklist item \"{name}\"{}; {ENTRY_IGNORED}",
                    suggest::hint(name, candidates)
                ),
            };
            // `error-handling/x` may be a custom rule of another layer; only
            // the merge can tell. It is reported here all the same, so that
            // checking this file alone flags it, and the merge withdraws the
            // problem if another layer defines the rule.
            let maybe_custom = name.split_once('/').is_some_and(|(item, id)| {
                CUSTOM_RULE_ITEMS.contains(&item) && is_custom_rule_id(id)
            });
            if maybe_custom {
                layer.pending_rules.push(PendingRule {
                    key: name.to_string(),
                    setting,
                    problem: problem.clone(),
                });
            }
            self.problems.push(problem);
        }
    }

    fn custom_rules(&mut self, node: &Node, known_rule_ids: &[&str], layer: &mut Layer) {
        let Some(items) = self.list(node, "custom_rules", IGNORED) else {
            return;
        };
        let mut first_line: BTreeMap<String, usize> = BTreeMap::new();
        for (i, item) in items.iter().enumerate() {
            let path = format!("custom_rules[{i}]");
            let Some(rule) = self.custom_rule(item, &path) else {
                continue;
            };
            if let Some(first) = first_line.get(&rule.id) {
                self.report(
                    item.line,
                    &join(&path, "id"),
                    format!(
                        "duplicate custom rule id \"{}\" (first defined on line {first}); {RULE_SKIPPED}",
                        rule.id
                    ),
                );
                continue;
            }
            let rule_id = rule.rule_id();
            if known_rule_ids.contains(&rule_id.as_str()) {
                self.report(
                    item.line,
                    &join(&path, "id"),
                    format!(
                        "\"{}\" would be reported as \"{rule_id}\", which is a built-in rule; choose another id; {RULE_SKIPPED}",
                        rule.id
                    ),
                );
                continue;
            }
            first_line.insert(rule.id.clone(), item.line);
            layer.custom_rules.push(rule);
        }
    }

    /// One custom rule, or `None` when any part of it is unusable. A rule
    /// with a bad `paths` entry is skipped rather than run everywhere: a
    /// narrower rule silently widened would flood PRs with false positives.
    fn custom_rule(&mut self, node: &Node, path: &str) -> Option<CustomRule> {
        let Value::Map(entries) = &node.value else {
            self.report(
                node.line,
                path,
                format!(
                    "expected a mapping with id, language, pattern, message and severity, found {}; {RULE_SKIPPED}",
                    node.value.kind()
                ),
            );
            return None;
        };
        let mut ok = true;
        let (mut id, mut language, mut pattern, mut message, mut severity) =
            (None, None, None, None, None);
        let mut paths = Vec::new();
        let mut item = Some(CUSTOM_RULE_ITEMS[0]);
        let mut pattern_line = node.line;
        let mut present = Vec::new();
        for (name, entry) in self.entries(entries, path) {
            let key = join(path, name);
            let value = &entry.value;
            present.push(name);
            match name {
                "id" => {
                    id = self.string(value, &key, RULE_SKIPPED);
                    if let Some(s) = id
                        && !is_custom_rule_id(s)
                    {
                        self.report(
                            value.line,
                            &key,
                            format!(
                                "\"{s}\" is not a valid id (lowercase letters, digits and \"-\" only); {RULE_SKIPPED}"
                            ),
                        );
                        id = None;
                    }
                    ok &= id.is_some();
                }
                "language" => {
                    language = self.choice(value, &key, &CUSTOM_RULE_LANGUAGES, RULE_SKIPPED);
                    ok &= language.is_some();
                }
                "pattern" => {
                    pattern_line = value.line;
                    pattern = self.text(value, &key, RULE_SKIPPED);
                    ok &= pattern.is_some();
                }
                "message" => {
                    message = self.text(value, &key, RULE_SKIPPED);
                    ok &= message.is_some();
                }
                "severity" => {
                    severity = self
                        .choice(value, &key, &SEVERITIES, RULE_SKIPPED)
                        .and_then(Severity::parse);
                    ok &= severity.is_some();
                }
                "paths" => match self.globs(value, &key, RULE_SKIPPED, RULE_SKIPPED) {
                    Some((globs, true)) => paths = globs,
                    _ => ok = false,
                },
                "item" => {
                    item = self.choice(value, &key, &CUSTOM_RULE_ITEMS, RULE_SKIPPED);
                    ok &= item.is_some();
                }
                _ => self.unknown_key(entry, path, name, &CUSTOM_RULE_KEYS),
            }
        }
        for required in ["id", "language", "pattern", "message", "severity"] {
            if !present.contains(&required) {
                self.report(
                    node.line,
                    path,
                    format!("missing required key \"{required}\"; {RULE_SKIPPED}"),
                );
                ok = false;
            }
        }
        if !ok {
            return None;
        }
        // Checked here rather than when the rule runs, so that a broken
        // pattern is a problem with its line in the summary and in
        // `prwarden config check`, never a rule that silently finds nothing.
        let language_id = language?;
        if let Some(analyzer_language) = Language::from_id(language_id)
            && let Err(err) = Pattern::compile(analyzer_language, pattern?)
        {
            self.report(
                pattern_line,
                &join(path, "pattern"),
                format!("{err}; {RULE_SKIPPED}"),
            );
            return None;
        }
        Some(CustomRule {
            id: id?.to_string(),
            language: language_id.to_string(),
            pattern: pattern?.trim().to_string(),
            message: message?.trim().to_string(),
            severity: severity?,
            paths,
            item: item?.to_string(),
        })
    }

    /// The same login forced both ways in one file is a contradiction; it is
    /// reported, and [`RepoConfig::author_override`](crate::RepoConfig::author_override)
    /// treats it as AI-authored (the stricter review).
    fn conflicting_authors(&mut self, entries: &[Entry], layer: &Layer) {
        let line = entries
            .iter()
            .find(|e| e.key.as_deref() == Some("human_authors"))
            .map_or(1, |e| e.key_line);
        for login in &layer.human_authors {
            if layer
                .ai_authors
                .iter()
                .any(|a| a.eq_ignore_ascii_case(login))
            {
                self.report(
                    line,
                    "human_authors",
                    format!("\"{login}\" is listed in both ai_authors and human_authors; it counts as AI-authored"),
                );
            }
        }
    }
}

/// `[a-z0-9-]+`
pub(crate) fn is_custom_rule_id(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// `*`, or a login (`[A-Za-z0-9][A-Za-z0-9._-]*`, optionally `[bot]`),
/// optionally followed by `*`. Kept in step with the schema's pattern.
pub(crate) fn is_login_pattern(s: &str) -> bool {
    if s == "*" {
        return true;
    }
    let s = s.strip_suffix('*').unwrap_or(s);
    let s = s.strip_suffix("[bot]").unwrap_or(s);
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}
