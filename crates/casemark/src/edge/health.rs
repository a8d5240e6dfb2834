//! Health endpoints, outside sign-in: `/healthz` says the process is up and
//! serving (it touches nothing else, so a database outage does not get the
//! process restarted); `/readyz` says whether it can do useful work now,
//! which means reaching PostgreSQL.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::{AppState, db};

/// How long readiness waits for the database before saying no.
const READY_WITHIN: Duration = Duration::from_secs(2);

pub async fn healthz() -> &'static str {
    "ok\n"
}

pub async fn readyz(State(state): State<AppState>) -> Response {
    let check = async {
        let mut conn = state.pool.acquire().await?;
        db::ping(&mut conn).await
    };
    let reason = match tokio::time::timeout(READY_WITHIN, check).await {
        Ok(Ok(())) => return Json(json!({"status": "ready"})).into_response(),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "not ready: database unavailable");
            "database unavailable".to_owned()
        }
        Err(_) => format!(
            "database did not answer within {} s",
            READY_WITHIN.as_secs()
        ),
    };
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(json!({"status": "not ready", "reason": reason})),
    )
        .into_response()
}
