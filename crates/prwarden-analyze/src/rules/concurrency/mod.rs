//! Rules of the `concurrency` checklist item: state shared between requests,
//! threads or processes without the coordination it needs.

pub mod go_append_in_goroutine;
pub mod go_global_written_by_handler;
pub mod go_map_in_goroutine;
mod goroutines;
pub mod java_shared_mutable_static;
pub mod module_level_state;
pub mod read_modify_write;
