//! `null-safety/unchecked-lookup`: the result of a lookup that can miss is
//! used without checking that it found something.
//!
//! ## What it does
//! Finds a property access, method call, index or destructuring applied
//! directly to a lookup whose "not found" result is `null`, `undefined`,
//! `None` or an empty `Optional`:
//! - JavaScript/TypeScript: `items.find((x) => …).name` (and `findLast`),
//!   `document.getElementById(…)`, `querySelector(…)`, `closest(…)`,
//!   `cache.get(key).value` on a variable or `this.` field the same file
//!   declares as a `Map`/`WeakMap` (`new Map(…)`, a `Map<…>` type, React's
//!   `useMemo(() => new Map(…), …)`, `useRef(new Map())` read as
//!   `ref.current`, or a call of a function of the file that returns
//!   `new Map(…)`), `str.match(/re/)[1]` and
//!   `/re/.exec(str)[1]`, `const { a } = items.find(…)`,
//!   `JSON.parse(localStorage.getItem(key)).field` (also `sessionStorage`:
//!   `getItem` answers `null` for a key never stored), and
//!   `req.file.size` / `req.file.path` in a handler that never checks
//!   `req.file` itself first (multer leaves `req.file` undefined when the
//!   request carries no file), and the last element of an array that may be
//!   empty — a parameter, or a variable defaulted to `[]` (`byTap.get(id) ??
//!   []`) — read as `log[log.length - 1].at` or `readings.at(-1).brix` when
//!   nothing before it in the function reads the array's `length` or `[0]`;
//! - Python: `re.match(…).group(…)` (also `search`/`fullmatch` and compiled
//!   patterns; `.group`, `.groups`, `.groupdict`, `.start`, `.end`, `.span`
//!   or `[n]`), and `.get(key).attr` / `.get(key)[i]` on a dictionary: a
//!   name the file assigns a `dict` literal or `dict(…)`, a parameter
//!   annotated `dict[…]`/`Mapping[…]`, or the request and
//!   environment mappings `os.environ`, `kwargs`, `headers`, `args`, `form`,
//!   `params`, `cookies`, `GET`, `POST`, `META`, or any mapping read with a
//!   literal key whose result is read with `.get` again
//!   (`mapping.get("partners").get(name)`: a dict of dicts), or any receiver
//!   whose `.get(k)` the same file compares with `None` elsewhere
//!   (`device = registry.get(id)` then `if device is None:`) — unless the
//!   function tests the key first (`if k in registry`); and `.first().attr` /
//!   `.last().attr` on a Django (`Model.objects.…`), Flask-SQLAlchemy
//!   (`Model.query.…`) or SQLAlchemy session (`session.query(…)…`,
//!   `session.scalars(…)`) query, which is `None` when no row matches;
//! - Java: `.get()` on `findFirst()`, `findAny()`, `findById(…)`, Spring
//!   Data finders (`findByPlate(…)`, `findOneBy…`, `findFirstBy…`),
//!   `Optional.ofNullable(…)` and WebFlux's `request.queryParam(…)`, and on a local `Optional<…>` variable or
//!   parameter when the method never calls `isPresent()`/`isEmpty()` on it;
//!   a method call or field read straight on `….orElse(null)`
//!   (`depots.findById(id).orElse(null).getName()`: the empty case made
//!   `null` and dereferenced on the spot);
//!   and `map.get(key).x()` on a field or parameter the file declares as a
//!   `Map<…>` (`HashMap`, `ConcurrentHashMap`, …) — also when the value of a
//!   map field is unboxed into a primitive local (`int weight =
//!   weights.get(section);` throws on a missing key without any visible
//!   dereference; not for map parameters, whose caller usually vouches for
//!   the keys, nor in a method that null-checks other lookups of the same
//!   map) — unless the method calls
//!   `containsKey`/`put`/`putIfAbsent`/`computeIfAbsent`/`keySet`/`entrySet`
//!   on it or compares `map.get(key)` with `null`;
//!   and a lookup kept in a local whose first use after it dereferences it
//!   (no `null` check, `requireNonNull` or hand-off first): `get` on such a
//!   map field, Panache's static `Entity.findById(id)` and `….firstResult()`,
//!   JPA's `em.find(Entity.class, id)`, and a MyBatis mapper's single-row
//!   `findX(…)`/`selectX(…)` (a field or parameter typed `…Mapper`, not
//!   Jackson's `ObjectMapper` and kin; a `List`/`Optional` result is not a
//!   single row), and a Spring Data derived finder (`findBy…`,
//!   `findFirstBy…`, `findTopBy…`, `findOneBy…`) on a field or parameter
//!   typed `…Repository` kept in a local of the entity type (not
//!   `Optional`), all of which return `null` when nothing matches;
//! - Go: a field read on `m[key]` (`s.catalog[sku].MaxPerOrder`) where the
//!   file declares `m` as a map of pointers (`map[string]*Item`: struct
//!   field, parameter, `var` or `make`), unless the function reads the map
//!   with `v, ok := m[…]`, compares an entry with `nil`, or ranges over the
//!   same map with the same key. Method calls (`m[k].String()`) are left
//!   alone: a pointer method may accept a nil receiver. A struct field and
//!   a parameter or local of the same name are told apart (`s.judges` vs
//!   `judges []Judge`); each map is reported once per file, at its first
//!   unguarded read.
//! - JavaScript/TypeScript and Python, a row looked up by key and kept in a
//!   variable whose first use after the lookup dereferences it (no check,
//!   `?.` or hand-off before): `const loan = await Loan.findByPk(id)` (also
//!   `findById`, `findOne`, `findOneBy` on a PascalCase model or its
//!   Objection query `Visit.query()`, through
//!   `.select()`/`.lean()`/`.exec()`, and Prisma/Drizzle `findUnique`/
//!   `findFirst`) then `loan.Items`; the first row destructured from a
//!   query, ``const [race] = await sql`SELECT …` `` (not a lone aggregate
//!   such as `count(*)`), Drizzle's `db.select().from(…)…`, Prisma's
//!   `findMany(…)` or Sequelize's `findAll(…)`, then
//!   `race.lat`; `station = await session.get(Station,
//!   id)` (a `session`/`db` receiver given a model class), `station = await
//!   session.scalar(select(Station).where(…))`, or an ORM query's
//!   `.first()`/`.one_or_none()`/`.scalar_one_or_none()` (also on
//!   `(await session.execute(stmt))`) then `station.code`, or asyncpg's
//!   `row = await conn.fetchrow("SELECT … WHERE …", id)` (a `conn`/`pool`/
//!   `db`/`tx` receiver, not a lone aggregate) then `row["col"]`. Not when the finder
//!   throws instead (`orFail()`, `throwIfNotFound()`, `rejectOnEmpty`,
//!   `…OrThrow`), nor for a
//!   service's own `findOne` (a camelCase receiver may throw a not-found
//!   error itself).
//!
//! TypeScript: the awaited result of a `get…`/`find…` lookup cast to a
//! model type, `(await getDive(id)) as Dive`, which hides the `null` of a
//! missing row from the compiler instead of handling it (not
//! `getOrCreate…`, `findAll…`/`findMany…`/`getList…`, which return a value
//! or a list).
//!
//! It deliberately does not report test files, optional chaining (`find(…)?.name`),
//! `find` with a non-function argument (jQuery, MongoDB and ORM `find`
//! return collections or queries), `.get` on anything not known to be a map
//! (HTTP clients, routers and config objects also have `get`), a `Map` read
//! in a function that checks `has(…)` on the same map or inside a condition
//! that tests the key itself (`if (TYPES.includes(c.type)) groups.get(c.type)`;
//! a condition that only tests that the key is set, `selectedId ?
//! byId.get(selectedId).price : 0`, is not such a test),
//! a `.get(key, default)`
//! with a default, Java maps declared as local variables (usually an index the
//! method just built from the same data), Go maps of values (a missing key is
//! the zero value), and `JSON.parse(…).x` (valid JSON is rarely `null`, so
//! the finding would be noise). TypeScript's `!` is reported by
//! `null-safety/non-null-assertion` instead.
//!
//! ## Why is this bad?
//! The lookup succeeds in every test the author wrote and fails in
//! production the first time the item is missing — with `Cannot read
//! properties of undefined`, `'NoneType' object has no attribute 'group'`
//! or `NoSuchElementException`, which says nothing about which item was
//! missing or why.
//!
//! ## Example
//! ```ts
//! const plan = plans.find((p) => p.id === account.planId).name;
//! ```
//!
//! Use instead:
//! ```ts
//! const plan = plans.find((p) => p.id === account.planId);
//! if (!plan) {
//!   throw new Error(`account ${account.id} references unknown plan ${account.planId}`);
//! }
//! const planName = plan.name;
//! ```

use std::collections::HashSet;

use tree_sitter::Node;

use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::{Rule, quote, symbol_suffix};
use crate::syntax::NodeExt as _;
use crate::syntax::{is_test_path, member_call, method_call, preorder, statements};

pub static META: RuleMeta = RuleMeta {
    id: "null-safety/unchecked-lookup",
    item: ChecklistItem::NullSafety,
    severity: Severity::Warning,
    languages: &[
        Language::TypeScript,
        Language::Tsx,
        Language::JavaScript,
        Language::Python,
        Language::Java,
        Language::Go,
    ],
    summary: "A lookup that can miss (`find`, `Map.get`, `querySelector`, `re.match`, \
              `Optional.get`, a Go map of pointers) used without checking its result",
};

pub struct UncheckedLookup;

