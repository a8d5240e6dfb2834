//! What every request passes through around the app itself: a request id
//! for logs and error pages, a time limit, security headers, and the health
//! endpoints that load balancers and orchestrators poll.

pub mod download;
pub mod headers;
pub mod health;
pub mod path;
pub mod rejections;
pub mod request_id;
pub mod timeout;
