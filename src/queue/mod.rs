//! The durable job queue between intake and the review pipeline: the store
//! and the workers that drain it.

mod batch;
#[doc(hidden)]
pub mod scratch;
mod store;
pub mod worker;

pub use store::{
    Enqueued, Job, MAX_ATTEMPTS, QueueCounts, Store, StoreError, StoredCredentials, now_ms,
};
