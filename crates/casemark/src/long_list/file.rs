//! Reading a long list CSV: headers matched as the case list's are
//! (ignoring case, spaces and punctuation, with common variants), every
//! row checked and every problem reported by row and column.

use chrono::NaiveDate;

use crate::csv_file;
use crate::intake::parse_date;
use crate::refusal::Problem;
use crate::vocab::{RoshLevel, SentenceType, Sex};

/// The columns, named as the API documents them.
pub const COLUMNS: [&str; 12] = [
    "crn",
    "pnc",
    "first_name",
    "last_name",
    "date_of_birth",
    "sex",
    "sentence_type",
    "rosh_level",
    "office",
    "practitioner",
    "start_date",
    "sensitive",
];

/// Columns a long list must have (a value may still be blank where the
/// method allows: a blank sex or start date excludes the case).
const REQUIRED: [&str; 6] = [
    "crn",
    "sex",
    "sentence_type",
    "office",
    "practitioner",
    "start_date",
];

/// One checked row.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ListedRow {
    pub row: usize,
    pub crn: String,
    pub pnc: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    pub sex: Option<Sex>,
    pub sentence_type: SentenceType,
    pub rosh_level: Option<RoshLevel>,
    pub office: String,
    pub practitioner: String,
    pub start_date: Option<NaiveDate>,
    pub sensitive: bool,
}

impl ListedRow {
    /// The row as the sampler reads it.
    pub fn listed(&self) -> casemark_rules::ListedCase {
        casemark_rules::ListedCase {
            row: self.row,
            crn: self.crn.clone(),
            pnc: self.pnc.clone(),
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            date_of_birth: self.date_of_birth.map(|d| d.to_string()),
            sex: self.sex.map(|s| match s {
                Sex::Female => casemark_rules::ListedSex::Female,
                Sex::Male => casemark_rules::ListedSex::Male,
            }),
            licence: self.sentence_type == SentenceType::Licence,
            rosh_low: self.rosh_level.map(|r| r == RoshLevel::Low),
            office: self.office.clone(),
            practitioner: self.practitioner.clone(),
            start_date: self.start_date.map(|d| d.to_string()),
            sensitive: self.sensitive,
        }
    }
}

fn column_of(header: &str) -> Option<&'static str> {
    let key: String = header
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    Some(match key.as_str() {
        "crn" | "reference" | "casereference" | "caseref" => "crn",
        "pnc" | "pncnumber" | "pncid" => "pnc",
        "firstname" | "forename" | "givenname" => "first_name",
        "lastname" | "surname" | "familyname" => "last_name",
        "dateofbirth" | "dob" | "birthdate" => "date_of_birth",
        "sex" | "gender" => "sex",
        "sentencetype" | "sentence" | "type" | "ordertype" => "sentence_type",
        "roshlevel" | "rosh" | "riskofseriousharm" | "riskofseriousharmlevel" => "rosh_level",
        "office" | "team" | "location" => "office",
        "practitioner" | "responsibleofficer" | "probationpractitioner" | "offendermanager" => {
            "practitioner"
        }
        "startdate" | "sentencedate" | "releasedate" | "start" => "start_date",
        "sensitive" | "sensitivecase" => "sensitive",
        _ => return None,
    })
}

