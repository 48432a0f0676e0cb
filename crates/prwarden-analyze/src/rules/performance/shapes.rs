//! What the file says about a variable's type: every declaration,
//! parameter and plain assignment of a name, reduced to the few shapes the
//! `performance` rules care about. A rule trusts a shape only when every
//! binding of the name in the file agrees, so a name that is a list in one
//! function and a set in another is left alone — or, through `of_at`, every
//! binding visible at the use: the declarations of the innermost function
//! that declares the name, and all plain assignments.

use std::collections::HashMap;
use std::rc::Rc;

use tree_sitter::Node;

use crate::context::RuleContext;
use crate::model::Language;
use crate::syntax::NodeExt as _;
use crate::syntax::{is_function, is_loop, is_test_file, loop_iterable, preorder};

/// Where a binding was made: a declaration is scoped to the function around
/// it; a plain assignment (`x = …`) may rebind an outer variable, so it
/// counts everywhere.
#[derive(Clone, Copy)]
struct Site {
    at: usize,
    assignment: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Shape {
    /// A growable list, array, slice or `Vec` (linear-time membership).
    List,
    /// A list written out as a few literals (`["a", "b"]`): constant size.
    LiteralList,
    /// A string.
    Str,
    /// Anything else, or not known.
    Other,
}

/// What both `performance` rules start from: the tree, the language and the
/// file's bindings; `None` for test files, whose loops run over a handful of
/// fixtures.
///
/// The bindings are computed once per file and shared by the three rules.
pub(super) fn prepare(ctx: &RuleContext<'_>) -> Option<(Language, Rc<Shapes>)> {
    let (_, language) = (ctx.root()?, ctx.language?);
    if is_test_file(ctx.path) {
        return None;
    }
    Some((language, ctx.memo(|| Shapes::of_file(ctx, language))))
}

/// Bindings of each name in a file: `x`, `this.x`/`self.x` for fields.
pub(super) struct Shapes {
    bindings: HashMap<String, Vec<Shape>>,
    /// Where each binding of `bindings` was made, in the same order.
    sites: HashMap<String, Vec<Site>>,
    /// Byte ranges of the file's functions, for scoping declarations.
    functions: Vec<(usize, usize)>,
    /// The node being read by `of_file`, for `bind`.
    current: Site,
    /// JS/TS: the shapes of the properties of the file's own interfaces and
    /// object type aliases (`interface Props { ids: string[] }`), by type
    /// name then property name.
    object_types: HashMap<String, HashMap<String, Shape>>,
}

impl Shapes {
    pub(super) fn of_file(ctx: &RuleContext<'_>, language: Language) -> Self {
        let mut shapes = Shapes {
            bindings: HashMap::new(),
            sites: HashMap::new(),
            functions: Vec::new(),
            current: Site {
                at: 0,
                assignment: false,
            },
            object_types: HashMap::new(),
        };
        if matches!(
            language,
            Language::TypeScript | Language::Tsx | Language::JavaScript
        ) {
            shapes.object_types = js_object_types(ctx);
        }
        // Every node, in order: function ranges scope the declarations.
        for &node in ctx.all_nodes() {
            if is_function(language, node) {
                shapes.functions.push((node.start_byte(), node.end_byte()));
            }
            shapes.current = Site {
                at: node.start_byte(),
                assignment: matches!(
                    node.kind_str(),
                    "assignment_expression"
                        | "assignment"
                        | "augmented_assignment"
                        | "assignment_statement"
                        | "compound_assignment_expr"
                ),
            };
            match language {
                Language::TypeScript | Language::Tsx | Language::JavaScript => shapes.js(ctx, node),
                Language::Python => shapes.python(ctx, node),
                Language::Java => shapes.java(ctx, node),
                Language::Rust => shapes.rust(ctx, node),
                Language::Go => shapes.go(ctx, node),
                Language::Sql => {}
            }
        }
        shapes
    }

    /// The shape every binding of `name` agrees on, if any.
    pub(super) fn of(&self, name: &str) -> Option<Shape> {
        let shapes = self.bindings.get(name)?;
        let first = *shapes.first()?;
        shapes.iter().all(|s| *s == first).then_some(first)
    }

