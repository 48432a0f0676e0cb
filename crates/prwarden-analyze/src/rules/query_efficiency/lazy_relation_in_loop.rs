//! `query-efficiency/lazy-relation-in-loop`: a lazily loaded ORM relation read once per row (hidden N+1).
//!
//! ## What it does
//! In Python, finds a `for` loop over a Django queryset
//! (`Order.objects.filter(…)`, sliced or not — `[:100]` — or a local
//! assigned from one) or a SQLAlchemy
//! query (`session.query(Order)…`, `session.scalars(select(Order))…`), or
//! the `.items` of a Flask-SQLAlchemy page of one (`page =
//! db.paginate(select(Order)…)`, `Order.query.paginate(…)`), whose
//! body reads a related object through the loop variable:
//! - `order.customer.name`, where `customer` is the snake_case name of a
//!   model class the file imports from a `models` module or defines
//!   (`Customer`): a foreign key, fetched by its own query on first access;
//! - `order.lines.all()` / `.count()` / `.filter(…)` in Django: a reverse
//!   relation's manager, one query per row.
//!
//! Not reported when the query loads the relation up front
//! (`select_related`, `prefetch_related`, `joinedload`, `selectinload`,
//! `subqueryload`, any `options(…)`), reads plain columns (`values()`,
//! `values_list()`), or when the attribute is not named after a model of the
//! file (`order.created_at.year` is a column), nor in tests and migrations.
//!
//! ## Why is this bad?
//! The loop looks like it runs one query; the ORM runs one more for every
//! row, the moment the relation is touched. A report over 5,000 orders makes
//! 5,001 round trips, which nobody sees with ten rows of test data.
//!
//! ## Example
//! ```python
//! for order in Order.objects.filter(created_at__gte=since):
//!     totals[order.customer.name] += order.total
//! ```
//!
//! Use instead:
//! ```python
//! for order in Order.objects.filter(created_at__gte=since).select_related("customer"):
//!     totals[order.customer.name] += order.total
//! ```

use std::collections::HashSet;

use tree_sitter::Node;

use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity, is_migration_path};
use crate::rules::{Rule, quote};
use crate::syntax::NodeExt as _;
use crate::syntax::{is_test_path, preorder};

pub static META: RuleMeta = RuleMeta {
    id: "query-efficiency/lazy-relation-in-loop",
    item: ChecklistItem::QueryEfficiency,
    severity: Severity::Warning,
    languages: &[Language::Python],
    summary: "A lazily loaded ORM relation is read for every row of a query (hidden N+1)",
};

pub struct LazyRelationInLoop;

/// Query-set methods after which a relation is already loaded, or rows are
/// plain values.
const EAGER: &[&str] = &[
    "select_related",
    "prefetch_related",
    "joinedload",
    "selectinload",
    "subqueryload",
    "options",
    "values",
    "values_list",
];

/// Manager methods on a reverse relation that each run a query.
/// (`get` is left out: `row.metadata.get("k")` is a JSON field's dict.)
const MANAGER_QUERIES: &[&str] = &[
    "all",
    "count",
    "filter",
    "exclude",
    "exists",
    "first",
    "last",
    "aggregate",
];

impl Rule for LazyRelationInLoop {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        if ctx.language != Some(Language::Python)
            || is_test_path(ctx.path)
            || is_migration_path(ctx.path)
        {
            return;
        }
        let models = model_names(ctx);
        if models.is_empty() {
            return;
        }
        for lp in ctx.nodes_in_order(&["for_statement"]) {
            let (Some(target), Some(iterable), Some(body)) =
                (lp.field("left"), lp.field("right"), lp.field("body"))
            else {
                continue;
            };
            if target.kind_str() != "identifier" {
                continue;
            }
            let Some(query) = lazy_query(ctx, lp, iterable) else {
                continue;
            };
            let row = ctx.text(target);
            let django = query.contains(".objects.");
            if let Some((access, relation)) = relation_access(ctx, body, row, &models, django) {
                out.push(report(ctx, access, row, relation, query));
            }
        }
    }
}

/// snake_case names of the model classes this file imports from a models
/// module or defines as a model.
fn model_names(ctx: &RuleContext<'_>) -> HashSet<String> {
    let mut names = HashSet::new();
    for node in ctx.nodes_in_order(&["import_from_statement", "class_definition"]) {
        if node.kind_str() == "import_from_statement" {
            let from_models = node
                .field("module_name")
                .is_some_and(|m| ctx.text(m).rsplit('.').next() == Some("models"));
            if !from_models {
                continue;
            }
            let mut cursor = node.walk();
            for name in node.children_by_field_name("name", &mut cursor) {
                let name = name.field("name").unwrap_or(name);
                names.insert(snake_case(ctx.text(name)));
            }
        } else if node.field("superclasses").is_some_and(|s| {
            let text = ctx.text(s);
            text.contains("Model") || text.contains("Base")
        }) && let Some(name) = node.field("name")
        {
            names.insert(snake_case(ctx.text(name)));
        }
    }
    names.retain(|n| !n.is_empty() && n.starts_with(|c: char| c.is_ascii_lowercase()));
    names
}

