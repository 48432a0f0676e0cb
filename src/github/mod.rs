//! Everything that talks to GitHub: App authentication, the HTTP client and
//! the typed REST/GraphQL calls the review pipeline makes.

mod client;
pub mod fence;
pub mod rest;

pub use client::{GitHubApp, GitHubError, Installation, JsonResponse, http_client, next_link};