    /// The shape of `name` as seen at byte `at`: the declarations of the
    /// innermost function around `at` that declares it (shadowing any
    /// outer or sibling ones), plus every plain assignment of the name in
    /// the file; when no function around `at` declares it, as `of`.
    pub(super) fn of_at(&self, name: &str, at: usize) -> Option<Shape> {
        let (Some(shapes), Some(sites)) = (self.bindings.get(name), self.sites.get(name)) else {
            return None;
        };
        let scope_of = |site: &Site| self.scope(site.at);
        let innermost = sites
            .iter()
            .filter(|s| !s.assignment)
            .filter_map(scope_of)
            .filter(|(start, end)| (*start..*end).contains(&at))
            .max_by_key(|(start, _)| *start);
        let Some(innermost) = innermost else {
            return self.of(name);
        };
        let mut chosen = shapes
            .iter()
            .zip(sites)
            .filter(|(_, site)| site.assignment || scope_of(site) == Some(innermost))
            .map(|(shape, _)| *shape);
        let first = chosen.next()?;
        chosen.all(|s| s == first).then_some(first)
    }

    /// The innermost function around byte `at`, if any.
    fn scope(&self, at: usize) -> Option<(usize, usize)> {
        self.functions
            .iter()
            .filter(|(start, end)| *start <= at && at < *end)
            .max_by_key(|(start, _)| *start)
            .copied()
    }

    fn bind(&mut self, name: &str, shape: Shape) {
        if !name.is_empty() {
            self.bindings
                .entry(name.to_string())
                .or_default()
                .push(shape);
            self.sites
                .entry(name.to_string())
                .or_default()
                .push(self.current);
        }
    }

    fn js(&mut self, ctx: &RuleContext<'_>, node: Node<'_>) {
        let field = |n: &str| node.field(n);
        match node.kind_str() {
            "variable_declarator" => {
                let Some(name) = field("name").filter(|n| n.kind_str() == "identifier") else {
                    return;
                };
                let shape = match (field("type"), field("value")) {
                    (Some(t), _) => js_type(ctx, t),
                    (None, Some(v)) => js_value(ctx, v),
                    (None, None) => Shape::Other,
                };
                self.bind(ctx.text(name), shape);
            }
            "required_parameter" | "optional_parameter" => {
                let Some(pattern) = field("pattern") else {
                    return;
                };
                match pattern.kind_str() {
                    "identifier" => {
                        let shape = field("type").map_or(Shape::Other, |t| js_type(ctx, t));
                        self.bind(ctx.text(pattern), shape);
                        self.bind_typed_fields(ctx, ctx.text(pattern), field("type"));
                    }
                    "object_pattern" => self.bind_destructured(ctx, pattern, field("type")),
                    _ => {}
                }
            }
            "public_field_definition" | "field_definition" => {
                let Some(name) = field("name").or_else(|| field("property")) else {
                    return;
                };
                let shape = match (field("type"), field("value")) {
                    (Some(t), _) => js_type(ctx, t),
                    (None, Some(v)) => js_value(ctx, v),
                    (None, None) => Shape::Other,
                };
                self.bind_field(ctx, "this.", name, shape);
            }
            "assignment_expression" => {
                let (Some(left), Some(right)) = (field("left"), field("right")) else {
                    return;
                };
                if matches!(left.kind_str(), "identifier" | "member_expression") {
                    self.bind(ctx.text(left), js_value(ctx, right));
                }
                if ctx.text(left).ends_with(".propTypes") && right.kind_str() == "object" {
                    self.bind_prop_types(ctx, right);
                }
            }
            // A bare JS parameter, a `for (const x of …)` variable: unknown.
            "formal_parameters" => {
                let mut cursor = node.walk();
                for p in node.named_children(&mut cursor) {
                    if p.kind_str() == "identifier" {
                        self.bind(ctx.text(p), Shape::Other);
                    }
                }
            }
            "for_in_statement" => {
                if let Some(left) = field("left").filter(|l| l.kind_str() == "identifier") {
                    self.bind(ctx.text(left), Shape::Other);
                }
            }
            _ => {}
        }
    }

