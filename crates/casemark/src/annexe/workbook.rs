//! The data annexe as an Excel workbook, laid out like the annexes published
//! with inspection reports: Ratings, Key questions, Prompts, Breakdowns and
//! Cases, then domain one's key questions with their evidence, and the staff
//! survey figures. Built from data already loaded, so it is pure and testable; an
//! inspection's workbook is tens of kilobytes, so it is built whole.
//!
//! Text goes in as text cells (never formulas), so a case note beginning
//! with "=" is shown, not run.
//!
//! Longer than most modules (about 500 lines) on purpose: the sheets share
//! their formats, column widths and cell helpers, and read best one after
//! another in the order the workbook shows them.

use casemark_rules::Counts;
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use super::{InspectionData, fact_cells};
use crate::framework::KeyQuestion;
use crate::ratings::InspectionRatings;
use crate::vocab::{Answer, PractitionerGrade, SentenceType, Sex};

/// The sheets, in order.
pub const SHEETS: [&str; 9] = [
    "Ratings",
    "Key questions",
    "Prompts",
    "Breakdowns",
    "Cases",
    "Domain one",
    "Staff survey",
    "Quality assurance",
    "Fieldwork",
];

pub(super) struct Styles {
    pub(super) bold: Format,
    pub(super) title: Format,
    pub(super) percent: Format,
    date: Format,
    pub(super) wrap: Format,
}

impl Styles {
    fn new() -> Self {
        Styles {
            bold: Format::new().set_bold(),
            title: Format::new().set_bold().set_font_size(14),
            percent: Format::new().set_num_format("0%"),
            date: Format::new().set_num_format("d mmmm yyyy"),
            wrap: Format::new().set_text_wrap(),
        }
    }
}

/// The workbook's bytes.
pub fn build(
    data: &InspectionData,
    ratings: &InspectionRatings,
    qa: &crate::qa::Report,
    fieldwork: &crate::fieldwork::Board,
) -> Result<Vec<u8>, XlsxError> {
    let styles = Styles::new();
    let mut workbook = Workbook::new();
    ratings_sheet(workbook.add_worksheet(), &styles, data, ratings)?;
    key_questions_sheet(workbook.add_worksheet(), &styles, ratings)?;
    prompts_sheet(workbook.add_worksheet(), &styles, ratings)?;
    breakdowns_sheet(workbook.add_worksheet(), &styles, data)?;
    cases_sheet(workbook.add_worksheet(), &styles, data)?;
    domain_one_sheet(workbook.add_worksheet(), &styles, data)?;
    survey_sheet(workbook.add_worksheet(), &styles, data)?;
    super::qa_sheet::build(workbook.add_worksheet(), &styles, SHEETS[7], qa)?;
    fieldwork_sheet(workbook.add_worksheet(), &styles, fieldwork)?;
    workbook.save_to_buffer()
}

/// A one-sheet workbook of a table: the header in bold, then the rows
/// (whole numbers as numbers), for tables offered as files (the PDU
/// ratings table).
pub fn table(name: &str, header: &[String], rows: &[Vec<String>]) -> Result<Vec<u8>, XlsxError> {
    let styles = Styles::new();
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(name)?;
    let titles: Vec<&str> = header.iter().map(String::as_str).collect();
    super::workbook::header(sheet, &styles, 0, &titles)?;
    for (row, cells) in (1u32..).zip(rows) {
        for (col, cell) in (0u16..).zip(cells) {
            match cell.parse::<u32>() {
                Ok(n) => sheet.write_number(row, col, f64::from(n))?,
                Err(_) => sheet.write_string(row, col, cell)?,
            };
        }
    }
    sheet.set_column_width(0, 28)?;
    sheet.set_freeze_panes(1, 1)?;
    workbook.save_to_buffer()
}

