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
            for statement in tokens.split(|t| t.kind == Kind::Punct && t.text == ";") {
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

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    /// A bare word: keyword or unquoted identifier.
    Word,
    /// `"x"`, `` `x` ``, `[x]`.
    QuotedIdent,
    /// String literals and dollar-quoted bodies.
    Literal,
    Punct,
}

#[derive(Clone, Copy, Debug)]
struct Token<'s> {
    kind: Kind,
    /// Without quotes for quoted identifiers.
    text: &'s str,
    start: usize,
}

impl Token<'_> {
    fn is(&self, keyword: &str) -> bool {
        self.kind == Kind::Word && self.text.eq_ignore_ascii_case(keyword)
    }

    fn is_punct(&self, p: &str) -> bool {
        self.kind == Kind::Punct && self.text == p
    }

    fn is_name(&self) -> bool {
        matches!(self.kind, Kind::Word | Kind::QuotedIdent)
    }

    /// The identifier as the database folds it: unquoted names are
    /// case-insensitive.
    fn ident(&self) -> String {
        match self.kind {
            Kind::QuotedIdent => self.text.to_string(),
            _ => self.text.to_ascii_lowercase(),
        }
    }
}

fn tokenize(source: &str) -> Vec<Token<'_>> {
    let bytes = source.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    let find_from = |from: usize, needle: &str| -> usize {
        source
            .get(from..)
            .and_then(|rest| rest.find(needle))
            .map_or(source.len(), |p| from + p)
    };
    while i < bytes.len() {
        let c = bytes[i];
        let next = bytes.get(i + 1).copied();
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c == b'-' && next == Some(b'-') {
            i = find_from(i, "\n");
        } else if c == b'/' && next == Some(b'*') {
            i = (find_from(i + 2, "*/") + 2).min(bytes.len());
        } else if c == b'\'' {
            // '' inside a string is an escaped quote: skipping it as the
            // end of one literal and the start of the next is harmless.
            let end = find_from(i + 1, "'");
            tokens.push(Token {
                kind: Kind::Literal,
                text: source.get(i..(end + 1).min(source.len())).unwrap_or(""),
                start: i,
            });
            i = end + 1;
        } else if c == b'"' || c == b'`' || c == b'[' {
            let close = match c {
                b'[' => "]",
                b'`' => "`",
                _ => "\"",
            };
            let end = find_from(i + 1, close);
            tokens.push(Token {
                kind: Kind::QuotedIdent,
                text: source.get(i + 1..end).unwrap_or(""),
                start: i,
            });
            i = end + 1;
        } else if c == b'$' {
            // `$$ … $$` / `$body$ … $body$`; `$1` is a parameter.
            let tag_len = source
                .get(i + 1..)
                .and_then(|rest| rest.find('$'))
                .filter(|&n| {
                    source.get(i + 1..i + 1 + n).is_some_and(|tag| {
                        tag.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                    }) && !source
                        .get(i + 1..i + 2)
                        .is_some_and(|d| d.bytes().all(|b| b.is_ascii_digit()))
                });
            match tag_len {
                Some(n) => {
                    let tag = source.get(i..i + n + 2).unwrap_or("$$");
                    let end = find_from(i + n + 2, tag);
                    tokens.push(Token {
                        kind: Kind::Literal,
                        text: "",
                        start: i,
                    });
                    i = (end + tag.len()).min(bytes.len());
                }
                None => i += 1,
            }
        } else if c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80 {
            let start = i;
            while i < bytes.len()
                && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] >= 0x80)
            {
                i += 1;
            }
            tokens.push(Token {
                kind: Kind::Word,
                text: source.get(start..i).unwrap_or(""),
                start,
            });
        } else {
            tokens.push(Token {
                kind: Kind::Punct,
                text: source.get(i..i + 1).unwrap_or(""),
                start: i,
            });
            i += 1;
        }
    }
    tokens
}