    /// The properties of a file-local interface, seen through a parameter
    /// of that type: `opts: ExportOptions` binds `opts.productIds`.
    fn bind_typed_fields(&mut self, ctx: &RuleContext<'_>, param: &str, ty: Option<Node<'_>>) {
        let Some(fields) = ty.and_then(|t| self.local_object_type(ctx, t)) else {
            return;
        };
        let fields: Vec<(String, Shape)> = fields.iter().map(|(k, v)| (k.clone(), *v)).collect();
        for (name, shape) in fields {
            self.bind(&format!("{param}.{name}"), shape);
        }
    }

    /// `function Page({ categories }: PageProps)`: each destructured name
    /// takes the shape its property has in the file-local `PageProps`.
    fn bind_destructured(
        &mut self,
        ctx: &RuleContext<'_>,
        pattern: Node<'_>,
        ty: Option<Node<'_>>,
    ) {
        let Some(fields) = ty.and_then(|t| self.local_object_type(ctx, t)).cloned() else {
            return;
        };
        let mut cursor = pattern.walk();
        for element in pattern.named_children(&mut cursor) {
            let (key, local) = match element.kind_str() {
                "shorthand_property_identifier_pattern" => (element, element),
                // `{ ids = [] }`: the default is a second binding.
                "object_assignment_pattern" => match element.field("left") {
                    Some(left) => (left, left),
                    None => continue,
                },
                "pair_pattern" => match (element.field("key"), element.field("value")) {
                    (Some(k), Some(v)) if v.kind_str() == "identifier" => (k, v),
                    // `{ pinnedIds: pinned = [] }`
                    (Some(k), Some(v)) if v.kind_str() == "assignment_pattern" => {
                        match v.field("left").filter(|l| l.kind_str() == "identifier") {
                            Some(left) => (k, left),
                            None => continue,
                        }
                    }
                    _ => continue,
                },
                _ => continue,
            };
            if let Some(shape) = fields.get(ctx.text(key)) {
                self.bind(ctx.text(local), *shape);
            }
        }
    }

    /// `Component.propTypes = { ids: PropTypes.arrayOf(…) }`: a list prop.
    fn bind_prop_types(&mut self, ctx: &RuleContext<'_>, object: Node<'_>) {
        let mut cursor = object.walk();
        for pair in object.named_children(&mut cursor) {
            let (Some(key), Some(value)) = (pair.field("key"), pair.field("value")) else {
                continue;
            };
            let value = ctx.text(value);
            let value = value.strip_suffix(".isRequired").unwrap_or(value);
            if value.starts_with("PropTypes.arrayOf(") || value == "PropTypes.array" {
                self.bind(ctx.text(key), Shape::List);
            }
        }
    }

    /// `: ExportOptions` naming an interface or object type of this file.
    fn local_object_type(
        &self,
        ctx: &RuleContext<'_>,
        annotation: Node<'_>,
    ) -> Option<&HashMap<String, Shape>> {
        let name = ctx.text(annotation).trim_start_matches(':').trim();
        self.object_types.get(name)
    }

    /// Fields are looked up as `this.x`/`self.x`; the declaration says `x`.
    fn bind_field(&mut self, ctx: &RuleContext<'_>, prefix: &str, name: Node<'_>, shape: Shape) {
        self.bind(&format!("{prefix}{}", ctx.text(name)), shape);
    }

    fn python(&mut self, ctx: &RuleContext<'_>, node: Node<'_>) {
        let field = |n: &str| node.field(n);
        match node.kind_str() {
            "assignment" => {
                let Some(left) = field("left") else {
                    return;
                };
                if !matches!(left.kind_str(), "identifier" | "attribute") {
                    // `a, b = …`: unknown for every name.
                    for part in preorder(left).filter(|n| n.kind_str() == "identifier") {
                        self.bind(ctx.text(part), Shape::Other);
                    }
                    return;
                }
                let shape = match (field("type"), field("right")) {
                    (Some(t), _) => python_type(ctx, t),
                    (None, Some(v)) => python_value(ctx, v),
                    (None, None) => Shape::Other,
                };
                self.bind(ctx.text(left), shape);
            }
            "typed_parameter" | "typed_default_parameter" => {
                let name = if node.kind_str() == "typed_parameter" {
                    node.named_child(0)
                } else {
                    field("name")
                };
                let Some(name) = name.filter(|n| n.kind_str() == "identifier") else {
                    return;
                };
                let shape = field("type").map_or(Shape::Other, |t| python_type(ctx, t));
                self.bind(ctx.text(name), shape);
            }
            "parameters" | "lambda_parameters" => {
                let mut cursor = node.walk();
                for p in node.named_children(&mut cursor) {
                    match p.kind_str() {
                        "identifier" => self.bind(ctx.text(p), Shape::Other),
                        "default_parameter" => {
                            if let Some(n) = p.field("name") {
                                self.bind(ctx.text(n), Shape::Other);
                            }
                        }
                        _ => {}
                    }
                }
            }
            "for_statement" | "for_in_clause" => {
                if let Some(left) = field("left") {
                    for part in preorder(left).filter(|n| n.kind_str() == "identifier") {
                        self.bind(ctx.text(part), Shape::Other);
                    }
                }
            }
            _ => {}
        }
    }

