//! `concurrency/go-map-in-goroutine`: a Go map written by several goroutines without a lock
//!
//! ## What it does
//! Finds a write to a map (`m[k] = v`, `m[k]++`, `m[k] += …`,
//! `delete(m, k)`) without a lock in code that runs on several goroutines at
//! once:
//!
//! **HTTP handlers.** A package-level map (`var cache = map[string]T{}`)
//! written inside an HTTP handler — a function taking an
//! `http.ResponseWriter`, `*http.Request`, `*gin.Context`, `echo.Context` or
//! `*fiber.Ctx` — that takes no lock: the server runs every request on its
//! own goroutine. (Not in test files.) Reported once, on the map's
//! declaration when the change adds it, else on each handler's first
//! write. The same for a map field of the
//! handler's receiver (`s.sessions[id] = …`), and for gRPC service methods
//! (`func (s *XServer) M(ctx context.Context, req *pb.Req) …` on a receiver
//! named `…Server` or embedding the generated `Unimplemented…Server`),
//! when every struct of the file with that field declares it as a map and
//! has no mutex field.
//!
//! **Unlocked reads on the request path.** A package-level map written on
//! the request path — by a handler, or by a function of the file a handler
//! calls (`HandleSeek` → `l.Seek`, which stores `games[id] = g`), even under
//! a lock — and read by another handler that takes no lock
//! (`g, ok := games[id]`). Reported on the map's declaration. A map written
//! only outside the request path (`init`, a `Register…` called at start-up)
//! is read-only while serving and is not reported.
//!
//! **Goroutines.** A write inside a function literal started as a goroutine —
//! `go func() { … }()` or `g.Go(func() error { … })` (errgroup, conc) —
//! when
//! - the map is declared outside the literal as a map (`make(map[…]…)`,
//!   `map[K]V{}`, `var m map[K]V`, or a parameter of map type), and
//! - several goroutines write it: the goroutine is started inside a loop, or
//!   more than one goroutine of the function writes the same map, and
//! - the write is not under a lock: the literal takes none, or releases
//!   every lock explicitly (`mu.Lock()` … `mu.Unlock()` in one block)
//!   and the write lies outside those sections (a deferred unlock, a
//!   `TryLock` or a release in a branch count as holding the lock
//!   throughout).
//!
//! A map reached through a struct field (`f.delivered[k]`) counts when every
//! struct of the file with that field declares it as a map and has no mutex
//! field (`sync.Mutex`/`RWMutex`, embedded or named).
//!
//! Deliberately not reported: a map declared inside the loop body (one map
//! per goroutine), `sync.Map`, writes to slices by index (distinct
//! indices do not race), struct fields whose struct is declared elsewhere or
//! carries a mutex, a single goroutine, and
//! writes protected by a lock taken in a helper the literal calls.
//!
//! ## Why is this bad?
//! Go maps are not safe for concurrent writes, nor for a read concurrent
//! with a write. The runtime detects the race and kills the whole process
//! with `fatal error: concurrent map writes` (or `… map read and map write`),
//! which no `recover` can catch — or, when the timing is luckier, corrupts
//! the map silently. It rarely shows with a handful of items in a test and
//! reliably under production load.
//!
//! ## Example
//! ```go
//! results := make(map[string]*User)
//! var wg sync.WaitGroup
//! for _, id := range ids {
//!     wg.Add(1)
//!     go func(id string) {
//!         defer wg.Done()
//!         results[id] = fetchUser(id)
//!     }(id)
//! }
//! wg.Wait()
//! ```
//!
//! Use instead:
//! ```go
//! results := make(map[string]*User)
//! var mu sync.Mutex
//! var wg sync.WaitGroup
//! for _, id := range ids {
//!     wg.Add(1)
//!     go func(id string) {
//!         defer wg.Done()
//!         u := fetchUser(id)
//!         mu.Lock()
//!         results[id] = u
//!         mu.Unlock()
//!     }(id)
//! }
//! wg.Wait()
//! ```

