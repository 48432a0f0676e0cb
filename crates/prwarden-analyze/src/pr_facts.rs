//! What the other files of a pull request say that a rule reading one file
//! needs: which columns the PR's code filters rows on, which columns its
//! migrations (or its ORM declarations) index, which functions its
//! modules export as coroutines / async functions, and which methods of its
//! Java classes return futures.
//!
//! Rules see one file at a time; some defects are only visible across two.
//! A migration that adds `orders.external_ref` without an index is fine
//! until the repository file next to it runs `WHERE external_ref = $1` on
//! every import. The engine collects these facts once per pull request,
//! before the per-file pass, from the text of every file (no parse: SQL in
//! code lives in string literals and ORM calls of six languages); the column
//! facts only when some migration of the PR adds a column — otherwise there
//! is nothing to ask and that pass costs nothing. Likewise `notify(user)`
//! without `await` is a dropped coroutine when `notify` is an `async def` of
//! the module the file imports it from, also when that module is another
//! file of the PR.

use std::collections::{HashMap, HashSet};

use crate::model::{ChangedFile, Language, is_migration_path};
use crate::sql_ddl;
use crate::syntax::is_test_path;

/// Facts about a whole pull request; [`PrFacts::default`] knows nothing
/// (a file analysed on its own).
#[derive(Debug, Default)]
pub struct PrFacts {
    filters: Vec<ColumnFilter>,
    /// `(table, column)` covered by an index a migration of the PR creates.
    covered: HashSet<(String, String)>,
    /// Columns (snake case) named next to an index declaration in code
    /// (`index=True`, `@Index`, Drizzle's `index(…).on(t.col)`).
    index_mentions: HashSet<String>,
    /// Module stem (`notify` for `src/lib/notify.ts`, `app/notify.py`, or
    /// `lib/notify/index.ts`) → the names it declares at top level, each
    /// with whether every declaration of it in such a module is async.
    module_functions: HashMap<String, HashMap<String, bool>>,
    /// Java class (by file name, as Java names public classes) → its
    /// methods, each with whether every overload returns a future.
    java_methods: HashMap<String, HashMap<String, bool>>,
    /// JavaScript/TypeScript class → its `async` methods.
    js_async_methods: HashMap<String, HashSet<String>>,
    /// Module stem → `export const name = new Class(…)` instances.
    js_instances: HashMap<String, HashMap<String, String>>,
    /// Every JavaScript/TypeScript and Python file with the modules it
    /// imports, and by module stem the files that import it.
    importers: Vec<Importer>,
    imported_by: HashMap<String, Vec<usize>>,
}

/// A file of the pull request and every module it imports (`express`,
/// `./ingest`, `marsh.ingest`), as written.
#[derive(Debug)]
pub struct Importer {
    pub path: String,
    pub modules: Vec<String>,
}

/// One place where the PR's code selects rows by a column.
#[derive(Debug)]
pub struct ColumnFilter {
    /// Snake case, lower case: `externalRef` and `external_ref` are one.
    pub column: String,
    pub path: String,
    pub line: u32,
    /// The text around the filter, folded (lower case, no `_`), to tell
    /// which table it is about.
    around: String,
}

/// How far around a filter the table it reads from is looked for.
const TABLE_CONTEXT_BEFORE: usize = 400;
const TABLE_CONTEXT_AFTER: usize = 200;
/// How much of a `WHERE` is read.
const WHERE_WINDOW: usize = 240;

