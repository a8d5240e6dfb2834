//! Who may do what, and when (the inspection lifecycle). Pure rules over a
//! caller's roles; the data they need is loaded by [`load`].
//!
//! | | read | mark a case | add cases, assign, members, domain one, status |
//! |---|---|---|---|
//! | administrator, viewer (default role) | every inspection | no | no |
//! | viewer member | that inspection | no | no |
//! | inspector or local assessor member | that inspection | cases assigned to them | no |
//! | quality lead member | that inspection | no (second-marks its QA sample) | no |
//! | lead member | that inspection | every case | yes |
//!
//! Quality assurance (the QA sample, second marking, adjudication) is the
//! lead's and the quality lead's, in fieldwork and moderation; a second
//! marker marks only the cases they were named for.
//!
//! Someone who may not read an inspection is answered as if it did not exist
//! (404), so ids cannot be enumerated; refusals of what a person can see but
//! not change are 403.
//!
//! Lifecycle: setup → fieldwork → moderation → published. Cases are marked in
//! fieldwork; in moderation only the lead changes judgements; published locks
//! everything until a lead reopens it with a reason.

use sqlx::PgConnection;

use crate::audit::Actor;
use crate::db;
use crate::vocab::{InspectionStatus, MemberRole, UserRole};

/// A caller's standing in one inspection.
#[derive(Debug, Clone, Copy)]
pub struct Access {
    system: bool,
    user_id: Option<i64>,
    role: Option<UserRole>,
    pub member: Option<MemberRole>,
}

/// Why access is denied: the caller's rights (403) or the inspection's
/// stage (409). Services pass it on as a [`crate::refusal::Refusal`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denied {
    Forbidden,
    Locked(String),
}

impl From<Denied> for crate::refusal::Refusal {
    fn from(denied: Denied) -> Self {
        match denied {
            Denied::Forbidden => crate::refusal::Refusal::Forbidden,
            Denied::Locked(message) => crate::refusal::Refusal::Locked(message),
        }
    }
}

impl Access {
    pub fn can_read(&self) -> bool {
        self.system
            || self.member.is_some()
            || matches!(self.role, Some(UserRole::Administrator | UserRole::Viewer))
    }

    pub fn is_lead(&self) -> bool {
        self.system || self.member == Some(MemberRole::Lead)
    }

    /// May this caller mark a case assigned to `assigned_to`, ignoring the stage?
    pub fn may_mark(&self, assigned_to: Option<i64>) -> bool {
        self.is_lead()
            || (matches!(
                self.member,
                Some(MemberRole::Inspector | MemberRole::LocalAssessor)
            ) && assigned_to.is_some()
                && assigned_to == self.user_id)
    }

    /// The membership a first marking is recorded under, if the caller
    /// marks as a member (a system import does not).
    pub fn marking_as(&self) -> Option<(i64, MemberRole)> {
        match (self.user_id, self.member) {
            (
                Some(id),
                Some(role @ (MemberRole::Lead | MemberRole::Inspector | MemberRole::LocalAssessor)),
            ) => Some((id, role)),
            _ => None,
        }
    }

    pub fn user_id(&self) -> Option<i64> {
        self.user_id
    }

    /// Picking a QA sample or adjudicating: the lead or the quality lead,
    /// in fieldwork or moderation.
    pub fn check_quality_assurance(&self, status: InspectionStatus) -> Result<(), Denied> {
        if !(self.is_lead() || self.member == Some(MemberRole::QualityLead)) {
            return Err(Denied::Forbidden);
        }
        qa_stage(status)
    }

    /// Second-marking a case: only its named second marker, in fieldwork or
    /// moderation.
    pub fn check_second_marking(
        &self,
        status: InspectionStatus,
        second_marker: i64,
    ) -> Result<(), Denied> {
        if self.user_id != Some(second_marker) {
            return Err(Denied::Forbidden);
        }
        qa_stage(status)
    }

    /// Marking a case at this stage of the inspection.
    pub fn check_marking(
        &self,
        status: InspectionStatus,
        assigned_to: Option<i64>,
    ) -> Result<(), Denied> {
        if !self.may_mark(assigned_to) {
            return Err(Denied::Forbidden);
        }
        match status {
            InspectionStatus::Fieldwork => Ok(()),
            InspectionStatus::Moderation if self.is_lead() => Ok(()),
            InspectionStatus::Moderation => Err(Denied::Locked(
                "The inspection is in moderation: only the lead inspector can change judgements"
                    .into(),
            )),
            InspectionStatus::Setup => Err(Denied::Locked(
                "Marking starts when the lead inspector moves the inspection to fieldwork".into(),
            )),
            InspectionStatus::Published => Err(published()),
        }
    }

