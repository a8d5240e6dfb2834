//! The one way routes are added: a builder that registers each method and
//! path with axum and also keeps the list, so the route × role access test
//! walks exactly what the routers serve (a route without an expectation
//! fails it).

use axum::Router;
use axum::handler::Handler;
use axum::routing::{delete, get, post, put};

use crate::AppState;

/// A router under construction and the (method, path) pairs it serves.
#[derive(Debug, Default)]
pub struct Routes {
    router: Router<AppState>,
    /// Where the router will be nested ("/api/v1"), for the list.
    prefix: &'static str,
    list: Vec<(&'static str, String)>,
}

impl Routes {
    pub fn new() -> Self {
        Routes::default()
    }

    /// Routes of a router that will be nested under `prefix`: paths are
    /// written relative to it, and listed in full.
    pub fn nested_under(prefix: &'static str) -> Self {
        Routes {
            prefix,
            ..Routes::default()
        }
    }

    fn listed(&mut self, method: &'static str, path: &'static str) {
        self.list.push((method, format!("{}{path}", self.prefix)));
    }

    pub fn get<H: Handler<T, AppState>, T: 'static>(
        mut self,
        path: &'static str,
        handler: H,
    ) -> Self {
        self.router = self.router.route(path, get(handler));
        self.listed("GET", path);
        self
    }

    pub fn post<H: Handler<T, AppState>, T: 'static>(
        mut self,
        path: &'static str,
        handler: H,
    ) -> Self {
        self.router = self.router.route(path, post(handler));
        self.listed("POST", path);
        self
    }

    pub fn put<H: Handler<T, AppState>, T: 'static>(
        mut self,
        path: &'static str,
        handler: H,
    ) -> Self {
        self.router = self.router.route(path, put(handler));
        self.listed("PUT", path);
        self
    }

    pub fn delete<H: Handler<T, AppState>, T: 'static>(
        mut self,
        path: &'static str,
        handler: H,
    ) -> Self {
        self.router = self.router.route(path, delete(handler));
        self.listed("DELETE", path);
        self
    }

    /// Every (method, full path) added, in the order added.
    pub fn list(&self) -> &[(&'static str, String)] {
        &self.list
    }

    pub fn into_router(self) -> Router<AppState> {
        self.router
    }
}
