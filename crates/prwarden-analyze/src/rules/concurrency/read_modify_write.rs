//! `concurrency/read-modify-write`: a stored value read, changed in memory and written back (lost update)
//!
//! ## What it does
//! Within one function, finds a record loaded from the database and a write
//! of a value computed from one of its fields:
//! - JavaScript/TypeScript: `const acct = await db.account.findUnique(…)`
//!   (also `findFirst`, `findOne`, `findById`, `findByPk`, `findOneBy`, …)
//!   followed by a write whose arguments do arithmetic on the loaded field
//!   (`update({ data: { balance: acct.balance - amount } })`), or by
//!   `acct.balance -= amount` / `acct.balance = acct.balance - amount` and
//!   then a write (`save`, `update`, …); and a capacity check on the loaded
//!   record, `if (load.slots.length >= load.capacity) return …`, followed by
//!   an insert (`create`, `createMany`, `insert`) in a separate statement
//!   (overbooking: concurrent requests all pass the check);
//! - Python (Django, SQLAlchemy): `obj = Model.objects.get(…)` (also
//!   `obj, created = ….get_or_create(…)`, `get_object_or_404`, `session.get(…)`,
//!   `session.scalar(select(…))`, `….first()`, `….one()`, `….scalar_one()`,
//!   awaited too with an `AsyncSession`) followed
//!   by `obj.balance -= amount` / `obj.stock = obj.stock - 1` and then
//!   `obj.save()` or a `commit()`;
//! - JavaScript/TypeScript with raw SQL (node-postgres, mysql2):
//!   `const { rows } = await pool.query("SELECT qty …")`, a value taken from
//!   the first row (`const qty = rows[0].qty`), then
//!   `pool.query("UPDATE … SET qty = $1 …", [qty - 1, id])` (also `execute`,
//!   `const res = …` with `res.rows[0]`, `const [rows] = …`) outside a
//!   transaction (`BEGIN`);
//! - Go (`database/sql`, sqlx): `db.QueryRow(ctx, "SELECT qty …").Scan(&qty)`
//!   followed by `db.Exec(ctx, "UPDATE … SET qty = $1 …", qty+delta)` outside
//!   a transaction (`BeginTx`);
//! - Rust (sqlx): `let qty: i32 = sqlx::query_scalar("SELECT qty …")…`
//!   followed by `sqlx::query("UPDATE …")` or an upsert
//!   (`INSERT … ON CONFLICT DO UPDATE`) whose `.bind(qty + delta)` computes
//!   from it, outside a transaction (`pool.begin()`); reported on the write;
//! - Java (Spring Data, Micronaut Data): `Household h =
//!   households.findByReference(ref).orElseThrow(…)` (also `findById`,
//!   `getReferenceById`, `.get()`), then `h.setCount(h.getCount() + 1)` and
//!   a write of `h` (`save`, `saveAndFlush`, `update`, `merge`) in the same
//!   method, unless the method mentions a lock (`@Lock`, `…ForUpdate`).
//!
//! The finding is on the line that computes the new value. Not reported
//! when the function mentions a transaction or a lock (`$transaction`,
//! in JavaScript only when the read or the write is inside its callback —
//! a transaction that holds other statements guards only those —,
//! `transaction.atomic`, `select_for_update`, `with_for_update`,
//! `FOR UPDATE`, `lock`) or an atomic update (`increment`/`decrement`,
//! `$inc`, Django `F(…)`), not in test code, and never for assignments that do not derive the
//! new value from the old one (`user.name = body.name`), which are
//! last-write-wins by design.
//!
//! ## Why is this bad?
//! Two requests that run at the same time both read the old value, both
//! compute from it, and the second write silently discards the first: two
//! withdrawals of 50 from a balance of 100 leave 50 instead of 0; two orders
//! for the last item both succeed. It never happens in a test with one
//! client and reliably happens under real traffic or double-clicks.
//!
//! ## Example
//! ```ts
//! const account = await prisma.account.findUnique({ where: { id } });
//! await prisma.account.update({
//!   where: { id },
//!   data: { balance: account.balance - amount },
//! });
//! ```
//!
//! Use instead:
//! ```ts
//! await prisma.account.update({
//!   where: { id, balance: { gte: amount } },
//!   data: { balance: { decrement: amount } },
//! });
//! ```

use tree_sitter::Node;

use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::{Rule, quote};
use crate::syntax::NodeExt as _;
use crate::syntax::{identifier_words, is_test_path, preorder};

pub static META: RuleMeta = RuleMeta {
    id: "concurrency/read-modify-write",
    item: ChecklistItem::Concurrency,
    severity: Severity::Warning,
    languages: &[
        Language::TypeScript,
        Language::Tsx,
        Language::JavaScript,
        Language::Python,
        Language::Go,
        Language::Java,
        Language::Rust,
    ],
    summary: "A record read, a field recomputed from it and written back without a transaction, lock or atomic update (lost update)",
};

