//! Reading a CSV file of cases: headers matched without case, spaces or
//! punctuation, with common variants; unknown headers and unreadable rows
//! reported, not dropped.

use super::NumberedCase;
use super::facts::{FIELDS, RawCase};
use crate::csv_file;
use crate::refusal::Problem;

/// A CSV file of cases, read: the cases with their spreadsheet rows, the
/// file's own column names for each field (for messages), and the rows that
/// could not be read at all.
#[derive(Debug, Clone, Default)]
pub struct CsvCases {
    pub cases: Vec<NumberedCase>,
    /// (field, header as written in the file), in the file's order.
    pub columns: Vec<(&'static str, String)>,
    pub problems: Vec<Problem>,
}

impl CsvCases {
    /// The file's name for a field, falling back to the field's own name.
    pub fn column_name(&self, field: &str) -> String {
        self.columns
            .iter()
            .find(|(f, _)| *f == field)
            .map_or_else(|| field.replace('_', " "), |(_, h)| h.clone())
    }
}

/// Reads a CSV of cases (header row first). Headers are matched without case,
/// spaces or punctuation, with common variants ("Case ref", "CRN",
/// "Sentence", "RoSH"); an unknown header is a problem, not silently dropped.
/// Problems with the header row refuse the whole file (`Err`); a row that
/// cannot be read is reported beside the others (`CsvCases::problems`).
pub fn parse_csv(text: &str) -> Result<CsvCases, Vec<Problem>> {
    let mut reader = csv_file::reader(text);
    let problem = |row: usize, message: String| Problem::in_row(row, "file", message);
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => return Err(vec![problem(1, csv_file::row_error(&e))]),
    };
    if let Some(message) = csv_file::wrong_delimiter(&headers) {
        return Err(vec![problem(1, message)]);
    }
    let mut parsed = CsvCases::default();
    let mut problems = Vec::new();
    for header in &headers {
        match header_field(header) {
            Some(field) if parsed.columns.iter().any(|(f, _)| *f == field) => {
                problems.push(problem(
                    1,
                    format!(
                        "Column '{header}' repeats the {} column",
                        field.replace('_', " ")
                    ),
                ))
            }
            Some(field) => parsed.columns.push((field, header.trim().to_owned())),
            None => problems.push(problem(
                1,
                format!(
                    "Unknown column '{header}': expected columns are {}",
                    FIELDS.join(", ")
                ),
            )),
        }
    }
    for required in ["reference", "sentence_type"] {
        if !parsed.columns.iter().any(|(f, _)| *f == required) {
            problems.push(problem(
                1,
                format!(
                    "The header row has no {} column",
                    required.replace('_', " ")
                ),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    for (index, record) in reader.records().enumerate() {
        let row = csv_file::spreadsheet_row(index);
        match record {
            Ok(record) if record.iter().all(|v| v.trim().is_empty()) => {}
            Ok(record) => {
                let mut raw = RawCase::default();
                for ((field, _), value) in parsed.columns.iter().zip(record.iter()) {
                    raw.set(field, csv_file::restore(value).to_owned());
                }
                parsed.cases.push(NumberedCase { row, raw });
            }
            Err(e) => parsed.problems.push(problem(row, csv_file::row_error(&e))),
        }
    }
    if parsed.cases.is_empty() && parsed.problems.is_empty() {
        return Err(vec![problem(
            1,
            "The file has a header row but no cases".into(),
        )]);
    }
    Ok(parsed)
}

fn header_field(header: &str) -> Option<&'static str> {
    let key: String = header
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    Some(match key.as_str() {
        "reference" | "casereference" | "caseref" | "ref" | "crn" | "case" => "reference",
        "sentencetype" | "sentence" | "type" | "ordertype" => "sentence_type",
        "startdate" | "sentencedate" | "releasedate" | "start" => "start_date",
        "office" | "team" | "location" => "office",
        "practitionergrade" | "grade" | "practitioner" => "practitioner_grade",
        "practitionercount" | "numberofpractitioners" | "practitioners" => "practitioner_count",
        "sex" | "gender" => "sex",
        "ageatstart" | "age" => "age_at_start",
        "ethnicitygroup" | "ethnicity" | "ethnicgroup" => "ethnicity_group",
        "roshlevel" | "rosh" | "riskofseriousharm" | "riskofseriousharmlevel" => "rosh_level",
        "mappaeligible" | "mappa" | "mappaeligibility" => "mappa_eligible",
        "licenceweeks" | "licencelength" | "licencelengthweeks" | "licenceperiod"
        | "licenseweeks" | "licenselength" => "licence_weeks",
        "casetype" | "kindofcase" | "casekind" => "case_type",
        _ => return None,
    })
}
