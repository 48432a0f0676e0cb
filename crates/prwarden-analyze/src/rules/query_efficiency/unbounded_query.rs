//! `query-efficiency/unbounded-query`: a request handler loads a whole table
//! with no limit.
//!
//! ## What it does
//! Finds list queries that read every row of a table, inside a request
//! handler:
//! - JavaScript/TypeScript: Prisma `prisma.<model>.findMany()` with no
//!   arguments or without any of `where`, `take`, `cursor`; Mongoose
//!   `Model.find()`/`Model.find({})` not followed by `.limit(…)`;
//! - Python: Django `Model.objects.all()` used as is (not sliced, counted,
//!   filtered further or paginated) and SQLAlchemy `session.query(Model).all()`,
//!   also after links that neither filter nor limit (`order_by`, `options`,
//!   `join`, `select_related`, `only`, …).
//!
//! A request handler is a Next.js route handler (`export async function
//! GET(…)`, `export const POST = …`), a callback registered with
//! `app/router/server.get/post/…("/path", …)`, a function taking `(req, res)`,
//! a Django view (first parameter `request`, after `self` in class-based
//! views) or a function decorated with `@app.route`/`@router.get`/… (Flask,
//! FastAPI) or `@api_view`.
//!
//! Deliberately not reported: queries with a `where` filter (a per-user or
//! per-parent list is usually bounded by the data model), queries outside
//! handlers (jobs, scripts, migrations), Django REST framework `queryset =`
//! class attributes (paginated by the framework's settings), and test files.
//! Small lookup tables (countries, roles) are legitimately loaded whole,
//! which is why this rule is informational.
//!
//! ## Why is this bad?
//! The response grows with the table: fine with fifty rows in development,
//! megabytes of JSON, seconds of serialization and a memory spike once the
//! table holds a few hundred thousand rows — and any client can trigger it.
//!
//! ## Example
//! ```ts
//! export async function GET() {
//!   const orders = await prisma.order.findMany();
//!   return NextResponse.json(orders);
//! }
//! ```
//!
//! Use instead:
//! ```ts
//! export async function GET(req: NextRequest) {
//!   const cursor = req.nextUrl.searchParams.get("cursor") ?? undefined;
//!   const orders = await prisma.order.findMany({
//!     take: 50,
//!     ...(cursor && { skip: 1, cursor: { id: cursor } }),
//!     orderBy: { id: "asc" },
//!   });
//!   return NextResponse.json(orders);
//! }
//! ```

use tree_sitter::Node;

use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::{Rule, quote};
use crate::syntax::NodeExt as _;
use crate::syntax::{identifier_words, is_test_file, member_call, unwrap_expression};

pub static META: RuleMeta = RuleMeta {
    id: "query-efficiency/unbounded-query",
    item: ChecklistItem::QueryEfficiency,
    severity: Severity::Info,
    languages: &[
        Language::TypeScript,
        Language::Tsx,
        Language::JavaScript,
        Language::Python,
    ],
    summary: "A request handler loads every row of a table (no filter, no limit)",
};

pub struct UnboundedQuery;

impl Rule for UnboundedQuery {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let (Some(_), Some(language)) = (ctx.root(), ctx.language) else {
            return;
        };
        if is_test_file(ctx.path) {
            return;
        }
        for node in ctx.nodes_in_order(&["call", "call_expression"]) {
            let query = match (language, node.kind_str()) {
                (Language::Python, "call") => python_query(ctx, node),
                (Language::Python, _) => None,
                (_, "call_expression") => js_query(ctx, node),
                _ => None,
            };
            let Some(query) = query else {
                continue;
            };
            let Some(function) = ctx.enclosing_function(language, node) else {
                continue;
            };
            let handler = match language {
                Language::Python => python_handler(ctx, function),
                _ => js_handler(ctx, function),
            };
            if let Some(handler) = handler {
                out.push(report(ctx, language, node, &query, &handler));
            }
        }
    }
}