/// The control board's figures as the workbook was made: progress, each
/// marker's cases, stale cases and the sample's profile.
fn fieldwork_sheet(
    sheet: &mut Worksheet,
    styles: &Styles,
    board: &crate::fieldwork::Board,
) -> Result<(), XlsxError> {
    sheet.set_name(SHEETS[8])?;
    sheet.write_string_with_format(0, 0, "Fieldwork", &styles.title)?;
    let progress = [
        ("Fieldwork start", board.fieldwork_start.to_string()),
        ("Days elapsed", board.days_elapsed.to_string()),
        ("Days in the plan", board.plan_days.to_string()),
        ("Cases", board.cases_total.to_string()),
        ("Cases complete", board.cases_complete.to_string()),
        (
            "Complete by today in the plan",
            board.expected_complete.to_string(),
        ),
    ];
    for (row, (label, value)) in (1u32..).zip(progress) {
        sheet.write_string(row, 0, label)?;
        sheet.write_string(row, 1, value)?;
    }
    let mut row = 8;
    header(
        sheet,
        styles,
        row,
        &[
            "Marker",
            "Role",
            "Assigned",
            "Not started",
            "In progress",
            "Complete",
            "Oldest untouched",
            "Days since assigned",
        ],
    )?;
    for m in &board.markers {
        row += 1;
        sheet.write_string(row, 0, &m.name)?;
        sheet.write_string(row, 1, m.role.label())?;
        for (col, n) in [
            (2, m.assigned),
            (3, m.not_started),
            (4, m.in_progress),
            (5, m.complete),
        ] {
            sheet.write_number(row, col, n as f64)?;
        }
        if let Some((reference, days)) = &m.oldest_untouched {
            sheet.write_string(row, 6, reference)?;
            sheet.write_number(row, 7, *days as f64)?;
        }
    }
    row += 2;
    let stale = format!("Cases with no save for {} days or more", board.stale_days);
    header(sheet, styles, row, &[stale.as_str(), "Assigned to", "Days"])?;
    for c in &board.stale {
        row += 1;
        sheet.write_string(row, 0, &c.reference)?;
        sheet.write_string(row, 1, &c.assignee)?;
        sheet.write_number(row, 2, c.days as f64)?;
    }
    row += 2;
    header(
        sheet,
        styles,
        row,
        &[
            "Fact",
            "Value",
            "Sample",
            "Share of the sample",
            "Long list",
            "Share of the long list",
        ],
    )?;
    for p in &board.profile {
        row += 1;
        sheet.write_string(row, 0, p.dimension)?;
        sheet.write_string(row, 1, &p.value)?;
        sheet.write_number(row, 2, p.sample as f64)?;
        if let Some(share) = p.sample_share {
            sheet.write_number_with_format(row, 3, f64::from(share) / 10_000.0, &styles.percent)?;
        }
        if let Some(n) = p.long_list {
            sheet.write_number(row, 4, n as f64)?;
        }
        if let Some(share) = p.long_list_share {
            sheet.write_number_with_format(row, 5, f64::from(share) / 10_000.0, &styles.percent)?;
        }
    }
    sheet.set_column_width(0, 32)?;
    Ok(())
}

pub(super) fn header(
    sheet: &mut Worksheet,
    styles: &Styles,
    row: u32,
    titles: &[&str],
) -> Result<(), XlsxError> {
    for (col, title) in (0u16..).zip(titles) {
        sheet.write_string_with_format(row, col, *title, &styles.bold)?;
    }
    Ok(())
}

