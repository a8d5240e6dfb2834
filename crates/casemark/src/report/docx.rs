//! The report draft as a Word document a lead opens and edits: real
//! headings (Word's own "heading 1" to "heading 3", so the navigation pane
//! and a table of contents find them), real tables for the ratings and the
//! key questions, and plain GOV.UK-like styles (Arial, black, no colour
//! fills). Written with docx-rs (MIT), which packs the parts with fixed
//! zip times and no creation date here, so the same draft always gives the
//! same bytes.

use docx_rs::{
    Docx, Paragraph, Run, RunFonts, Style, StyleType, Table, TableCell, TableRow, WidthType,
};

use super::{Draft, NO_IMPROVEMENTS, NO_RECOMMENDATIONS, NO_STRENGTHS, Section};

/// A fixed date for the document's properties: the draft's content, not
/// the moment it was generated, decides its bytes.
const FIXED_DATE: &str = "2000-01-01T00:00:00Z";

fn heading(level: u8, text: &str) -> Paragraph {
    Paragraph::new()
        .add_run(Run::new().add_text(text))
        .style(&format!("Heading{level}"))
}

fn body(text: &str) -> Paragraph {
    Paragraph::new().add_run(Run::new().add_text(text))
}

fn bullet(text: &str) -> Paragraph {
    Paragraph::new()
        .add_run(Run::new().add_text(format!("• {text}")))
        .style("ListBullet")
}

fn cell(text: &str, bold: bool) -> TableCell {
    let run = Run::new().add_text(text);
    TableCell::new().add_paragraph(Paragraph::new().add_run(if bold { run.bold() } else { run }))
}

/// A table with a bold header row; widths in twentieths of a point.
fn table(header: &[&str], rows: Vec<Vec<String>>, widths: &[usize]) -> Table {
    let mut all = vec![TableRow::new(
        header.iter().map(|h| cell(h, true)).collect(),
    )];
    all.extend(
        rows.into_iter()
            .map(|r| TableRow::new(r.iter().map(|c| cell(c, false)).collect())),
    );
    Table::new(all)
        .set_grid(widths.to_vec())
        .width(widths.iter().sum(), WidthType::Dxa)
}

fn styles(docx: Docx) -> Docx {
    let heading = |id: &str, name: &str, size: usize| {
        Style::new(id, StyleType::Paragraph)
            .name(name)
            .based_on("Normal")
            .next("Normal")
            .size(size)
            .bold()
    };
    docx.default_fonts(RunFonts::new().ascii("Arial").hi_ansi("Arial").cs("Arial"))
        .default_size(24)
        .add_style(heading("Title", "Title", 48))
        .add_style(heading("Heading1", "heading 1", 36))
        .add_style(heading("Heading2", "heading 2", 30))
        .add_style(heading("Heading3", "heading 3", 26))
        .add_style(
            Style::new("ListBullet", StyleType::Paragraph)
                .name("List Bullet")
                .based_on("Normal"),
        )
}

fn bullets_or(docx: Docx, items: &[String], empty: &str) -> Docx {
    if items.is_empty() {
        return docx.add_paragraph(body(empty));
    }
    items.iter().fold(docx, |d, i| d.add_paragraph(bullet(i)))
}

fn section(mut docx: Docx, s: &Section) -> Docx {
    docx = docx
        .add_paragraph(heading(2, &format!("{} {}", s.code, s.name)))
        .add_paragraph(body(&format!("Rating: {}", s.rating)));
    if !s.key_questions.is_empty() {
        docx = docx.add_table(table(
            &["Key question", "Percentage 'Yes'"],
            s.key_questions
                .iter()
                .map(|k| vec![format!("{} {}", k.code, k.text), k.percent.clone()])
                .collect(),
            &[7000, 2000],
        ));
    }
    docx = docx.add_paragraph(heading(3, "Strengths"));
    docx = bullets_or(docx, &s.strengths, NO_STRENGTHS);
    docx = docx.add_paragraph(heading(3, "Areas for improvement"));
    bullets_or(docx, &s.improvements, NO_IMPROVEMENTS)
}

/// The draft as a .docx file.
pub fn write(draft: &Draft) -> Result<Vec<u8>, docx_rs::DocxError> {
    let mut docx = styles(Docx::new())
        .created_at(FIXED_DATE)
        .updated_at(FIXED_DATE)
        .add_paragraph(
            Paragraph::new()
                .add_run(Run::new().add_text(&draft.title))
                .style("Title"),
        )
        .add_paragraph(body(&draft.region));
    if let Some(note) = &draft.status_note {
        docx = docx.add_paragraph(Paragraph::new().add_run(Run::new().add_text(note).bold()));
    }
    docx = docx.add_paragraph(heading(1, "Ratings")).add_table(table(
        &["Standard", "Rating"],
        draft
            .ratings
            .iter()
            .map(|r| vec![format!("{} {}", r.code, r.name), r.rating.clone()])
            .collect(),
        &[6000, 3000],
    ));
    docx = docx
        .add_paragraph(body(&draft.score))
        .add_paragraph(body(&format!("Overall rating: {}", draft.overall)))
        .add_paragraph(heading(1, "Recommendations"));
    if draft.recommendations.is_empty() {
        docx = docx.add_paragraph(body(NO_RECOMMENDATIONS));
    }
    for (i, r) in draft.recommendations.iter().enumerate() {
        docx = docx.add_paragraph(body(&format!("{}. {r}", i + 1)));
    }
    docx = docx.add_paragraph(heading(1, "Background"));
    for p in &draft.background {
        docx = docx.add_paragraph(body(p));
    }
    docx = docx.add_paragraph(heading(1, "1. Organisational arrangements and activity"));
    for s in &draft.organisational {
        docx = section(docx, s);
    }
    docx = docx.add_paragraph(heading(1, "2. Service delivery"));
    for s in &draft.service_delivery {
        docx = section(docx, s);
    }
    let mut bytes = std::io::Cursor::new(Vec::new());
    docx.build().pack(&mut bytes)?;
    Ok(bytes.into_inner())
}
