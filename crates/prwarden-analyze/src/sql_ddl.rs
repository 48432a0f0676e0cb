//! A small SQL tokenizer and what DDL statements say about a schema: the
//! columns and foreign keys a migration creates and the columns its indexes
//! cover. Shared by the rules that read migrations; comments, quoted
//! identifiers, strings and dollar-quoted bodies are understood, so dialect
//! details the grammar does not know do not hide a statement.

use std::collections::HashSet;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Kind {
    /// A bare word: keyword or unquoted identifier.
    Word,
    /// `"x"`, `` `x` ``, `[x]`.
    QuotedIdent,
    /// String literals and dollar-quoted bodies.
    Literal,
    Punct,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Token<'s> {
    pub(crate) kind: Kind,
    /// Without quotes for quoted identifiers.
    pub(crate) text: &'s str,
    pub(crate) start: usize,
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

pub(crate) fn tokenize(source: &str) -> Vec<Token<'_>> {
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
pub(crate) fn is_mysql(source: &str, tokens: &[Token<'_>]) -> bool {
    source.contains('`')
        || tokens.windows(2).any(|w| {
            (w[0].is("ENGINE") && w[1].is_punct("="))
                || w[0].is("AUTO_INCREMENT")
                || w[1].is("AUTO_INCREMENT")
        })
}

pub(crate) struct ForeignKey {
    pub(crate) table: String,
    pub(crate) column: String,
    /// Token of the column name, for the anchor.
    pub(crate) at: usize,
    pub(crate) column_created_here: bool,
    pub(crate) referenced: String,
}

/// A column that `ALTER TABLE … ADD [COLUMN]` adds to an existing table.
pub(crate) struct AddedColumn {
    pub(crate) table: String,
    pub(crate) column: String,
    /// Byte offset of the column name, for the anchor.
    pub(crate) at: usize,
    /// The first word of its type, folded (`text`, `boolean`, …).
    pub(crate) type_name: String,
}

#[derive(Default)]
pub(crate) struct Schema {
    /// `(table, first column)` of every index, primary key or unique
    /// constraint.
    pub(crate) indexed: HashSet<(String, String)>,
    /// `(table, column)` of every plain column of every index or
    /// primary-key/unique constraint, in any position.
    pub(crate) covered: HashSet<(String, String)>,
    /// Columns created by this file.
    pub(crate) created: Vec<(String, String)>,
    pub(crate) foreign_keys: Vec<ForeignKey>,
    pub(crate) added: Vec<AddedColumn>,
}

/// The statements of a token stream (split at `;`).
pub(crate) fn statements<'a, 's>(tokens: &'a [Token<'s>]) -> impl Iterator<Item = &'a [Token<'s>]> {
    tokens.split(|t| t.kind == Kind::Punct && t.text == ";")
}

/// Everything `source` (one SQL file) states about the schema.
pub(crate) fn read_sql(source: &str) -> Schema {
    let tokens = tokenize(source);
    let mut schema = Schema::default();
    for statement in statements(&tokens) {
        read_statement(statement, &mut schema);
    }
    schema
}

pub(crate) fn read_statement(tokens: &[Token<'_>], schema: &mut Schema) {
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
                    read_table_element(&table, element, true, false, schema);
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
            read_table_element(&table, element, column, true, schema);
        }
    }
}

/// `CREATE INDEX [CONCURRENTLY] [IF NOT EXISTS] [name] ON [ONLY] t [USING m] (col, …)`
pub(crate) fn read_create_index(tokens: &[Token<'_>], schema: &mut Schema) {
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
    cover_columns(&table, after, schema);
    if let Some(column) = first_column(after) {
        schema.indexed.insert((table, column));
    }
}

/// Records every plain column of the first `( … )` list as covered.
fn cover_columns(table: &str, tokens: &[Token<'_>], schema: &mut Schema) {
    let Some((inner, _)) = parenthesised(tokens) else {
        return;
    };
    for part in split_commas(inner) {
        if let Some(name) = part.first().filter(|t| t.is_name()) {
            schema.covered.insert((table.to_string(), name.ident()));
        }
    }
}

/// One element of a `CREATE TABLE (…)` list or one `ALTER TABLE … ADD`.
/// `column_context`: a bare name starts a column definition (always in
/// `CREATE TABLE`; after `ADD COLUMN`, or `ADD name type` in `ALTER TABLE`).
/// `adds_to_existing`: the element is an `ALTER TABLE … ADD`.
pub(crate) fn read_table_element(
    table: &str,
    element: &[Token<'_>],
    column_context: bool,
    adds_to_existing: bool,
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
        cover_columns(table, rest, schema);
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
        schema.covered.insert((table.to_string(), column.clone()));
    }
    if adds_to_existing {
        schema.added.push(AddedColumn {
            table: table.to_string(),
            column: column.clone(),
            at: head.start,
            type_name: words.first().map(|t| t.ident()).unwrap_or_default(),
        });
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
pub(crate) fn referenced_table(tokens: &[Token<'_>]) -> String {
    let Some(r) = tokens.iter().position(|t| t.is("REFERENCES")) else {
        return String::new();
    };
    qualified_name(&tokens[r + 1..])
        .map(|(name, _)| name)
        .unwrap_or_default()
}

pub(crate) fn skip_words<'a, 's>(mut tokens: &'a [Token<'s>], words: &[&str]) -> &'a [Token<'s>] {
    while tokens
        .first()
        .is_some_and(|t| words.iter().any(|w| t.is(w)))
    {
        tokens = &tokens[1..];
    }
    tokens
}

/// `schema.table` / `"Table"` → the last part, folded; and what follows.
pub(crate) fn qualified_name<'a, 's>(tokens: &'a [Token<'s>]) -> Option<(String, &'a [Token<'s>])> {
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
pub(crate) fn parenthesised<'a, 's>(
    tokens: &'a [Token<'s>],
) -> Option<(&'a [Token<'s>], &'a [Token<'s>])> {
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
pub(crate) fn first_column(tokens: &[Token<'_>]) -> Option<String> {
    let (inner, _) = parenthesised(tokens)?;
    let first = split_commas(inner).into_iter().next()?;
    let name = first.first().filter(|t| t.is_name())?;
    // `col`, `col DESC`, `col text_pattern_ops`, `col COLLATE "C"`.
    let plain = first.len() == 1 || first.get(1).is_some_and(|t| t.kind == Kind::Word);
    plain.then(|| name.ident())
}

/// Splits at the commas that are not inside parentheses.
pub(crate) fn split_commas<'a, 's>(tokens: &'a [Token<'s>]) -> Vec<&'a [Token<'s>]> {
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