fn ratings_sheet(
    sheet: &mut Worksheet,
    styles: &Styles,
    data: &InspectionData,
    ratings: &InspectionRatings,
) -> Result<(), XlsxError> {
    let inspection = &data.inspection;
    sheet.set_name(SHEETS[0])?;
    sheet.write_string_with_format(
        0,
        0,
        // A region inspection's name is already "North West region".
        if inspection.of_region {
            format!("{} inspection: ratings", inspection.pdu_name)
        } else {
            format!("{} PDU inspection: ratings", inspection.pdu_name)
        },
        &styles.title,
    )?;
    sheet.write_string(1, 0, "Region")?;
    sheet.write_string(1, 1, &inspection.region_name)?;
    sheet.write_string(2, 0, "Fieldwork started")?;
    sheet.write_with_format(2, 1, &inspection.fieldwork_start, &styles.date)?;
    sheet.write_string(3, 0, "Cases marked complete")?;
    sheet.write_string(
        3,
        1,
        format!("{} of {}", ratings.cases_complete, ratings.cases_total),
    )?;
    if ratings.provisional {
        sheet.write_string(
            4,
            0,
            "Provisional: not every case in the sample is marked complete",
        )?;
    }
    header(
        sheet,
        styles,
        6,
        &["Standard", "Name", "Rating", "Score", "Explanation"],
    )?;
    let mut row = 7;
    for standard in &ratings.standards {
        sheet.write_string(row, 0, &standard.code)?;
        sheet.write_string(row, 1, &standard.name)?;
        if let Some(outlook) = &standard.outlook {
            sheet.write_string_with_format(row, 4, &outlook.explanation, &styles.wrap)?;
        }
        match standard.rating {
            Some(rating) => {
                sheet.write_string(row, 2, rating.label())?;
                match standard.score() {
                    Some(score) => sheet.write_number(row, 3, score)?,
                    None => sheet.write_string(row, 3, "Not scored")?,
                };
            }
            None => match standard.provisional_proposal() {
                Some(proposed) => {
                    sheet.write_string(
                        row,
                        2,
                        format!("Proposed: {} (not confirmed)", proposed.label()),
                    )?;
                }
                None => {
                    sheet.write_string(row, 2, "Not rated yet")?;
                }
            },
        }
        row += 1;
    }
    sheet.write_string_with_format(row, 0, "Total score", &styles.bold)?;
    match ratings.score {
        Some(score) => {
            sheet.write_string(row, 2, format!("{score} out of {}", ratings.max_score))?
        }
        None => sheet.write_string(row, 2, "Not every standard is rated yet")?,
    };
    if let Some(score) = ratings.score {
        sheet.write_number(row, 3, score)?;
    }
    sheet.write_string_with_format(row + 1, 0, "Overall rating", &styles.bold)?;
    sheet.write_string(
        row + 1,
        2,
        ratings.overall.map_or("Not rated yet", |r| r.label()),
    )?;
    sheet.set_column_width(0, 20)?;
    sheet.set_column_width(1, 40)?;
    sheet.set_column_width(2, 24)?;
    sheet.set_column_width(4, 80)?;
    Ok(())
}

