//! `concurrency/java-shared-mutable-static`: unsynchronised collections, counters and date formats shared by request threads
//!
//! ## What it does
//! In Java, finds
//! - a `HashMap`, `ArrayList`, `HashSet`, `LinkedHashMap`, `TreeMap`,
//!   `LinkedList`, `ArrayDeque`, … field (static or not) of a singleton
//!   component — a class annotated `@Service`, `@Component`,
//!   `@RestController`, `@Controller`, `@Repository` or `@Configuration`, a
//!   CDI/Jakarta `@ApplicationScoped` or `@Singleton` bean (Quarkus, Helidon,
//!   Micronaut), or a servlet (`extends HttpServlet`) — or a `static` such
//!   field of a request-path class whose instances are not shared (a JAX-RS
//!   `@Path` resource, a `@RequestScoped`/`@Dependent` or prototype/request
//!   scoped bean: every request still shares its statics) — that a method mutates (`put`, `add`,
//!   `remove`, `computeIfAbsent`, `merge`, `clear`, …) outside start-up code
//!   (constructors, initializers, `@PostConstruct`/`@Bean` methods,
//!   `init()`, `afterPropertiesSet()`), `synchronized` methods and
//!   `synchronized` blocks;
//! - a `SimpleDateFormat`/`DateFormat` field that is `static` in any class,
//!   or an instance field of a singleton component;
//! - a numeric field (`int`, `long`, `Integer`, …) of the same classes (the
//!   same sharing rules as collections) that such a method updates with
//!   `++`, `--` or a compound assignment (`index++ % n`, `total += x`): a
//!   read-modify-write that loses updates (`AtomicInteger` is not reported).
//!
//! Deliberately not reported: `ConcurrentHashMap`, `CopyOnWriteArrayList`,
//! `Collections.synchronizedMap(…)`, immutable `List.of`/`Map.of`, fields
//! that are only read, fields mutated only by a message listener or
//! scheduled job that runs on one thread (`@KafkaListener`,
//! `@RabbitListener`, `@JmsListener`, `@SqsListener`, `@Scheduled` without a
//! `concurrency` attribute) and touched by no other method, instance fields of beans with a non-singleton scope
//! (prototype, request, session) or of JAX-RS resources,
//! `ThreadLocal<SimpleDateFormat>`, and test code.
//!
//! ## Why is this bad?
//! A Spring bean or a servlet exists once and serves every request thread
//! at the same time. `HashMap` and `ArrayList` are not thread-safe:
//! concurrent writes lose entries, corrupt the internal table (in the worst
//! case an infinite loop in `get`) or throw
//! `ConcurrentModificationException` under load. `SimpleDateFormat` keeps
//! its parsing state in fields, so two threads formatting at once produce
//! wrong dates without any error.
//!
//! ## Example
//! ```java
//! @Service
//! public class ExchangeRateService {
//!     private static final Map<String, BigDecimal> RATES = new HashMap<>();
//!     private static final SimpleDateFormat DAY = new SimpleDateFormat("yyyy-MM-dd");
//!
//!     public BigDecimal rate(String currency) {
//!         return RATES.computeIfAbsent(currency, this::fetchRate);
//!     }
//! }
//! ```
//!
//! Use instead:
//! ```java
//! @Service
//! public class ExchangeRateService {
//!     private final Map<String, BigDecimal> rates = new ConcurrentHashMap<>();
//!     private static final DateTimeFormatter DAY = DateTimeFormatter.ISO_LOCAL_DATE;
//!
//!     public BigDecimal rate(String currency) {
//!         return rates.computeIfAbsent(currency, this::fetchRate);
//!     }
//! }
//! ```

use tree_sitter::Node;

use crate::context::RuleContext;
use crate::model::{ChecklistItem, Finding, Language, RuleMeta, Severity};
use crate::rules::{Rule, quote};
use crate::syntax::NodeExt as _;
use crate::syntax::{is_test_path, preorder};

pub static META: RuleMeta = RuleMeta {
    id: "concurrency/java-shared-mutable-static",
    item: ChecklistItem::Concurrency,
    severity: Severity::Warning,
    languages: &[Language::Java],
    summary: "A HashMap/ArrayList mutated in a singleton bean or servlet, or a shared SimpleDateFormat",
};

