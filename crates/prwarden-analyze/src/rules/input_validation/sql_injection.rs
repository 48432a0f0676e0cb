//! `input-validation/sql-injection`: SQL text built from values and passed to a query call.
//!
//! ## What it does
//! Finds a query call whose SQL text is assembled at run time with a value
//! that is not a constant:
//! - JavaScript/TypeScript: a template literal or `+` concatenation passed to
//!   `.query`, `.execute`, `knex.raw`/`whereRaw`/`orderByRaw`…,
//!   Sequelize's `Sequelize.literal`,
//!   `prisma.$queryRawUnsafe`/`$executeRawUnsafe`, `sql.unsafe`, and
//!   `exec`/`run`/`all`/`get`/`prepare` on a database-named receiver;
//! - Python: an f-string, `%` formatting, `.format()` or `+` passed to
//!   `execute`/`executemany`/`executescript`, Django `.raw`, SQLAlchemy
//!   `text(…)`/`exec_driver_sql`, pandas `read_sql`, and asyncpg
//!   `fetch`/`fetchrow`/`fetchval` (`databases`' `fetch_all`/`fetch_one`/
//!   `fetch_val`) on a database-named receiver (`self.pool`, `conn`, `db`);
//! - Go: `fmt.Sprintf` or `+` passed to `Query`/`QueryRow`/`Exec` (and their
//!   `Context` variants), `Prepare`, sqlx `Select`/`Get`, gorm `Raw`; and a
//!   request value passed directly to gorm's `Order`/`Group`/`Having`
//!   (`db.Order(c.Query("sort"))`), which paste their argument into the SQL;
//! - Rust: `format!` passed to `sqlx::query`/`query_as`/`query_scalar`/`raw_sql`
//!   (turbofish forms `query_as::<_, T>(…)` included),
//!   `client.execute`/`query`/`batch_execute`, diesel `sql_query`;
//! - Java: `+` concatenation, `String.format` or `.formatted` passed to
//!   `executeQuery`/`executeUpdate`/`execute`/`addBatch`/`prepareStatement`,
//!   `jdbcTemplate.query*`/`update`, `entityManager.createQuery`/`createNativeQuery`,
//!   Spring's `DatabaseClient`/`JdbcClient` `sql(…)`, JDBI `createUpdate`;
//!   `JpaSort.unsafe(…)` given a variable (it pastes JPQL into `ORDER BY`
//!   unchecked); and MyBatis `@Select`/`@Update`/`@Insert`/`@Delete` statements that
//!   substitute a parameter with `${…}` instead of binding it with `#{…}`.
//!
//! The text must look like SQL (`SELECT … FROM`, `INSERT INTO`, `UPDATE … SET`,
//! `DELETE FROM`, `WHERE`, …) and may be held in a local variable first. The
//! finding is an **error** when a spliced value is request data in the same
//! handler (`req.query`, `req.params`, `req.body`, a TypeScript parameter
//! typed `FormData` such as a Next.js server action's, Flask `request.args`,
//! Tornado `self.get_argument(…)`/`self.get_query_argument(…)`,
//! FastAPI route parameters, Go `r.URL.Query()`/`r.FormValue`/gin `c.Query`,
//! Spring `@RequestParam`/`@PathVariable`, axum/actix `Path`/`Query`/`Json`
//! extractors, and locals assigned from them, also through calls that
//! reshape a string without restricting it: `strings.TrimSpace`,
//! `filepath.Join`, `path.join`, `decodeURIComponent`, `.trim()`,
//! `.lower()`, …), a **warning** otherwise.
//!
//! Not reported: parameterised queries (placeholders plus a values argument),
//! Prisma `$queryRaw` and `sql` tagged templates (they bind their values),
//! constants (`ALL_CAPS` names, literals), generated placeholder lists
//! (`ids.map(() => "?")`, `",".join(["%s"] * len(ids))`, `.length`), and
//! unless they come from the request, values named as SQL fragments the code
//! composes itself (`placeholders`, `whereClause`, `conditions`, `columns`,
//! `tableName`, …; not inside a quoted SQL string, where any value is data)
//! and values in a table-name position (`FROM ${table}`):
//! identifiers cannot be bound, and code composing its own table names is
//! not injectable by itself. Strings built with `+=` across statements are not
//! followed.
//!
//! ## Why is this bad?
//! A value pasted into SQL text becomes SQL: `' OR '1'='1` reads every row,
//! `'; DROP TABLE users; --` destroys them. Escaping by hand always misses a
//! case; the driver's placeholders send the value separately from the query,
//! so it can never change the query's meaning.
//!
//! ## Example
//! ```ts
//! const { email } = req.query;
//! const result = await pool.query(`SELECT * FROM users WHERE email = '${email}'`);
//! ```
//!
//! Use instead:
//! ```ts
//! const { email } = req.query;
//! const result = await pool.query("SELECT * FROM users WHERE email = $1", [email]);
//! ```

