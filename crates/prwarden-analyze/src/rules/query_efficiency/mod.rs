//! Rules of the `query-efficiency` checklist item: database and network
//! round trips multiplied by loops.

pub mod call_in_loop;
