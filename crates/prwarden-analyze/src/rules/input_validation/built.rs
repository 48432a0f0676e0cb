//! Strings assembled at run time, and where the values spliced into them come
//! from. Shared by the injection rules: SQL text and shell command lines are
//! only dangerous when a value that is not a constant is pasted into them.

use std::collections::HashSet;

use tree_sitter::Node;

use crate::context::RuleContext;
use crate::model::Language;
use crate::syntax::NodeExt as _;
use crate::syntax::{enclosing_function, identifier_words, is_function, preorder};

/// One value pasted into a built string.
#[derive(Clone, Copy)]
pub(crate) struct Value<'t> {
    /// The node to anchor on (for Rust `format!` arguments, their first token).
    pub node: Node<'t>,
    /// Byte range of the value's text (a Rust `format!` argument spans tokens).
    pub start: usize,
    pub end: usize,
}

impl Value<'_> {
    pub fn text<'s>(&self, ctx: &RuleContext<'s>) -> &'s str {
        ctx.source.get(self.start..self.end).unwrap_or("")
    }
}

/// A string expression: its literal text, and every non-constant value
/// spliced into it.
pub(crate) struct BuiltString<'t> {
    /// The literal parts, joined (used to decide whether it looks like SQL).
    pub literal: String,
    pub values: Vec<Value<'t>>,
}

impl BuiltString<'_> {
    fn empty() -> Self {
        BuiltString {
            literal: String::new(),
            values: Vec::new(),
        }
    }
}

fn value(node: Node<'_>) -> Value<'_> {
    Value {
        node,
        start: node.start_byte(),
        end: node.end_byte(),
    }
}

/// The built string `node` evaluates to, looking through one local variable
/// (`const sql = \`…\`; db.query(sql)`); `None` when `node` is not a string
/// expression at all. Constants among the spliced values are dropped.
pub(crate) fn resolve<'t>(
    ctx: &RuleContext<'_>,
    language: Language,
    node: Node<'t>,
) -> Option<BuiltString<'t>> {
    let node = strip(ctx, language, node);
    let target = if is_plain_identifier(language, node) {
        local_initializer(ctx, language, node)?
    } else {
        node
    };
    let mut built = BuiltString::empty();
    if !collect(ctx, language, strip(ctx, language, target), &mut built) {
        return None;
    }
    built.values.retain(|v| !is_constant(ctx, language, *v));
    Some(built)
}

/// Peels `&x`, `x.as_str()`, `x.to_string()`, parentheses and casts.
fn strip<'t>(ctx: &RuleContext<'_>, language: Language, mut node: Node<'t>) -> Node<'t> {
    loop {
        let inner = match node.kind_str() {
            "parenthesized_expression" | "as_expression" | "non_null_expression" => {
                node.named_child(0)
            }
            "reference_expression" => node.field("value"),
            "call_expression" if language == Language::Rust => {
                let function = node.field("function");
                let no_args = node
                    .field("arguments")
                    .is_some_and(|a| a.named_child_count() == 0);
                match function {
                    Some(f)
                        if f.kind_str() == "field_expression"
                            && no_args
                            && f.field("field").is_some_and(|m| {
                                matches!(
                                    ctx.text(m),
                                    "as_str" | "to_string" | "to_owned" | "as_ref" | "into"
                                )
                            }) =>
                    {
                        f.field("value")
                    }
                    _ => None,
                }
            }
            _ => None,
        };
        match inner {
            Some(inner) => node = inner,
            None => return node,
        }
    }
}

fn is_plain_identifier(language: Language, node: Node<'_>) -> bool {
    node.kind_str() == "identifier" && language != Language::Sql
}

fn is_string_literal(node: Node<'_>) -> bool {
    matches!(
        node.kind_str(),
        "string"
            | "interpreted_string_literal"
            | "raw_string_literal"
            | "string_literal"
            | "text_block"
            | "concatenated_string"
    )
}