pub struct ReadModifyWrite;

impl Rule for ReadModifyWrite {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let (Some(_), Some(language)) = (ctx.root(), ctx.language) else {
            return;
        };
        // Test set-up runs alone; the race needs concurrent requests.
        if is_test_path(ctx.path) {
            return;
        }
        if language == Language::Go {
            go_stale_writes(ctx, out);
            return;
        }
        if language == Language::Java {
            java_stale_writes(ctx, out);
            return;
        }
        if language == Language::Rust {
            rust_sqlx_stale_writes(ctx, out);
            return;
        }
        let python = language == Language::Python;
        if !python {
            js_sql_stale_writes(ctx, language, out);
        }
        let kinds: &[&str] = if python {
            &["assignment"]
        } else {
            &["variable_declarator"]
        };
        for node in ctx.nodes_in_order(kinds) {
            let Some((record, read)) = loaded_record(ctx, node, python) else {
                continue;
            };
            let Some(function) = ctx.enclosing_function(language, node) else {
                continue;
            };
            if guarded(ctx, function) && (python || !only_other_transactions(ctx, function, node)) {
                continue;
            }
            if !python
                && let Some((insert, list, limit)) =
                    capacity_checked_insert(ctx, function, node, record)
                && (!guarded(ctx, function) || only_other_transactions(ctx, function, insert))
            {
                out.push(report_overbooking(ctx, insert, &list, &limit, read));
                continue;
            }
            if let Some((modify, field)) = stale_write(ctx, function, node, record, python)
                && (python
                    || !guarded(ctx, function)
                    || only_other_transactions(ctx, function, modify))
            {
                out.push(report(
                    ctx,
                    modify,
                    &format!("{record}.{field}"),
                    record,
                    field,
                    read,
                ));
            }
        }
    }
}

const JS_READS: &[&str] = &[
    "findUnique",
    "findUniqueOrThrow",
    "findFirst",
    "findFirstOrThrow",
    "findOne",
    "findOneBy",
    "findOneOrFail",
    "findOneByOrFail",
    "findById",
    "findByPk",
];
const JS_WRITES: &[&str] = &[
    "update",
    "updateOne",
    "save",
    "upsert",
    "findByIdAndUpdate",
    "findOneAndUpdate",
];

/// `const x = await db.t.findUnique(…)` (JS) or `x = M.objects.get(…)`
/// (Python): the record's name and the read call's text.
fn loaded_record<'s>(
    ctx: &RuleContext<'s>,
    node: Node<'_>,
    python: bool,
) -> Option<(&'s str, &'s str)> {
    if python {
        if node.kind_str() != "assignment" {
            return None;
        }
        let mut left = node.field("left")?;
        let mut right = node.field("right")?;
        // `await session.get(…)` with an `AsyncSession`.
        if right.kind_str() == "await" {
            right = right.named_child(0)?;
        }
        let text = ctx.text(right);
        let head = text.split('(').next().unwrap_or("");
        // `obj, created = M.objects.get_or_create(…)`.
        if matches!(left.kind_str(), "pattern_list" | "tuple_pattern")
            && head.ends_with(".objects.get_or_create")
        {
            left = left.named_child(0)?;
        }
        if left.kind_str() != "identifier" || right.kind_str() != "call" {
            return None;
        }
        let last_call = right
            .field("function")
            .and_then(|f| f.field("attribute"))
            .map(|a| ctx.text(a));
        let read = head.ends_with(".objects.get")
            || head.ends_with(".objects.get_or_create")
            || head == "get_object_or_404"
            || head.ends_with("session.get")
            || head.ends_with("session.scalar")
            || matches!(
                last_call,
                Some("first" | "one" | "one_or_none" | "scalar_one" | "scalar_one_or_none")
            );
        return read.then(|| (ctx.text(left), text));
    }
    if node.kind_str() != "variable_declarator" {
        return None;
    }
    let name = node.field("name")?;
    let value = node.field("value")?;
    if name.kind_str() != "identifier" || value.kind_str() != "await_expression" {
        return None;
    }
    let call = value.named_child(0)?;
    let method = call
        .field("function")
        .filter(|f| f.kind_str() == "member_expression")
        .and_then(|f| f.field("property"))?;
    JS_READS
        .contains(&ctx.text(method))
        .then(|| (ctx.text(name), ctx.text(call)))
}

