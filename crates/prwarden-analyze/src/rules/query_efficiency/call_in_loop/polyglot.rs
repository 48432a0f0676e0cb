//! `call-in-loop` for Python, Go, Java and Rust: which calls are database or
//! HTTP round trips in those ecosystems, and what repeats them. The report
//! itself is shared with the JavaScript rule in the parent module.

use std::collections::HashSet;

use tree_sitter::Node;

use super::{CallKind, Found, Repetition, controls_are_sequential};
use crate::context::RuleContext;
use crate::model::Language;
use crate::syntax::NodeExt as _;
use crate::syntax::{
    identifier_words, is_function, is_loop, loop_controls, loop_iterable, preorder,
};

/// One name along a call chain, root first, with the call node when the name
/// was called: `session.query(User).first()` → `session`, `query`(call),
/// `first`(call).
#[derive(Clone, Copy)]
struct Link<'s, 't> {
    name: &'s str,
    call: Option<Node<'t>>,
}

/// Every round-trip call in a Python, Go, Java or Rust file that a loop, a
/// comprehension or a stream callback repeats.
pub(super) fn find<'t>(ctx: &RuleContext<'t>, language: Language) -> Vec<Found<'t>> {
    let call_kind = match language {
        Language::Python => "call",
        Language::Java => "method_invocation",
        Language::Go | Language::Rust => "call_expression",
        _ => return Vec::new(),
    };
    let mut out = Vec::new();
    for node in ctx.nodes_of_kind(&[call_kind]) {
        let chain = chain_of(ctx, language, node);
        // Only the first round trip of a chain is reported, on its own call:
        // `Model.objects.filter(…).first()` is one query, not two.
        let Some((index, kind)) = (0..chain.len())
            .filter(|&i| chain[i].call.is_some())
            .find_map(|i| classify(ctx, language, &chain, i).map(|k| (i, k)))
        else {
            continue;
        };
        if chain[index].call != Some(node) {
            continue;
        }
        // `db.Create(rows[i:end])`: one call per batch, not per element.
        if passes_slice(node) {
            continue;
        }
        let Some(repetition) = repetition(ctx, language, node, kind) else {
            continue;
        };
        if let Repetition::Loop(lp) = repetition
            && runs_loop_variable_as_sql(ctx, language, lp, chain[index].name, node)
        {
            continue;
        }
        out.push(Found {
            call: node,
            kind,
            repetition,
            line: ctx.line(node),
            awaited: is_awaited(language, node),
        });
    }
    // Load, change and save each entity through one repository
    // (`repo.findBy…(x)` … `repo.save(e)`) is one N+1, fixed by one batched
    // load and one `saveAll`: the loop is reported once, on its read.
    let reads: Vec<(usize, &str)> = out
        .iter()
        .filter(|f| f.kind == CallKind::DbRead)
        .map(|f| (repetition_id(&f.repetition), receiver_text(ctx, f.call)))
        .collect();
    out.retain(|f| {
        !(language == Language::Java
            && f.kind == CallKind::DbWrite
            && f.call.field("name").is_some_and(|n| {
                matches!(ctx.text(n), "save" | "saveAndFlush" | "persist" | "merge")
            })
            && reads.contains(&(repetition_id(&f.repetition), receiver_text(ctx, f.call))))
    });
    out
}

fn repetition_id(repetition: &Repetition<'_>) -> usize {
    match repetition {
        Repetition::Loop(n)
        | Repetition::ForEach(n)
        | Repetition::Map(n)
        | Repetition::Comprehension(n) => n.id(),
    }
}

/// `specimens` of `specimens.save(x)`, `h.db` of `h.db.Exec(…)`.
fn receiver_text<'s>(ctx: &RuleContext<'s>, call: Node<'_>) -> &'s str {
    let callee = super::callee_text(ctx, call);
    callee.rsplit_once('.').map_or("", |(receiver, _)| receiver)
}

fn passes_slice(call: Node<'_>) -> bool {
    let Some(args) = call.field("arguments") else {
        return false;
    };
    let mut cursor = args.walk();
    args.named_children(&mut cursor).any(|a| {
        a.kind_str() == "slice_expression"
            || (a.kind_str() == "subscript" && preorder(a).any(|n| n.kind_str() == "slice"))
    })
}

/// `for _, stmt := range statements { db.Exec(stmt) }`: the SQL itself is
/// what the loop varies (a script or schema setup), so there is nothing to
/// batch.
fn runs_loop_variable_as_sql(
    ctx: &RuleContext<'_>,
    language: Language,
    lp: Node<'_>,
    method: &str,
    call: Node<'_>,
) -> bool {
    let executes_sql = matches!(
        method.to_ascii_lowercase().as_str(),
        "exec"
            | "execcontext"
            | "execute"
            | "executemany"
            | "query"
            | "querycontext"
            | "queryrow"
            | "queryrowcontext"
            | "fetch"
            | "fetchrow"
            | "fetchval"
    );
    if !executes_sql {
        return false;
    }
    let iterable = loop_iterable(language, lp).map(|i| i.byte_range());
    let loop_vars: Vec<&str> = loop_controls(language, lp)
        .into_iter()
        .filter(|c| Some(c.byte_range()) != iterable)
        .flat_map(preorder)
        .filter(|n| n.kind_str() == "identifier")
        .map(|n| ctx.text(n))
        .collect();
    let mut cursor = call.walk();
    let args: Vec<Node<'_>> = call
        .field("arguments")
        .map(|a| a.named_children(&mut cursor).collect())
        .unwrap_or_default();
    // Go passes a context first.
    let sql = args
        .iter()
        .find(|a| !ctx.text(**a).to_ascii_lowercase().contains("ctx"));
    sql.is_some_and(|a| a.kind_str() == "identifier" && loop_vars.contains(&ctx.text(*a)))
}