use tree_sitter::Node;

use crate::syntax::NodeExt as _;

use super::built::{
    BuiltString, RequestData, Value, call_kinds, call_parts, name_has_word, resolve, root_name,
};
use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::{Rule, quote};
use crate::syntax::identifier_words;

pub static META: RuleMeta = RuleMeta {
    id: "input-validation/sql-injection",
    item: ChecklistItem::InputValidation,
    severity: Severity::Warning,
    languages: &[
        Language::TypeScript,
        Language::Tsx,
        Language::JavaScript,
        Language::Python,
        Language::Go,
        Language::Rust,
        Language::Java,
    ],
    summary: "SQL text built by concatenation, template or format string and passed to a query call",
};

pub struct SqlInjection;

impl Rule for SqlInjection {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let (Some(_), Some(language)) = (ctx.root(), ctx.language) else {
            return;
        };
        if language == Language::Java {
            mybatis_substitutions(ctx, out);
            unsafe_jpa_sorts(ctx, out);
        }
        for node in ctx.nodes_in_order(call_kinds(language)) {
            if language == Language::Go
                && let Some(finding) = gorm_clause_from_request(ctx, node)
            {
                out.push(finding);
                continue;
            }
            let Some(sink) = sink(ctx, language, node) else {
                continue;
            };
            let mut cursor = sink.args.walk();
            let args: Vec<Node<'_>> = sink.args.named_children(&mut cursor).collect();
            for arg in args {
                let Some(built) = resolve(ctx, language, arg) else {
                    continue;
                };
                if !(sink.fragment || looks_like_sql(&built.literal)) {
                    continue;
                }
                if let Some(finding) = report(ctx, language, node, &sink, &built) {
                    out.push(finding);
                }
                break;
            }
        }
    }
}

/// GORM's `db.Order(c.DefaultQuery("sort", "created_at desc"))` (also
/// `Group`, `Having`): a clause method that pastes its string argument into
/// the SQL as is, given a request value directly.
fn gorm_clause_from_request(ctx: &RuleContext<'_>, node: Node<'_>) -> Option<Finding> {
    let (receiver, method, args) = call_parts(Language::Go, node)?;
    let method = ctx.text(method);
    if receiver.is_none()
        || !matches!(method, "Order" | "Group" | "Having")
        || args.named_child_count() != 1
        || !ctx.source.contains("gorm.io/gorm")
    {
        return None;
    }
    let arg = args.named_child(0)?;
    let value = ctx.text(arg);
    if !RequestData::for_node(ctx, Language::Go, node).contains(ctx, Language::Go, value) {
        return None;
    }
    let shown = quote(value, 60);
    let mut finding = ctx
        .node_finding(&META, arg)
        .title(format!(
            "SQL injection: request value `{shown}` passed to GORM `{method}`"
        ))
        .message(format!(
            "GORM's `{method}` pastes its string argument into the SQL text as is; `{shown}` \
             comes from the request, so whoever sends it writes that part of the query \
             (`id; DROP TABLE …`, a subquery that reads other tables).\n\nMap the request \
             value through a fixed allow-list of columns and directions, e.g. \
             `map[string]string{{\"newest\": \"created_at desc\"}}`, and pass only the \
             mapped constant."
        ))
        .symptom(format!(
            "A request value reaches GORM's `{method}` clause unchecked."
        ))
        .root_cause("A clause that cannot bind parameters was given request text.")
        .fix(
            "Accept only known values (an allow-list of columns and directions) and pass the \
             constant from the list; answer 400 for anything else.",
        )
        .scope("Change only how this clause's value is chosen.")
        .build();
    finding.severity = Severity::Error;
    Some(finding)
}