pub struct JavaSharedMutableStatic;

impl Rule for JavaSharedMutableStatic {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        let Some(_) = ctx.root() else {
            return;
        };
        if is_test_path(ctx.path) {
            return;
        }
        for class in ctx.nodes_in_order(&["class_declaration"]) {
            if class.kind_str() != "class_declaration" {
                continue;
            }
            let Some(body) = class.field("body") else {
                continue;
            };
            let sharing = sharing(ctx, class);
            let singleton = sharing == Sharing::Singleton;
            let mut cursor = body.walk();
            for field in body.named_children(&mut cursor) {
                if field.kind_str() != "field_declaration" {
                    continue;
                }
                let is_static = modifiers(field).is_some_and(|m| {
                    let mut c = m.walk();
                    m.children(&mut c).any(|k| ctx.text(k) == "static")
                });
                let mut dc = field.walk();
                for declarator in field.children_by_field_name("declarator", &mut dc) {
                    let Some(name) = declarator.field("name").map(|n| ctx.text(n)) else {
                        continue;
                    };
                    let type_name = field.field("type").map(|t| base_type(ctx, t)).unwrap_or("");
                    if matches!(type_name, "SimpleDateFormat" | "DateFormat") {
                        if is_static || singleton {
                            out.push(report_format(ctx, declarator, name, is_static));
                        }
                        continue;
                    }
                    // A per-request resource's instance fields are its own,
                    // but its static fields are shared by every request.
                    if !(singleton || (is_static && sharing == Sharing::PerRequest)) {
                        continue;
                    }
                    if COUNTER_TYPES.contains(&type_name) {
                        if let Some(update) = unsafe_counter_update(ctx, body, name) {
                            out.push(report_counter(ctx, declarator, name, update));
                        }
                        continue;
                    }
                    let created = declarator
                        .field("value")
                        .filter(|v| v.kind_str() == "object_creation_expression")
                        .and_then(|v| v.field("type"))
                        .map(|t| base_type(ctx, t));
                    let Some(created) = created.filter(|c| UNSAFE_COLLECTIONS.contains(c)) else {
                        continue;
                    };
                    if let Some(mutation) = unsafe_mutation(ctx, body, name) {
                        out.push(report_collection(ctx, declarator, name, created, mutation));
                    }
                }
            }
        }
    }
}

const UNSAFE_COLLECTIONS: &[&str] = &[
    "HashMap",
    "LinkedHashMap",
    "TreeMap",
    "ArrayList",
    "LinkedList",
    "HashSet",
    "LinkedHashSet",
    "TreeSet",
    "ArrayDeque",
    "PriorityQueue",
    "EnumMap",
    "IdentityHashMap",
    "WeakHashMap",
];

const MUTATORS: &[&str] = &[
    "put",
    "putAll",
    "putIfAbsent",
    "computeIfAbsent",
    "computeIfPresent",
    "compute",
    "merge",
    "replace",
    "replaceAll",
    "add",
    "addAll",
    "addFirst",
    "addLast",
    "remove",
    "removeIf",
    "removeAll",
    "retainAll",
    "clear",
    "offer",
    "push",
    "poll",
    "pop",
    "set",
    "sort",
];

fn modifiers(node: Node<'_>) -> Option<Node<'_>> {
    let mut cursor = node.walk();
    node.children(&mut cursor)
        .find(|c| c.kind_str() == "modifiers")
}

/// `HashMap` of `HashMap<K, V>` / `java.util.HashMap<…>`.
fn base_type<'s>(ctx: &RuleContext<'s>, t: Node<'_>) -> &'s str {
    let text = ctx.text(t);
    let text = text.split('<').next().unwrap_or(text).trim();
    text.rsplit('.').next().unwrap_or(text)
}

/// How a class's instances meet request threads.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Sharing {
    /// One instance serves every request thread.
    Singleton,
    /// A new instance per request (or per injection), but on the request
    /// path: its `static` fields are shared by every request.
    PerRequest,
    /// Nothing known.
    Unknown,
}

