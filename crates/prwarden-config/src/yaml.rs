//! A small YAML loader that keeps the line of every key and value.
//!
//! serde-based loaders drop source positions, yet every configuration
//! problem must name the line it is on. So this module drives
//! `saphyr-parser`'s event stream itself and builds a tiny tree whose nodes
//! carry their 1-based line. Plain scalars are typed with the YAML 1.2 core
//! schema (so `off`, `yes` and `no` stay strings, as editors read them).

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span, Tag};

/// Aliases are expanded by copying; a bound on the nodes built keeps a
/// "billion laughs" file from exhausting memory.
const MAX_NODES: usize = 100_000;

/// Lists and mappings nested deeper than this are refused. No setting nests
/// beyond a few levels, and the tree is dropped, cloned and walked
/// recursively: without a bound, a 64 KB file of `- - - … x` overflowed a
/// 2 MiB (tokio worker) stack and aborted the process.
const MAX_DEPTH: usize = 64;

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Node {
    /// 1-based line where the value starts.
    pub line: usize,
    pub value: Value,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Entry {
    /// The key's text; `None` when the key was a list or mapping, which no
    /// setting uses.
    pub key: Option<String>,
    pub key_line: usize,
    pub value: Node,
}

impl Value {
    /// The noun used in "expected …, found …" messages.
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Value::Null => "nothing",
            Value::Bool(_) => "a boolean",
            Value::Int(_) | Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
}

/// The first document of a file, or `None` for an empty file.
#[derive(Debug)]
pub(crate) struct Document {
    pub root: Option<Node>,
    /// Things the loader noticed but could work around, by line.
    pub warnings: Vec<(usize, String)>,
}

/// Why a file could not be loaded at all.
#[derive(Debug)]
pub(crate) struct LoadError {
    pub line: usize,
    pub message: String,
}

enum Frame {
    Seq {
        line: usize,
        anchor: usize,
        items: Vec<Node>,
    },
    Map {
        line: usize,
        anchor: usize,
        entries: Vec<Entry>,
        /// Set between a key and its value. `Some(None)` is a key that was
        /// itself a collection.
        key: Option<(Option<String>, usize)>,
    },
}

struct Builder {
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    root: Option<Node>,
    nodes: usize,
}

impl Builder {
    fn count(&mut self, n: usize, line: usize) -> Result<(), LoadError> {
        self.nodes += n;
        if self.nodes > MAX_NODES {
            return Err(LoadError {
                line,
                message: format!(
                    "the file expands to more than {MAX_NODES} values (aliases nested too deeply?)"
                ),
            });
        }
        Ok(())
    }

    /// Refuses a collection `depth` levels deep opened at the current level.
    fn nest(&self, depth: usize, line: usize) -> Result<(), LoadError> {
        if self.stack.len() + depth > MAX_DEPTH {
            return Err(LoadError {
                line,
                message: format!("lists and mappings are nested more than {MAX_DEPTH} levels deep"),
            });
        }
        Ok(())
    }

    /// Hands a finished node to its parent (or makes it the root). `raw` is
    /// the scalar's source text, used when the node is a mapping key.
    fn finish(&mut self, node: Node, anchor: usize, raw: Option<String>) {
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                None => *key = Some((raw, node.line)),
                Some((name, key_line)) => entries.push(Entry {
                    key: name,
                    key_line,
                    value: node,
                }),
            },
        }
    }
}