    fn java(&mut self, ctx: &RuleContext<'_>, node: Node<'_>) {
        match node.kind_str() {
            "local_variable_declaration" | "field_declaration" => {
                let Some(ty) = node.field("type") else {
                    return;
                };
                let mut cursor = node.walk();
                let declarators: Vec<Node<'_>> = node
                    .children_by_field_name("declarator", &mut cursor)
                    .collect();
                for d in declarators {
                    let Some(name) = d.field("name") else {
                        continue;
                    };
                    let shape = match ctx.text(ty) {
                        "var" => d
                            .field("value")
                            .map_or(Shape::Other, |v| java_value(ctx, v)),
                        _ => java_type(ctx, ty),
                    };
                    self.bind(ctx.text(name), shape);
                    if node.kind_str() == "field_declaration" {
                        self.bind_field(ctx, "this.", name, shape);
                    }
                }
            }
            "formal_parameter" | "catch_formal_parameter" | "enhanced_for_statement" => {
                let name = node.field("name");
                let ty = node.field("type");
                if let Some(name) = name {
                    let shape = ty.map_or(Shape::Other, |t| java_type(ctx, t));
                    self.bind(ctx.text(name), shape);
                }
            }
            "assignment_expression" => {
                let op = node.field("operator").map(|o| ctx.text(o));
                if let (Some("="), Some(left), Some(right)) =
                    (op, node.field("left"), node.field("right"))
                    && left.kind_str() == "identifier"
                {
                    let shape = java_value(ctx, right);
                    // `list = other` keeps the declared type; only a literal
                    // of another shape contradicts it.
                    if shape != Shape::Other {
                        self.bind(ctx.text(left), shape);
                    }
                }
            }
            _ => {}
        }
    }

    fn rust(&mut self, ctx: &RuleContext<'_>, node: Node<'_>) {
        match node.kind_str() {
            "let_declaration" => {
                let Some(pattern) = node.field("pattern") else {
                    return;
                };
                let name = match pattern.kind_str() {
                    "identifier" => pattern,
                    "mut_pattern" => {
                        match pattern.named_child(pattern.named_child_count().saturating_sub(1)) {
                            Some(n) if n.kind_str() == "identifier" => n,
                            _ => return,
                        }
                    }
                    _ => return,
                };
                let shape = match (node.field("type"), node.field("value")) {
                    (Some(t), _) => rust_type(ctx, t),
                    (None, Some(v)) => rust_value(ctx, v),
                    (None, None) => Shape::Other,
                };
                self.bind(ctx.text(name), shape);
            }
            "parameter" => {
                let (Some(pattern), Some(ty)) = (node.field("pattern"), node.field("type")) else {
                    return;
                };
                let name = ctx.text(pattern).trim_start_matches("mut ").trim();
                self.bind(name, rust_type(ctx, ty));
            }
            "field_declaration" => {
                let (Some(name), Some(ty)) = (node.field("name"), node.field("type")) else {
                    return;
                };
                self.bind_field(ctx, "self.", name, rust_type(ctx, ty));
            }
            "for_expression" | "closure_parameters" => {
                let target = if node.kind_str() == "for_expression" {
                    node.field("pattern")
                } else {
                    Some(node)
                };
                if let Some(target) = target {
                    for part in preorder(target).filter(|n| n.kind_str() == "identifier") {
                        self.bind(ctx.text(part), Shape::Other);
                    }
                }
            }
            _ => {}
        }
    }