/// MySQL/MariaDB syntax: InnoDB indexes foreign keys by itself.
fn is_mysql(source: &str, tokens: &[Token<'_>]) -> bool {
    source.contains('`')
        || tokens.windows(2).any(|w| {
            (w[0].is("ENGINE") && w[1].is_punct("="))
                || w[0].is("AUTO_INCREMENT")
                || w[1].is("AUTO_INCREMENT")
        })
}

struct ForeignKey {
    table: String,
    column: String,
    /// Token of the column name, for the anchor.
    at: usize,
    column_created_here: bool,
    referenced: String,
}

#[derive(Default)]
struct Schema {
    /// `(table, first column)` of every index, primary key or unique
    /// constraint.
    indexed: HashSet<(String, String)>,
    /// Columns created by this file.
    created: Vec<(String, String)>,
    foreign_keys: Vec<ForeignKey>,
}

fn read_statement(tokens: &[Token<'_>], schema: &mut Schema) {
    let mut rest = tokens;
    let Some(first) = rest.first() else {
        return;
    };
    if first.is("CREATE") {
        rest = &rest[1..];
        rest = skip_words(
            rest,
            &[
                "OR",
                "REPLACE",
                "UNIQUE",
                "CLUSTERED",
                "NONCLUSTERED",
                "TEMP",
                "TEMPORARY",
                "UNLOGGED",
            ],
        );
        if rest.first().is_some_and(|t| t.is("TABLE")) {
            rest = skip_words(&rest[1..], &["IF", "NOT", "EXISTS"]);
            let Some((table, after)) = qualified_name(rest) else {
                return;
            };
            if let Some((body, _)) = parenthesised(after) {
                for element in split_commas(body) {
                    read_table_element(&table, element, true, schema);
                }
            }
        } else if rest.first().is_some_and(|t| t.is("INDEX")) {
            read_create_index(&rest[1..], schema);
        }
    } else if first.is("ALTER") && rest.get(1).is_some_and(|t| t.is("TABLE")) {
        rest = skip_words(&rest[2..], &["IF", "EXISTS", "ONLY"]);
        let Some((table, after)) = qualified_name(rest) else {
            return;
        };
        for action in split_commas(after) {
            let Some(first) = action.first() else {
                continue;
            };
            if !first.is("ADD") {
                continue;
            }
            let mut element = &action[1..];
            let column = element.first().is_some_and(|t| t.is("COLUMN"));
            if column {
                element = skip_words(&element[1..], &["IF", "NOT", "EXISTS"]);
            }
            read_table_element(&table, element, column, schema);
        }
    }
}

/// `CREATE INDEX [CONCURRENTLY] [IF NOT EXISTS] [name] ON [ONLY] t [USING m] (col, …)`
fn read_create_index(tokens: &[Token<'_>], schema: &mut Schema) {
    let Some(on) = tokens.iter().position(|t| t.is("ON")) else {
        return;
    };
    let rest = skip_words(&tokens[on + 1..], &["ONLY"]);
    let Some((table, mut after)) = qualified_name(rest) else {
        return;
    };
    if after.first().is_some_and(|t| t.is("USING")) {
        after = after.get(2..).unwrap_or(&[]);
    }
    if let Some(column) = first_column(after) {
        schema.indexed.insert((table, column));
    }
}

/// One element of a `CREATE TABLE (…)` list or one `ALTER TABLE … ADD`.
/// `column_context`: a bare name starts a column definition (always in
/// `CREATE TABLE`; after `ADD COLUMN`, or `ADD name type` in `ALTER TABLE`).
fn read_table_element(
    table: &str,
    element: &[Token<'_>],
    column_context: bool,
    schema: &mut Schema,
) {
    let mut rest = element;
    if rest.first().is_some_and(|t| t.is("CONSTRAINT")) {
        rest = rest.get(2..).unwrap_or(&[]);
    }
    let Some(head) = rest.first() else {
        return;
    };
    if head.is("PRIMARY") || head.is("UNIQUE") || head.is("KEY") || head.is("INDEX") {
        if let Some(column) = first_column(rest) {
            schema.indexed.insert((table.to_string(), column));
        }
        return;
    }
    if head.is("FOREIGN") {
        let Some((columns, after)) = parenthesised(rest.get(2..).unwrap_or(&[])) else {
            return;
        };
        let Some(column_token) = columns.first().filter(|t| t.is_name()) else {
            return;
        };
        schema.foreign_keys.push(ForeignKey {
            table: table.to_string(),
            column: column_token.ident(),
            at: column_token.start,
            column_created_here: false,
            referenced: referenced_table(after),
        });
        return;
    }
    if ["CHECK", "EXCLUDE", "LIKE", "PERIOD"]
        .iter()
        .any(|k| head.is(k))
    {
        return;
    }
    // `ALTER TABLE t ADD name type …` without `COLUMN` (PostgreSQL allows it).
    let is_column = column_context || (head.is_name() && rest.len() > 1 && rest[1].is_name());
    if !is_column || !head.is_name() {
        return;
    }
    let column = head.ident();
    schema.created.push((table.to_string(), column.clone()));
    let words = &rest[1..];
    if words
        .windows(2)
        .any(|w| w[0].is("PRIMARY") && w[1].is("KEY"))
        || words.iter().any(|t| t.is("UNIQUE"))
    {
        schema.indexed.insert((table.to_string(), column.clone()));
    }
    if let Some(r) = words.iter().position(|t| t.is("REFERENCES")) {
        schema.foreign_keys.push(ForeignKey {
            table: table.to_string(),
            column,
            at: head.start,
            column_created_here: true,
            referenced: referenced_table(&words[r..]),
        });
    }
}

/// The table after `REFERENCES`.
fn referenced_table(tokens: &[Token<'_>]) -> String {
    let Some(r) = tokens.iter().position(|t| t.is("REFERENCES")) else {
        return String::new();
    };
    qualified_name(&tokens[r + 1..])
        .map(|(name, _)| name)
        .unwrap_or_default()
}

fn skip_words<'a, 's>(mut tokens: &'a [Token<'s>], words: &[&str]) -> &'a [Token<'s>] {
    while tokens
        .first()
        .is_some_and(|t| words.iter().any(|w| t.is(w)))
    {
        tokens = &tokens[1..];
    }
    tokens
}

/// `schema.table` / `"Table"` → the last part, folded; and what follows.
fn qualified_name<'a, 's>(tokens: &'a [Token<'s>]) -> Option<(String, &'a [Token<'s>])> {
    let first = tokens.first().filter(|t| t.is_name())?;
    let mut name = first.ident();
    let mut i = 1;
    while tokens.get(i).is_some_and(|t| t.is_punct("."))
        && let Some(part) = tokens.get(i + 1).filter(|t| t.is_name())
    {
        name = part.ident();
        i += 2;
    }
    Some((name, &tokens[i..]))
}

/// The tokens inside the first balanced `( … )` and what follows it.
fn parenthesised<'a, 's>(tokens: &'a [Token<'s>]) -> Option<(&'a [Token<'s>], &'a [Token<'s>])> {
    let open = tokens.iter().position(|t| t.is_punct("("))?;
    let mut depth = 0usize;
    for (i, t) in tokens.iter().enumerate().skip(open) {
        if t.is_punct("(") {
            depth += 1;
        } else if t.is_punct(")") {
            depth -= 1;
            if depth == 0 {
                return Some((&tokens[open + 1..i], &tokens[i + 1..]));
            }
        }
    }
    None
}