/// The names along a call's callee and receivers, root first.
fn chain_of<'s, 't>(
    ctx: &RuleContext<'s>,
    language: Language,
    call: Node<'t>,
) -> Vec<Link<'s, 't>> {
    let mut links = Vec::new();
    let mut expr = Some(call);
    let mut pending_call: Option<Node<'t>> = None;
    while let Some(node) = expr {
        if links.len() > 64 {
            break;
        }
        let field = |name: &str| node.field(name);
        expr = match (language, node.kind_str()) {
            (Language::Java, "method_invocation") => {
                if let Some(name) = field("name") {
                    links.push(Link {
                        name: ctx.text(name),
                        call: Some(node),
                    });
                }
                field("object")
            }
            (_, "call" | "call_expression") => {
                pending_call = Some(node);
                field("function")
            }
            (Language::Python, "attribute") => {
                push(ctx, &mut links, field("attribute"), pending_call.take());
                field("object")
            }
            (Language::Go, "selector_expression") => {
                push(ctx, &mut links, field("field"), pending_call.take());
                field("operand")
            }
            (Language::Rust, "field_expression") => {
                push(ctx, &mut links, field("field"), pending_call.take());
                field("value")
            }
            (Language::Java, "field_access") => {
                push(ctx, &mut links, field("field"), None);
                field("object")
            }
            (Language::Rust, "generic_function") => field("function"),
            (Language::Rust, "macro_invocation") => {
                links.push(Link {
                    name: field("macro").map(|m| ctx.text(m)).unwrap_or(""),
                    call: Some(node),
                });
                None
            }
            (
                _,
                "await"
                | "await_expression"
                | "try_expression"
                | "parenthesized_expression"
                | "subscript"
                | "index_expression",
            ) => {
                pending_call = None;
                if node.kind_str() == "subscript" {
                    field("value")
                } else if node.kind_str() == "index_expression" && language == Language::Go {
                    field("operand")
                } else {
                    node.named_child(0)
                }
            }
            (
                _,
                "identifier" | "this" | "self" | "scoped_identifier" | "package_identifier"
                | "field_identifier" | "type_identifier",
            ) => {
                links.push(Link {
                    name: ctx.text(node),
                    call: pending_call.take(),
                });
                None
            }
            _ => None,
        };
    }
    links.reverse();
    links
}

fn push<'s, 't>(
    ctx: &RuleContext<'s>,
    links: &mut Vec<Link<'s, 't>>,
    name: Option<Node<'_>>,
    call: Option<Node<'t>>,
) {
    if let Some(name) = name {
        links.push(Link {
            name: ctx.text(name),
            call,
        });
    }
}

/// Whether the words of any name before `index` are in `words`.
fn receiver_has(chain: &[Link<'_, '_>], index: usize, words: &[&str]) -> bool {
    chain[..index].iter().any(|l| {
        identifier_words(l.name)
            .iter()
            .any(|w| words.contains(&w.as_str()))
    })
}

fn is_pascal(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase())
        && name.chars().any(|c| c.is_ascii_lowercase())
}

fn first_arg<'t>(call: Node<'t>) -> Option<Node<'t>> {
    let args = call.field("arguments")?;
    let mut cursor = args.walk();
    args.named_children(&mut cursor)
        .find(|a| a.kind_str() != "comment")
}

/// Whether the link at `index` is a round trip, and of which kind.
fn classify(
    ctx: &RuleContext<'_>,
    language: Language,
    chain: &[Link<'_, '_>],
    index: usize,
) -> Option<CallKind> {
    let link = chain[index];
    let call = link.call?;
    match language {
        Language::Python => classify_python(ctx, chain, index, link.name, call),
        Language::Go => classify_go(ctx, chain, index, link.name),
        Language::Java => classify_java(ctx, chain, index, link.name),
        Language::Rust => classify_rust(ctx, chain, index, link.name, call),
        _ => None,
    }
}

const PY_HTTP_VERBS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "head", "options", "request", "stream",
];
const PY_DB_RECEIVERS: &[&str] = &[
    "cursor",
    "cur",
    "conn",
    "connection",
    "db",
    "database",
    "session",
    "pool",
    "tx",
    "transaction",
    "engine",
];
const PY_DB_METHODS: &[&str] = &[
    "execute",
    "executemany",
    "query",
    "fetch",
    "fetchrow",
    "fetchval",
    "fetch_all",
    "fetch_one",
    "fetch_val",
    "scalar",
    "scalars",
];
const PY_MONGO_RECEIVERS: &[&str] = &["db", "collection", "coll", "mongo", "database"];
const PY_MONGO_METHODS: &[&str] = &[
    "find_one",
    "insert_one",
    "update_one",
    "delete_one",
    "replace_one",
    "count_documents",
    "find_one_and_update",
    "find_one_and_delete",
];
const PY_WRITES: &[&str] = &[
    "create",
    "update",
    "delete",
    "save",
    "bulk_create",
    "update_or_create",
    "get_or_create",
    "insert_one",
    "update_one",
    "delete_one",
    "replace_one",
    "find_one_and_update",
    "find_one_and_delete",
    "executemany",
];

fn python_kind(method: &str) -> CallKind {
    if PY_WRITES.contains(&method) {
        CallKind::DbWrite
    } else {
        CallKind::DbRead
    }
}

