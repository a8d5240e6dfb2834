//! What every request passes through around the app itself: a request id
//! for logs and error pages, a time limit, security headers, paths with
//! control characters refused, the framework's plain-text refusals
//! rendered, and the health endpoints that load balancers and orchestrators
//! poll.
//!
//! Edge layers that answer a request themselves do so through
//! [`Refusals`], which each front end implements (`web::Pages`,
//! `api::Json`) and installs on its own routes: nothing here asks which
//! front end a path belongs to, or imports either.

pub mod download;
pub mod headers;
pub mod health;
pub mod path;
pub mod rejections;
pub mod request_id;
pub mod timeout;

use axum::http::StatusCode;
use axum::response::Response;

/// How a front end answers what the edge refuses.
pub trait Refusals: Send + Sync + 'static {
    /// Nothing here (an unreadable path, an id that names nothing).
    fn not_found() -> Response;
    /// The request ran past its time limit and was stopped.
    fn timeout() -> Response;
    /// A refusal the framework wrote as plain text: its status and message.
    fn rejected(status: StatusCode, message: String) -> Response;
}