impl Rule for UncheckedLookup {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let (Some(_), Some(language)) = (ctx.root(), ctx.language) else {
            return;
        };
        // A failed lookup in a test is a failed test, which is the point.
        if is_test_path(ctx.path) {
            return;
        }
        let maps = match language {
            Language::Python => python_dicts(ctx),
            Language::Java => java_maps(ctx),
            Language::Go => go_pointer_maps(ctx),
            _ => js_maps(ctx),
        };
        let kinds: &[&str] = match language {
            Language::Python => &["attribute", "subscript"],
            Language::Java => &["method_invocation", "field_access", "variable_declarator"],
            Language::Go => &["selector_expression"],
            _ => &[
                "member_expression",
                "subscript_expression",
                "variable_declarator",
            ],
        };
        // Go: one finding per map and file (its first unguarded read).
        let mut go_reported: HashSet<String> = HashSet::new();
        for node in ctx.nodes_in_order(kinds) {
            let found = match language {
                Language::Python => python_use(ctx, node, &maps),
                Language::Java => java_get(ctx, language, node)
                    .or_else(|| java_or_else_null(ctx, node))
                    .or_else(|| java_map_get(ctx, language, node, &maps)),
                Language::Go => go_pointer_map_field(ctx, language, node, &maps)
                    .filter(|f| go_reported.insert(f.call.clone())),
                _ => js_use(ctx, language, node, &maps),
            };
            if let Some(found) = found {
                out.push(report(ctx, node, &found));
            }
        }
        if matches!(language, Language::Python) || language.is_js_family() {
            stored_rows(ctx, language, out);
        }
        if language == Language::Java {
            java_stored_lookups(ctx, &maps, out);
        }
        if matches!(language, Language::TypeScript | Language::Tsx) {
            for cast in ctx.nodes_in_order(&["as_expression"]) {
                if let Some(found) = lookup_cast_to_model(ctx, cast) {
                    out.push(report(ctx, cast, &found));
                }
            }
        }
    }
}

/// `(await getDive(id)) as Dive`: the result of a `get…`/`find…` lookup
/// cast to a model type, which silences the compiler about the `null` the
/// lookup returns when nothing matches instead of handling it.
fn lookup_cast_to_model(ctx: &RuleContext<'_>, cast: Node<'_>) -> Option<Lookup> {
    let (expression, ty) = (cast.named_child(0)?, cast.named_child(1)?);
    let model_type = ty.kind_str() == "type_identifier"
        && ctx.text(ty).starts_with(|c: char| c.is_ascii_uppercase());
    if !model_type {
        return None;
    }
    let awaited = crate::syntax::unwrap_expression(expression);
    if awaited.kind_str() != "await_expression" {
        return None;
    }
    let call = crate::syntax::unwrap_expression(awaited.named_child(0)?);
    let function = call
        .field("function")
        .filter(|_| call.kind_str() == "call_expression")?;
    let name = match function.kind_str() {
        "identifier" => ctx.text(function),
        "member_expression" => ctx.text(function.field("property")?),
        _ => return None,
    };
    let words = crate::syntax::identifier_words(name);
    let lookup = words.len() >= 2
        && matches!(words[0].as_str(), "get" | "find")
        && !words
            .iter()
            .any(|w| matches!(w.as_str(), "or" | "all" | "many" | "list"));
    lookup.then(|| Lookup {
        call: format!("{}(…)", quote(ctx.text(function), 50)),
        missing: "null",
        failure: "hides it behind `as`, and the code that uses the value throws a `TypeError` \
                  (a 500 instead of a 404)",
        remedy: "drop the cast, check the result and answer not-found when it is missing \
                 (`if (!row) throw new Response(\"Not Found\", { status: 404 })`)",
    })
}

// ------------------------------------------------- ORM rows kept in a name

/// `const loan = await Loan.findByPk(id); loan.Items…` and
/// `station = await session.get(Station, id); station.code`: a row looked
/// up by key, kept in a variable whose first use after the lookup
/// dereferences it — no `if (!loan)`, `is None`, `?.` or hand-off first.
fn stored_rows(ctx: &RuleContext<'_>, language: Language, out: &mut Vec<Finding>) {
    let python = language == Language::Python;
    let kinds: &[&str] = if python {
        &["assignment"]
    } else {
        &["variable_declarator"]
    };
    for node in ctx.nodes_in_order(kinds) {
        let (target, value) = if python {
            (node.field("left"), node.field("right"))
        } else {
            (node.field("name"), node.field("value"))
        };
        let (Some(target), Some(value)) = (target, value) else {
            continue;
        };
        // ``const [race] = await sql`SELECT …` ``: the first row of a result
        // that may be empty.
        let first_row = !python && target.kind_str() == "array_pattern";
        let target = if first_row {
            match target.named_child(0) {
                Some(first) if first.kind_str() == "identifier" => first,
                _ => continue,
            }
        } else {
            target
        };
        if target.kind_str() != "identifier" {
            continue;
        }
        let value = if matches!(value.kind_str(), "await_expression" | "await") {
            match value.named_child(0) {
                Some(v) => v,
                None => continue,
            }
        } else if python {
            value
        } else if first_row
            && value.kind_str() == "call_expression"
            && value
                .field("function")
                .is_some_and(|f| ctx.text(f).starts_with("await "))
        {
            // ``await sql<Row[]>`…` `` parses as a tagged call of `await sql<Row[]>`.
            value
        } else {
            // JavaScript ORM calls are promises: only an awaited one is a row.
            continue;
        };
        let lookup = if python {
            python_row_lookup(ctx, value)
        } else if first_row {
            js_rows_query(ctx, value)
        } else {
            js_row_lookup(ctx, value)
        };
        let Some(lookup) = lookup else {
            continue;
        };
        let name = ctx.text(target);
        let Some(function) = ctx.enclosing_function(language, node) else {
            continue;
        };
        let after = node.end_byte();
        let Some(first) = crate::syntax::preorder(function).find(|n| {
            n.start_byte() >= after && n.kind_str() == "identifier" && ctx.text(*n) == name
        }) else {
            continue;
        };
        let Some(parent) = ctx.parent(first) else {
            continue;
        };
        let dereferenced = match parent.kind_str() {
            "member_expression" => {
                // Not `loan?.Items`.
                parent.field("object") == Some(first)
                    && !ctx.source[first.end_byte()..parent.end_byte()]
                        .trim_start()
                        .starts_with("?.")
            }
            "attribute" => parent.field("object") == Some(first),
            // `row["col"]` on an asyncpg record.
            "subscript" => python && parent.field("value") == Some(first),
            _ => false,
        };
        if dereferenced {
            out.push(report(ctx, parent, &lookup));
        }
    }
}

/// Mongoose/Sequelize/TypeORM model statics and Prisma/Drizzle finders that
/// resolve to `null`/`undefined` when no row matches.
fn js_row_lookup(ctx: &RuleContext<'_>, value: Node<'_>) -> Option<Lookup> {
    let mut call = crate::syntax::unwrap_expression(value);
    // `Model.findById(id).select("…").lean()`: down the query's chain.
    for _ in 0..8 {
        let (receiver, method) = member_call(call)?;
        let method = ctx.text(method);
        match method {
            "lean" | "exec" | "select" | "populate" | "session" | "collation" => {
                call = crate::syntax::unwrap_expression(receiver);
                if call.kind_str() != "call_expression" {
                    return None;
                }
            }
            "findByPk" | "findById" | "findOne" | "findOneBy" => {
                let model = ctx.text(receiver);
                // Objection: `Visit.query().findById(id)` (or `.query(trx)`).
                let receiver = (receiver.kind_str() == "call_expression")
                    .then(|| member_call(receiver))
                    .flatten()
                    .filter(|(_, m)| ctx.text(*m) == "query")
                    .map_or(receiver, |(model, _)| model);
                let pascal = receiver.kind_str() == "identifier"
                    && ctx
                        .text(receiver)
                        .starts_with(|c: char| c.is_ascii_uppercase())
                    && ctx.text(receiver).chars().any(|c| c.is_ascii_lowercase());
                if !pascal || ctx.text(call).contains("rejectOnEmpty") {
                    return None;
                }
                return Some(Lookup {
                    call: format!("{model}.{method}(…)"),
                    missing: "null",
                    failure: "throws a `TypeError` (a 500 instead of a 404)",
                    remedy: "check the row (`if (!row) return res.status(404)…` or throw a \
                             not-found error that names the key) before using it",
                });
            }
            "findUnique" | "findFirst" => {
                return Some(Lookup {
                    call: format!("{}(…)", quote(ctx.text(call.field("function")?), 50)),
                    missing: "null",
                    failure: "throws a `TypeError` (a 500 instead of a 404)",
                    remedy: "check the row before using it, or use `findUniqueOrThrow`/\
                             `findFirstOrThrow` when it must exist",
                });
            }
            _ => return None,
        }
    }
    None
}

