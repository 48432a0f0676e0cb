//! GitHub's machine-readable descriptions from the shared reference folder:
//! the REST OpenAPI subset (to validate request bodies) and the GraphQL schema
//! (to validate queries). Both are loaded once per process and shared by every
//! fake server, because parsing and compiling them is the slow part.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::OnceLock;

use serde_json::Value;

/// `$PRWARDEN_SHARED_DIR`, or the `shared/` folder beside the repository.
pub(crate) fn shared_dir() -> PathBuf {
    match std::env::var_os("PRWARDEN_SHARED_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    }
}

fn read_reference(name: &str) -> String {
    let path = shared_dir().join("reference/github").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "fake-github: cannot read {} ({e}); set PRWARDEN_SHARED_DIR to the shared folder",
            path.display()
        )
    })
}

/// One REST operation of the OpenAPI subset.
pub(crate) struct Operation {
    pub method: String,
    pub template: Vec<String>,
    pub operation_id: String,
    body_schema: Option<Value>,
    validator: OnceLock<Option<jsonschema::Validator>>,
}

pub(crate) struct OpenApi {
    ops: Vec<Operation>,
    components: Value,
}

static OPENAPI: OnceLock<OpenApi> = OnceLock::new();

pub(crate) fn openapi() -> &'static OpenApi {
    OPENAPI.get_or_init(|| {
        let doc: Value = serde_json::from_str(&read_reference("openapi-subset.json"))
            .expect("fake-github: openapi-subset.json is not JSON");
        let mut ops = Vec::new();
        if let Some(paths) = doc["paths"].as_object() {
            for (path, item) in paths {
                let Some(item) = item.as_object() else {
                    continue;
                };
                for (method, op) in item {
                    if !["get", "post", "patch", "put", "delete"].contains(&method.as_str()) {
                        continue;
                    }
                    let schema = op
                        .pointer("/requestBody/content/application~1json/schema")
                        .cloned();
                    ops.push(Operation {
                        method: method.to_uppercase(),
                        template: path
                            .trim_start_matches('/')
                            .split('/')
                            .map(String::from)
                            .collect(),
                        operation_id: op["operationId"].as_str().unwrap_or_default().to_string(),
                        body_schema: schema,
                        validator: OnceLock::new(),
                    });
                }
            }
        }
        OpenApi {
            ops,
            components: doc["components"].clone(),
        }
    })
}

impl OpenApi {
    /// The operation whose templated path matches; literal segments win over
    /// parameters (so `/pulls/comments/{id}` beats `/pulls/{n}/files`), and a final
    /// `{path}` parameter swallows the remaining segments (contents paths).
    pub(crate) fn find(&self, method: &str, segs: &[String]) -> Option<&Operation> {
        let mut best: Option<(&Operation, usize)> = None;
        for op in self.ops.iter().filter(|op| op.method == method) {
            let Some(score) = match_template(&op.template, segs) else {
                continue;
            };
            if best.is_none_or(|(_, s)| score > s) {
                best = Some((op, score));
            }
        }
        best.map(|(op, _)| op)
    }

    /// Validates a request body against the operation's schema. Returns
    /// `(json pointer, GitHub-style message, plain message)` per error.
    pub(crate) fn validate(&self, op: &Operation, body: &Value) -> Vec<(String, String, String)> {
        let validator = op.validator.get_or_init(|| {
            let mut schema = op.body_schema.clone()?;
            // The schema refers to `#/components/...`; make that resolve within it.
            schema
                .as_object_mut()?
                .insert("components".to_string(), self.components.clone());
            match jsonschema::validator_for(&schema) {
                Ok(v) => Some(v),
                Err(e) => panic!(
                    "fake-github: cannot compile schema of {}: {e}",
                    op.operation_id
                ),
            }
        });
        let Some(validator) = validator else {
            return Vec::new();
        };
        validator
            .iter_errors(body)
            .map(|err| {
                use jsonschema::error::ValidationErrorKind as Kind;
                let pointer = err.instance_path.to_string();
                // jsonschema's messages quote the whole instance, which can be a
                // 65 KB string or 51 annotations; keep them readable.
                let plain = match &err.kind {
                    Kind::MaxLength { limit } => {
                        let n = err.instance.as_str().map_or(0, |s| s.chars().count());
                        format!("Only {limit} characters are allowed; {n} were supplied.")
                    }
                    Kind::MaxItems { limit } => {
                        let n = err.instance.as_array().map_or(0, Vec::len);
                        format!("{n} items were supplied but at most {limit} are allowed")
                    }
                    _ => shorten(&err.to_string()),
                };
                let github = match &err.kind {
                    Kind::MaxLength { .. } => plain.clone(),
                    _ => format!("For '{pointer}', {plain}."),
                };
                (pointer, github, plain)
            })
            .collect()
    }
}

/// Cuts a message to a readable length on a character boundary.
fn shorten(message: &str) -> String {
    const MAX: usize = 300;
    if message.chars().count() <= MAX {
        return message.to_string();
    }
    let cut: String = message.chars().take(MAX).collect();
    format!("{cut}…")
}

fn match_template(template: &[String], segs: &[String]) -> Option<usize> {
    let mut score = 0;
    for (i, t) in template.iter().enumerate() {
        let is_param = t.starts_with('{');
        if is_param && i + 1 == template.len() && t == "{path}" {
            return (segs.len() > i).then_some(score);
        }
        let seg = segs.get(i)?;
        if is_param {
            if seg.is_empty() {
                return None;
            }
        } else if t != seg {
            return None;
        } else {
            score += 1;
        }
    }
    (template.len() == segs.len()).then_some(score)
}

/// What the GraphQL validator needs to know about a type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GqlKind {
    Object,
    Interface,
    Union,
    Scalar,
    Enum,
    InputObject,
}

