//! Merging layers into the effective [`RepoConfig`], and the questions a
//! review asks of it.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use prwarden_analyze::Severity;

use crate::parse::TOP_LEVEL_KEYS;
use crate::{
    CustomRule, DEFAULT_FAIL_ON, DEFAULT_MAX_INLINE_COMMENTS, Layer, RepoConfig, RuleSetting,
    Scope, suggest,
};

/// Which layers set each key; rendered into [`RepoConfig::sources`].
#[derive(Default)]
struct Sources(BTreeMap<String, Vec<String>>);

impl Sources {
    fn note(&mut self, key: &str, source: &str) {
        let list = self.0.entry(key.to_string()).or_default();
        if !list.iter().any(|s| s == source) {
            list.push(source.to_string());
        }
    }

    fn forget(&mut self, key: &str) {
        self.0.remove(key);
    }

    /// `"<key>: <source>, <source>"`, keys in the order the docs list them.
    fn render(self) -> Vec<String> {
        let order = |key: &str| {
            let top = key.split('.').next().unwrap_or(key);
            TOP_LEVEL_KEYS
                .iter()
                .position(|k| *k == top)
                .unwrap_or(TOP_LEVEL_KEYS.len())
        };
        let mut entries: Vec<_> = self.0.into_iter().collect();
        entries.sort_by(|(a, _), (b, _)| order(a).cmp(&order(b)).then_with(|| a.cmp(b)));
        entries
            .into_iter()
            .map(|(key, sources)| format!("{key}: {}", sources.join(", ")))
            .collect()
    }
}

fn extend_unique(list: &mut Vec<String>, more: &[String]) {
    for item in more {
        if !list.contains(item) {
            list.push(item.clone());
        }
    }
}

impl RepoConfig {
    /// Merges `layers`, given in increasing precedence: organisation defaults
    /// (from the owner's `.github` repository), then the repository's file.
    ///
    /// - Scalars (`scope`, `fail_on`, `max_inline_comments`): the last layer
    ///   that set one wins.
    /// - Lists (`ignore`, `security_paths`, `ai_authors`, `human_authors`,
    ///   `custom_rules`) are concatenated, without repeats; a custom rule
    ///   whose id is already defined replaces the earlier one. A login that a
    ///   later layer forces one way is removed from the earlier layers' list
    ///   forcing it the other way.
    /// - `rules` merge per key, the later layer winning. Within one layer a
    ///   rule-level key beats its item-level key; a later layer's item-level
    ///   key (`type-safety: off`) also replaces the earlier layers' settings
    ///   of that item's rules, so that a repository switching an item off
    ///   switches all of it off, whatever the organisation tuned.
    pub fn resolve(layers: &[Layer]) -> RepoConfig {
        let mut config = RepoConfig::default();
        let mut sources = Sources::default();

        // Custom rules first: `rules` keys of any layer may name them.
        for layer in layers {
            for rule in &layer.custom_rules {
                match config.custom_rules.iter_mut().find(|r| r.id == rule.id) {
                    Some(existing) => *existing = rule.clone(),
                    None => config.custom_rules.push(rule.clone()),
                }
            }
            if !layer.custom_rules.is_empty() {
                sources.note("custom_rules", &layer.source);
            }
        }
        let custom_ids: Vec<String> = config
            .custom_rules
            .iter()
            .map(CustomRule::rule_id)
            .collect();

        for layer in layers {
            let source = layer.source.as_str();
            let mut problems = layer.problems.clone();

            if let Some(scope) = layer.scope {
                config.scope = scope;
                sources.note("scope", source);
            }
            if let Some(fail_on) = layer.fail_on {
                config.fail_on = fail_on;
                sources.note("fail_on", source);
            }
            if let Some(max) = layer.max_inline_comments {
                config.max_inline_comments = max;
                sources.note("max_inline_comments", source);
            }
            for (key, list, more) in [
                ("ignore", &mut config.ignore, &layer.ignore),
                (
                    "security_paths",
                    &mut config.security_paths,
                    &layer.security_paths,
                ),
            ] {
                if !more.is_empty() {
                    extend_unique(list, more);
                    sources.note(key, source);
                }
            }

            // Remove what this layer contradicts before adding its own
            // entries, so a same-file contradiction stays visible to
            // `author_override` (which then picks AI).
            config
                .human_authors
                .retain(|h| !layer.ai_authors.iter().any(|a| a.eq_ignore_ascii_case(h)));
            config.ai_authors.retain(|a| {
                !layer
                    .human_authors
                    .iter()
                    .any(|h| h.eq_ignore_ascii_case(a))
            });
            for (key, list, more) in [
                ("ai_authors", &mut config.ai_authors, &layer.ai_authors),
                (
                    "human_authors",
                    &mut config.human_authors,
                    &layer.human_authors,
                ),
            ] {
                if !more.is_empty() {
                    extend_unique(list, more);
                    sources.note(key, source);
                }
            }

            let mut rules = layer.rules.clone();
            for pending in &layer.pending_rules {
                let reported = problems.iter().position(|p| *p == pending.problem);
                if custom_ids.contains(&pending.key) {
                    // Another layer defines it: not a problem after all.
                    if let Some(i) = reported {
                        problems.remove(i);
                    }
                    rules.insert(pending.key.clone(), pending.setting);
                } else if let Some(close) =
                    suggest::closest(&pending.key, custom_ids.iter().map(String::as_str))
                {
                    // A typo of another layer's custom rule is only
                    // recognisable now.
                    let mut problem = pending.problem.clone();
                    problem.message = format!(
                        "unknown rule or checklist item \"{}\" (did you mean \"{close}\"?); this entry is ignored",
                        pending.key
                    );
                    match reported {
                        Some(i) => problems[i] = problem,
                        None => problems.push(problem),
                    }
                } else if reported.is_none() {
                    problems.push(pending.problem.clone());
                }
            }
            for item in rules.keys().filter(|k| !k.contains('/')) {
                let prefix = format!("{item}/");
                let overridden: Vec<String> = config
                    .rules
                    .keys()
                    .filter(|k| k.starts_with(&prefix) && !rules.contains_key(*k))
                    .cloned()
                    .collect();
                for key in overridden {
                    config.rules.remove(&key);
                    sources.forget(&format!("rules.{key}"));
                }
            }
            for (key, setting) in rules {
                sources.note(&format!("rules.{key}"), source);
                config.rules.insert(key, setting);
            }

            config.problems.extend(problems);
        }
        config.sources = sources.render();
        config
    }