    /// A lead's change (domain one, members, assignments) at this stage.
    pub fn check_lead_change(&self, status: InspectionStatus) -> Result<(), Denied> {
        if !self.is_lead() {
            return Err(Denied::Forbidden);
        }
        if status == InspectionStatus::Published {
            return Err(published());
        }
        Ok(())
    }

    /// Adding or removing domain one evidence or staff survey figures: every
    /// inspector of the team gathers evidence, until moderation; then only
    /// the lead (as for case judgements).
    pub fn check_domain_one_evidence(&self, status: InspectionStatus) -> Result<(), Denied> {
        if self.is_lead() {
            return self.check_lead_change(status);
        }
        if self.member != Some(MemberRole::Inspector) {
            return Err(Denied::Forbidden);
        }
        match status {
            InspectionStatus::Setup | InspectionStatus::Fieldwork => Ok(()),
            InspectionStatus::Moderation => Err(Denied::Locked(
                "The inspection is in moderation: only the lead inspector can change domain one"
                    .into(),
            )),
            InspectionStatus::Published => Err(published()),
        }
    }

    /// Judging a domain one standard's key questions: the lead, or the
    /// inspector the lead named for that standard (`judge_id`).
    pub fn check_domain_one_judging(
        &self,
        status: InspectionStatus,
        judge_id: Option<i64>,
    ) -> Result<(), Denied> {
        if self.is_lead() {
            return self.check_lead_change(status);
        }
        if self.member != Some(MemberRole::Inspector)
            || judge_id.is_none()
            || judge_id != self.user_id
        {
            return Err(Denied::Forbidden);
        }
        self.check_domain_one_evidence(status)
    }

    /// Adding cases to the sample: before moderation only.
    pub fn check_adding_cases(&self, status: InspectionStatus) -> Result<(), Denied> {
        if !self.is_lead() {
            return Err(Denied::Forbidden);
        }
        match status {
            InspectionStatus::Setup | InspectionStatus::Fieldwork => Ok(()),
            InspectionStatus::Moderation => Err(Denied::Locked(
                "Cases cannot be added once the inspection is in moderation".into(),
            )),
            InspectionStatus::Published => Err(published()),
        }
    }
}

fn qa_stage(status: InspectionStatus) -> Result<(), Denied> {
    match status {
        InspectionStatus::Fieldwork | InspectionStatus::Moderation => Ok(()),
        InspectionStatus::Setup => Err(Denied::Locked(
            "Quality assurance starts when the inspection moves to fieldwork".into(),
        )),
        InspectionStatus::Published => Err(published()),
    }
}

fn published() -> Denied {
    Denied::Locked("The inspection is published: its judgements and ratings are locked".into())
}

/// Whether a caller with this default role may start an inspection.
pub fn may_create_inspection(actor: &Actor) -> bool {
    actor.is_system() || actor.role == Some(UserRole::Lead)
}

/// The inspection's stage and the caller's standing in it, for a change:
/// the inspection row is locked for writing until the transaction ends (see
/// `db::inspections::status_for_write`); `None` if there is no such
/// inspection.
pub async fn stage_and_standing(
    conn: &mut PgConnection,
    actor: &Actor,
    inspection_id: i64,
) -> Result<Option<(InspectionStatus, Access)>, sqlx::Error> {
    let Some(status) = db::inspections::status_for_write(conn, inspection_id).await? else {
        return Ok(None);
    };
    Ok(Some((status, load(conn, actor, inspection_id).await?)))
}

/// For a change to a case: its inspection, that inspection's stage (locked
/// for writing until the transaction ends) and the caller's standing in it.
/// Not found, as if it did not exist, unless the caller may read it.
pub async fn for_case_change(
    conn: &mut PgConnection,
    actor: &Actor,
    case_id: i64,
) -> Result<(i64, InspectionStatus, Access), crate::refusal::Refusal> {
    use crate::refusal::Refusal;
    let inspection_id = db::cases::inspection_of(&mut *conn, case_id)
        .await?
        .ok_or(Refusal::NotFound)?;
    let (status, access) = stage_and_standing(conn, actor, inspection_id)
        .await?
        .ok_or(Refusal::NotFound)?;
    if !access.can_read() {
        return Err(Refusal::NotFound);
    }
    Ok((inspection_id, status, access))
}

