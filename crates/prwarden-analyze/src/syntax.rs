//! Grammar-level helpers shared by rules: walking a tree, and the node kinds
//! of the tree-sitter grammars that several rules must agree on (what is a
//! function boundary, what is a loop, what is a comment).

use std::collections::HashMap;

use tree_sitter::{Node, TreeCursor};

use crate::model::Language;

/// Faster forms of two `Node` calls that rules make for nearly every node
/// they look at.
pub trait NodeExt<'t> {
    /// `Node::child_by_field_name` without its linear, `strncmp`-per-field
    /// search of the grammar's field names.
    fn field(&self, name: &str) -> Option<Node<'t>>;
    /// `Node::kind` without its `strlen` and UTF-8 check of the grammar's
    /// name for the kind: names are read once per grammar and thread.
    fn kind_str(&self) -> &'static str;
}

impl<'t> NodeExt<'t> for Node<'t> {
    /// Field ids are looked up by name once per (name, grammar) and thread:
    /// tree-sitter finds them by comparing against every field name. The
    /// cache is keyed by the name's address and length (rules pass string
    /// literals) and by the grammar's node-kind count, which differs between
    /// all the grammars the engine loads (checked by a test), so files of
    /// different languages do not evict each other's entries and a hit needs
    /// no string comparison.
    #[inline]
    fn field(&self, name: &str) -> Option<Node<'t>> {
        use std::cell::Cell;
        const SLOTS: usize = 1024;
        thread_local! {
            static CACHE: [Cell<(usize, usize, u32, u16)>; SLOTS] =
                const { [const { Cell::new((0, 0, 0, 0)) }; SLOTS] };
        }
        let address = name.as_ptr() as usize;
        let language = self.language();
        let kinds = language.node_kind_count() as u32;
        let slot = (address ^ (address >> 7) ^ (kinds as usize).wrapping_mul(0x9e37)) % SLOTS;
        let cached = CACHE.with(|cache| cache[slot].get());
        if cached.0 == address && cached.1 == name.len() && cached.2 == kinds && cached.3 != 0 {
            return self.child_by_field_id(cached.3);
        }
        let id = language.field_id_for_name(name)?.get();
        CACHE.with(|cache| cache[slot].set((address, name.len(), kinds, id)));
        self.child_by_field_id(id)
    }

    #[inline]
    fn kind_str(&self) -> &'static str {
        use std::cell::RefCell;
        thread_local! {
            /// Per grammar (by node-kind count, see `field`): every kind's name.
            static NAMES: RefCell<Vec<(usize, Vec<&'static str>)>> = const { RefCell::new(Vec::new()) };
        }
        let id = usize::from(self.kind_id());
        let language = self.language();
        let kinds = language.node_kind_count();
        NAMES.with(|names| {
            let mut names = names.borrow_mut();
            let index = match names.iter().position(|(k, _)| *k == kinds) {
                Some(i) => i,
                None => {
                    let table = (0..kinds)
                        .map(|i| {
                            u16::try_from(i)
                                .ok()
                                .and_then(|i| language.node_kind_for_id(i))
                                .unwrap_or("")
                        })
                        .collect();
                    names.push((kinds, table));
                    names.len() - 1
                }
            };
            names[index]
                .1
                .get(id)
                .copied()
                .unwrap_or_else(|| self.kind())
        })
    }
}

/// Every node under (and including) `root`, in document order.
pub fn preorder(root: Node<'_>) -> Preorder<'_> {
    Preorder {
        cursor: root.walk(),
        depth: 0,
        done: false,
    }
}

pub struct Preorder<'t> {
    cursor: TreeCursor<'t>,
    /// The cursor's depth below the start node, kept here because
    /// `TreeCursor::depth` recounts the cursor's whole stack on each call.
    depth: usize,
    done: bool,
}

impl<'t> Iterator for Preorder<'t> {
    type Item = Node<'t>;

    fn next(&mut self) -> Option<Node<'t>> {
        if self.done {
            return None;
        }
        let node = self.cursor.node();
        if self.cursor.goto_first_child() {
            self.depth += 1;
            return Some(node);
        }
        loop {
            // Depth 0 is the node the walk started from: never leave it.
            if self.depth == 0 {
                self.done = true;
                return Some(node);
            }
            if self.cursor.goto_next_sibling() {
                return Some(node);
            }
            self.cursor.goto_parent();
            self.depth -= 1;
        }
    }
}

