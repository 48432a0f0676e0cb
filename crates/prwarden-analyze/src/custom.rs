//! Custom rules (SPEC §5): a team's own structural patterns, ast-grep style,
//! compiled with the grammar of their language and run as ordinary
//! [`Rule`]s on the tree the engine already parsed.
//!
//! This module owns the pattern syntax and the matcher:
//!
//! - `$NAME` matches any single named node; the same name used twice must
//!   match the same code (whitespace aside). `$_` and `$_NAME` match without
//!   that constraint.
//! - `$$$NAME` (or `$$$`) matches zero or more sibling nodes.
//! - Everything else matches itself: inner nodes by kind, leaves by text.
//!   Comments are ignored, and punctuation the pattern leaves out (a trailing
//!   `;`) may be present in the code.
//!
//! A pattern is one expression, statement or declaration. Patterns that are
//! not valid code where they must be written (Go and Java statements, Rust
//! expressions) are retried inside a function body.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use tree_sitter::Node;

use crate::context::RuleContext;
use crate::engine::parse;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::{Rule, quote};
use crate::syntax::NodeExt as _;
use crate::syntax::{is_comment, preorder};

/// Why a pattern cannot be used. Reported as a configuration problem; the
/// rule is skipped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PatternError {
    Empty,
    /// The pattern is not valid code in the language, even inside a function.
    Syntax {
        language: &'static str,
    },
    /// The pattern parses, but as several nodes (e.g. two statements).
    NotOneNode {
        language: &'static str,
    },
    /// The pattern is a lone metavariable, which would flag every node.
    OnlyMetavariable,
    /// `$` not followed by a metavariable name (`$1`, `$x`).
    BadMetavariable(String),
}

impl std::fmt::Display for PatternError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PatternError::Empty => write!(f, "the pattern is empty"),
            PatternError::Syntax { language } => {
                write!(f, "the pattern does not parse as {language} code")
            }
            PatternError::NotOneNode { language } => write!(
                f,
                "the pattern must be one {language} expression, statement or declaration"
            ),
            PatternError::OnlyMetavariable => write!(
                f,
                "the pattern is only a metavariable and would match every node"
            ),
            PatternError::BadMetavariable(found) => write!(
                f,
                "\"{found}\" is not a metavariable: write $NAME, $$$NAME or $$$ with NAME in A-Z, 0-9 and _"
            ),
        }
    }
}

impl std::error::Error for PatternError {}

#[derive(Clone, Debug, PartialEq, Eq)]
enum PatNode {
    /// `$NAME`; `None` for `$_…`, which binds nothing.
    Single(Option<String>),
    /// `$$$NAME`; `None` for `$$$` and `$$$_…`.
    Many(Option<String>),
    Leaf {
        kind: String,
        text: String,
        /// Punctuation and keywords are unnamed: a separator next to an
        /// ellipsis that matches nothing may be absent from the code.
        named: bool,
    },
    Inner {
        kind: String,
        children: Vec<PatNode>,
    },
}

/// A compiled structural pattern. Owns no tree-sitter state, so rules built
/// from it are `Send + Sync` and cheap to keep.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    language: Language,
    root: PatNode,
}

/// Placeholders are plain identifiers in every supported grammar, unlike `$`
/// (not an identifier character in Python, Go or Rust).
const PLACEHOLDER: &str = "prwmv";

impl Pattern {
    pub fn compile(language: Language, source: &str) -> Result<Pattern, PatternError> {
        let source = source.trim();
        if source.is_empty() {
            return Err(PatternError::Empty);
        }
        let (code, vars) = replace_metavariables(source)?;
        let language_name = language.name();
        let mut not_one_node = false;
        for (prefix, suffix) in wrappers(language) {
            let text = format!("{prefix}{code}{suffix}");
            let Some(tree) = parse(language, &text) else {
                continue;
            };
            if tree.root_node().has_error() {
                continue;
            }
            let (start, end) = (prefix.len(), prefix.len() + code.len());
            let Some(node) = outermost_exact(tree.root_node(), start, end) else {
                not_one_node = true;
                continue;
            };
            let node = unwrap_single_child(node, &text);
            if node.parent().is_none() {
                // Still the whole file: several statements side by side.
                not_one_node = true;
                continue;
            }
            let root = build(node, &text, &vars);
            if matches!(root, PatNode::Single(_) | PatNode::Many(_)) {
                return Err(PatternError::OnlyMetavariable);
            }
            return Ok(Pattern { language, root });
        }
        Err(if not_one_node {
            PatternError::NotOneNode {
                language: language_name,
            }
        } else {
            PatternError::Syntax {
                language: language_name,
            }
        })
    }