/// `if (load.slots.length >= load.capacity) return …;` after `load` was
/// loaded with its children, then `db.slot.create(…)`: the capacity check
/// and the insert are separate statements, so concurrent requests all pass
/// the check and overfill. Returns the insert, the list and the limit.
fn capacity_checked_insert<'t>(
    ctx: &RuleContext<'_>,
    function: Node<'t>,
    read: Node<'_>,
    record: &str,
) -> Option<(Node<'t>, String, String)> {
    let check = preorder(function)
        .filter(|n| n.start_byte() > read.end_byte() && n.kind_str() == "if_statement")
        .find_map(|n| {
            let condition = crate::syntax::unwrap_expression(n.field("condition")?);
            let condition = if condition.kind_str() == "parenthesized_expression" {
                crate::syntax::unwrap_expression(condition.named_child(0)?)
            } else {
                condition
            };
            if condition.kind_str() != "binary_expression"
                || !matches!(
                    condition.field("operator").map(|o| ctx.text(o)),
                    Some(">=" | ">")
                )
            {
                return None;
            }
            let (left, right) = (condition.field("left")?, condition.field("right")?);
            // `record.children.length`, compared with `record.limit`.
            let list = left
                .field("object")
                .filter(|_| {
                    left.kind_str() == "member_expression"
                        && left
                            .field("property")
                            .is_some_and(|p| ctx.text(p) == "length")
                })
                .and_then(|o| record_field(ctx, o, record))?;
            let limit = record_field(ctx, right, record)?;
            // The branch turns the request away.
            let leaves = preorder(n.field("consequence")?)
                .any(|s| matches!(s.kind_str(), "return_statement" | "throw_statement"));
            leaves.then(|| (n, list.to_string(), limit.to_string()))
        })?;
    let (check, list, limit) = check;
    let insert = preorder(function)
        .filter(|n| n.start_byte() > check.end_byte() && n.kind_str() == "call_expression")
        .find(|n| {
            n.field("function")
                .filter(|f| f.kind_str() == "member_expression")
                .and_then(|f| f.field("property"))
                .is_some_and(|p| matches!(ctx.text(p), "create" | "createMany" | "insert"))
        })?;
    Some((
        insert,
        format!("{record}.{list}"),
        format!("{record}.{limit}"),
    ))
}

fn report_overbooking(
    ctx: &RuleContext<'_>,
    insert: Node<'_>,
    list: &str,
    limit: &str,
    read: &str,
) -> Finding {
    let read = quote(read, 60);
    let code = quote(ctx.text(insert), 60);
    ctx.node_finding(&META, insert)
        .title(format!(
            "`{list}.length` is checked against `{limit}`, then inserted into without a lock \
             (overbooking)"
        ))
        .message(format!(
            "The function reads `{read}`, turns the request away when `{list}.length` has \
             reached `{limit}`, and then inserts with `{code}` in a separate statement. Two \
             requests that arrive together both see room and both insert: the limit is \
             exceeded.\n\nDo the check and the insert atomically: a transaction that locks the \
             parent row (`SELECT … FOR UPDATE`) or a serializable transaction, or a conditional \
             insert/counter update whose `WHERE` clause enforces the limit."
        ))
        .symptom(format!(
            "`{code}` runs after a capacity check on `{list}` made from an earlier read, with no \
             lock or transaction between them."
        ))
        .root_cause(
            "Check-then-act: the count is read and compared in application code, and other \
             requests can insert between the check and this insert.",
        )
        .fix(format!(
            "Make the capacity check and the insert one atomic step (lock the parent row in a \
             transaction and re-count there, or enforce `{limit}` in a conditional update); keep \
             the current answer for a full {list}."
        ))
        .scope(
            "Change only this check and insert; keep the function's inputs, results and error \
             answers.",
        )
        .build()
}

/// JavaScript: whether every guard of `function` sits in a transaction
/// callback that does not hold `node` (`await prisma.$transaction(async (tx)
/// => { …other writes… })` next to a read and a write outside it): the
/// transaction guards its own statements, not the read-modify-write.
fn only_other_transactions(ctx: &RuleContext<'_>, function: Node<'_>, node: Node<'_>) -> bool {
    let mut text = ctx.text(function).to_string();
    let base = function.start_byte();
    let mut blanked = false;
    for call in preorder(function).filter(|c| c.kind_str() == "call_expression") {
        let Some(callee) = call.field("function") else {
            continue;
        };
        let last = ctx.text(callee).rsplit('.').next().unwrap_or("");
        if !matches!(last, "$transaction" | "transaction")
            || (call.start_byte() <= node.start_byte() && node.end_byte() <= call.end_byte())
        {
            continue;
        }
        let (start, end) = (call.start_byte() - base, call.end_byte() - base);
        if text.is_char_boundary(start) && text.is_char_boundary(end) {
            text.replace_range(start..end, &" ".repeat(end - start));
            blanked = true;
        }
    }
    blanked && !guarded_text(&text)
}

/// A transaction, a row lock or an atomic update anywhere in the function
/// (or its decorators) means the author dealt with concurrency.
fn guarded(ctx: &RuleContext<'_>, function: Node<'_>) -> bool {
    let mut text = ctx.text(function).to_string();
    if let Some(parent) = function
        .parent()
        .filter(|p| p.kind_str() == "decorated_definition")
    {
        text = ctx.text(parent).to_string();
    }
    guarded_text(&text)
}

