//! `POST /graphql`: documents are parsed with graphql-parser, validated against
//! GitHub's schema (`schema.graphql`) the way GitHub's graphql-ruby reports
//! errors, then executed against the fake's state.
//!
//! Execution covers what prwarden needs: batched blob reads through
//! `repository { object(expression: "<rev>:<path>") { ... on Blob { … } } }`,
//! `rateLimit`, `pullRequest { reviewThreads { … comments { … } } }`, and the
//! `resolveReviewThread` / `unresolveReviewThread` / `minimizeComment`
//! mutations. Fields that are valid in GitHub's schema but not implemented here
//! resolve to `null` and are listed in [`crate::GraphqlCall::unsupported`].

use std::collections::{HashMap, HashSet};

use graphql_parser::Pos;
use graphql_parser::query::{
    Definition, Directive, Document, Field, FragmentDefinition, OperationDefinition, Selection,
    SelectionSet, TypeCondition, Value as GValue,
};
use serde_json::{Map, Value, json};

use crate::files::Side;
use crate::reviews::anchor;
use crate::server::{Ctx, Reply};
use crate::shared::{GqlKind, GqlSchema, graphql_schema, type_string};
use crate::util::{self, iso, node_id};
use crate::{GraphqlCall, Pull, State, repo_key};

/// GitHub truncates `Blob.text` here (observed; §5 of the reference).
const MAX_BLOB_TEXT: usize = 512_000;
const MAX_PAGE: i64 = 100;

fn location(pos: Pos) -> Value {
    json!([{"line": pos.line, "column": pos.column}])
}

fn error(message: String, pos: Pos, path: &[String], extensions: Value) -> Value {
    json!({"message": message, "locations": location(pos), "path": path, "extensions": extensions})
}

/// Converts a GraphQL literal (resolving variables) into JSON.
fn to_json(v: &GValue<'_, String>, vars: &Value) -> Value {
    match v {
        GValue::Variable(name) => vars.get(name.as_str()).cloned().unwrap_or(Value::Null),
        GValue::Int(n) => json!(n.as_i64()),
        GValue::Float(f) => json!(f),
        GValue::String(s) => json!(s),
        GValue::Boolean(b) => json!(b),
        GValue::Null => Value::Null,
        GValue::Enum(e) => json!(e),
        GValue::List(items) => Value::Array(items.iter().map(|i| to_json(i, vars)).collect()),
        GValue::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), to_json(v, vars)))
                .collect(),
        ),
    }
}

fn collect_vars(v: &GValue<'_, String>, out: &mut HashSet<String>) {
    match v {
        GValue::Variable(name) => {
            out.insert(name.clone());
        }
        GValue::List(items) => items.iter().for_each(|i| collect_vars(i, out)),
        GValue::Object(map) => map.values().for_each(|i| collect_vars(i, out)),
        _ => {}
    }
}

type Fragments<'r> = HashMap<String, &'r FragmentDefinition<'static, String>>;

/// Static validation against the schema, with graphql-ruby's messages.
struct Validator<'r> {
    schema: &'static GqlSchema,
    fragments: &'r Fragments<'r>,
    errors: Vec<Value>,
    used_vars: HashSet<String>,
    used_fragments: HashSet<String>,
    visiting: Vec<String>,
}