/// The first row destructured from a query that may return none:
/// `` sql`SELECT …` `` (any tagged template holding a `SELECT` that is not a
/// lone aggregate) and Drizzle's `db.select(…).from(…)…`.
fn js_rows_query(ctx: &RuleContext<'_>, value: Node<'_>) -> Option<Lookup> {
    let call = crate::syntax::unwrap_expression(value);
    if call.kind_str() != "call_expression" {
        return None;
    }
    let args = call.field("arguments")?;
    if args.kind_str() == "template_string" {
        let text = ctx.text(args).trim_start_matches('`').trim_start();
        let lower = text.to_ascii_lowercase();
        let select_list = lower.split(" from ").next().unwrap_or("");
        let aggregate = ["count(", "sum(", "avg(", "min(", "max(", "exists("]
            .iter()
            .any(|a| select_list.contains(a));
        if !lower.starts_with("select") || aggregate || lower.contains("group by") {
            return None;
        }
        return Some(Lookup {
            call: format!(
                "{}`SELECT …`",
                quote(
                    ctx.text(call.field("function")?)
                        .trim_start_matches("await ")
                        .split('<')
                        .next()
                        .unwrap_or(""),
                    30
                )
            ),
            missing: "an empty result (so `undefined` as its first row)",
            failure: "throws a `TypeError` (a 500 instead of a 404)",
            remedy: "check the row (`if (!row)` → a not-found error that names the key) \
                     before using it",
        });
    }
    // Prisma's `prisma.sample.findMany({ take: 1 })`, Sequelize's
    // `Sample.findAll(…)`: a list, empty when nothing matches.
    if let Some((receiver, method)) = member_call(call)
        && matches!(ctx.text(method), "findMany" | "findAll")
    {
        return Some(Lookup {
            call: format!("{}.{}(…)", quote(ctx.text(receiver), 30), ctx.text(method)),
            missing: "an empty array (so `undefined` as its first row)",
            failure: "throws a `TypeError`",
            remedy: "check the row (`if (!row)` → handle the case where nothing matched) \
                     before using it, or use `findFirst` and check its `null`",
        });
    }
    // Drizzle: down the chain to `db.select(…)`, through a `.from(…)`.
    let mut current = call;
    let mut from = false;
    for _ in 0..12 {
        let (receiver, method) = member_call(current)?;
        match ctx.text(method) {
            "from" => from = true,
            "select" | "selectDistinct" => {
                let handle = identifier_words_last(ctx.text(receiver));
                let db = handle.is_some_and(|w| matches!(w.as_str(), "db" | "tx" | "trx"));
                return (from && db).then(|| Lookup {
                    call: format!("{}.select(…)", quote(ctx.text(receiver), 30)),
                    missing: "an empty array (so `undefined` as its first row)",
                    failure: "throws a `TypeError` (a 500 instead of a 404)",
                    remedy: "check the row (`if (!row)` → a not-found error that names the \
                             key) before using it",
                });
            }
            _ => {}
        }
        current = crate::syntax::unwrap_expression(receiver);
        if current.kind_str() != "call_expression" {
            return None;
        }
    }
    None
}

/// SQLAlchemy `session.get(Model, id)` and an ORM query's `.first()` /
/// `.one_or_none()`: `None` when no row matches.
fn python_row_lookup(ctx: &RuleContext<'_>, value: Node<'_>) -> Option<Lookup> {
    if value.kind_str() != "call" {
        return None;
    }
    let (receiver, method) = method_call(value)?;
    let args = value.field("arguments")?;
    let function = ctx.text(value.field("function")?);
    let found = match ctx.text(method) {
        "get" => {
            let mut cursor = args.walk();
            let positional: Vec<Node<'_>> = args
                .named_children(&mut cursor)
                .filter(|a| a.kind_str() != "comment")
                .collect();
            positional.len() == 2
                && positional
                    .iter()
                    .all(|a| a.kind_str() != "keyword_argument")
                && positional[0].kind_str() == "identifier"
                && ctx
                    .text(positional[0])
                    .starts_with(|c: char| c.is_ascii_uppercase())
                && identifier_words_last(ctx.text(receiver))
                    .is_some_and(|w| matches!(w.as_str(), "session" | "db"))
        }
        // `await session.scalar(select(Hunt).where(…))`: the first column of
        // the first row, `None` when there is none.
        "scalar" if args.named_child_count() == 1 => {
            args.named_child(0).is_some_and(|a| {
                a.kind_str() == "identifier"
                    || (a.kind_str() == "call"
                        && ["select(", "sa.select(", "sqlalchemy.select("]
                            .iter()
                            .any(|p| ctx.text(a).starts_with(p)))
            }) && identifier_words_last(ctx.text(receiver))
                .is_some_and(|w| matches!(w.as_str(), "session" | "db"))
        }
        "first" | "one_or_none" | "scalar_one_or_none" => {
            args.named_child_count() == 0 && python_orm_query(ctx, receiver)
        }
        // asyncpg's `await conn.fetchrow("SELECT … WHERE id = $1", id)`:
        // `None` when no row matches (not a lone aggregate, which always
        // returns its row).
        "fetchrow" => {
            identifier_words_last(ctx.text(receiver))
                .is_some_and(|w| matches!(w.as_str(), "conn" | "connection" | "pool" | "db" | "tx"))
                && args
                    .named_child(0)
                    .filter(|a| matches!(a.kind_str(), "string" | "concatenated_string"))
                    .is_some_and(|sql| keyed_select(ctx.text(sql)))
        }
        _ => false,
    };
    found.then(|| Lookup {
        call: format!("{}(…)", quote(function, 50)),
        missing: "None",
        failure: "raises `AttributeError: 'NoneType' object has no attribute …` (a 500 \
                  instead of a 404)",
        remedy: "check `if row is None:` (raise a not-found error that names the key) before \
                 using it",
    })
}

/// `SELECT … FROM … WHERE …` selecting columns, not a lone aggregate
/// (`count(*)`, `exists(…)`) nor a `GROUP BY`.
fn keyed_select(sql: &str) -> bool {
    // After the string prefix (`f`, `r`) and the opening quote(s).
    let body = sql
        .find(['"', '\''])
        .map_or(sql, |at| &sql[at..])
        .trim_start_matches(['"', '\''])
        .trim_start();
    let lower = body
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_lowercase();
    let select_list = lower.split(" from ").next().unwrap_or("");
    let aggregate = ["count(", "sum(", "avg(", "min(", "max(", "exists("]
        .iter()
        .any(|a| select_list.contains(a));
    lower.starts_with("select")
        && lower.contains(" where ")
        && !aggregate
        && !lower.contains("group by")
}

/// The last word of a receiver (`self.session` → `session`, `db` → `db`).
fn identifier_words_last(receiver: &str) -> Option<String> {
    let last = receiver.rsplit('.').next()?;
    crate::syntax::identifier_words(last).pop()
}

/// What was looked up and what it yields when nothing is there.
struct Lookup {
    /// `plans.find(…)`, quoted for the message.
    call: String,
    /// `undefined`, `null`, `None`, `an empty Optional`.
    missing: &'static str,
    /// How the access fails: "throws a TypeError", …
    failure: &'static str,
    /// What the fix should use.
    remedy: &'static str,
}

// ---------------------------------------------------------------- JS / TS

fn js_use(
    ctx: &RuleContext<'_>,
    language: Language,
    node: Node<'_>,
    maps: &HashSet<String>,
) -> Option<Lookup> {
    let value = match node.kind_str() {
        "member_expression" | "subscript_expression" => {
            let mut cursor = node.walk();
            if node
                .children(&mut cursor)
                .any(|c| c.kind_str() == "optional_chain")
            {
                return None;
            }
            node.field("object")?
        }
        // `const { a } = items.find(…)` throws like `.a` does.
        "variable_declarator" => {
            let name = node.field("name")?;
            if !matches!(name.kind_str(), "object_pattern" | "array_pattern") {
                return None;
            }
            node.field("value")?
        }
        _ => return None,
    };
    if node.kind_str() == "member_expression" && is_upload_file(ctx, value) {
        return unchecked_upload(ctx, language, value).then(|| Lookup {
            call: ctx.text(value).to_string(),
            missing: "undefined",
            failure: "throws a `TypeError` (`Cannot read properties of undefined`)",
            remedy: "check it first and answer 400 when the request carries no file \
                     (`if (!req.file) return res.status(400).json(…)`)",
        });
    }
    if node.kind_str() == "member_expression"
        && let Some(found) = last_of_maybe_empty(ctx, language, value)
    {
        return Some(found);
    }
    let mut call = value;
    while call.kind_str() == "parenthesized_expression" {
        call = call.named_child(0)?;
    }
    if call.kind_str() != "call_expression" {
        return None;
    }
    let (receiver, method) = member_call(call)?;
    let args = call.field("arguments")?;
    let first_arg = args.named_child(0);
    let call_text = format!("{}(…)", quote(ctx.text(call.field("function")?), 50));
    let lookup = |missing, remedy| {
        Some(Lookup {
            call: call_text.clone(),
            missing,
            failure: "throws a `TypeError` (`Cannot read properties of …`)",
            remedy,
        })
    };
    // `JSON.parse(localStorage.getItem(key)).center`: `getItem` answers
    // `null` for a key never stored (first visit, cleared storage), and
    // `JSON.parse(null)` is `null`.
    if ctx.text(method) == "parse"
        && ctx.text(receiver) == "JSON"
        && let Some(item) = first_arg
            .map(crate::syntax::unwrap_expression)
            .filter(|a| a.kind_str() == "call_expression")
        && let Some((storage, get)) = member_call(item)
        && ctx.text(get) == "getItem"
        && ["localStorage", "sessionStorage"]
            .iter()
            .any(|s| ctx.text(storage).ends_with(s))
    {
        return lookup(
            "null",
            "store the parsed value, check it, and fall back to a default when nothing was \
             stored (`JSON.parse(localStorage.getItem(key) ?? \"null\")?.field ?? default`)",
        );
    }
    match ctx.text(method) {
        "find" | "findLast"
            if first_arg.is_some_and(|a| {
                matches!(
                    a.kind_str(),
                    "arrow_function" | "function_expression" | "function"
                )
            }) =>
        {
            lookup(
                "undefined",
                "store the result, check it, and handle the missing element (throw an error \
                 naming what was searched for, skip, or use a default)",
            )
        }
        "getElementById" | "querySelector" | "closest" => lookup(
            "null",
            "store the element, check it, and handle a missing element (return early or throw \
             an error naming the selector)",
        ),
        "get" if args.named_child_count() == 1 && js_map_receiver(ctx, receiver, maps) => {
            if map_checked_with_has(ctx, language, call, receiver) {
                return None;
            }
            lookup(
                "undefined",
                "store the entry, check it, and handle a missing key (throw an error naming the \
                 key, create the entry, or use a default)",
            )
        }
        "match" if first_arg.is_some_and(|a| a.kind_str() == "regex") => lookup(
            "null",
            "store the match, check it, and handle input that does not match",
        ),
        "exec" if receiver.kind_str() == "regex" => lookup(
            "null",
            "store the match, check it, and handle input that does not match",
        ),
        _ => None,
    }
}