fn guarded_text(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    if ["for update", "for_update", "forupdate"]
        .iter()
        .any(|w| lower.contains(w))
    {
        return true;
    }
    let bytes = text.as_bytes();
    let mut start = 0;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        if c.is_ascii_alphanumeric() || c == '_' {
            continue;
        }
        let token = &text[start..i];
        start = i + c.len_utf8();
        if token.is_empty() {
            continue;
        }
        // Django's `F("field")` expressions update atomically.
        if token == "F" && bytes.get(i) == Some(&b'(') {
            return true;
        }
        if identifier_words(token).iter().any(|w| {
            matches!(
                w.as_str(),
                "transaction"
                    | "lock"
                    | "locked"
                    | "locking"
                    | "atomic"
                    | "atomically"
                    | "increment"
                    | "decrement"
                    | "inc"
            )
        }) {
            return true;
        }
    }
    false
}

/// The statement that derives a new stored value from `record.field`, after
/// the read, followed (or itself being) a write.
fn stale_write<'t, 's>(
    ctx: &RuleContext<'s>,
    function: Node<'t>,
    read: Node<'_>,
    record: &str,
    python: bool,
) -> Option<(Node<'t>, &'s str)> {
    let after: Vec<Node<'t>> = preorder(function)
        .filter(|n| n.start_byte() > read.end_byte())
        .collect();
    let is_write = |n: &Node<'_>| {
        let kind_ok = matches!(n.kind_str(), "call_expression" | "call");
        kind_ok
            && n.field("function").is_some_and(|f| {
                let method = f
                    .field("property")
                    .or_else(|| f.field("attribute"))
                    .map(|m| ctx.text(m));
                if python {
                    matches!(method, Some("save" | "commit" | "flush"))
                } else {
                    method.is_some_and(|m| JS_WRITES.contains(&m))
                }
            })
    };
    for (i, node) in after.iter().enumerate() {
        // JS: `update({ data: { balance: acct.balance - amount } })`.
        if !python && is_write(node) {
            let args = node.field("arguments");
            if let Some(field) = args.and_then(|a| derived_field(ctx, a, record)) {
                return Some((*node, field));
            }
        }
        let assigned = match node.kind_str() {
            "augmented_assignment_expression" | "augmented_assignment" => node
                .field("left")
                .and_then(|l| record_field(ctx, l, record)),
            "assignment_expression" | "assignment" => {
                let left = node.field("left");
                let field = left.and_then(|l| record_field(ctx, l, record));
                let from_old = node
                    .field("right")
                    .and_then(|r| derived_field(ctx, r, record));
                field.filter(|f| from_old == Some(*f))
            }
            _ => None,
        };
        if let Some(field) = assigned
            && after[i + 1..].iter().any(is_write)
        {
            return Some((*node, field));
        }
    }
    None
}

/// Rust with sqlx: `let qty: i32 = sqlx::query_scalar("SELECT qty …")…
/// .fetch_one(&pool).await?;`, then in the same function a
/// `sqlx::query("UPDATE …"/"INSERT …")` whose `.bind(…)` computes from `qty`
/// (`.bind(qty + delta)`), outside a transaction (`pool.begin()`) or row
/// lock. Reported on the write.
fn rust_sqlx_stale_writes(ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    for declaration in ctx.nodes_in_order(&["let_declaration"]) {
        let (Some(pattern), Some(value)) =
            (declaration.field("pattern"), declaration.field("value"))
        else {
            continue;
        };
        if pattern.kind_str() != "identifier" {
            continue;
        }
        let Some(read) = preorder(value).find(|n| rust_sqlx_query(ctx, *n, &["select"])) else {
            continue;
        };
        let name = ctx.text(pattern);
        let Some(function) = ctx.enclosing_function(Language::Rust, declaration) else {
            continue;
        };
        if guarded(ctx, function) || ctx.text(function).contains(".begin()") {
            continue;
        }
        let write = preorder(function)
            .filter(|n| {
                n.start_byte() > declaration.end_byte() && n.kind_str() == "call_expression"
            })
            .find_map(|bind| {
                let method = bind
                    .field("function")
                    .filter(|f| f.kind_str() == "field_expression")?;
                if method.field("field").map(|f| ctx.text(f)) != Some("bind") {
                    return None;
                }
                let argument = bind.field("arguments")?.named_child(0)?;
                let derived = argument.kind_str() == "binary_expression"
                    && argument
                        .field("operator")
                        .is_some_and(|o| matches!(ctx.text(o), "+" | "-" | "*" | "/"))
                    && {
                        let mut cursor = argument.walk();
                        argument
                            .named_children(&mut cursor)
                            .any(|o| o.kind_str() == "identifier" && ctx.text(o) == name)
                    };
                if !derived {
                    return None;
                }
                // Down the builder chain to the `sqlx::query("UPDATE …")`.
                let mut current = method.field("value")?;
                loop {
                    if rust_sqlx_query(ctx, current, &["update", "insert"]) {
                        return Some(current);
                    }
                    current = match current.kind_str() {
                        "call_expression" => current.field("function")?,
                        "field_expression" => current.field("value")?,
                        _ => return None,
                    };
                }
            });
        if let Some(write) = write {
            out.push(report(ctx, write, name, name, name, ctx.text(read)));
        }
    }
}