use tree_sitter::Node;

use super::goroutines::{declared_inside, is_http_handler, racing_writes, takes_lock};
use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::{Rule, quote};
use crate::syntax::NodeExt as _;
use crate::syntax::{is_test_path, preorder};

pub static META: RuleMeta = RuleMeta {
    id: "concurrency/go-map-in-goroutine",
    item: ChecklistItem::Concurrency,
    severity: Severity::Error,
    languages: &[Language::Go],
    summary: "A map written from several goroutines without a mutex (fatal concurrent map writes)",
};

pub struct GoMapInGoroutine;

impl Rule for GoMapInGoroutine {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let Some(root) = ctx.root() else {
            return;
        };
        let writes = racing_writes(
            ctx,
            |literal| map_writes(ctx, literal),
            |scope, map| is_map(ctx, scope.unwrap_or(root), root, map),
        );
        for (statement, map, how) in writes {
            out.push(report(ctx, statement, statement, map, how));
        }
        if !is_test_path(ctx.path) {
            let reported = handler_writes(ctx, root, out);
            unlocked_handler_reads(ctx, root, &reported, out);
        }
    }
}

/// Package-level maps written by an HTTP handler without a lock, and maps
/// in fields of the handler's own receiver (`s.reservations[id] = …` in a
/// gRPC or HTTP handler method): every request is its own goroutine, so two
/// requests write at once.
fn handler_writes<'a>(
    ctx: &RuleContext<'a>,
    root: Node<'a>,
    out: &mut Vec<Finding>,
) -> Vec<&'a str> {
    let maps = package_maps(ctx, root);
    let declarations = package_map_names(ctx, root);
    let mut reported_package_maps: Vec<&str> = Vec::new();
    for handler in
        ctx.nodes_in_order(&["function_declaration", "method_declaration", "func_literal"])
    {
        if !matches!(
            handler.kind_str(),
            "function_declaration" | "method_declaration" | "func_literal"
        ) {
            continue;
        }
        // Receiver fields only count on a pointer receiver of a full handler
        // (`ServeHTTP(w, r)`, a gin/echo/fiber context): a value receiver
        // such as `func (r Reader) Render(w http.ResponseWriter)` is a
        // per-response value, not shared server state.
        let receiver = receiver_name(ctx, handler).filter(|_| {
            full_handler_signature(ctx, handler) || is_grpc_handler(ctx, root, handler)
        });
        let http = is_http_handler(ctx, handler);
        let grpc = !http && is_grpc_handler(ctx, root, handler);
        if !(http || grpc) || takes_lock(ctx, handler) {
            continue;
        }
        let mut reported: Vec<&str> = Vec::new();
        for (statement, map) in map_writes(ctx, handler) {
            let package_map = maps.contains(&map) && !declared_inside(ctx, handler, map);
            let receiver_field = map.split_once('.').is_some_and(|(object, field)| {
                receiver == Some(object)
                    && unguarded_map_field(ctx, root, field)
                    && !assigns_field(ctx, handler, map)
            });
            if (package_map || receiver_field) && !reported.contains(&map) {
                reported.push(map);
                // A map the change declares is reported once, on its
                // declaration (what lacks a lock), whichever handlers
                // write it; one declared before the change, on each write.
                let declared_here = package_map
                    .then(|| declarations.iter().find(|(name, _)| *name == map))
                    .flatten()
                    .map(|(_, d)| d.parent().unwrap_or(*d))
                    .filter(|d| ctx.is_added(ctx.line(*d)));
                if package_map {
                    if declared_here.is_some() && reported_package_maps.contains(&map) {
                        continue;
                    }
                    reported_package_maps.push(map);
                }
                let how = if grpc {
                    "concurrent gRPC calls"
                } else {
                    "concurrent HTTP requests"
                };
                let anchor = declared_here.unwrap_or(statement);
                out.push(report(ctx, anchor, statement, map, how));
            }
        }
    }
    reported_package_maps
}