/// Adds the pieces of a string expression to `built`; false when `node` is
/// not a string expression.
fn collect<'t>(
    ctx: &RuleContext<'_>,
    language: Language,
    node: Node<'t>,
    built: &mut BuiltString<'t>,
) -> bool {
    match node.kind_str() {
        "template_string" => {
            let mut literal = ctx.text(node).to_string();
            let mut cursor = node.walk();
            for child in node.named_children(&mut cursor) {
                if child.kind_str() == "template_substitution"
                    && let Some(expr) = child.named_child(0)
                {
                    built.values.push(value(expr));
                    let from = child.start_byte() - node.start_byte();
                    let to = child.end_byte() - node.start_byte();
                    if let Some(range) = literal.get_mut(from..to) {
                        // Keep byte offsets: blank the substitution out.
                        let blank = " ".repeat(range.len());
                        literal.replace_range(from..to, &blank);
                    }
                }
            }
            built.literal.push_str(&literal);
            true
        }
        "string" if language == Language::Python => {
            let mut cursor = node.walk();
            for child in node.named_children(&mut cursor) {
                match child.kind_str() {
                    "interpolation" => {
                        if let Some(expr) = child.field("expression") {
                            built.values.push(value(expr));
                        }
                    }
                    _ => built.literal.push_str(ctx.text(child)),
                }
                built.literal.push(' ');
            }
            true
        }
        "concatenated_string" => {
            let mut cursor = node.walk();
            let parts: Vec<Node<'t>> = node.named_children(&mut cursor).collect();
            for part in parts {
                collect(ctx, language, part, built);
            }
            true
        }
        _ if is_string_literal(node) => {
            built.literal.push_str(ctx.text(node));
            built.literal.push(' ');
            true
        }
        "binary_expression" | "binary_operator" => {
            let (Some(left), Some(right), Some(op)) = (
                node.field("left"),
                node.field("right"),
                node.field("operator"),
            ) else {
                return false;
            };
            match ctx.text(op) {
                "+" => {
                    let mut inner = BuiltString::empty();
                    let l = collect_or_value(ctx, language, left, &mut inner);
                    let r = collect_or_value(ctx, language, right, &mut inner);
                    if !(l || r) {
                        return false;
                    }
                    built.literal.push_str(&inner.literal);
                    built.values.extend(inner.values);
                    true
                }
                // Python `"… %s" % value`.
                "%" if language == Language::Python && is_string_literal(left) => {
                    collect(ctx, language, left, built);
                    format_arguments(right, built);
                    true
                }
                _ => false,
            }
        }
        // `"…".format(a)` (Python), `"…".formatted(a)` (Java).
        "call" | "method_invocation" => {
            let (object, method) = if node.kind_str() == "call" {
                let Some(function) = node.field("function") else {
                    return false;
                };
                if function.kind_str() != "attribute" {
                    return false;
                }
                (function.field("object"), function.field("attribute"))
            } else {
                (node.field("object"), node.field("name"))
            };
            let (Some(object), Some(method), Some(args)) =
                (object, method, node.field("arguments"))
            else {
                return false;
            };
            let method = ctx.text(method);
            if is_string_literal(object) && matches!(method, "format" | "formatted") {
                collect(ctx, language, object, built);
                format_arguments(args, built);
                return true;
            }
            // Java `String.format("…", a)`.
            if ctx.text(object) == "String" && method == "format" {
                return format_call(ctx, language, args, built);
            }
            false
        }
        // Go `fmt.Sprintf("…", a)`.
        "call_expression" if language == Language::Go => {
            let Some(function) = node.field("function") else {
                return false;
            };
            if ctx.text(function) != "fmt.Sprintf" {
                return false;
            }
            match node.field("arguments") {
                Some(args) => format_call(ctx, language, args, built),
                None => false,
            }
        }
        "macro_invocation" if language == Language::Rust => rust_format(ctx, node, built),
        _ => false,
    }
}

fn collect_or_value<'t>(
    ctx: &RuleContext<'_>,
    language: Language,
    node: Node<'t>,
    built: &mut BuiltString<'t>,
) -> bool {
    let node = strip(ctx, language, node);
    if collect(ctx, language, node, built) {
        return true;
    }
    built.values.push(value(node));
    false
}