/// `sqlx::query("SELECT …")`, `query_scalar::<_, i32>("…")`, `query_as(…)`
/// whose SQL literal starts with one of `verbs`.
fn rust_sqlx_query(ctx: &RuleContext<'_>, call: Node<'_>, verbs: &[&str]) -> bool {
    if call.kind_str() != "call_expression" {
        return false;
    }
    let Some(mut function) = call.field("function") else {
        return false;
    };
    if function.kind_str() == "generic_function"
        && let Some(inner) = function.field("function")
    {
        function = inner;
    }
    let name = ctx.text(function);
    let name = name.rsplit("::").next().unwrap_or(name);
    if !matches!(name, "query" | "query_scalar" | "query_as")
        || !matches!(function.kind_str(), "identifier" | "scoped_identifier")
    {
        return false;
    }
    call.field("arguments")
        .and_then(|a| a.named_child(0))
        .filter(|a| matches!(a.kind_str(), "string_literal" | "raw_string_literal"))
        .is_some_and(|sql| {
            let text = ctx
                .text(sql)
                .trim_start_matches(['r', '#', '"'])
                .trim_start()
                .to_ascii_lowercase();
            verbs.iter().any(|v| text.starts_with(v))
        })
}

/// Java: `Household h = households.findByReference(ref).orElseThrow(…);`
/// (a repository finder, `.get()`/`.orElseThrow(…)` on it or not), then
/// `h.setCount(h.getCount() + 1);` and a write of `h` (`save`,
/// `saveAndFlush`, `update`, `merge`) in the same method.
fn java_stale_writes(ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    for declaration in ctx.nodes_in_order(&["local_variable_declaration"]) {
        let Some(declarator) = declaration.field("declarator") else {
            continue;
        };
        let (Some(name), Some(value)) = (declarator.field("name"), declarator.field("value"))
        else {
            continue;
        };
        if !java_repository_read(ctx, value) {
            continue;
        }
        let record = ctx.text(name);
        let Some(function) = ctx.enclosing_function(Language::Java, declaration) else {
            continue;
        };
        if guarded(ctx, function) {
            continue;
        }
        let after: Vec<Node<'_>> = preorder(function)
            .filter(|n| {
                n.start_byte() > declaration.end_byte() && n.kind_str() == "method_invocation"
            })
            .collect();
        for (i, call) in after.iter().enumerate() {
            let Some(field) = java_derived_setter(ctx, *call, record) else {
                continue;
            };
            let written = after[i + 1..].iter().any(|w| {
                w.field("name").is_some_and(|m| {
                    matches!(ctx.text(m), "save" | "saveAndFlush" | "update" | "merge")
                }) && w.field("arguments").is_some_and(|a| {
                    let mut cursor = a.walk();
                    a.named_children(&mut cursor)
                        .any(|arg| arg.kind_str() == "identifier" && ctx.text(arg) == record)
                })
            });
            if written {
                out.push(report(
                    ctx,
                    *call,
                    &format!("{record}.{field}"),
                    record,
                    field,
                    ctx.text(value),
                ));
                break;
            }
        }
    }
}

/// `repo.findById(id)`, `repo.findByReference(ref).orElseThrow(…)`,
/// `repo.getReferenceById(id)`: a row loaded through a repository.
fn java_repository_read(ctx: &RuleContext<'_>, value: Node<'_>) -> bool {
    let mut call = value;
    if call.kind_str() == "method_invocation"
        && call
            .field("name")
            .is_some_and(|n| matches!(ctx.text(n), "orElseThrow" | "get"))
        && let Some(object) = call.field("object")
    {
        call = object;
    }
    if call.kind_str() != "method_invocation" || call.field("object").is_none() {
        return false;
    }
    call.field("name").is_some_and(|n| {
        let name = ctx.text(n);
        matches!(name, "findById" | "getById" | "getReferenceById" | "getOne")
            || ["findBy", "findOneBy", "findFirstBy"].iter().any(|prefix| {
                name.strip_prefix(prefix)
                    .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()))
            })
    })
}