fn classify_python(
    ctx: &RuleContext<'_>,
    chain: &[Link<'_, '_>],
    index: usize,
    method: &str,
    call: Node<'_>,
) -> Option<CallKind> {
    let root = chain.first().map(|l| l.name).unwrap_or("");
    if index == 0 {
        return matches!(method, "urlopen").then_some(CallKind::Http);
    }
    // Django: `Order.objects.select_related(…).get(…)`; Flask-SQLAlchemy:
    // `User.query.filter_by(…).first()`. The whole chain is one query,
    // reported on its last call (the one that runs it).
    let manager = chain
        .iter()
        .position(|l| l.call.is_none() && matches!(l.name, "objects" | "query"));
    if let Some(m) = manager
        && m >= 1
        && m < index
        && is_pascal(chain[m - 1].name)
        && chain[m - 1].call.is_none()
    {
        let last = index + 1 == chain.len();
        let receiver_of_more = call.parent().is_some_and(|p| p.kind_str() == "attribute");
        return (last && !receiver_of_more).then(|| python_kind(method));
    }
    if matches!(root, "requests" | "httpx") && index == 1 && PY_HTTP_VERBS.contains(&method) {
        return Some(CallKind::Http);
    }
    let arg = first_arg(call);
    // SQLAlchemy `session.get(User, user_id)`; Flask's `session.get("key")`
    // is a dict lookup.
    if method == "get"
        && receiver_has(chain, index, &["session", "db"])
        && arg.is_some_and(|a| a.kind_str() == "identifier" && is_pascal(ctx.text(a)))
    {
        return Some(CallKind::DbRead);
    }
    if PY_DB_METHODS.contains(&method) && receiver_has(chain, index, PY_DB_RECEIVERS) {
        return Some(python_kind(method));
    }
    if PY_MONGO_METHODS.contains(&method) && receiver_has(chain, index, PY_MONGO_RECEIVERS) {
        return Some(python_kind(method));
    }
    if PY_HTTP_VERBS.contains(&method) {
        if receiver_has(
            chain,
            index,
            &["http", "https", "api", "requests", "httpx", "aiohttp"],
        ) {
            return Some(CallKind::Http);
        }
        // `client.get(…)`, `session.get(…)` are HTTP only with evidence: the
        // call is awaited or opened with `async with`, or its first argument
        // is a URL.
        let generic = chain[index - 1].call.is_none()
            && matches!(
                chain[index - 1].name,
                "client" | "session" | "async_client" | "_client" | "_session"
            );
        if generic
            && (is_awaited(Language::Python, call)
                || in_async_with(call)
                || arg.is_some_and(|a| is_url_like(ctx, a)))
        {
            return Some(CallKind::Http);
        }
    }
    None
}

fn in_async_with(call: Node<'_>) -> bool {
    let mut node = call.parent();
    while let Some(n) = node {
        match n.kind_str() {
            "as_pattern" | "with_item" | "with_clause" => node = n.parent(),
            "with_statement" => {
                let mut cursor = n.walk();
                return n.children(&mut cursor).any(|c| c.kind_str() == "async");
            }
            _ => return false,
        }
    }
    false
}

fn is_url_like(ctx: &RuleContext<'_>, arg: Node<'_>) -> bool {
    let text = ctx.text(arg);
    match arg.kind_str() {
        "string" => {
            let body = text.trim_start_matches(|c: char| c.is_ascii_alphabetic());
            let body = body.trim_start_matches(['"', '\'']);
            body.starts_with("http") || body.starts_with('/') || body.starts_with('{')
        }
        "identifier" | "attribute" => identifier_words(text)
            .last()
            .is_some_and(|w| matches!(w.as_str(), "url" | "uri" | "endpoint")),
        _ => false,
    }
}

const GO_DB_RECEIVERS: &[&str] = &[
    "db",
    "database",
    "tx",
    "conn",
    "pool",
    "pgx",
    "sqlx",
    "gorm",
    "orm",
    "repo",
    "repository",
];
const GO_DB_READS: &[&str] = &[
    "Query",
    "QueryRow",
    "QueryContext",
    "QueryRowContext",
    "Queryx",
    "QueryRowx",
    "QueryxContext",
    "QueryRowxContext",
    "Get",
    "GetContext",
    "Select",
    "SelectContext",
    "First",
    "Find",
    "Take",
    "Last",
    "Count",
    "Pluck",
];
const GO_DB_WRITES: &[&str] = &[
    "Exec",
    "ExecContext",
    "NamedExec",
    "NamedExecContext",
    "Create",
    "Save",
    "Update",
    "Updates",
    "Delete",
];

/// Names the Go file declares with sqlc's generated type (`q *db.Queries`,
/// `queries *sqlc.Queries` as a struct field, parameter or variable).
struct GoQueriesNames(HashSet<String>);

fn go_queries_names(ctx: &RuleContext<'_>) -> std::rc::Rc<GoQueriesNames> {
    ctx.memo(|| {
        let mut names = HashSet::new();
        for decl in ctx.nodes_in_order(&["field_declaration", "parameter_declaration", "var_spec"])
        {
            let Some(ty) = decl.field("type") else {
                continue;
            };
            let ty = ctx.text(ty).trim_start_matches('*');
            if ty != "Queries" && !ty.ends_with(".Queries") {
                continue;
            }
            let mut cursor = decl.walk();
            for name in decl.children_by_field_name("name", &mut cursor) {
                names.insert(ctx.text(name).to_string());
            }
        }
        GoQueriesNames(names)
    })
}

fn classify_go(
    ctx: &RuleContext<'_>,
    chain: &[Link<'_, '_>],
    index: usize,
    method: &str,
) -> Option<CallKind> {
    if index == 0 {
        return None;
    }
    let receiver = chain[index - 1].name;
    if receiver == "http" && index == 1 && matches!(method, "Get" | "Post" | "Head" | "PostForm") {
        return Some(CallKind::Http);
    }
    let receiver_words = identifier_words(receiver);
    let http_receiver = receiver_words
        .iter()
        .any(|w| matches!(w.as_str(), "http" | "client"))
        && !receiver_has(chain, index, GO_DB_RECEIVERS);
    if http_receiver && matches!(method, "Do" | "Get" | "Post" | "Head" | "PostForm") {
        return Some(CallKind::Http);
    }
    // sqlc's generated `Queries`: every method is one statement.
    if (matches!(receiver, "queries" | "qtx") || go_queries_names(ctx).0.contains(receiver))
        && chain[index - 1].call.is_none()
        && method.starts_with(|c: char| c.is_ascii_uppercase())
    {
        return Some(CallKind::DbRead);
    }
    if receiver_has(chain, index, GO_DB_RECEIVERS) {
        if GO_DB_WRITES.contains(&method) {
            return Some(CallKind::DbWrite);
        }
        if GO_DB_READS.contains(&method) {
            return Some(CallKind::DbRead);
        }
    }
    None
}