/// The arguments after a format string: a tuple/argument list, or one value.
fn format_arguments<'t>(node: Node<'t>, built: &mut BuiltString<'t>) {
    if matches!(node.kind_str(), "tuple" | "argument_list" | "arguments") {
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            if child.kind_str() == "comment" {
                continue;
            }
            let child = match child.kind_str() {
                "keyword_argument" => child.field("value").unwrap_or(child),
                _ => child,
            };
            built.values.push(value(child));
        }
    } else {
        built.values.push(value(node));
    }
}

/// `format("…", a, b)`: a literal format string, then the values.
fn format_call<'t>(
    ctx: &RuleContext<'_>,
    language: Language,
    args: Node<'t>,
    built: &mut BuiltString<'t>,
) -> bool {
    let mut cursor = args.walk();
    let mut items = args
        .named_children(&mut cursor)
        .filter(|n| n.kind_str() != "comment");
    let Some(format) = items.next() else {
        return false;
    };
    if !collect(ctx, language, format, built) {
        return false;
    }
    built.values.extend(items.map(value));
    true
}

/// `format!("… {} {name}", a)`: the literal, the trailing arguments and the
/// names captured inline.
fn rust_format<'t>(ctx: &RuleContext<'_>, node: Node<'t>, built: &mut BuiltString<'t>) -> bool {
    let is_format = node
        .field("macro")
        .is_some_and(|m| matches!(ctx.text(m), "format" | "std::format" | "alloc::format"));
    if !is_format {
        return false;
    }
    let mut cursor = node.walk();
    let Some(tree) = node
        .named_children(&mut cursor)
        .find(|n| n.kind_str() == "token_tree")
    else {
        return false;
    };
    let mut cursor = tree.walk();
    let tokens: Vec<Node<'t>> = tree.children(&mut cursor).collect();
    // Skip the opening delimiter; the first token must be the literal.
    let Some(format) = tokens.get(1).copied() else {
        return false;
    };
    if !matches!(format.kind_str(), "string_literal" | "raw_string_literal") {
        return false;
    }
    let text = ctx.text(format);
    built.literal.push_str(text);
    // Inline captures: `{name}` / `{name:?}`.
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        if let Some(escaped) = after.strip_prefix('{') {
            rest = escaped;
            continue;
        }
        let close = after.find('}').unwrap_or(after.len());
        let inner = after[..close].split(':').next().unwrap_or("");
        if !inner.is_empty()
            && inner.chars().all(|c| c.is_alphanumeric() || c == '_')
            && !inner.chars().all(|c| c.is_ascii_digit())
        {
            let offset = format.start_byte() + (text.len() - rest.len()) + open + 1;
            built.values.push(Value {
                node: format,
                start: offset,
                end: offset + inner.len(),
            });
        }
        rest = &after[close.min(after.len())..];
    }
    // Arguments: token runs between top-level commas, up to the closing
    // delimiter.
    let mut current: Option<(Node<'t>, usize, usize)> = None;
    for token in tokens.iter().skip(2) {
        let end_of_arg = token.kind_str() == "," || token.end_byte() == tree.end_byte();
        if end_of_arg {
            if let Some((n, s, e)) = current.take() {
                built.values.push(Value {
                    node: n,
                    start: s,
                    end: e,
                });
            }
            continue;
        }
        current = Some(match current {
            Some((n, s, _)) => (n, s, token.end_byte()),
            None => (*token, token.start_byte(), token.end_byte()),
        });
    }
    true
}

/// The argument nodes of an argument list, comments left out.
pub(crate) fn argument_nodes(args: Node<'_>) -> Vec<Node<'_>> {
    let mut cursor = args.walk();
    args.named_children(&mut cursor)
        .filter(|n| n.kind_str() != "comment")
        .collect()
}

/// `(receiver, method name, arguments)` of a call in any grammar:
/// `a.b(…)`, `a::b(…)`, `b(…)`, Java `a.b(…)`.
/// The node kinds [`call_parts`] can take apart in `language`.
pub(crate) fn call_kinds(language: Language) -> &'static [&'static str] {
    match language {
        Language::Java => &["method_invocation", "call_expression"],
        Language::Python => &["call", "call_expression"],
        _ => &["call_expression"],
    }
}