    pub fn language(&self) -> Language {
        self.language
    }

    /// Every node under `root` the pattern matches, in document order.
    pub fn find_all<'t>(&self, root: Node<'t>, source: &str) -> Vec<Node<'t>> {
        preorder(root)
            .filter(|node| {
                // Inside a pattern, leaves compare by text (an identifier may
                // be a property or type identifier in the code); a pattern
                // that is one token must also have the kind, or `p` would
                // match the text of a string `"p"`.
                if let PatNode::Leaf { kind, .. } = &self.root
                    && node.kind_str() != kind
                {
                    return false;
                }
                let mut env = HashMap::new();
                match_node(&self.root, *node, source, &mut env)
            })
            .collect()
    }
}

/// Where a pattern may be tried, in order: as written, then inside a function
/// body for languages that do not accept statements at the top level.
fn wrappers(language: Language) -> &'static [(&'static str, &'static str)] {
    match language {
        Language::Go => &[
            ("", ""),
            ("package p\nfunc _() {\n", "\n}\n"),
            ("package p\nvar _ = ", "\n"),
        ],
        Language::Java => &[
            ("", ""),
            ("class P { void p() {\n", "\n} }\n"),
            ("class P { void p() {\n", ";\n} }\n"),
            ("class P {\n", "\n}\n"),
        ],
        Language::Rust => &[("", ""), ("fn p() {\n", "\n}\n")],
        _ => &[("", "")],
    }
}

/// `$$$NAME`, `$$$`, `$NAME` → `prwmv<i>` placeholders; the table maps each
/// placeholder back to what it stands for.
fn replace_metavariables(source: &str) -> Result<(String, HashMap<String, PatNode>), PatternError> {
    let mut out = String::with_capacity(source.len());
    let mut vars = HashMap::new();
    let mut rest = source;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        let many = after.starts_with("$$$");
        let name_start = if many { 3 } else { 1 };
        let name_len = after[name_start..]
            .bytes()
            .take_while(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_')
            .count();
        let name = &after[name_start..name_start + name_len];
        if !many && (name.is_empty() || name.as_bytes()[0].is_ascii_digit()) {
            let found: String = after.chars().take(4).collect();
            return Err(PatternError::BadMetavariable(found));
        }
        let binding = (!name.is_empty() && !name.starts_with('_')).then(|| name.to_string());
        let placeholder = format!("{PLACEHOLDER}{}", vars.len());
        vars.insert(
            placeholder.clone(),
            if many {
                PatNode::Many(binding)
            } else {
                PatNode::Single(binding)
            },
        );
        out.push_str(&placeholder);
        rest = &after[name_start + name_len..];
    }
    out.push_str(rest);
    Ok((out, vars))
}

/// The outermost node spanning exactly `start..end`, if one does.
fn outermost_exact(root: Node<'_>, start: usize, end: usize) -> Option<Node<'_>> {
    let mut node = root.descendant_for_byte_range(start, end)?;
    if node.start_byte() != start || node.end_byte() != end {
        return None;
    }
    while let Some(parent) = node.parent() {
        if parent.start_byte() != start || parent.end_byte() != end {
            break;
        }
        node = parent;
    }
    Some(node)
}

/// `program > expression_statement > call_expression` for `f(x)`: the
/// statement wrapper adds nothing but would stop the pattern from matching
/// the call inside other expressions.
fn unwrap_single_child<'t>(mut node: Node<'t>, text: &str) -> Node<'t> {
    loop {
        let mut cursor = node.walk();
        let named: Vec<Node<'t>> = node
            .named_children(&mut cursor)
            .filter(|n| !is_comment(*n))
            .collect();
        let [child] = named.as_slice() else {
            return node;
        };
        let outer = text.get(node.byte_range()).unwrap_or("");
        let inner = text.get(child.byte_range()).unwrap_or("");
        if outer.trim().trim_end_matches(';').trim_end() != inner {
            return node;
        }
        node = *child;
    }
}

fn build(node: Node<'_>, text: &str, vars: &HashMap<String, PatNode>) -> PatNode {
    let own = text.get(node.byte_range()).unwrap_or("");
    if let Some(var) = vars.get(own.trim().trim_end_matches(';').trim_end()) {
        return var.clone();
    }
    if node.child_count() == 0 {
        return PatNode::Leaf {
            kind: node.kind_str().to_string(),
            text: own.to_string(),
            named: node.is_named(),
        };
    }
    let mut cursor = node.walk();
    let children = node
        .children(&mut cursor)
        .filter(|c| !is_comment(*c) && !is_empty_token(*c))
        .map(|c| build(c, text, vars))
        .collect();
    PatNode::Inner {
        kind: node.kind_str().to_string(),
        children,
    }
}