const JAVA_DB_RECEIVERS: &[&str] = &[
    "repository",
    "repo",
    "dao",
    "mapper",
    "jdbc",
    "entity",
    "em",
    "session",
    "jpa",
];
const JAVA_DB_PREFIXES: &[&str] = &[
    "findBy",
    "findAllBy",
    "findFirstBy",
    "findTopBy",
    "findOneBy",
    "getBy",
    "readBy",
    "queryBy",
    "existsBy",
    "countBy",
    "deleteBy",
    "removeBy",
];
const JAVA_DB_READS: &[&str] = &[
    "findById",
    "findAll",
    "findAllById",
    "findOne",
    "getById",
    "getOne",
    "existsById",
    "count",
    "query",
    "queryForObject",
    "queryForList",
    "queryForMap",
    "queryForRowSet",
    "find",
    "selectById",
    "selectOne",
    "selectList",
    "selectCount",
    "getResultList",
    "getSingleResult",
];
const JAVA_DB_WRITES: &[&str] = &[
    "save",
    "saveAndFlush",
    "delete",
    "deleteById",
    "update",
    "insert",
    "updateById",
    "executeUpdate",
];
const JAVA_REST_METHODS: &[&str] = &[
    "getForObject",
    "getForEntity",
    "postForObject",
    "postForEntity",
    "postForLocation",
    "patchForObject",
    "exchange",
    "headForHeaders",
];

fn classify_java(
    ctx: &RuleContext<'_>,
    chain: &[Link<'_, '_>],
    index: usize,
    method: &str,
) -> Option<CallKind> {
    // `findById(id)` / `this.findById(id)`: a method of the same class whose
    // body runs the query is that query.
    let own_method =
        index == 0 || (index == 1 && chain[0].name == "this" && chain[0].call.is_none());
    if own_method {
        return java_local_round_trip(ctx, method, chain[index].call?);
    }
    classify_java_call(ctx, chain, index, method)
}

/// JDBC's `Statement` methods: nothing else is named like them.
const JDBC_EXECUTE: &[&str] = &[
    "executeQuery",
    "executeUpdate",
    "executeLargeUpdate",
    "executeBatch",
    "executeLargeBatch",
];

/// The round trip made by a method of the file named `name` taking as many
/// arguments as `call` passes (`Optional<Member> findById(long id)` whose
/// body runs `ps.executeQuery()` or `jdbcTemplate.query(…)`). Its own calls
/// of further local methods are not followed.
fn java_local_round_trip(ctx: &RuleContext<'_>, name: &str, call: Node<'_>) -> Option<CallKind> {
    let arity = call.field("arguments")?.named_child_count();
    ctx.nodes_of_kind(&["method_declaration"])
        .filter(|m| {
            m.field("name").is_some_and(|n| ctx.text(n) == name)
                && m.field("parameters")
                    .is_some_and(|p| p.named_child_count() == arity)
                // Not the method the call is in (recursion).
                && !(m.start_byte() <= call.start_byte() && call.end_byte() <= m.end_byte())
        })
        .find_map(|m| {
            let body = m.field("body")?;
            preorder(body)
                .filter(|n| n.kind_str() == "method_invocation")
                .find_map(|n| {
                    let invoked = ctx.text(n.field("name")?);
                    if JDBC_EXECUTE.contains(&invoked) {
                        return Some(if invoked == "executeQuery" {
                            CallKind::DbRead
                        } else {
                            CallKind::DbWrite
                        });
                    }
                    let chain = chain_of(ctx, Language::Java, n);
                    (1..chain.len())
                        .filter(|&i| chain[i].call == Some(n))
                        .find_map(|i| classify_java_call(ctx, &chain, i, chain[i].name))
                })
        })
}

fn classify_java_call(
    ctx: &RuleContext<'_>,
    chain: &[Link<'_, '_>],
    index: usize,
    method: &str,
) -> Option<CallKind> {
    if index == 0 {
        return None;
    }
    if receiver_has(chain, index, &["rest"]) && JAVA_REST_METHODS.contains(&method) {
        return Some(CallKind::Http);
    }
    // WebClient: `webClient.get().uri(…).retrieve().bodyToMono(T.class).block()`.
    if matches!(method, "block" | "blockFirst" | "blockLast")
        && chain[..index].iter().any(|l| {
            identifier_words(l.name)
                .windows(2)
                .any(|w| w == ["web", "client"])
        })
    {
        return Some(CallKind::Http);
    }
    // java.net.http: `httpClient.send(request, handler)`; OkHttp:
    // `client.newCall(request).execute()`.
    if (method == "send" && receiver_has(chain, index, &["http"]))
        || (method == "execute" && chain[index - 1].name == "newCall")
    {
        return Some(CallKind::Http);
    }
    // `entityManager.createQuery(…).getResultList()`
    if matches!(
        method,
        "getResultList" | "getSingleResult" | "executeUpdate"
    ) && chain[..index].iter().any(|l| {
        matches!(
            l.name,
            "createQuery" | "createNativeQuery" | "createNamedQuery"
        )
    }) {
        return Some(if method == "executeUpdate" {
            CallKind::DbWrite
        } else {
            CallKind::DbRead
        });
    }
    if chain[index - 1].call.is_some() {
        return None;
    }
    if let Some(kind) = java_panache_static(ctx, chain, index, method) {
        return Some(kind);
    }
    // A MyBatis mapper's methods are named freely (`findCertificates`,
    // `selectOrdersOf`); only the reading prefixes count, since a MapStruct
    // `…Mapper` has `updateEntityFromDto`-style methods and no queries.
    if is_mybatis_mapper(ctx, chain[index - 1].name)
        && ["find", "select"].iter().any(|p| {
            method
                .strip_prefix(p)
                .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()))
        })
    {
        return Some(CallKind::DbRead);
    }
    // `orderRepository`, `this.repo`, `cleaners` typed `CleanerRepository`
    // (not `repoService`: the last word names what the receiver is).
    let repository = identifier_words(chain[index - 1].name)
        .last()
        .is_some_and(|w| matches!(w.as_str(), "repository" | "repo" | "dao"))
        || declared_as_repository(ctx, Language::Java, chain[index - 1].name);
    let db_receiver = repository
        || receiver_has(chain, index, JAVA_DB_RECEIVERS)
        || identifier_words(chain[index - 1].name)
            .windows(2)
            .any(|w| w == ["entity", "manager"]);
    if !db_receiver {
        return None;
    }
    // A repository's own query methods are named freely after a reading
    // verb (`countAvailableInZone`, `findOverdue`): each is a query.
    if repository
        && ["find", "count", "exists", "search", "select"]
            .iter()
            .any(|p| {
                method
                    .strip_prefix(p)
                    .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()))
            })
    {
        return Some(CallKind::DbRead);
    }
    if JAVA_DB_WRITES.contains(&method) {
        return Some(CallKind::DbWrite);
    }
    if JAVA_DB_READS.contains(&method)
        || JAVA_DB_PREFIXES
            .iter()
            .any(|p| method.starts_with(p) && method.len() > p.len())
    {
        return Some(
            if method.starts_with("delete") || method.starts_with("remove") {
                CallKind::DbWrite
            } else {
                CallKind::DbRead
            },
        );
    }
    None
}

