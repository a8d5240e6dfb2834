//! Staff survey figures: a question, how many staff answered it and how
//! many of them positively, so that evidence and reports can say "19 out of
//! 36 staff". Recorded by any inspector of the team, like evidence.

use sqlx::PgPool;

use super::{Refusal, open_change, problem, text};
use crate::audit::Actor;
use crate::db;
use crate::db::audit::NewEvent;
use crate::framework::FrameworkCache;

pub const MAX_SURVEY_QUESTION_CHARS: usize = 500;
/// More staff than any probation delivery unit employs.
pub const MAX_RESPONDENTS: i32 = 100_000;

/// A survey item as typed (the form's text boxes; the API's numbers as text).
#[derive(Debug, Clone, Default)]
pub struct SurveyInput {
    pub question: String,
    pub positive: String,
    pub respondents: String,
}

pub async fn add_survey_item(
    pool: &PgPool,
    frameworks: &FrameworkCache,
    actor: &Actor,
    inspection_id: i64,
    input: &SurveyInput,
) -> Result<i64, Refusal> {
    let mut tx = pool.begin().await?;
    let change = open_change(&mut tx, frameworks, actor, inspection_id).await?;
    change.access.check_domain_one_evidence(change.status)?;
    let mut problems = Vec::new();
    let question = text(&input.question);
    match &question {
        None => problems.push(problem("", "question", "Enter the survey question")),
        Some(q) if q.chars().count() > MAX_SURVEY_QUESTION_CHARS => problems.push(problem(
            "",
            "question",
            format!("The survey question must be {MAX_SURVEY_QUESTION_CHARS} characters or fewer"),
        )),
        Some(q) if crate::text::is_multiline(q) => problems.push(problem(
            "",
            "question",
            "The survey question must be one line, without tabs or line breaks",
        )),
        Some(_) => {}
    }
    let mut number = |value: &str, part: &'static str, what: &str, min: i32| {
        let value = value.trim();
        if value.is_empty() {
            problems.push(problem("", part, format!("Enter the number of {what}")));
            return None;
        }
        match value.parse::<i32>() {
            Ok(n) if (min..=MAX_RESPONDENTS).contains(&n) => Some(n),
            _ => {
                problems.push(problem(
                    "",
                    part,
                    format!("The number of {what} must be a whole number from {min} to {MAX_RESPONDENTS}"),
                ));
                None
            }
        }
    };
    let positive = number(
        &input.positive,
        "positive",
        "staff who answered positively",
        0,
    );
    let respondents = number(&input.respondents, "respondents", "staff who answered", 1);
    if let (Some(p), Some(r)) = (positive, respondents)
        && p > r
    {
        problems.push(problem(
            "",
            "positive",
            "The number who answered positively cannot be more than the number who answered",
        ));
    }
    let (Some(question), Some(positive), Some(respondents), true) =
        (question, positive, respondents, problems.is_empty())
    else {
        return Err(Refusal::Invalid(problems));
    };
    let id = match db::domain_one::add_survey_item(
        &mut tx,
        inspection_id,
        &question,
        positive,
        respondents,
        actor.id,
    )
    .await
    {
        Ok(id) => id,
        Err(e) if db::violates(&e, db::domain_one::SURVEY_QUESTION_KEY) => {
            return Err(Refusal::Invalid(vec![problem(
                "",
                "question",
                "This survey question is already recorded",
            )]));
        }
        Err(e) => return Err(e.into()),
    };
    let event = NewEvent {
        inspection_id,
        entity: "staff_survey",
        field: Some("item"),
        new_value: Some(format!("{question}: {positive} out of {respondents} staff")),
        ..NewEvent::default()
    };
    db::audit::append(&mut tx, actor.id, &actor.label, &[event]).await?;
    tx.commit().await?;
    Ok(id)
}

/// Removes a survey item that no evidence quotes: the inspector who
/// recorded it, or the lead.
pub async fn remove_survey_item(
    pool: &PgPool,
    frameworks: &FrameworkCache,
    actor: &Actor,
    inspection_id: i64,
    item_id: i64,
) -> Result<(), Refusal> {
    let mut tx = pool.begin().await?;
    let change = open_change(&mut tx, frameworks, actor, inspection_id).await?;
    change.access.check_domain_one_evidence(change.status)?;
    let item = db::domain_one::survey_items(&mut tx, inspection_id)
        .await?
        .into_iter()
        .find(|i| i.id == item_id)
        .ok_or(Refusal::NotFound)?;
    // The same rule as evidence bullets: the owner or the lead.
    if !change.access.is_lead() && item.added_by != actor.id {
        return Err(Refusal::Forbidden);
    }
    let citations = db::domain_one::survey_citations(&mut tx, item_id).await?;
    if citations > 0 {
        return Err(Refusal::Invalid(vec![problem(
            "",
            "survey_item",
            format!(
                "'{}' is quoted by {citations} evidence {}: remove {} first",
                item.question,
                if citations == 1 { "bullet" } else { "bullets" },
                if citations == 1 { "it" } else { "them" },
            ),
        )]));
    }
    db::domain_one::remove_survey_item(&mut tx, inspection_id, item_id).await?;
    let event = NewEvent {
        inspection_id,
        entity: "staff_survey",
        field: Some("item"),
        old_value: Some(format!("{}: {}", item.question, item.figure())),
        ..NewEvent::default()
    };
    db::audit::append(&mut tx, actor.id, &actor.label, &[event]).await?;
    tx.commit().await?;
    Ok(())
}