    /// Whether `path` (relative to the repository root) matches `ignore`:
    /// such files are never reviewed.
    pub fn is_ignored(&self, path: &str) -> bool {
        !self.ignore.is_empty() && self.globs.ignore(&self.ignore).matches(path)
    }

    /// Whether `path` matches `security_paths`. The built-in detection (by
    /// path, symbols and imports) lives with the analyzers; this only adds
    /// the repository's own list.
    pub fn is_security_path(&self, path: &str) -> bool {
        !self.security_paths.is_empty() && self.globs.security(&self.security_paths).matches(path)
    }

    /// Effective severity of a finding of `rule_id` (in checklist `item`)
    /// whose built-in severity is `default`; `None` when the rule is switched
    /// off. A rule-level setting beats an item-level one. An empty `item` is
    /// taken from the rule id's prefix.
    pub fn severity_for(&self, rule_id: &str, item: &str, default: Severity) -> Option<Severity> {
        let item = if item.is_empty() {
            rule_id.split_once('/').map_or(rule_id, |(i, _)| i)
        } else {
            item
        };
        match self.rules.get(rule_id).or_else(|| self.rules.get(item)) {
            None => Some(default),
            Some(RuleSetting::Off) => None,
            Some(RuleSetting::Severity(s)) => Some(*s),
        }
    }

    /// Whether the configuration forces `login` to count as AI-authored
    /// (`Some(true)`) or human (`Some(false)`); `None` leaves it to the
    /// evidence. Logins compare case-insensitively, as on GitHub. When both
    /// lists match, the more specific pattern wins (an exact login over a
    /// wildcard, a longer prefix over a shorter one); a tie counts as AI,
    /// which gets the stricter review.
    pub fn author_override(&self, login: &str) -> Option<bool> {
        let best = |patterns: &[String]| {
            patterns
                .iter()
                .filter_map(|p| login_specificity(p, login))
                .max()
        };
        match (best(&self.ai_authors), best(&self.human_authors)) {
            (None, None) => None,
            (Some(_), None) => Some(true),
            (None, Some(_)) => Some(false),
            (Some(ai), Some(human)) => Some(ai >= human),
        }
    }