/// `h.setCount(h.getCount() + 1)` → `count`: a setter given arithmetic on
/// the same record's getter of the same property.
fn java_derived_setter<'s>(ctx: &RuleContext<'s>, call: Node<'_>, record: &str) -> Option<&'s str> {
    let object = call.field("object")?;
    if object.kind_str() != "identifier" || ctx.text(object) != record {
        return None;
    }
    let property = ctx.text(call.field("name")?).strip_prefix("set")?;
    if !property.starts_with(|c: char| c.is_ascii_uppercase()) {
        return None;
    }
    let argument = call.field("arguments")?.named_child(0)?;
    preorder(argument)
        .any(|n| {
            n.kind_str() == "binary_expression"
                && n.field("operator")
                    .is_some_and(|o| matches!(ctx.text(o), "+" | "-"))
                && {
                    let mut cursor = n.walk();
                    n.named_children(&mut cursor).any(|operand| {
                        operand.kind_str() == "method_invocation"
                            && operand
                                .field("object")
                                .is_some_and(|o| ctx.text(o) == record)
                            && operand
                                .field("name")
                                .is_some_and(|g| ctx.text(g).strip_prefix("get") == Some(property))
                    })
                }
        })
        .then_some(property)
}

/// Go with `database/sql`/sqlx: `QueryRow(…"SELECT …").Scan(&qty)` and,
/// later in the same function, an `Exec(…"UPDATE …", qty+delta, …)` that
/// writes back a value computed from the scanned variable.
fn go_stale_writes(ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    for scan in ctx.nodes_in_order(&["call_expression"]) {
        let Some(function) = scan.field("function") else {
            continue;
        };
        if function.kind_str() != "selector_expression"
            || function.field("field").map(|f| ctx.text(f)) != Some("Scan")
        {
            continue;
        }
        let Some(read) = function
            .field("operand")
            .filter(|q| go_sql_call(ctx, *q, &["QueryRow", "QueryRowContext"], "select"))
        else {
            continue;
        };
        let scanned: Vec<&str> = scan
            .field("arguments")
            .into_iter()
            .flat_map(|args| {
                let mut cursor = args.walk();
                args.named_children(&mut cursor).collect::<Vec<_>>()
            })
            .filter(|a| a.kind_str() == "unary_expression")
            .filter_map(|a| a.field("operand"))
            .filter(|o| o.kind_str() == "identifier")
            .map(|o| ctx.text(o))
            .collect();
        let Some(body) = ctx.enclosing_function(Language::Go, scan) else {
            continue;
        };
        if scanned.is_empty() || guarded(ctx, body) || go_in_transaction(ctx, body) {
            continue;
        }
        let write = preorder(body)
            .filter(|n| n.start_byte() > scan.end_byte() && n.kind_str() == "call_expression")
            .filter(|n| go_sql_call(ctx, *n, &["Exec", "ExecContext"], "update"))
            .find_map(|n| {
                let args = n.field("arguments")?;
                preorder(args).find_map(|e| {
                    let operator = e.field("operator").map(|o| ctx.text(o));
                    if e.kind_str() != "binary_expression"
                        || !matches!(operator, Some("+" | "-" | "*" | "/"))
                    {
                        return None;
                    }
                    let mut cursor = e.walk();
                    let derived = e
                        .named_children(&mut cursor)
                        .filter(|o| o.kind_str() == "identifier")
                        .map(|o| ctx.text(o))
                        .find(|name| scanned.contains(name));
                    derived.map(|name| (e, name))
                })
            });
        if let Some((modify, name)) = write {
            out.push(report(ctx, modify, name, name, name, ctx.text(read)));
        }
    }
}