/// `prisma.order.findMany()` (no filter, no `take`), `Order.find()` with no
/// `.limit(…)`: the callee as written.
fn js_query(ctx: &RuleContext<'_>, call: Node<'_>) -> Option<String> {
    let (receiver, method) = member_call(call)?;
    let method = ctx.text(method);
    let receiver = unwrap_expression(receiver);
    let args = call.field("arguments")?;
    let mut cursor = args.walk();
    let arguments: Vec<Node<'_>> = args
        .named_children(&mut cursor)
        .filter(|a| a.kind_str() != "comment")
        .collect();
    let callee = format!("{}.{method}", ctx.text(receiver));
    match method {
        "findMany" => {
            // `prisma.order` / `this.prisma.order` / `db.order`
            let db = receiver.kind_str() == "member_expression"
                && receiver.field("object").is_some_and(|o| {
                    identifier_words(ctx.text(o))
                        .iter()
                        .any(|w| matches!(w.as_str(), "prisma" | "db" | "tx"))
                });
            // A variable (`findMany(args)`) may hold anything: bounded.
            let bounded = arguments.iter().any(|a| {
                if a.kind_str() != "object" {
                    return true;
                }
                let mut cursor = a.walk();
                let keys: Vec<&str> = a
                    .named_children(&mut cursor)
                    .filter_map(|p| match p.kind_str() {
                        "pair" => p.field("key").map(|k| ctx.text(k)),
                        "shorthand_property_identifier" => Some(ctx.text(p)),
                        // `...args`: unknown keys.
                        "spread_element" => Some("where"),
                        _ => None,
                    })
                    .collect();
                keys.iter()
                    .any(|k| matches!(k.trim_matches(['"', '\'']), "where" | "take" | "cursor"))
            });
            (db && !bounded).then_some(callee)
        }
        "find" => {
            let model = receiver.kind_str() == "identifier" && {
                let name = ctx.text(receiver);
                name.starts_with(|c: char| c.is_ascii_uppercase())
                    && name.chars().any(|c| c.is_ascii_lowercase())
                    && !matches!(name, "Array" | "Object" | "Promise")
            };
            let everything = match arguments.as_slice() {
                [] => true,
                [only] => only.kind_str() == "object" && only.named_child_count() == 0,
                _ => false,
            };
            // `Order.find().limit(50)` / `.sort(…).limit(…)` bound it later.
            let mut top = call;
            let mut limited = false;
            while let Some(member) = top.parent().filter(|p| p.kind_str() == "member_expression")
                && let Some(next) = member
                    .parent()
                    .filter(|p| p.kind_str() == "call_expression")
            {
                let name = member.field("property").map(|p| ctx.text(p));
                limited |= matches!(name, Some("limit" | "skip" | "cursor" | "countDocuments"));
                top = next;
            }
            (model && everything && !limited).then_some(callee)
        }
        _ => None,
    }
}

/// Query-builder methods that neither filter nor limit.
const UNBOUNDED_LINKS: &[&str] = &[
    "order_by",
    "options",
    "join",
    "outerjoin",
    "select_related",
    "prefetch_related",
    "only",
    "defer",
    "distinct",
];

/// `Order.objects.all()` used as is; `session.query(Order).all()`, also
/// after `order_by`/`options`/`select_related`…
fn python_query(ctx: &RuleContext<'_>, call: Node<'_>) -> Option<String> {
    let function = call.field("function")?;
    if function.kind_str() != "attribute" {
        return None;
    }
    let method = ctx.text(function.field("attribute")?);
    let object = function.field("object")?;
    if method != "all" {
        return None;
    }
    let no_args = call
        .field("arguments")
        .is_some_and(|a| a.named_child_count() == 0);
    // Sliced, chained, counted: bounded or not a list.
    let used_as_is = call
        .parent()
        .is_some_and(|p| !matches!(p.kind_str(), "attribute" | "subscript"));
    if !no_args || !used_as_is {
        return None;
    }
    // Ordering, eager loading and projections leave every row in the result:
    // `session.query(User).order_by(User.id).all()` is still the whole table.
    let mut object = object;
    while object.kind_str() == "call"
        && let Some(f) = object.field("function")
        && f.kind_str() == "attribute"
        && f.field("attribute")
            .is_some_and(|a| UNBOUNDED_LINKS.contains(&ctx.text(a)))
        && let Some(inner) = f.field("object")
    {
        object = inner;
    }
    let django = object.kind_str() == "attribute"
        && object
            .field("attribute")
            .is_some_and(|a| ctx.text(a) == "objects")
        && object.field("object").is_some_and(|m| {
            m.kind_str() == "identifier"
                && ctx.text(m).starts_with(|c: char| c.is_ascii_uppercase())
        });
    let sqlalchemy = object.kind_str() == "call"
        && object.field("function").is_some_and(|f| {
            f.kind_str() == "attribute"
                && f.field("attribute").is_some_and(|a| ctx.text(a) == "query")
                && f.field("object")
                    .is_some_and(|o| ctx.text(o).ends_with("session"))
        });
    // A DRF `queryset = Model.objects.all()` class attribute is paginated by
    // the framework; only calls inside functions reach this point anyway.
    (django || sqlalchemy).then(|| ctx.text(function).to_string())
}

