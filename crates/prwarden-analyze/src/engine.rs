//! The [`Analyzer`]: decides what to do with each changed file (skip it,
//! scan it as plain text, or parse it), parses it once with the grammar of
//! its language, runs every applicable rule over that one tree, and keeps the
//! findings that land on added lines.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use sha2::{Digest, Sha256};
use tree_sitter::{Node, Parser, Tree};

use crate::change::{Change, ChangeFinding, ChangeRule, ChangedPath};
use crate::context::RuleContext;
use crate::model::{ChangedFile, FileReport, Finding, Language, RuleMeta, SkipReason};
use crate::pr_facts::PrFacts;
use crate::rules::{self, Rule};

/// The result of analysing a whole change.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Analysis {
    /// Sorted by `(path, line, rule_id)`.
    pub findings: Vec<Finding>,
    /// One report per input file, in input order.
    pub files: Vec<FileReport>,
    /// Pull-request-level findings (no line), sorted by `(rule_id,
    /// fingerprint)`; filled by [`Analyzer::analyze_change`].
    pub change_findings: Vec<ChangeFinding>,
}

/// Runs a set of rules over changed files. Holds no parser state, so one
/// instance can be shared between threads.
pub struct Analyzer {
    // Shared so that a review can add its repository's custom rules to a
    // long-lived analyzer without rebuilding the built-in ones.
    rules: Vec<Arc<dyn Rule>>,
    change_rules: Vec<Arc<dyn ChangeRule>>,
}

impl Analyzer {
    /// Every built-in rule, from the one registry.
    pub fn with_builtin_rules() -> Analyzer {
        Analyzer::with_rules(rules::builtin()).and_change_rules(rules::builtin_change_rules())
    }

    /// A specific set of per-file rules (tests, or built-ins plus custom
    /// rules), without pull-request-level rules.
    pub fn with_rules(rules: Vec<Box<dyn Rule>>) -> Analyzer {
        Analyzer {
            rules: rules.into_iter().map(Arc::from).collect(),
            change_rules: Vec::new(),
        }
    }

    /// This analyzer's rules followed by `extra` (a repository's custom
    /// rules).
    pub fn with_extra_rules(&self, extra: Vec<Box<dyn Rule>>) -> Analyzer {
        Analyzer {
            rules: self
                .rules
                .iter()
                .cloned()
                .chain(extra.into_iter().map(Arc::from))
                .collect(),
            change_rules: self.change_rules.clone(),
        }
    }

    /// Adds pull-request-level rules.
    pub fn and_change_rules(mut self, change_rules: Vec<Box<dyn ChangeRule>>) -> Analyzer {
        self.change_rules
            .extend(change_rules.into_iter().map(Arc::from));
        self
    }

    /// Every rule: per-file rules first, then pull-request-level ones.
    pub fn rules(&self) -> impl Iterator<Item = &'static RuleMeta> + '_ {
        self.file_rules().chain(self.change_rules())
    }

    /// The rules that run over one file's lines.
    pub fn file_rules(&self) -> impl Iterator<Item = &'static RuleMeta> + '_ {
        self.rules.iter().map(|r| r.meta())
    }

    /// The rules that run over the pull request as a whole.
    pub fn change_rules(&self) -> impl Iterator<Item = &'static RuleMeta> + '_ {
        self.change_rules.iter().map(|r| r.meta())
    }

    /// Whether one of the enabled pull-request-level rules (`enabled` says
    /// which ids are on) could use the repository's paths at the head commit:
    /// lets a caller skip listing the repository when no rule needs it.
    pub fn change_needs_head_paths(
        &self,
        files: &[ChangedPath],
        enabled: impl Fn(&RuleMeta) -> bool,
    ) -> bool {
        self.change_rules
            .iter()
            .any(|r| enabled(r.meta()) && r.needs_head_paths(files))
    }

    /// Runs every pull-request-level rule; findings sorted by `(rule_id,
    /// fingerprint)`.
    pub fn analyze_change(&self, change: &Change<'_>) -> Vec<ChangeFinding> {
        let mut findings = Vec::new();
        for rule in &self.change_rules {
            rule.check(change, &mut findings);
        }
        findings.sort_by(|a, b| (a.rule_id, &a.fingerprint).cmp(&(b.rule_id, &b.fingerprint)));
        findings
    }