fn key_questions_sheet(
    sheet: &mut Worksheet,
    styles: &Styles,
    ratings: &InspectionRatings,
) -> Result<(), XlsxError> {
    sheet.set_name(SHEETS[1])?;
    header(
        sheet,
        styles,
        0,
        &[
            "Standard",
            "Key question",
            "Area",
            "Question",
            "Yes",
            "No",
            "N/A",
            "Judged (Yes + No)",
            "Percentage Yes",
            "Drives the standard's rating",
            "More Yes to reach the band above",
            "Fewer Yes to fall to the band below",
            "95% interval, low",
            "95% interval, high",
            "Small sample (under 20 judged)",
            "Cases not yet answered",
            "Percentage if all were No",
            "Percentage if all were Yes",
            "Cases asked (their question set includes it)",
        ],
    )?;
    let mut row = 1;
    for standard in ratings.standards.iter().filter(|s| !s.from_evidence()) {
        for kq in &standard.key_questions {
            sheet.write_string(row, 0, format!("{} {}", standard.code, standard.name))?;
            sheet.write_string(row, 1, &kq.code)?;
            sheet.write_string(row, 2, kq.area.label())?;
            sheet.write_string_with_format(row, 3, &kq.text, &styles.wrap)?;
            counts(sheet, row, 4, kq.counts)?;
            if kq.driving {
                sheet.write_string(row, 9, "Yes (lowest)")?;
            }
            let outlook = &kq.outlook;
            for (col, changes) in [(10, outlook.margin.up), (11, outlook.margin.down)] {
                if let Some(changes) = changes {
                    sheet.write_number(row, col, changes)?;
                }
            }
            let percents = [
                (8, kq.percent),
                (12, outlook.interval.map(|i| i.low)),
                (13, outlook.interval.map(|i| i.high)),
                (16, outlook.range.map(|r| r.worst)),
                (17, outlook.range.map(|r| r.best)),
            ];
            for (col, percent) in percents {
                if let Some(percent) = percent {
                    sheet.write_number_with_format(
                        row,
                        col,
                        f64::from(percent) / 100.0,
                        &styles.percent,
                    )?;
                }
            }
            if outlook.small_sample {
                sheet.write_string(row, 14, "Yes")?;
            }
            sheet.write_number(row, 15, outlook.unjudged)?;
            sheet.write_number(row, 18, kq.applicable)?;
            row += 1;
        }
    }
    sheet.set_column_width(0, 28)?;
    sheet.set_column_width(3, 60)?;
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

/// Yes, No, N/A and Yes + No in four columns from `col`.
fn counts(sheet: &mut Worksheet, row: u32, col: u16, counts: Counts) -> Result<(), XlsxError> {
    for (offset, value) in [counts.yes, counts.no, counts.na, counts.judged()]
        .into_iter()
        .enumerate()
    {
        sheet.write_number(row, col + offset as u16, value)?;
    }
    Ok(())
}

fn prompts_sheet(
    sheet: &mut Worksheet,
    styles: &Styles,
    ratings: &InspectionRatings,
) -> Result<(), XlsxError> {
    sheet.set_name(SHEETS[2])?;
    header(
        sheet,
        styles,
        0,
        &[
            "Standard",
            "Key question",
            "Prompt",
            "Question",
            "Yes",
            "No",
            "N/A",
            "Relevant cases (Yes + No)",
            "Result",
        ],
    )?;
    let mut row = 1;
    for standard in ratings.standards.iter().filter(|s| !s.from_evidence()) {
        for kq in &standard.key_questions {
            for prompt in &kq.prompts {
                sheet.write_string(row, 0, format!("{} {}", standard.code, standard.name))?;
                sheet.write_string(row, 1, &kq.code)?;
                sheet.write_string(row, 2, &prompt.code)?;
                sheet.write_string_with_format(row, 3, &prompt.text, &styles.wrap)?;
                counts(sheet, row, 4, prompt.counts)?;
                sheet.write_string(row, 8, relevant(prompt.counts))?;
                row += 1;
            }
        }
    }
    sheet.set_column_width(0, 28)?;
    sheet.set_column_width(3, 60)?;
    sheet.set_column_width(8, 32)?;
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

/// "12 out of 40 relevant cases", the way reports quote a prompt.
pub fn relevant(counts: Counts) -> String {
    format!("{} out of {} relevant cases", counts.yes, counts.judged())
}

/// One way of dividing the sample: a heading and each case's group.
struct Breakdown<'a> {
    heading: &'static str,
    groups: Vec<&'static str>,
    group_of: Box<dyn Fn(&crate::db::cases::CaseFacts) -> &'static str + 'a>,
}

const NOT_RECORDED: &str = "Not recorded";

fn breakdowns() -> Vec<Breakdown<'static>> {
    vec![
        Breakdown {
            heading: "Key questions by sentence type",
            groups: SentenceType::ALL.iter().map(|s| s.label()).collect(),
            group_of: Box::new(|f| f.sentence_type.label()),
        },
        Breakdown {
            heading: "Key questions by sex",
            groups: Sex::ALL
                .iter()
                .map(|s| s.label())
                .chain([NOT_RECORDED])
                .collect(),
            group_of: Box::new(|f| f.sex.map_or(NOT_RECORDED, |s| s.label())),
        },
        Breakdown {
            heading: "Key questions by practitioner grade",
            groups: PractitionerGrade::ALL
                .iter()
                .map(|g| g.label())
                .chain([NOT_RECORDED])
                .collect(),
            group_of: Box::new(|f| f.practitioner_grade.map_or(NOT_RECORDED, |g| g.label())),
        },
    ]
}