impl PrFacts {
    /// Knows nothing: a file analysed on its own.
    pub fn none() -> &'static PrFacts {
        static NONE: std::sync::OnceLock<PrFacts> = std::sync::OnceLock::new();
        NONE.get_or_init(PrFacts::default)
    }

    /// Collects the facts of `files` (all files of one pull request).
    pub fn collect(files: &[ChangedFile<'_>]) -> PrFacts {
        let mut facts = PrFacts::default();
        for file in files {
            facts.scan_functions(file.path, file.content);
        }
        let adds_columns = files.iter().any(|f| {
            Language::from_path(f.path) == Some(Language::Sql)
                && is_migration_path(f.path)
                && contains_word_ignore_case(f.content, "add")
        });
        if !adds_columns {
            return facts;
        }
        for file in files {
            let language = Language::from_path(file.path);
            if language == Some(Language::Sql) && is_migration_path(file.path) {
                facts
                    .covered
                    .extend(sql_ddl::read_sql(file.content).covered);
                continue;
            }
            // Tests, fixtures and one-off data migrations do not say what
            // production traffic looks rows up by.
            if language.is_none() || is_migration_path(file.path) || is_test_path(file.path) {
                continue;
            }
            facts.scan_code(file.path, file.content);
        }
        facts
    }

    /// Where the PR's code filters `table` rows on `column`, if it does.
    /// `column` may be a quoted camel-case name (`"externalRef"`, Prisma).
    pub fn filter_on(&self, table: &str, column: &str) -> Option<&ColumnFilter> {
        let stem = table_stem(table);
        let column = snake(column);
        self.filters
            .iter()
            .find(|f| f.column == column && f.around.contains(&stem))
    }

    /// Whether some file of the PR indexes `table.column` (a migration) or
    /// declares an index next to the column's name (an ORM model).
    pub fn indexed(&self, table: &str, column: &str) -> bool {
        self.covered
            .contains(&(table.to_string(), column.to_string()))
            || self.index_mentions.contains(&snake(column))
    }

    /// Whether the PR's module `stem` (a Python module or a JavaScript /
    /// TypeScript file, by its file name) declares `name` at top level as an
    /// async function, and nothing else by that name.
    pub fn async_function_of(&self, stem: &str, name: &str) -> bool {
        self.module_functions
            .get(stem)
            .and_then(|names| names.get(name))
            .copied()
            .unwrap_or(false)
    }

    /// Whether the PR's Java class `class` declares `method`, and every
    /// declaration of it returns a future (`CompletableFuture<…>`,
    /// `CompletionStage`, `Future`, `ListenableFuture`).
    pub fn java_method_returns_future(&self, class: &str, method: &str) -> bool {
        self.java_methods
            .get(class)
            .and_then(|methods| methods.get(method))
            .copied()
            .unwrap_or(false)
    }

    /// Whether a class of the pull request named `class` declares `method`
    /// as an `async` method (JavaScript/TypeScript).
    pub fn js_async_method(&self, class: &str, method: &str) -> bool {
        self.js_async_methods
            .get(class)
            .is_some_and(|methods| methods.contains(method))
    }

    /// The class of `name` when the PR's module `stem` exports it as an
    /// instance (`export const sms = new SmsClient(…)`).
    pub fn js_instance_class(&self, stem: &str, name: &str) -> Option<&str> {
        self.js_instances
            .get(stem)
            .and_then(|names| names.get(name))
            .map(String::as_str)
    }

    /// The files of the pull request that import the module `stem` (by the
    /// last part of the module name: `./ingest`, `marsh.ingest`).
    pub fn importers_of(&self, stem: &str) -> impl Iterator<Item = &Importer> {
        self.imported_by
            .get(stem)
            .into_iter()
            .flatten()
            .map(|&i| &self.importers[i])
    }

    fn scan_imports(&mut self, path: &str, source: &str, python: bool) {
        let mut modules: Vec<String> = Vec::new();
        for line in source.lines() {
            let line = line.trim_start();
            if python {
                let module = line
                    .strip_prefix("from ")
                    .and_then(|rest| rest.split_once(" import").map(|(m, _)| m))
                    .or_else(|| line.strip_prefix("import "));
                if let Some(module) = module {
                    for m in module.split(',') {
                        let m = m.split(" as ").next().unwrap_or(m).trim();
                        if !m.is_empty() && !m.contains(' ') {
                            modules.push(m.to_string());
                        }
                    }
                }
            } else {
                for marker in ["from ", "require(", "import("] {
                    for (at, _) in line.match_indices(marker) {
                        let rest = line[at + marker.len()..].trim_start();
                        let Some(quote) = rest
                            .chars()
                            .next()
                            .filter(|c| matches!(c, '"' | '\'' | '`'))
                        else {
                            continue;
                        };
                        if let Some(end) = rest[1..].find(quote) {
                            modules.push(rest[1..1 + end].to_string());
                        }
                    }
                }
                if let Some(rest) = line.strip_prefix("import ")
                    && let Some(quote) = rest.chars().next().filter(|c| matches!(c, '"' | '\''))
                    && let Some(end) = rest[1..].find(quote)
                {
                    modules.push(rest[1..1 + end].to_string());
                }
            }
        }
        if modules.is_empty() {
            return;
        }
        let index = self.importers.len();
        let mut stems: HashSet<&str> = HashSet::new();
        for module in &modules {
            let last = module
                .rsplit(['/', '.'])
                .find(|part| !part.is_empty() && !matches!(*part, "js" | "ts" | "mjs" | "cjs"))
                .unwrap_or(module);
            stems.insert(last);
        }
        for stem in stems {
            self.imported_by
                .entry(stem.to_string())
                .or_default()
                .push(index);
        }
        self.importers.push(Importer {
            path: path.to_string(),
            modules,
        });
    }

    fn scan_js_classes(&mut self, stem: &str, source: &str) {
        let mut class: Option<&str> = None;
        for line in source.lines() {
            let trimmed = line.trim_start();
            let declaration = trimmed
                .trim_start_matches("export ")
                .trim_start_matches("default ")
                .trim_start_matches("abstract ");
            if let Some(rest) = declaration.strip_prefix("class ") {
                class = leading_ident(rest);
                continue;
            }
            if let Some(rest) = trimmed.strip_prefix("export const ")
                && let Some(name) = leading_ident(rest)
                && let Some(value) = rest[name.len()..].trim_start().strip_prefix('=')
                && let Some(ctor) = value.trim_start().strip_prefix("new ")
                && let Some(ctor) = leading_ident(ctor)
            {
                self.js_instances
                    .entry(stem.to_string())
                    .or_default()
                    .insert(name.to_string(), ctor.to_string());
                continue;
            }
            let Some(class) = class else {
                continue;
            };
            // `async send(`, `public async send(`, `private static async *x<T>(`.
            let mut words = trimmed;
            while let Some(rest) = ["public ", "private ", "protected ", "static ", "override "]
                .iter()
                .find_map(|m| words.strip_prefix(m))
            {
                words = rest;
            }
            if let Some(rest) = words.strip_prefix("async ")
                && let Some(name) = leading_ident(rest.trim_start_matches('*').trim_start())
                && rest[rest.find(name).unwrap_or(0) + name.len()..]
                    .trim_start()
                    .starts_with(['(', '<'])
            {
                self.js_async_methods
                    .entry(class.to_string())
                    .or_default()
                    .insert(name.to_string());
            }
        }
    }

    fn scan_java_methods(&mut self, path: &str, source: &str) {
        let Some(class) = module_stem(path) else {
            return;
        };
        let methods = self.java_methods.entry(class).or_default();
        for line in source.lines() {
            if let Some((return_type, name)) = java_method_declaration(line) {
                let base = return_type.split('<').next().unwrap_or(return_type).trim();
                let base = base.rsplit('.').next().unwrap_or(base);
                let future = JAVA_FUTURE_TYPES.contains(&base);
                methods
                    .entry(name.to_string())
                    .and_modify(|f| *f &= future)
                    .or_insert(future);
            }
        }
    }

    fn scan_functions(&mut self, path: &str, source: &str) {
        let Some(language) = Language::from_path(path) else {
            return;
        };
        if language == Language::Java {
            self.scan_java_methods(path, source);
            return;
        }
        let python = language == Language::Python;
        if !python && !language.is_js_family() {
            return;
        }
        let Some(stem) = module_stem(path) else {
            return;
        };
        if !python {
            self.scan_js_classes(&stem, source);
        }
        self.scan_imports(path, source, python);
        let mut declared: Vec<(&str, bool)> = Vec::new();
        for line in source.lines() {
            // Top level only: a method or a nested function is not what
            // `from module import name` imports.
            if python {
                if let Some(rest) = line.strip_prefix("async def ") {
                    declared.extend(leading_ident(rest).map(|n| (n, true)));
                } else if let Some(rest) = line.strip_prefix("def ") {
                    declared.extend(leading_ident(rest).map(|n| (n, false)));
                }
            } else if let Some(rest) = line.strip_prefix("export ") {
                let rest = rest.trim_start();
                if let Some(f) = rest.strip_prefix("async function ") {
                    declared.extend(
                        leading_ident(f.trim_start_matches('*').trim_start()).map(|n| (n, true)),
                    );
                } else if let Some(f) = rest.strip_prefix("function ") {
                    declared.extend(leading_ident(f).map(|n| (n, false)));
                } else if let Some(d) = rest
                    .strip_prefix("const ")
                    .or_else(|| rest.strip_prefix("let "))
                    && let Some(name) = leading_ident(d)
                {
                    let value = d[name.len()..]
                        .split_once('=')
                        .map(|(_, v)| v.trim_start())
                        .unwrap_or("");
                    declared.push((
                        name,
                        value.starts_with("async ") || value.starts_with("async("),
                    ));
                }
            }
        }
        let names = self.module_functions.entry(stem).or_default();
        for (name, is_async) in declared {
            names
                .entry(name.to_string())
                .and_modify(|a| *a &= is_async)
                .or_insert(is_async);
        }
    }

    fn scan_code(&mut self, path: &str, source: &str) {
        let lower = source.to_ascii_lowercase();
        let mut columns: Vec<(usize, String)> = Vec::new();
        for at in word_positions(&lower, "where") {
            let rest = &source[at + "where".len()..];
            let trimmed = rest.trim_start();
            if let Some(object) = trimmed.strip_prefix(':') {
                // `where: { externalRef, status: "open" }` (Prisma, TypeORM,
                // Sequelize, Objection).
                let offset = source.len() - object.len();
                columns.extend(
                    object_keys(object)
                        .into_iter()
                        .map(|(i, key)| (offset + i, key)),
                );
            } else {
                let window = clause(rest);
                let offset = at + "where".len();
                columns.extend(
                    comparisons(window, false)
                        .into_iter()
                        .map(|(i, c)| (offset + i, c)),
                );
            }
        }
        // Drizzle's operators take the column first: `eq(lessons.ref, x)`.
        for op in [
            "eq", "ne", "gt", "gte", "lt", "lte", "inarray", "like", "ilike", "between",
        ] {
            for at in word_positions(&lower, op) {
                let rest = &source[at + op.len()..];
                let Some(args) = rest.strip_prefix('(') else {
                    continue;
                };
                let (chain, len) = ident_chain(args);
                if chain.len() >= 2 && args[len..].trim_start().starts_with(',') {
                    let offset = source.len() - args.len();
                    columns.push((offset, snake(chain[chain.len() - 1])));
                }
            }
        }
        // Django and SQLAlchemy: `.filter(ref=x)`, `.filter_by(ref=x)`,
        // `.get(ref=x)`, `.filter(Model.ref == x)`.
        for call in [".filter(", ".filter_by(", ".get(", ".exclude("] {
            for (at, _) in lower.match_indices(call) {
                let args_at = at + call.len();
                let args = &source[args_at..];
                let args = &args[..balanced_len(args)];
                columns.extend(
                    keyword_arguments(args)
                        .into_iter()
                        .map(|(i, c)| (args_at + i, c)),
                );
                columns.extend(
                    comparisons(args, true)
                        .into_iter()
                        .map(|(i, c)| (args_at + i, c)),
                );
            }
        }
        if path.ends_with(".java") {
            columns.extend(derived_query_properties(source));
        }
        for (at, column) in columns {
            if column.is_empty() || is_sql_word(&column) {
                continue;
            }
            let line = 1 + source[..floor_char(source, at.min(source.len()))]
                .matches('\n')
                .count() as u32;
            let from = floor_char(source, at.saturating_sub(TABLE_CONTEXT_BEFORE));
            let to = floor_char(source, (at + TABLE_CONTEXT_AFTER).min(source.len()));
            self.filters.push(ColumnFilter {
                column,
                path: path.to_string(),
                line,
                around: fold(&source[from..to]),
            });
        }
        self.scan_index_mentions(source);
    }

    fn scan_index_mentions(&mut self, source: &str) {
        let lines: Vec<&str> = source.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let lower = line.to_ascii_lowercase();
            if !lower.contains("index") {
                continue;
            }
            // A decorator stands above the field it indexes.
            let reach = if lower.trim_start().starts_with('@') {
                3
            } else {
                1
            };
            for text in lines.iter().skip(i).take(reach) {
                for word in identifiers(text) {
                    self.index_mentions.insert(snake(word));
                }
            }
        }
    }
}

