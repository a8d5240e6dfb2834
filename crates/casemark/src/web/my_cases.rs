//! `/my-cases`: the cases assigned to the person signed in.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;

use super::{Nav, WebError};
use crate::auth::CurrentUser;
use crate::db::cases::AssignedCase;
use crate::{AppState, db};

#[derive(Template, WebTemplate)]
#[template(path = "my_cases.html")]
pub struct MyCasesPage {
    nav: Nav,
    cases: Vec<AssignedCase>,
}

pub async fn my_cases(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<MyCasesPage, WebError> {
    let mut conn = state.pool.acquire().await?;
    Ok(MyCasesPage {
        nav: Nav::from(&user),
        cases: db::cases::assigned_to(&mut conn, user.id()).await?,
    })
}