/// `log[log.length - 1].at` / `readings.at(-1).brix`: the last element of
/// an array that may be empty — a parameter of the function, or a variable
/// defaulted to `[]` (`byTap.get(id) ?? []`) — when nothing before the access
/// in the function reads the array's `length` (or its first element).
fn last_of_maybe_empty(
    ctx: &RuleContext<'_>,
    language: Language,
    value: Node<'_>,
) -> Option<Lookup> {
    let array = match value.kind_str() {
        "subscript_expression" => {
            let array = value.field("object")?;
            let index = ctx.text(value.field("index")?).replace(' ', "");
            (index == format!("{}.length-1", ctx.text(array))).then_some(array)?
        }
        "call_expression" => {
            let (array, method) = member_call(value)?;
            let args = value.field("arguments")?;
            (ctx.text(method) == "at" && args.named_child_count() == 1).then_some(array)?
        }
        _ => return None,
    };
    if array.kind_str() != "identifier" {
        return None;
    }
    let name = ctx.text(array);
    let function = ctx.enclosing_function(language, value)?;
    let is_name = |n: Node<'_>| n.kind_str() == "identifier" && ctx.text(n) == name;
    let parameter = function
        .field("parameters")
        .or_else(|| function.field("parameter"))
        .is_some_and(|params| {
            preorder(params).any(|p| {
                is_name(p)
                    && p.parent().is_some_and(|pp| {
                        matches!(pp.kind_str(), "required_parameter" | "formal_parameters")
                            || pp.kind_str() == "arrow_function"
                    })
            })
        });
    let defaulted_empty = preorder(function).any(|d| {
        d.kind_str() == "variable_declarator"
            && d.field("name").is_some_and(is_name)
            && d.field("value").is_some_and(|v| {
                v.kind_str() == "binary_expression"
                    && v.field("operator")
                        .is_some_and(|o| matches!(ctx.text(o), "??" | "||"))
                    && v.field("right").is_some_and(|r| ctx.text(r) == "[]")
            })
    });
    if !parameter && !defaulted_empty {
        return None;
    }
    // `if (!log.length) return …`, `log.length > 1 && …`, `log[0] ?? …`
    // anywhere before the access (outside the access itself).
    let length = format!("{name}.length");
    let first = format!("{name}[0]");
    let guarded = preorder(function).any(|n| {
        n.start_byte() < value.start_byte()
            && n.kind_str() == "member_expression"
            && (ctx.text(n) == length || ctx.text(n) == first)
    }) || preorder(function).any(|n| {
        n.kind_str() == "subscript_expression"
            && n.start_byte() < value.start_byte()
            && ctx.text(n) == first
    });
    if guarded {
        return None;
    }
    Some(Lookup {
        call: quote(ctx.text(value), 50),
        missing: "undefined",
        failure: "throws a `TypeError` (`Cannot read properties of undefined`) when the array \
                  is empty",
        remedy: "check that the array is not empty first and handle the empty case (return a \
                 default, or throw an error that says what was empty)",
    })
}

/// `req.file`: multer's single-file upload, `undefined` when the request
/// has no file in that field (multer does not reject it).
fn is_upload_file(ctx: &RuleContext<'_>, value: Node<'_>) -> bool {
    value.kind_str() == "member_expression"
        && matches!(ctx.text(value), "req.file" | "request.file")
}

/// Whether this is the handler's first mention of `req.file` (reported
/// once), with no check before it (`if (!req.file)`, `assert(req.file)`,
/// `const { file } = req`).
fn unchecked_upload(ctx: &RuleContext<'_>, language: Language, value: Node<'_>) -> bool {
    let scope = std::iter::successors(ctx.enclosing_function(language, value), |f| {
        ctx.enclosing_function(language, *f)
    })
    .last();
    let Some(scope) = scope else {
        return false;
    };
    let text = ctx.text(value);
    !preorder(scope)
        .take_while(|n| n.start_byte() < value.start_byte())
        .any(|n| {
            let mention = n.kind_str() == "member_expression" && ctx.text(n) == text;
            // `const { file } = req` handles it under another name.
            let destructured =
                n.kind_str() == "shorthand_property_identifier_pattern" && ctx.text(n) == "file";
            mention || destructured
        })
}

/// Names the file declares as a `Map`/`WeakMap`: `const m = new Map()`,
/// `m: Map<K, V>`, class fields `private cache = new Map<…>()`, React's
/// `useMemo(() => new Map(…), …)` and `useRef(new Map())` (as
/// `ref.current`), and `const m = indexById(xs)` with `indexById` a function
/// of the file that returns `new Map(…)`.
fn js_maps(ctx: &RuleContext<'_>) -> HashSet<String> {
    let mut maps = HashSet::new();
    let map_builders = js_map_builders(ctx);
    for node in ctx.nodes_in_order(&[
        "variable_declarator",
        "public_field_definition",
        "field_definition",
    ]) {
        let name_field = match node.kind_str() {
            "variable_declarator" => "name",
            "public_field_definition" | "field_definition" => {
                if node.field("name").is_some() {
                    "name"
                } else {
                    "property"
                }
            }
            _ => continue,
        };
        let Some(name) = node.field(name_field) else {
            continue;
        };
        let is_map_type = |t: Node<'_>| {
            let text = ctx.text(t).trim_start_matches(':').trim_start();
            text.starts_with("Map<") || text.starts_with("WeakMap<")
        };
        let value = node.field("value");
        if node.field("type").is_some_and(is_map_type)
            || value.is_some_and(|v| is_new_map(ctx, v))
            || value.is_some_and(|v| memo_of_new_map(ctx, v))
            || value.is_some_and(|v| {
                call_name(ctx, v).is_some_and(|callee| map_builders.contains(callee))
            })
        {
            maps.insert(ctx.text(name).to_string());
        }
        // `const cacheRef = useRef(new Map())`: the map is `cacheRef.current`.
        if value.is_some_and(|v| {
            call_name(ctx, v) == Some("useRef")
                && v.field("arguments")
                    .and_then(|a| a.named_child(0))
                    .is_some_and(|a| is_new_map(ctx, a))
        }) {
            maps.insert(format!("{}.current", ctx.text(name)));
        }
    }
    maps
}

/// `new Map(…)` / `new WeakMap(…)`, looking through parentheses and `as`.
fn is_new_map(ctx: &RuleContext<'_>, value: Node<'_>) -> bool {
    let value = crate::syntax::unwrap_expression(value);
    value.kind_str() == "new_expression"
        && value
            .field("constructor")
            .is_some_and(|c| matches!(ctx.text(c), "Map" | "WeakMap"))
}

/// The name a plain call calls: `useMemo` in `useMemo(…)`.
fn call_name<'s>(ctx: &RuleContext<'s>, value: Node<'_>) -> Option<&'s str> {
    crate::syntax::call_name(crate::syntax::unwrap_expression(value), ctx.source)
}

/// Whether every value a function returns is a `new Map(…)`: the arrow
/// `() => new Map(…)`, or a body whose `return`s all do.
fn returns_new_map(ctx: &RuleContext<'_>, function: Node<'_>) -> bool {
    let Some(body) = function.field("body") else {
        return false;
    };
    if body.kind_str() != "statement_block" {
        return is_new_map(ctx, body);
    }
    let mut returns = preorder(body)
        .filter(|n| {
            n.kind_str() == "return_statement"
                && crate::syntax::enclosing_function(Language::JavaScript, *n) == Some(function)
        })
        .peekable();
    returns.peek().is_some()
        && returns.all(|r| r.named_child(0).is_some_and(|v| is_new_map(ctx, v)))
}

/// `useMemo(() => new Map(spots.map((s) => [s.id, s])), [spots])`.
fn memo_of_new_map(ctx: &RuleContext<'_>, value: Node<'_>) -> bool {
    call_name(ctx, value) == Some("useMemo")
        && crate::syntax::unwrap_expression(value)
            .field("arguments")
            .and_then(|a| a.named_child(0))
            .is_some_and(|f| crate::syntax::is_js_function(f) && returns_new_map(ctx, f))
}

/// Functions of the file that visibly build and return a map (`function
/// indexById(xs) { return new Map(…); }`), by name; a name declared twice
/// is left out.
fn js_map_builders<'s>(ctx: &RuleContext<'s>) -> HashSet<&'s str> {
    let mut builders = HashSet::new();
    let mut others = HashSet::new();
    for node in ctx.nodes_in_order(&["function_declaration", "variable_declarator"]) {
        let function = match node.kind_str() {
            "function_declaration" => Some(node),
            _ => node
                .field("value")
                .filter(|v| crate::syntax::is_js_function(*v)),
        };
        let (Some(function), Some(name)) = (function, node.field("name")) else {
            continue;
        };
        if returns_new_map(ctx, function) {
            builders.insert(ctx.text(name));
        } else {
            others.insert(ctx.text(name));
        }
    }
    builders.retain(|b| !others.contains(b));
    builders
}

/// `cache` or `this.cache` where `cache` is a known map.
fn js_map_receiver(ctx: &RuleContext<'_>, receiver: Node<'_>, maps: &HashSet<String>) -> bool {
    match receiver.kind_str() {
        "identifier" => maps.contains(ctx.text(receiver)),
        "member_expression" => {
            (receiver.field("object").is_some_and(|o| o.kind_str() == "this")
                && receiver
                    .field("property")
                    .is_some_and(|p| maps.contains(ctx.text(p))))
                // `cacheRef.current` of `useRef(new Map())`.
                || (receiver
                    .field("object")
                    .is_some_and(|o| o.kind_str() == "identifier")
                    && maps.contains(ctx.text(receiver)))
        }
        _ => false,
    }
}