/// Zero-width tokens (automatic semicolons, Python's dedent markers) carry no
/// code to match.
fn is_empty_token(node: Node<'_>) -> bool {
    node.start_byte() == node.end_byte()
}

fn match_node(
    pattern: &PatNode,
    node: Node<'_>,
    source: &str,
    env: &mut HashMap<String, String>,
) -> bool {
    match pattern {
        PatNode::Single(name) => node.is_named() && bind(env, name, span_text(&[node], source)),
        // Only reached for a lone `$$$` child list entry; see `match_children`.
        PatNode::Many(_) => false,
        PatNode::Leaf { text, .. } => node_text(node, source) == *text,
        PatNode::Inner { kind, children } => {
            if node.kind_str() != kind {
                return false;
            }
            let mut cursor = node.walk();
            let targets: Vec<Node<'_>> = node
                .children(&mut cursor)
                .filter(|c| !is_comment(*c) && !is_empty_token(*c))
                .collect();
            match_children(children, &targets, source, env)
        }
    }
}

/// Pattern children against code children, in order. Unnamed code tokens the
/// pattern does not mention (a trailing `;` or `,`) may be skipped; named
/// ones may not, so `f($A)` does not match `f(a, b)`.
fn match_children(
    patterns: &[PatNode],
    targets: &[Node<'_>],
    source: &str,
    env: &mut HashMap<String, String>,
) -> bool {
    let Some((first, rest)) = patterns.split_first() else {
        return targets.iter().all(|t| !t.is_named());
    };
    if let PatNode::Many(name) = first {
        // `f($$$, last)` matches `f(last)`: with nothing to match, the
        // ellipsis takes its separator with it.
        if let Some((PatNode::Leaf { named: false, .. }, after)) = rest.split_first() {
            let mut trial = env.clone();
            if bind(&mut trial, name, String::new())
                && match_children(after, targets, source, &mut trial)
            {
                *env = trial;
                return true;
            }
        }
        for taken in 0..=targets.len() {
            let mut trial = env.clone();
            let text = span_text(&targets[..taken], source);
            if bind(&mut trial, name, text)
                && match_children(rest, &targets[taken..], source, &mut trial)
            {
                *env = trial;
                return true;
            }
        }
        return false;
    }
    // `f($A, $$$)` matches `f(1)`: the separator before an ellipsis that
    // matches nothing may be absent.
    if let (PatNode::Leaf { named: false, .. }, Some((PatNode::Many(name), after))) =
        (first, rest.split_first())
    {
        let mut trial = env.clone();
        if bind(&mut trial, name, String::new())
            && match_children(after, targets, source, &mut trial)
        {
            *env = trial;
            return true;
        }
    }
    let Some((target, others)) = targets.split_first() else {
        return false;
    };
    let mut trial = env.clone();
    if match_node(first, *target, source, &mut trial)
        && match_children(rest, others, source, &mut trial)
    {
        *env = trial;
        return true;
    }
    !target.is_named() && match_children(patterns, others, source, env)
}

/// Records `name = text`, or checks it against an earlier binding.
fn bind(env: &mut HashMap<String, String>, name: &Option<String>, text: String) -> bool {
    let Some(name) = name else {
        return true;
    };
    match env.get(name) {
        Some(bound) => *bound == text,
        None => {
            env.insert(name.clone(), text);
            true
        }
    }
}

fn node_text(node: Node<'_>, source: &str) -> String {
    source.get(node.byte_range()).unwrap_or("").to_string()
}

/// The tokens of `nodes`, comments left out, one space apart: what two
/// occurrences of one metavariable must share (`x.y` and `x . y` do).
fn span_text(nodes: &[Node<'_>], source: &str) -> String {
    let mut tokens = Vec::new();
    for node in nodes {
        for leaf in preorder(*node) {
            if leaf.child_count() == 0 && !is_comment(leaf) && !is_empty_token(leaf) {
                tokens.push(node_text(leaf, source));
            }
        }
    }
    tokens.join(" ")
}

/// What a team wrote in one `custom_rules` entry, already validated.
pub struct CustomRuleSpec<'a> {
    /// `<item>/<id>`.
    pub rule_id: &'a str,
    pub item: ChecklistItem,
    pub severity: Severity,
    pub message: &'a str,
}

/// A custom rule: a compiled pattern, its message, and where it runs.
pub struct StructuralRule {
    meta: &'static RuleMeta,
    pattern: Pattern,
    message: String,
    applies_to_path: Box<dyn Fn(&str) -> bool + Send + Sync>,
}

impl StructuralRule {
    /// `applies_to_path` narrows the rule to the files its `paths` globs
    /// select (the analyzer crate does not know the configuration's glob
    /// syntax, so the caller supplies the test).
    pub fn new(
        spec: CustomRuleSpec<'_>,
        pattern: Pattern,
        applies_to_path: Box<dyn Fn(&str) -> bool + Send + Sync>,
    ) -> StructuralRule {
        let meta = intern_meta(
            spec.rule_id,
            spec.item,
            spec.severity,
            pattern.language,
            spec.message,
        );
        StructuralRule {
            meta,
            pattern,
            message: spec.message.to_string(),
            applies_to_path,
        }
    }
}

impl Rule for StructuralRule {
    fn meta(&self) -> &'static RuleMeta {
        self.meta
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let Some(root) = ctx.root() else {
            return;
        };
        if !(self.applies_to_path)(ctx.path) {
            return;
        }
        let id = self.meta.id;
        let message = &self.message;
        for node in self.pattern.find_all(root, ctx.source) {
            let code = quote(ctx.text(node), 80);
            let mut finding = ctx
                .node_finding(self.meta, node)
                .title(message.clone())
                .message(format!(
                    "{message}\n\n`{code}` matches the project's custom rule `{id}` (`.github/prwarden.yml`)."
                ))
                .symptom(format!("`{code}` breaks a project convention: {message}"))
                .root_cause(format!(
                    "the code uses a pattern the project's custom rule `{id}` forbids: {message}"
                ))
                .fix(format!("follow the project's convention: {message}"))
                .scope("change only the matched code; keep its behaviour and leave the surrounding code as it is")
                .build();
            finding.end_line = u32::try_from(node.end_position().row + 1).unwrap_or(u32::MAX);
            out.push(finding);
        }
    }
}