pub(crate) fn call_parts(
    language: Language,
    node: Node<'_>,
) -> Option<(Option<Node<'_>>, Node<'_>, Node<'_>)> {
    match (language, node.kind_str()) {
        (Language::Java, "method_invocation") => Some((
            node.field("object"),
            node.field("name")?,
            node.field("arguments")?,
        )),
        (Language::Python, "call") | (_, "call_expression") => {
            let mut function = node.field("function")?;
            // Rust turbofish: `sqlx::query_as::<_, Article>(…)`.
            if function.kind_str() == "generic_function" {
                function = function.field("function")?;
            }
            let args = node.field("arguments")?;
            let (receiver, name) = match function.kind_str() {
                "member_expression" => ("object", "property"),
                "attribute" => ("object", "attribute"),
                "selector_expression" => ("operand", "field"),
                "field_expression" => ("value", "field"),
                "scoped_identifier" => ("path", "name"),
                "identifier" => return Some((None, function, args)),
                _ => return None,
            };
            Some((function.field(receiver), function.field(name)?, args))
        }
        _ => None,
    }
}

/// Literals, `ALL_CAPS` constants, lengths and counts, and the SQL/shell
/// placeholders code generates (`ids.map(() => "?")`).
fn is_constant(ctx: &RuleContext<'_>, _language: Language, value: Value<'_>) -> bool {
    let text = value.text(ctx).trim();
    if text.is_empty() {
        return true;
    }
    if value.node.kind_str().contains("literal")
        && !matches!(value.node.kind_str(), "composite_literal" | "func_literal")
        && value.start == value.node.start_byte()
        && value.end == value.node.end_byte()
    {
        return true;
    }
    if matches!(
        value.node.kind_str(),
        "number" | "integer" | "float" | "true" | "false" | "null" | "none" | "nil" | "string"
    ) && value.end == value.node.end_byte()
    {
        return true;
    }
    if text.parse::<f64>().is_ok() {
        return true;
    }
    let last = text
        .rsplit(['.', ':'])
        .next()
        .unwrap_or(text)
        .trim_start_matches('$');
    if last.len() > 1
        && last.chars().any(|c| c.is_ascii_uppercase())
        && last
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
    {
        return true;
    }
    text.contains("'?'")
        || text.contains("\"?\"")
        || text.contains("%s")
        || text.contains("$${")
        || text.ends_with(".length")
        || text.ends_with(".len()")
        || text.ends_with(".size()")
        || text.starts_with("len(")
}

/// The value's leading name: `req` in `req.query.id`, `id` in `id`.
pub(crate) fn root_name(text: &str) -> &str {
    let text = text.trim_start_matches(['&', '*', '(', ' ']);
    let end = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
        .unwrap_or(text.len());
    &text[..end]
}

/// The value assigned to the local `name` most recently before `at`, within
/// the function around `at` (or the file, at top level).
pub(crate) fn local_initializer<'t>(
    ctx: &RuleContext<'_>,
    language: Language,
    at: Node<'t>,
) -> Option<Node<'t>> {
    let name = ctx.text(at);
    let scope = enclosing_function(language, at).unwrap_or_else(|| {
        std::iter::successors(Some(at), Node::parent)
            .last()
            .unwrap_or(at)
    });
    let mut found = None;
    for node in preorder(scope) {
        if node.start_byte() >= at.start_byte() {
            break;
        }
        if let Some((target, value)) = assignment(language, node)
            && ctx.text(target) == name
        {
            found = Some(value);
        }
    }
    found
}

/// `(target, value)` of a declaration or assignment of one plain name.
fn assignment(language: Language, node: Node<'_>) -> Option<(Node<'_>, Node<'_>)> {
    let (target, value) = match (language, node.kind_str()) {
        (_, "variable_declarator") => (node.field("name")?, node.field("value")?),
        (Language::Python, "assignment") | (Language::Rust, "assignment_expression") => {
            (node.field("left")?, node.field("right")?)
        }
        (l, "assignment_expression") if l.is_js_family() || l == Language::Java => {
            (node.field("left")?, node.field("right")?)
        }
        (Language::Rust, "let_declaration") => (node.field("pattern")?, node.field("value")?),
        (Language::Go, "short_var_declaration" | "assignment_statement" | "var_spec") => {
            let left = node.field("left").or_else(|| node.field("name"))?;
            let right = node.field("right").or_else(|| node.field("value"))?;
            let single =
                |n: Node<'_>| n.kind_str() != "expression_list" || n.named_child_count() == 1;
            if !single(left) || !single(right) {
                return None;
            }
            (first_of_list(left)?, first_of_list(right)?)
        }
        _ => return None,
    };
    Some((target, value))
}