/// A receiver named or typed as a MyBatis mapper: `mapper`, `orderMapper`,
/// or a field, parameter or local typed `…Mapper` — not Jackson's
/// `objectMapper`/`jsonMapper` and kin, nor ModelMapper.
fn is_mybatis_mapper(ctx: &RuleContext<'_>, name: &str) -> bool {
    const NOT_SQL: &[&str] = &["object", "json", "xml", "yaml", "csv", "model", "row"];
    let sql_mapper = |identifier: &str| {
        let words = identifier_words(identifier);
        words.last().map(String::as_str) == Some("mapper")
            && !words.iter().any(|w| NOT_SQL.contains(&w.as_str()))
    };
    let declared: Vec<&str> = ctx
        .nodes_of_kind(&[
            "field_declaration",
            "formal_parameter",
            "local_variable_declaration",
        ])
        .filter_map(|d| crate::syntax::java_declaration(d, ctx.source))
        .filter(|(_, names)| names.contains(&name))
        .map(|(base, _)| base)
        .collect();
    // The declared type decides (`ObjectMapper mapper`); without one, the name.
    if declared.is_empty() {
        sql_mapper(name)
    } else {
        declared.iter().all(|base| sql_mapper(base))
    }
}

/// Quarkus Panache active-record statics: `Entity.list("order", o)`,
/// `Entity.findById(id)`, `Entity.count(…)` in a file that uses Panache.
fn java_panache_static(
    ctx: &RuleContext<'_>,
    chain: &[Link<'_, '_>],
    index: usize,
    method: &str,
) -> Option<CallKind> {
    const READS: &[&str] = &[
        "findById",
        "findByIdOptional",
        "find",
        "findAll",
        "list",
        "listAll",
        "stream",
        "streamAll",
        "count",
    ];
    const WRITES: &[&str] = &["delete", "deleteById", "deleteAll", "update", "persist"];
    const NOT_ENTITIES: &[&str] = &[
        "List",
        "Set",
        "Map",
        "Collections",
        "Arrays",
        "Stream",
        "Optional",
        "Objects",
        "Files",
        "Sort",
        "Page",
        "Parameters",
    ];
    let entity = chain[index - 1].name;
    if index != 1 || !is_pascal(entity) || NOT_ENTITIES.contains(&entity) {
        return None;
    }
    let panache = ctx.source.contains("io.quarkus.hibernate.orm.panache")
        || ctx.source.contains("io.quarkus.panache.common");
    if !panache {
        return None;
    }
    if READS.contains(&method) {
        Some(CallKind::DbRead)
    } else if WRITES.contains(&method) {
        Some(CallKind::DbWrite)
    } else {
        None
    }
}

const RUST_DB_ARGS: &[&str] = &[
    "pool",
    "db",
    "conn",
    "connection",
    "tx",
    "transaction",
    "executor",
];

fn classify_rust(
    ctx: &RuleContext<'_>,
    chain: &[Link<'_, '_>],
    index: usize,
    method: &str,
    call: Node<'_>,
) -> Option<CallKind> {
    // `self.fetch_day(course, date).await` / `fetch_day(…).await`: an async
    // function of the same file whose body makes the round trip is that
    // round trip.
    let own_function =
        index == 0 || (index == 1 && chain[0].name == "self" && chain[0].call.is_none());
    if own_function
        && is_awaited(Language::Rust, call)
        && let Some(kind) = rust_local_round_trip(ctx, method, call)
    {
        return Some(kind);
    }
    classify_rust_call(ctx, chain, index, method, call)
}

/// The round trip made by the only `async fn` of the file named `name`
/// taking as many arguments as `call` passes (besides `self`), whose body
/// makes exactly one (`self.http.get(&url).send().await`). Its own calls of
/// further local functions are not followed.
fn rust_local_round_trip(ctx: &RuleContext<'_>, name: &str, call: Node<'_>) -> Option<CallKind> {
    let arity = call.field("arguments")?.named_child_count();
    let mut candidates = ctx
        .nodes_of_kind(&["function_item"])
        .filter(|f| f.field("name").is_some_and(|n| ctx.text(n) == name));
    let function = candidates.next()?;
    if candidates.next().is_some()
        || function.start_byte() <= call.start_byte() && call.end_byte() <= function.end_byte()
    {
        return None;
    }
    let is_async = {
        let mut cursor = function.walk();
        function.children(&mut cursor).any(|c| {
            c.kind_str() == "function_modifiers"
                && ctx.text(c).split_whitespace().any(|w| w == "async")
        })
    };
    let params = function.field("parameters")?;
    let declared = {
        let mut cursor = params.walk();
        params
            .named_children(&mut cursor)
            .filter(|p| p.kind_str() == "parameter")
            .count()
    };
    if !is_async || declared != arity {
        return None;
    }
    let body = function.field("body")?;
    let mut trips = preorder(body)
        .filter(|n| n.kind_str() == "call_expression")
        .filter_map(|n| {
            let chain = chain_of(ctx, Language::Rust, n);
            (0..chain.len())
                .filter(|&i| chain[i].call == Some(n))
                .find_map(|i| classify_rust_call(ctx, &chain, i, chain[i].name, n))
        });
    // A wrapper of one round trip is that round trip; a function making
    // several (`transfer`: a check, then an update) is a unit of work per
    // item, batched or not by design.
    let kind = trips.next()?;
    trips.next().is_none().then_some(kind)
}