/// The [`Rule`] trait hands out `&'static RuleMeta` (built-in rules are
/// statics, and findings borrow their ids). Custom rules are defined at run
/// time, so each distinct definition is leaked once and reused: memory grows
/// with the number of distinct custom rules seen, not with reviews.
fn intern_meta(
    rule_id: &str,
    item: ChecklistItem,
    severity: Severity,
    language: Language,
    message: &str,
) -> &'static RuleMeta {
    type Key = (String, ChecklistItem, Severity, Language, String);
    static METAS: OnceLock<Mutex<HashMap<Key, &'static RuleMeta>>> = OnceLock::new();
    let key = (
        rule_id.to_string(),
        item,
        severity,
        language,
        message.to_string(),
    );
    let mut metas = METAS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    metas.entry(key).or_insert_with(|| {
        Box::leak(Box::new(RuleMeta {
            id: Box::leak(rule_id.to_string().into_boxed_str()),
            item,
            severity,
            languages: rule_languages(language),
            summary: Box::leak(message.to_string().into_boxed_str()),
        }))
    })
}

/// TypeScript patterns also run on TSX files: the TSX grammar extends the
/// TypeScript one with the same node kinds.
fn rule_languages(language: Language) -> &'static [Language] {
    match language {
        Language::TypeScript => &[Language::TypeScript, Language::Tsx],
        Language::Tsx => &[Language::Tsx],
        Language::JavaScript => &[Language::JavaScript],
        Language::Python => &[Language::Python],
        Language::Go => &[Language::Go],
        Language::Rust => &[Language::Rust],
        Language::Java => &[Language::Java],
        Language::Sql => &[Language::Sql],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(language: Language, pattern: &str, code: &str) -> Vec<String> {
        let pattern = Pattern::compile(language, pattern).expect("pattern compiles");
        let tree = parse(language, code).expect("code parses");
        pattern
            .find_all(tree.root_node(), code)
            .into_iter()
            .map(|n| code[n.byte_range()].to_string())
            .collect()
    }

    #[test]
    fn metavariable_matches_one_node_and_literals_match_themselves() {
        let code = "function f() {\n  throw new Error(\"bad \" + id);\n  throw new AppError(\"x\");\n  throw Error(\"y\");\n}\n";
        assert_eq!(
            found(Language::TypeScript, "throw new Error($MSG)", code),
            ["throw new Error(\"bad \" + id);"]
        );
        // One metavariable is one argument, not two.
        assert!(found(Language::JavaScript, "f($A)", "f(a, b);\n").is_empty());
        assert_eq!(
            found(Language::JavaScript, "f($A)", "f(a + b);\n"),
            ["f(a + b)"]
        );
    }

    #[test]
    fn ellipsis_matches_zero_or_more_siblings() {
        let code = "console.log();\nconsole.log(a, b, c);\nconsole.error(a);\nlogger.log(a);\n";
        assert_eq!(
            found(Language::JavaScript, "console.log($$$ARGS)", code),
            ["console.log()", "console.log(a, b, c)"]
        );
        assert_eq!(
            found(
                Language::JavaScript,
                "f($A, $$$)",
                "f();\nf(1);\nf(1, 2, 3);\n"
            ),
            ["f(1)", "f(1, 2, 3)"]
        );
        assert_eq!(
            found(
                Language::JavaScript,
                "f($$$, last)",
                "f(last);\nf(1, 2, last);\nf(last, 1);\n"
            ),
            ["f(last)", "f(1, 2, last)"]
        );
    }

    #[test]
    fn a_repeated_name_must_match_the_same_code() {
        let code = "if (a === a) {}\nif (a === b) {}\nif (x.y === x . y) {}\n";
        assert_eq!(
            found(Language::JavaScript, "$A === $A", code),
            ["a === a", "x.y === x . y"]
        );
        // `$_` never binds, so both sides are free.
        assert_eq!(found(Language::JavaScript, "$_ === $_", code).len(), 3);
    }

    #[test]
    fn never_matches_inside_strings_or_comments() {
        let code = "const s = \"console.log(1)\";\n// console.log(2)\n/* console.log(3) */\nconst t = `console.log(4)`;\n";
        assert!(found(Language::TypeScript, "console.log($$$A)", code).is_empty());
        let py = "s = 'print(1)'\n# print(2)\n\"\"\"print(3)\"\"\"\n";
        assert!(found(Language::Python, "print($$$A)", py).is_empty());
        assert_eq!(
            found(
                Language::JavaScript,
                "legacy",
                "legacy();\nconst s = \"legacy\";\n"
            ),
            ["legacy"]
        );
    }

    #[test]
    fn comments_and_whitespace_in_the_code_do_not_matter() {
        let code = "db.query(\n  /* why */ sql\n);\n";
        assert_eq!(found(Language::TypeScript, "db.query($SQL)", code).len(), 1);
    }

    #[test]
    fn every_language() {
        assert_eq!(
            found(
                Language::Tsx,
                "console.log($X)",
                "const a = <div/>;\nconsole.log(a);\n"
            ),
            ["console.log(a)"]
        );
        assert_eq!(
            found(
                Language::Python,
                "$DB.execute($SQL)",
                "def f(db):\n    db.execute(q)\n    db.run(q)\n"
            ),
            ["db.execute(q)"]
        );
        assert_eq!(
            found(
                Language::Go,
                "fmt.Println($$$A)",
                "package main\nfunc main() {\n\tfmt.Println(\"a\", b)\n\tfmt.Printf(\"x\")\n}\n"
            ),
            ["fmt.Println(\"a\", b)"]
        );
        assert_eq!(
            found(
                Language::Go,
                "panic($X)",
                "package main\nfunc f() {\n\tpanic(err)\n}\n"
            ),
            ["panic(err)"]
        );
        assert_eq!(
            found(
                Language::Rust,
                "$X.unwrap()",
                "fn f() {\n    let a = b.unwrap();\n    let c = d.expect(\"e\");\n}\n"
            ),
            ["b.unwrap()"]
        );
        assert_eq!(
            found(
                Language::Java,
                "System.out.println($X)",
                "class A {\n  void f() {\n    System.out.println(x);\n    log.info(x);\n  }\n}\n"
            ),
            ["System.out.println(x)"]
        );
    }

    #[test]
    fn invalid_patterns_are_errors() {
        assert_eq!(
            Pattern::compile(Language::TypeScript, "  "),
            Err(PatternError::Empty)
        );
        assert!(matches!(
            Pattern::compile(Language::TypeScript, "throw new (Error"),
            Err(PatternError::Syntax { .. })
        ));
        assert!(matches!(
            Pattern::compile(Language::Python, "def ("),
            Err(PatternError::Syntax { .. })
        ));
        assert_eq!(
            Pattern::compile(Language::Go, "$X"),
            Err(PatternError::OnlyMetavariable)
        );
        assert!(matches!(
            Pattern::compile(Language::JavaScript, "a(); b();"),
            Err(PatternError::NotOneNode { .. })
        ));
        assert!(matches!(
            Pattern::compile(Language::JavaScript, "f($x)"),
            Err(PatternError::BadMetavariable(_))
        ));
    }
}