impl Validator<'_> {
    fn directives(&mut self, directives: &[Directive<'static, String>]) {
        for d in directives {
            for (_, v) in &d.arguments {
                collect_vars(v, &mut self.used_vars);
            }
        }
    }

    fn selection_set(
        &mut self,
        set: &SelectionSet<'static, String>,
        parent: &str,
        path: &mut Vec<String>,
    ) {
        for sel in &set.items {
            match sel {
                Selection::Field(f) => self.field(f, parent, path),
                Selection::InlineFragment(fr) => {
                    self.directives(&fr.directives);
                    let cond = match &fr.type_condition {
                        Some(TypeCondition::On(t)) => t.as_str(),
                        None => parent,
                    };
                    path.push(format!("... on {cond}"));
                    if self.condition_ok(cond, parent, fr.position, path) {
                        self.selection_set(&fr.selection_set, cond, path);
                    }
                    path.pop();
                }
                Selection::FragmentSpread(sp) => {
                    self.directives(&sp.directives);
                    let name = sp.fragment_name.as_str();
                    self.used_fragments.insert(name.to_string());
                    path.push(format!("... {name}"));
                    match self.fragments.get(name) {
                        None => self.errors.push(error(
                            format!("Fragment {name} was used, but not defined"),
                            sp.position,
                            path,
                            json!({"code": "useAndDefineFragment", "fragmentName": name}),
                        )),
                        Some(def) if !self.visiting.iter().any(|v| v == name) => {
                            let TypeCondition::On(cond) = &def.type_condition;
                            if self.condition_ok(cond, parent, def.position, path) {
                                self.visiting.push(name.to_string());
                                self.selection_set(&def.selection_set, cond, path);
                                self.visiting.pop();
                            }
                        }
                        Some(_) => {}
                    }
                    path.pop();
                }
            }
        }
    }

    fn condition_ok(&mut self, cond: &str, parent: &str, pos: Pos, path: &[String]) -> bool {
        if !self.schema.types.contains_key(cond) {
            self.errors.push(error(
                format!("No such type {cond}, so it can't be a fragment condition"),
                pos,
                path,
                json!({"code": "undefinedType", "typeName": cond}),
            ));
            return false;
        }
        if !self.schema.overlaps(parent, cond) {
            self.errors.push(error(
                format!("Fragment on {cond} can't be spread inside {parent}"),
                pos,
                path,
                json!({"code": "fragmentSpreadImpossible", "typeName": cond, "fragmentName": "unknown", "parentName": parent}),
            ));
            return false;
        }
        true
    }

    fn field(&mut self, f: &Field<'static, String>, parent: &str, path: &mut Vec<String>) {
        self.directives(&f.directives);
        let name = f.name.as_str();
        path.push(f.alias.clone().unwrap_or_else(|| name.to_string()));
        let def = self
            .schema
            .types
            .get(parent)
            .and_then(|t| t.fields.get(name));
        if name == "__typename" {
            path.pop();
            return;
        }
        let Some(def) = def else {
            self.errors.push(error(
                format!("Field '{name}' doesn't exist on type '{parent}'"),
                f.position,
                path,
                json!({"code": "undefinedField", "typeName": parent, "fieldName": name}),
            ));
            path.pop();
            return;
        };
        for (arg, value) in &f.arguments {
            collect_vars(value, &mut self.used_vars);
            if !def.args.iter().any(|a| &a.name == arg) {
                self.errors.push(error(
                    format!("Field '{name}' doesn't accept argument '{arg}'"),
                    f.position,
                    path,
                    json!({"code": "argumentNotAccepted", "name": name, "typeName": "Field", "argumentName": arg}),
                ));
            }
        }
        let missing: Vec<&str> = def
            .args
            .iter()
            .filter(|a| a.required && !f.arguments.iter().any(|(n, _)| n == &a.name))
            .map(|a| a.name.as_str())
            .collect();
        if !missing.is_empty() {
            self.errors.push(error(
                format!("Field '{name}' is missing required arguments: {}", missing.join(", ")),
                f.position,
                path,
                json!({"code": "missingRequiredArguments", "className": "Field", "name": name, "arguments": missing.join(", ")}),
            ));
        }
        let kind = self.schema.types.get(&def.named).map(|t| t.kind);
        let composite = matches!(
            kind,
            Some(GqlKind::Object | GqlKind::Interface | GqlKind::Union)
        );
        if composite && f.selection_set.items.is_empty() {
            self.errors.push(error(
                format!(
                    "Field '{name}' returns {} but has no selections. Did you mean '{name} {{ ... }}'?",
                    def.named
                ),
                f.position,
                path,
                json!({"code": "selectionMismatch", "nodeName": format!("field '{name}'"), "typeName": def.named}),
            ));
        } else if !composite && !f.selection_set.items.is_empty() {
            let selected: Vec<String> = f
                .selection_set
                .items
                .iter()
                .filter_map(|s| match s {
                    Selection::Field(sf) => Some(sf.name.clone()),
                    _ => None,
                })
                .collect();
            let what = if kind == Some(GqlKind::Enum) {
                "enums"
            } else {
                "scalars"
            };
            self.errors.push(error(
                format!(
                    "Selections can't be made on {what} (field '{name}' returns {} but has selections [{}])",
                    def.named,
                    selected.join(", ")
                ),
                f.position,
                path,
                json!({"code": "selectionMismatch", "nodeName": format!("field '{name}'"), "typeName": def.named}),
            ));
        } else if composite {
            let named = def.named.clone();
            self.selection_set(&f.selection_set, &named, path);
        }
        path.pop();
    }
}

/// Validates the whole document; returns GitHub-style error objects.
fn validate(doc: &Document<'static, String>, vars: &Value) -> Vec<Value> {
    let schema = graphql_schema();
    let mut fragments: Fragments = HashMap::new();
    for def in &doc.definitions {
        if let Definition::Fragment(f) = def {
            fragments.insert(f.name.clone(), f);
        }
    }
    let mut errors = Vec::new();
    let mut used_fragments = HashSet::new();
    for def in &doc.definitions {
        let Definition::Operation(op) = def else {
            continue;
        };
        let (root, name, var_defs, set, pos) = match op {
            OperationDefinition::SelectionSet(s) => ("Query", None, &[][..], s, s.span.0),
            OperationDefinition::Query(q) => (
                "Query",
                q.name.clone(),
                &q.variable_definitions[..],
                &q.selection_set,
                q.position,
            ),
            OperationDefinition::Mutation(m) => (
                "Mutation",
                m.name.clone(),
                &m.variable_definitions[..],
                &m.selection_set,
                m.position,
            ),
            OperationDefinition::Subscription(s) => {
                errors.push(error(
                    "Schema is not configured for subscriptions".to_string(),
                    s.position,
                    &[],
                    json!({"code": "missingSubscriptionConfiguration"}),
                ));
                continue;
            }
        };
        let op_name = match &name {
            Some(n) => format!("{} {n}", root.to_lowercase()),
            None => format!("anonymous {}", root.to_lowercase()),
        };
        let mut v = Validator {
            schema,
            fragments: &fragments,
            errors: Vec::new(),
            used_vars: HashSet::new(),
            used_fragments: HashSet::new(),
            visiting: Vec::new(),
        };
        let mut path = vec![op_name.clone()];
        v.selection_set(set, root, &mut path);
        let declared: HashSet<String> = var_defs.iter().map(|d| d.name.clone()).collect();
        for used in &v.used_vars {
            if !declared.contains(used) {
                v.errors.push(error(
                    format!("Variable ${used} is used by {op_name} but not declared"),
                    pos,
                    std::slice::from_ref(&op_name),
                    json!({"code": "variableNotDefined", "variableName": used}),
                ));
            }
        }
        for d in var_defs {
            let (ty, named) = type_string(&d.var_type);
            if !v.used_vars.contains(&d.name) {
                v.errors.push(error(
                    format!("Variable ${} is declared by {op_name} but not used", d.name),
                    d.position,
                    std::slice::from_ref(&op_name),
                    json!({"code": "variableNotUsed", "variableName": d.name}),
                ));
            }
            if !schema.types.contains_key(&named) {
                v.errors.push(error(
                    format!("{named} isn't a defined input type (on ${})", d.name),
                    d.position,
                    std::slice::from_ref(&op_name),
                    json!({"code": "variableRequiresValidType", "typeName": named, "variableName": d.name}),
                ));
            }
            let provided = vars.get(d.name.as_str()).is_some_and(|x| !x.is_null());
            if ty.ends_with('!') && d.default_value.is_none() && !provided {
                v.errors.push(json!({
                    "message": format!("Variable ${} of type {ty} was provided invalid value", d.name),
                    "locations": location(d.position),
                    "extensions": {"value": null, "problems": [{"path": [], "explanation": "Expected value to not be null"}]}
                }));
            }
        }
        used_fragments.extend(v.used_fragments);
        errors.extend(v.errors);
    }
    for (name, def) in &fragments {
        if !used_fragments.contains(name) {
            errors.push(error(
                format!("Fragment {name} was defined, but not used"),
                def.position,
                &[format!("fragment {name}")],
                json!({"code": "useAndDefineFragment", "fragmentName": name}),
            ));
        }
    }
    errors
}

