//! CSV downloads of the pages' tables (case and inspection histories, the
//! security events). Every cell that a spreadsheet would run as a formula
//! gets a leading apostrophe: the cells hold what people typed.

use axum::response::Response;

use super::WebError;

/// Cells that a spreadsheet would run as a formula get a leading apostrophe.
pub fn neutralise(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    }
}

/// A CSV file of `rows` under `header`, every cell neutralised, offered as
/// a download named `file_name`.
pub fn download(
    file_name: &str,
    header: &[&str],
    rows: impl IntoIterator<Item = Vec<String>>,
) -> Result<Response, WebError> {
    let failed = |e: csv::Error| WebError::Internal(format!("could not write CSV: {e}"));
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(header).map_err(failed)?;
    for row in rows {
        writer
            .write_record(row.iter().map(|cell| neutralise(cell)))
            .map_err(failed)?;
    }
    let body = writer
        .into_inner()
        .map_err(|e| WebError::Internal(format!("could not write CSV: {e}")))?;
    Ok(crate::annexe::download(
        crate::annexe::CSV_TYPE,
        file_name,
        body.into(),
    ))
}

#[cfg(test)]
mod tests {
    use super::neutralise;

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(neutralise("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise("2026-12-01T10:00:00Z"), "2026-12-01T10:00:00Z");
    }
}