/// Return types whose value is the only way to learn that the work failed.
pub const JAVA_FUTURE_TYPES: &[&str] = &[
    "CompletableFuture",
    "CompletionStage",
    "Future",
    "ListenableFuture",
];

/// `(return type, name)` of a Java method declared on `line`:
/// `public Future<Void> markDone(long id) {`, `CompletableFuture<List<X>> all();`.
/// Calls, assignments, constructors and control statements are not.
fn java_method_declaration(line: &str) -> Option<(&str, &str)> {
    let head = &line[..line.find('(')?];
    if head.contains(['=', '.', '"', '@']) || head.trim_start().starts_with("//") {
        return None;
    }
    let head = head.trim_end();
    let name_start = trailing_ident_start(head, true);
    let name = &head[name_start..];
    let before = head[..name_start].trim_end();
    if name.is_empty() || before.is_empty() {
        return None;
    }
    // The return type: back from the name over one type, generics balanced.
    let bytes = before.as_bytes();
    let mut depth = 0i32;
    let mut start = bytes.len();
    while start > 0 {
        let c = bytes[start - 1];
        match c {
            b'>' => depth += 1,
            b'<' => depth -= 1,
            b' ' | b'\t' if depth == 0 => break,
            _ => {}
        }
        start -= 1;
    }
    let return_type = &before[start..];
    let words = before[..start].split_whitespace();
    let keywords_ok = words.clone().all(|w| {
        matches!(
            w,
            "public"
                | "protected"
                | "private"
                | "static"
                | "final"
                | "abstract"
                | "synchronized"
                | "default"
                | "native"
                | "strictfp"
        ) || w.starts_with('<')
            || w.ends_with('>')
    });
    let statement = matches!(
        return_type,
        "return" | "new" | "throw" | "else" | "case" | "yield" | "await"
    ) || matches!(
        name,
        "if" | "for" | "while" | "switch" | "catch" | "synchronized"
    );
    (keywords_ok && !statement && return_type.starts_with(|c: char| c.is_ascii_alphabetic()))
        .then_some((return_type, name))
}

