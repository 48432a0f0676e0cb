//! What a rule sees of one file ([`RuleContext`]) and how it turns an offending
//! piece of code into a [`Finding`] ([`FindingBuilder`], [`fingerprint`]).
//!
//! Everything that must be identical across rules lives here — line numbering,
//! the enclosing-symbol lookup and the fingerprint — so that no rule can
//! anchor or fingerprint differently from the others.

use std::any::{Any, TypeId};
use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use sha2::{Digest, Sha256};
use tree_sitter::{Node, Tree};

use crate::model::{AgentPrompt, ChangedFile, Finding, Language, LineSet, RuleMeta};
use crate::pr_facts::PrFacts;
use crate::syntax::NodeExt as _;

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
    /// What the pull request's other files say (see [`PrFacts`]); empty
    /// when the file is analysed on its own.
    pub pr: &'a PrFacts,
    /// Byte offset at which each line starts; index 0 is line 1.
    line_starts: Vec<usize>,
    /// Every node of the tree in document order, built on first use: one
    /// walk of the tree serves every rule instead of one walk each.
    all_nodes: OnceCell<Vec<Node<'a>>>,
    /// The same nodes by kind, as indices into `all_nodes`.
    by_kind: OnceCell<HashMap<&'static str, Vec<u32>>>,
    /// The kind name of each kind id seen in the tree (`""` for ids not
    /// seen), filled by the walk that builds `all_nodes`: `Node::kind` costs
    /// a C call, a `strlen` and a UTF-8 check, [`Self::kind`] an index.
    kind_names: OnceCell<Vec<&'static str>>,
    /// The index in `all_nodes` of each node's parent (`u32::MAX` for the
    /// root), filled with `all_nodes`: `Node::parent` walks down from the
    /// root on every call.
    parents: OnceCell<Vec<u32>>,
    /// Per-file results several rules share, by type (see [`Self::memo`]).
    memo: RefCell<HashMap<TypeId, Rc<dyn Any>>>,
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
            pr: PrFacts::none(),
            line_starts,
            all_nodes: OnceCell::new(),
            by_kind: OnceCell::new(),
            kind_names: OnceCell::new(),
            parents: OnceCell::new(),
            memo: RefCell::new(HashMap::new()),
        }
    }

    /// The same context with the pull request's facts.
    pub fn with_pr(mut self, pr: &'a PrFacts) -> Self {
        self.pr = pr;
        self
    }

    /// Every node of the file's tree in document order (what
    /// `syntax::preorder(root)` yields), walked once per file and shared by
    /// all rules. Empty without a tree.
    pub fn all_nodes(&self) -> &[Node<'a>] {
        self.all_nodes.get_or_init(|| {
            let Some(root) = self.root() else {
                return Vec::new();
            };
            let mut names = vec![""; root.language().node_kind_count()];
            let mut nodes: Vec<Node<'a>> = Vec::new();
            let mut parents: Vec<u32> = Vec::new();
            // The walk of `syntax::preorder`, keeping the chain of ancestors.
            let mut cursor = root.walk();
            let mut ancestors: Vec<u32> = Vec::new();
            'walk: loop {
                let node = cursor.node();
                if let Some(name) = names.get_mut(usize::from(node.kind_id()))
                    && name.is_empty()
                {
                    *name = node.kind_str();
                }
                let index = u32::try_from(nodes.len()).unwrap_or(u32::MAX);
                parents.push(ancestors.last().copied().unwrap_or(u32::MAX));
                nodes.push(node);
                if cursor.goto_first_child() {
                    ancestors.push(index);
                    continue;
                }
                loop {
                    if cursor.goto_next_sibling() {
                        continue 'walk;
                    }
                    if ancestors.pop().is_none() || !cursor.goto_parent() {
                        break 'walk;
                    }
                }
            }
            // Set before `all_nodes` itself: `kind` and `parent` never see
            // the nodes without their tables.
            let _ = self.kind_names.set(names);
            let _ = self.parents.set(parents);
            nodes
        })
    }

    /// The position of a node of this file's tree in [`Self::all_nodes`].
    fn index_of(&self, node: Node<'_>) -> Option<usize> {
        let all = self.all_nodes();
        let start = node.start_byte();
        let first = all.partition_point(|n| n.start_byte() < start);
        all[first..]
            .iter()
            .take_while(|n| n.start_byte() == start)
            .position(|n| n.id() == node.id())
            .map(|i| first + i)
    }

    /// `node.parent()` for a node of this file's tree, from the table built
    /// with [`Self::all_nodes`] instead of a walk down from the root.
    pub fn parent(&self, node: Node<'_>) -> Option<Node<'a>> {
        let all = self.all_nodes();
        let parents = self.parents.get()?;
        let i = self.index_of(node)?;
        let p = *parents.get(i)?;
        all.get(p as usize).copied()
    }

    /// `node.kind_str()` for a node of this file's tree, without the C call:
    /// looked up in a table filled once per file.
    pub fn kind(&self, node: Node<'_>) -> &'static str {
        self.all_nodes();
        self.kind_names
            .get()
            .and_then(|names| names.get(usize::from(node.kind_id())))
            .copied()
            .filter(|name| !name.is_empty())
            .unwrap_or_else(|| node.kind_str())
    }

    /// Every node of one of `kinds`, in document order within each kind
    /// (kinds one after the other, in the order given). Empty without a tree.
    ///
    /// Prefer this to walking the tree: the index is built once per file and
    /// shared by all rules.
    pub fn nodes_of_kind<'s>(
        &'s self,
        kinds: &'s [&'s str],
    ) -> impl Iterator<Item = Node<'a>> + 's {
        let all = self.all_nodes();
        let index = self.kind_index();
        kinds
            .iter()
            .flat_map(move |kind| index.get(kind).map_or(&[][..], Vec::as_slice))
            .map(move |&i| all[i as usize])
    }

    /// Every node of one of `kinds` in document order, exactly the nodes
    /// `all_nodes()` would yield after filtering by kind: what a rule that
    /// looked at every node sees of the kinds it handles.
    pub fn nodes_in_order(&self, kinds: &[&str]) -> Vec<Node<'a>> {
        let all = self.all_nodes();
        let index = self.kind_index();
        let mut positions: Vec<u32> = kinds
            .iter()
            .filter_map(|kind| index.get(kind))
            .flatten()
            .copied()
            .collect();
        if kinds.len() > 1 {
            positions.sort_unstable();
            positions.dedup();
        }
        positions.into_iter().map(|i| all[i as usize]).collect()
    }

    fn kind_index(&self) -> &HashMap<&'static str, Vec<u32>> {
        self.by_kind.get_or_init(|| {
            let all = self.all_nodes();
            let Some(names) = self.kind_names.get() else {
                return HashMap::new();
            };
            // By kind id first (no hashing per node), then by name: one
            // name can have several ids (aliases), in document order still.
            let mut by_id: Vec<Vec<u32>> = vec![Vec::new(); names.len()];
            // `ERROR` (id 65535) and anything else outside the table.
            let mut others: Vec<(&'static str, Vec<u32>)> = Vec::new();
            for (i, node) in all.iter().enumerate() {
                let i = u32::try_from(i).unwrap_or(u32::MAX);
                if let Some(list) = by_id.get_mut(usize::from(node.kind_id())) {
                    list.push(i);
                } else {
                    let kind = node.kind_str();
                    match others.iter_mut().find(|(k, _)| *k == kind) {
                        Some((_, list)) => list.push(i),
                        None => others.push((kind, vec![i])),
                    }
                }
            }
            let mut index: HashMap<&'static str, Vec<u32>> = HashMap::new();
            let named = by_id
                .into_iter()
                .enumerate()
                .map(|(id, list)| (names[id], list));
            for (name, list) in named.chain(others) {
                if list.is_empty() {
                    continue;
                }
                match index.entry(name) {
                    std::collections::hash_map::Entry::Vacant(e) => {
                        e.insert(list);
                    }
                    std::collections::hash_map::Entry::Occupied(mut e) => {
                        let merged = e.get_mut();
                        merged.extend(list);
                        merged.sort_unstable();
                    }
                }
            }
            index
        })
    }

    /// The value of type `T` computed once per file by the first rule that
    /// asks (`init`), shared with every later rule: for facts about the file
    /// several rules start from. `T` must say everything `init` depends on
    /// besides the file itself.
    pub fn memo<T: Any>(&self, init: impl FnOnce() -> T) -> Rc<T> {
        let id = TypeId::of::<T>();
        let cached = self.memo.borrow().get(&id).cloned();
        if let Some(value) = cached
            && let Ok(value) = value.downcast::<T>()
        {
            return value;
        }
        let value = Rc::new(init());
        self.memo.borrow_mut().insert(id, value.clone());
        value
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

    /// [`crate::syntax::enclosing_function`] through the parent table: one
    /// lookup of `node`, then a step per ancestor instead of a walk from
    /// the root per ancestor.
    pub fn enclosing_function<'t>(
        &self,
        language: crate::model::Language,
        node: Node<'t>,
    ) -> Option<Node<'t>>
    where
        'a: 't,
    {
        let all = self.all_nodes();
        let (Some(i), Some(parents)) = (self.index_of(node), self.parents.get()) else {
            return crate::syntax::enclosing_function(language, node);
        };
        let mut p = parents[i];
        while let Some(n) = all.get(p as usize) {
            if crate::syntax::is_function(language, *n) {
                return Some(*n);
            }
            p = parents[p as usize];
        }
        None
    }

    /// Qualified name of the function, method or class enclosing `node`
    /// (`UserService.load`, `handler`), skipping anonymous callbacks.
    pub fn symbol_for(&self, node: Node<'_>) -> Option<String> {
        let mut names = Vec::new();
        self.all_nodes();
        match (self.index_of(node), self.parents.get()) {
            (Some(i), Some(parents)) => {
                let all = self.all_nodes();
                let mut p = parents[i];
                while let Some(n) = all.get(p as usize) {
                    if let Some(name) = self.scope_name(*n, self.kind(*n), true) {
                        names.push(name);
                    }
                    p = parents[p as usize];
                }
            }
            // A node of another tree: walk its own parents.
            _ => {
                let mut current = node.parent();
                while let Some(n) = current {
                    if let Some(name) = self.scope_name(n, n.kind_str(), false) {
                        names.push(name);
                    }
                    current = n.parent();
                }
            }
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
    /// `ours`: `node` is a node of this file's tree (the tables apply).
    fn scope_name(&self, node: Node<'_>, kind: &str, ours: bool) -> Option<String> {
        let field_text = |field: &str| node.field(field).map(|n| self.text(n));
        let name = match kind {
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
            | "class_definition"
            // Go, Java and Rust declarations.
            | "method_declaration"
            | "constructor_declaration"
            | "record_declaration"
            | "function_item"
            | "function_signature_item"
            | "struct_item"
            | "enum_item"
            | "trait_item"
            | "mod_item" => field_text("name"),
            // `impl Foo { … }` / `impl Trait for Foo { … }` scope by the type.
            "impl_item" => field_text("type"),
            // Anonymous functions and classes are named by what they are
            // assigned to; callbacks stay anonymous and are skipped.
            "function_expression"
            | "function"
            | "generator_function"
            | "arrow_function"
            | "class" => field_text("name").or_else(|| self.assigned_name(node, ours)),
            _ => None,
        }?;
        let name = name.trim();
        (!name.is_empty() && name.len() <= 120).then(|| name.to_string())
    }

    /// `const f = () => …`, `{ f: () => … }`, `f = () => …` (class field),
    /// `exports.f = function () …`.
    fn assigned_name(&self, node: Node<'_>, ours: bool) -> Option<&'a str> {
        let (parent, kind) = if ours {
            let parent = self.parent(node)?;
            (parent, self.kind(parent))
        } else {
            let parent = node.parent()?;
            (parent, parent.kind_str())
        };
        let field = match kind {
            "variable_declarator" => "name",
            "pair" => "key",
            "public_field_definition" | "field_definition" => {
                return parent
                    .field("name")
                    .or_else(|| parent.field("property"))
                    .map(|n| self.text(n));
            }
            "assignment_expression" => "left",
            _ => return None,
        };
        let target = parent.field(field)?;
        // Only plain names: a destructuring pattern is not a symbol.
        matches!(
            target.kind_str(),
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