/// `if (cache.has(key)) return cache.get(key).value;` — checked by hand.
fn map_checked_with_has(
    ctx: &RuleContext<'_>,
    language: Language,
    call: Node<'_>,
    receiver: Node<'_>,
) -> bool {
    let scope = ctx.enclosing_function(language, call).unwrap_or_else(|| {
        let mut top = call;
        while let Some(parent) = top.parent() {
            top = parent;
        }
        top
    });
    let needle = format!("{}.has(", ctx.text(receiver));
    ctx.text(scope).contains(&needle) || key_guarded(ctx, call)
}

/// `if (SECTION_TYPES.includes(commit.type)) groups.get(commit.type).push(c)`:
/// an enclosing condition tests the key itself (against the list the map was
/// built from, a set of known keys, …), which is the author's check.
fn key_guarded(ctx: &RuleContext<'_>, call: Node<'_>) -> bool {
    let Some(key) = call
        .field("arguments")
        .and_then(|a| a.named_child(0))
        .map(|k| ctx.text(k))
    else {
        return false;
    };
    // A literal key says nothing about a membership test that mentions it.
    if key.starts_with(['"', '\'', '`']) || key.len() < 2 {
        return false;
    }
    let mut child = call;
    while let Some(parent) = child.parent() {
        if matches!(parent.kind_str(), "if_statement" | "ternary_expression")
            && parent.field("condition").is_some_and(|c| {
                c.end_byte() <= child.start_byte() && tests_key_beyond_presence(ctx.text(c), key)
            })
        {
            return true;
        }
        if crate::syntax::is_js_function(parent) {
            return false;
        }
        child = parent;
    }
    false
}

/// Whether a condition tests the key for more than being set: `selectedId
/// ? byId.get(selectedId).price : 0` only knows that an id was chosen, not
/// that the map has it; `TYPES.includes(t) && …` is a membership test.
fn tests_key_beyond_presence(condition: &str, key: &str) -> bool {
    condition
        .split("&&")
        .flat_map(|part| part.split("||"))
        .filter(|part| part.contains(key))
        .any(|part| {
            let bare = part
                .trim()
                .trim_start_matches(['(', '!'])
                .trim_end_matches(')')
                .trim();
            let presence = bare == key
                || ["!= null", "!== null", "!= undefined", "!== undefined"]
                    .iter()
                    .any(|test| bare.strip_prefix(key).map(str::trim) == Some(*test));
            !presence
        })
}

// ----------------------------------------------------------------- Python

const MATCH_USES: &[&str] = &["group", "groups", "groupdict", "start", "end", "span"];

/// Request and environment mappings whose `.get` returns `None` for a
/// missing key.
const DICT_NAMES: &[&str] = &[
    "environ",
    "kwargs",
    "headers",
    "args",
    "form",
    "params",
    "query_params",
    "cookies",
    "GET",
    "POST",
    "META",
];

fn python_use(ctx: &RuleContext<'_>, node: Node<'_>, dicts: &HashSet<String>) -> Option<Lookup> {
    let (value, used) = match node.kind_str() {
        "attribute" => (
            node.field("object")?,
            Some(ctx.text(node.field("attribute")?)),
        ),
        "subscript" => (node.field("value")?, None),
        _ => return None,
    };
    if value.kind_str() != "call" {
        return None;
    }
    let function = value.field("function")?;
    let (receiver, method) = method_call(value)?;
    let method = ctx.text(method);
    let args = value.field("arguments")?;
    let call = format!("{}(…)", quote(ctx.text(function), 50));
    match method {
        "match" | "search" | "fullmatch" if used.is_none_or(|u| MATCH_USES.contains(&u)) => {
            Some(Lookup {
                call,
                missing: "None",
                failure: "raises `AttributeError: 'NoneType' object has no attribute …`",
                remedy: "store the match, check `if m is None:` and handle input that does not \
                         match (raise a `ValueError` that quotes the input, or skip it)",
            })
        }
        "first" | "last"
            if args.kind_str() == "argument_list"
                && args.named_child_count() == 0
                && used.is_some()
                && python_orm_query(ctx, receiver) =>
        {
            Some(Lookup {
                call,
                missing: "None",
                failure: "raises `AttributeError: 'NoneType' object has no attribute …` when no \
                          row matches",
                remedy: "store the row and check `if row is None:` (raise a not-found error that \
                         names the key), or use `.get(…)`/`.one()`/`get_object_or_404` when the \
                         row must exist",
            })
        }
        "get" if args.kind_str() == "argument_list" && single_positional(args) => {
            let last = match receiver.kind_str() {
                "attribute" => ctx.text(receiver.field("attribute")?),
                "identifier" => ctx.text(receiver),
                _ => return None,
            };
            // `mapping.get("partners").get(partner)`: a nested mapping read
            // by a literal key, whose inner `.get` shows it holds dicts.
            let nested = used == Some("get")
                && statements(args)
                    .next()
                    .is_some_and(|a| a.kind_str() == "string");
            // `registry.get(id)` compared with `None` elsewhere in the file:
            // the file itself says this `get` can miss.
            let checked_elsewhere = dicts
                .contains(&format!("{}{NULLABLE_GET}", ctx.text(receiver)))
                && !key_tested_in(ctx, value, receiver, args);
            let known = DICT_NAMES.contains(&last)
                || (receiver.kind_str() == "identifier" && dicts.contains(last))
                || nested
                || checked_elsewhere;
            known.then_some(Lookup {
                call,
                missing: "None",
                failure: "raises `AttributeError`/`TypeError` on `None`",
                remedy: "index with `[key]` when the key must exist (a `KeyError` names it), or \
                         check the result for `None` and handle the missing key",
            })
        }
        _ => None,
    }
}

/// `Customer.objects.filter(…)`, `session.query(User).filter(…)`,
/// `session.scalars(stmt)`: a Django or SQLAlchemy query, whose `.first()`
/// is `None` when no row matches.
fn python_orm_query(ctx: &RuleContext<'_>, receiver: Node<'_>) -> bool {
    let mut node = Some(receiver);
    let mut steps = 0;
    while let Some(n) = node {
        steps += 1;
        if steps > 32 {
            return false;
        }
        node = match n.kind_str() {
            "call" => n.field("function"),
            // `(await session.execute(stmt)).scalar_one_or_none()`
            "parenthesized_expression" | "await" => n.named_child(0),
            "attribute" => {
                let name = n.field("attribute").map(|a| ctx.text(a));
                let object = n.field("object");
                // `Model.objects.…`, `Model.query.…` (Flask-SQLAlchemy)
                let model = object.is_some_and(|o| {
                    o.kind_str() == "identifier"
                        && ctx.text(o).starts_with(|c: char| c.is_uppercase())
                });
                if (model && matches!(name, Some("objects" | "query")))
                    || (n.parent().is_some_and(|p| p.kind_str() == "call")
                        && matches!(name, Some("query" | "scalars" | "execute"))
                        && object.is_some_and(|o| ctx.text(o).ends_with("session")))
                {
                    return true;
                }
                object
            }
            _ => None,
        };
    }
    false
}

fn single_positional(args: Node<'_>) -> bool {
    let named: Vec<Node<'_>> = statements(args).collect();
    matches!(named.as_slice(), [only] if !matches!(
        only.kind_str(),
        "keyword_argument" | "list_splat" | "dictionary_splat"
    ))
}

/// Suffix of the entries of [`python_dicts`] that are not dict names but
/// receivers whose `.get(…)` the file compares with `None`
/// (`registry` → `"registry.get()"`, which no identifier can collide with).
const NULLABLE_GET: &str = ".get()";

/// `if device_id in registry:` (or `registry.has(…)`-style tests of the
/// key) in the enclosing function: the key was checked by hand.
fn key_tested_in(
    ctx: &RuleContext<'_>,
    call: Node<'_>,
    receiver: Node<'_>,
    args: Node<'_>,
) -> bool {
    let Some(key) = statements(args).next().map(|k| ctx.text(k)) else {
        return false;
    };
    let Some(function) = ctx.enclosing_function(Language::Python, call) else {
        return false;
    };
    let body = ctx.text(function);
    let receiver = ctx.text(receiver);
    body.contains(&format!("{key} in {receiver}"))
        || body.contains(&format!("{key} not in {receiver}"))
}

/// Receivers `r` of an `x = r.get(k)` that the file then compares with
/// `None` (`if x is None:`, `x is not None`, `x == None`), or of a direct
/// `r.get(k) is None`: the author knows this `get` returns `None` for a
/// missing key — whatever `r` is (a dict, a registry, a cache) — so an
/// unchecked `r.get(k).attr` elsewhere is the same miss, unhandled.
fn python_nullable_gets(ctx: &RuleContext<'_>, into: &mut HashSet<String>) {
    let single_get_receiver = |call: Node<'_>| -> Option<String> {
        if call.kind_str() != "call" {
            return None;
        }
        let (receiver, method) = method_call(call)?;
        let args = call.field("arguments")?;
        (ctx.text(method) == "get"
            && args.kind_str() == "argument_list"
            && single_positional(args)
            && matches!(receiver.kind_str(), "identifier" | "attribute"))
        .then(|| ctx.text(receiver).to_string())
    };
    let compares_with_none = |comparison: Node<'_>, subject: &dyn Fn(Node<'_>) -> bool| {
        comparison.kind_str() == "comparison_operator"
            && comparison.named_child_count() == 2
            && comparison.named_child(0).is_some_and(subject)
            && comparison
                .named_child(1)
                .is_some_and(|n| n.kind_str() == "none")
    };
    for node in ctx.nodes_in_order(&["assignment", "comparison_operator"]) {
        if node.kind_str() == "comparison_operator" {
            // `registry.get(k) is None`
            if let Some(first) = node.named_child(0)
                && compares_with_none(node, &|n| n.id() == first.id())
                && let Some(receiver) = single_get_receiver(first)
            {
                into.insert(format!("{receiver}{NULLABLE_GET}"));
            }
            continue;
        }
        let (Some(left), Some(right)) = (node.field("left"), node.field("right")) else {
            continue;
        };
        if left.kind_str() != "identifier" {
            continue;
        }
        let Some(receiver) = single_get_receiver(right) else {
            continue;
        };
        let name = ctx.text(left);
        let scope = ctx
            .enclosing_function(Language::Python, node)
            .or_else(|| ctx.root());
        let checked = scope.is_some_and(|scope| {
            preorder(scope).any(|n| {
                n.start_byte() > node.end_byte()
                    && compares_with_none(n, &|x| {
                        x.kind_str() == "identifier" && ctx.text(x) == name
                    })
            })
        });
        if checked {
            into.insert(format!("{receiver}{NULLABLE_GET}"));
        }
    }
}