fn snake_case(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// The iterable's query text when it is a Django queryset or SQLAlchemy query
/// that does not load relations up front; a local name is followed to its
/// assignment in the same function.
fn lazy_query<'s>(ctx: &RuleContext<'s>, lp: Node<'_>, iterable: Node<'_>) -> Option<&'s str> {
    let mut query = iterable;
    // `for c in pagination.items` with `pagination = db.paginate(select(…))`
    // (also `Model.query.paginate(…)`): the page's rows of that query.
    let page = iterable.kind_str() == "attribute"
        && iterable
            .field("attribute")
            .is_some_and(|a| ctx.text(a) == "items")
        && iterable
            .field("object")
            .is_some_and(|o| o.kind_str() == "identifier");
    let name_node = if page {
        iterable.field("object")?
    } else {
        iterable
    };
    if name_node.kind_str() == "identifier" {
        let name = ctx.text(name_node);
        let function = ctx.enclosing_function(Language::Python, lp)?;
        query = preorder(function)
            .filter(|n| n.kind_str() == "assignment" && n.end_byte() < lp.start_byte())
            .filter(|n| n.field("left").is_some_and(|l| ctx.text(l) == name))
            .filter_map(|n| n.field("right"))
            .last()?;
    }
    if page
        && !query.field("function").is_some_and(|f| {
            let callee = ctx.text(f);
            callee == "paginate" || callee.ends_with(".paginate")
        })
    {
        return None;
    }
    let text = ctx.text(query);
    // `Sample.objects.filter(…).order_by(…)[:PAGE_SIZE]`: a sliced queryset
    // is still a lazy query (a `LIMIT`).
    while query.kind_str() == "subscript" {
        query = query.field("value")?;
    }
    let django = text.contains(".objects.");
    let sqlalchemy = text.contains("session.query(")
        || text.contains("select(")
        || (page && text.contains(".query."));
    let eager = EAGER.iter().any(|e| text.contains(&format!("{e}(")));
    (query.kind_str() == "call" && (django || sqlalchemy) && !eager).then_some(text)
}

/// `row.customer.name` (a forward relation named after a model) or
/// `row.lines.all()` (a reverse relation's manager): the access and the
/// relation's name.
fn relation_access<'t, 's>(
    ctx: &RuleContext<'s>,
    body: Node<'t>,
    row: &str,
    models: &HashSet<String>,
    django: bool,
) -> Option<(Node<'t>, &'s str)> {
    preorder(body).find_map(|n| {
        if n.kind_str() != "attribute" {
            return None;
        }
        let inner = n.field("object")?;
        if inner.kind_str() != "attribute" {
            return None;
        }
        let base = inner.field("object")?;
        if base.kind_str() != "identifier" || ctx.text(base) != row {
            return None;
        }
        let relation = ctx.text(inner.field("attribute")?);
        let member = ctx.text(n.field("attribute")?);
        let call = n
            .parent()
            .filter(|p| p.kind_str() == "call" && p.field("function") == Some(n));
        let forward = models.contains(relation) && call.is_none();
        // `row.lines.all()`: Django's related managers; `list.count(x)` takes
        // an argument, a manager's `count()` does not.
        let reverse = django
            && MANAGER_QUERIES.contains(&member)
            && !models.contains(relation)
            && call.is_some_and(|c| {
                member != "count"
                    || c.field("arguments")
                        .is_some_and(|a| a.named_child_count() == 0)
            });
        (forward || reverse).then_some((n, relation))
    })
}

fn report(
    ctx: &RuleContext<'_>,
    access: Node<'_>,
    row: &str,
    relation: &str,
    query: &str,
) -> Finding {
    let code = quote(ctx.text(access), 50);
    let query = quote(query, 60);
    ctx.node_finding(&META, access)
        .title(format!(
            "`{row}.{relation}` runs one query per row of `{query}` (N+1)"
        ))
        .message(format!(
            "`{code}` reads the relation `{relation}` inside a loop over `{query}`, which does not \
             load it: the ORM issues one extra query for every row, the first time it is \
             touched.\n\nLoad the relation with the rows — `select_related(\"{relation}\")` for a \
             foreign key or `prefetch_related(\"{relation}\")` for a reverse/many relation in \
             Django, `options(joinedload(…))`/`selectinload(…)` in SQLAlchemy — or select the \
             needed columns with `values(\"{relation}__name\")`."
        ))
        .symptom(format!(
            "`{code}` triggers a lazy load of `{relation}` for each row of `{query}`."
        ))
        .root_cause(
            "The query loads only the rows; each access to the related object in the loop is a \
             separate database round trip.",
        )
        .fix(format!(
            "Eager-load `{relation}` in the query that feeds the loop (`select_related`/\
             `prefetch_related` or `joinedload`/`selectinload`), so the loop makes no further \
             queries."
        ))
        .scope(
            "Change only the query feeding this loop; keep the loop's results and ordering, and \
             do not change the models.",
        )
        .build()
}