/// A package-level map written on the request path — by a handler, or by a
/// function of the file that a handler calls (`HandleSeek` → `l.Seek`, which
/// stores `games[id] = g`), lock or no lock — and read by another handler
/// that takes no lock (`g, ok := games[id]` in `HandleMove`). A read that
/// overlaps a write is as fatal as two writes (`concurrent map read and map
/// write`), and a lock taken only by the writer protects nothing. Reported
/// on the map's declaration, whose synchronisation is what is missing.
/// Maps only written outside the request path (`init`, a `Register` called
/// at start-up) are read-only while serving and are not reported.
fn unlocked_handler_reads<'a>(
    ctx: &RuleContext<'a>,
    root: Node<'a>,
    already: &[&str],
    out: &mut Vec<Finding>,
) {
    let functions: Vec<Node<'_>> = {
        let mut cursor = root.walk();
        root.named_children(&mut cursor)
            .filter(|n| matches!(n.kind_str(), "function_declaration" | "method_declaration"))
            .collect()
    };
    let handlers: Vec<Node<'_>> = functions
        .iter()
        .copied()
        .filter(|f| is_http_handler(ctx, *f) || is_grpc_handler(ctx, root, *f))
        .collect();
    let name_of = |f: Node<'_>| f.field("name").map(|n| ctx.text(n));
    let called_by_handler = |name: &str| {
        handlers.iter().any(|h| {
            preorder(*h).any(|c| {
                c.kind_str() == "call_expression"
                    && c.field("function").is_some_and(|f| match f.kind_str() {
                        "identifier" => ctx.text(f) == name,
                        "selector_expression" => {
                            f.field("field").is_some_and(|x| ctx.text(x) == name)
                        }
                        _ => false,
                    })
            })
        })
    };
    for (map, declaration) in package_map_names(ctx, root) {
        if already.contains(&map) {
            continue;
        }
        let Some(writer) = functions.iter().copied().find(|f| {
            !declared_inside(ctx, *f, map)
                && map_writes(ctx, *f).iter().any(|(_, m)| *m == map)
                && (handlers.contains(f)
                    || name_of(*f).is_some_and(|n| n != "init" && called_by_handler(n)))
        }) else {
            continue;
        };
        let reader = handlers.iter().copied().find(|h| {
            *h != writer
                && !takes_lock(ctx, *h)
                && !declared_inside(ctx, *h, map)
                && preorder(*h).any(|n| n.kind_str() == "identifier" && ctx.text(n) == map)
        });
        if let (Some(reader), Some(writer_name)) = (reader, name_of(writer)) {
            let reader_name = name_of(reader).unwrap_or("a handler");
            out.push(report_unlocked_read(
                ctx,
                declaration,
                map,
                writer_name,
                reader_name,
            ));
        }
    }
}

/// Package-level `var` maps with the node that names each.
fn package_map_names<'s, 't>(ctx: &RuleContext<'s>, root: Node<'t>) -> Vec<(&'s str, Node<'t>)> {
    let names = package_maps(ctx, root);
    let mut cursor = root.walk();
    root.named_children(&mut cursor)
        .filter(|d| d.kind_str() == "var_declaration")
        .flat_map(preorder)
        .filter(|n| n.kind_str() == "var_spec")
        .flat_map(|spec| {
            let mut c = spec.walk();
            spec.children_by_field_name("name", &mut c)
                .collect::<Vec<_>>()
        })
        .filter_map(|n| {
            let text = ctx.text(n);
            names.contains(&text).then_some((text, n))
        })
        .collect()
}