fn classify_rust_call(
    ctx: &RuleContext<'_>,
    chain: &[Link<'_, '_>],
    index: usize,
    method: &str,
    call: Node<'_>,
) -> Option<CallKind> {
    if index == 0 {
        return (method == "reqwest::get").then_some(CallKind::Http);
    }
    let arg_is_db = first_arg(call).is_some_and(|a| rust_db_arg(ctx, a));
    // sqlx: `sqlx::query(…).bind(x).fetch_one(&pool)`, `query_as!(…)`.
    let sqlx_query = chain[..index].iter().any(|l| {
        let last = l.name.rsplit("::").next().unwrap_or(l.name);
        matches!(
            last,
            "query" | "query_as" | "query_scalar" | "query_with" | "query_as_with"
        )
    });
    if matches!(
        method,
        "fetch_one" | "fetch_all" | "fetch_optional" | "fetch" | "execute"
    ) && (sqlx_query || arg_is_db)
    {
        return Some(if method == "execute" {
            CallKind::DbWrite
        } else {
            CallKind::DbRead
        });
    }
    // tokio-postgres: `client.query_one(&stmt, &[&id]).await`.
    if matches!(
        method,
        "query" | "query_one" | "query_opt" | "execute" | "batch_execute"
    ) && index == 1
        && is_awaited(Language::Rust, call)
        && identifier_words(chain[0].name)
            .iter()
            .any(|w| matches!(w.as_str(), "client" | "db" | "conn" | "pool" | "tx"))
    {
        return Some(CallKind::DbRead);
    }
    // diesel: `users.filter(…).load::<User>(&mut conn)`; sea-orm
    // `Entity::find_by_id(id).one(&db)`.
    if matches!(
        method,
        "load" | "get_result" | "get_results" | "first" | "one" | "all"
    ) && arg_is_db
    {
        return Some(CallKind::DbRead);
    }
    // reqwest: `client.get(url).send().await`.
    if method == "send"
        && is_awaited(Language::Rust, call)
        && chain[..index].iter().any(|l| {
            identifier_words(l.name)
                .iter()
                .any(|w| matches!(w.as_str(), "client" | "http" | "reqwest"))
        })
    {
        return Some(CallKind::Http);
    }
    None
}

/// `&pool`, `&mut conn`, `&self.db`, `&mut *tx`: a connection-like
/// argument, not a closure or an expression that merely mentions one.
fn rust_db_arg(ctx: &RuleContext<'_>, mut arg: Node<'_>) -> bool {
    while matches!(arg.kind_str(), "reference_expression" | "unary_expression") {
        match arg.named_child(arg.named_child_count().saturating_sub(1)) {
            Some(inner) => arg = inner,
            None => return false,
        }
    }
    let name = match arg.kind_str() {
        "identifier" => ctx.text(arg),
        "field_expression" => arg.field("field").map(|f| ctx.text(f)).unwrap_or(""),
        _ => return false,
    };
    identifier_words(name)
        .iter()
        .any(|w| RUST_DB_ARGS.contains(&w.as_str()))
}

/// Whether the call's value is awaited right away.
fn is_awaited(language: Language, call: Node<'_>) -> bool {
    let kind = match language {
        Language::Python => "await",
        Language::Rust => "await_expression",
        _ => return false,
    };
    let mut node = call.parent();
    while let Some(n) = node {
        if n.kind_str() == kind {
            return true;
        }
        if n.kind_str() != "parenthesized_expression" {
            return false;
        }
        node = n.parent();
    }
    false
}

/// What repeats the call at `start` within its function, if anything.
fn repetition<'t>(
    ctx: &RuleContext<'_>,
    language: Language,
    start: Node<'t>,
    kind: CallKind,
) -> Option<Repetition<'t>> {
    let mut child = start;
    let mut returns = false;
    while let Some(parent) = child.parent() {
        match parent.kind_str() {
            "return_statement" | "return_expression" => returns = true,
            "list_comprehension"
            | "set_comprehension"
            | "dictionary_comprehension"
            | "generator_expression"
                if language == Language::Python && child.kind_str() != "for_in_clause" =>
            {
                // Coroutines gathered from a comprehension run concurrently:
                // only the N queries are a problem then.
                let gathered = !is_awaited(Language::Python, start) && in_gather(ctx, parent);
                return (!gathered || kind.is_db()).then_some(Repetition::Comprehension(parent));
            }
            _ => {}
        }
        if is_loop(language, parent) {
            if parent.field("body") == Some(child) {
                let repeats = !returns && !sequential_by_design(ctx, language, parent);
                return repeats.then_some(Repetition::Loop(parent));
            }
        } else if is_function(language, parent) {
            return java_stream_callback(ctx, language, parent)
                .or_else(|| rust_iterator_callback(ctx, language, parent, kind))
                .map(Repetition::Map);
        }
        child = parent;
    }
    None
}

fn in_gather(ctx: &RuleContext<'_>, comprehension: Node<'_>) -> bool {
    let mut node = comprehension.parent();
    for _ in 0..3 {
        let Some(n) = node else {
            return false;
        };
        if n.kind_str() == "call" {
            let callee = n.field("function").map(|f| ctx.text(f));
            return callee.is_some_and(|c| c.ends_with("gather") || c.ends_with("wait"));
        }
        node = n.parent();
    }
    false
}

/// `ids.forEach(id -> repo.deleteById(id))`, `ids.stream().map(id -> …)`:
/// the `forEach`/`map` call a Java lambda is passed to.
fn java_stream_callback<'t>(
    ctx: &RuleContext<'_>,
    language: Language,
    lambda: Node<'t>,
) -> Option<Node<'t>> {
    if language != Language::Java || lambda.kind_str() != "lambda_expression" {
        return None;
    }
    let args = lambda.parent()?;
    let call = args.parent()?;
    if args.kind_str() != "argument_list" || call.kind_str() != "method_invocation" {
        return None;
    }
    let method = ctx.text(call.field("name")?);
    if at_most_one_element(ctx, call) {
        return None;
    }
    // `parallelStream()` work is concurrent by request.
    let parallel = call
        .field("object")
        .is_some_and(|o| ctx.text(o).contains("parallel"));
    (matches!(
        method,
        "forEach" | "map" | "flatMap" | "peek" | "forEachOrdered"
    ) && !parallel)
        .then_some(call)
}