/// MyBatis statements in annotations (`@Select`, `@Update`, `@Insert`,
/// `@Delete`) that paste a parameter with `${…}` — string substitution —
/// instead of binding it with `#{…}`.
fn mybatis_substitutions(ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    for annotation in ctx.nodes_in_order(&["annotation"]) {
        let Some(name) = annotation.field("name").map(|n| ctx.text(n)) else {
            continue;
        };
        if !matches!(name, "Select" | "Update" | "Insert" | "Delete") {
            continue;
        }
        let Some(arguments) = annotation.field("arguments") else {
            continue;
        };
        let Some(literal) = crate::syntax::preorder(arguments)
            .filter(|n| n.kind_str() == "string_literal")
            .find(|n| ctx.text(*n).contains("${"))
        else {
            continue;
        };
        let text = ctx.text(literal);
        let Some(start) = text.find("${") else {
            continue;
        };
        let parameter = text[start + 2..].split('}').next().unwrap_or("");
        if !looks_like_sql(text) {
            continue;
        }
        let code = format!("@{name} ${{{parameter}}}");
        out.push(
            ctx.finding(&META, ctx.line(literal), ctx.symbol_for(annotation), &code)
                .title(format!(
                    "SQL built from `${{{parameter}}}` in a MyBatis `@{name}` instead of a bound parameter"
                ))
                .message(format!(
                    "MyBatis pastes `${{{parameter}}}` into the SQL text as it is; `#{{{parameter}}}` \
                     would bind it as a parameter. Whoever controls the value controls the query \
                     (`' OR '1'='1`, a `UNION SELECT`, a `; DROP TABLE`).\n\nUse `#{{{parameter}}}`; \
                     for a `LIKE`, bind the pattern (`LIKE CONCAT('%', #{{{parameter}}}, '%')`); \
                     for a column or sort order, map the value through an allow-list first."
                ))
                .symptom(format!(
                    "The MyBatis `@{name}` statement substitutes `${{{parameter}}}` into its SQL."
                ))
                .root_cause(
                    "`${…}` is text substitution in MyBatis; only `#{…}` becomes a bound \
                     parameter.",
                )
                .fix(format!(
                    "Replace `${{{parameter}}}` with `#{{{parameter}}}` (building `LIKE` \
                     patterns in SQL with `CONCAT`), or validate it against a fixed list \
                     when it names an identifier."
                ))
                .scope("Change only this statement's SQL and, if needed, how the parameter is passed.")
                .build(),
        );
    }
}

/// `JpaSort.unsafe(direction, sort)`: Spring Data pastes the given
/// properties into the JPQL `ORDER BY` as they are (that is what "unsafe"
/// means), so a variable there is a JPQL fragment from whoever supplied it.
/// Constants (`ALL_CAPS`, literals, `Sort.Direction.ASC`) are fine.
fn unsafe_jpa_sorts(ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    for call in ctx.nodes_in_order(&["method_invocation"]) {
        let is_unsafe_sort = call.field("name").is_some_and(|n| ctx.text(n) == "unsafe")
            && call
                .field("object")
                .is_some_and(|o| ctx.text(o).rsplit('.').next() == Some("JpaSort"));
        if !is_unsafe_sort {
            continue;
        }
        let Some(args) = call.field("arguments") else {
            continue;
        };
        let mut cursor = args.walk();
        let Some(variable) = args.named_children(&mut cursor).find(|a| {
            let text = ctx.text(*a);
            a.kind_str() == "identifier"
                && !text
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit())
        }) else {
            continue;
        };
        let name = ctx.text(variable);
        let code = quote(ctx.text(call), 80);
        out.push(
            ctx.node_finding(&META, call)
                .title(format!("`JpaSort.unsafe` orders by `{name}` unchecked"))
                .message(format!(
                    "`{code}` puts `{name}` into the JPQL `ORDER BY` as written: `unsafe` skips                      Spring Data's check that it names a property of the entity. Whoever                      supplies `{name}` can inject JPQL (functions, sub-selects) into the query.\n\n                     Map `{name}` through an allow-list of sortable properties and use                      `Sort.by(…)`, which rejects unknown properties."
                ))
                .symptom(format!("`JpaSort.unsafe` receives the variable `{name}`."))
                .root_cause(
                    "`JpaSort.unsafe` accepts arbitrary JPQL expressions and does not                      validate them.",
                )
                .fix(format!(
                    "Check `{name}` against a fixed set of sortable properties and build the                      order with `Sort.by(direction, property)`."
                ))
                .scope("Change only how this sort is built; keep the paging and the query.")
                .build(),
        );
    }
}