/// Named children that are not comments: the statements of a block.
pub fn statements<'t>(block: Node<'t>) -> impl Iterator<Item = Node<'t>> {
    let mut cursor = block.walk();
    let children: Vec<Node<'t>> = block.named_children(&mut cursor).collect();
    children.into_iter().filter(|n| !is_comment(*n))
}

/// Comments of every grammar (Java and Rust have line and block kinds).
pub fn is_comment(node: Node<'_>) -> bool {
    matches!(
        node.kind_str(),
        "comment" | "html_comment" | "line_comment" | "block_comment"
    )
}

/// The text of every comment that starts within `start..end` (bytes).
pub fn comments_in<'s>(root: Node<'_>, source: &'s str, start: usize, end: usize) -> Vec<&'s str> {
    let mut out = Vec::new();
    collect_comments(root, source, start, end, &mut out);
    out
}

fn collect_comments<'s>(
    node: Node<'_>,
    source: &'s str,
    start: usize,
    end: usize,
    out: &mut Vec<&'s str>,
) {
    if node.end_byte() < start || node.start_byte() >= end {
        return;
    }
    if is_comment(node) {
        if node.start_byte() >= start {
            out.push(source.get(node.byte_range()).unwrap_or(""));
        }
        return;
    }
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        collect_comments(child, source, start, end, out);
    }
}

/// JS-family nodes that start a new function body: an `await` or a loop
/// outside them does not run in the same frame.
pub fn is_js_function(node: Node<'_>) -> bool {
    matches!(
        node.kind_str(),
        "function_declaration"
            | "generator_function_declaration"
            | "function_expression"
            | "function"
            | "generator_function"
            | "arrow_function"
            | "method_definition"
            | "class_static_block"
    )
}

/// JS-family loop statements (`for…of`/`for…in` are `for_in_statement`).
pub fn is_js_loop(node: Node<'_>) -> bool {
    matches!(
        node.kind_str(),
        "for_statement" | "for_in_statement" | "while_statement" | "do_statement"
    )
}

/// Strips parentheses, TS `as`/`satisfies`/non-null wrappers around an
/// expression.
pub fn unwrap_expression(mut node: Node<'_>) -> Node<'_> {
    loop {
        let inner = match node.kind_str() {
            "parenthesized_expression" | "non_null_expression" => node.named_child(0),
            "as_expression" | "satisfies_expression" => node.named_child(0),
            _ => None,
        };
        match inner {
            Some(inner) if !is_comment(inner) => node = inner,
            _ => return node,
        }
    }
}

/// The receiver and method-name node of `receiver.method(…)`.
pub fn member_call(call: Node<'_>) -> Option<(Node<'_>, Node<'_>)> {
    let function = call.field("function")?;
    if function.kind_str() != "member_expression" {
        return None;
    }
    Some((function.field("object")?, function.field("property")?))
}

/// Splits an identifier into lower-case words: `userRepo` → `user`, `repo`;
/// `DB_CLIENT` → `db`, `client`; `HTTPClient` → `http`, `client`.
pub fn identifier_words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut words = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1).copied();
        let boundary = c.is_ascii_uppercase()
            && prev.is_some_and(|p| {
                p.is_ascii_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_ascii_uppercase() && next.is_some_and(|n| n.is_ascii_lowercase()))
            });
        if boundary && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        current.push(c.to_ascii_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// Nodes of any supported grammar that start a new function body (closures
/// and lambdas included): what runs inside does not run in the enclosing
/// frame, loop or `try`.
pub fn is_function(language: Language, node: Node<'_>) -> bool {
    match language {
        Language::TypeScript | Language::Tsx | Language::JavaScript => is_js_function(node),
        Language::Python => matches!(node.kind_str(), "function_definition" | "lambda"),
        Language::Go => matches!(
            node.kind_str(),
            "function_declaration" | "method_declaration" | "func_literal"
        ),
        Language::Rust => matches!(node.kind_str(), "function_item" | "closure_expression"),
        Language::Java => matches!(
            node.kind_str(),
            "method_declaration" | "constructor_declaration" | "lambda_expression"
        ),
        Language::Sql => false,
    }
}

/// Loop statements of any supported grammar.
pub fn is_loop(language: Language, node: Node<'_>) -> bool {
    match language {
        Language::TypeScript | Language::Tsx | Language::JavaScript => is_js_loop(node),
        Language::Python => matches!(node.kind_str(), "for_statement" | "while_statement"),
        Language::Go => node.kind_str() == "for_statement",
        Language::Rust => matches!(
            node.kind_str(),
            "for_expression" | "while_expression" | "loop_expression"
        ),
        Language::Java => matches!(
            node.kind_str(),
            "for_statement" | "enhanced_for_statement" | "while_statement" | "do_statement"
        ),
        Language::Sql => false,
    }
}

/// The nearest enclosing function of `node` (not `node` itself).
pub fn enclosing_function<'t>(language: Language, node: Node<'t>) -> Option<Node<'t>> {
    let mut current = node.parent();
    while let Some(n) = current {
        if is_function(language, n) {
            return Some(n);
        }
        current = n.parent();
    }
    None
}