/// Raw SQL from JavaScript/TypeScript (node-postgres, mysql2):
/// `const { rows } = await pool.query("SELECT qty …")`, a value taken from
/// `rows[0].qty`, and later in the same function
/// `pool.query("UPDATE … SET qty = $1 …", [qty - 1, id])`, outside a
/// transaction or row lock.
fn js_sql_stale_writes(ctx: &RuleContext<'_>, language: Language, out: &mut Vec<Finding>) {
    for read in ctx.nodes_in_order(&["call_expression"]) {
        if !js_sql_call(ctx, read, "select") {
            continue;
        }
        let Some(declarator) = read
            .parent()
            .filter(|a| a.kind_str() == "await_expression")
            .and_then(|a| a.parent())
            .filter(|d| d.kind_str() == "variable_declarator")
        else {
            continue;
        };
        let Some(rows) = declarator.field("name").map(|n| js_result_rows(ctx, n)) else {
            continue;
        };
        let Some(function) = ctx.enclosing_function(language, read) else {
            continue;
        };
        if rows.is_empty() || guarded(ctx, function) || js_sql_transaction(ctx, function) {
            continue;
        }
        // `rows[0].qty` → the column read; locals that hold one.
        let column_of = |n: Node<'_>| -> Option<&str> {
            if n.kind_str() != "member_expression" {
                return None;
            }
            let object = ctx.text(n.field("object")?);
            rows.iter()
                .any(|r| r == object)
                .then(|| n.field("property").map(|p| ctx.text(p)))
                .flatten()
        };
        let after = || preorder(function).filter(|n| n.start_byte() > read.end_byte());
        let mut held: Vec<(&str, &str)> = Vec::new();
        for n in after().filter(|n| n.kind_str() == "variable_declarator") {
            let (Some(name), Some(value)) = (n.field("name"), n.field("value")) else {
                continue;
            };
            if name.kind_str() == "identifier"
                && let Some(column) = column_of(value)
            {
                held.push((ctx.text(name), column));
            }
            // `const { qty } = rows[0]`
            if name.kind_str() == "object_pattern" && rows.iter().any(|r| r == ctx.text(value)) {
                let mut cursor = name.walk();
                for p in name.named_children(&mut cursor) {
                    if p.kind_str() == "shorthand_property_identifier_pattern" {
                        held.push((ctx.text(p), ctx.text(p)));
                    }
                }
            }
        }
        let write = after()
            .filter(|n| js_sql_call(ctx, *n, "update"))
            .find_map(|n| {
                let values = n.field("arguments")?.named_child(1)?;
                preorder(values).find_map(|e| {
                    let operator = e.field("operator").map(|o| ctx.text(o));
                    if e.kind_str() != "binary_expression"
                        || !matches!(operator, Some("+" | "-" | "*" | "/"))
                    {
                        return None;
                    }
                    let mut cursor = e.walk();
                    let operands: Vec<Node<'_>> = e.named_children(&mut cursor).collect();
                    operands.into_iter().find_map(|o| {
                        if o.kind_str() == "identifier" {
                            let name = ctx.text(o);
                            held.iter()
                                .find(|(h, _)| *h == name)
                                .map(|(h, c)| (e, *h, *c))
                        } else {
                            column_of(o).map(|c| (e, ctx.text(o), c))
                        }
                    })
                })
            });
        if let Some((modify, subject, column)) = write {
            let record = rows.first().map_or("rows[0]", String::as_str);
            out.push(report(ctx, modify, subject, record, column, ctx.text(read)));
        }
    }
}

/// `pool.query("…")` / `conn.execute('…')` / `` db.query(`…`) `` whose SQL
/// (the first argument, a literal) starts with `verb`.
fn js_sql_call(ctx: &RuleContext<'_>, call: Node<'_>, verb: &str) -> bool {
    if call.kind_str() != "call_expression" {
        return false;
    }
    let method = call
        .field("function")
        .filter(|f| f.kind_str() == "member_expression")
        .and_then(|f| f.field("property"))
        .map(|p| ctx.text(p));
    if !matches!(method, Some("query" | "execute")) {
        return false;
    }
    call.field("arguments")
        .and_then(|a| a.named_child(0))
        .filter(|s| matches!(s.kind_str(), "string" | "template_string"))
        .is_some_and(|s| {
            ctx.text(s)
                .trim_matches(|c| matches!(c, '"' | '\'' | '`'))
                .trim_start()
                .to_ascii_lowercase()
                .starts_with(verb)
        })
}

/// How the first row of a query result is spelled after the declaration:
/// `const res = …` → `res.rows[0]`; `const { rows } = …` → `rows[0]`;
/// `const { rows: books } = …` → `books[0]`; `const { rows: [book] } = …`
/// → `book`; mysql2's `const [rows] = …` → `rows[0]`, `const [[row]] = …`
/// → `row`.
fn js_result_rows(ctx: &RuleContext<'_>, pattern: Node<'_>) -> Vec<String> {
    let first_of = |n: Node<'_>| -> Option<String> {
        match n.kind_str() {
            "identifier" => Some(format!("{}[0]", ctx.text(n))),
            "array_pattern" => n
                .named_child(0)
                .filter(|r| r.kind_str() == "identifier")
                .map(|r| ctx.text(r).to_string()),
            _ => None,
        }
    };
    match pattern.kind_str() {
        "identifier" => vec![
            format!("{}.rows[0]", ctx.text(pattern)),
            format!("{}[0]", ctx.text(pattern)),
        ],
        "array_pattern" => pattern
            .named_child(0)
            .and_then(first_of)
            .into_iter()
            .collect(),
        "object_pattern" => {
            let mut cursor = pattern.walk();
            pattern
                .named_children(&mut cursor)
                .find_map(|p| match p.kind_str() {
                    "shorthand_property_identifier_pattern" if ctx.text(p) == "rows" => {
                        Some("rows[0]".to_string())
                    }
                    "pair_pattern" if p.field("key").is_some_and(|k| ctx.text(k) == "rows") => {
                        p.field("value").and_then(first_of)
                    }
                    _ => None,
                })
                .into_iter()
                .collect()
        }
        _ => Vec::new(),
    }
}

/// `client.query("BEGIN")` / `START TRANSACTION` in the function: the
/// author opened a transaction (its isolation level is their choice).
fn js_sql_transaction(ctx: &RuleContext<'_>, function: Node<'_>) -> bool {
    let lower = ctx.text(function).to_ascii_lowercase();
    ["\"begin", "'begin", "`begin", "start transaction"]
        .iter()
        .any(|w| lower.contains(w))
}