    fn go(&mut self, ctx: &RuleContext<'_>, node: Node<'_>) {
        match node.kind_str() {
            "var_spec" | "parameter_declaration" | "field_declaration" => {
                let ty = node.field("type");
                let mut cursor = node.walk();
                let names: Vec<Node<'_>> =
                    node.children_by_field_name("name", &mut cursor).collect();
                let mut cursor = node.walk();
                let values: Vec<Node<'_>> = node
                    .field("value")
                    .map(|v| v.named_children(&mut cursor).collect())
                    .unwrap_or_default();
                for (i, name) in names.into_iter().enumerate() {
                    let shape = match (ty, values.get(i)) {
                        (Some(t), _) => go_type(ctx, t),
                        (None, Some(v)) => go_value(ctx, *v),
                        (None, None) => Shape::Other,
                    };
                    self.bind(ctx.text(name), shape);
                }
            }
            "short_var_declaration" | "assignment_statement" => {
                let (Some(left), Some(right)) = (node.field("left"), node.field("right")) else {
                    return;
                };
                if node.kind_str() == "assignment_statement"
                    && node.field("operator").is_some_and(|o| ctx.text(o) != "=")
                {
                    return;
                }
                let mut cursor = left.walk();
                let names: Vec<Node<'_>> = left.named_children(&mut cursor).collect();
                let mut cursor = right.walk();
                let values: Vec<Node<'_>> = right.named_children(&mut cursor).collect();
                for (i, name) in names.into_iter().enumerate() {
                    if name.kind_str() != "identifier" {
                        continue;
                    }
                    let shape = if names_len_matches(&values, i) {
                        values.get(i).map_or(Shape::Other, |v| go_value(ctx, *v))
                    } else {
                        Shape::Other
                    };
                    self.bind(ctx.text(name), shape);
                }
            }
            "range_clause" => {
                if let Some(left) = node.field("left") {
                    for part in preorder(left).filter(|n| n.kind_str() == "identifier") {
                        self.bind(ctx.text(part), Shape::Other);
                    }
                }
            }
            _ => {}
        }
    }
}

/// `a, err := f()` gives `a` the shape of a call result: unknown.
fn names_len_matches(values: &[Node<'_>], index: usize) -> bool {
    index < values.len() && values.len() > 1 || values.len() == 1 && index == 0
}

fn is_literal(kind: &str) -> bool {
    matches!(
        kind,
        "string"
            | "template_string"
            | "number"
            | "true"
            | "false"
            | "integer"
            | "float"
            | "string_literal"
            | "interpreted_string_literal"
            | "raw_string_literal"
            | "int_literal"
            | "integer_literal"
            | "decimal_integer_literal"
            | "char_literal"
            | "character_literal"
    )
}

fn literal_elements(node: Node<'_>) -> Shape {
    let mut cursor = node.walk();
    let elements: Vec<Node<'_>> = node
        .named_children(&mut cursor)
        .filter(|n| n.kind_str() != "comment")
        .collect();
    if !elements.is_empty() && elements.iter().all(|e| is_literal(e.kind_str())) {
        Shape::LiteralList
    } else {
        Shape::List
    }
}

/// `interface Props { ids: string[] }`, `type Props = { ids: string[] }`:
/// property shapes by type name. A name declared twice with disagreeing
/// properties keeps `Other` for them.
fn js_object_types(ctx: &RuleContext<'_>) -> HashMap<String, HashMap<String, Shape>> {
    let mut types: HashMap<String, HashMap<String, Shape>> = HashMap::new();
    for &node in ctx.all_nodes() {
        let body = match node.kind_str() {
            "interface_declaration" => node.field("body"),
            "type_alias_declaration" => node
                .field("value")
                .filter(|v| v.kind_str() == "object_type"),
            _ => None,
        };
        let (Some(name), Some(body)) = (node.field("name"), body) else {
            continue;
        };
        let fields = types.entry(ctx.text(name).to_string()).or_default();
        let mut cursor = body.walk();
        for property in body.named_children(&mut cursor) {
            if property.kind_str() != "property_signature" {
                continue;
            }
            let (Some(key), Some(ty)) = (property.field("name"), property.field("type")) else {
                continue;
            };
            let shape = js_type(ctx, ty);
            let entry = fields.entry(ctx.text(key).to_string()).or_insert(shape);
            if *entry != shape {
                *entry = Shape::Other;
            }
        }
    }
    types
}

fn js_type(ctx: &RuleContext<'_>, annotation: Node<'_>) -> Shape {
    let text = ctx.text(annotation).trim_start_matches(':').trim();
    let text = text.strip_prefix("readonly ").unwrap_or(text);
    if text.contains('|') || text.contains('&') {
        return Shape::Other;
    }
    if text.ends_with("[]") || text.starts_with("Array<") || text.starts_with("ReadonlyArray<") {
        Shape::List
    } else if text == "string" {
        Shape::Str
    } else {
        Shape::Other
    }
}

const JS_ARRAY_METHODS: &[&str] = &[
    "map",
    "filter",
    "slice",
    "concat",
    "flat",
    "flatMap",
    "split",
    "toSorted",
    "toReversed",
];

fn js_value(ctx: &RuleContext<'_>, value: Node<'_>) -> Shape {
    let value = crate::syntax::unwrap_expression(value);
    match value.kind_str() {
        "array" => literal_elements(value),
        "string" | "template_string" => Shape::Str,
        "new_expression" => {
            let ctor = value.field("constructor").map(|c| ctx.text(c));
            if ctor == Some("Array") {
                Shape::List
            } else {
                Shape::Other
            }
        }
        "call_expression" => {
            let callee = value.field("function").map(|f| ctx.text(f)).unwrap_or("");
            let method = callee.rsplit('.').next().unwrap_or("");
            if matches!(
                callee,
                "Array.from" | "Array.of" | "Object.keys" | "Object.values" | "Object.entries"
            ) || (callee.contains('.') && JS_ARRAY_METHODS.contains(&method))
            {
                Shape::List
            } else {
                Shape::Other
            }
        }
        _ => Shape::Other,
    }
}

fn python_type(ctx: &RuleContext<'_>, ty: Node<'_>) -> Shape {
    let text = ctx.text(ty).trim();
    let base = text.split('[').next().unwrap_or(text).trim();
    match base {
        "list" | "List" | "typing.List" => Shape::List,
        "str" => Shape::Str,
        _ => Shape::Other,
    }
}

fn python_value(ctx: &RuleContext<'_>, value: Node<'_>) -> Shape {
    match value.kind_str() {
        "list" => literal_elements(value),
        "list_comprehension" => Shape::List,
        "string" | "concatenated_string" => Shape::Str,
        "call" => {
            let callee = value.field("function").map(|f| ctx.text(f)).unwrap_or("");
            let method = callee.rsplit('.').next().unwrap_or("");
            if matches!(callee, "list" | "sorted")
                || (callee.contains('.') && matches!(method, "split" | "splitlines" | "readlines"))
            {
                Shape::List
            } else if callee == "str" || (callee.contains('.') && method == "join") {
                Shape::Str
            } else {
                Shape::Other
            }
        }
        _ => Shape::Other,
    }
}

fn generic_base<'s>(ctx: &RuleContext<'s>, ty: Node<'_>) -> &'s str {
    let text = ctx.text(ty);
    text.split('<').next().unwrap_or(text).trim()
}

fn java_type(ctx: &RuleContext<'_>, ty: Node<'_>) -> Shape {
    match generic_base(ctx, ty) {
        "List" | "ArrayList" | "LinkedList" | "Vector" | "CopyOnWriteArrayList" => Shape::List,
        "String" => Shape::Str,
        _ => Shape::Other,
    }
}

fn java_value(ctx: &RuleContext<'_>, value: Node<'_>) -> Shape {
    match value.kind_str() {
        "string_literal" => Shape::Str,
        "object_creation_expression" => value
            .field("type")
            .map_or(Shape::Other, |t| java_type(ctx, t)),
        _ => Shape::Other,
    }
}

fn rust_type(ctx: &RuleContext<'_>, ty: Node<'_>) -> Shape {
    let text = ctx.text(ty).trim();
    let inner = text
        .trim_start_matches('&')
        .trim_start_matches("mut ")
        .trim();
    if inner.starts_with("Vec<") || (inner.starts_with('[') && !inner.contains(';')) {
        Shape::List
    } else if inner == "String" {
        Shape::Str
    } else {
        Shape::Other
    }
}

fn rust_value(ctx: &RuleContext<'_>, value: Node<'_>) -> Shape {
    let text = ctx.text(value);
    match value.kind_str() {
        "macro_invocation" => {
            let name = value.field("macro").map(|m| ctx.text(m)).unwrap_or("");
            match name {
                "vec" => value
                    .named_child(value.named_child_count().saturating_sub(1))
                    .map_or(Shape::List, literal_elements),
                "format" => Shape::Str,
                _ => Shape::Other,
            }
        }
        "call_expression" if text.starts_with("Vec::") => Shape::List,
        "call_expression" if text.starts_with("String::") => Shape::Str,
        _ if text.ends_with(".to_vec()") || text.contains("collect::<Vec<") => Shape::List,
        _ if text.ends_with(".to_string()") || text.ends_with(".to_owned()") => Shape::Other,
        _ => Shape::Other,
    }
}

fn go_type(ctx: &RuleContext<'_>, ty: Node<'_>) -> Shape {
    match ty.kind_str() {
        "slice_type" => Shape::List,
        _ if ctx.text(ty) == "string" => Shape::Str,
        _ => Shape::Other,
    }
}

fn go_value(ctx: &RuleContext<'_>, value: Node<'_>) -> Shape {
    match value.kind_str() {
        "interpreted_string_literal" | "raw_string_literal" => Shape::Str,
        "composite_literal" => {
            let slice = value
                .field("type")
                .is_some_and(|t| t.kind_str() == "slice_type");
            match (slice, value.field("body")) {
                (true, Some(body)) => {
                    let mut cursor = body.walk();
                    let elements: Vec<Node<'_>> = body
                        .named_children(&mut cursor)
                        .filter_map(|e| e.named_child(0))
                        .collect();
                    if !elements.is_empty() && elements.iter().all(|e| is_literal(e.kind_str())) {
                        Shape::LiteralList
                    } else {
                        Shape::List
                    }
                }
                _ => Shape::Other,
            }
        }
        "call_expression" => {
            let callee = value.field("function").map(|f| ctx.text(f)).unwrap_or("");
            let first_is_slice = value
                .field("arguments")
                .and_then(|a| a.named_child(0))
                .is_some_and(|a| a.kind_str() == "slice_type");
            if (callee == "make" && first_is_slice) || callee == "append" {
                Shape::List
            } else {
                Shape::Other
            }
        }
        _ => Shape::Other,
    }
}

/// What repeats `node` within its function: the loop whose body holds it,
/// a per-element callback (`xs.map(x => …)`, `xs.forEach`, a Java stream
/// lambda, a Rust iterator closure) or a Python comprehension. Loops over a
/// literal list, a constant table (`REQUIRED_COLUMNS`) or with a small
/// literal bound (`i < 3`, `range(3)`) do not count.
pub(super) fn repeating<'t>(
    ctx: &RuleContext<'_>,
    language: Language,
    node: Node<'t>,
) -> Option<Node<'t>> {
    let mut child = node;
    while let Some(parent) = child.parent() {
        if is_loop(language, parent) {
            if parent.field("body") == Some(child) {
                return (!small_loop(ctx, language, parent)).then_some(parent);
            }
        } else if is_function(language, parent) {
            // `REQUIRED_COLUMNS.filter((c) => …)`: a constant table is a
            // fixed number of iterations, whatever the code does per element.
            return per_element_callback(ctx, language, parent).filter(|call| {
                let receiver = match language {
                    Language::Java => call.field("object"),
                    _ => call
                        .field("function")
                        .and_then(|f| f.field("object").or_else(|| f.field("value"))),
                };
                !receiver.is_some_and(|r| super::search::is_constant_name(ctx.text(r)))
            });
        } else if language == Language::Python
            && matches!(
                parent.kind_str(),
                "list_comprehension"
                    | "set_comprehension"
                    | "dictionary_comprehension"
                    | "generator_expression"
            )
            && child.kind_str() != "for_in_clause"
        {
            return Some(parent);
        }
        child = parent;
    }
    None
}

