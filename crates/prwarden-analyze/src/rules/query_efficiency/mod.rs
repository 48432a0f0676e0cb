//! Rules of the `query-efficiency` checklist item: round trips multiplied by loops, and columns (foreign keys, new lookup columns) without indexes.

pub mod call_in_loop;
pub mod lazy_relation_in_loop;
pub mod lookup_column_without_index;
pub mod missing_fk_index;
pub mod unbounded_query;