fn first_of_list(node: Node<'_>) -> Option<Node<'_>> {
    if node.kind_str() == "expression_list" {
        node.named_child(0)
    } else {
        Some(node)
    }
}

/// Names in the function around `at` that hold request data: handler
/// parameters bound by the framework to the request (FastAPI/Flask route
/// parameters, Spring `@RequestParam`/`@PathVariable`/`@RequestBody`, axum
/// and actix extractors) and locals assigned from request expressions.
pub(crate) struct RequestData {
    names: HashSet<String>,
}

impl RequestData {
    pub fn for_node(ctx: &RuleContext<'_>, language: Language, at: Node<'_>) -> RequestData {
        let mut names = HashSet::new();
        let Some(function) = outermost_function(language, at) else {
            return RequestData { names };
        };
        handler_parameters(ctx, language, function, &mut names);
        // Two passes: `id = params["id"]` after `params = request.args`.
        for _ in 0..2 {
            for node in preorder(function) {
                let Some((target, value)) = assignment(language, node) else {
                    continue;
                };
                if is_request_expression(ctx, language, ctx.text(value), &names)
                    || passes_request_through(ctx, language, value, &names, 0)
                {
                    bound_names(ctx, target, &mut names);
                }
            }
        }
        RequestData { names }
    }

    /// Whether the value's text reads request data.
    pub fn contains(&self, ctx: &RuleContext<'_>, language: Language, text: &str) -> bool {
        is_request_expression(ctx, language, text, &self.names)
    }
}

/// The named function around `at`, through nested closures (a query built in
/// a callback of a handler still uses the handler's request).
fn outermost_function<'t>(language: Language, at: Node<'t>) -> Option<Node<'t>> {
    let mut found = None;
    let mut current = at.parent();
    while let Some(n) = current {
        if is_function(language, n) {
            found = Some(n);
        }
        if matches!(
            n.kind_str(),
            "class_declaration" | "class_definition" | "impl_item" | "class_body"
        ) {
            break;
        }
        current = n.parent();
    }
    found
}

fn bound_names(ctx: &RuleContext<'_>, target: Node<'_>, names: &mut HashSet<String>) {
    for n in preorder(target) {
        if matches!(
            n.kind_str(),
            "identifier" | "shorthand_property_identifier_pattern"
        ) && n.parent().is_none_or(|p| {
            // `{ id: userId }` binds `userId`, not `id`.
            p.kind_str() != "pair_pattern" || p.field("value") == Some(n)
        }) {
            names.insert(ctx.text(n).to_string());
        }
    }
}