struct Sink<'t> {
    method: String,
    args: Node<'t>,
    /// A method that takes a raw SQL fragment (`whereRaw`), not a statement.
    fragment: bool,
}

/// Method names that only ever take SQL.
fn is_query_method(language: Language, name: &str) -> bool {
    match language {
        Language::TypeScript | Language::Tsx | Language::JavaScript => matches!(
            name,
            "query" | "execute" | "$queryRawUnsafe" | "$executeRawUnsafe" | "unsafe"
        ),
        Language::Python => matches!(
            name,
            "execute"
                | "executemany"
                | "executescript"
                | "raw"
                | "text"
                | "exec_driver_sql"
                | "read_sql"
                | "read_sql_query"
        ),
        Language::Go => matches!(
            name,
            "Query"
                | "QueryRow"
                | "Exec"
                | "QueryContext"
                | "QueryRowContext"
                | "ExecContext"
                | "Prepare"
                | "PrepareContext"
                | "Raw"
                | "Select"
                | "Get"
                | "Queryx"
                | "QueryRowx"
        ),
        Language::Rust => matches!(
            name,
            "query"
                | "query_as"
                | "query_scalar"
                | "execute"
                | "batch_execute"
                | "query_one"
                | "query_opt"
                | "prepare"
                | "raw_sql"
                | "sql_query"
                | "simple_query"
        ),
        Language::Java => matches!(
            name,
            "executeQuery"
                | "executeUpdate"
                | "executeLargeUpdate"
                | "execute"
                | "addBatch"
                | "prepareStatement"
                | "prepareCall"
                | "query"
                | "queryForObject"
                | "queryForList"
                | "queryForMap"
                | "queryForRowSet"
                | "update"
                | "batchUpdate"
                | "createQuery"
                | "createNativeQuery"
                | "createSQLQuery"
                // Spring's R2DBC `DatabaseClient`/`JdbcClient` `sql(…)`,
                // JDBI's `handle.createUpdate(…)`.
                | "sql"
                | "createUpdate"
        ),
        Language::Sql => false,
    }
}

fn sink<'t>(ctx: &RuleContext<'_>, language: Language, node: Node<'t>) -> Option<Sink<'t>> {
    let (receiver, method, args) = call_parts(language, node)?;
    // A tagged template (`sql\`…\``) binds its values.
    if !matches!(args.kind_str(), "arguments" | "argument_list") {
        return None;
    }
    let method = ctx.text(method);
    let receiver_words = receiver
        .map(|r| identifier_words(ctx.text(r)))
        .unwrap_or_default();
    let db_receiver = receiver_words.iter().any(|w| {
        matches!(
            w.as_str(),
            "db" | "database"
                | "sqlite"
                | "sql"
                | "conn"
                | "connection"
                | "client"
                | "pool"
                | "knex"
                | "tx"
                | "trx"
                | "transaction"
                | "pg"
                | "sequelize"
        )
    });
    let js = language.is_js_family();
    let fragment = js
        && matches!(
            method,
            "raw"
                | "whereRaw"
                | "orWhereRaw"
                | "orderByRaw"
                | "havingRaw"
                | "joinRaw"
                | "selectRaw"
        )
        // Sequelize's `Sequelize.literal(…)` / `sequelize.literal(…)`: SQL
        // pasted into the generated query as is.
        || (js
            && method == "literal"
            && receiver_words.iter().any(|w| w == "sequelize"));
    let ambiguous = (js && matches!(method, "exec" | "run" | "all" | "get" | "prepare"))
        // asyncpg's `pool.fetch(…)`/`fetchrow`/`fetchval`, `databases`'
        // `database.fetch_all(…)`.
        || (language == Language::Python
            && matches!(
                method,
                "fetch" | "fetchrow" | "fetchval" | "fetch_all" | "fetch_one" | "fetch_val"
            ));
    let ok = fragment
        || (ambiguous && db_receiver)
        || (is_query_method(language, method) && (receiver.is_some() || bare_ok(language, method)));
    ok.then(|| Sink {
        method: method.to_string(),
        args,
        fragment,
    })
}