/// Key-question percentages within each group of cases. A group with no
/// cases is left out; a key question with no judged case in a group is blank.
fn breakdowns_sheet(
    sheet: &mut Worksheet,
    styles: &Styles,
    data: &InspectionData,
) -> Result<(), XlsxError> {
    sheet.set_name(SHEETS[3])?;
    let key_questions: Vec<&KeyQuestion> = data
        .framework
        .domain_two()
        .flat_map(|s| &s.key_questions)
        .collect();
    let mut row = 0;
    for breakdown in breakdowns() {
        let mut groups: Vec<(&str, u32, Vec<Counts>)> = breakdown
            .groups
            .iter()
            .map(|g| (*g, 0, vec![Counts::default(); key_questions.len()]))
            .collect();
        for case in &data.cases {
            let group = (breakdown.group_of)(&case.facts);
            let Some(entry) = groups.iter_mut().find(|(g, _, _)| *g == group) else {
                continue;
            };
            entry.1 += 1;
            let answers = data.answers_of(case.id);
            for (counts, kq) in entry.2.iter_mut().zip(&key_questions) {
                match answers.key_questions.get(&kq.id).map(|j| j.answer) {
                    Some(Answer::Yes) => counts.yes += 1,
                    Some(Answer::No) => counts.no += 1,
                    Some(Answer::NotApplicable) => counts.na += 1,
                    None => {}
                }
            }
        }
        groups.retain(|(_, cases, _)| *cases > 0);
        sheet.write_string_with_format(row, 0, breakdown.heading, &styles.title)?;
        row += 1;
        sheet.write_string_with_format(row, 0, "Key question", &styles.bold)?;
        sheet.write_string_with_format(row, 1, "Question", &styles.bold)?;
        for (col, (group, cases, _)) in (2u16..).zip(&groups) {
            sheet.write_string_with_format(
                row,
                col,
                format!("{group} ({cases} cases)"),
                &styles.bold,
            )?;
        }
        row += 1;
        for (index, kq) in key_questions.iter().enumerate() {
            sheet.write_string(row, 0, &kq.code)?;
            sheet.write_string(row, 1, &kq.text)?;
            for (col, (_, _, counts)) in (2u16..).zip(&groups) {
                if let Some(percent) = counts[index].percent() {
                    sheet.write_number_with_format(
                        row,
                        col,
                        f64::from(percent) / 100.0,
                        &styles.percent,
                    )?;
                }
            }
            row += 1;
        }
        row += 1;
    }
    sheet.set_column_width(0, 14)?;
    sheet.set_column_width(1, 60)?;
    for col in 2..6 {
        sheet.set_column_width(col, 24)?;
    }
    Ok(())
}

fn cases_sheet(
    sheet: &mut Worksheet,
    styles: &Styles,
    data: &InspectionData,
) -> Result<(), XlsxError> {
    sheet.set_name(SHEETS[4])?;
    let key_questions: Vec<&KeyQuestion> = data
        .framework
        .domain_two()
        .flat_map(|s| &s.key_questions)
        .collect();
    let mut titles = vec![
        "Case reference",
        "Sentence type",
        "Start date",
        "Office",
        "Practitioner grade",
        "Practitioners",
        "Sex",
        "Age at start",
        "Ethnicity group",
        "RoSH level",
        "MAPPA eligible",
        "Marking status",
    ];
    titles.extend(key_questions.iter().map(|kq| kq.code.as_str()));
    // The first marker, after the answers so those keep their columns; then
    // the licence's length and the question set, added later still.
    titles.extend([
        "Marked by",
        "Marked as",
        "Licence weeks",
        "Question set",
        "Case type",
    ]);
    let marker_col = 12 + key_questions.len() as u16;
    header(sheet, styles, 0, &titles)?;
    for (row, case) in (1u32..).zip(&data.cases) {
        let facts = fact_cells(&case.facts);
        for (col, value) in (0u16..).zip(&facts) {
            match (col, case.facts.start_date) {
                (2, Some(date)) => {
                    sheet.write_with_format(row, col, &date, &styles.date)?;
                }
                (5 | 7, _) if !value.is_empty() => {
                    sheet.write_number(row, col, value.parse::<f64>().unwrap_or_default())?;
                }
                _ => {
                    sheet.write_string(row, col, value)?;
                }
            }
        }
        sheet.write_string(row, 11, case.marking_status.label())?;
        let answers = data.answers_of(case.id);
        for (col, kq) in (12u16..).zip(&key_questions) {
            if !data.framework.asks(case.question_set_id, kq.id) {
                sheet.write_string(row, col, "Not asked")?;
            } else if let Some(judgement) = answers.key_questions.get(&kq.id) {
                sheet.write_string(row, col, judgement.answer.label())?;
            }
        }
        if let Some(weeks) = case.facts.licence_weeks {
            sheet.write_number(row, marker_col + 2, f64::from(weeks))?;
        }
        if let Some(set) = data.framework.question_set(case.question_set_id) {
            sheet.write_string(row, marker_col + 3, &set.name)?;
        }
        if let Some(case_type) = &case.facts.case_type {
            sheet.write_string(
                row,
                marker_col + 4,
                data.framework.case_type_name(case_type),
            )?;
        }
        if let Some(name) = &case.marker_name {
            sheet.write_string(row, marker_col, name)?;
        }
        if let Some(role) = case.marked_as {
            sheet.write_string(row, marker_col + 1, role.label())?;
        }
    }
    sheet.set_column_width(0, 16)?;
    sheet.set_freeze_panes(1, 1)?;
    Ok(())
}