/// `strings.TrimSpace(r.URL.Query().Get("f"))`, `path.join(ROOT,
/// req.params.name)`, `req.query.q.trim()`: calls that reshape a string
/// without restricting it, so their result is still request data.
fn passes_request_through(
    ctx: &RuleContext<'_>,
    language: Language,
    value: Node<'_>,
    names: &HashSet<String>,
    depth: usize,
) -> bool {
    const FUNCTIONS: &[&str] = &[
        // JavaScript / TypeScript
        "path.join",
        "path.resolve",
        "path.normalize",
        "String",
        "decodeURIComponent",
        "decodeURI",
        // Go
        "strings.TrimSpace",
        "strings.ToLower",
        "strings.ToUpper",
        "strings.Trim",
        "strings.TrimPrefix",
        "strings.TrimSuffix",
        "filepath.Join",
        "filepath.Clean",
        "path.Join",
        "path.Clean",
        // Python
        "os.path.join",
        "str",
        "unquote",
        "urllib.parse.unquote",
    ];
    const METHODS: &[&str] = &[
        "trim",
        "trimStart",
        "trimEnd",
        "toLowerCase",
        "toUpperCase",
        "strip",
        "lower",
        "upper",
    ];
    if depth > 4 {
        return false;
    }
    let value = crate::syntax::unwrap_expression(value);
    // `ARCHIVE_ROOT / code / f"{day:%j}.mseed"`: pathlib's `/` joins like
    // `os.path.join` — when the left-most operand is a path.
    if language == Language::Python && value.kind_str() == "binary_operator" {
        let carries = |n: Node<'_>| {
            is_request_expression(ctx, language, ctx.text(n), names)
                || passes_request_through(ctx, language, n, names, depth + 1)
        };
        let mut leftmost = value;
        let mut operands = Vec::new();
        while leftmost.kind_str() == "binary_operator"
            && leftmost
                .field("operator")
                .is_some_and(|o| ctx.text(o) == "/")
        {
            if let Some(right) = leftmost.field("right") {
                operands.push(right);
            }
            match leftmost.field("left") {
                Some(left) => leftmost = left,
                None => return false,
            }
        }
        return !operands.is_empty()
            && is_python_path(ctx, leftmost)
            && operands.into_iter().any(carries);
    }
    let Some((receiver, method, args)) = call_parts(language, value) else {
        return false;
    };
    let method = ctx.text(method);
    let callee = match receiver {
        Some(r) => format!("{}.{method}", ctx.text(r)),
        None => method.to_string(),
    };
    let carries = |n: Node<'_>| {
        is_request_expression(ctx, language, ctx.text(n), names)
            || passes_request_through(ctx, language, n, names, depth + 1)
    };
    if FUNCTIONS.contains(&callee.as_str()) {
        return argument_nodes(args).into_iter().any(carries);
    }
    METHODS.contains(&method) && receiver.is_some_and(carries)
}

/// `Path(…)`, `PurePath(…)`, `settings.MEDIA_ROOT`, `ARCHIVE_ROOT`,
/// `upload_dir`: the left operand of a pathlib `/` join — a name that says
/// it is a directory or path (a number divided by request data is not).
fn is_python_path(ctx: &RuleContext<'_>, node: Node<'_>) -> bool {
    match node.kind_str() {
        "call" => node.field("function").is_some_and(|f| {
            matches!(
                ctx.text(f).rsplit('.').next(),
                Some("Path" | "PurePath" | "PurePosixPath" | "PosixPath")
            )
        }),
        "identifier" | "attribute" => {
            let last = ctx.text(node).rsplit('.').next().unwrap_or("");
            identifier_words(last).iter().any(|w| {
                matches!(
                    w.as_str(),
                    "dir" | "directory" | "root" | "path" | "folder" | "base"
                )
            })
        }
        _ => false,
    }
}

fn is_request_expression(
    _ctx: &RuleContext<'_>,
    language: Language,
    text: &str,
    names: &HashSet<String>,
) -> bool {
    let text = text.trim().trim_start_matches(['&', '*', '(']);
    if names.contains(root_name(text)) {
        return true;
    }
    let prefixes: &[&str] = match language {
        Language::TypeScript | Language::Tsx | Language::JavaScript => &[
            "req.query",
            "req.params",
            "req.body",
            "req.headers",
            "req.cookies",
            "request.query",
            "request.params",
            "request.body",
            "request.headers",
            "ctx.query",
            "ctx.params",
            "ctx.request.",
            "ctx.req.",
            "c.req.",
            "event.body",
            "event.queryStringParameters",
            "event.pathParameters",
            "searchParams.get(",
            "url.searchParams.get(",
            "await req.json()",
            "await request.json()",
            "await request.formData()",
        ],
        Language::Python => &[
            "request.args",
            "request.form",
            "request.values",
            "request.json",
            "request.get_json(",
            "request.data",
            "request.files",
            "request.cookies",
            "request.headers",
            "request.GET",
            "request.POST",
            "request.query_params",
            "request.path_params",
            "self.request.",
            // Tornado's `RequestHandler` accessors.
            "self.get_argument(",
            "self.get_arguments(",
            "self.get_query_argument(",
            "self.get_query_arguments(",
            "self.get_body_argument(",
            "self.get_body_arguments(",
            "await request.json()",
            "await request.form()",
        ],
        Language::Go => &[
            "r.URL.Query()",
            "r.FormValue(",
            "r.PostFormValue(",
            "r.PathValue(",
            "r.Form",
            "r.PostForm",
            "r.Header.Get(",
            "req.URL.Query()",
            "req.FormValue(",
            "c.Param(",
            "c.Query(",
            "c.DefaultQuery(",
            "c.PostForm(",
            "c.GetHeader(",
            "c.QueryParam(",
            "c.FormValue(",
            "ctx.Param(",
            "ctx.Query(",
            "mux.Vars(",
            "chi.URLParam(",
        ],
        Language::Java => &[
            "request.getParameter(",
            "req.getParameter(",
            "request.getHeader(",
            "request.getQueryString(",
            "ctx.queryParam(",
            "ctx.pathParam(",
        ],
        Language::Rust | Language::Sql => &[],
    };
    prefixes.iter().any(|p| text.starts_with(p))
}

