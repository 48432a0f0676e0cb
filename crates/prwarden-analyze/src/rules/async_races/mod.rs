//! Rules of the `async-races` checklist item: async work that nobody waits
//! for, cancels or orders.

pub mod async_foreach;
pub mod effect_without_abort;
pub mod effect_without_cleanup;
pub mod floating_promise;
pub mod mutex_guard_across_await;
pub mod stale_store_write;

use tree_sitter::Node;

use crate::context::RuleContext;
use crate::syntax::NodeExt as _;
use crate::syntax::is_js_function;

/// A React effect: the `useEffect`/`useLayoutEffect` call, the hook's name
/// and the effect callback passed to it.
pub(super) struct Effect<'s, 't> {
    pub call: Node<'t>,
    pub hook: &'s str,
    pub callback: Node<'t>,
}

/// Every `useEffect(() => …)` / `React.useLayoutEffect(function () {…})` in
/// the file whose first argument is a function written in place.
pub(super) fn effects<'s>(ctx: &RuleContext<'s>) -> Vec<Effect<'s, 's>> {
    ctx.nodes_in_order(&["call_expression"])
        .into_iter()
        .filter_map(|call| {
            let hook = ctx.text(call.field("function")?);
            let hook = hook.strip_prefix("React.").unwrap_or(hook);
            if !matches!(hook, "useEffect" | "useLayoutEffect") {
                return None;
            }
            let callback = call
                .field("arguments")
                .and_then(|a| a.named_child(0))
                .filter(|cb| is_js_function(*cb))?;
            Some(Effect {
                call,
                hook,
                callback,
            })
        })
        .collect()
}