/// Names assigned a `dict` in the file: `x = {…}`, `x = dict(…)`,
/// `x: dict[…] = …`, parameters annotated `dict[…]`/`Mapping[…]`; and the
/// receivers of [`python_nullable_gets`].
fn python_dicts(ctx: &RuleContext<'_>) -> HashSet<String> {
    let mut dicts = HashSet::new();
    python_nullable_gets(ctx, &mut dicts);
    for node in ctx.nodes_in_order(&["assignment"]) {
        let Some(left) = node.field("left") else {
            continue;
        };
        if left.kind_str() != "identifier" {
            continue;
        }
        let typed_dict = node.field("type").is_some_and(|t| {
            let t = ctx.text(t);
            t.starts_with("dict") || t.starts_with("Dict")
        });
        let dict_value = node.field("right").is_some_and(|r| {
            r.kind_str() == "dictionary"
                || (r.kind_str() == "call"
                    && r.field("function").is_some_and(|f| ctx.text(f) == "dict"))
        });
        if typed_dict || dict_value {
            dicts.insert(ctx.text(left).to_string());
        }
    }
    // Parameters annotated as mappings: `clubs: dict[str, Club]`.
    for parameter in ctx.nodes_in_order(&["typed_parameter", "typed_default_parameter"]) {
        let mapping = parameter.field("type").is_some_and(|t| {
            let t = ctx.text(t);
            let t = t.rsplit('.').next().unwrap_or(t);
            ["dict[", "Dict[", "Mapping[", "MutableMapping["]
                .iter()
                .any(|prefix| t.starts_with(prefix))
        });
        let name = parameter
            .field("name")
            .or_else(|| parameter.named_child(0))
            .filter(|n| n.kind_str() == "identifier");
        if let (true, Some(name)) = (mapping, name) {
            dicts.insert(ctx.text(name).to_string());
        }
    }
    dicts
}

// ------------------------------------------------------------------- Java

/// Calls whose result is an `Optional` by their well-known signatures.
/// WebFlux's `ServerRequest.queryParam(name)` is one too.
const OPTIONAL_SOURCES: &[&str] = &[
    "findFirst",
    "findAny",
    "findById",
    "ofNullable",
    "queryParam",
];

/// [`OPTIONAL_SOURCES`], and Spring Data's single-result finders
/// (`findByPlate`, `findOneByEmail`, `findFirstByOrderByCreatedAtDesc`,
/// `findTopBy…`): a zero-argument `.get()` on what they return is
/// `Optional.get` (a `List` has no such method).
fn returns_optional(method: &str) -> bool {
    OPTIONAL_SOURCES.contains(&method)
        || ["findBy", "findOneBy", "findFirstBy", "findTopBy"]
            .iter()
            .any(|prefix| {
                method
                    .strip_prefix(prefix)
                    .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()))
            })
}

fn java_get(ctx: &RuleContext<'_>, language: Language, node: Node<'_>) -> Option<Lookup> {
    if node.kind_str() != "method_invocation"
        || ctx.text(node.field("name")?) != "get"
        || node.field("arguments")?.named_child_count() != 0
    {
        return None;
    }
    let object = node.field("object")?;
    let call = match object.kind_str() {
        "method_invocation" => {
            let name = object.field("name")?;
            if !returns_optional(ctx.text(name)) {
                return None;
            }
            let callee = ctx.source.get(object.start_byte()..name.end_byte())?;
            // `items.stream().filter(…).findFirst` reads best from its end.
            if callee.chars().count() > 50 {
                format!("….{}(…)", ctx.text(name))
            } else {
                format!("{}(…)", quote(callee, 50))
            }
        }
        "identifier" => {
            let name = ctx.text(object);
            let method = ctx.enclosing_function(language, node)?;
            if !declares_optional(ctx, method, name) || checks_presence(ctx, method, name) {
                return None;
            }
            name.to_string()
        }
        _ => return None,
    };
    Some(Lookup {
        call,
        missing: "an empty Optional",
        failure: "throws `NoSuchElementException: No value present`",
        remedy: "use `orElseThrow(() -> new NotFoundException(\"… \" + id))` with a message \
                 that names what was missing, or `orElse`/`map`/`ifPresent`",
    })
}

/// `repo.findById(id).orElse(null).getName()`: a method call or field read
/// straight on `orElse(null)`, which turns the empty Optional into the very
/// `null` it dereferences.
fn java_or_else_null(ctx: &RuleContext<'_>, node: Node<'_>) -> Option<Lookup> {
    if !matches!(node.kind_str(), "method_invocation" | "field_access") {
        return None;
    }
    let object = node.field("object")?;
    if object.kind_str() != "method_invocation" || ctx.text(object.field("name")?) != "orElse" {
        return None;
    }
    let args = object.field("arguments")?;
    if args.named_child_count() != 1 || args.named_child(0)?.kind_str() != "null_literal" {
        return None;
    }
    let optional = object.field("object")?;
    let call = match optional.kind_str() {
        "method_invocation" => {
            let name = optional.field("name")?;
            let callee = ctx.source.get(optional.start_byte()..name.end_byte())?;
            if callee.chars().count() > 50 {
                format!("….{}(…).orElse(null)", ctx.text(name))
            } else {
                format!("{}(…).orElse(null)", quote(callee, 50))
            }
        }
        _ => format!("{}.orElse(null)", quote(ctx.text(optional), 40)),
    };
    Some(Lookup {
        call,
        missing: "null",
        failure: "throws a `NullPointerException`",
        remedy: "use `orElseThrow(() -> new NotFoundException(\"… \" + id))` with a message \
                 that names what was missing, or `map(…).orElse(default)`",
    })
}

/// A local variable or parameter of the method typed `Optional<…>`.
fn declares_optional(ctx: &RuleContext<'_>, method: Node<'_>, name: &str) -> bool {
    preorder(method).any(|n| {
        let declared = match n.kind_str() {
            "local_variable_declaration" => n.field("declarator").and_then(|d| d.field("name")),
            "formal_parameter" => n.field("name"),
            _ => None,
        };
        declared.is_some_and(|d| ctx.text(d) == name)
            && n.field("type").is_some_and(|t| {
                let t = ctx.text(t);
                t.starts_with("Optional<") || t.starts_with("java.util.Optional<")
            })
    })
}

fn checks_presence(ctx: &RuleContext<'_>, method: Node<'_>, name: &str) -> bool {
    preorder(method).any(|n| {
        n.kind_str() == "method_invocation"
            && n.field("object").is_some_and(|o| ctx.text(o) == name)
            && n.field("name")
                .is_some_and(|m| matches!(ctx.text(m), "isPresent" | "isEmpty"))
    })
}

/// Names of `Map`s the file declares as fields or parameters typed
/// `Map<…>`, `HashMap<…>`, `ConcurrentHashMap<…>`, …: maps filled elsewhere,
/// whose keys this method does not control. A local map is usually an index
/// the method just built from the same data (`Collectors.toMap`), so locals
/// only count as "another type" for the name. Each name must only ever be
/// declared as a map.
fn java_maps(ctx: &RuleContext<'_>) -> HashSet<String> {
    const MAP_TYPES: &[&str] = &[
        "Map",
        "HashMap",
        "LinkedHashMap",
        "TreeMap",
        "ConcurrentHashMap",
        "ConcurrentMap",
        "SortedMap",
        "NavigableMap",
        "EnumMap",
        "WeakHashMap",
    ];
    let mut maps = HashSet::new();
    let mut other = HashSet::new();
    let mut fields = HashSet::new();
    for node in ctx.nodes_in_order(&[
        "field_declaration",
        "local_variable_declaration",
        "formal_parameter",
    ]) {
        let Some((base, names)) = crate::syntax::java_declaration(node, ctx.source) else {
            continue;
        };
        let is_map = node
            .field("type")
            .is_some_and(|t| t.kind_str() == "generic_type")
            && MAP_TYPES.contains(&base)
            && node.kind_str() != "local_variable_declaration";
        for name in names {
            if is_map {
                maps.insert(name.to_string());
                if node.kind_str() == "field_declaration" {
                    fields.insert(name.to_string());
                }
            } else {
                other.insert(name.to_string());
            }
        }
    }
    maps.retain(|m| !other.contains(m));
    // Map fields, also recorded as `name` + JAVA_MAP_FIELD.
    let map_fields: Vec<String> = fields
        .into_iter()
        .filter(|f| maps.contains(f))
        .map(|f| format!("{f}{JAVA_MAP_FIELD}"))
        .collect();
    maps.extend(map_fields);
    maps
}