/// The name `import … from "./x"` / `from .x import …` gives a file: its
/// name without extension, or its directory's for an `index`/`__init__`.
pub fn module_stem(path: &str) -> Option<String> {
    let mut parts = path.rsplit('/');
    let file = parts.next()?;
    let stem = file.split('.').next()?;
    let stem = if matches!(stem, "index" | "__init__") {
        parts.next()?
    } else {
        stem
    };
    (!stem.is_empty()).then(|| stem.to_string())
}

/// Where the ASCII identifier that ends `text` starts (`text.len()` when
/// none does); `$` counts with `dollar`. Never inside a multi-byte character.
fn trailing_ident_start(text: &str, dollar: bool) -> usize {
    let run: usize = text
        .bytes()
        .rev()
        .take_while(|&b| is_ident_byte(b) || (dollar && b == b'$'))
        .count();
    text.len() - run
}

fn leading_ident(text: &str) -> Option<&str> {
    let end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '$'))
        .unwrap_or(text.len());
    (end > 0).then(|| &text[..end])
}

/// `external_ref` for `externalRef`, `ExternalRef` or `EXTERNAL_REF`.
fn snake(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let mut prev_lower = false;
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            if prev_lower {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
            prev_lower = false;
        } else {
            out.push(c);
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        }
    }
    out
}