const HTTP_METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/// How the function is recognised as a request handler, for the message.
fn js_handler(ctx: &RuleContext<'_>, function: Node<'_>) -> Option<String> {
    // Next.js route handlers: `export async function GET(…)`,
    // `export const GET = async (…) => …`.
    let name = function.field("name").map(|n| ctx.text(n)).or_else(|| {
        let declarator = function
            .parent()
            .filter(|p| p.kind_str() == "variable_declarator")?;
        declarator.field("name").map(|n| ctx.text(n))
    });
    let exported = nearest_ancestors(function).any(|a| a.kind_str() == "export_statement");
    if let Some(name) = name
        && HTTP_METHODS.contains(&name)
        && exported
    {
        return Some(format!("the `{name}` route handler"));
    }
    // `app.get("/orders", async (req, res) => …)`
    if let Some(args) = function.parent().filter(|p| p.kind_str() == "arguments")
        && let Some(call) = args.parent()
        && let Some((receiver, method)) = member_call(call)
    {
        let method = ctx.text(method);
        let router = identifier_words(ctx.text(receiver)).iter().any(|w| {
            matches!(
                w.as_str(),
                "app" | "router" | "server" | "fastify" | "api" | "routes"
            )
        });
        let path = args
            .named_child(0)
            .filter(|p| matches!(p.kind_str(), "string" | "template_string"))
            .map(|p| ctx.text(p).trim_matches(['"', '\'', '`']).to_string());
        if router
            && matches!(
                method,
                "get" | "post" | "put" | "patch" | "delete" | "all" | "use"
            )
            && let Some(path) = path.filter(|p| p.starts_with('/'))
        {
            return Some(format!("the `{method} {path}` handler"));
        }
    }
    // `function handler(req, res)` (Next.js pages API, plain Node).
    let params = function.field("parameters")?;
    let mut cursor = params.walk();
    let names: Vec<&str> = params
        .named_children(&mut cursor)
        .map(|p| {
            let pattern = p.field("pattern").unwrap_or(p);
            ctx.text(pattern)
        })
        .collect();
    matches!(
        names.as_slice(),
        ["req", "res", ..] | ["request", "response", ..] | ["request", "reply", ..]
    )
    .then(|| "this request handler".to_string())
}

fn nearest_ancestors<'t>(node: Node<'t>) -> impl Iterator<Item = Node<'t>> {
    std::iter::successors(node.parent(), |n| n.parent()).take(3)
}

fn python_handler(ctx: &RuleContext<'_>, function: Node<'_>) -> Option<String> {
    if function.kind_str() != "function_definition" {
        return None;
    }
    let name = function.field("name").map(|n| ctx.text(n)).unwrap_or("");
    if let Some(decorated) = function
        .parent()
        .filter(|p| p.kind_str() == "decorated_definition")
    {
        let mut cursor = decorated.walk();
        let routed = decorated
            .named_children(&mut cursor)
            .filter(|d| d.kind_str() == "decorator")
            .any(|d| {
                let text = ctx.text(d);
                [
                    ".route(", ".get(", ".post(", ".put(", ".patch(", ".delete(", "api_view",
                ]
                .iter()
                .any(|k| text.contains(k))
            });
        if routed {
            return Some(format!("the view `{name}`"));
        }
    }
    let params = function.field("parameters")?;
    let mut cursor = params.walk();
    let names: Vec<&str> = params
        .named_children(&mut cursor)
        .map(|p| {
            let inner = if p.kind_str() == "identifier" {
                p
            } else {
                p.field("name").or_else(|| p.named_child(0)).unwrap_or(p)
            };
            ctx.text(inner)
        })
        .collect();
    matches!(names.as_slice(), ["request", ..] | ["self", "request", ..])
        .then(|| format!("the view `{name}`"))
}

fn report(
    ctx: &RuleContext<'_>,
    language: Language,
    call: Node<'_>,
    query: &str,
    handler: &str,
) -> Finding {
    let code = quote(ctx.text(call), 60);
    let remedy = match language {
        Language::Python => {
            "Paginate it: Django's `Paginator` or a slice (`qs.order_by(\"id\")[:50]`), DRF \
             pagination classes, or `.limit(50)` with a keyset on `id` in SQLAlchemy; read the \
             page or cursor from the request."
        }
        _ => {
            "Paginate it: `take: 50` with `cursor`/`skip` (Prisma), `.limit(50)` with a keyset \
             on `_id` (Mongoose); read the page size and cursor from the request, with a \
             server-side maximum."
        }
    };
    ctx.node_finding(&META, call)
        .title(format!(
            "`{query}` returns every row of the table in a request handler"
        ))
        .message(format!(
            "`{code}` in {handler} has no filter and no limit: the response grows with the \
             table, and every request loads and serializes all of it.\n\n{remedy}"
        ))
        .symptom(format!(
            "{handler} loads the whole table with `{code}`, with no filter or limit."
        ))
        .root_cause(
            "The list query is unbounded, so its cost is proportional to the table size \
             instead of the page size.",
        )
        .fix(format!(
            "{remedy} If the table is a small, fixed lookup table, say so in a comment instead."
        ))
        .scope(
            "Change only this query and the request parameters it needs for paging. Keep the \
             response's item format; document the new paging parameters; do not touch other \
             endpoints.",
        )
        .build()
}
