//! Alembic migrations (`op.create_table`, `op.add_column`,
//! `op.create_foreign_key`, `op.create_index`, `batch_alter_table`) read into
//! the same [`Schema`] as SQL migrations.

use tree_sitter::Node;

use crate::context::RuleContext;
use crate::sql_ddl::{ForeignKey, Schema};
use crate::syntax::NodeExt as _;
use crate::syntax::preorder;

/// Reads the `upgrade()` operations of an Alembic migration.
pub(super) fn read(ctx: &RuleContext<'_>, schema: &mut Schema) {
    if !ctx.source.contains("alembic") {
        return;
    }
    for call in ctx.nodes_in_order(&["call"]) {
        if !in_upgrade(ctx, call) {
            continue;
        }
        let Some(function) = call.field("function") else {
            continue;
        };
        if function.kind_str() != "attribute" {
            continue;
        }
        let receiver = function.field("object").map(|o| ctx.text(o));
        let method = function
            .field("attribute")
            .map(|a| ctx.text(a))
            .unwrap_or("");
        if !matches!(
            method,
            "create_table"
                | "add_column"
                | "create_index"
                | "create_unique_constraint"
                | "create_primary_key"
                | "create_foreign_key"
        ) {
            continue;
        }
        let args = arguments(call);
        // `with op.batch_alter_table("t") as batch_op: batch_op.add_column(…)`
        let (table, rest) = match receiver {
            Some("op") => match args.split_first() {
                Some((first, rest))
                    if method != "create_index" && method != "create_foreign_key" =>
                {
                    (string_value(ctx, *first), rest)
                }
                _ => (None, &args[..]),
            },
            Some(_) => (batch_table(ctx, call), &args[..]),
            None => continue,
        };
        match method {
            "create_table" | "add_column" => {
                let Some(table) = table else { continue };
                for item in rest {
                    read_table_item(ctx, &table, *item, schema);
                }
            }
            "create_index" | "create_unique_constraint" | "create_primary_key" => {
                // `op.create_index(name, table, [cols])`; batch: `(name, [cols])`.
                let (table, columns) = match (receiver, args.as_slice()) {
                    (Some("op"), [_, t, cols, ..]) => (string_value(ctx, *t), Some(*cols)),
                    (_, [_, cols, ..]) => (table, Some(*cols)),
                    _ => (None, None),
                };
                if let (Some(table), Some(first)) =
                    (table, columns.and_then(|c| first_string(ctx, c)))
                {
                    schema.indexed.insert((table, first));
                }
            }
            "create_foreign_key" => {
                // `op.create_foreign_key(name, source, referent, [local], [remote])`;
                // batch: `(name, referent, [local], [remote])`.
                let (source, referent, local) = match (receiver, args.as_slice()) {
                    (Some("op"), [_, s, r, l, ..]) => {
                        (string_value(ctx, *s), string_value(ctx, *r), *l)
                    }
                    (_, [_, r, l, ..]) => (table, string_value(ctx, *r), *l),
                    _ => continue,
                };
                let (Some(source), Some(column)) = (source, first_string(ctx, local)) else {
                    continue;
                };
                schema.foreign_keys.push(ForeignKey {
                    table: source,
                    column,
                    at: call.start_byte(),
                    column_created_here: false,
                    referenced: referent.unwrap_or_default(),
                });
            }
            _ => {}
        }
    }
}

/// One `sa.Column(…)`, `sa.PrimaryKeyConstraint(…)`, `sa.UniqueConstraint(…)`
/// or `sa.ForeignKeyConstraint([…], […])` of a table.
fn read_table_item(ctx: &RuleContext<'_>, table: &str, item: Node<'_>, schema: &mut Schema) {
    if item.kind_str() != "call" {
        return;
    }
    let callee = item.field("function").map(|f| ctx.text(f)).unwrap_or("");
    let kind = callee.rsplit('.').next().unwrap_or(callee);
    let args = arguments(item);
    match kind {
        "Column" => {
            let Some(column) = args.first().and_then(|a| string_value(ctx, *a)) else {
                return;
            };
            schema.created.push((table.to_string(), column.clone()));
            let keyword_true = |name: &str| {
                args.iter().any(|a| {
                    a.kind_str() == "keyword_argument"
                        && a.field("name").is_some_and(|n| ctx.text(n) == name)
                        && a.field("value").is_some_and(|v| ctx.text(v) == "True")
                })
            };
            if keyword_true("index") || keyword_true("primary_key") || keyword_true("unique") {
                schema.indexed.insert((table.to_string(), column.clone()));
            }
            let foreign = args.iter().find(|a| {
                a.kind_str() == "call"
                    && a.field("function")
                        .is_some_and(|f| ctx.text(f).ends_with("ForeignKey"))
            });
            if let Some(foreign) = foreign {
                let referenced = arguments(*foreign)
                    .first()
                    .and_then(|r| string_value(ctx, *r))
                    .map(|r| r.split('.').next().unwrap_or("").to_string())
                    .unwrap_or_default();
                schema.foreign_keys.push(ForeignKey {
                    table: table.to_string(),
                    column,
                    at: args.first().map_or(item.start_byte(), |a| a.start_byte()),
                    column_created_here: true,
                    referenced,
                });
            }
        }
        "PrimaryKeyConstraint" | "UniqueConstraint" | "Index" => {
            // `sa.Index("ix", "col", …)` names the index first.
            let first = if kind == "Index" {
                args.get(1)
            } else {
                args.first()
            };
            if let Some(column) = first.and_then(|a| string_value(ctx, *a)) {
                schema.indexed.insert((table.to_string(), column));
            }
        }
        "ForeignKeyConstraint" => {
            let Some(column) = args.first().and_then(|a| first_string(ctx, *a)) else {
                return;
            };
            let referenced = args
                .get(1)
                .and_then(|r| first_string(ctx, *r))
                .map(|r| r.split('.').next().unwrap_or("").to_string())
                .unwrap_or_default();
            schema.foreign_keys.push(ForeignKey {
                table: table.to_string(),
                column,
                at: item.start_byte(),
                column_created_here: false,
                referenced,
            });
        }
        _ => {}
    }
}

