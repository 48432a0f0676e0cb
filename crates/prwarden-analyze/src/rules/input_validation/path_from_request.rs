//! `input-validation/path-from-request`: a file path built from request data with no containment check.
//!
//! ## What it does
//! Finds file-system calls whose path contains request data in the same
//! handler (see `input-validation/sql-injection` for what counts as request
//! data):
//! - JavaScript/TypeScript: `res.sendFile`/`res.download`, and `fs`
//!   `readFile`/`readFileSync`/`createReadStream`/`writeFile`/`unlink`/…,
//!   the directory operations `mkdir`/`readdir`/`rmdir` and
//!   `rename`/`copyFile`/`open` (also `fs.promises.*` and imported
//!   `readFile`/`mkdir`/…);
//! - Python: `open(…)`, Flask `send_file`, Starlette/FastAPI `FileResponse`,
//!   `os.remove`/`os.unlink`, `shutil.rmtree`, `os.makedirs`/`os.mkdir`/
//!   `os.listdir`, `os.rename`/`os.replace`, `shutil.copy`/`copyfile`/`move`;
//! - Go: `os.Open`/`os.ReadFile`/`os.Create`/`os.Remove`/`os.WriteFile`,
//!   `os.Mkdir`/`os.MkdirAll`/`os.ReadDir`/`os.Rename`, `http.ServeFile`.
//!
//! Request data passes through `String(…)`, `path.join`/`os.path.join`/
//! `filepath.Join`, pathlib's `/` (`ARCHIVE_ROOT / code / "x.bin"`, when the
//! left-most operand is `Path(…)` or a name with `dir`/`root`/`path`/
//! `folder`/`base` in it), `decodeURIComponent`, `trim`/`toLowerCase` and the
//! like: they reshape the value without restricting it. A length limit
//! (`Query(max_length=5)`) is no restriction: `../..` is five characters.
//!
//! When the call is given a local variable that was built from request data
//! (`path = os.path.join(EXPORT_DIR, filename)`), the finding is on the line
//! that builds it: that is where the check belongs.
//!
//! The handler is not reported when it visibly confines the path:
//! `path.basename`/`os.path.basename`/`filepath.Base`/`secure_filename`, or a
//! containment check (`startsWith`/`startswith`/`strings.HasPrefix`,
//! `is_relative_to`, `filepath.IsLocal`, `filepath.Rel`), or `res.sendFile`
//! with a `root` option (Express rejects `..` then). Flask's
//! `send_from_directory` is safe by design and not reported.
//!
//! ## Why is this bad?
//! A request value like `../../etc/passwd` or `../.env` walks out of the
//! intended directory: the endpoint reads (or overwrites, or deletes) any
//! file the service can access, including its own secrets and source.
//!
//! ## Example
//! ```ts
//! app.get("/files/:name", (req, res) => {
//!   res.sendFile(path.join(UPLOAD_DIR, req.params.name));
//! });
//! ```
//!
//! Use instead:
//! ```ts
//! app.get("/files/:name", (req, res) => {
//!   res.sendFile(req.params.name, { root: UPLOAD_DIR }); // rejects "..", stays in root
//! });
//! ```

use tree_sitter::Node;

use super::built::{RequestData, argument_nodes, call_kinds, call_parts, local_initializer};
use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::{Rule, quote};
use crate::syntax::NodeExt as _;
use crate::syntax::{is_test_path, preorder};

pub static META: RuleMeta = RuleMeta {
    id: "input-validation/path-from-request",
    item: ChecklistItem::InputValidation,
    severity: Severity::Warning,
    languages: &[
        Language::TypeScript,
        Language::Tsx,
        Language::JavaScript,
        Language::Python,
        Language::Go,
    ],
    summary: "A file path built from request data passed to a file-system call without a containment check",
};

pub struct PathFromRequest;

impl Rule for PathFromRequest {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let (Some(_), Some(language)) = (ctx.root(), ctx.language) else {
            return;
        };
        if is_test_path(ctx.path) {
            return;
        }
        for node in ctx.nodes_in_order(call_kinds(language)) {
            let Some((api, args)) = file_call(ctx, language, node) else {
                continue;
            };
            let Some(path) = args.first().copied() else {
                continue;
            };
            // `res.sendFile(name, { root })`: Express confines the path.
            if api.ends_with("sendFile")
                && args
                    .iter()
                    .skip(1)
                    .any(|a| a.kind_str() == "object" && ctx.text(*a).contains("root"))
            {
                continue;
            }
            let path = if language == Language::Go && api == "http.ServeFile" {
                match args.get(2) {
                    Some(p) => *p,
                    None => continue,
                }
            } else {
                path
            };
            let request = RequestData::for_node(ctx, language, node);
            let Some(source) = preorder(path).find(|n| {
                matches!(
                    n.kind_str(),
                    "identifier"
                        | "member_expression"
                        | "subscript_expression"
                        | "attribute"
                        | "subscript"
                        | "call"
                        | "call_expression"
                        | "selector_expression"
                ) && request.contains(ctx, language, ctx.text(*n))
            }) else {
                continue;
            };
            if confined(ctx, language, node) {
                continue;
            }
            // `path = os.path.join(EXPORT_DIR, filename)` then `FileResponse(path)`:
            // the comment belongs where the path is built, which is where the
            // containment check goes.
            let anchor = if source == path && path.kind_str() == "identifier" {
                local_initializer(ctx, language, path)
                    .filter(|value| {
                        request.contains(ctx, language, ctx.text(*value))
                            || preorder(*value)
                                .any(|n| request.contains(ctx, language, ctx.text(n)))
                    })
                    .unwrap_or(source)
            } else {
                source
            };
            out.push(report(ctx, &api, path, source, anchor));
        }
    }
}

