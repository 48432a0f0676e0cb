//! Rules of the `async-races` checklist item: async work that nobody waits
//! for, cancels or orders.

pub mod async_foreach;
pub mod effect_without_abort;
pub mod effect_without_cleanup;
pub mod floating_promise;
pub mod mutex_guard_across_await;