/// Reads a long list. Every problem is returned, with its row and column,
/// and then nothing is kept.
pub fn parse(text: &str) -> Result<Vec<ListedRow>, Vec<Problem>> {
    let mut reader = csv_file::reader(text);
    let file = |message: String| Problem::in_row(1, "file", message);
    let headers = reader
        .headers()
        .map_err(|e| vec![file(csv_file::row_error(&e))])?
        .clone();
    if let Some(message) = csv_file::wrong_delimiter(&headers) {
        return Err(vec![file(message)]);
    }
    let mut columns: Vec<Option<&'static str>> = Vec::new();
    let mut problems = Vec::new();
    for header in &headers {
        match column_of(header) {
            Some(c) if columns.contains(&Some(c)) => {
                problems.push(file(format!("Column '{header}' appears twice")));
                columns.push(None);
            }
            Some(c) => columns.push(Some(c)),
            None => {
                problems.push(file(format!(
                    "Unknown column '{header}': the long list's columns are {}",
                    COLUMNS.join(", ")
                )));
                columns.push(None);
            }
        }
    }
    for required in REQUIRED {
        if !columns.contains(&Some(required)) {
            problems.push(file(format!(
                "The header row has no {} column",
                required.replace('_', " ")
            )));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut rows = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let row = csv_file::spreadsheet_row(index);
        match record {
            Ok(record) if record.iter().all(|v| v.trim().is_empty()) => {}
            Ok(record) => {
                let cell = |name: &str| {
                    columns
                        .iter()
                        .zip(record.iter())
                        .find(|(c, _)| **c == Some(name))
                        .map(|(_, v)| csv_file::restore(v).trim())
                        .filter(|v| !v.is_empty())
                };
                match check_row(row, &cell) {
                    Ok(listed) => rows.push(listed),
                    Err(found) => problems.extend(found),
                }
            }
            Err(e) => problems.push(Problem::in_row(row, "file", csv_file::row_error(&e))),
        }
    }
    if rows.is_empty() && problems.is_empty() {
        problems.push(file("The file has a header row but no cases".into()));
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(problems)
    }
}

fn check_row<'a>(
    row: usize,
    cell: &dyn Fn(&str) -> Option<&'a str>,
) -> Result<ListedRow, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut text = |column: &'static str, max: usize, required: Option<&str>| match cell(column) {
        None => {
            if let Some(message) = required {
                problems.push(Problem::in_row(row, column, message));
            }
            None
        }
        Some(v) if v.chars().count() > max || crate::text::is_multiline(v) => {
            problems.push(Problem::in_row(
                row,
                column,
                format!(
                    "{} must be one line of {max} characters or fewer",
                    column.replace('_', " ")
                ),
            ));
            None
        }
        Some(v) => Some(v.to_owned()),
    };
    let crn = text("crn", 50, Some("Enter the CRN"));
    let pnc = text("pnc", 100, None);
    let first_name = text("first_name", 100, None);
    let last_name = text("last_name", 100, None);
    let office = text("office", 200, Some("Enter the office"));
    let practitioner = text("practitioner", 200, Some("Enter the practitioner"));
    let mut date = |column: &'static str| match cell(column) {
        None => None,
        Some(v) => parse_date(v).or_else(|| {
            problems.push(Problem::in_row(
                row,
                column,
                format!("'{v}' must be a real date, like 2024-03-27 or 27/03/2024"),
            ));
            None
        }),
    };
    let date_of_birth = date("date_of_birth");
    let start_date = date("start_date");
    let sentence_type = match cell("sentence_type") {
        None => {
            problems.push(Problem::in_row(
                row,
                "sentence_type",
                "Enter the sentence type: community order or licence",
            ));
            None
        }
        Some(v) => v
            .parse::<SentenceType>()
            .map_err(|e| problems.push(Problem::in_row(row, "sentence_type", e.to_string())))
            .ok(),
    };
    let sex = cell("sex").and_then(|v| {
        v.parse::<Sex>()
            .map_err(|e| problems.push(Problem::in_row(row, "sex", e.to_string())))
            .ok()
    });
    let rosh_level = cell("rosh_level").and_then(|v| {
        v.parse::<RoshLevel>()
            .map_err(|e| problems.push(Problem::in_row(row, "rosh_level", e.to_string())))
            .ok()
    });
    let sensitive = match cell("sensitive").map(str::to_ascii_lowercase).as_deref() {
        None | Some("no" | "n" | "false" | "0") => false,
        Some("yes" | "y" | "true" | "1") => true,
        Some(other) => {
            problems.push(Problem::in_row(
                row,
                "sensitive",
                format!("Sensitive '{other}' must be yes or no"),
            ));
            false
        }
    };
    match (crn, sentence_type, office, practitioner) {
        (Some(crn), Some(sentence_type), Some(office), Some(practitioner))
            if problems.is_empty() =>
        {
            Ok(ListedRow {
                row,
                crn,
                pnc,
                first_name,
                last_name,
                date_of_birth,
                sex,
                sentence_type,
                rosh_level,
                office,
                practitioner,
                start_date,
                sensitive,
            })
        }
        _ => Err(problems),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_variants_and_reports_every_bad_cell() {
        let text = "CRN,PNC,Forename,Surname,DOB,Gender,Sentence,RoSH,Team,Responsible officer,Start date,Sensitive\n\
                    X1,2001/1A,Ann,Lee,1990-01-01,female,licence,low,Luton,A Smith,2026-01-10,no\n\
                    ,,,,31/02/1990,robot,parole,,Luton,,2026-01-10,maybe\n";
        let problems = parse(text).expect_err("row 3 is bad");
        let found: Vec<(Option<usize>, String)> = problems
            .iter()
            .map(|p| (p.row, p.field.name().unwrap_or_default().to_owned()))
            .collect();
        assert_eq!(
            found,
            [
                (Some(3), "crn".to_owned()),
                (Some(3), "practitioner".to_owned()),
                (Some(3), "date_of_birth".to_owned()),
                (Some(3), "sentence_type".to_owned()),
                (Some(3), "sex".to_owned()),
                (Some(3), "sensitive".to_owned()),
            ]
        );
        let good = parse(&text.lines().take(2).collect::<Vec<_>>().join("\n")).expect("row 2");
        assert_eq!(good[0].row, 2);
        assert_eq!(good[0].sex, Some(Sex::Female));
        assert_eq!(good[0].listed().rosh_low, Some(true));
    }

    #[test]
    fn a_missing_required_column_is_named() {
        let problems = parse("crn,sex\nX1,male\n").expect_err("columns missing");
        assert!(
            problems
                .iter()
                .any(|p| p.message == "The header row has no practitioner column")
        );
    }
}
