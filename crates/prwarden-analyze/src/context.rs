//! What a rule sees of one file ([`RuleContext`]) and how it turns an offending
//! piece of code into a [`Finding`] ([`FindingBuilder`], [`fingerprint`]).
//!
//! Everything that must be identical across rules lives here — line numbering,
//! the enclosing-symbol lookup and the fingerprint — so that no rule can
//! anchor or fingerprint differently from the others.

use sha2::{Digest, Sha256};
use tree_sitter::{Node, Tree};

use crate::model::{AgentPrompt, ChangedFile, Finding, Language, LineSet, RuleMeta};

/// One file as a rule sees it: the whole content at the head commit (context),
/// its parse tree when the language has a grammar, and the lines the change
/// added (the only lines a finding may land on).
pub struct RuleContext<'a> {
    pub path: &'a str,
    pub source: &'a str,
    pub language: Option<Language>,
    /// `None` when the file has no grammar or could not be parsed usefully;
    /// only language-independent rules run then.
    pub tree: Option<&'a Tree>,
    pub added_lines: &'a LineSet,
    /// Byte offset at which each line starts; index 0 is line 1.
    line_starts: Vec<usize>,
}

impl<'a> RuleContext<'a> {
    pub fn new(file: ChangedFile<'a>, language: Option<Language>, tree: Option<&'a Tree>) -> Self {
        let line_starts = std::iter::once(0)
            .chain(file.content.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        RuleContext {
            path: file.path,
            source: file.content,
            language,
            tree,
            added_lines: file.added_lines,
            line_starts,
        }
    }

    pub fn root(&self) -> Option<Node<'a>> {
        self.tree.map(Tree::root_node)
    }

    /// Whether the change added this 1-based line.
    pub fn is_added(&self, line: u32) -> bool {
        self.added_lines.contains(&line)
    }

    /// The source text of a node.
    pub fn text(&self, node: Node<'_>) -> &'a str {
        self.source.get(node.byte_range()).unwrap_or("")
    }

    /// 1-based line on which a node starts.
    pub fn line(&self, node: Node<'_>) -> u32 {
        to_line(node.start_position().row)
    }

    /// 1-based line containing a byte offset.
    pub fn line_at(&self, byte: usize) -> u32 {
        let idx = self.line_starts.partition_point(|&start| start <= byte);
        u32::try_from(idx.max(1)).unwrap_or(u32::MAX)
    }

    /// Byte offset where a 1-based line starts.
    pub fn line_start(&self, line: u32) -> usize {
        let idx = (line.max(1) - 1) as usize;
        self.line_starts
            .get(idx)
            .copied()
            .unwrap_or(self.source.len())
    }

    /// The text of a 1-based line, without its line terminator.
    pub fn line_text(&self, line: u32) -> &'a str {
        let start = self.line_start(line);
        let end = self
            .line_starts
            .get(line as usize)
            .copied()
            .unwrap_or(self.source.len());
        self.source
            .get(start..end)
            .unwrap_or("")
            .trim_end_matches(['\n', '\r'])
    }

    /// Qualified name of the function, method or class enclosing `node`
    /// (`UserService.load`, `handler`), skipping anonymous callbacks.
    pub fn symbol_for(&self, node: Node<'_>) -> Option<String> {
        let mut names = Vec::new();
        let mut current = node.parent();
        while let Some(n) = current {
            if let Some(name) = self.scope_name(n) {
                names.push(name);
            }
            current = n.parent();
        }
        if names.is_empty() {
            return None;
        }
        names.reverse();
        Some(names.join("."))
    }

    /// [`Self::symbol_for`] the smallest node covering a byte range; `None`
    /// when the file has no tree.
    pub fn symbol_at(&self, start: usize, end: usize) -> Option<String> {
        let node = self.root()?.descendant_for_byte_range(start, end)?;
        self.symbol_for(node)
    }

    /// The name a node contributes to a symbol path, if it is a named scope.
    fn scope_name(&self, node: Node<'_>) -> Option<String> {
        let field_text = |field: &str| node.child_by_field_name(field).map(|n| self.text(n));
        let name = match node.kind() {
            // JS family and Python declarations that carry their own name.
            "function_declaration"
            | "generator_function_declaration"
            | "method_definition"
            | "method_signature"
            | "abstract_method_signature"
            | "class_declaration"
            | "abstract_class_declaration"
            | "interface_declaration"
            | "type_alias_declaration"
            | "enum_declaration"
            | "function_definition"
            | "class_definition" => field_text("name"),
            // Anonymous functions and classes are named by what they are
            // assigned to; callbacks stay anonymous and are skipped.
            "function_expression"
            | "function"
            | "generator_function"
            | "arrow_function"
            | "class" => field_text("name").or_else(|| self.assigned_name(node)),
            _ => None,
        }?;
        let name = name.trim();
        (!name.is_empty() && name.len() <= 120).then(|| name.to_string())
    }