const CALLBACK_METHODS: &[&str] = &[
    "map",
    "filter",
    "forEach",
    "some",
    "every",
    "find",
    "findIndex",
    "flatMap",
    "reduce",
    "anyMatch",
    "allMatch",
    "noneMatch",
    "any",
    "all",
    "for_each",
    "filter_map",
    "position",
    "retain",
];

fn per_element_callback<'t>(
    ctx: &RuleContext<'_>,
    language: Language,
    function: Node<'t>,
) -> Option<Node<'t>> {
    let args = function.parent()?;
    let call = args.parent()?;
    if !matches!(args.kind_str(), "arguments" | "argument_list") {
        return None;
    }
    let method = match language {
        Language::Java => call.field("name"),
        _ => call
            .field("function")
            .and_then(|f| f.field("property").or_else(|| f.field("field"))),
    }?;
    let method = ctx.text(method);
    let reduce_callback = method == "reduce";
    let first = args.named_child(0)? == function;
    (CALLBACK_METHODS.contains(&method) && (first || reduce_callback)).then_some(call)
}

/// A loop over a literal list, or counting to a small literal bound.
fn small_loop(ctx: &RuleContext<'_>, language: Language, lp: Node<'_>) -> bool {
    if let Some(iterable) = loop_iterable(language, lp) {
        let shape = match iterable.kind_str() {
            "array" | "list" | "tuple" | "array_expression" => literal_elements(iterable),
            "composite_literal" => go_value(ctx, iterable),
            // `for c in REQUIRED_COLUMNS`: a constant table.
            "identifier"
            | "member_expression"
            | "attribute"
            | "selector_expression"
            | "field_expression"
            | "field_access"
                if super::search::is_constant_name(ctx.text(iterable)) =>
            {
                Shape::LiteralList
            }
            "call" => {
                // `range(3)`
                let callee = iterable.field("function").map(|f| ctx.text(f));
                let args = iterable.field("arguments");
                let small = callee == Some("range")
                    && args.is_some_and(|a| {
                        let mut cursor = a.walk();
                        a.named_children(&mut cursor).all(|n| small_int(ctx, n))
                    });
                return small;
            }
            "range_expression" => {
                let mut cursor = iterable.walk();
                return iterable
                    .named_children(&mut cursor)
                    .all(|n| small_int(ctx, n));
            }
            _ => Shape::Other,
        };
        return shape == Shape::LiteralList;
    }
    // `for (let i = 0; i < 3; i++)`: a bound that is a small literal.
    let condition = match (language, lp.kind_str()) {
        (Language::Go, "for_statement") => {
            let mut cursor = lp.walk();
            let clause = lp
                .named_children(&mut cursor)
                .find(|c| c.kind_str() == "for_clause");
            clause.and_then(|c| c.field("condition"))
        }
        _ if lp.kind_str() == "for_statement" => lp.field("condition"),
        _ => None,
    };
    condition.is_some_and(|c| {
        let c = if c.kind_str() == "expression_statement" {
            c.named_child(0).unwrap_or(c)
        } else {
            c
        };
        c.field("right").is_some_and(|r| small_int(ctx, r))
    })
}