/// Whether a class is a singleton component, a per-request one, or neither.
fn sharing(ctx: &RuleContext<'_>, class: Node<'_>) -> Sharing {
    let annotations: Vec<&str> = modifiers(class)
        .map(|m| {
            let mut c = m.walk();
            m.named_children(&mut c)
                .filter(|a| matches!(a.kind_str(), "annotation" | "marker_annotation"))
                .map(|a| ctx.text(a))
                .collect()
        })
        .unwrap_or_default();
    let annotation_name = |a: &str| {
        a.trim_start_matches('@')
            .split('(')
            .next()
            .unwrap_or("")
            .rsplit('.')
            .next()
            .unwrap_or("")
            .to_string()
    };
    let scoped = annotations.iter().any(|a| {
        let name = annotation_name(a);
        matches!(
            name.as_str(),
            "RequestScope"
                | "SessionScope"
                | "Prototype"
                | "RequestScoped"
                | "SessionScoped"
                | "Dependent"
        ) || (name == "Scope"
            && [
                "prototype",
                "request",
                "session",
                "PROTOTYPE",
                "REQUEST",
                "SESSION",
            ]
            .iter()
            .any(|s| a.contains(s)))
    });
    let names: Vec<String> = annotations.iter().map(|a| annotation_name(a)).collect();
    let has = |candidates: &[&str]| names.iter().any(|n| candidates.contains(&n.as_str()));
    // Spring stereotypes, CDI/Jakarta `@ApplicationScoped`/`@Singleton`
    // (Quarkus, Helidon, Micronaut), Micronaut's `@Controller`.
    let bean = has(&[
        "Service",
        "Component",
        "RestController",
        "Controller",
        "Repository",
        "Configuration",
        "ApplicationScoped",
        "Singleton",
    ]);
    let servlet = class
        .field("superclass")
        .is_some_and(|s| ctx.text(s).contains("Servlet"));
    if (bean || servlet) && !scoped {
        return Sharing::Singleton;
    }
    // A JAX-RS resource (`@Path`: per request in Jersey, a singleton in
    // Quarkus), a request-scoped or prototype bean.
    if scoped || has(&["Path", "RequestScoped", "Dependent"]) {
        return Sharing::PerRequest;
    }
    Sharing::Unknown
}

/// The first call that mutates field `name` from a method that can run on
/// many threads at once. A mutation in a single-threaded message listener
/// (`@KafkaListener`, `@RabbitListener`, `@JmsListener`, `@SqsListener`,
/// `@Scheduled` without a `concurrency` attribute: one consumer thread)
/// counts only when a method that does run on request threads also touches
/// the field.
fn unsafe_mutation<'t>(ctx: &RuleContext<'_>, body: Node<'t>, name: &str) -> Option<Node<'t>> {
    let targets_field = |object: Node<'_>| match object.kind_str() {
        "identifier" => ctx.text(object) == name,
        "field_access" => object.field("field").is_some_and(|f| ctx.text(f) == name),
        _ => false,
    };
    let mutations: Vec<(Node<'t>, Runs)> = preorder(body)
        .filter(|n| {
            n.kind_str() == "method_invocation"
                && n.field("name")
                    .is_some_and(|m| MUTATORS.contains(&ctx.text(m)))
                && n.field("object").is_some_and(targets_field)
        })
        .map(|n| (n, runs(ctx, n)))
        .collect();
    if let Some((n, _)) = mutations.iter().find(|(_, r)| *r == Runs::Concurrently) {
        return Some(*n);
    }
    let (listener_mutation, _) = mutations
        .iter()
        .find(|(_, r)| *r == Runs::OneListenerThread)?;
    let touched_by_requests = preorder(body).any(|n| {
        n.kind_str() == "identifier"
            && ctx.text(n) == name
            && ctx
                .parent(n)
                .is_some_and(|p| p.kind_str() != "variable_declarator")
            && runs(ctx, n) == Runs::Concurrently
    });
    touched_by_requests.then_some(*listener_mutation)
}

/// Numeric field types whose `++`/`+=` is a read-modify-write.
const COUNTER_TYPES: &[&str] = &[
    "int", "long", "short", "byte", "double", "float", "Integer", "Long", "Double",
];