    /// The rule with this id, if the analyzer has it.
    pub fn rule(&self, id: &str) -> Option<&'static RuleMeta> {
        self.rules().find(|m| m.id == id)
    }

    /// Parses the file once, runs every applicable rule over that tree and
    /// keeps only the findings whose `line` and `end_line` are both added
    /// lines, so that every finding can be anchored on the RIGHT side of the
    /// diff.
    pub fn analyze_file(&self, file: ChangedFile<'_>) -> (FileReport, Vec<Finding>) {
        self.analyze_file_in(file, PrFacts::none())
    }

    /// [`Self::analyze_file`] for one file of a pull request whose other
    /// files said `pr`.
    pub fn analyze_file_in(
        &self,
        file: ChangedFile<'_>,
        pr: &PrFacts,
    ) -> (FileReport, Vec<Finding>) {
        let language = Language::from_path(file.path);
        let mut report = FileReport {
            path: file.path.to_string(),
            language,
            skipped: None,
            failed_rules: Vec::new(),
        };
        if let Some(reason) = skip_reason(file.path, file.content) {
            report.skipped = Some(reason);
            return (report, Vec::new());
        }

        let tree = match language {
            None => {
                report.skipped = Some(SkipReason::UnsupportedLanguage);
                None
            }
            Some(language) => match parse(language, file.content) {
                Some(tree) if !mostly_errors(tree.root_node(), file.content) => Some(tree),
                _ => {
                    report.skipped = Some(SkipReason::ParseError);
                    None
                }
            },
        };

        let ctx = RuleContext::new(file, language, tree.as_ref()).with_pr(pr);
        let mut findings = Vec::new();
        for rule in &self.rules {
            let meta = rule.meta();
            // Rules tied to a language need its tree; text rules run anyway.
            let runs = if meta.languages.is_empty() {
                true
            } else {
                tree.is_some() && meta.applies_to(language)
            };
            if runs {
                // One rule's bug on one odd file must not cost the pull
                // request its whole review: drop what that rule found here,
                // keep the rest, and say so in the file's report.
                let before = findings.len();
                let checked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    rule.check(&ctx, &mut findings)
                }));
                if checked.is_err() {
                    findings.truncate(before);
                    report.failed_rules.push(meta.id);
                }
            }
        }

        findings.sort_by(|a, b| (a.line, a.rule_id).cmp(&(b.line, b.rule_id)));
        disambiguate_fingerprints(&mut findings);
        findings
            .retain(|f| f.line <= f.end_line && ctx.is_added(f.line) && ctx.is_added(f.end_line));
        (report, findings)
    }

    /// All files; findings sorted by `(path, line, rule_id)`; one
    /// [`FileReport`] per input file.
    pub fn analyze(&self, files: &[ChangedFile<'_>]) -> Analysis {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        self.analyze_with_threads(files, threads)
    }

    /// [`Self::analyze`] on at most `threads` threads. Files are handed out
    /// one at a time from a shared counter, so one huge file does not leave
    /// the other threads idle behind a fixed split. The result does not
    /// depend on the thread count.
    pub fn analyze_with_threads(&self, files: &[ChangedFile<'_>], threads: usize) -> Analysis {
        let threads = threads.clamp(1, files.len().max(1));
        let pr = PrFacts::collect(files);
        let pr = &pr;
        let mut results: Vec<(usize, FileReport, Vec<Finding>)> = if threads == 1 {
            files
                .iter()
                .enumerate()
                .map(|(i, file)| {
                    let (report, findings) = self.analyze_file_in(*file, pr);
                    (i, report, findings)
                })
                .collect()
        } else {
            let next = AtomicUsize::new(0);
            std::thread::scope(|scope| {
                let workers: Vec<_> = (0..threads)
                    .map(|_| {
                        scope.spawn(|| {
                            let mut done = Vec::new();
                            loop {
                                let i = next.fetch_add(1, Ordering::Relaxed);
                                let Some(file) = files.get(i) else {
                                    return done;
                                };
                                let (report, findings) = self.analyze_file_in(*file, pr);
                                done.push((i, report, findings));
                            }
                        })
                    })
                    .collect();
                workers
                    .into_iter()
                    // Rules' panics are caught per file; anything else that
                    // panics is surfaced on the caller's thread instead of
                    // losing that thread's files.
                    .flat_map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                    .collect()
            })
        };
        results.sort_by_key(|(i, _, _)| *i);
        let mut analysis = Analysis::default();
        for (_, report, findings) in results {
            analysis.files.push(report);
            analysis.findings.extend(findings);
        }
        analysis
            .findings
            .sort_by(|a, b| (&a.path, a.line, a.rule_id).cmp(&(&b.path, b.line, b.rule_id)));
        analysis
    }
}

/// Two findings of one rule on identical code in the same symbol would share a
/// fingerprint, and the App would treat the second as already posted. The
/// n-th repeat (in file order, counted over the whole file so that the set of
/// added lines does not matter) gets a fingerprint derived from the first and
/// `n`.
fn disambiguate_fingerprints(findings: &mut [Finding]) {
    let mut seen: HashMap<String, u32> = HashMap::new();
    for finding in findings {
        let count = seen.entry(finding.fingerprint.clone()).or_insert(0);
        if *count > 0 {
            let mut hasher = Sha256::new();
            hasher.update(finding.fingerprint.as_bytes());
            hasher.update([0u8]);
            hasher.update(count.to_string().as_bytes());
            let mut hex = hex::encode(hasher.finalize());
            hex.truncate(16);
            finding.fingerprint = hex;
        }
        *count += 1;
    }
}

/// Parses `source` with the grammar of `language`; `None` only when the parser
/// gives up (it recovers from syntax errors with ERROR nodes).
pub fn parse(language: Language, source: &str) -> Option<Tree> {
    let grammar: tree_sitter::Language = match language {
        Language::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
        // TSX needs its own grammar: `<T>x` casts and JSX are ambiguous.
        Language::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
        Language::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
        Language::Python => tree_sitter_python::LANGUAGE.into(),
        Language::Go => tree_sitter_go::LANGUAGE.into(),
        Language::Rust => tree_sitter_rust::LANGUAGE.into(),
        Language::Java => tree_sitter_java::LANGUAGE.into(),
        Language::Sql => tree_sitter_sequel::LANGUAGE.into(),
    };
    // One parser per grammar per thread: `Parser::new` allocates its stacks
    // and `set_language` checks the grammar, on every file otherwise.
    thread_local! {
        static PARSERS: std::cell::RefCell<Vec<(Language, Parser)>> =
            const { std::cell::RefCell::new(Vec::new()) };
    }
    PARSERS.with(|parsers| {
        let mut parsers = parsers.borrow_mut();
        let at = match parsers.iter().position(|(l, _)| *l == language) {
            Some(at) => at,
            None => {
                let mut parser = Parser::new();
                parser.set_language(&grammar).ok()?;
                parsers.push((language, parser));
                parsers.len() - 1
            }
        };
        let parser = &mut parsers[at].1;
        // A parse that gave up leaves state behind; start clean.
        parser.reset();
        parser.parse(source, None)
    })
}

/// A tree whose error nodes cover most of the file says more about the parser
/// than about the code; rules would only report noise on it.
pub(crate) fn mostly_errors(root: Node<'_>, source: &str) -> bool {
    if !root.has_error() {
        return false;
    }
    fn error_bytes(node: Node<'_>) -> usize {
        if node.is_error() {
            return node.byte_range().len();
        }
        if !node.has_error() {
            return 0;
        }
        let mut cursor = node.walk();
        node.children(&mut cursor).map(error_bytes).sum()
    }
    let meaningful = source.trim().len().max(1);
    error_bytes(root) * 2 > meaningful
}

/// Why a file is not analysed at all, judged from its path and first lines.
pub(crate) fn skip_reason(path: &str, content: &str) -> Option<SkipReason> {
    let segments: Vec<&str> = path.split('/').collect();
    let (dirs, file_name) = segments.split_at(segments.len().saturating_sub(1));
    let file_name = file_name.first().copied().unwrap_or(path);

    const VENDORED_DIRS: &[&str] = &[
        "node_modules",
        "vendor",
        "third_party",
        "bower_components",
        ".yarn",
    ];
    if dirs.iter().any(|d| VENDORED_DIRS.contains(d)) {
        return Some(SkipReason::Vendored);
    }

    const LOCK_FILES: &[&str] = &[
        "package-lock.json",
        "npm-shrinkwrap.json",
        "yarn.lock",
        "pnpm-lock.yaml",
        "bun.lockb",
        "Cargo.lock",
        "poetry.lock",
        "Pipfile.lock",
        "uv.lock",
        "composer.lock",
        "Gemfile.lock",
        "go.sum",
    ];
    if LOCK_FILES.contains(&file_name) {
        return Some(SkipReason::LockFile);
    }

    if file_name.contains(".min.") {
        return Some(SkipReason::Minified);
    }
    if dirs.iter().any(|d| matches!(*d, "dist" | "__generated__"))
        || file_name.contains(".generated.")
        || file_name.ends_with("_pb2.py")
        || file_name.ends_with("_pb2_grpc.py")
        || file_name.ends_with(".pb.go")
    {
        return Some(SkipReason::Generated);
    }
    if has_generated_marker(content) {
        return Some(SkipReason::Generated);
    }
    if looks_minified(content) {
        return Some(SkipReason::Minified);
    }
    None
}

/// The conventional markers tools write in the first lines of their output.
fn has_generated_marker(content: &str) -> bool {
    content.lines().take(5).any(|line| {
        let lower = line.to_ascii_lowercase();
        line.contains("@generated")
            || line.contains("DO NOT EDIT")
            || lower.contains("code generated by")
            || lower.contains("auto-generated")
            || lower.contains("autogenerated")
            || lower.contains("automatically generated")
    })
}

/// Bundler output keeps whole modules on a few very long lines.
fn looks_minified(content: &str) -> bool {
    let lines = content.lines().count().max(1);
    content.len() > 5_000 && content.len() / lines > 500
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_by_path() {
        let cases = [
            ("node_modules/left-pad/index.js", Some(SkipReason::Vendored)),
            ("app/vendor/lib.py", Some(SkipReason::Vendored)),
            ("package-lock.json", Some(SkipReason::LockFile)),
            ("web/yarn.lock", Some(SkipReason::LockFile)),
            ("Cargo.lock", Some(SkipReason::LockFile)),
            ("static/app.min.js", Some(SkipReason::Minified)),
            ("dist/index.js", Some(SkipReason::Generated)),
            ("src/api.generated.ts", Some(SkipReason::Generated)),
            ("proto/user_pb2.py", Some(SkipReason::Generated)),
            ("src/vendors.ts", None),
            ("src/distance.ts", None),
        ];
        for (path, expected) in cases {
            assert_eq!(skip_reason(path, "const a = 1;\n"), expected, "{path}");
        }
    }

    #[test]
    fn skips_by_generated_marker_and_minified_content() {
        assert_eq!(
            skip_reason("src/a.ts", "// Code generated by protoc. DO NOT EDIT.\nx\n"),
            Some(SkipReason::Generated)
        );
        assert_eq!(
            skip_reason("src/a.py", "# @generated by tool\n"),
            Some(SkipReason::Generated)
        );
        let minified = "var a=1;".repeat(2_000);
        assert_eq!(
            skip_reason("src/a.js", &minified),
            Some(SkipReason::Minified)
        );
        // The marker only counts at the top of the file.
        let late = format!("{}// DO NOT EDIT\n", "x\n".repeat(10));
        assert_eq!(skip_reason("src/a.ts", &late), None);
    }

    #[test]
    fn mostly_broken_files_are_parse_errors() {
        let garbage = "}}}} ))) ((( %%% $$$ @@@ !!! ]]]] [[[ }}}} ))) ((( %%%";
        let tree = parse(Language::TypeScript, garbage).unwrap();
        assert!(mostly_errors(tree.root_node(), garbage));
        let mostly_fine =
            "const a = 1;\nconst b = 2;\nfunction f() { return a + b; }\nconst c = ;\n";
        let tree = parse(Language::TypeScript, mostly_fine).unwrap();
        assert!(tree.root_node().has_error());
        assert!(!mostly_errors(tree.root_node(), mostly_fine));
    }
}