/// What a field resolved to, before its sub-selection is applied.
enum Out {
    Json(Value),
    Node(Node),
    List(Vec<Out>),
}

/// The objects the executor knows how to resolve fields on.
#[derive(Clone)]
enum Node {
    Query,
    Mutation,
    Repository(String),
    Blob {
        repo: String,
        oid: String,
    },
    RateLimit,
    PullRequest {
        repo: String,
        number: u64,
    },
    Thread {
        repo: String,
        number: u64,
        root: u64,
    },
    Comment {
        repo: String,
        number: u64,
        id: u64,
    },
    Actor {
        login: String,
        bot: bool,
    },
    Connection {
        typename: String,
        items: Vec<Node>,
        offset: usize,
        total: usize,
        has_next: bool,
    },
    Edge {
        typename: String,
        node: Box<Node>,
        cursor: String,
    },
    PageInfo {
        has_next: bool,
        has_prev: bool,
        start: Option<String>,
        end: Option<String>,
    },
    Payload {
        typename: &'static str,
        fields: Vec<(&'static str, Option<Node>)>,
        client_mutation_id: Value,
    },
}

impl Node {
    fn typename(&self) -> String {
        match self {
            Node::Query => "Query".into(),
            Node::Mutation => "Mutation".into(),
            Node::Repository(_) => "Repository".into(),
            Node::Blob { .. } => "Blob".into(),
            Node::RateLimit => "RateLimit".into(),
            Node::PullRequest { .. } => "PullRequest".into(),
            Node::Thread { .. } => "PullRequestReviewThread".into(),
            Node::Comment { .. } => "PullRequestReviewComment".into(),
            Node::Actor { bot, .. } => if *bot { "Bot" } else { "User" }.into(),
            Node::Connection { typename, .. } => typename.clone(),
            Node::Edge { typename, .. } => typename.clone(),
            Node::PageInfo { .. } => "PageInfo".into(),
            Node::Payload { typename, .. } => (*typename).into(),
        }
    }
}

fn cursor(index: usize) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(format!("cursor:v2:{index}"))
}

fn decode_cursor(c: &str) -> Option<usize> {
    use base64::Engine;
    let raw = base64::engine::general_purpose::STANDARD.decode(c).ok()?;
    String::from_utf8(raw)
        .ok()?
        .strip_prefix("cursor:v2:")?
        .parse()
        .ok()
}

/// `OFF_TOPIC` → `off-topic`, the spelling `minimizedReason` reports.
fn reason_of(classifier: &str) -> String {
    classifier.to_lowercase().replace('_', "-")
}

struct Exec<'s, 'r> {
    st: &'s mut State,
    installation: u64,
    vars: &'s Value,
    fragments: &'s Fragments<'r>,
    errors: Vec<Value>,
    /// Errors that mean the app sent a bad query (recorded as invalid).
    bad_query: Vec<String>,
    unsupported: Vec<String>,
}