fn handler_parameters(
    ctx: &RuleContext<'_>,
    language: Language,
    function: Node<'_>,
    names: &mut HashSet<String>,
) {
    let Some(params) = function.field("parameters") else {
        return;
    };
    let mut cursor = params.walk();
    let params: Vec<Node<'_>> = params.named_children(&mut cursor).collect();
    match language {
        Language::Python => {
            let decorated = function
                .parent()
                .filter(|p| p.kind_str() == "decorated_definition")
                .is_some_and(|p| {
                    let mut c = p.walk();
                    p.named_children(&mut c)
                        .filter(|d| d.kind_str() == "decorator")
                        .any(|d| is_route_decorator(ctx.text(d)))
                });
            if !decorated {
                return;
            }
            for p in params {
                let text = ctx.text(p);
                // Injected dependencies and the request object are not values.
                if text.contains("Depends(") || text.contains("Session") {
                    continue;
                }
                let name = match p.kind_str() {
                    "identifier" => Some(p),
                    _ => p.field("name").or_else(|| p.named_child(0)),
                };
                if let Some(name) = name {
                    let name = ctx.text(name);
                    if !matches!(
                        name,
                        "self" | "request" | "db" | "session" | "background_tasks"
                    ) {
                        names.insert(name.to_string());
                    }
                }
            }
        }
        Language::Java => {
            for p in params {
                let text = ctx.text(p);
                let bound = [
                    "@RequestParam",
                    "@PathVariable",
                    "@RequestBody",
                    "@RequestHeader",
                    "@QueryParam",
                    "@PathParam",
                    "@FormParam",
                ]
                .iter()
                .any(|a| text.contains(a));
                if bound && let Some(name) = p.field("name") {
                    names.insert(ctx.text(name).to_string());
                }
            }
        }
        Language::Rust => {
            for p in params {
                let Some(ty) = p.field("type") else {
                    continue;
                };
                let ty = ctx.text(ty);
                let ty = ty.rsplit("::").next().unwrap_or(ty);
                let extractor = ["Path<", "Query<", "Json<", "Form<"]
                    .iter()
                    .any(|e| ty.starts_with(e));
                if extractor && let Some(pattern) = p.field("pattern") {
                    bound_names(ctx, pattern, names);
                }
            }
        }
        // A Next.js server action's (or any handler's) `formData: FormData`:
        // the fields a client submitted.
        Language::TypeScript | Language::Tsx => {
            for p in params {
                let typed_form = p
                    .field("type")
                    .is_some_and(|t| ctx.text(t).trim_start_matches(':').trim() == "FormData");
                if typed_form && let Some(pattern) = p.field("pattern") {
                    bound_names(ctx, pattern, names);
                }
            }
        }
        _ => {}
    }
}

fn is_route_decorator(text: &str) -> bool {
    let text = text.trim_start_matches('@');
    let head = text.split('(').next().unwrap_or(text);
    let method = head.rsplit('.').next().unwrap_or(head);
    head.contains('.')
        && matches!(
            method,
            "get" | "post" | "put" | "patch" | "delete" | "route" | "api_route"
        )
}

/// Whether an identifier's words include any of `words`.
pub(crate) fn name_has_word(name: &str, words: &[&str]) -> bool {
    identifier_words(name)
        .iter()
        .any(|w| words.contains(&w.as_str()))
}