/// `count++`, `this.index += step`, `--left` on field `name` from a method
/// that runs on many threads at once: a read-modify-write that loses updates.
fn unsafe_counter_update<'t>(
    ctx: &RuleContext<'_>,
    body: Node<'t>,
    name: &str,
) -> Option<Node<'t>> {
    let is_field = |n: Node<'_>| match n.kind_str() {
        "identifier" => ctx.text(n) == name,
        "field_access" => {
            n.field("field").is_some_and(|f| ctx.text(f) == name)
                && n.field("object").is_some_and(|o| o.kind_str() == "this")
        }
        _ => false,
    };
    preorder(body).find(|n| {
        let target = match n.kind_str() {
            "update_expression" => n.named_child(0),
            "assignment_expression" => n
                .field("left")
                .filter(|_| n.field("operator").is_some_and(|o| ctx.text(o) != "=")),
            _ => None,
        };
        target.is_some_and(is_field)
            // A local or parameter of the same name shadows the field.
            && !shadowed(ctx, *n, name)
            && runs(ctx, *n) == Runs::Concurrently
    })
}

/// Whether the method around `node` declares a local or parameter `name`.
fn shadowed(ctx: &RuleContext<'_>, node: Node<'_>, name: &str) -> bool {
    let mut current = ctx.parent(node);
    while let Some(n) = current {
        if matches!(n.kind_str(), "method_declaration" | "lambda_expression") {
            return preorder(n).any(|d| {
                matches!(d.kind_str(), "variable_declarator" | "formal_parameter")
                    && d.field("name").is_some_and(|v| ctx.text(v) == name)
            });
        }
        current = ctx.parent(n);
    }
    false
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Runs {
    /// On many request threads at once.
    Concurrently,
    /// On the one consumer thread of a message listener or scheduled job.
    OneListenerThread,
    /// Start-up code, or under a lock.
    Safely,
}

/// Annotations of methods that a framework calls from one thread at a time
/// unless told otherwise (`concurrency = "3"`).
const SINGLE_THREAD_LISTENERS: &[&str] = &[
    "KafkaListener",
    "RabbitListener",
    "JmsListener",
    "SqsListener",
    "Scheduled",
];

/// Where `node` runs: not in a constructor, initializer, `@PostConstruct`
/// method, `synchronized` method or `synchronized` block, and whether in a
/// single-threaded listener.
fn runs(ctx: &RuleContext<'_>, node: Node<'_>) -> Runs {
    let mut current = node.parent();
    while let Some(n) = current {
        match n.kind_str() {
            "synchronized_statement"
            | "constructor_declaration"
            | "static_initializer"
            | "field_declaration" => return Runs::Safely,
            "method_declaration" => {
                let mods = modifiers(n).map(|m| ctx.text(m)).unwrap_or("");
                let name = n.field("name").map(|m| ctx.text(m));
                // Start-up code runs once, before requests are served.
                let start_up = has_annotation(mods, "PostConstruct")
                    || has_annotation(mods, "Bean")
                    || mods.contains("ApplicationReadyEvent")
                    || matches!(name, Some("init" | "afterPropertiesSet"));
                if mods.contains("synchronized") || start_up {
                    return Runs::Safely;
                }
                let listener = SINGLE_THREAD_LISTENERS
                    .iter()
                    .any(|a| has_annotation(mods, a))
                    && !mods.contains("concurrency");
                return if listener {
                    Runs::OneListenerThread
                } else {
                    Runs::Concurrently
                };
            }
            "class_body" => {
                // An instance initializer block `{ … }` runs in the constructor.
                return Runs::Safely;
            }
            _ => {}
        }
        current = n.parent();
    }
    Runs::Safely
}

/// Whether modifiers carry `@name` or `@some.package.name`, with or without
/// arguments.
fn has_annotation(modifiers: &str, name: &str) -> bool {
    modifiers.split('@').skip(1).any(|a| {
        let head = a
            .split(|c: char| c == '(' || c.is_whitespace())
            .next()
            .unwrap_or("");
        head.rsplit('.').next() == Some(name)
    })
}

fn report_collection(
    ctx: &RuleContext<'_>,
    declarator: Node<'_>,
    name: &str,
    created: &str,
    mutation: Node<'_>,
) -> Finding {
    let mutation_code = quote(ctx.text(mutation), 60);
    let replacement = if created.contains("Map") {
        "ConcurrentHashMap"
    } else if created.contains("Set") {
        "ConcurrentHashMap.newKeySet()"
    } else if created.contains("Deque") || created.contains("Queue") || created == "LinkedList" {
        "ConcurrentLinkedDeque"
    } else {
        "CopyOnWriteArrayList (few writes) or a synchronized list"
    };
    ctx.node_finding(&META, declarator)
        .title(format!(
            "`{created}` field `{name}` is mutated by every request thread"
        ))
        .message(format!(
            "`{name}` is a `{created}` in a singleton component, and `{mutation_code}` mutates \
             it from a method that runs on many request threads at once. `{created}` is not \
             thread-safe: concurrent writes lose entries, corrupt its internal structure or throw \
             `ConcurrentModificationException` under load.\n\nUse a concurrent collection \
             (`{replacement}`), or move the state to a shared cache/database if it must survive \
             restarts and be shared between instances."
        ))
        .symptom(format!(
            "Field `{name}` (`{created}`) of a singleton bean/servlet is mutated by \
             `{mutation_code}` without synchronisation."
        ))
        .root_cause(format!(
            "The bean or servlet has one instance shared by all request threads, and `{created}` \
             does not support concurrent modification."
        ))
        .fix(format!(
            "Make `{name}` thread-safe: declare it with a concurrent implementation \
             (`{replacement}`) and use its atomic operations (`computeIfAbsent`, `merge`) \
             instead of check-then-act sequences."
        ))
        .scope(format!(
            "Change only the declaration of `{name}` and the accesses that need atomic \
             operations; keep the public methods and their behaviour."
        ))
        .build()
}

fn report_counter(
    ctx: &RuleContext<'_>,
    declarator: Node<'_>,
    name: &str,
    update: Node<'_>,
) -> Finding {
    let update_code = quote(ctx.text(update), 60);
    ctx.node_finding(&META, declarator)
        .title(format!(
            "Counter `{name}` is updated by every request thread without synchronisation"
        ))
        .message(format!(
            "`{name}` is a plain numeric field of a shared component, and `{update_code}` \
             reads, changes and writes it back from a method that runs on many request threads \
             at once. Two threads read the same value: updates are lost, and without `volatile` \
             or a lock other threads may never see the new value.\n\nUse an `AtomicInteger`/\
             `AtomicLong` (`getAndIncrement`, `updateAndGet`) or a `LongAdder`."
        ))
        .symptom(format!(
            "Field `{name}` of a shared bean is updated with `{update_code}` without \
             synchronisation."
        ))
        .root_cause(
            "`++` and compound assignments on a field are not atomic, and the component's \
             instance (or the class's static) is shared by all request threads.",
        )
        .fix(format!(
            "Declare `{name}` as an `AtomicInteger`/`AtomicLong` and replace `{update_code}` \
             with its atomic method (`getAndIncrement()`, `addAndGet(…)`)."
        ))
        .scope(format!(
            "Change only `{name}`'s declaration and updates; keep the values it produces."
        ))
        .build()
}

fn report_format(
    ctx: &RuleContext<'_>,
    declarator: Node<'_>,
    name: &str,
    is_static: bool,
) -> Finding {
    let shared = if is_static {
        "a `static` field"
    } else {
        "a field of a singleton component"
    };
    ctx.node_finding(&META, declarator)
        .title(format!(
            "Shared `SimpleDateFormat` `{name}` is not thread-safe"
        ))
        .message(format!(
            "`{name}` is {shared}, so every thread formats and parses with the same instance. \
             `SimpleDateFormat` keeps intermediate state in its fields: concurrent calls produce \
             wrong dates or throw `NumberFormatException`/`ArrayIndexOutOfBoundsException` at \
             random.\n\nUse an immutable `java.time.format.DateTimeFormatter` (thread-safe) \
             instead."
        ))
        .symptom(format!(
            "`{name}` (a `SimpleDateFormat`/`DateFormat`) is {shared} used by several threads."
        ))
        .root_cause(
            "`SimpleDateFormat` is mutable and not thread-safe, and this instance is shared.",
        )
        .fix(format!(
            "Replace `{name}` with a `DateTimeFormatter` (e.g. `DateTimeFormatter.ofPattern(…)` \
             with the same pattern) and convert its call sites to `java.time` types, or create a \
             new formatter per call if `java.util.Date` must stay."
        ))
        .scope(format!(
            "Keep the date pattern, time zone and output format of `{name}` identical; do not \
             change unrelated date handling."
        ))
        .build()
}