fn arguments(call: Node<'_>) -> Vec<Node<'_>> {
    let Some(args) = call.field("arguments") else {
        return Vec::new();
    };
    let mut cursor = args.walk();
    args.named_children(&mut cursor)
        .filter(|a| a.kind_str() != "comment")
        .collect()
}

/// `"orders"`, `op.f("ix_orders_customer_id")` → the string.
fn string_value(ctx: &RuleContext<'_>, node: Node<'_>) -> Option<String> {
    match node.kind_str() {
        "string" => {
            let text = ctx.text(node);
            let body = text.trim_start_matches(|c: char| c.is_ascii_alphabetic());
            Some(body.trim_matches(['"', '\'']).to_string())
        }
        "call" => arguments(node).first().and_then(|a| string_value(ctx, *a)),
        _ => None,
    }
}

/// The first string of a `["a", "b"]` list.
fn first_string(ctx: &RuleContext<'_>, list: Node<'_>) -> Option<String> {
    if !matches!(list.kind_str(), "list" | "tuple") {
        return None;
    }
    list.named_child(0).and_then(|f| string_value(ctx, f))
}

fn in_upgrade(ctx: &RuleContext<'_>, node: Node<'_>) -> bool {
    let mut current = node.parent();
    while let Some(n) = current {
        if n.kind_str() == "function_definition" {
            return n
                .field("name")
                .is_some_and(|name| ctx.text(name).starts_with("upgrade"));
        }
        current = n.parent();
    }
    false
}

/// The table of the `with op.batch_alter_table("t") as batch_op:` around a
/// `batch_op.…` call.
fn batch_table(ctx: &RuleContext<'_>, call: Node<'_>) -> Option<String> {
    let mut current = call.parent();
    while let Some(n) = current {
        if n.kind_str() == "with_statement" {
            let item = preorder(n).find(|c| {
                c.kind_str() == "call"
                    && c.field("function")
                        .is_some_and(|f| ctx.text(f).ends_with("batch_alter_table"))
            })?;
            return arguments(item).first().and_then(|a| string_value(ctx, *a));
        }
        current = n.parent();
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::{Analyzer, ChangedFile, LineSet};

    /// `(line, rule)` of the findings for an Alembic file (fixtures cannot
    /// live under a `versions/` directory).
    fn lines(source: &str) -> Vec<u32> {
        let added: LineSet = (1..=source.lines().count() as u32).collect();
        let analyzer = Analyzer::with_rules(vec![Box::new(super::super::MissingFkIndex)]);
        let (_, found) = analyzer.analyze_file(ChangedFile {
            path: "alembic/versions/3f2a_orders.py",
            content: source,
            added_lines: &added,
        });
        found.iter().map(|f| f.line).collect()
    }

    #[test]
    fn alembic_foreign_keys_without_indexes() {
        let source = r#"from alembic import op
import sqlalchemy as sa


def upgrade():
    op.create_table(
        "orders",
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("customer_id", sa.BigInteger, sa.ForeignKey("customers.id"), nullable=False),
        sa.Column("shop_id", sa.BigInteger, sa.ForeignKey("shops.id"), index=True),
        sa.Column("coupon_id", sa.BigInteger, sa.ForeignKey("coupons.id")),
    )
    op.create_index(op.f("ix_orders_coupon_id"), "orders", ["coupon_id", "id"])
    op.add_column("invoices", sa.Column("order_id", sa.BigInteger, sa.ForeignKey("orders.id")))
    with op.batch_alter_table("payments") as batch_op:
        batch_op.add_column(sa.Column("invoice_id", sa.BigInteger))
        batch_op.create_foreign_key("fk_payments_invoice", "invoices", ["invoice_id"], ["id"])
        batch_op.add_column(sa.Column("order_id", sa.BigInteger, sa.ForeignKey("orders.id")))
        batch_op.create_index("ix_payments_order_id", ["order_id"])


def downgrade():
    op.add_column("refunds", sa.Column("order_id", sa.BigInteger, sa.ForeignKey("orders.id")))
"#;
        // customer_id (line 9), invoices.order_id (14), payments.invoice_id
        // (the constraint, line 17).
        assert_eq!(lines(source), [9, 14, 17]);
    }

    #[test]
    fn other_python_migrations_are_ignored() {
        let django = "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    operations = [migrations.AddField(\"order\", \"customer\", models.ForeignKey(\"Customer\", on_delete=models.CASCADE))]\n";
        assert!(lines(django).is_empty());
    }
}