    /// `const f = () => …`, `{ f: () => … }`, `f = () => …` (class field),
    /// `exports.f = function () …`.
    fn assigned_name(&self, node: Node<'_>) -> Option<&'a str> {
        let parent = node.parent()?;
        let field = match parent.kind() {
            "variable_declarator" => "name",
            "pair" => "key",
            "public_field_definition" | "field_definition" => {
                return parent
                    .child_by_field_name("name")
                    .or_else(|| parent.child_by_field_name("property"))
                    .map(|n| self.text(n));
            }
            "assignment_expression" => "left",
            _ => return None,
        };
        let target = parent.child_by_field_name(field)?;
        // Only plain names: a destructuring pattern is not a symbol.
        matches!(
            target.kind(),
            "identifier" | "property_identifier" | "member_expression" | "string"
        )
        .then(|| self.text(target))
    }

    /// Start a finding anchored on one line. `code` is the offending code
    /// that identifies the finding in its fingerprint (see [`fingerprint`]).
    pub fn finding(
        &self,
        meta: &'static RuleMeta,
        line: u32,
        symbol: Option<String>,
        code: &str,
    ) -> FindingBuilder {
        let fingerprint = fingerprint(meta.id, self.path, symbol.as_deref(), code);
        FindingBuilder {
            finding: Finding {
                rule_id: meta.id,
                item: meta.item,
                severity: meta.severity,
                path: self.path.to_string(),
                line,
                end_line: line,
                title: String::new(),
                message: String::new(),
                suggestion: None,
                prompt: AgentPrompt {
                    symptom: String::new(),
                    location: format!("{}:{}", self.path, line),
                    root_cause: String::new(),
                    fix: String::new(),
                    scope: String::new(),
                },
                symbol,
                fingerprint,
            },
        }
    }

    /// Start a finding on the line where `node` starts, fingerprinted by the
    /// node's text and enclosing symbol.
    pub fn node_finding(&self, meta: &'static RuleMeta, node: Node<'_>) -> FindingBuilder {
        self.finding(
            meta,
            self.line(node),
            self.symbol_for(node),
            self.text(node),
        )
    }
}

fn to_line(row: usize) -> u32 {
    u32::try_from(row + 1).unwrap_or(u32::MAX)
}

/// Fills the wording of a finding started by [`RuleContext::finding`]; the
/// location, symbol and fingerprint are already set and stay consistent.
#[must_use]
pub struct FindingBuilder {
    finding: Finding,
}

impl FindingBuilder {
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.finding.title = title.into();
        self
    }

    pub fn message(mut self, message: impl Into<String>) -> Self {
        self.finding.message = message.into();
        self
    }

    /// Replacement for the whole anchored line(s), indentation included.
    pub fn suggestion(mut self, suggestion: Option<String>) -> Self {
        self.finding.suggestion = suggestion;
        self
    }

    pub fn symptom(mut self, symptom: impl Into<String>) -> Self {
        self.finding.prompt.symptom = symptom.into();
        self
    }

    pub fn root_cause(mut self, root_cause: impl Into<String>) -> Self {
        self.finding.prompt.root_cause = root_cause.into();
        self
    }

    pub fn fix(mut self, fix: impl Into<String>) -> Self {
        self.finding.prompt.fix = fix.into();
        self
    }

    /// What the fix must not touch.
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.finding.prompt.scope = scope.into();
        self
    }

    pub fn build(self) -> Finding {
        self.finding
    }
}

/// Collapses every whitespace run to one space and trims, so that
/// re-indentation and reformatting do not change a fingerprint.
pub fn normalise_code(code: &str) -> String {
    code.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first 16 hex chars of sha256 over
/// `rule_id \0 path \0 symbol-or-empty \0 normalised code`.
///
/// Line numbers and wording are deliberately left out: the fingerprint must
/// survive pushes that move the code and releases that reword messages.
pub fn fingerprint(rule_id: &str, path: &str, symbol: Option<&str>, code: &str) -> String {
    let mut hasher = Sha256::new();
    for (i, part) in [rule_id, path, symbol.unwrap_or(""), &normalise_code(code)]
        .into_iter()
        .enumerate()
    {
        if i > 0 {
            hasher.update([0u8]);
        }
        hasher.update(part.as_bytes());
    }
    let mut hex = hex::encode(hasher.finalize());
    hex.truncate(16);
    hex
}
