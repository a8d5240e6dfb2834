//! Who is making a change: recorded in the audit trail and checked against
//! what they may do.

use crate::vocab::UserRole;

/// The person (or process) a change is made by.
#[derive(Debug, Clone)]
pub struct Actor {
    /// `None` for the command line and the demo loader, which act with every
    /// right (the lifecycle still applies to them).
    pub id: Option<i64>,
    pub label: String,
    pub role: Option<UserRole>,
}

impl Actor {
    pub fn system(label: &str) -> Actor {
        Actor {
            id: None,
            label: label.to_owned(),
            role: None,
        }
    }

    pub fn is_system(&self) -> bool {
        self.id.is_none()
    }
}