/// How many levels of lists and mappings `node` is (0 for a scalar). Only
/// called on nodes built under [`MAX_DEPTH`], so the recursion is bounded.
fn depth(node: &Node) -> usize {
    match &node.value {
        Value::Seq(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        Value::Map(entries) => 1 + entries.iter().map(|e| depth(&e.value)).max().unwrap_or(0),
        _ => 0,
    }
}

fn count_nodes(node: &Node) -> usize {
    1 + match &node.value {
        Value::Seq(items) => items.iter().map(count_nodes).sum(),
        Value::Map(entries) => entries.iter().map(|e| 1 + count_nodes(&e.value)).sum(),
        _ => 0,
    }
}

/// Loads the first document of `text`.
pub(crate) fn load(text: &str) -> Result<Document, LoadError> {
    let mut b = Builder {
        stack: Vec::new(),
        anchors: HashMap::new(),
        root: None,
        nodes: 0,
    };
    let mut warnings = Vec::new();
    let mut documents = 0;
    for event in Parser::new_from_str(text) {
        let (event, span): (Event<'_>, Span) = event.map_err(|e| LoadError {
            line: e.marker().line(),
            message: e.info().to_string(),
        })?;
        let line = span.start.line();
        match event {
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    // Settings split over several documents are almost
                    // certainly a mistake; say so rather than merge them.
                    warnings.push((
                        line,
                        "only the first YAML document is read; everything after this `---` is ignored"
                            .to_string(),
                    ));
                    break;
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                b.count(1, line)?;
                let value = resolve_scalar(&text, style, tag.as_deref());
                b.finish(Node { line, value }, anchor, Some(text.into_owned()));
            }
            Event::Alias(id) => {
                let Some(mut node) = b.anchors.get(&id).cloned() else {
                    return Err(LoadError {
                        line,
                        message: "alias to an unknown anchor".to_string(),
                    });
                };
                b.nest(depth(&node), line)?;
                b.count(count_nodes(&node), line)?;
                node.line = line;
                let raw = match &node.value {
                    Value::Str(s) => Some(s.clone()),
                    _ => None,
                };
                b.finish(node, 0, raw);
            }
            Event::SequenceStart(anchor, _) => {
                b.nest(1, line)?;
                b.count(1, line)?;
                b.stack.push(Frame::Seq {
                    line,
                    anchor,
                    items: Vec::new(),
                });
            }
            Event::MappingStart(anchor, _) => {
                b.nest(1, line)?;
                b.count(1, line)?;
                b.stack.push(Frame::Map {
                    line,
                    anchor,
                    entries: Vec::new(),
                    key: None,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (node, anchor) = match b.stack.pop() {
                    Some(Frame::Seq {
                        line,
                        anchor,
                        items,
                    }) => (
                        Node {
                            line,
                            value: Value::Seq(items),
                        },
                        anchor,
                    ),
                    Some(Frame::Map {
                        line,
                        anchor,
                        entries,
                        ..
                    }) => (
                        Node {
                            line,
                            value: Value::Map(entries),
                        },
                        anchor,
                    ),
                    // The parser balances its events; nothing to close.
                    None => continue,
                };
                b.finish(node, anchor, None);
            }
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {}
        }
    }
    Ok(Document {
        root: b.root,
        warnings,
    })
}

/// Types a scalar the way the YAML 1.2 core schema does: only plain
/// (unquoted) scalars can be null, booleans or numbers; `!!str` forces a
/// string.
fn resolve_scalar(text: &str, style: ScalarStyle, tag: Option<&Tag>) -> Value {
    if let Some(tag) = tag
        && tag.is_yaml_core_schema()
        && tag.suffix == "str"
    {
        return Value::Str(text.to_string());
    }
    if style != ScalarStyle::Plain {
        return Value::Str(text.to_string());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Value::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        _ => {}
    }
    if let Some(v) = parse_int(text) {
        return v;
    }
    if is_float(text)
        && let Ok(f) = text.parse::<f64>()
    {
        return Value::Float(f);
    }
    Value::Str(text.to_string())
}

fn parse_int(text: &str) -> Option<Value> {
    let (radix, digits) = if let Some(rest) = text.strip_prefix("0o") {
        (8, rest)
    } else if let Some(rest) = text.strip_prefix("0x") {
        (16, rest)
    } else {
        let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
        if unsigned.is_empty() || !unsigned.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        // Too large for i64 is still a number, just not one we can use.
        return Some(
            text.parse::<i64>()
                .map(Value::Int)
                .unwrap_or_else(|_| Value::Float(text.parse().unwrap_or(f64::MAX))),
        );
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    Some(
        i64::from_str_radix(digits, radix)
            .map(Value::Int)
            .unwrap_or(Value::Float(f64::MAX)),
    )
}

/// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
fn is_float(text: &str) -> bool {
    let s = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match frac {
        None => !int.is_empty() && digits(int),
        Some(f) => digits(int) && digits(f) && !(int.is_empty() && f.is_empty()),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exponent_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(text: &str) -> Node {
        load(text).unwrap().root.unwrap()
    }

    #[test]
    fn scalars_follow_the_core_schema() {
        let node = root(
            "a: off\nb: yes\nc: 30\nd: '30'\ne: 1.5\nf: true\ng:\nh: ~\ni: 0x1F\nj: !!str 12\nk: 1e3\nl: -7\n",
        );
        let Value::Map(entries) = node.value else {
            panic!()
        };
        let values: Vec<_> = entries.into_iter().map(|e| e.value.value).collect();
        assert_eq!(
            values,
            vec![
                Value::Str("off".into()),
                Value::Str("yes".into()),
                Value::Int(30),
                Value::Str("30".into()),
                Value::Float(1.5),
                Value::Bool(true),
                Value::Null,
                Value::Null,
                Value::Int(31),
                Value::Str("12".into()),
                Value::Float(1000.0),
                Value::Int(-7),
            ]
        );
    }

    #[test]
    fn keys_and_values_keep_their_lines() {
        let node = root("# comment\nscope: all\nignore:\n  - a\n  - b\n");
        let Value::Map(entries) = node.value else {
            panic!()
        };
        assert_eq!(entries[0].key.as_deref(), Some("scope"));
        assert_eq!(entries[0].key_line, 2);
        assert_eq!(entries[1].key_line, 3);
        let Value::Seq(items) = &entries[1].value.value else {
            panic!()
        };
        assert_eq!(items[0].line, 4);
        assert_eq!(items[1].line, 5);
    }

    #[test]
    fn empty_and_comment_only_files_have_no_root() {
        assert!(load("").unwrap().root.is_none());
        assert!(load("# nothing here\n").unwrap().root.is_none());
    }

    #[test]
    fn aliases_are_expanded() {
        let node = root("a: &x [1, 2]\nb: *x\n");
        let Value::Map(entries) = node.value else {
            panic!()
        };
        assert_eq!(entries[0].value.value, entries[1].value.value);
        assert_eq!(entries[1].value.line, 2);
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..8 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let err = load(&text).unwrap_err();
        assert!(err.message.contains("more than"), "{}", err.message);
    }

    #[test]
    fn syntax_errors_carry_the_line() {
        let err = load("a: 1\nb: \"open\n").unwrap_err();
        assert_eq!(err.line, 2);
    }

    #[test]
    fn later_documents_are_reported() {
        let doc = load("a: 1\n---\nb: 2\n").unwrap();
        assert_eq!(doc.warnings.len(), 1);
        assert_eq!(doc.warnings[0].0, 2);
    }
}