/// `x.Method(…)` with one of `methods` whose SQL string argument starts with
/// `verb` (case-insensitive).
fn go_sql_call(ctx: &RuleContext<'_>, call: Node<'_>, methods: &[&str], verb: &str) -> bool {
    if call.kind_str() != "call_expression" {
        return false;
    }
    let method = call
        .field("function")
        .filter(|f| f.kind_str() == "selector_expression")
        .and_then(|f| f.field("field"))
        .map(|f| ctx.text(f));
    if !method.is_some_and(|m| methods.contains(&m)) {
        return false;
    }
    let Some(args) = call.field("arguments") else {
        return false;
    };
    let mut cursor = args.walk();
    let sql = args.named_children(&mut cursor).find(|a| {
        matches!(
            a.kind_str(),
            "interpreted_string_literal" | "raw_string_literal"
        )
    });
    sql.is_some_and(|s| {
        ctx.text(s)
            .trim_matches(|c| c == '"' || c == '`')
            .trim_start()
            .to_ascii_lowercase()
            .starts_with(verb)
    })
}

/// `db.BeginTx(…)`, `tx.ExecContext(…)`: the function runs in a transaction
/// (whose isolation level is the author's choice to make).
fn go_in_transaction(ctx: &RuleContext<'_>, function: Node<'_>) -> bool {
    let text = ctx.text(function);
    text.contains("Begin(") || text.contains("BeginTx(") || text.contains("tx.")
}

/// `record.field` → `field`.
fn record_field<'s>(ctx: &RuleContext<'s>, node: Node<'_>, record: &str) -> Option<&'s str> {
    if !matches!(node.kind_str(), "member_expression" | "attribute") {
        return None;
    }
    let object = node.field("object")?;
    let field = node.field("property").or_else(|| node.field("attribute"))?;
    (object.kind_str() == "identifier" && ctx.text(object) == record).then(|| ctx.text(field))
}

/// A `+`/`-`/`*`/`/` expression within `node` with `record.field` as an
/// operand: the field the new value is derived from.
fn derived_field<'s>(ctx: &RuleContext<'s>, node: Node<'_>, record: &str) -> Option<&'s str> {
    preorder(node).find_map(|n| {
        if !matches!(n.kind_str(), "binary_expression" | "binary_operator") {
            return None;
        }
        let operator = n.field("operator").map(|o| ctx.text(o));
        if !matches!(operator, Some("+" | "-" | "*" | "/")) {
            return None;
        }
        let mut cursor = n.walk();
        let operands: Vec<Node<'_>> = n.named_children(&mut cursor).collect();
        operands
            .into_iter()
            .find_map(|o| record_field(ctx, o, record))
    })
}

/// `subject` is what holds the stale value (`account.balance`, or a Go
/// variable the row was scanned into).
fn report(
    ctx: &RuleContext<'_>,
    modify: Node<'_>,
    subject: &str,
    record: &str,
    field: &str,
    read: &str,
) -> Finding {
    let read = quote(read, 60);
    let code = quote(ctx.text(modify), 60);
    ctx.node_finding(&META, modify)
        .title(format!(
            "`{subject}` is read, changed and written back without a lock (lost update)"
        ))
        .message(format!(
            "`{record}` is loaded with `{read}`, and `{code}` computes the new `{field}` from the \
             value that was read. Two concurrent requests both read the same old value and the \
             second write discards the first (a double withdrawal leaves the balance too high, \
             the last item is sold twice).\n\nLet the database do the arithmetic atomically \
             (`{{ {field}: {{ decrement: amount }} }}` in Prisma, `$inc` in MongoDB, \
             `F(\"{field}\") - amount` in Django, `SET {field} = {field} - $1` in SQL) with a \
             condition in the `WHERE` clause for invariants, or lock the row for the whole \
             read-modify-write (`SELECT … FOR UPDATE`, `select_for_update()`)."
        ))
        .symptom(format!(
            "`{subject}` is recomputed in memory from a stale read and written back: \
             concurrent requests overwrite each other."
        ))
        .root_cause(
            "The read and the write are separate statements with no transaction, row lock or \
             atomic update between them, so other requests can change the row in between.",
        )
        .fix(format!(
            "Make the update of `{field}` atomic: a single conditional update that computes the \
             new value in the database (increment/decrement, `F()` expressions, `SET x = x - ?` \
             with a `WHERE` guard for invariants such as a non-negative balance), or a \
             transaction that locks the row before reading it. Report the case where the guard \
             fails (e.g. insufficient balance) the same way the code does now."
        ))
        .scope(
            "Change only this read-modify-write of the record; keep the function's inputs, \
             results and error responses, and do not wrap unrelated queries in the transaction.",
        )
        .build()
}
