//! `/cases/{id}/replace`: the lead replaces a case drawn from the long list
//! with the next reserve of its stratum, giving the reason.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::{Loaded, load};
use crate::AppState;
use crate::auth::CurrentUser;
use crate::db::cases::Case;
use crate::db::inspections::Inspection;
use crate::extract::Id;
use crate::refusal::Refusal;
use crate::sample_draw;
use crate::web::WebError;
use crate::web::form::{Form, FormErrors};

#[derive(Template, WebTemplate)]
#[template(path = "replace.html")]
pub struct ReplacePage {
    nav: crate::web::Nav,
    case: Case,
    inspection: Inspection,
    reason: String,
    errors: FormErrors,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct ReplaceForm {
    reason: String,
}

fn page(loaded: Loaded, reason: String, errors: FormErrors) -> Result<ReplacePage, WebError> {
    let Loaded {
        case,
        inspection,
        nav,
        may_replace,
        ..
    } = loaded;
    // Only a case drawn from a long list has reserves to replace it.
    if case.stratum.is_none() {
        return Err(WebError::NotFound);
    }
    if !may_replace {
        return Err(WebError::Forbidden);
    }
    Ok(ReplacePage {
        nav,
        case,
        inspection,
        reason,
        errors,
    })
}

pub async fn form(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
) -> Result<ReplacePage, WebError> {
    page(
        load(&state, &user, id).await?,
        String::new(),
        FormErrors::default(),
    )
}

pub async fn save(
    State(state): State<AppState>,
    user: CurrentUser,
    Id(id): Id,
    Form(form): Form<ReplaceForm>,
) -> Result<Response, WebError> {
    match sample_draw::replace(&state.pool, &user.actor(), id, Some(&form.reason)).await {
        Ok(replaced) => Ok(Redirect::to(&format!(
            "/cases/{}?saved=replacement",
            replaced.replacement
        ))
        .into_response()),
        Err(Refusal::Invalid(problems)) => {
            let page = page(
                load(&state, &user, id).await?,
                form.reason,
                FormErrors::of(problems),
            )?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