/// `queues.get(queue).getModel()`, `this.byId.get(id).name` on a declared
/// `Map`: `get` returns `null` for a missing key.
fn java_map_get(
    ctx: &RuleContext<'_>,
    language: Language,
    node: Node<'_>,
    maps: &HashSet<String>,
) -> Option<Lookup> {
    if node.kind_str() == "variable_declarator" {
        return java_unboxed_map_get(ctx, language, node, maps);
    }
    java_map_lookup(
        ctx,
        language,
        node.field("object")?,
        maps,
        "throws a `NullPointerException`",
    )
}

/// Suffix of the entries of [`java_maps`] that mark a map declared as a
/// field (`weights` → `"weights#field"`).
const JAVA_MAP_FIELD: &str = "#field";

/// `int weight = weights.get(section);`: a local of a primitive type
/// initialised from `get` on a map field. The compiler unboxes the
/// `Integer` (or `Long`, `Boolean`, …) it returns, so a missing key is a
/// `NullPointerException` on this line, even though nothing is dereferenced
/// in the source. Only fields count, not parameters: a map handed in
/// (`resolve(Map<TemporalField, Long> fieldValues, …)`) usually comes with
/// the caller's promise of which keys it holds. And a method that boxes
/// other lookups of the same map and tests them for `null`
/// (`Long year = m.get(YEAR); if (year == null) …`) has decided which keys
/// can be missing.
fn java_unboxed_map_get(
    ctx: &RuleContext<'_>,
    language: Language,
    declarator: Node<'_>,
    maps: &HashSet<String>,
) -> Option<Lookup> {
    let declaration = declarator
        .parent()
        .filter(|d| d.kind_str() == "local_variable_declaration")?;
    let primitive = declaration.field("type").is_some_and(|t| {
        matches!(
            t.kind_str(),
            "integral_type" | "floating_point_type" | "boolean_type"
        )
    });
    if !primitive {
        return None;
    }
    let value = declarator.field("value")?;
    let receiver = value.field("object")?;
    let name = match receiver.kind_str() {
        "identifier" => ctx.text(receiver),
        "field_access" => ctx.text(receiver.field("field")?),
        _ => return None,
    };
    let method = ctx.enclosing_function(language, declarator)?;
    let shadowed = preorder(method).any(|n| {
        matches!(n.kind_str(), "formal_parameter" | "variable_declarator")
            && n.field("name").is_some_and(|p| ctx.text(p) == name)
            && n.id() != declarator.id()
    });
    let body = ctx.text(method);
    let other_lookups_checked =
        body.matches(&format!("{name}.get(")).count() > 1 && body.contains("null");
    if !maps.contains(&format!("{name}{JAVA_MAP_FIELD}")) || shadowed || other_lookups_checked {
        return None;
    }
    java_map_lookup(
        ctx,
        language,
        value,
        maps,
        "throws a `NullPointerException` when the `null` is unboxed into a primitive",
    )
}

/// `get` is `map.get(key)` / `this.map.get(key)` on a declared map, not
/// guarded in the method.
fn java_map_lookup(
    ctx: &RuleContext<'_>,
    language: Language,
    get: Node<'_>,
    maps: &HashSet<String>,
    failure: &'static str,
) -> Option<Lookup> {
    if get.kind_str() != "method_invocation"
        || ctx.text(get.field("name")?) != "get"
        || get.field("arguments")?.named_child_count() != 1
    {
        return None;
    }
    let receiver = get.field("object")?;
    let name = match receiver.kind_str() {
        "identifier" => ctx.text(receiver),
        "field_access" if receiver.field("object")?.kind_str() == "this" => {
            ctx.text(receiver.field("field")?)
        }
        _ => return None,
    };
    if !maps.contains(name) {
        return None;
    }
    let key = ctx.text(get.field("arguments")?.named_child(0)?);
    let method = ctx.enclosing_function(language, get)?;
    if java_map_guarded(ctx, method, name, key) {
        return None;
    }
    Some(Lookup {
        call: format!("{}.get(…)", quote(ctx.text(receiver), 40)),
        missing: "null",
        failure,
        remedy: "check the entry for `null` and handle the missing key (throw an exception \
                 naming the key, or use `getOrDefault`/`computeIfAbsent`)",
    })
}

/// The method checks or fills the map itself, or iterates its keys.
fn java_map_guarded(ctx: &RuleContext<'_>, method: Node<'_>, name: &str, key: &str) -> bool {
    let body = ctx.text(method);
    [
        "containsKey(",
        "putIfAbsent(",
        "computeIfAbsent(",
        "compute(",
        "merge(",
        "put(",
        "keySet()",
        "entrySet()",
    ]
    .iter()
    .any(|m| body.contains(&format!("{name}.{m}")))
        // `if (map.get(k) == null)` / `map.get(k) != null` somewhere in the method.
        || body.contains(&format!("{name}.get({key}) == null"))
        || body.contains(&format!("{name}.get({key}) != null"))
        || body.contains(&format!("null == {name}.get({key})"))
        || body.contains(&format!("null != {name}.get({key})"))
}

/// `Yacht yacht = Yacht.findById(id);` then `yacht.homeMarina`, `Technician
/// t = mapper.findSupervisor(siteId);` then `t.level()`, `Chemical c =
/// chemicals.get(code);` then `c.preHarvestDays()`: a lookup that returns
/// `null` when nothing matches, kept in a local whose first use after the
/// lookup dereferences it — no `if (x == null)`, `Objects.requireNonNull`
/// or hand-off first.
fn java_stored_lookups(ctx: &RuleContext<'_>, maps: &HashSet<String>, out: &mut Vec<Finding>) {
    let mappers = java_mybatis_mappers(ctx);
    for declaration in ctx.nodes_in_order(&["local_variable_declaration"]) {
        let Some(ty) = declaration.field("type") else {
            continue;
        };
        // One object, not a collection, `Optional` or primitive.
        if !matches!(ty.kind_str(), "type_identifier" | "scoped_type_identifier")
            || matches!(ctx.text(ty).rsplit('.').next(), Some("Optional" | "String"))
        {
            continue;
        }
        let mut cursor = declaration.walk();
        let declarators: Vec<Node<'_>> = declaration
            .children_by_field_name("declarator", &mut cursor)
            .collect();
        let [declarator] = declarators.as_slice() else {
            continue;
        };
        let (Some(target), Some(value)) = (declarator.field("name"), declarator.field("value"))
        else {
            continue;
        };
        if value.kind_str() != "method_invocation" {
            continue;
        }
        let Some(method) = ctx.enclosing_function(Language::Java, declaration) else {
            continue;
        };
        let lookup = java_row_lookup(ctx, value, &mappers)
            .or_else(|| java_stored_map_get(ctx, method, *declarator, value, maps));
        let Some(lookup) = lookup else {
            continue;
        };
        let name = ctx.text(target);
        let after = declarator.end_byte();
        let Some(first) = preorder(method).find(|n| {
            n.start_byte() >= after && n.kind_str() == "identifier" && ctx.text(*n) == name
        }) else {
            continue;
        };
        let Some(parent) = ctx.parent(first) else {
            continue;
        };
        let dereferenced = matches!(parent.kind_str(), "method_invocation" | "field_access")
            && parent.field("object") == Some(first);
        if dereferenced {
            out.push(report(ctx, parent, &lookup));
        }
    }
}

/// Lookups of one row that return `null` when it does not exist: Panache's
/// static `Entity.findById(id)` and `….firstResult()`, JPA's
/// `em.find(Entity.class, id)`, and a MyBatis mapper's single-row
/// `findX(…)`/`selectX(…)` (a field or parameter typed `…Mapper`).
fn java_row_lookup(
    ctx: &RuleContext<'_>,
    call: Node<'_>,
    mappers: &HashSet<String>,
) -> Option<Lookup> {
    let method = ctx.text(call.field("name")?);
    let args = call.field("arguments")?;
    let receiver = call.field("object")?;
    let receiver_text = ctx.text(receiver);
    let pascal = receiver.kind_str() == "identifier"
        && receiver_text.starts_with(|c: char| c.is_ascii_uppercase())
        && receiver_text.chars().any(|c| c.is_ascii_lowercase());
    let receiver_name = match receiver.kind_str() {
        "identifier" => receiver_text,
        "field_access" if receiver.field("object")?.kind_str() == "this" => {
            ctx.text(receiver.field("field")?)
        }
        _ => "",
    };
    let single_row_name = |prefix: &str| {
        method
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()))
    };
    let found = match method {
        "findById" => pascal && args.named_child_count() == 1,
        "firstResult" => args.named_child_count() == 0,
        "find" => {
            args.named_child_count() == 2
                && args
                    .named_child(0)
                    .is_some_and(|a| a.kind_str() == "class_literal")
        }
        _ => {
            (mappers.contains(receiver_name)
                && (single_row_name("find") || single_row_name("select"))
                && !method.contains("OrThrow"))
                // A Spring Data derived finder declared to return the
                // entity itself (kept in a local of that type, not an
                // `Optional`) returns `null` when no row matches.
                || (["findBy", "findFirstBy", "findTopBy", "findOneBy"]
                    .iter()
                    .any(|p| single_row_name(p))
                    && java_repository_names(ctx).contains(receiver_name))
        }
    };
    found.then(|| Lookup {
        call: format!(
            "{}(…)",
            quote(
                ctx.source
                    .get(
                        call.start_byte()
                            ..call.field("name").map_or(call.end_byte(), |n| n.end_byte())
                    )
                    .unwrap_or(method),
                50
            )
        ),
        missing: "null",
        failure: "throws a `NullPointerException` (a 500 instead of a 404)",
        remedy: "check the result for `null` and throw a not-found exception that names the \
                 key, or return an `Optional` from the lookup and `orElseThrow` it",
    })
}