impl Exec<'_, '_> {
    fn skip(&self, directives: &[Directive<'static, String>]) -> bool {
        directives.iter().any(|d| {
            let cond = d
                .arguments
                .iter()
                .find(|(n, _)| n == "if")
                .map(|(_, v)| to_json(v, self.vars))
                .and_then(|v| v.as_bool());
            match d.name.as_str() {
                "skip" => cond == Some(true),
                "include" => cond == Some(false),
                _ => false,
            }
        })
    }

    fn exec_set(
        &mut self,
        node: &Node,
        set: &SelectionSet<'static, String>,
        path: &mut Vec<Value>,
    ) -> Map<String, Value> {
        let mut out = Map::new();
        let typename = node.typename();
        for sel in &set.items {
            match sel {
                Selection::Field(f) => {
                    if self.skip(&f.directives) {
                        continue;
                    }
                    let key = f.alias.clone().unwrap_or_else(|| f.name.clone());
                    path.push(json!(key));
                    let value = if f.name == "__typename" {
                        json!(typename)
                    } else {
                        let resolved = self.resolve(node, f, path);
                        self.complete(resolved, f, path)
                    };
                    path.pop();
                    merge(&mut out, key, value);
                }
                Selection::InlineFragment(fr) => {
                    if self.skip(&fr.directives) {
                        continue;
                    }
                    let applies = match &fr.type_condition {
                        Some(TypeCondition::On(t)) => graphql_schema().applies(&typename, t),
                        None => true,
                    };
                    if applies {
                        let inner = self.exec_set(node, &fr.selection_set, path);
                        for (k, v) in inner {
                            merge(&mut out, k, v);
                        }
                    }
                }
                Selection::FragmentSpread(sp) => {
                    if self.skip(&sp.directives) {
                        continue;
                    }
                    let Some(def) = self.fragments.get(sp.fragment_name.as_str()).copied() else {
                        continue;
                    };
                    let TypeCondition::On(t) = &def.type_condition;
                    if graphql_schema().applies(&typename, t) {
                        let inner = self.exec_set(node, &def.selection_set, path);
                        for (k, v) in inner {
                            merge(&mut out, k, v);
                        }
                    }
                }
            }
        }
        out
    }

    fn complete(
        &mut self,
        out: Option<Out>,
        f: &Field<'static, String>,
        path: &mut Vec<Value>,
    ) -> Value {
        match out {
            None => Value::Null,
            Some(Out::Json(v)) => v,
            Some(Out::Node(n)) => Value::Object(self.exec_set(&n, &f.selection_set, path)),
            Some(Out::List(items)) => Value::Array(
                items
                    .into_iter()
                    .enumerate()
                    .map(|(i, item)| {
                        path.push(json!(i));
                        let v = self.complete(Some(item), f, path);
                        path.pop();
                        v
                    })
                    .collect(),
            ),
        }
    }

    fn arg(&self, f: &Field<'static, String>, name: &str) -> Value {
        f.arguments
            .iter()
            .find(|(n, _)| n == name)
            .map_or(Value::Null, |(_, v)| to_json(v, self.vars))
    }

    fn not_found(
        &mut self,
        f: &Field<'static, String>,
        path: &[Value],
        message: String,
    ) -> Option<Out> {
        self.errors.push(json!({
            "type": "NOT_FOUND",
            "path": path,
            "locations": location(f.position),
            "message": message
        }));
        None
    }

    fn unsupported(&mut self, node: &Node, f: &Field<'static, String>) -> Option<Out> {
        let entry = format!("{}.{}", node.typename(), f.name);
        if !self.unsupported.contains(&entry) {
            self.unsupported.push(entry);
        }
        None
    }

    /// Builds a connection page from `items` with `first`/`after` (or `last`/`before`).
    fn connection(
        &mut self,
        f: &Field<'static, String>,
        path: &[Value],
        typename: &str,
        items: Vec<Node>,
    ) -> Option<Out> {
        let first = self.arg(f, "first").as_i64();
        let last = self.arg(f, "last").as_i64();
        let field = f.name.as_str();
        let fail = |this: &mut Self, kind: &str, message: String| {
            this.bad_query.push(message.clone());
            this.errors.push(json!({"type": kind, "path": path, "locations": location(f.position), "message": message}));
            None
        };
        let total = items.len();
        let (start, end) = match (first, last) {
            (None, None) => {
                return fail(
                    self,
                    "MISSING_PAGINATION_BOUNDARIES",
                    format!(
                        "You must provide a `first` or `last` value to properly paginate the `{field}` connection."
                    ),
                );
            }
            (Some(n), _) | (None, Some(n)) if !(0..=MAX_PAGE).contains(&n) => {
                let which = if first.is_some() { "first" } else { "last" };
                return fail(
                    self,
                    "EXCESSIVE_PAGINATION",
                    format!(
                        "Requesting {n} records on the `{field}` connection exceeds the `{which}` limit of 100 records."
                    ),
                );
            }
            (Some(n), _) => {
                let after = self.arg(f, "after");
                let start = after
                    .as_str()
                    .and_then(decode_cursor)
                    .map_or(0, |i| i + 1)
                    .min(total);
                (start, (start + n as usize).min(total))
            }
            (None, Some(n)) => {
                let before = self.arg(f, "before");
                let end = before
                    .as_str()
                    .and_then(decode_cursor)
                    .unwrap_or(total)
                    .min(total);
                (end.saturating_sub(n as usize), end)
            }
        };
        let page: Vec<Node> = items[start..end].to_vec();
        Some(Out::Node(Node::Connection {
            typename: typename.to_string(),
            items: page,
            offset: start,
            total,
            has_next: end < total,
        }))
    }

    fn resolve(&mut self, node: &Node, f: &Field<'static, String>, path: &[Value]) -> Option<Out> {
        let name = f.name.as_str();
        let j = |v: Value| Some(Out::Json(v));
        match node {
            Node::Query => {
                match name {
                    "repository" => {
                        let owner = self.arg(f, "owner");
                        let repo = self.arg(f, "name");
                        let (owner, repo) = (
                            owner.as_str().unwrap_or_default(),
                            repo.as_str().unwrap_or_default(),
                        );
                        match self.st.repo(owner, repo) {
                        Some(r) if r.installation_id == self.installation => {
                            Some(Out::Node(Node::Repository(repo_key(owner, repo))))
                        }
                        _ => self.not_found(f, path, format!("Could not resolve to a Repository with the name '{owner}/{repo}'.")),
                    }
                    }
                    "rateLimit" => Some(Out::Node(Node::RateLimit)),
                    "viewer" => {
                        let slug = self.viewer_slug();
                        Some(Out::Node(Node::Actor {
                            login: format!("{slug}[bot]"),
                            bot: true,
                        }))
                    }
                    _ => self.unsupported(node, f),
                }
            }
            Node::RateLimit => {
                let b = self.st.rate.get("graphql")?;
                match name {
                    "cost" => j(json!(1)),
                    "limit" => j(json!(b.limit)),
                    "remaining" => j(json!(b.remaining)),
                    "used" => j(json!(b.limit - b.remaining.min(b.limit))),
                    "resetAt" => j(json!(chrono::DateTime::from_timestamp(b.reset, 0).map(iso))),
                    "nodeCount" => j(json!(0)),
                    _ => self.unsupported(node, f),
                }
            }
            Node::Repository(key) => {
                let repo = self.st.repos.get(key)?;
                match name {
                    "object" => {
                        let found = if let Some(expr) = self.arg(f, "expression").as_str() {
                            let (rev, file) = expr.split_once(':').unwrap_or((expr, ""));
                            repo.lookup(Some(rev), file)
                                .map(|bytes| util::git_blob_sha(bytes))
                        } else {
                            self.arg(f, "oid")
                                .as_str()
                                .filter(|o| repo.blobs.contains_key(*o))
                                .map(str::to_string)
                        };
                        // A missing object is `null` without an error, as on GitHub.
                        found.map(|oid| {
                            Out::Node(Node::Blob {
                                repo: key.clone(),
                                oid,
                            })
                        })
                    }
                    "pullRequest" => {
                        let number = self.arg(f, "number").as_u64().unwrap_or(0);
                        if repo.pulls.contains_key(&number) {
                            Some(Out::Node(Node::PullRequest {
                                repo: key.clone(),
                                number,
                            }))
                        } else {
                            self.not_found(f, path, format!("Could not resolve to a PullRequest with the number of {number}."))
                        }
                    }
                    "name" => j(json!(repo.name)),
                    "nameWithOwner" => j(json!(repo.full_name())),
                    "id" => j(json!(node_id("R", repo.id))),
                    "databaseId" => j(json!(repo.id)),
                    "url" => j(json!(format!("https://github.com/{}", repo.full_name()))),
                    "isPrivate" => j(json!(false)),
                    _ => self.unsupported(node, f),
                }
            }
            Node::Blob { repo, oid } => {
                let r = self.st.repos.get(repo)?;
                let bytes = r.blobs.get(oid)?;
                let binary = r.binary_blobs.contains(oid) || std::str::from_utf8(bytes).is_err();
                match name {
                    "text" => {
                        if binary {
                            return j(Value::Null);
                        }
                        let text = String::from_utf8_lossy(bytes);
                        let mut cut = text.len().min(MAX_BLOB_TEXT);
                        while !text.is_char_boundary(cut) {
                            cut -= 1;
                        }
                        j(json!(&text[..cut]))
                    }
                    "isBinary" => j(json!(binary)),
                    "isTruncated" => j(json!(!binary && bytes.len() > MAX_BLOB_TEXT)),
                    "byteSize" => j(json!(bytes.len())),
                    "oid" => j(json!(oid)),
                    "abbreviatedOid" => j(json!(&oid[..oid.len().min(7)])),
                    "id" => j(json!(format!("B_{}", &oid[..oid.len().min(24)]))),
                    _ => self.unsupported(node, f),
                }
            }
            Node::PullRequest { repo, number } => {
                let r = self.st.repos.get(repo)?;
                let pull = r.pulls.get(number)?;
                let pr = &pull.pr;
                match name {
                    "number" => j(json!(pr.number)),
                    "id" => j(json!(node_id("PR", pull.id))),
                    "databaseId" => j(json!(pull.id)),
                    "title" => j(json!(pr.title)),
                    "body" => j(json!(pr.body.clone().unwrap_or_default())),
                    "isDraft" => j(json!(pr.draft)),
                    "state" => j(json!("OPEN")),
                    "headRefOid" => j(json!(pr.head_sha)),
                    "baseRefOid" => j(json!(pr.base_sha)),
                    "headRefName" => j(json!(pr.head_ref)),
                    "baseRefName" => j(json!(pr.base_ref)),
                    "url" => j(json!(format!(
                        "https://github.com/{}/pull/{}",
                        r.full_name(),
                        pr.number
                    ))),
                    "reviewThreads" => {
                        let items: Vec<Node> = pull
                            .comments
                            .iter()
                            .filter(|c| c.json["in_reply_to_id"].is_null())
                            .filter_map(|c| c.json["id"].as_u64())
                            .map(|root| Node::Thread {
                                repo: repo.clone(),
                                number: *number,
                                root,
                            })
                            .collect();
                        self.connection(f, path, "PullRequestReviewThreadConnection", items)
                    }
                    _ => self.unsupported(node, f),
                }
            }
            Node::Thread { repo, number, root } => {
                let r = self.st.repos.get(repo)?;
                let pull = r.pulls.get(number)?;
                let root_c = pull
                    .comments
                    .iter()
                    .find(|c| c.json["id"].as_u64() == Some(*root))?;
                let rc = &root_c.json;
                let outdated = is_outdated(pull, rc);
                match name {
                    "id" => j(json!(node_id("PRRT", *root))),
                    "isResolved" => j(json!(root_c.resolved)),
                    "isCollapsed" => j(json!(root_c.resolved)),
                    "isOutdated" => j(json!(outdated)),
                    "path" => j(rc["path"].clone()),
                    "line" => j(if outdated {
                        Value::Null
                    } else {
                        rc["line"].clone()
                    }),
                    "startLine" => j(if outdated {
                        Value::Null
                    } else {
                        rc["start_line"].clone()
                    }),
                    "originalLine" => j(rc["original_line"].clone()),
                    "originalStartLine" => j(rc["original_start_line"].clone()),
                    "diffSide" => j(rc["side"].clone()),
                    "startDiffSide" => j(rc["start_side"].clone()),
                    "subjectType" => j(json!(
                        rc["subject_type"].as_str().unwrap_or("line").to_uppercase()
                    )),
                    "viewerCanResolve" | "viewerCanUnresolve" | "viewerCanReply" => j(json!(true)),
                    "resolvedBy" => {
                        if root_c.resolved {
                            let slug = self.viewer_slug();
                            Some(Out::Node(Node::Actor {
                                login: format!("{slug}[bot]"),
                                bot: true,
                            }))
                        } else {
                            None
                        }
                    }
                    "pullRequest" => Some(Out::Node(Node::PullRequest {
                        repo: repo.clone(),
                        number: *number,
                    })),
                    "repository" => Some(Out::Node(Node::Repository(repo.clone()))),
                    "comments" => {
                        let items: Vec<Node> = pull
                            .comments
                            .iter()
                            .filter(|c| {
                                c.json["id"].as_u64() == Some(*root)
                                    || c.json["in_reply_to_id"].as_u64() == Some(*root)
                            })
                            .filter_map(|c| c.json["id"].as_u64())
                            .map(|id| Node::Comment {
                                repo: repo.clone(),
                                number: *number,
                                id,
                            })
                            .collect();
                        self.connection(f, path, "PullRequestReviewCommentConnection", items)
                    }
                    _ => self.unsupported(node, f),
                }
            }
            Node::Comment { repo, number, id } => {
                let r = self.st.repos.get(repo)?;
                let pull = r.pulls.get(number)?;
                let c = pull
                    .comments
                    .iter()
                    .find(|c| c.json["id"].as_u64() == Some(*id))?;
                let v = &c.json;
                match name {
                    "id" => j(v["node_id"].clone()),
                    "databaseId" | "fullDatabaseId" => j(v["id"].clone()),
                    "body" | "bodyText" => j(v["body"].clone()),
                    "path" => j(v["path"].clone()),
                    "line" => j(v["line"].clone()),
                    "originalLine" => j(v["original_line"].clone()),
                    "startLine" => j(v["start_line"].clone()),
                    "originalStartLine" => j(v["original_start_line"].clone()),
                    "diffHunk" => j(v["diff_hunk"].clone()),
                    "url" => j(v["html_url"].clone()),
                    "createdAt" | "publishedAt" => j(v["created_at"].clone()),
                    "updatedAt" | "lastEditedAt" => j(v["updated_at"].clone()),
                    "isMinimized" => j(json!(c.minimized.is_some())),
                    "minimizedReason" => j(json!(c.minimized)),
                    "outdated" => j(json!(is_outdated(pull, v))),
                    "state" => j(json!("SUBMITTED")),
                    "viewerDidAuthor" => j(json!(true)),
                    "author" => {
                        let login = v["user"]["login"].as_str().unwrap_or_default().to_string();
                        // GraphQL shows a bot's login without the `[bot]` suffix.
                        let bot = login.ends_with("[bot]");
                        Some(Out::Node(Node::Actor {
                            login: login.trim_end_matches("[bot]").to_string(),
                            bot,
                        }))
                    }
                    "replyTo" => v["in_reply_to_id"].as_u64().map(|p| {
                        Out::Node(Node::Comment {
                            repo: repo.clone(),
                            number: *number,
                            id: p,
                        })
                    }),
                    "pullRequest" => Some(Out::Node(Node::PullRequest {
                        repo: repo.clone(),
                        number: *number,
                    })),
                    _ => self.unsupported(node, f),
                }
            }
            Node::Actor { login, bot } => match name {
                "login" => j(json!(login)),
                "url" => j(json!(format!(
                    "https://github.com/{}",
                    if *bot {
                        format!("apps/{login}")
                    } else {
                        login.clone()
                    }
                ))),
                "avatarUrl" => j(json!(format!(
                    "https://avatars.githubusercontent.com/u/{}",
                    crate::render::user_id(login)
                ))),
                _ => self.unsupported(node, f),
            },
            Node::Connection {
                typename,
                items,
                offset,
                total,
                has_next,
            } => match name {
                "nodes" => Some(Out::List(items.iter().cloned().map(Out::Node).collect())),
                "edges" => Some(Out::List(
                    items
                        .iter()
                        .enumerate()
                        .map(|(i, n)| {
                            Out::Node(Node::Edge {
                                typename: typename.replace("Connection", "Edge"),
                                node: Box::new(n.clone()),
                                cursor: cursor(offset + i),
                            })
                        })
                        .collect(),
                )),
                "totalCount" => j(json!(total)),
                "pageInfo" => Some(Out::Node(Node::PageInfo {
                    has_next: *has_next,
                    has_prev: *offset > 0,
                    start: (!items.is_empty()).then(|| cursor(*offset)),
                    end: (!items.is_empty()).then(|| cursor(offset + items.len() - 1)),
                })),
                _ => self.unsupported(node, f),
            },
            Node::Edge {
                node: inner,
                cursor,
                ..
            } => match name {
                "node" => Some(Out::Node((**inner).clone())),
                "cursor" => j(json!(cursor)),
                _ => self.unsupported(node, f),
            },
            Node::PageInfo {
                has_next,
                has_prev,
                start,
                end,
            } => match name {
                "hasNextPage" => j(json!(has_next)),
                "hasPreviousPage" => j(json!(has_prev)),
                "startCursor" => j(json!(start)),
                "endCursor" => j(json!(end)),
                _ => self.unsupported(node, f),
            },
            Node::Payload {
                fields,
                client_mutation_id,
                ..
            } => {
                if name == "clientMutationId" {
                    return j(client_mutation_id.clone());
                }
                match fields.iter().find(|(k, _)| *k == name) {
                    Some((_, n)) => n.clone().map(Out::Node),
                    None => self.unsupported(node, f),
                }
            }
            Node::Mutation => self.mutate(f, path),
        }
    }

    fn viewer_slug(&self) -> String {
        self.st
            .tokens
            .values()
            .find(|t| t.installation_id == self.installation)
            .and_then(|t| self.st.apps.get(&t.app_id))
            .map_or_else(|| crate::TEST_APP_SLUG.to_string(), |a| a.slug.clone())
    }

    /// Finds a review comment by node id in the installation's repositories.
    fn find_comment(&self, wanted: &str, thread: bool) -> Option<(String, u64, u64)> {
        for (key, repo) in &self.st.repos {
            if repo.installation_id != self.installation {
                continue;
            }
            for (number, pull) in &repo.pulls {
                for c in &pull.comments {
                    let Some(id) = c.json["id"].as_u64() else {
                        continue;
                    };
                    let hit = if thread {
                        c.json["in_reply_to_id"].is_null() && node_id("PRRT", id) == wanted
                    } else {
                        c.json["node_id"] == wanted
                    };
                    if hit {
                        return Some((key.clone(), *number, id));
                    }
                }
            }
        }
        None
    }

    fn mutate(&mut self, f: &Field<'static, String>, path: &[Value]) -> Option<Out> {
        let input = self.arg(f, "input");
        let client_mutation_id = input
            .get("clientMutationId")
            .cloned()
            .unwrap_or(Value::Null);
        match f.name.as_str() {
            name @ ("resolveReviewThread" | "unresolveReviewThread") => {
                let id = input["threadId"].as_str().unwrap_or_default().to_string();
                let Some((repo, number, root)) = self.find_comment(&id, true) else {
                    return self.not_found(
                        f,
                        path,
                        format!("Could not resolve to a node with the global id of '{id}'"),
                    );
                };
                let resolved = name == "resolveReviewThread";
                if let Some(c) = self
                    .st
                    .repos
                    .get_mut(&repo)
                    .and_then(|r| r.pulls.get_mut(&number))
                    .and_then(|p| {
                        p.comments
                            .iter_mut()
                            .find(|c| c.json["id"].as_u64() == Some(root))
                    })
                {
                    c.resolved = resolved;
                }
                let typename = if resolved {
                    "ResolveReviewThreadPayload"
                } else {
                    "UnresolveReviewThreadPayload"
                };
                Some(Out::Node(Node::Payload {
                    typename,
                    fields: vec![("thread", Some(Node::Thread { repo, number, root }))],
                    client_mutation_id,
                }))
            }
            "minimizeComment" => {
                let id = input["subjectId"].as_str().unwrap_or_default().to_string();
                let Some((repo, number, cid)) = self.find_comment(&id, false) else {
                    return self.not_found(
                        f,
                        path,
                        format!("Could not resolve to a node with the global id of '{id}'"),
                    );
                };
                let reason = reason_of(input["classifier"].as_str().unwrap_or("OUTDATED"));
                if let Some(c) = self
                    .st
                    .repos
                    .get_mut(&repo)
                    .and_then(|r| r.pulls.get_mut(&number))
                    .and_then(|p| {
                        p.comments
                            .iter_mut()
                            .find(|c| c.json["id"].as_u64() == Some(cid))
                    })
                {
                    c.minimized = Some(reason);
                }
                Some(Out::Node(Node::Payload {
                    typename: "MinimizeCommentPayload",
                    fields: vec![(
                        "minimizedComment",
                        Some(Node::Comment {
                            repo,
                            number,
                            id: cid,
                        }),
                    )],
                    client_mutation_id,
                }))
            }
            _ => self.unsupported(&Node::Mutation, f),
        }
    }
}

/// Merges a field into the response, deep-merging objects selected twice
/// (e.g. once directly and once through a fragment).
fn merge(out: &mut Map<String, Value>, key: String, value: Value) {
    match (out.get_mut(&key), value) {
        (Some(Value::Object(existing)), Value::Object(new)) => {
            for (k, v) in new {
                merge(existing, k, v);
            }
        }
        (_, value) => {
            out.insert(key, value);
        }
    }
}

/// A thread is outdated when its anchor no longer exists in the PR's current diff.
fn is_outdated(pull: &Pull, comment: &Value) -> bool {
    if comment["commit_id"] == pull.pr.head_sha.as_str() {
        return false;
    }
    let probe = json!({
        "path": comment["path"],
        "line": comment["line"],
        "side": comment["side"].as_str().unwrap_or(Side::Right.as_str()),
        "subject_type": comment["subject_type"],
    });
    anchor(&pull.pr.files, &probe, true).is_err()
}

/// Threads of a PR for [`crate::FakeGitHub::review_threads`].
pub(crate) fn threads_summary(pull: &Pull) -> Vec<Value> {
    pull.comments
        .iter()
        .filter(|c| c.json["in_reply_to_id"].is_null())
        .map(|root| {
            let id = root.json["id"].as_u64().unwrap_or(0);
            let ids: Vec<Value> = pull
                .comments
                .iter()
                .filter(|c| {
                    c.json["id"].as_u64() == Some(id)
                        || c.json["in_reply_to_id"].as_u64() == Some(id)
                })
                .map(|c| c.json["id"].clone())
                .collect();
            let minimized: Vec<Value> = pull
                .comments
                .iter()
                .filter(|c| c.minimized.is_some())
                .filter(|c| {
                    c.json["id"].as_u64() == Some(id)
                        || c.json["in_reply_to_id"].as_u64() == Some(id)
                })
                .map(|c| c.json["id"].clone())
                .collect();
            json!({
                "id": node_id("PRRT", id),
                "root_comment_id": id,
                "path": root.json["path"],
                "line": root.json["line"],
                "is_resolved": root.resolved,
                "is_outdated": is_outdated(pull, &root.json),
                "comment_ids": ids,
                "minimized": minimized
            })
        })
        .collect()
}

impl State {
    pub(crate) fn graphql(&mut self, ctx: &Ctx) -> Reply {
        let body = ctx.body();
        let query = body
            .get("query")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let vars = match body.get("variables") {
            Some(v) if v.is_object() => v.clone(),
            _ => json!({}),
        };
        let mut call = GraphqlCall {
            query: query.clone(),
            variables: vars.clone(),
            errors: Vec::new(),
            unsupported: Vec::new(),
        };
        if query.trim().is_empty() {
            let msg = "A query attribute must be specified and must be a string.".to_string();
            call.errors.push(msg.clone());
            self.graphql_log.push(call);
            return Reply::json(200, json!({"errors": [{"message": msg}]}));
        }
        let doc = match graphql_parser::query::parse_query::<String>(&query) {
            Ok(d) => d.into_static(),
            Err(e) => {
                let msg = format!("Parse error: {}", e.to_string().trim());
                call.errors.push(msg.clone());
                self.graphql_log.push(call);
                return Reply::json(200, json!({"errors": [{"message": msg}]}));
            }
        };
        let errors = validate(&doc, &vars);
        if !errors.is_empty() {
            call.errors = errors
                .iter()
                .map(|e| e["message"].as_str().unwrap_or_default().to_string())
                .collect();
            self.graphql_log.push(call);
            return Reply::json(200, json!({"errors": errors}));
        }
        let mut fragments: Fragments = HashMap::new();
        for def in &doc.definitions {
            if let Definition::Fragment(f) = def {
                fragments.insert(f.name.clone(), f);
            }
        }
        let wanted = body.get("operationName").and_then(Value::as_str);
        let op = doc.definitions.iter().find_map(|d| match d {
            Definition::Operation(op) => {
                let name = match op {
                    OperationDefinition::Query(q) => q.name.as_deref(),
                    OperationDefinition::Mutation(m) => m.name.as_deref(),
                    _ => None,
                };
                (wanted.is_none() || wanted == name).then_some(op)
            }
            _ => None,
        });
        let Some(op) = op else {
            let msg = "No operation named in the document".to_string();
            call.errors.push(msg.clone());
            self.graphql_log.push(call);
            return Reply::json(200, json!({"errors": [{"message": msg}]}));
        };
        let (root, set) = match op {
            OperationDefinition::SelectionSet(s) => (Node::Query, s),
            OperationDefinition::Query(q) => (Node::Query, &q.selection_set),
            OperationDefinition::Mutation(m) => (Node::Mutation, &m.selection_set),
            OperationDefinition::Subscription(s) => (Node::Query, &s.selection_set),
        };
        let mut exec = Exec {
            st: self,
            installation: ctx.installation.unwrap_or(0),
            vars: &vars,
            fragments: &fragments,
            errors: Vec::new(),
            bad_query: Vec::new(),
            unsupported: Vec::new(),
        };
        let data = exec.exec_set(&root, set, &mut Vec::new());
        let exec_errors = std::mem::take(&mut exec.errors);
        call.errors = std::mem::take(&mut exec.bad_query);
        call.unsupported = std::mem::take(&mut exec.unsupported);
        self.graphql_log.push(call);
        let mut response = json!({"data": data});
        if !exec_errors.is_empty() {
            response["errors"] = Value::Array(exec_errors);
        }
        Reply::json(200, response)
    }
}