/// One row per evidence bullet (or per key question without any): the
/// judgement, the bullet and its source, and the survey figure it quotes.
fn domain_one_sheet(
    sheet: &mut Worksheet,
    styles: &Styles,
    data: &InspectionData,
) -> Result<(), XlsxError> {
    sheet.set_name(SHEETS[5])?;
    header(
        sheet,
        styles,
        0,
        &[
            "Standard",
            "Key question",
            "Question",
            "Judgement",
            "Judged by",
            "Evidence",
            "Source",
            "Text",
            "Staff survey figure",
            "Added by",
        ],
    )?;
    let mut row = 1;
    for standard in &data.domain_one_view {
        for q in &standard.questions {
            let write_question = |sheet: &mut Worksheet, row: u32| -> Result<(), XlsxError> {
                sheet.write_string(row, 0, &standard.code)?;
                sheet.write_string(row, 1, &q.code)?;
                sheet.write_string(row, 2, &q.text)?;
                if let Some(j) = &q.judgement {
                    sheet.write_string(row, 3, j.rating.label())?;
                    sheet.write_string(row, 4, &j.judged_by_name)?;
                }
                Ok(())
            };
            let bullets: Vec<_> = q.strengths.iter().chain(&q.improvements).collect();
            if bullets.is_empty() {
                write_question(sheet, row)?;
                row += 1;
            }
            for b in bullets {
                write_question(sheet, row)?;
                sheet.write_string(row, 5, b.evidence.kind.label())?;
                sheet.write_string(row, 6, b.evidence.source.label())?;
                sheet.write_string_with_format(row, 7, &b.evidence.text, &styles.wrap)?;
                if let Some(item) = &b.survey {
                    sheet.write_string(row, 8, format!("{}: {}", item.figure(), item.question))?;
                }
                sheet.write_string(row, 9, &b.evidence.added_by_name)?;
                row += 1;
            }
        }
    }
    sheet.set_column_width(2, 50)?;
    sheet.set_column_width(7, 60)?;
    Ok(())
}

/// The staff survey as reports quote it, with the figures as numbers too.
fn survey_sheet(
    sheet: &mut Worksheet,
    styles: &Styles,
    data: &InspectionData,
) -> Result<(), XlsxError> {
    sheet.set_name(SHEETS[6])?;
    header(
        sheet,
        styles,
        0,
        &[
            "Question",
            "Answered positively",
            "Answered",
            "Percentage",
            "As quoted",
        ],
    )?;
    for (row, item) in (1u32..).zip(&data.staff_survey) {
        sheet.write_string_with_format(row, 0, &item.question, &styles.wrap)?;
        sheet.write_number(row, 1, item.positive)?;
        sheet.write_number(row, 2, item.respondents)?;
        sheet.write_number_with_format(
            row,
            3,
            f64::from(item.percent()) / 100.0,
            &styles.percent,
        )?;
        sheet.write_string(row, 4, item.figure())?;
    }
    sheet.set_column_width(0, 60)?;
    sheet.set_column_width(4, 24)?;
    Ok(())
}
