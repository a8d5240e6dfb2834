//! `/admin/pdus`: the regions' probation delivery units.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::require_admin;
use crate::auth::CurrentUser;
use crate::db::places::{Pdu, Region};
use crate::web::form::{Form, FormErrors};
use crate::web::{Nav, WebError};
use crate::{AppState, db};

pub struct RegionPdus {
    region: Region,
    pdus: Vec<Pdu>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin_pdus.html")]
pub struct PdusPage {
    nav: Nav,
    regions: Vec<RegionPdus>,
    errors: FormErrors,
    notice: Option<String>,
}

async fn pdus_page(
    state: &AppState,
    user: &CurrentUser,
    errors: FormErrors,
    notice: Option<String>,
) -> Result<PdusPage, WebError> {
    let mut conn = state.pool.acquire().await?;
    let mut regions = Vec::new();
    for region in db::places::regions(&mut conn).await? {
        let pdus = db::places::pdus_in_region(&mut conn, region.id).await?;
        regions.push(RegionPdus { region, pdus });
    }
    Ok(PdusPage {
        nav: Nav::from(user),
        regions,
        errors,
        notice,
    })
}

pub async fn pdus(State(state): State<AppState>, user: CurrentUser) -> Result<PdusPage, WebError> {
    require_admin(&user)?;
    let notice = crate::web::flash::take(&state, &user).await?;
    pdus_page(&state, &user, FormErrors::default(), notice).await
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct NewPduForm {
    region: String,
    name: String,
}

pub async fn add_pdu(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<NewPduForm>,
) -> Result<Response, WebError> {
    require_admin(&user)?;
    let mut errors = FormErrors::default();
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 200 || crate::text::is_multiline(name) {
        errors.add(
            "name",
            "name",
            "Enter the PDU name on one line (200 characters or fewer)",
        );
    }
    let mut tx = state.pool.begin().await?;
    let region = match form.region.parse::<i16>() {
        Ok(id) => db::places::region(&mut tx, id).await?,
        Err(_) => None,
    };
    if region.is_none() {
        errors.add("region", "region", "Select the region");
    }
    if let (Some(region), true) = (region, errors.is_empty()) {
        let (pdu, created) = db::places::find_or_create_pdu(&mut tx, region.id, name).await?;
        if created {
            crate::security::pdu_added(&mut tx, &user.actor(), &pdu).await?;
        }
        tx.commit().await?;
        let notice = format!("{} is a PDU of {}", pdu.name, region.name);
        return crate::web::flash::redirect(&state, &user, "/admin/pdus", &notice).await;
    }
    drop(tx);
    let page = pdus_page(&state, &user, errors, None).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}