/// The first plain column of the first `( … )` list (an expression such as
/// `(lower(email))` is no column).
fn first_column(tokens: &[Token<'_>]) -> Option<String> {
    let (inner, _) = parenthesised(tokens)?;
    let first = split_commas(inner).into_iter().next()?;
    let name = first.first().filter(|t| t.is_name())?;
    // `col`, `col DESC`, `col text_pattern_ops`, `col COLLATE "C"`.
    let plain = first.len() == 1 || first.get(1).is_some_and(|t| t.kind == Kind::Word);
    plain.then(|| name.ident())
}

/// Splits at the commas that are not inside parentheses.
fn split_commas<'a, 's>(tokens: &'a [Token<'s>]) -> Vec<&'a [Token<'s>]> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, t) in tokens.iter().enumerate() {
        if t.is_punct("(") {
            depth += 1;
        } else if t.is_punct(")") {
            depth = depth.saturating_sub(1);
        } else if t.is_punct(",") && depth == 0 {
            parts.push(&tokens[start..i]);
            start = i + 1;
        }
    }
    parts.push(&tokens[start..]);
    parts.retain(|p| !p.is_empty());
    parts
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenizer_survives_unterminated_input() {
        for source in ["'abc", "\"abc", "/* x", "$$ x", "$tag$ x $ta", "[x", "-- x"] {
            let _ = tokenize(source);
        }
        let tokens = tokenize("a $1 'it''s' \"Q\" -- c\n/* d */ b");
        let texts: Vec<&str> = tokens.iter().map(|t| t.text).collect();
        assert_eq!(texts, ["a", "1", "'it'", "'s'", "Q", "b"]);
    }
}
