//! Pages under `/cases/{id}`, one module per URL, and what they share: the
//! case loaded with its inspection, framework and answers, and how a
//! marking problem names its form field.

pub mod facts;
pub mod outcomes;
pub mod page;
pub mod question_set;
pub mod replace;
pub mod second_marking;
pub mod standards;
pub mod watch;

use std::sync::Arc;

use crate::access::{self, Denied};
use crate::auth::CurrentUser;
use crate::db::answers::CaseAnswers;
use crate::db::cases::Case;
use crate::db::inspections::Inspection;
use crate::framework::Framework;
use crate::marking::Submission;
use crate::refusal::{Field, Problem};
use crate::web::filters::dom_id;
use crate::web::form::FormErrors;
use crate::web::{Nav, WebError};
use crate::{AppState, db};

/// Everything a marking page shows about its case.
struct Loaded {
    case: Case,
    inspection: Inspection,
    framework: Arc<Framework>,
    answers: CaseAnswers,
    nav: Nav,
    /// Why the user cannot change this case now, if they cannot.
    read_only: Option<String>,
    /// The user may choose the case's question set (the lead, until published).
    may_choose_set: bool,
    /// The user may replace the case with a reserve (the lead, before
    /// moderation, for a case drawn from a long list and not yet replaced).
    may_replace: bool,
}

/// A case the user may read, and their standing in its inspection: 404 if
/// there is no such case or it is not theirs to read, and the blind second
/// marker's refusal for a case they second-mark.
async fn readable_case(
    conn: &mut sqlx::PgConnection,
    user: &CurrentUser,
    case_id: i64,
) -> Result<(Case, access::Access), WebError> {
    let case = db::cases::get(&mut *conn, case_id)
        .await?
        .ok_or(WebError::NotFound)?;
    let access = access::load(&mut *conn, &user.actor(), case.inspection_id).await?;
    if !access.can_read() {
        return Err(WebError::NotFound);
    }
    crate::qa::check_not_blind_to_case(&mut *conn, &user.actor(), case_id).await?;
    Ok((case, access))
}

/// Loads a case the user may read (404 otherwise) and whether they may mark it.
async fn load(state: &AppState, user: &CurrentUser, case_id: i64) -> Result<Loaded, WebError> {
    let mut conn = state.pool.acquire().await?;
    let (case, access) = readable_case(&mut conn, user, case_id).await?;
    let inspection = db::inspections::get(&mut conn, case.inspection_id)
        .await?
        .ok_or(WebError::NotFound)?;
    let answers = db::answers::load(&mut conn, case_id).await?;
    let framework = state
        .frameworks
        .get(&mut conn, case.framework_version_id)
        .await?;
    drop(conn);
    let read_only = match access.check_marking(inspection.status, case.assigned_to) {
        Ok(()) => None,
        Err(Denied::Locked(message)) => Some(message),
        Err(Denied::Forbidden) => {
            Some("You can read this case but not change it: it is not assigned to you.".into())
        }
    };
    let may_choose_set =
        !framework.question_sets.is_empty() && access.check_lead_change(inspection.status).is_ok();
    let may_replace = case.stratum.is_some()
        && case.replaced_reason.is_none()
        && access.check_adding_cases(inspection.status).is_ok();
    // A replaced case is kept as it was, for reading only.
    let read_only = match (&case.replaced_reason, read_only) {
        (Some(reason), _) => Some(format!(
            "This case was replaced by {}: {reason}. It is no longer marked or counted.",
            case.replaced_by_reference.as_deref().unwrap_or("a reserve")
        )),
        (None, other) => other,
    };
    Ok(Loaded {
        case,
        inspection,
        framework,
        answers,
        nav: Nav::from(user),
        read_only,
        may_choose_set,
        may_replace,
    })
}

/// Reads a marking form's fields (`kq-2.1.1`, `rationale-2.1.1`,
/// `quote-2.1.1`, `prompt-2.1.1.a`, `outcome-compliance`) into a
/// submission. Other fields are not answers and are ignored. A form that
/// shows a rationale also shows its quote box, whose absence means "not
/// quoted" (an unticked box sends nothing).
fn submission_from(fields: Vec<(String, String)>) -> Submission {
    let mut submission = Submission::default();
    for (name, value) in fields {
        if let Some(code) = name.strip_prefix("kq-") {
            submission
                .key_questions
                .entry(code.to_owned())
                .or_default()
                .answer = Some(value);
        } else if let Some(code) = name.strip_prefix("rationale-") {
            let input = submission.key_questions.entry(code.to_owned()).or_default();
            input.rationale = Some(value);
            input.quote.get_or_insert(false);
        } else if let Some(code) = name.strip_prefix("quote-") {
            submission
                .key_questions
                .entry(code.to_owned())
                .or_default()
                .quote = Some(true);
        } else if let Some(code) = name.strip_prefix("prompt-") {
            submission.prompts.insert(code.to_owned(), value);
        } else if let Some(code) = name.strip_prefix("outcome-") {
            submission.outcomes.insert(code.to_owned(), value);
        } else if name == "revision" {
            // A form always says which revision it showed; junk is treated
            // as the oldest, so a doubtful save is checked, never skipped.
            submission.revision = Some(value.trim().parse().unwrap_or(0));
        }
    }
    submission
}

/// A marking problem as a form error: (field name, element id).
fn form_field(field: &Field) -> (String, String) {
    match field {
        Field::KeyQuestion(code) => (format!("kq-{code}"), format!("kq-{}", dom_id(code))),
        Field::Rationale(code) => (
            format!("rationale-{code}"),
            format!("rationale-{}", dom_id(code)),
        ),
        Field::Prompt(code) => (format!("prompt-{code}"), format!("prompt-{}", dom_id(code))),
        Field::Outcome(code) => (
            format!("outcome-{code}"),
            format!("outcome-{}", dom_id(code)),
        ),
        // The marking service names only the framework's own fields.
        other => {
            let name = other.name().unwrap_or("main-content");
            (name.to_owned(), name.to_owned())
        }
    }
}

/// Problems shown on the page of the form that was posted.
fn form_errors(problems: Vec<Problem>) -> FormErrors {
    let mut errors = FormErrors::default();
    for p in problems {
        let (field, element) = form_field(&p.field);
        errors.add(field, &element, p.message);
    }
    errors
}