pub(crate) struct GqlArg {
    pub name: String,
    pub required: bool,
}

pub(crate) struct GqlField {
    /// The innermost named type, e.g. `Blob`.
    pub named: String,
    pub args: Vec<GqlArg>,
}

pub(crate) struct GqlType {
    pub kind: GqlKind,
    pub fields: HashMap<String, GqlField>,
    pub interfaces: Vec<String>,
    pub members: Vec<String>,
}

pub(crate) struct GqlSchema {
    pub types: HashMap<String, GqlType>,
}

static GRAPHQL: OnceLock<GqlSchema> = OnceLock::new();

pub(crate) fn type_string(t: &graphql_parser::schema::Type<'_, String>) -> (String, String) {
    use graphql_parser::schema::Type;
    match t {
        Type::NamedType(n) => (n.clone(), n.clone()),
        Type::ListType(inner) => {
            let (s, n) = type_string(inner);
            (format!("[{s}]"), n)
        }
        Type::NonNullType(inner) => {
            let (s, n) = type_string(inner);
            (format!("{s}!"), n)
        }
    }
}

pub(crate) fn graphql_schema() -> &'static GqlSchema {
    GRAPHQL.get_or_init(|| {
        use graphql_parser::schema::{Definition, TypeDefinition};
        let sdl = read_reference("schema.graphql");
        let doc = graphql_parser::schema::parse_schema::<String>(&sdl)
            .expect("fake-github: schema.graphql does not parse");
        let mut types = HashMap::new();
        for scalar in ["String", "Int", "Float", "Boolean", "ID"] {
            types.insert(
                scalar.to_string(),
                GqlType {
                    kind: GqlKind::Scalar,
                    fields: HashMap::new(),
                    interfaces: Vec::new(),
                    members: Vec::new(),
                },
            );
        }
        let fields_of = |fields: &[graphql_parser::schema::Field<'_, String>]| {
            // Inserting into a map tolerates the schema's known defect: two fields
            // of `EnterpriseOwnerInfo` are defined twice with identical types.
            let mut map = HashMap::new();
            for f in fields {
                let (_, named) = type_string(&f.field_type);
                let args = f
                    .arguments
                    .iter()
                    .map(|a| {
                        let (ty, _) = type_string(&a.value_type);
                        GqlArg {
                            name: a.name.clone(),
                            required: ty.ends_with('!') && a.default_value.is_none(),
                        }
                    })
                    .collect();
                map.insert(f.name.clone(), GqlField { named, args });
            }
            map
        };
        for def in &doc.definitions {
            let Definition::TypeDefinition(td) = def else {
                continue;
            };
            let (name, t) = match td {
                TypeDefinition::Object(o) => (
                    o.name.clone(),
                    GqlType {
                        kind: GqlKind::Object,
                        fields: fields_of(&o.fields),
                        interfaces: o.implements_interfaces.clone(),
                        members: Vec::new(),
                    },
                ),
                TypeDefinition::Interface(i) => (
                    i.name.clone(),
                    GqlType {
                        kind: GqlKind::Interface,
                        fields: fields_of(&i.fields),
                        interfaces: i.implements_interfaces.clone(),
                        members: Vec::new(),
                    },
                ),
                TypeDefinition::Union(u) => (
                    u.name.clone(),
                    GqlType {
                        kind: GqlKind::Union,
                        fields: HashMap::new(),
                        interfaces: Vec::new(),
                        members: u.types.clone(),
                    },
                ),
                TypeDefinition::Scalar(s) => (
                    s.name.clone(),
                    GqlType {
                        kind: GqlKind::Scalar,
                        fields: HashMap::new(),
                        interfaces: Vec::new(),
                        members: Vec::new(),
                    },
                ),
                TypeDefinition::Enum(e) => (
                    e.name.clone(),
                    GqlType {
                        kind: GqlKind::Enum,
                        fields: HashMap::new(),
                        interfaces: Vec::new(),
                        members: Vec::new(),
                    },
                ),
                TypeDefinition::InputObject(io) => (
                    io.name.clone(),
                    GqlType {
                        kind: GqlKind::InputObject,
                        fields: HashMap::new(),
                        interfaces: Vec::new(),
                        members: Vec::new(),
                    },
                ),
            };
            types.insert(name, t);
        }
        GqlSchema { types }
    })
}

impl GqlSchema {
    /// Whether an object of type `concrete` satisfies a fragment on `condition`.
    pub(crate) fn applies(&self, concrete: &str, condition: &str) -> bool {
        if concrete == condition {
            return true;
        }
        let Some(cond) = self.types.get(condition) else {
            return false;
        };
        match cond.kind {
            GqlKind::Union => cond.members.iter().any(|m| m == concrete),
            GqlKind::Interface => self
                .types
                .get(concrete)
                .is_some_and(|t| t.interfaces.iter().any(|i| i == condition)),
            _ => false,
        }
    }

    /// Whether a fragment on `condition` could ever apply inside `parent`.
    pub(crate) fn overlaps(&self, parent: &str, condition: &str) -> bool {
        let possible = |name: &str| -> Vec<String> {
            match self.types.get(name) {
                Some(t) if t.kind == GqlKind::Union => t.members.clone(),
                Some(t) if t.kind == GqlKind::Interface => self
                    .types
                    .iter()
                    .filter(|(_, o)| {
                        o.kind == GqlKind::Object && o.interfaces.iter().any(|i| i == name)
                    })
                    .map(|(n, _)| n.clone())
                    .collect(),
                Some(_) => vec![name.to_string()],
                None => Vec::new(),
            }
        };
        let a = possible(parent);
        let b = possible(condition);
        a.iter().any(|x| b.contains(x))
    }
}