/// The nearest loop around `node` within its own function: a loop outside the
/// closure `node` lives in does not repeat it in the same frame.
pub fn enclosing_loop<'t>(language: Language, node: Node<'t>) -> Option<Node<'t>> {
    let mut current = node.parent();
    while let Some(n) = current {
        if is_loop(language, n) {
            return Some(n);
        }
        if is_function(language, n) {
            return None;
        }
        current = n.parent();
    }
    None
}

/// Test code by path convention, in every supported language: `*.test.ts`,
/// `*.spec.js`, `__tests__/`, `test_*.py`, `*_test.py`, `*_test.go`,
/// `src/test/java/`, `*Test.java`, Rust `tests/`, `conftest.py`, fixtures.
pub fn is_test_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let file = path.rsplit('/').next().unwrap_or(path);
    let file_lower = file.to_ascii_lowercase();
    let dirs = lower.rsplit_once('/').map_or("", |(d, _)| d);
    dirs.split('/').any(|d| {
        matches!(
            d,
            "test" | "tests" | "__tests__" | "__mocks__" | "spec" | "e2e" | "testdata" | "fixtures"
        )
    }) || file_lower.contains(".test.")
        || file_lower.contains(".spec.")
        || file_lower.starts_with("test_")
        || file_lower.ends_with("_test.py")
        || file_lower.ends_with("_test.go")
        || file_lower.ends_with("_tests.rs")
        || file_lower == "conftest.py"
        || file.ends_with("Test.java")
        || file.ends_with("Tests.java")
        || file.ends_with("IT.java")
}

/// Whether a Rust node sits in test code: inside a `#[cfg(test)]` module or
/// a `#[test]`/`#[tokio::test]`-style function.
pub fn in_rust_test(node: Node<'_>, source: &str) -> bool {
    let mut current = Some(node);
    while let Some(n) = current {
        if matches!(n.kind_str(), "mod_item" | "function_item") {
            let mut sibling = n.prev_sibling();
            while let Some(s) = sibling {
                if s.kind_str() != "attribute_item" {
                    break;
                }
                let text = source.get(s.byte_range()).unwrap_or("");
                if text.contains("cfg(test)") || text.contains("test]") || text.contains("::test") {
                    return true;
                }
                sibling = s.prev_sibling();
            }
        }
        current = n.parent();
    }
    false
}

/// The body of a loop statement of any grammar (`None` for other nodes).
pub fn loop_body<'t>(language: Language, lp: Node<'t>) -> Option<Node<'t>> {
    if !is_loop(language, lp) {
        return None;
    }
    lp.field("body")
}

/// The loop kinds [`loop_iterable`] finds an iterable in.
pub fn iterable_loop_kinds(language: Language) -> &'static [&'static str] {
    match language {
        Language::TypeScript | Language::Tsx | Language::JavaScript => &["for_in_statement"],
        Language::Python | Language::Go => &["for_statement"],
        Language::Java => &["enhanced_for_statement"],
        Language::Rust => &["for_expression"],
        Language::Sql => &[],
    }
}

/// The collection a `for … of/in/range/:` loop iterates over, evaluated once
/// (`None` for counting and condition loops).
pub fn loop_iterable<'t>(language: Language, lp: Node<'t>) -> Option<Node<'t>> {
    match (language, lp.kind_str()) {
        (Language::TypeScript | Language::Tsx | Language::JavaScript, "for_in_statement") => {
            lp.field("right")
        }
        (Language::Python, "for_statement") => lp.field("right"),
        (Language::Go, "for_statement") => {
            let mut cursor = lp.walk();
            let clause = lp
                .named_children(&mut cursor)
                .find(|c| c.kind_str() == "range_clause");
            clause?.field("right")
        }
        (Language::Java, "enhanced_for_statement") => lp.field("value"),
        (Language::Rust, "for_expression") => lp.field("value"),
        _ => None,
    }
}