fn file_call<'t>(
    ctx: &RuleContext<'_>,
    language: Language,
    node: Node<'t>,
) -> Option<(String, Vec<Node<'t>>)> {
    let (receiver, method, args) = call_parts(language, node)?;
    let method = ctx.text(method);
    let receiver = receiver.map(|r| ctx.text(r)).unwrap_or("");
    let api = if receiver.is_empty() {
        method.to_string()
    } else {
        format!("{receiver}.{method}")
    };
    let ok = match language {
        Language::TypeScript | Language::Tsx | Language::JavaScript => {
            let fs_method = matches!(
                method,
                "readFile"
                    | "readFileSync"
                    | "createReadStream"
                    | "createWriteStream"
                    | "writeFile"
                    | "writeFileSync"
                    | "appendFile"
                    | "unlink"
                    | "unlinkSync"
                    | "rm"
                    | "rmSync"
            );
            // Directory and metadata operations take the same paths: a
            // `../` in them creates, lists, moves or deletes outside the root.
            let fs_named = matches!(
                method,
                "mkdir"
                    | "mkdirSync"
                    | "readdir"
                    | "readdirSync"
                    | "rename"
                    | "renameSync"
                    | "copyFile"
                    | "copyFileSync"
                    | "appendFileSync"
                    | "rmdir"
                    | "rmdirSync"
                    | "open"
                    | "openSync"
            );
            let fs_module = matches!(
                receiver,
                "fs" | "fsp" | "fs.promises" | "fsPromises" | "promises"
            );
            // Bare `mkdir(dir)` is `import { mkdir } from "fs/promises"`;
            // a bare `rename`/`stat`/`open` could be anything.
            let bare_fs = receiver.is_empty()
                && (fs_method
                    || matches!(
                        method,
                        "mkdir"
                            | "mkdirSync"
                            | "readdir"
                            | "readdirSync"
                            | "copyFile"
                            | "copyFileSync"
                            | "renameSync"
                    ));
            ((fs_method || fs_named) && fs_module)
                || bare_fs
                || (matches!(method, "sendFile" | "download") && !receiver.is_empty())
        }
        Language::Python => matches!(
            api.as_str(),
            "open"
                | "send_file"
                | "FileResponse"
                | "os.remove"
                | "os.unlink"
                | "shutil.rmtree"
                | "os.makedirs"
                | "os.mkdir"
                | "os.listdir"
                | "os.rename"
                | "os.replace"
                | "shutil.copy"
                | "shutil.copyfile"
                | "shutil.move"
        ),
        Language::Go => matches!(
            api.as_str(),
            "os.Open"
                | "os.OpenFile"
                | "os.ReadFile"
                | "os.Create"
                | "os.Remove"
                | "os.RemoveAll"
                | "os.WriteFile"
                | "os.Mkdir"
                | "os.MkdirAll"
                | "os.ReadDir"
                | "os.Rename"
                | "http.ServeFile"
        ),
        _ => false,
    };
    ok.then(|| (api, argument_nodes(args)))
}

/// Whether the handler around `call` confines the path somewhere.
fn confined(ctx: &RuleContext<'_>, language: Language, call: Node<'_>) -> bool {
    let scope = std::iter::successors(ctx.enclosing_function(language, call), |f| {
        ctx.enclosing_function(language, *f)
    })
    .last();
    let text = scope.map(|s| ctx.text(s)).unwrap_or(ctx.source);
    [
        "basename(",
        "secure_filename(",
        "filepath.Base(",
        "startsWith(",
        "startswith(",
        "strings.HasPrefix(",
        "is_relative_to(",
        "filepath.IsLocal(",
        "filepath.Rel(",
        "OpenInRoot(",
        "OpenRoot(",
    ]
    .iter()
    .any(|guard| text.contains(guard))
}

fn report(
    ctx: &RuleContext<'_>,
    api: &str,
    path: Node<'_>,
    source: Node<'_>,
    anchor: Node<'_>,
) -> Finding {
    let shown = quote(ctx.text(path), 60);
    let value = quote(ctx.text(source), 40);
    ctx.finding(
        &META,
        ctx.line(anchor),
        ctx.symbol_for(source),
        &format!("{api} <- {}", ctx.text(source)),
    )
    .title(format!(
        "Path traversal: `{api}` opens a path built from `{value}`"
    ))
    .message(format!(
        "`{api}` receives `{shown}`, which contains the request value `{value}`, and nothing in \
         this handler checks that the result stays inside the intended directory. A value like \
         `../../.env` reads (or overwrites/deletes) any file the service can access.\n\nReduce \
         the value to a file name (`basename`/`secure_filename`), or resolve the full path and \
         reject it unless it is inside the base directory."
    ))
    .symptom(format!(
        "`{api}` uses a path built from request value `{value}`."
    ))
    .root_cause(
        "A request value is joined into a file-system path without normalising it and checking \
         that the result stays inside the allowed directory.",
    )
    .fix(
        "Resolve the joined path (`path.resolve`, `os.path.realpath`, `filepath.Clean`) and \
         return 400/404 unless it starts with the resolved base directory plus a separator; or \
         accept only a bare file name (`basename`, `secure_filename`) or an id looked up in the \
         database.",
    )
    .scope(
        "Keep serving the same files for legitimate names; do not change the storage layout or \
         other endpoints.",
    )
    .build()
}
