//! Rules of the `query-efficiency` checklist item: round trips multiplied by loops and foreign keys without indexes.

pub mod call_in_loop;
pub mod lazy_relation_in_loop;
pub mod missing_fk_index;
pub mod unbounded_query;