/// Functions called without a receiver that are still query calls
/// (`query(sql)` imported from a db module, SQLAlchemy `text(…)`).
fn bare_ok(language: Language, method: &str) -> bool {
    match language {
        Language::Python => matches!(method, "text" | "read_sql" | "read_sql_query"),
        Language::Rust => true,
        l if l.is_js_family() => matches!(method, "query" | "execute"),
        _ => false,
    }
}

/// SQL statements and clauses, by their keywords.
fn looks_like_sql(literal: &str) -> bool {
    let words: Vec<String> = literal
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    let has = |w: &str| words.iter().any(|x| x == w);
    // String prefixes (`f"…"`, `r#"…"`) are not words of the statement.
    let mut statement = words
        .iter()
        .map(String::as_str)
        .skip_while(|w| matches!(*w, "f" | "r" | "b" | "rb" | "br" | "fr" | "rf" | "u"));
    let first = statement.next();
    let second = statement.next();
    // `SET search_path TO tenant_x`, `SET LOCAL app.user_id = …`, `SET ROLE …`:
    // session statements, which take no bound parameters at all.
    let set_statement = first == Some("set")
        && (has("to")
            || literal.contains('=')
            || matches!(second, Some("local" | "session" | "role")));
    let schema_ddl = (has("create") || has("drop") || has("alter"))
        && (has("schema") || has("database"))
        && matches!(first, Some("create" | "drop" | "alter"));
    set_statement
        || schema_ddl
        || (has("select") && has("from"))
        || (has("insert") && has("into"))
        || (has("update") && has("set"))
        || (has("delete") && has("from"))
        || ((has("create") || has("drop") || has("alter") || has("truncate")) && has("table"))
        || has("where")
}

/// Names of SQL fragments the code composes itself.
const FRAGMENT_WORDS: &[&str] = &[
    "placeholder",
    "placeholders",
    "clause",
    "clauses",
    "where",
    "conditions",
    "condition",
    "columns",
    "column",
    "cols",
    "fields",
    "table",
    "tables",
    "schema",
    "sql",
    "fragment",
    "joins",
    "sets",
    "assignments",
];

fn report(
    ctx: &RuleContext<'_>,
    language: Language,
    call: Node<'_>,
    sink: &Sink<'_>,
    built: &BuiltString<'_>,
) -> Option<Finding> {
    let request = RequestData::for_node(ctx, language, call);
    let from_request: Vec<Value<'_>> = built
        .values
        .iter()
        .copied()
        .filter(|v| request.contains(ctx, language, v.text(ctx)))
        .collect();
    let others: Vec<Value<'_>> = built
        .values
        .iter()
        .copied()
        .filter(|v| {
            (quoted_position(ctx, *v) || !name_has_word(root_name(v.text(ctx)), FRAGMENT_WORDS))
                && !table_position(ctx, *v)
        })
        .collect();
    let anchor = from_request.first().or(others.first()).copied()?;
    let is_request = !from_request.is_empty();
    let value = quote(anchor.text(ctx), 60);
    // A query built over several lines is built where the building starts —
    // a Rust `format!(`, a JavaScript template literal, a Python f-string —
    // not on the line of one of the values pasted in.
    let builder = match language {
        Language::Rust => "macro_invocation",
        Language::Python => "string",
        _ if language.is_js_family() => "template_string",
        _ => "",
    };
    let line = std::iter::successors(Some(anchor.node), |n| n.parent())
        .find(|n| n.kind_str() == builder)
        // Python's implicit concatenation of f-strings over several lines
        // starts at its first part.
        .map(|b| {
            b.parent()
                .filter(|p| p.kind_str() == "concatenated_string")
                .unwrap_or(b)
        })
        .map_or_else(|| ctx.line_at(anchor.start), |b| ctx.line(b));
    let symbol = ctx.symbol_for(anchor.node);
    let code = format!("{} <- {}", sink.method, anchor.text(ctx));
    let origin = if is_request {
        format!("`{value}` comes from the request, so whoever sends it controls the query")
    } else {
        format!(
            "if `{value}` ever carries user input (now or after a refactor), that input \
             becomes SQL"
        )
    };
    let fix_hint = placeholder_hint(language);
    let mut finding = ctx
        .finding(&META, line, symbol, &code)
        .title(if is_request {
            format!("SQL injection: request value `{value}` pasted into a query")
        } else {
            format!("SQL built from `{value}` instead of a bound parameter")
        })
        .message(format!(
            "The SQL passed to `{method}` is assembled from text and `{value}`; {origin}. \
             A value pasted into SQL text is parsed as SQL: a quote in it can read, change or \
             delete any row.\n\n{fix_hint}",
            method = sink.method,
        ))
        .symptom(format!(
            "The query passed to `{}` is built by pasting `{value}` into the SQL text.",
            sink.method
        ))
        .root_cause(
            "The value is concatenated/interpolated into the SQL string instead of being sent \
             as a bound parameter, so its content can change the statement.",
        )
        .fix(format!(
            "Rewrite the query with the driver's placeholders and pass `{value}` (and every \
             other spliced value) as a parameter. {fix_hint} If the value is an identifier \
             (a column or sort direction), map it through a fixed allow-list instead."
        ))
        .scope(
            "Keep the query's result, columns and behaviour identical. Do not switch ORMs or \
             database libraries, do not change the schema, and do not touch other queries.",
        )
        .build();
    if is_request {
        finding.severity = Severity::Error;
    }
    Some(finding)
}