fn small_int(ctx: &RuleContext<'_>, node: Node<'_>) -> bool {
    matches!(
        node.kind_str(),
        "number" | "integer" | "int_literal" | "integer_literal" | "decimal_integer_literal"
    ) && ctx.text(node).parse::<u32>().is_ok_and(|n| n <= 16)
}

/// Whether `scope` declares `name` or assigns it with a plain `=` (before
/// byte `before`, if given): then a value of that name seen inside `scope`
/// is per-iteration data, not something the loop keeps scanning or growing.
pub(super) fn binds_within(
    ctx: &RuleContext<'_>,
    scope: Node<'_>,
    name: &str,
    before: Option<usize>,
) -> bool {
    preorder(scope)
        .take_while(|n| before.is_none_or(|b| n.start_byte() < b))
        .any(|n| {
            let target = match n.kind_str() {
                "variable_declarator" | "var_spec" => n.field("name"),
                "let_declaration" => n.field("pattern"),
                "assignment" | "short_var_declaration" => n.field("left"),
                "assignment_statement" | "assignment_expression" => n
                    .field("operator")
                    .is_none_or(|o| ctx.text(o) == "=")
                    .then(|| n.field("left"))
                    .flatten(),
                _ => None,
            };
            target.is_some_and(|t| {
                preorder(t).any(|p| p.kind_str() == "identifier" && ctx.text(p) == name)
            })
        })
}
