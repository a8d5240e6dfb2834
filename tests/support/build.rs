//! The one way tests make an inspection: through the API, as a lead's
//! client would, with its cases, members, assignments and marked answers,
//! then moved along its lifecycle to the status asked for.
//!
//! ```ignore
//! let built = support::build(&lead.server)
//!     .pdu("Gwent")
//!     .member("a@example.gov.uk", "inspector")
//!     .licence_cases(3)
//!     .assign(0, "a@example.gov.uk")
//!     .every_key_question(0, "yes")
//!     .status("moderation")
//!     .await_built()
//!     .await;
//! ```

use axum::http::StatusCode;
use axum_test::TestServer;
use serde_json::{Value, json};

/// The twelve domain two key questions of the starting framework.
pub const KEY_QUESTIONS: [&str; 12] = [
    "2.1.1", "2.1.2", "2.1.3", "2.2.1", "2.2.2", "2.2.3", "2.3.1", "2.3.2", "2.3.3", "2.4.1",
    "2.4.2", "2.4.3",
];

const LIFECYCLE: [&str; 4] = ["setup", "fieldwork", "moderation", "published"];

/// What was made: the inspection and its cases, in the order given.
#[derive(Debug, Clone)]
pub struct Built {
    pub id: i64,
    pub cases: Vec<i64>,
}

impl Built {
    /// (inspection, cases), for a `let` that names both.
    pub fn parts(self) -> (i64, Vec<i64>) {
        (self.id, self.cases)
    }
}

#[must_use = "an inspection is made only by .await_built()"]
pub struct InspectionBuilder<'a> {
    api: &'a TestServer,
    pdu: String,
    region: String,
    fieldwork: String,
    status: &'static str,
    cases: Vec<Value>,
    members: Vec<(String, String)>,
    assignments: Vec<(usize, String)>,
    answers: Vec<(usize, Value)>,
}

/// An inspection of Swansea (Wales) with fieldwork from 1 June 2026, in
/// fieldwork, with no cases, unless told otherwise.
pub fn build(api: &TestServer) -> InspectionBuilder<'_> {
    InspectionBuilder {
        api,
        pdu: "Swansea".into(),
        region: "Wales".into(),
        fieldwork: "2026-06-01".into(),
        status: "fieldwork",
        cases: Vec::new(),
        members: Vec::new(),
        assignments: Vec::new(),
        answers: Vec::new(),
    }
}

impl<'a> InspectionBuilder<'a> {
    pub fn pdu(mut self, pdu: &str) -> Self {
        pdu.clone_into(&mut self.pdu);
        self
    }

    pub fn region(mut self, region: &str) -> Self {
        region.clone_into(&mut self.region);
        self
    }

    /// The fieldwork start, as ISO 8601 ("2026-06-01").
    pub fn fieldwork(mut self, date: &str) -> Self {
        date.clone_into(&mut self.fieldwork);
        self
    }

    /// Where it ends in its lifecycle: setup, fieldwork, moderation or
    /// published. Cases, assignments and answers are made in fieldwork, or
    /// in setup when that is where it stays (answers cannot be).
    pub fn status(mut self, status: &'static str) -> Self {
        assert!(LIFECYCLE.contains(&status), "unknown status {status}");
        self.status = status;
        self
    }

    /// A case as the API's case body gives it.
    pub fn case(mut self, case: Value) -> Self {
        self.cases.push(case);
        self
    }

    /// `n` licence cases, referenced R000, R001, ….
    pub fn licence_cases(mut self, n: usize) -> Self {
        let first = self.cases.len();
        self.cases.extend(
            (first..first + n)
                .map(|i| json!({"reference": format!("R{i:03}"), "sentence_type": "licence"})),
        );
        self
    }

    /// A member of the team (an existing user) in `role`: lead, inspector
    /// or local_assessor.
    pub fn member(mut self, email: &str, role: &str) -> Self {
        self.members.push((email.to_owned(), role.to_owned()));
        self
    }

    /// Assigns the case at `index` (in the order given) to a member.
    pub fn assign(mut self, index: usize, email: &str) -> Self {
        self.assignments.push((index, email.to_owned()));
        self
    }

    /// Saves a judgements body (as `PUT /api/v1/cases/{id}/judgements`
    /// takes it) for the case at `index`.
    pub fn answers(mut self, index: usize, body: Value) -> Self {
        self.answers.push((index, body));
        self
    }

    /// Every key question of the case at `index` answered `answer`.
    pub fn every_key_question(self, index: usize, answer: &str) -> Self {
        let key_questions: serde_json::Map<String, Value> = KEY_QUESTIONS
            .iter()
            .map(|code| ((*code).to_owned(), json!(answer)))
            .collect();
        self.answers(index, json!({"key_questions": key_questions}))
    }

    pub async fn await_built(self) -> Built {
        let api = self.api;
        let created = api
            .post("/api/v1/inspections")
            .json(&json!({
                "pdu": self.pdu,
                "region": self.region,
                "fieldwork_start": self.fieldwork,
            }))
            .await;
        created.assert_status(StatusCode::CREATED);
        let id = created.json::<Value>()["id"].as_i64().expect("id");
        for (email, role) in &self.members {
            api.put(&format!("/api/v1/inspections/{id}/members"))
                .json(&json!({"email": email, "role": role}))
                .await
                .assert_status_ok();
        }
        let target = LIFECYCLE
            .iter()
            .position(|s| *s == self.status)
            .expect("a status");
        // Cases and assignments are made in setup when that is where it
        // stays, otherwise in fieldwork, where answers are saved.
        assert!(
            target >= 1 || self.answers.is_empty(),
            "answers are saved in fieldwork"
        );
        let at = target.min(1);
        for step in &LIFECYCLE[1..=at] {
            set_status(api, id, step).await;
        }
        let cases = if self.cases.is_empty() {
            Vec::new()
        } else {
            let added = api
                .post(&format!("/api/v1/inspections/{id}/cases"))
                .json(&self.cases)
                .await;
            added.assert_status(StatusCode::CREATED);
            added.json::<Value>()["cases"]
                .as_array()
                .expect("cases")
                .iter()
                .map(|c| c["id"].as_i64().expect("case id"))
                .collect()
        };
        for (index, email) in &self.assignments {
            api.put(&format!("/api/v1/inspections/{id}/assignments"))
                .json(&json!({"cases": [cases[*index]], "assignee": email}))
                .await
                .assert_status_ok();
        }
        for (index, body) in &self.answers {
            api.put(&format!("/api/v1/cases/{}/judgements", cases[*index]))
                .json(body)
                .await
                .assert_status_ok();
        }
        for step in &LIFECYCLE[at + 1..=target] {
            set_status(api, id, step).await;
        }
        Built { id, cases }
    }
}

async fn set_status(api: &TestServer, id: i64, status: &str) {
    api.put(&format!("/api/v1/inspections/{id}/status"))
        .json(&json!({"status": status}))
        .await
        .assert_status_ok();
}

/// Adds one case to an inspection that already exists, for a test that
/// looks at the inspection before and after; returns its id.
pub async fn add_case(
    api: &TestServer,
    inspection: i64,
    reference: &str,
    sentence_type: &str,
) -> i64 {
    let response = api
        .post(&format!("/api/v1/inspections/{inspection}/cases"))
        .json(&json!([{"reference": reference, "sentence_type": sentence_type}]))
        .await;
    response.assert_status(StatusCode::CREATED);
    response.json::<Value>()["cases"][0]["id"]
        .as_i64()
        .expect("id")
}