/// Lower case without `_`, so that `vendor_licences`, `VendorLicence` and
/// `vendorLicences` all contain `vendorlicence`.
fn fold(text: &str) -> String {
    text.chars()
        .filter(|c| *c != '_')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// A table's name as code names it: folded, without a plural `s`
/// (`flight_logs` → `flightlog`, matched by `FlightLog`, `flight_logs`).
fn table_stem(table: &str) -> String {
    let folded = fold(table);
    match folded.strip_suffix('s') {
        Some(stem) if stem.len() >= 3 => stem.to_string(),
        _ => folded,
    }
}

fn contains_word_ignore_case(text: &str, word: &str) -> bool {
    word_positions(&text.to_ascii_lowercase(), word)
        .next()
        .is_some()
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Byte offsets of `word` in `lower` where it stands as a whole word.
fn word_positions<'a>(lower: &'a str, word: &'a str) -> impl Iterator<Item = usize> + 'a {
    let bytes = lower.as_bytes();
    lower.match_indices(word).map(|(i, _)| i).filter(move |&i| {
        let before = i.checked_sub(1).map(|j| bytes[j]);
        let after = bytes.get(i + word.len()).copied();
        !before.is_some_and(is_ident_byte) && !after.is_some_and(is_ident_byte)
    })
}

fn floor_char(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The condition of a `WHERE`: up to the clause that ends it, a statement
/// end, or [`WHERE_WINDOW`] bytes.
fn clause(rest: &str) -> &str {
    let window = &rest[..floor_char(rest, rest.len().min(WHERE_WINDOW))];
    let lower = window.to_ascii_lowercase();
    let end = [
        "order by",
        "group by",
        "limit",
        "returning",
        "having",
        "offset",
        ";",
        "for update",
    ]
    .iter()
    .filter_map(|stop| lower.find(stop))
    .min()
    .unwrap_or(window.len());
    &window[..end]
}

/// The length of `args` up to the `)` that closes the call they open.
fn balanced_len(args: &str) -> usize {
    let mut depth = 0usize;
    for (i, c) in args.char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' if depth == 0 => return i,
            ')' | ']' | '}' => depth -= 1,
            _ => {}
        }
    }
    args.len()
}

/// `a.b.c` at the start of `text` (after spaces and quotes): its parts and
/// the bytes it spans.
fn ident_chain(text: &str) -> (Vec<&str>, usize) {
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut parts = Vec::new();
    loop {
        while i < bytes.len() && matches!(bytes[i], b' ' | b'"' | b'`') {
            i += 1;
        }
        let start = i;
        while i < bytes.len() && is_ident_byte(bytes[i]) {
            i += 1;
        }
        if start == i || bytes[start].is_ascii_digit() {
            return (parts, start);
        }
        parts.push(&text[start..i]);
        let mut j = i;
        while j < bytes.len() && matches!(bytes[j], b'"' | b'`') {
            j += 1;
        }
        if bytes.get(j) == Some(&b'.') {
            i = j + 1;
        } else {
            return (parts, j);
        }
    }
}

/// Columns compared in `text`: `col = …`, `t.col >= …`, `col IN (…)`,
/// `Model.col == …`. With `models_only`, only `Model.col` chains count
/// (SQLAlchemy filters; a lower-case receiver is an in-memory filter).
fn comparisons(text: &str, models_only: bool) -> Vec<(usize, String)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let starts_ident = (b.is_ascii_alphabetic() || b == b'_')
            && !i.checked_sub(1).is_some_and(|j| {
                is_ident_byte(bytes[j]) || matches!(bytes[j], b'.' | b'$' | b':' | b'@' | b'?')
            });
        if !starts_ident {
            i += 1;
            continue;
        }
        let (chain, len) = ident_chain(&text[i..]);
        let after = text[i + len..].trim_start_matches([' ', '"', '`']);
        let lower_after = after.get(..8).unwrap_or(after).to_ascii_lowercase();
        let compares = (after.starts_with('=') && !after.starts_with("=>"))
            || after.starts_with("!=")
            || after.starts_with("<>")
            || after.starts_with('>') && !after.starts_with(">>")
            || after.starts_with('<') && !after.starts_with("<<")
            || ["in ", "in(", "like ", "ilike ", "between "]
                .iter()
                .any(|w| lower_after.starts_with(w));
        let model_ok = !models_only
            || (chain.len() >= 2 && chain[0].starts_with(|c: char| c.is_ascii_uppercase()));
        if compares
            && model_ok
            && let Some(last) = chain.last()
        {
            out.push((i, snake(last)));
        }
        i += len.max(1);
    }
    out
}