/// The nodes that decide how often a loop runs: its condition, counter
/// initialiser and update, or its iterable and loop variable. Empty for
/// `for (;;)`, Go's bare `for {}` and Rust's `loop`.
pub fn loop_controls<'t>(language: Language, lp: Node<'t>) -> Vec<Node<'t>> {
    let fields: &[&str] = match (language, lp.kind_str()) {
        (Language::Go, "for_statement") => {
            let mut cursor = lp.walk();
            let children: Vec<Node<'t>> = lp
                .named_children(&mut cursor)
                .filter(|c| Some(*c) != lp.field("body") && !is_comment(*c))
                .collect();
            return children
                .into_iter()
                .flat_map(|c| match c.kind_str() {
                    "for_clause" => ["initializer", "condition", "update"]
                        .iter()
                        .filter_map(|f| c.field(f))
                        .collect(),
                    "range_clause" => ["left", "right"]
                        .iter()
                        .filter_map(|f| c.field(f))
                        .collect(),
                    _ => vec![c],
                })
                .collect();
        }
        (_, "for_in_statement") => &["left", "right"],
        (Language::Python, "for_statement") => &["left", "right"],
        (Language::Java, "enhanced_for_statement") => &["name", "value"],
        (Language::Java, "for_statement") => &["init", "condition", "update"],
        (Language::Rust, "for_expression") => &["pattern", "value"],
        (_, "for_statement") => &["initializer", "condition", "increment"],
        _ => &["condition"],
    };
    fields
        .iter()
        .filter_map(|f| lp.field(f))
        .filter(|c| c.kind_str() != "empty_statement" && !c.byte_range().is_empty())
        .collect()
}

/// [`is_test_path`] for rules that exempt test code. This repository's own
/// rule fixtures (`fixtures/rules/<rule>/positive.py`) are samples of
/// production code: their directories do not make them tests, only their
/// file name can.
pub fn is_test_file(path: &str) -> bool {
    let path = path.strip_prefix("fixtures/rules/").map_or(path, |rest| {
        rest.split_once('/').map_or(rest, |(_, file)| file)
    });
    is_test_path(path)
}

/// The value of a string literal of any supported grammar, without quotes or
/// prefixes (`"a"`, `'a'`, `` `a` ``, `r"a"`, `r#"a"#`, `f"a"`); `None` for
/// non-literals and for literals with interpolation (`f"{x}"`, `` `${x}` ``),
/// whose value is not known statically. Escapes are left as written.
pub fn string_literal_value<'s>(node: Node<'_>, source: &'s str) -> Option<&'s str> {
    if !matches!(
        node.kind_str(),
        "string"
            | "template_string"
            | "interpreted_string_literal"
            | "raw_string_literal"
            | "string_literal"
    ) {
        return None;
    }
    let mut cursor = node.walk();
    let interpolated = node.named_children(&mut cursor).any(|c| {
        matches!(
            c.kind_str(),
            "interpolation" | "template_substitution" | "string_interpolation"
        )
    });
    if interpolated {
        return None;
    }
    let text = source.get(node.byte_range())?;
    let text = text.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    let text = text.trim_start_matches('#').trim_end_matches('#');
    for quote in ["\"\"\"", "'''", "\"", "'", "`"] {
        if text.len() >= 2 * quote.len()
            && let Some(inner) = text.strip_prefix(quote).and_then(|t| t.strip_suffix(quote))
        {
            return Some(inner);
        }
    }
    None
}

/// Whether an identifier names an error value by the usual conventions
/// (`err`, `e`, `error`, `ex`, `exc`, `readErr`, `parse_err`).
pub fn is_error_name(name: &str) -> bool {
    matches!(name, "e" | "err" | "error" | "ex" | "exc" | "exception")
        || name.ends_with("Err")
        || name.ends_with("_err")
        || name.ends_with("Error")
        || name.ends_with("_error")
}

