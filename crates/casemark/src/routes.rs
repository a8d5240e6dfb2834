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
    list: Vec<(&'static str, &'static str)>,
}

impl Routes {
    pub fn new() -> Self {
        Routes::default()
    }

    pub fn get<H: Handler<T, AppState>, T: 'static>(
        mut self,
        path: &'static str,
        handler: H,
    ) -> Self {
        self.router = self.router.route(path, get(handler));
        self.list.push(("GET", path));
        self
    }

    pub fn post<H: Handler<T, AppState>, T: 'static>(
        mut self,
        path: &'static str,
        handler: H,
    ) -> Self {
        self.router = self.router.route(path, post(handler));
        self.list.push(("POST", path));
        self
    }

    pub fn put<H: Handler<T, AppState>, T: 'static>(
        mut self,
        path: &'static str,
        handler: H,
    ) -> Self {
        self.router = self.router.route(path, put(handler));
        self.list.push(("PUT", path));
        self
    }

    pub fn delete<H: Handler<T, AppState>, T: 'static>(
        mut self,
        path: &'static str,
        handler: H,
    ) -> Self {
        self.router = self.router.route(path, delete(handler));
        self.list.push(("DELETE", path));
        self
    }

    /// Every (method, path) added, in the order added.
    pub fn list(&self) -> &[(&'static str, &'static str)] {
        &self.list
    }

    pub fn into_router(self) -> Router<AppState> {
        self.router
    }
}