/// Keys of the object literal that `text` opens: `{ a, b: 1, c: { … } }`.
fn object_keys(text: &str) -> Vec<(usize, String)> {
    let start = text.len() - text.trim_start().len();
    if !text[start..].starts_with('{') {
        return Vec::new();
    }
    let body_at = start + 1;
    let body = &text[body_at..];
    let body = &body[..balanced_len(body)];
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut entry_start = 0;
    for (i, c) in body
        .char_indices()
        .chain(std::iter::once((body.len(), ',')))
    {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                let entry = &body[entry_start..i];
                let (chain, len) = ident_chain(entry);
                let rest = entry[len..].trim_start();
                if chain.len() == 1 && (rest.is_empty() || rest.starts_with(':')) {
                    let lead = entry.len() - entry.trim_start().len();
                    out.push((body_at + entry_start + lead, snake(chain[0])));
                }
                entry_start = i + 1;
            }
            _ => {}
        }
    }
    out
}

/// Python keyword arguments `name=` / `name__op=` at the top level of `args`.
fn keyword_arguments(args: &str) -> Vec<(usize, String)> {
    let bytes = args.as_bytes();
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'=' if depth == 0
                && bytes.get(i + 1) != Some(&b'=')
                && bytes.get(i + 1) != Some(&b'>')
                && !i
                    .checked_sub(1)
                    .is_some_and(|j| matches!(bytes[j], b'=' | b'!' | b'<' | b'>')) =>
            {
                let name_end = args[..i].trim_end().len();
                let name_start = trailing_ident_start(&args[..name_end], false);
                let name = &args[name_start..name_end];
                let field = name.split("__").next().unwrap_or(name);
                if !field.is_empty() && !field.starts_with(|c: char| c.is_ascii_digit()) {
                    out.push((name_start, snake(field)));
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// Properties of Spring Data derived queries: `findByLicenceRefAndStatus`
/// → `licence_ref`, `status`.
fn derived_query_properties(source: &str) -> Vec<(usize, String)> {
    const PREFIXES: &[&str] = &[
        "find", "read", "get", "query", "count", "exists", "delete", "stream", "search",
    ];
    const OPERATORS: &[&str] = &[
        "IgnoreCase",
        "GreaterThanEqual",
        "GreaterThan",
        "LessThanEqual",
        "LessThan",
        "Between",
        "NotLike",
        "Like",
        "StartingWith",
        "EndingWith",
        "Containing",
        "NotIn",
        "In",
        "IsNotNull",
        "IsNull",
        "NotNull",
        "Null",
        "After",
        "Before",
        "Equals",
        "Not",
        "Is",
    ];
    let mut out = Vec::new();
    for (at, word) in identifier_positions(source) {
        if !PREFIXES.iter().any(|p| word.starts_with(p)) {
            continue;
        }
        let Some(by) = word.find("By") else {
            continue;
        };
        let head = &word[..by];
        if !head.chars().all(|c| c.is_ascii_alphanumeric()) {
            continue;
        }
        let mut rest = &word[by + 2..];
        if let Some(order) = rest.find("OrderBy") {
            rest = &rest[..order];
        }
        for part in split_camel_words(rest, &["And", "Or"]) {
            let mut property = part;
            while let Some(op) = OPERATORS
                .iter()
                .find(|op| property.len() > op.len() && property.ends_with(*op))
            {
                property = &property[..property.len() - op.len()];
            }
            if property.starts_with(|c: char| c.is_ascii_uppercase()) {
                out.push((at, snake(property)));
            }
        }
    }
    out
}

/// Splits `text` at each separator that starts a new capitalised word.
fn split_camel_words<'a>(text: &'a str, separators: &[&str]) -> Vec<&'a str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut i = 1;
    while i < text.len() {
        let hit = separators.iter().find(|s| {
            text[i..].starts_with(*s)
                && text[i + s.len()..].starts_with(|c: char| c.is_ascii_uppercase())
        });
        if let Some(sep) = hit {
            parts.push(&text[start..i]);
            start = i + sep.len();
            i = start + 1;
        } else {
            i += 1;
        }
    }
    parts.push(&text[start..]);
    parts.retain(|p| !p.is_empty());
    parts
}

fn identifier_positions(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let bytes = text.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() {
            if bytes[i].is_ascii_alphabetic() || bytes[i] == b'_' {
                let start = i;
                while i < bytes.len() && is_ident_byte(bytes[i]) {
                    i += 1;
                }
                return Some((start, &text[start..i]));
            }
            i += 1;
        }
        None
    })
}

fn identifiers(text: &str) -> impl Iterator<Item = &str> {
    identifier_positions(text).map(|(_, word)| word)
}