    /// Markdown lines describing the effective configuration, each setting
    /// with the file it came from or "(default)". Meant for the check run
    /// summary; [`problems`](RepoConfig::problems) are left to the caller,
    /// which lists them with their `Display` form.
    pub fn describe(&self) -> String {
        let mut out = String::new();
        let from = |key: &str| -> String {
            let prefix = format!("{key}: ");
            match self.sources.iter().find_map(|s| s.strip_prefix(&prefix)) {
                Some(list) => {
                    let files: Vec<String> = list.split(", ").map(code).collect();
                    format!(" (from {})", files.join(", "))
                }
                None => " (default)".to_string(),
            }
        };

        let _ = writeln!(
            out,
            "- `scope`: {}{}",
            code(self.scope.as_str()),
            from("scope")
        );
        let fail_on = self.fail_on.map_or("never", Severity::as_str);
        let _ = writeln!(out, "- `fail_on`: {}{}", code(fail_on), from("fail_on"));
        let _ = writeln!(
            out,
            "- `max_inline_comments`: {}{}",
            code(&self.max_inline_comments.to_string()),
            from("max_inline_comments")
        );
        for (key, list) in [
            ("ignore", &self.ignore),
            ("security_paths", &self.security_paths),
            ("ai_authors", &self.ai_authors),
            ("human_authors", &self.human_authors),
        ] {
            if list.is_empty() {
                let _ = writeln!(out, "- `{key}`: none");
            } else {
                let items: Vec<String> = list.iter().map(|s| code(s)).collect();
                let _ = writeln!(out, "- `{key}`: {}{}", items.join(", "), from(key));
            }
        }
        if self.rules.is_empty() {
            let _ = writeln!(out, "- `rules`: built-in severities");
        } else {
            let _ = writeln!(out, "- `rules`:");
            for (key, setting) in &self.rules {
                let _ = writeln!(
                    out,
                    "  - {}: {}{}",
                    code(key),
                    code(setting.as_str()),
                    from(&format!("rules.{key}"))
                );
            }
        }
        if self.custom_rules.is_empty() {
            let _ = writeln!(out, "- `custom_rules`: none");
        } else {
            let _ = writeln!(out, "- `custom_rules`{}:", from("custom_rules"));
            for rule in &self.custom_rules {
                let paths = if rule.paths.is_empty() {
                    String::new()
                } else {
                    let p: Vec<String> = rule.paths.iter().map(|s| code(s)).collect();
                    format!(", in {}", p.join(", "))
                };
                let _ = writeln!(
                    out,
                    "  - {} ({}, {}{paths}): {}",
                    code(&rule.rule_id()),
                    rule.language,
                    rule.severity.as_str(),
                    one_line(&rule.message, 120)
                );
            }
        }
        out
    }

    /// Whether every setting is the built-in default (nothing was set).
    pub fn is_default(&self) -> bool {
        self.scope == Scope::All
            && self.fail_on == Some(DEFAULT_FAIL_ON)
            && self.max_inline_comments == DEFAULT_MAX_INLINE_COMMENTS
            && self.ignore.is_empty()
            && self.rules.is_empty()
            && self.security_paths.is_empty()
            && self.ai_authors.is_empty()
            && self.human_authors.is_empty()
            && self.custom_rules.is_empty()
    }
}

/// `(exact, prefix length)` when `pattern` matches `login`; larger is more
/// specific.
fn login_specificity(pattern: &str, login: &str) -> Option<(bool, usize)> {
    match pattern.strip_suffix('*') {
        Some(prefix) => {
            let matches = login.len() >= prefix.len()
                && login.is_char_boundary(prefix.len())
                && login[..prefix.len()].eq_ignore_ascii_case(prefix);
            matches.then_some((false, prefix.len()))
        }
        None => pattern
            .eq_ignore_ascii_case(login)
            .then_some((true, pattern.len())),
    }
}

/// Shortened to one line, so a multi-line value cannot break the list.
fn one_line(s: &str, max_chars: usize) -> String {
    let flat: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max_chars {
        return flat;
    }
    let cut: String = flat.chars().take(max_chars.saturating_sub(1)).collect();
    format!("{cut}…")
}

/// A Markdown code span that survives backticks in the value (globs and
/// keys come from the file).
fn code(s: &str) -> String {
    let s = one_line(s, 120);
    let mut longest = 0;
    let mut run = 0;
    for c in s.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    if longest == 0 {
        return format!("`{s}`");
    }
    let fence = "`".repeat(longest + 1);
    format!("{fence} {s} {fence}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_survive_backticks() {
        assert_eq!(code("a"), "`a`");
        assert_eq!(code("a`b"), "`` a`b ``");
        assert_eq!(code("x\ny"), "`x y`");
    }

    #[test]
    fn login_patterns() {
        assert_eq!(login_specificity("devin*", "Devin-AI"), Some((false, 5)));
        assert_eq!(login_specificity("Bob", "bob"), Some((true, 3)));
        assert_eq!(login_specificity("bob", "bobby"), None);
        assert_eq!(login_specificity("*", "anyone"), Some((false, 0)));
        assert_eq!(login_specificity("é*", "e"), None);
    }
}