/// Loads a caller's standing in an inspection.
pub async fn load(
    conn: &mut PgConnection,
    actor: &Actor,
    inspection_id: i64,
) -> Result<Access, sqlx::Error> {
    let member = match actor.id {
        Some(user_id) => db::members::membership(conn, inspection_id, user_id).await?,
        None => None,
    };
    Ok(Access {
        system: actor.is_system(),
        user_id: actor.id,
        role: actor.role,
        member,
    })
}

/// The allowed moves of the lifecycle. Reopening a published inspection
/// needs a written reason.
pub fn check_transition(
    from: InspectionStatus,
    to: InspectionStatus,
    reason: Option<&str>,
) -> Result<(), String> {
    use InspectionStatus::*;
    let allowed = matches!(
        (from, to),
        (Setup, Fieldwork)
            | (Fieldwork, Setup)
            | (Fieldwork, Moderation)
            | (Moderation, Fieldwork)
            | (Moderation, Published)
            | (Published, Moderation)
    );
    if !allowed {
        return Err(format!(
            "An inspection cannot move from {} to {}",
            from.label().to_lowercase(),
            to.label().to_lowercase()
        ));
    }
    if from == Published && reason.is_none_or(|r| r.trim().is_empty()) {
        return Err("Give a reason for reopening a published inspection".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use InspectionStatus::*;

    fn member(role: Option<MemberRole>) -> Access {
        Access {
            system: false,
            user_id: Some(7),
            role: Some(UserRole::Inspector),
            member: role,
        }
    }

    #[test]
    fn inspectors_mark_their_own_cases_in_fieldwork_only() {
        let inspector = member(Some(MemberRole::Inspector));
        assert_eq!(inspector.check_marking(Fieldwork, Some(7)), Ok(()));
        assert_eq!(
            inspector.check_marking(Fieldwork, Some(8)),
            Err(Denied::Forbidden)
        );
        assert_eq!(
            inspector.check_marking(Fieldwork, None),
            Err(Denied::Forbidden)
        );
        assert!(matches!(
            inspector.check_marking(Moderation, Some(7)),
            Err(Denied::Locked(_))
        ));
        assert!(matches!(
            inspector.check_marking(Published, Some(7)),
            Err(Denied::Locked(_))
        ));
        let lead = member(Some(MemberRole::Lead));
        assert_eq!(lead.check_marking(Moderation, Some(8)), Ok(()));
        assert!(matches!(
            lead.check_marking(Published, None),
            Err(Denied::Locked(_))
        ));
        assert_eq!(
            member(Some(MemberRole::Viewer)).check_marking(Fieldwork, Some(7)),
            Err(Denied::Forbidden)
        );
    }

    #[test]
    fn domain_one_judges_are_the_lead_and_the_named_inspector() {
        let inspector = member(Some(MemberRole::Inspector));
        assert_eq!(
            inspector.check_domain_one_judging(Fieldwork, Some(7)),
            Ok(())
        );
        assert_eq!(inspector.check_domain_one_judging(Setup, Some(7)), Ok(()));
        assert_eq!(
            inspector.check_domain_one_judging(Fieldwork, Some(8)),
            Err(Denied::Forbidden)
        );
        assert_eq!(
            inspector.check_domain_one_judging(Fieldwork, None),
            Err(Denied::Forbidden)
        );
        assert!(matches!(
            inspector.check_domain_one_judging(Moderation, Some(7)),
            Err(Denied::Locked(_))
        ));
        let lead = member(Some(MemberRole::Lead));
        assert_eq!(lead.check_domain_one_judging(Moderation, None), Ok(()));
        assert!(matches!(
            lead.check_domain_one_judging(Published, None),
            Err(Denied::Locked(_))
        ));
        assert_eq!(inspector.check_domain_one_evidence(Fieldwork), Ok(()));
        assert_eq!(
            member(Some(MemberRole::Viewer)).check_domain_one_evidence(Fieldwork),
            Err(Denied::Forbidden)
        );
        assert!(matches!(
            inspector.check_domain_one_evidence(Published),
            Err(Denied::Locked(_))
        ));
    }

    #[test]
    fn transitions() {
        assert!(check_transition(Setup, Fieldwork, None).is_ok());
        assert!(check_transition(Setup, Published, None).is_err());
        assert!(check_transition(Published, Moderation, None).is_err());
        assert!(
            check_transition(
                Published,
                Moderation,
                Some("Factual accuracy challenge upheld")
            )
            .is_ok()
        );
        assert!(check_transition(Published, Fieldwork, Some("x")).is_err());
    }
}
