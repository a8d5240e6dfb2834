//! The workbook's Quality assurance sheet: agreement overall, by standard,
//! by key question and by first marker, then every disagreement with its
//! final answer. The same figures as the QA page (`crate::qa::report`).

use rust_xlsxwriter::{Worksheet, XlsxError};

use super::workbook::{Styles, header};
use crate::qa::{AgreementFigures, Report};

pub(super) fn build(
    sheet: &mut Worksheet,
    styles: &Styles,
    name: &str,
    report: &Report,
) -> Result<(), XlsxError> {
    sheet.set_name(name)?;
    sheet.write_string_with_format(
        0,
        0,
        "Quality assurance: first and second markings compared",
        &styles.title,
    )?;
    let submitted = report
        .sample
        .iter()
        .filter(|s| s.submitted_at.is_some())
        .count();
    sheet.write_string(1, 0, "Cases in the QA sample")?;
    sheet.write_number(1, 1, report.sample.len() as f64)?;
    sheet.write_string(2, 0, "Second markings submitted")?;
    sheet.write_number(2, 1, submitted as f64)?;
    sheet.write_string(3, 0, "Disagreements awaiting a final answer")?;
    sheet.write_number(3, 1, report.unadjudicated() as f64)?;

    header(
        sheet,
        styles,
        5,
        &[
            "Level",
            "Code",
            "Name",
            "Pairs",
            "Agreed",
            "Agreement",
            "Cohen's kappa",
            "Rating, first marking",
            "Rating, second marking",
            "Few pairs",
        ],
    )?;
    let mut row = 6;
    let mut figures = |level: &str,
                       code: &str,
                       name: &str,
                       f: &AgreementFigures,
                       ratings: Option<(&str, &str)>|
     -> Result<(), XlsxError> {
        sheet.write_string(row, 0, level)?;
        sheet.write_string(row, 1, code)?;
        sheet.write_string(row, 2, name)?;
        sheet.write_number(row, 3, f.agreement.pairs())?;
        sheet.write_number(row, 4, f.agreement.agreed())?;
        if let Some(p) = f.percent {
            sheet.write_number_with_format(row, 5, f64::from(p) / 100.0, &styles.percent)?;
        }
        if let Some(k) = f.kappa {
            sheet.write_number(row, 6, (k * 1000.0).round() / 1000.0)?;
        }
        if let Some((first, second)) = ratings {
            sheet.write_string(row, 7, first)?;
            sheet.write_string(row, 8, second)?;
        }
        if f.few {
            sheet.write_string(row, 9, "Yes")?;
        }
        row += 1;
        Ok(())
    };
    figures("Overall", "", "Every key question", &report.overall, None)?;
    for s in &report.standards {
        let ratings = s.rating.map(|r| (r.first.label(), r.second.label()));
        figures("Standard", &s.code, &s.name, &s.figures, ratings)?;
    }
    for k in &report.key_questions {
        figures("Key question", &k.code, &k.name, &k.figures, None)?;
    }
    for m in &report.markers {
        figures("First marker", "", &m.name, &m.figures, None)?;
    }

    let mut row = row + 1;
    header(
        sheet,
        styles,
        row,
        &[
            "Case",
            "Key question",
            "First marker",
            "First answer",
            "First rationale",
            "Second marker",
            "Second answer",
            "Second rationale",
            "Final answer",
            "Reason",
            "Adjudicated by",
        ],
    )?;
    for d in &report.disagreements {
        row += 1;
        let p = &d.pair;
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let cells = [
            p.reference.clone(),
            d.code.clone(),
            text(&p.first_marker),
            p.first_answer.label().to_owned(),
            text(&p.first_rationale),
            p.second_marker.clone(),
            p.second_answer.label().to_owned(),
            text(&p.second_rationale),
            p.final_answer
                .map(|a| a.label().to_owned())
                .unwrap_or_default(),
            text(&p.reason),
            text(&p.adjudicated_by),
        ];
        for (col, cell) in (0u16..).zip(cells) {
            sheet.write_string_with_format(row, col, cell, &styles.wrap)?;
        }
    }
    sheet.set_column_width(0, 16)?;
    sheet.set_column_width(2, 28)?;
    sheet.set_column_width(4, 40)?;
    sheet.set_column_width(7, 40)?;
    sheet.set_column_width(9, 40)?;
    Ok(())
}