/// SQL words that look like a compared name but are not columns.
fn is_sql_word(word: &str) -> bool {
    matches!(
        word,
        "and"
            | "or"
            | "not"
            | "select"
            | "from"
            | "where"
            | "null"
            | "true"
            | "false"
            | "case"
            | "when"
            | "then"
            | "else"
            | "end"
            | "exists"
            | "any"
            | "all"
            | "now"
            | "interval"
            | "current_date"
            | "current_timestamp"
            | "lower"
            | "upper"
            | "coalesce"
            | "id"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::LineSet;

    fn facts(files: &[(&str, &str)]) -> PrFacts {
        let added = LineSet::default();
        let files: Vec<ChangedFile<'_>> = files
            .iter()
            .map(|(path, content)| ChangedFile {
                path,
                content,
                added_lines: &added,
            })
            .collect();
        PrFacts::collect(&files)
    }

    const MIGRATION: (&str, &str) = (
        "db/migrations/001.sql",
        "ALTER TABLE orders ADD COLUMN external_ref TEXT;",
    );

    #[test]
    fn sql_in_strings_and_orm_filters_name_their_columns() {
        let f = facts(&[
            MIGRATION,
            (
                "src/repo.ts",
                "await db.query(`SELECT id FROM orders o\n WHERE o.external_ref = $1 AND total >= $2 ORDER BY id`, [r]);\n\
                 const a = await prisma.order.findFirst({ where: { customerRef, state: 'open' } });\n\
                 const b = await db.select().from(orders).where(eq(orders.trackingCode, code));",
            ),
            (
                "app/views.py",
                "Order.objects.filter(batch_no=n, placed_at__gte=t)\n\
                 session.execute(select(Order).where(Order.vessel_code == v))\n\
                 names = [o for o in orders if o.x]\n",
            ),
            (
                "src/main/java/VendorRepository.java",
                "interface OrderRepository { Optional<Order> findByLicenceRefAndStatusIgnoreCase(String r, String s); }",
            ),
        ]);
        let columns: HashSet<&str> = f.filters.iter().map(|c| c.column.as_str()).collect();
        for expected in [
            "external_ref",
            "total",
            "customer_ref",
            "state",
            "tracking_code",
            "batch_no",
            "placed_at",
            "vessel_code",
            "licence_ref",
            "status",
        ] {
            assert!(columns.contains(expected), "{expected} in {columns:?}");
        }
        assert!(!columns.contains("id"));
        let hit = f.filter_on("orders", "external_ref").unwrap();
        assert_eq!((hit.path.as_str(), hit.line), ("src/repo.ts", 2));
        assert!(
            f.filter_on("invoices", "external_ref").is_none(),
            "another table"
        );
    }

    #[test]
    fn in_memory_filters_and_assignments_are_not_row_filters() {
        let f = facts(&[
            MIGRATION,
            (
                "src/a.ts",
                "const open = orders.filter((o) => o.externalRef === ref);\n\
                 await db.query('UPDATE orders SET external_ref = $1 WHERE id = $2', [r, id]);\n\
                 const where = { x: 1 };",
            ),
        ]);
        let columns: Vec<&str> = f.filters.iter().map(|c| c.column.as_str()).collect();
        assert!(!columns.contains(&"external_ref"), "{columns:?}");
    }

    #[test]
    fn nothing_is_collected_unless_a_migration_adds_something() {
        let f = facts(&[("src/repo.ts", "db.query('SELECT 1 FROM t WHERE a = $1')")]);
        assert!(f.filters.is_empty());
    }

    #[test]
    fn indexes_in_migrations_and_orm_declarations_count() {
        let f = facts(&[
            MIGRATION,
            (
                "db/migrations/002.sql",
                "CREATE INDEX orders_ref_status ON orders (status, external_ref);",
            ),
            ("src/entity.ts", "@Index()\n@Column()\nbatchNo: string;\n"),
        ]);
        assert!(f.indexed("orders", "external_ref"));
        assert!(f.indexed("orders", "batch_no"));
        assert!(!f.indexed("orders", "total"));
    }

    #[test]
    fn top_level_async_functions_are_known_by_module() {
        let f = facts(&[
            (
                "app/services/alerts.py",
                "async def publish(d):\n    pass\n\ndef render(d):\n    pass\n\nclass A:\n    async def method(self):\n        pass\n",
            ),
            (
                "src/lib/notify/index.ts",
                "export async function notifyOwner(id: string) {}\nexport const ping = async (x: number) => x;\nexport function sync() {}\n",
            ),
            ("src/a/util.ts", "export async function both() {}\n"),
            ("src/b/util.ts", "export function both() {}\n"),
        ]);
        assert!(f.async_function_of("alerts", "publish"));
        assert!(!f.async_function_of("alerts", "render"));
        assert!(!f.async_function_of("alerts", "method"), "a method");
        assert!(f.async_function_of("notify", "notifyOwner"));
        assert!(f.async_function_of("notify", "ping"));
        assert!(!f.async_function_of("notify", "sync"));
        assert!(!f.async_function_of("util", "both"), "two modules disagree");
        assert_eq!(module_stem("src/x/index.ts").as_deref(), Some("x"));
        assert_eq!(module_stem("app/audit.py").as_deref(), Some("audit"));
    }

    #[test]
    fn java_methods_returning_futures_are_known_by_class() {
        let f = facts(&[(
            "src/main/java/x/AppointmentRepository.java",
            "public class AppointmentRepository {\n\
             \x20 public Future<Void> markCompleted(long id) {\n\
             \x20   return pool.preparedQuery(SQL).execute(Tuple.of(id)).mapEmpty();\n\
             \x20 }\n\
             \x20 public Future<List<Long>> booked(String day) { return null; }\n\
             \x20 CompletableFuture<Map<String, Long>> counts();\n\
             \x20 public int size() { return 0; }\n\
             \x20 public Future<Void> save(Appointment a) { return null; }\n\
             \x20 public void save(Appointment a, boolean sync) { }\n\
             \x20 public AppointmentRepository(Pool pool) { this.pool = pool; }\n\
             \x20 void run() { if (ready(x)) { Future<Void> f = markCompleted(1); } }\n\
             }\n",
        )]);
        let class = "AppointmentRepository";
        assert!(f.java_method_returns_future(class, "markCompleted"));
        assert!(f.java_method_returns_future(class, "booked"));
        assert!(f.java_method_returns_future(class, "counts"));
        assert!(!f.java_method_returns_future(class, "size"));
        assert!(
            !f.java_method_returns_future(class, "save"),
            "an overload is void"
        );
        assert!(!f.java_method_returns_future(class, "ready"));
        assert!(!f.java_method_returns_future("Other", "markCompleted"));
    }

    #[test]
    fn js_classes_async_methods_and_exported_instances() {
        let f = facts(&[(
            "src/lib/notify.ts",
            "export class SmsClient {\n\
             \x20 constructor(private url: string) {}\n\
             \x20 async send(to: string, text: string): Promise<void> {\n\
             \x20   await fetch(this.url);\n\
             \x20 }\n\
             \x20 public async *pages<T>() {}\n\
             \x20 format(text: string) { return text; }\n\
             }\n\
             export const sms = new SmsClient(URL);\n",
        )]);
        assert!(f.js_async_method("SmsClient", "send"));
        assert!(f.js_async_method("SmsClient", "pages"));
        assert!(!f.js_async_method("SmsClient", "format"));
        assert_eq!(f.js_instance_class("notify", "sms"), Some("SmsClient"));
    }

    #[test]
    fn files_are_known_by_the_modules_they_import() {
        let f = facts(&[
            (
                "marsh/handlers.py",
                "import tornado.web\nfrom marsh.ingest import remember, usable\nimport json, os.path as p\n",
            ),
            (
                "src/routes/permits.js",
                "const Router = require('@koa/router');\nimport { grant } from \"../services/permitService.js\";\n",
            ),
            (
                "src/services/permitService.js",
                "export function grant() {}\n",
            ),
        ]);
        let py: Vec<&str> = f.importers_of("ingest").map(|i| i.path.as_str()).collect();
        assert_eq!(py, ["marsh/handlers.py"]);
        let importer = f.importers_of("ingest").next().unwrap();
        assert!(importer.modules.iter().any(|m| m == "tornado.web"));
        assert!(importer.modules.iter().any(|m| m == "os.path"));
        let js: Vec<&str> = f
            .importers_of("permitService")
            .map(|i| i.path.as_str())
            .collect();
        assert_eq!(js, ["src/routes/permits.js"]);
        assert!(f.importers_of("handlers").next().is_none());
    }

    #[test]
    fn text_outside_ascii_never_splits_a_character() {
        let java = "class Größe {\n  public Future<Void> größe(long id) { return null; }\n  Future<Void> bäd_x(int é) {}\n}\n";
        let code = "db.query('SELECT 1 FROM orders WHERE größe = $1');\nOrder.objects.filter(é=1, ü__gte=2, größe=3)\n";
        let f = facts(&[
            MIGRATION,
            ("src/main/java/Größe.java", java),
            ("app/views.py", code),
            ("src/x.ts", code),
        ]);
        // Nothing to assert about non-ASCII names beyond not panicking; the
        // ASCII ones next to them are still read.
        assert!(!f.java_method_returns_future("Größe", "größe"));
    }

    #[test]
    fn names_fold_to_snake_case_and_table_stems() {
        assert_eq!(snake("externalRef"), "external_ref");
        assert_eq!(snake("ExternalRef"), "external_ref");
        assert_eq!(snake("external_ref"), "external_ref");
        assert_eq!(snake("rfidUid2"), "rfid_uid2");
        assert_eq!(table_stem("flight_logs"), "flightlog");
        assert_eq!(table_stem("bus"), "bus");
    }
}