/// Go imports of a file: package name as used in the code → import path
/// (`strconv` → `strconv`; `u` → `net/url` for `import u "net/url"`).
pub fn go_imports<'s>(root: Node<'_>, source: &'s str) -> HashMap<&'s str, &'s str> {
    let mut imports = HashMap::new();
    for node in preorder(root) {
        if node.kind_str() != "import_spec" {
            continue;
        }
        let Some(path) = node
            .field("path")
            .and_then(|p| string_literal_value(p, source))
        else {
            continue;
        };
        let name = node
            .field("name")
            .and_then(|n| source.get(n.byte_range()))
            .unwrap_or_else(|| path.rsplit('/').next().unwrap_or(path));
        imports.insert(name, path);
    }
    imports
}

/// The receiver and method-name node of `receiver.method(…)` in every
/// grammar: JS `member_expression`, Python `attribute`, Go
/// `selector_expression`, Rust `field_expression`, Java `method_invocation`.
/// For Go and Python the receiver may also be a package or module
/// (`strconv.Atoi`, `re.match`).
pub fn method_call(call: Node<'_>) -> Option<(Node<'_>, Node<'_>)> {
    if call.kind_str() == "method_invocation" {
        return Some((call.field("object")?, call.field("name")?));
    }
    let function = call.field("function")?;
    let (receiver, method) = match function.kind_str() {
        "member_expression" => ("object", "property"),
        "attribute" => ("object", "attribute"),
        "selector_expression" => ("operand", "field"),
        "field_expression" => ("value", "field"),
        _ => return None,
    };
    Some((function.field(receiver)?, function.field(method)?))
}

/// Whether a function node is declared `async`: JS/TS functions, arrow
/// functions and methods, and Python `async def` all carry an `async`
/// keyword child.
pub fn is_async_function(node: Node<'_>) -> bool {
    let mut cursor = node.walk();
    node.children(&mut cursor).any(|c| c.kind_str() == "async")
}

/// Whether a Go file imports a SQL client package (`database/sql`, sqlx,
/// pgx), and `operand` (`db`, `s.db`, `r.pool`) is named like one of its
/// handles: `db`, `tx`, `conn` or `pool`.
pub fn go_sql_handle(source: &str, imports: &HashMap<&str, &str>, operand: Node<'_>) -> bool {
    const PACKAGES: &[&str] = &[
        "database/sql",
        "github.com/jmoiron/sqlx",
        "github.com/jackc/pgx/v4",
        "github.com/jackc/pgx/v5",
        "github.com/jackc/pgx/v5/pgxpool",
    ];
    if !imports.values().any(|p| PACKAGES.contains(p)) {
        return false;
    }
    let name = match operand.kind_str() {
        "identifier" => operand.utf8_text(source.as_bytes()).unwrap_or(""),
        "selector_expression" => operand
            .field("field")
            .and_then(|f| f.utf8_text(source.as_bytes()).ok())
            .unwrap_or(""),
        _ => "",
    };
    matches!(name, "db" | "tx" | "conn" | "pool")
}

/// A Java field, local or parameter declaration as its type's simple name
/// (`Map` for `java.util.Map<K, V>`) and the names it declares
/// (`int a, b;` declares two).
pub fn java_declaration<'s>(node: Node<'_>, source: &'s str) -> Option<(&'s str, Vec<&'s str>)> {
    let text = |n: Node<'_>| &source[n.byte_range()];
    let ty = text(node.field("type")?);
    let base = ty.split('<').next().unwrap_or(ty).trim();
    let base = base.rsplit('.').next().unwrap_or(base);
    let names = if node.kind_str() == "formal_parameter" {
        node.field("name").map(text).into_iter().collect()
    } else {
        let mut cursor = node.walk();
        node.children_by_field_name("declarator", &mut cursor)
            .filter_map(|d| d.field("name"))
            .map(text)
            .collect()
    };
    Some((base, names))
}

