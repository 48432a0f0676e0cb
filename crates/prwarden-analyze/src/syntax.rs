//! Grammar-level helpers shared by rules: walking a tree, and the node kinds
//! of the tree-sitter grammars that several rules must agree on (what is a
//! function boundary, what is a loop, what is a comment).

use tree_sitter::{Node, TreeCursor};

/// Every node under (and including) `root`, in document order.
pub fn preorder(root: Node<'_>) -> Preorder<'_> {
    Preorder {
        cursor: root.walk(),
        done: false,
    }
}

pub struct Preorder<'t> {
    cursor: TreeCursor<'t>,
    done: bool,
}

impl<'t> Iterator for Preorder<'t> {
    type Item = Node<'t>;

    fn next(&mut self) -> Option<Node<'t>> {
        if self.done {
            return None;
        }
        let node = self.cursor.node();
        if self.cursor.goto_first_child() {
            return Some(node);
        }
        loop {
            // Depth 0 is the node the walk started from: never leave it.
            if self.cursor.depth() == 0 {
                self.done = true;
                return Some(node);
            }
            if self.cursor.goto_next_sibling() {
                return Some(node);
            }
            self.cursor.goto_parent();
        }
    }
}

/// Named children that are not comments: the statements of a block.
pub fn statements<'t>(block: Node<'t>) -> impl Iterator<Item = Node<'t>> {
    let mut cursor = block.walk();
    let children: Vec<Node<'t>> = block.named_children(&mut cursor).collect();
    children.into_iter().filter(|n| !is_comment(*n))
}

pub fn is_comment(node: Node<'_>) -> bool {
    matches!(node.kind(), "comment" | "html_comment")
}

/// The text of every comment that starts within `start..end` (bytes).
pub fn comments_in<'s>(root: Node<'_>, source: &'s str, start: usize, end: usize) -> Vec<&'s str> {
    let mut out = Vec::new();
    collect_comments(root, source, start, end, &mut out);
    out
}

fn collect_comments<'s>(
    node: Node<'_>,
    source: &'s str,
    start: usize,
    end: usize,
    out: &mut Vec<&'s str>,
) {
    if node.end_byte() < start || node.start_byte() >= end {
        return;
    }
    if is_comment(node) {
        if node.start_byte() >= start {
            out.push(source.get(node.byte_range()).unwrap_or(""));
        }
        return;
    }
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        collect_comments(child, source, start, end, out);
    }
}

/// JS-family nodes that start a new function body: an `await` or a loop
/// outside them does not run in the same frame.
pub fn is_js_function(node: Node<'_>) -> bool {
    matches!(
        node.kind(),
        "function_declaration"
            | "generator_function_declaration"
            | "function_expression"
            | "function"
            | "generator_function"
            | "arrow_function"
            | "method_definition"
            | "class_static_block"
    )
}

/// JS-family loop statements (`for…of`/`for…in` are `for_in_statement`).
pub fn is_js_loop(node: Node<'_>) -> bool {
    matches!(
        node.kind(),
        "for_statement" | "for_in_statement" | "while_statement" | "do_statement"
    )
}

/// Strips parentheses, TS `as`/`satisfies`/non-null wrappers around an
/// expression.
pub fn unwrap_expression(mut node: Node<'_>) -> Node<'_> {
    loop {
        let inner = match node.kind() {
            "parenthesized_expression" | "non_null_expression" => node.named_child(0),
            "as_expression" | "satisfies_expression" => node.named_child(0),
            _ => None,
        };
        match inner {
            Some(inner) if !is_comment(inner) => node = inner,
            _ => return node,
        }
    }
}

/// The receiver and method-name node of `receiver.method(…)`.
pub fn member_call(call: Node<'_>) -> Option<(Node<'_>, Node<'_>)> {
    let function = call.child_by_field_name("function")?;
    if function.kind() != "member_expression" {
        return None;
    }
    Some((
        function.child_by_field_name("object")?,
        function.child_by_field_name("property")?,
    ))
}

/// Splits an identifier into lower-case words: `userRepo` → `user`, `repo`;
/// `DB_CLIENT` → `db`, `client`; `HTTPClient` → `http`, `client`.
pub fn identifier_words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut words = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1).copied();
        let boundary = c.is_ascii_uppercase()
            && prev.is_some_and(|p| {
                p.is_ascii_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_ascii_uppercase() && next.is_some_and(|n| n.is_ascii_lowercase()))
            });
        if boundary && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        current.push(c.to_ascii_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::identifier_words;

    #[test]
    fn splits_identifiers_into_words() {
        assert_eq!(identifier_words("userRepo"), ["user", "repo"]);
        assert_eq!(identifier_words("DB_CLIENT"), ["db", "client"]);
        assert_eq!(identifier_words("HTTPClient"), ["http", "client"]);
        assert_eq!(identifier_words("prisma"), ["prisma"]);
        assert_eq!(identifier_words("v2Api"), ["v2", "api"]);
    }
}
