//! `query-efficiency/missing-fk-index`: a migration adds a foreign-key
//! column without an index on it.
//!
//! ## What it does
//! In SQL migration files (`migrations/`, `db/migrate/`, `*.up.sql`, Flyway's
//! `V1__x.sql`, …), finds foreign-key columns the migration creates — a
//! column with `REFERENCES` in `CREATE TABLE` or `ALTER TABLE … ADD COLUMN`,
//! or a column created in the same file and then constrained with
//! `FOREIGN KEY (col) REFERENCES …` — when the same file has no index whose
//! first column is that column. An index counts when it is a
//! `CREATE [UNIQUE] INDEX … ON table (col, …)`, a `PRIMARY KEY`/`UNIQUE`
//! constraint starting with the column (inline or as a table constraint),
//! or a MySQL `KEY`/`INDEX (col, …)` table element. Composite foreign keys
//! are checked on their first column. The finding is on the column definition
//! or, for a separate `FOREIGN KEY` constraint, on the constraint.
//!
//! Not reported, deliberately:
//! - MySQL/MariaDB migrations (backtick quoting, `ENGINE=`,
//!   `AUTO_INCREMENT`): InnoDB creates an index for every foreign key by
//!   itself. PostgreSQL, SQLite and SQL Server do not, so those are checked.
//! - `ADD CONSTRAINT … FOREIGN KEY` on a column that the file does not create:
//!   the column may have been indexed by an earlier migration this file
//!   cannot see.
//! - Indexes created by a later migration, and Django/Rails migrations.
//!
//! Alembic migrations (Python files under a migrations path such as
//! `alembic/versions/`) are read the same way, in `upgrade()` only:
//! `sa.Column(…, sa.ForeignKey(…))` in `op.create_table`/`op.add_column`
//! (also through `batch_alter_table`), `sa.ForeignKeyConstraint` and
//! `op.create_foreign_key` on a column the file creates; indexes are
//! `op.create_index`, `index=True`/`primary_key=True`/`unique=True` on the
//! column, `sa.PrimaryKeyConstraint`/`sa.UniqueConstraint`/`sa.Index` and
//! `op.create_unique_constraint`/`op.create_primary_key`.
//!
//! SQL statements are read with a small SQL tokenizer (comments, quoted
//! identifiers, strings and dollar-quoted bodies are understood), not by
//! line patterns, so that dialect details the grammar does not know do not
//! hide a foreign key.
//!
//! ## Why is this bad?
//! Every `DELETE` or key update on the referenced (parent) table must find the
//! child rows that point to it, and every join or lookup "all orders of this
//! customer" filters on the foreign-key column. Without an index both are
//! sequential scans of the child table: fine in development, a locked table
//! and a timed-out request once it holds millions of rows.
//!
//! ## Example
//! ```sql
//! CREATE TABLE orders (
//!   id bigserial PRIMARY KEY,
//!   customer_id bigint NOT NULL REFERENCES customers (id)
//! );
//! ```
//!
//! Use instead:
//! ```sql
//! CREATE TABLE orders (
//!   id bigserial PRIMARY KEY,
//!   customer_id bigint NOT NULL REFERENCES customers (id)
//! );
//! CREATE INDEX orders_customer_id_idx ON orders (customer_id);
//! ```

use std::collections::HashSet;

use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity, is_migration_path};
use crate::rules::Rule;
use crate::sql_ddl::{ForeignKey, Schema, is_mysql, read_statement, tokenize};

mod alembic;

pub static META: RuleMeta = RuleMeta {
    id: "query-efficiency/missing-fk-index",
    item: ChecklistItem::QueryEfficiency,
    severity: Severity::Warning,
    languages: &[Language::Sql, Language::Python],
    summary: "A migration adds a foreign-key column without an index starting with it",
};

pub struct MissingFkIndex;

impl Rule for MissingFkIndex {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        if !is_migration_path(ctx.path) {
            return;
        }
        let mut schema = Schema::default();
        if ctx.language == Some(Language::Python) {
            if ctx.root().is_none() {
                return;
            }
            alembic::read(ctx, &mut schema);
        } else {
            let tokens = tokenize(ctx.source);
            if is_mysql(ctx.source, &tokens) {
                return;
            }
            for statement in crate::sql_ddl::statements(&tokens) {
                read_statement(statement, &mut schema);
            }
        }
        let created: HashSet<(String, String)> = schema
            .created
            .iter()
            .map(|(t, c)| (t.clone(), c.clone()))
            .collect();
        let mut reported = HashSet::new();
        for fk in &schema.foreign_keys {
            let key = (fk.table.clone(), fk.column.clone());
            if schema.indexed.contains(&key)
                || (!fk.column_created_here && !created.contains(&key))
                || !reported.insert(key)
            {
                continue;
            }
            out.push(report(ctx, fk));
        }
    }
}

fn report(ctx: &RuleContext<'_>, fk: &ForeignKey) -> Finding {
    let line = ctx.line_at(fk.at);
    let table = &fk.table;
    let column = &fk.column;
    let parent = if fk.referenced.is_empty() {
        "the referenced table".to_string()
    } else {
        format!("`{}`", fk.referenced)
    };
    let statement = format!("CREATE INDEX {table}_{column}_idx ON {table} ({column});");
    ctx.finding(&META, line, None, &format!("{table}.{column}"))
        .title(format!(
            "Foreign key `{table}.{column}` has no index in this migration"
        ))
        .message(format!(
            "`{table}.{column}` references {parent}, but this migration creates no index \
             starting with `{column}`. PostgreSQL and SQLite do not index foreign-key columns \
             automatically: every lookup of the `{table}` rows of one {parent} row, every join \
             on it, and every `DELETE`/key update on {parent} (which must check for \
             referencing rows) scans the whole `{table}` table.\n\nAdd \
             `{statement}` to the migration (on a large existing table, \
             `CREATE INDEX CONCURRENTLY` outside a transaction)."
        ))
        .symptom(format!(
            "The migration adds the foreign-key column `{table}.{column}` (references \
             {parent}) without an index on it."
        ))
        .root_cause(
            "The database enforces the foreign key but does not create an index for the \
             referencing column, so joins, lookups by parent and cascading deletes become \
             sequential scans of the child table.",
        )
        .fix(format!(
            "Add an index whose first column is `{column}` to this same migration, e.g. \
             `{statement}` If a composite index that starts with `{column}` fits the queries \
             better, use that instead; follow the project's index naming convention."
        ))
        .scope(
            "Only add the index. Do not change the column, its type, nullability or the \
             foreign-key constraint, and do not edit earlier migrations.",
        )
        .build()
}