/// Names of fields and parameters typed as a Spring Data repository
/// (`…Repository`).
fn java_repository_names(ctx: &RuleContext<'_>) -> HashSet<String> {
    let mut names = HashSet::new();
    for node in ctx.nodes_in_order(&["field_declaration", "formal_parameter"]) {
        let Some((base, declared)) = crate::syntax::java_declaration(node, ctx.source) else {
            continue;
        };
        if base.ends_with("Repository") {
            names.extend(declared.into_iter().map(str::to_string));
        }
    }
    names
}

/// Names of fields and parameters typed as a MyBatis mapper (`…Mapper`, not
/// Jackson's `ObjectMapper`/`JsonMapper`/… or ModelMapper).
fn java_mybatis_mappers(ctx: &RuleContext<'_>) -> HashSet<String> {
    let mut mappers = HashSet::new();
    for node in ctx.nodes_in_order(&["field_declaration", "formal_parameter"]) {
        let Some((base, names)) = crate::syntax::java_declaration(node, ctx.source) else {
            continue;
        };
        let mapper = base.len() > "Mapper".len()
            && base.ends_with("Mapper")
            && ![
                "Object", "Json", "Xml", "YAML", "Yaml", "Csv", "Model", "Row",
            ]
            .iter()
            .any(|other| base.ends_with(&format!("{other}Mapper")));
        if mapper
            && node
                .field("type")
                .is_some_and(|t| t.kind_str() == "type_identifier")
        {
            mappers.extend(names.into_iter().map(str::to_string));
        }
    }
    mappers
}

/// `Chemical c = chemicals.get(code);` on a map field (see
/// [`java_unboxed_map_get`] for why only fields), in a method that does not
/// guard the map.
fn java_stored_map_get(
    ctx: &RuleContext<'_>,
    method: Node<'_>,
    declarator: Node<'_>,
    value: Node<'_>,
    maps: &HashSet<String>,
) -> Option<Lookup> {
    let receiver = value.field("object")?;
    let name = match receiver.kind_str() {
        "identifier" => ctx.text(receiver),
        "field_access" => ctx.text(receiver.field("field")?),
        _ => return None,
    };
    let shadowed = preorder(method).any(|n| {
        matches!(n.kind_str(), "formal_parameter" | "variable_declarator")
            && n.field("name").is_some_and(|p| ctx.text(p) == name)
            && n.id() != declarator.id()
    });
    if !maps.contains(&format!("{name}{JAVA_MAP_FIELD}")) || shadowed {
        return None;
    }
    java_map_lookup(
        ctx,
        Language::Java,
        value,
        maps,
        "throws a `NullPointerException`",
    )
}

// --------------------------------------------------------------------- Go

/// Marks a struct field's name among the names of `go_pointer_maps`.
const GO_FIELD: &str = "#field";
/// Marks a struct field declared with another type than a map of pointers.
const GO_OTHER: &str = "#other";

/// Names the file declares as a map whose values are pointers
/// (`map[string]*Item`): struct fields, parameters, `var`s and `:=` of
/// `make(map[…]*…)` or a map literal. A name also declared with another type
/// is dropped.
fn go_pointer_maps(ctx: &RuleContext<'_>) -> HashSet<String> {
    let mut maps = HashSet::new();
    let mut other = HashSet::new();
    // Struct fields are kept apart (`judges{GO_FIELD}`): a parameter
    // `judges []Judge` does not make the field `s.judges` something else.
    let mut record = |name: &str, ty: Option<Node<'_>>, field: bool| {
        let pointer_map = ty.is_some_and(|t| {
            t.kind_str() == "map_type"
                && t.field("value")
                    .is_some_and(|v| v.kind_str() == "pointer_type")
        });
        let key = if field {
            format!("{name}{GO_FIELD}")
        } else {
            name.to_string()
        };
        if pointer_map {
            maps.insert(key);
        } else {
            other.insert(key);
        }
    };
    for node in ctx.nodes_in_order(&[
        "field_declaration",
        "parameter_declaration",
        "var_spec",
        "short_var_declaration",
    ]) {
        if node.kind_str() == "short_var_declaration" {
            let (Some(left), Some(right)) = (node.field("left"), node.field("right")) else {
                continue;
            };
            for (name, value) in statements(left).zip(statements(right)) {
                let ty = match value.kind_str() {
                    "composite_literal" => value.field("type"),
                    "call_expression"
                        if value
                            .field("function")
                            .is_some_and(|f| ctx.text(f) == "make") =>
                    {
                        value.field("arguments").and_then(|a| a.named_child(0))
                    }
                    _ => None,
                };
                record(ctx.text(name), ty, false);
            }
            continue;
        }
        let ty = node.field("type");
        let field = node.kind_str() == "field_declaration";
        let mut cursor = node.walk();
        for name in node.children_by_field_name("name", &mut cursor) {
            record(ctx.text(name), ty, field);
        }
    }
    maps.retain(|m| !other.contains(m));
    for name in other.iter().filter(|n| n.ends_with(GO_FIELD)) {
        if !maps.contains(name) {
            maps.insert(format!("{name}{GO_OTHER}"));
        }
    }
    maps
}

/// `s.catalog[sku].MaxPerOrder` where `catalog` is a `map[K]*V`: a missing
/// key yields `nil` and the field read panics.
fn go_pointer_map_field(
    ctx: &RuleContext<'_>,
    language: Language,
    node: Node<'_>,
    maps: &HashSet<String>,
) -> Option<Lookup> {
    let index = node.field("operand")?;
    if index.kind_str() != "index_expression" {
        return None;
    }
    // `m[k].Method()`: a pointer-receiver method may accept a nil receiver.
    if node
        .parent()
        .is_some_and(|p| p.kind_str() == "call_expression" && p.field("function") == Some(node))
    {
        return None;
    }
    let map = index.field("operand")?;
    let known = match map.kind_str() {
        "identifier" => maps.contains(ctx.text(map)),
        "selector_expression" => {
            let name = ctx.text(map.field("field")?);
            let field = format!("{name}{GO_FIELD}");
            // A field of another type is not the parameter of that name.
            maps.contains(&field)
                || (!maps.contains(&format!("{field}{GO_OTHER}")) && maps.contains(name))
        }
        _ => return None,
    };
    if !known {
        return None;
    }
    let map_text = ctx.text(map);
    let key_text = ctx.text(index.field("index")?);
    let function = ctx.enclosing_function(language, node)?;
    if go_map_guarded(ctx, function, map_text, key_text, node) {
        return None;
    }
    Some(Lookup {
        call: format!("{}[…]", quote(map_text, 50)),
        missing: "nil",
        failure: "panics with a nil pointer dereference",
        remedy: "read it with `v, ok := m[key]` and handle a missing key (return an error \
                 naming the key), or check `v == nil`",
    })
}

/// The function reads the map with `, ok`, compares an entry with `nil`, or
/// the access sits in a `for k := range m` over the same map with the same
/// key.
fn go_map_guarded(
    ctx: &RuleContext<'_>,
    function: Node<'_>,
    map_text: &str,
    key_text: &str,
    access: Node<'_>,
) -> bool {
    let checked = preorder(function).any(|n| {
        if n.kind_str() != "index_expression"
            || n.field("operand").is_none_or(|o| ctx.text(o) != map_text)
        {
            return false;
        }
        let Some(parent) = n.parent() else {
            return false;
        };
        match parent.kind_str() {
            "binary_expression" => ctx.text(parent).contains("nil"),
            "expression_list" => parent.parent().is_some_and(|stmt| {
                matches!(
                    stmt.kind_str(),
                    "short_var_declaration" | "assignment_statement"
                ) && stmt.field("right") == Some(parent)
                    && stmt
                        .field("left")
                        .is_some_and(|l| l.named_child_count() == 2)
            }),
            _ => false,
        }
    });
    if checked {
        return true;
    }
    let mut current = access.parent();
    while let Some(n) = current {
        if n == function {
            break;
        }
        if n.kind_str() == "for_statement" {
            let mut cursor = n.walk();
            let range = n
                .named_children(&mut cursor)
                .find(|c| c.kind_str() == "range_clause");
            if let Some(range) = range
                && range
                    .field("right")
                    .is_some_and(|r| ctx.text(r) == map_text)
                && range
                    .field("left")
                    .and_then(|l| l.named_child(0))
                    .is_some_and(|k| ctx.text(k) == key_text)
            {
                return true;
            }
        }
        current = n.parent();
    }
    false
}

fn report(ctx: &RuleContext<'_>, node: Node<'_>, found: &Lookup) -> Finding {
    let Lookup {
        call,
        missing,
        failure,
        remedy,
    } = found;
    let used = quote(ctx.text(node), 70);
    let in_symbol = symbol_suffix(ctx.symbol_for(node).as_deref());
    ctx.node_finding(&META, node)
        .title(if call.ends_with(')') {
            format!("`{call}` may return {missing}, used without a check")
        } else {
            format!("`{call}` may be {missing}, used without a check")
        })
        .message(format!(
            "`{call}` {} {missing} when nothing is found, and `{used}` uses the value \
             directly: the first time the lookup misses, this line {failure} that says nothing \
             about what was missing.\n\nInstead, {remedy}.",
            if call.ends_with(')') { "returns" } else { "is" }
        ))
        .symptom(format!(
            "`{used}`{in_symbol} uses the result of `{call}` without handling {missing}."
        ))
        .root_cause(
            "The code assumes the lookup always succeeds; the case where it finds nothing was \
             never designed.",
        )
        .fix(format!(
            "Decide what a missing result means here, then {remedy}. The error, if any, must \
             name the key or selector that was not found."
        ))
        .scope(
            "Change only this lookup and the code that uses its result. Do not change the \
             lookup's arguments or the data it searches, and do not change behaviour when the \
             value is found.",
        )
        .build()
}