fn report_unlocked_read(
    ctx: &RuleContext<'_>,
    declaration: Node<'_>,
    map: &str,
    writer: &str,
    reader: &str,
) -> Finding {
    let anchor = declaration.parent().unwrap_or(declaration);
    ctx.node_finding(&META, anchor)
        .title(format!(
            "Map `{map}` is written on the request path and read by `{reader}` without a lock"
        ))
        .message(format!(
            "`{writer}` writes the package-level map `{map}` while serving requests, and the \
             handler `{reader}` reads it without taking any lock. Handlers run concurrently, \
             and a map read that overlaps a write aborts the whole process with `fatal error: \
             concurrent map read and map write` (not recoverable) — a lock taken only around \
             the write protects nothing.\n\nGuard every access to `{map}`, reads included, \
             with one `sync.RWMutex` declared next to it (or use `sync.Map`)."
        ))
        .symptom(format!(
            "`{map}` is written by `{writer}` and read concurrently by `{reader}` without \
             synchronisation."
        ))
        .root_cause(format!(
            "`{map}` is shared by every request and only some of its accesses are synchronised."
        ))
        .fix(format!(
            "Declare a `sync.RWMutex` next to `{map}`; take `Lock` around every write and \
             `RLock` around every read (in `{reader}` and elsewhere), or wrap the map in a small \
             type whose methods do the locking."
        ))
        .scope(format!(
            "Keep the map and the handlers' behaviour; change only how `{map}` is accessed."
        ))
        .build()
}

/// `s` in `func (s *Server) …` (pointer receivers only).
fn receiver_name<'s>(ctx: &RuleContext<'s>, method: Node<'_>) -> Option<&'s str> {
    let receiver = method.field("receiver")?;
    let parameter = receiver.named_child(0)?;
    if parameter.field("type")?.kind_str() != "pointer_type" {
        return None;
    }
    parameter.field("name").map(|n| ctx.text(n))
}

/// `(w http.ResponseWriter, r *http.Request)`, or a framework request
/// context (`*gin.Context`, `echo.Context`, `*fiber.Ctx`) as the parameter.
fn full_handler_signature(ctx: &RuleContext<'_>, function: Node<'_>) -> bool {
    let types: Vec<&str> = function
        .field("parameters")
        .map(|p| {
            let mut c = p.walk();
            p.named_children(&mut c)
                .filter_map(|d| d.field("type"))
                .map(|t| ctx.text(t))
                .collect()
        })
        .unwrap_or_default();
    matches!(
        types.as_slice(),
        ["http.ResponseWriter", "*http.Request"]
            | ["*gin.Context" | "echo.Context" | "*fiber.Ctx" | "*fasthttp.RequestCtx"]
    )
}

/// `r.Headers = map[string]string{}` in the method: the value initialises
/// its own map, a sign of a per-request value rather than shared state.
fn assigns_field(ctx: &RuleContext<'_>, function: Node<'_>, field: &str) -> bool {
    preorder(function).any(|n| {
        n.kind_str() == "assignment_statement"
            && n.field("left").is_some_and(|l| {
                let mut c = l.walk();
                l.named_children(&mut c).any(|t| ctx.text(t) == field)
            })
    })
}

/// A gRPC service method: `func (s *XServer) M(ctx context.Context, req *pb.R)
/// (*pb.S, error)` on a receiver named `…Server` or embedding the generated
/// `Unimplemented…Server`. grpc-go runs each call on its own goroutine.
fn is_grpc_handler(ctx: &RuleContext<'_>, root: Node<'_>, method: Node<'_>) -> bool {
    if method.kind_str() != "method_declaration" {
        return false;
    }
    let Some(receiver_type) = method
        .field("receiver")
        .and_then(|r| r.named_child(0))
        .and_then(|p| p.field("type"))
        .map(|t| ctx.text(t).trim_start_matches('*'))
    else {
        return false;
    };
    let params: Vec<Node<'_>> = method
        .field("parameters")
        .map(|p| {
            let mut c = p.walk();
            p.named_children(&mut c).collect()
        })
        .unwrap_or_default();
    let signature = matches!(params.as_slice(), [ctx_param, req]
        if ctx_param.field("type").is_some_and(|t| ctx.text(t) == "context.Context")
            && req.field("type").is_some_and(|t| t.kind_str() == "pointer_type"));
    if !signature {
        return false;
    }
    receiver_type.ends_with("Server")
        || preorder(root).any(|n| {
            n.kind_str() == "type_spec"
                && n.field("name")
                    .is_some_and(|name| ctx.text(name) == receiver_type)
                && n.field("type").is_some_and(|t| {
                    preorder(t).any(|f| {
                        f.kind_str() == "field_declaration"
                            && f.field("name").is_none()
                            && ctx.text(f).contains(".Unimplemented")
                    })
                })
        })
}