/// A value right after `FROM`/`JOIN`/`INTO`/`UPDATE`/`TABLE` names a table:
/// identifiers cannot be bound parameters, and code that composes its own
/// table names (admin tools, migrations) is not injectable by itself.
fn table_position(ctx: &RuleContext<'_>, value: Value<'_>) -> bool {
    let before = ctx.source.get(..value.start).unwrap_or("");
    let before = before.trim_end_matches(|c: char| {
        c.is_whitespace() || matches!(c, '$' | '{' | '"' | '\'' | '`' | '+' | '(')
    });
    let word: String = before
        .chars()
        .rev()
        .take_while(char::is_ascii_alphabetic)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    matches!(
        word.to_ascii_lowercase().as_str(),
        "from" | "join" | "into" | "update" | "table"
    )
}

/// A value pasted inside an SQL string literal (`'%" + fragment + "%'`,
/// `'${name}'`) is data whatever it is named, never composed SQL.
fn quoted_position(ctx: &RuleContext<'_>, value: Value<'_>) -> bool {
    let before = ctx.source.get(..value.start).unwrap_or("");
    let before = before.trim_end_matches(|c: char| {
        c.is_whitespace() || matches!(c, '$' | '{' | '"' | '`' | '+' | '(')
    });
    before.trim_end_matches('%').ends_with('\'')
}

fn placeholder_hint(language: Language) -> &'static str {
    match language {
        Language::TypeScript | Language::Tsx | Language::JavaScript => {
            "Use placeholders (`$1` for pg, `?` for mysql/sqlite) with a values array, \
             Prisma's tagged `$queryRaw`, or the query builder's bindings."
        }
        Language::Python => {
            "Use the driver's placeholders (`%s` or `?`) with a parameters tuple: \
             `cursor.execute(\"… WHERE id = %s\", (user_id,))`, or SQLAlchemy \
             `text(\"… WHERE id = :id\")` with `{\"id\": user_id}`."
        }
        Language::Go => {
            "Use placeholders (`$1` for PostgreSQL, `?` for MySQL/SQLite) and pass the values \
             as arguments: `db.QueryContext(ctx, \"… WHERE id = $1\", id)`."
        }
        Language::Rust => {
            "Use placeholders and bind the values: `sqlx::query(\"… WHERE id = $1\").bind(id)` \
             (or the checked `sqlx::query!` macro), `client.query(\"… = $1\", &[&id])`."
        }
        Language::Java => {
            "Use a `PreparedStatement` with `?` and `setString`/`setLong`, or pass the values \
             as arguments to `jdbcTemplate.query(sql, mapper, args…)` / \
             `query.setParameter(…)`."
        }
        Language::Sql => "",
    }
}