/// `repo.findById(id).map(…)`, `Mono.just(x).flatMap(…)`,
/// `flux.next().flatMap(…)`: the nearest operator of the receiver chain that
/// says how many elements flow yields an `Optional` or a `Mono`, so the
/// callback runs once at most.
fn at_most_one_element(ctx: &RuleContext<'_>, call: Node<'_>) -> bool {
    const ONE: &[&str] = &[
        "next",
        "single",
        "singleOrEmpty",
        "last",
        "elementAt",
        "collectList",
        "collectMap",
        "collectMultimap",
        "collectSortedList",
        "count",
        "reduce",
        "hasElements",
        "findFirst",
        "findAny",
        "findById",
        "bodyToMono",
        "toFuture",
        "ofNullable",
        "justOrEmpty",
    ];
    const MANY: &[&str] = &[
        "stream",
        "flatMapMany",
        "flatMapIterable",
        "thenMany",
        "fromIterable",
        "fromArray",
        "fromStream",
        "range",
        "concatMap",
        "buffer",
        "window",
        "bodyToFlux",
        "all",
        "values",
        "keySet",
        "entrySet",
    ];
    let mut receiver = call.field("object");
    while let Some(r) = receiver {
        match r.kind_str() {
            "method_invocation" => {
                let name = r.field("name").map(|n| ctx.text(n)).unwrap_or("");
                if ONE.contains(&name) {
                    return true;
                }
                if MANY.contains(&name) {
                    return false;
                }
                receiver = r.field("object");
            }
            "identifier" => return matches!(ctx.text(r), "Mono" | "Optional"),
            // `reactor.core.publisher.Mono.just(…)`
            "field_access" => {
                return r
                    .field("field")
                    .is_some_and(|f| matches!(ctx.text(f), "Mono" | "Optional"));
            }
            _ => return false,
        }
    }
    false
}

/// `orders.iter().map(|o| sqlx::query(…).bind(o.id).fetch_one(&pool))`:
/// the iterator adapter a Rust closure is passed to, when the closure runs
/// a query. Like `Promise.all(xs.map(…))`, collecting the futures into
/// `join_all` or `buffer_unordered` makes the queries concurrent, not fewer,
/// so only database calls count (N concurrent HTTP requests are the usual
/// fix for a sequential loop). `Option::map`/`Result::map` run once: the
/// receiver must be an iterator (`iter()`, `into_iter()`, `stream::iter`).
fn rust_iterator_callback<'t>(
    ctx: &RuleContext<'_>,
    language: Language,
    closure: Node<'t>,
    kind: CallKind,
) -> Option<Node<'t>> {
    if language != Language::Rust || closure.kind_str() != "closure_expression" || !kind.is_db() {
        return None;
    }
    let args = closure.parent()?;
    let call = args.parent()?;
    if args.kind_str() != "arguments" || call.kind_str() != "call_expression" {
        return None;
    }
    let function = call.field("function")?;
    if function.kind_str() != "field_expression" {
        return None;
    }
    let method = ctx.text(function.field("field")?);
    let receiver = ctx.text(function.field("value")?);
    (matches!(
        method,
        "map" | "for_each" | "then" | "filter_map" | "flat_map" | "try_for_each"
    ) && receiver.contains("iter("))
    .then_some(call)
}

/// `for order_id in ids: with transaction.atomic(): Order.objects
/// .select_for_update().get(…)`: each element is its own transaction (and
/// row lock), so that one failure — often an external call such as a
/// payment refund in the same body — leaves the others done. The queries
/// are one per element on purpose.
fn unit_of_work_per_item(ctx: &RuleContext<'_>, language: Language, lp: Node<'_>) -> bool {
    let Some(body) = lp.field("body") else {
        return false;
    };
    match language {
        Language::Python => preorder(body).any(|n| {
            n.kind_str() == "with_statement" && {
                let text = ctx.text(n);
                let header = text.split(':').next().unwrap_or("");
                header.contains("transaction.atomic") || header.contains(".begin(")
            }
        }),
        Language::Go => ctx.text(body).contains("BeginTx(") || ctx.text(body).contains(".Begin()"),
        _ => false,
    }
}

/// Loops that cannot be batched: over a fixed list of literals, worker and
/// polling loops (`while True`, `for {}`, `loop`), retries, pagination
/// whose condition reads what the body fetched.
fn sequential_by_design(ctx: &RuleContext<'_>, language: Language, lp: Node<'_>) -> bool {
    if let Some(iterable) = loop_iterable(language, lp)
        && is_literal_collection(ctx, iterable)
    {
        return true;
    }
    if unit_of_work_per_item(ctx, language, lp) {
        return true;
    }
    if loop_iterable(language, lp).is_some_and(|i| super::over_batches(ctx.text(i))) {
        return true;
    }
    let controls = loop_controls(language, lp);
    if controls.is_empty() {
        return true;
    }
    if controls_are_sequential(ctx, &controls) {
        return true;
    }
    if loop_iterable(language, lp).is_some() {
        return false;
    }
    let Some(body) = lp.field("body") else {
        return false;
    };
    let read: HashSet<&str> = controls
        .iter()
        .flat_map(|c| preorder(*c))
        .filter(|n| is_name(n.kind_str()))
        .map(|n| ctx.text(n))
        .collect();
    assigned_names(ctx, body).iter().any(|w| read.contains(w))
}

fn is_name(kind: &str) -> bool {
    matches!(
        kind,
        "identifier" | "attribute" | "selector_expression" | "field_access" | "field_expression"
    )
}

/// Names (and `a.b` paths) assigned anywhere in a loop body.
fn assigned_names<'s>(ctx: &RuleContext<'s>, body: Node<'_>) -> HashSet<&'s str> {
    let mut names = HashSet::new();
    for node in preorder(body) {
        let targets = match node.kind_str() {
            "assignment"
            | "augmented_assignment"
            | "assignment_statement"
            | "assignment_expression"
            | "compound_assignment_expr"
            | "short_var_declaration" => node.field("left"),
            "named_expression" => node.field("name"),
            _ => None,
        };
        // `i += 1` counts iterations; it does not carry a result forward.
        let counter = matches!(
            node.kind_str(),
            "augmented_assignment" | "compound_assignment_expr"
        ) && node
            .field("right")
            .is_some_and(|r| is_literal(r.kind_str()));
        let Some(target) = targets.filter(|_| !counter) else {
            continue;
        };
        // `a, b = …` assigns `a` and `b`; `totals[key] = …` assigns neither
        // `totals` nor `key` as a whole.
        if is_name(target.kind_str()) {
            names.insert(ctx.text(target));
        } else {
            let mut cursor = target.walk();
            names.extend(
                target
                    .named_children(&mut cursor)
                    .filter(|n| is_name(n.kind_str()))
                    .map(|n| ctx.text(n)),
            );
        }
    }
    names
}