/// Names of maps declared with `var` at package level.
fn package_maps<'s>(ctx: &RuleContext<'s>, root: Node<'_>) -> Vec<&'s str> {
    let mut maps = Vec::new();
    let mut cursor = root.walk();
    for decl in root.named_children(&mut cursor) {
        if decl.kind_str() != "var_declaration" {
            continue;
        }
        for spec in preorder(decl).filter(|n| n.kind_str() == "var_spec") {
            let is_map_spec = spec
                .field("type")
                .is_some_and(|t| t.kind_str() == "map_type")
                || spec.field("value").is_some_and(|v| {
                    let mut vc = v.walk();
                    v.named_children(&mut vc).any(|x| is_map_value(ctx, x))
                });
            if is_map_spec {
                let mut nc = spec.walk();
                maps.extend(
                    spec.children_by_field_name("name", &mut nc)
                        .map(|n| ctx.text(n)),
                );
            }
        }
    }
    maps
}

/// Statements in the literal (not in further nested literals, which are
/// judged on their own) that write `name[k]`, with the map's name.
fn map_writes<'t>(ctx: &RuleContext<'t>, literal: Node<'t>) -> Vec<(Node<'t>, &'t str)> {
    let mut found = Vec::new();
    let Some(body) = literal.field("body") else {
        return found;
    };
    for node in preorder(body) {
        if ctx.enclosing_function(Language::Go, node) != Some(literal) {
            continue;
        }
        let targets: Vec<Node<'t>> = match node.kind_str() {
            "assignment_statement" => node
                .field("left")
                .map(|l| {
                    let mut c = l.walk();
                    l.named_children(&mut c).collect()
                })
                .unwrap_or_default(),
            "inc_statement" | "dec_statement" => node.named_child(0).into_iter().collect(),
            "call_expression"
                if node
                    .field("function")
                    .is_some_and(|f| ctx.text(f) == "delete") =>
            {
                match node.field("arguments").and_then(|a| a.named_child(0)) {
                    Some(map) if map.kind_str() == "identifier" => {
                        found.push((node, ctx.text(map)));
                    }
                    _ => {}
                }
                continue;
            }
            _ => continue,
        };
        for target in targets {
            if target.kind_str() != "index_expression" {
                continue;
            }
            // `counts[k]`, or `f.delivered[k]` (checked against the struct).
            if let Some(operand) = target.field("operand").filter(|o| {
                o.kind_str() == "identifier"
                    || (o.kind_str() == "selector_expression"
                        && o.field("operand")
                            .is_some_and(|x| x.kind_str() == "identifier"))
            }) {
                found.push((node, ctx.text(operand)));
            }
        }
    }
    found
}

