//! `query-efficiency/lookup-column-without-index`: a migration adds a column
//! that the pull request's code looks rows up by, and nothing indexes it.
//!
//! ## What it does
//! In SQL migration files, takes each column that `ALTER TABLE … ADD
//! [COLUMN]` adds to an existing table, and reports it when another file of
//! the same pull request filters that table's rows on it — `WHERE col = $1`,
//! `col IN (…)`, `col >= ?` in SQL strings (also `Where("col = ?")`),
//! Prisma/TypeORM/Sequelize `where: { col }`, Drizzle `eq(table.col, x)`,
//! Django `.filter(col=…)`, SQLAlchemy `.where(Model.col == …)`, Spring
//! Data `findByCol(…)` — while no migration of the pull request creates an
//! index or unique constraint that includes the column (in any position)
//! and no code names it next to an index declaration (`index=True`,
//! `@Index`, `index(…).on(t.col)`).
//!
//! Only what the pull request shows is used: the filter must be in a
//! non-test, non-migration file that mentions the table (`orders`, `Order`,
//! `orderRepo`), so a file analysed on its own never triggers the rule.
//! Boolean columns are left out (an index on a flag rarely helps). Columns
//! created with a new table are left out too: the table starts empty.
//!
//! ## Why is this bad?
//! The table already holds rows — that is why the column is added with
//! `ALTER TABLE` — and the new code path selects by the new column. Without
//! an index every such lookup is a sequential scan: unnoticed on a
//! development database, seconds per request and a saturated database in
//! production, where the import or webhook that uses it runs once per event.
//!
//! ## Example
//! ```sql
//! -- db/migrations/20261122_orders_external_ref.sql
//! ALTER TABLE orders ADD COLUMN external_ref TEXT;
//! ```
//! ```ts
//! // src/orders/importRepo.ts (same pull request)
//! await db.query("SELECT id FROM orders WHERE external_ref = $1", [ref]);
//! ```
//!
//! Use instead:
//! ```sql
//! ALTER TABLE orders ADD COLUMN external_ref TEXT;
//! CREATE INDEX orders_external_ref_idx ON orders (external_ref);
//! ```

use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity, is_migration_path};
use crate::pr_facts::ColumnFilter;
use crate::rules::Rule;
use crate::sql_ddl::{self, AddedColumn};

pub static META: RuleMeta = RuleMeta {
    id: "query-efficiency/lookup-column-without-index",
    item: ChecklistItem::QueryEfficiency,
    severity: Severity::Warning,
    languages: &[Language::Sql],
    summary: "A migration adds a column the PR's code looks rows up by, without an index",
};

pub struct LookupColumnWithoutIndex;

impl Rule for LookupColumnWithoutIndex {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        if !is_migration_path(ctx.path) {
            return;
        }
        let schema = sql_ddl::read_sql(ctx.source);
        for added in &schema.added {
            let key = (added.table.clone(), added.column.clone());
            if matches!(added.type_name.as_str(), "bool" | "boolean")
                || schema.covered.contains(&key)
                || ctx.pr.indexed(&added.table, &added.column)
            {
                continue;
            }
            if let Some(filter) = ctx.pr.filter_on(&added.table, &added.column) {
                out.push(report(ctx, added, filter));
            }
        }
    }
}

fn report(ctx: &RuleContext<'_>, added: &AddedColumn, filter: &ColumnFilter) -> Finding {
    let line = ctx.line_at(added.at);
    let (table, column) = (&added.table, &added.column);
    let used = format!("`{}` line {}", filter.path, filter.line);
    let statement = format!("CREATE INDEX {table}_{column}_idx ON {table} ({column});");
    ctx.finding(&META, line, None, &format!("{table}.{column}"))
        .title(format!(
            "`{table}.{column}` is looked up by ({used}) but has no index"
        ))
        .message(format!(
            "This migration adds `{column}` to the existing table `{table}`, and {used} of this \
             pull request selects `{table}` rows by it. No migration of the pull request \
             indexes `{column}`, so every such lookup scans the whole table: fast on a \
             development database, slow and load-heavy once `{table}` holds production \
             data.\n\nAdd `{statement}` (on a large table, `CREATE INDEX CONCURRENTLY` outside \
             a transaction), or a unique constraint if the value identifies one row."
        ))
        .symptom(format!(
            "The migration adds `{table}.{column}` without an index, and {used} filters \
             `{table}` on `{column}`."
        ))
        .root_cause(
            "A new lookup path was added without the index that makes it cheap; the \
             database has to scan the table for every lookup.",
        )
        .fix(format!(
            "Add an index on `{column}` to this migration, e.g. `{statement}` Use a unique \
             index if each value identifies one row, or a composite index if the query \
             always filters on another column too; follow the project's naming convention."
        ))
        .scope(
            "Only add the index. Do not change the column, the query, or earlier \
             migrations.",
        )
        .build()
}