/// `["users", "orders"]`, `("a", "b")`, `[]string{"a", "b"}`,
/// `List.of("a", "b")`, `["a", "b"]` / `&[…]` / `vec![…]` in Rust.
fn is_literal_collection(ctx: &RuleContext<'_>, node: Node<'_>) -> bool {
    let node = if matches!(
        node.kind_str(),
        "reference_expression" | "parenthesized_expression"
    ) {
        match node.named_child(node.named_child_count().saturating_sub(1)) {
            Some(inner) => inner,
            None => return false,
        }
    } else {
        node
    };
    let elements: Vec<Node<'_>> = match node.kind_str() {
        "list" | "tuple" | "set" | "array_expression" | "array_initializer" => {
            let mut cursor = node.walk();
            node.named_children(&mut cursor).collect()
        }
        "composite_literal" => {
            let Some(body) = node.field("body") else {
                return false;
            };
            let mut cursor = body.walk();
            body.named_children(&mut cursor)
                .filter_map(|e| e.named_child(0))
                .collect()
        }
        "method_invocation" => {
            let callee = format!(
                "{}.{}",
                node.field("object").map(|o| ctx.text(o)).unwrap_or(""),
                node.field("name").map(|n| ctx.text(n)).unwrap_or("")
            );
            if !matches!(
                callee.as_str(),
                "List.of" | "Set.of" | "Arrays.asList" | "Stream.of"
            ) {
                return false;
            }
            let Some(args) = node.field("arguments") else {
                return false;
            };
            let mut cursor = args.walk();
            args.named_children(&mut cursor).collect()
        }
        "array_creation_expression" => {
            return node
                .field("value")
                .is_some_and(|v| is_literal_collection(ctx, v));
        }
        "macro_invocation" => {
            let is_vec = node.field("macro").is_some_and(|m| ctx.text(m) == "vec");
            let Some(tokens) = node.named_child(node.named_child_count().saturating_sub(1)) else {
                return false;
            };
            let mut cursor = tokens.walk();
            let items: Vec<Node<'_>> = tokens.named_children(&mut cursor).collect();
            return is_vec && !items.is_empty() && items.iter().all(|i| is_literal(i.kind_str()));
        }
        _ => return false,
    };
    !elements.is_empty()
        && elements
            .iter()
            .filter(|e| e.kind_str() != "comment")
            .all(|e| is_literal(e.kind_str()))
}

fn is_literal(kind: &str) -> bool {
    matches!(
        kind,
        "string"
            | "string_literal"
            | "interpreted_string_literal"
            | "raw_string_literal"
            | "integer"
            | "int_literal"
            | "integer_literal"
            | "decimal_integer_literal"
            | "float"
            | "float_literal"
            | "char_literal"
            | "character_literal"
            | "true"
            | "false"
            | "none"
    )
}

/// `private final InvoiceRepository invoices;`, `constructor(private readonly
/// orders: OrderRepository)`: a receiver named like data (`invoices`) whose
/// every typed declaration in the file names a repository or DAO type.
pub(super) fn declared_as_repository(
    ctx: &RuleContext<'_>,
    language: Language,
    name: &str,
) -> bool {
    const KINDS_JAVA: &[&str] = &[
        "field_declaration",
        "formal_parameter",
        "local_variable_declaration",
    ];
    const KINDS_JS: &[&str] = &[
        "required_parameter",
        "optional_parameter",
        "public_field_definition",
        "variable_declarator",
    ];
    if name.is_empty() {
        return false;
    }
    let mut types = Vec::new();
    match language {
        Language::Java => {
            for declaration in ctx.nodes_of_kind(KINDS_JAVA) {
                let declares = if declaration.kind_str() == "formal_parameter" {
                    // A nested record's components (`record Line(int players)`)
                    // are not in scope of the enclosing class's methods.
                    let record_component = ctx
                        .parent(declaration)
                        .and_then(|p| ctx.parent(p))
                        .is_some_and(|r| r.kind_str() == "record_declaration");
                    !record_component
                        && declaration
                            .field("name")
                            .is_some_and(|n| ctx.text(n) == name)
                } else {
                    let mut cursor = declaration.walk();
                    declaration
                        .children_by_field_name("declarator", &mut cursor)
                        .filter_map(|d| d.field("name"))
                        .any(|n| ctx.text(n) == name)
                };
                if declares {
                    types.push(declaration.field("type"));
                }
            }
        }
        Language::TypeScript | Language::Tsx => {
            // `this.orders` is the class field (or parameter property), not a
            // local `const orders` of the method.
            let field_only = name.starts_with("this.");
            let name = name.trim_start_matches("this.");
            for declaration in ctx.nodes_of_kind(KINDS_JS) {
                let named = declaration
                    .field("pattern")
                    .or_else(|| declaration.field("name"));
                let is_field = declaration.kind_str() == "public_field_definition"
                    || (declaration.kind_str() != "variable_declarator"
                        && declaration.child(0).is_some_and(|m| {
                            matches!(m.kind_str(), "accessibility_modifier" | "readonly")
                        }));
                if named.is_some_and(|n| ctx.text(n) == name) && (is_field || !field_only) {
                    types.push(declaration.field("type"));
                }
            }
        }
        _ => return false,
    }
    !types.is_empty()
        && types.iter().all(|ty| {
            ty.is_some_and(|ty| {
                let text = ctx.text(ty).trim_start_matches(':').trim();
                // The type's own name, not a type argument (`List<UserDao>`).
                let base = text.split('<').next().unwrap_or(text);
                identifier_words(base)
                    .last()
                    .is_some_and(|w| matches!(w.as_str(), "repository" | "repo" | "dao"))
            })
        })
}