/// Whether `name` is declared as a map in the enclosing function (or at
/// package level).
fn is_map(ctx: &RuleContext<'_>, scope: Node<'_>, root: Node<'_>, name: &str) -> bool {
    if let Some((_, field)) = name.split_once('.') {
        return unguarded_map_field(ctx, root, field);
    }
    let check = |top: Node<'_>| {
        preorder(top).any(|n| match n.kind_str() {
            "short_var_declaration" => {
                let (Some(left), Some(right)) = (n.field("left"), n.field("right")) else {
                    return false;
                };
                let mut lc = left.walk();
                let mut rc = right.walk();
                left.named_children(&mut lc)
                    .zip(right.named_children(&mut rc))
                    .any(|(l, r)| ctx.text(l) == name && is_map_value(ctx, r))
            }
            "var_spec" | "parameter_declaration" => {
                let mut c = n.walk();
                let named = n
                    .children_by_field_name("name", &mut c)
                    .any(|i| ctx.text(i) == name);
                named
                    && (n.field("type").is_some_and(|t| t.kind_str() == "map_type")
                        || n.field("value").is_some_and(|v| {
                            let mut vc = v.walk();
                            v.named_children(&mut vc).any(|x| is_map_value(ctx, x))
                        }))
            }
            _ => false,
        })
    };
    check(scope) || (scope != root && check(root))
}

/// `f.delivered`: every struct of the file that declares a `delivered`
/// field declares it as a map, and none of those structs carries a mutex
/// (whose use may sit in a helper the goroutine calls).
fn unguarded_map_field(ctx: &RuleContext<'_>, root: Node<'_>, field: &str) -> bool {
    let mut declared = false;
    for declaration in preorder(root).filter(|n| n.kind_str() == "field_declaration") {
        let mut cursor = declaration.walk();
        if !declaration
            .children_by_field_name("name", &mut cursor)
            .any(|n| ctx.text(n) == field)
        {
            continue;
        }
        let is_map = declaration
            .field("type")
            .is_some_and(|t| t.kind_str() == "map_type");
        let guarded = declaration
            .parent()
            .is_some_and(|list| ctx.text(list).contains("Mutex"));
        if !is_map || guarded {
            return false;
        }
        declared = true;
    }
    declared
}

fn is_map_value(ctx: &RuleContext<'_>, value: Node<'_>) -> bool {
    match value.kind_str() {
        "composite_literal" => value
            .field("type")
            .is_some_and(|t| t.kind_str() == "map_type"),
        "call_expression" => {
            value
                .field("function")
                .is_some_and(|f| ctx.text(f) == "make")
                && value
                    .field("arguments")
                    .and_then(|a| a.named_child(0))
                    .is_some_and(|t| t.kind_str() == "map_type")
        }
        _ => false,
    }
}

/// A finding on `anchor` (the write, or the map's declaration) about the
/// write `statement`.
fn report(
    ctx: &RuleContext<'_>,
    anchor: Node<'_>,
    statement: Node<'_>,
    map: &str,
    how: &str,
) -> Finding {
    let code = quote(ctx.text(statement), 60);
    ctx.node_finding(&META, anchor)
        .title(format!("Map `{map}` written from {how} without a lock"))
        .message(format!(
            "`{code}` writes the map `{map}` from {how}, and nothing synchronises the writes. Go \
             maps are not safe for concurrent use: the runtime aborts the whole process with \
             `fatal error: concurrent map writes` (not recoverable), or the map is corrupted.\n\n\
             Guard the write with a `sync.Mutex` shared by the goroutines, send results over a \
             channel and fill the map in one goroutine, or write to a pre-sized slice by index."
        ))
        .symptom(format!(
            "`{code}` writes `{map}` concurrently from {how} without a mutex."
        ))
        .root_cause(format!(
            "`{map}` is shared by the goroutines and written without synchronisation."
        ))
        .fix(format!(
            "Serialise the writes to `{map}`: lock a `sync.Mutex` declared next to the map around \
             each write (and around reads that can run concurrently), or collect the results \
             through a channel and write the map from a single goroutine."
        ))
        .scope(
            "Keep the concurrency (goroutines, concurrent request handling) and the work each \
             goroutine does; change only how the shared map is written.",
        )
        .build()
}