/// The last name of what a call calls: `useMemo` in `useMemo(…)` and
/// `React.useMemo(…)`, `ErrorBadRequest` in `error::ErrorBadRequest(…)`.
pub fn call_name<'s>(call: Node<'_>, source: &'s str) -> Option<&'s str> {
    let callee = call
        .field("function")
        .filter(|_| call.kind_str() == "call_expression")?;
    let name = match callee.kind_str() {
        "identifier" => callee,
        "member_expression" => callee.field("property")?,
        "scoped_identifier" => callee.field("name")?,
        _ => return None,
    };
    Some(&source[name.byte_range()])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_grammar_has_its_own_node_kind_count() {
        // `NodeExt::field` keys its cache on it.
        use crate::model::Language as L;
        let counts: std::collections::HashSet<usize> = [
            L::TypeScript,
            L::Tsx,
            L::JavaScript,
            L::Python,
            L::Go,
            L::Rust,
            L::Java,
            L::Sql,
        ]
        .into_iter()
        .map(|l| crate::parse(l, "x").unwrap().language().node_kind_count())
        .collect();
        assert_eq!(counts.len(), 8);
    }
    use crate::engine::parse;

    #[test]
    fn finds_loops_and_functions_in_every_grammar() {
        let cases = [
            (
                Language::Go,
                "package p\nfunc f(xs []int) {\n\tfor _, x := range xs {\n\t\tg(x)\n\t}\n}\n",
                "g(x)",
            ),
            (
                Language::Rust,
                "fn f(xs: &[i32]) {\n    for x in xs {\n        g(*x);\n    }\n}\n",
                "g(*x)",
            ),
            (
                Language::Java,
                "class A {\n  void f(java.util.List<Integer> xs) {\n    for (int x : xs) {\n      g(x);\n    }\n  }\n}\n",
                "g(x)",
            ),
            (
                Language::Python,
                "def f(xs):\n    for x in xs:\n        g(x)\n",
                "g(x)",
            ),
        ];
        for (language, source, call) in cases {
            let tree = parse(language, source).unwrap();
            assert!(!tree.root_node().has_error(), "{language:?}");
            let start = source.find(call).unwrap();
            let node = tree
                .root_node()
                .descendant_for_byte_range(start, start + call.len())
                .unwrap();
            assert!(enclosing_loop(language, node).is_some(), "{language:?}");
            assert!(enclosing_function(language, node).is_some(), "{language:?}");
        }
    }

    #[test]
    fn recognises_test_paths_and_rust_test_modules() {
        for path in [
            "src/a.test.ts",
            "tests/test_api.py",
            "pkg/x_test.go",
            "src/test/java/a/FooTest.java",
            "web/__tests__/a.js",
        ] {
            assert!(is_test_path(path), "{path}");
        }
        for path in [
            "src/contest.ts",
            "src/testimonials.py",
            "pkg/latest.go",
            "src/main/java/a/Foo.java",
        ] {
            assert!(!is_test_path(path), "{path}");
        }
        let source =
            "fn a() { x.unwrap(); }\n#[cfg(test)]\nmod tests {\n    fn b() { y.unwrap(); }\n}\n";
        let tree = parse(Language::Rust, source).unwrap();
        let at = |needle: &str| {
            let start = source.find(needle).unwrap();
            tree.root_node()
                .descendant_for_byte_range(start, start + 1)
                .unwrap()
        };
        assert!(!in_rust_test(at("x.unwrap"), source));
        assert!(in_rust_test(at("y.unwrap"), source));
    }

    #[test]
    fn finds_receiver_and_method_in_every_grammar() {
        let cases = [
            (
                Language::Go,
                "package p\nfunc f() { strconv.Atoi(s) }\n",
                "strconv.Atoi(s)",
            ),
            (Language::Python, "re.match(p, s)\n", "re.match(p, s)"),
            (Language::Rust, "fn f() { x.unwrap(); }\n", "x.unwrap()"),
            (Language::JavaScript, "items.find(f);\n", "items.find(f)"),
            (
                Language::Java,
                "class A { void f() { o.get(); } }\n",
                "o.get()",
            ),
        ];
        for (language, source, call) in cases {
            let tree = parse(language, source).unwrap();
            let start = source.find(call).unwrap();
            let node = tree
                .root_node()
                .descendant_for_byte_range(start, start + call.len())
                .unwrap();
            let (receiver, method) = method_call(node).expect("a method call");
            let text = |n: Node<'_>| &source[n.byte_range()];
            let (expected_receiver, rest) = call.split_once('.').unwrap();
            assert_eq!(text(receiver), expected_receiver, "{language:?}");
            assert!(rest.starts_with(text(method)), "{language:?}");
        }
    }

    #[test]
    fn splits_identifiers_into_words() {
        assert_eq!(identifier_words("userRepo"), ["user", "repo"]);
        assert_eq!(identifier_words("DB_CLIENT"), ["db", "client"]);
        assert_eq!(identifier_words("HTTPClient"), ["http", "client"]);
        assert_eq!(identifier_words("prisma"), ["prisma"]);
        assert_eq!(identifier_words("v2Api"), ["v2", "api"]);
    }
}
