//! CSV files as spreadsheets make and open them.
//!
//! In: an upload is decoded as UTF-8 with or without a byte-order mark, and
//! what cannot be read (an empty file, a workbook saved without converting,
//! another encoding, semicolons or tabs between values) gets a message that
//! tells an inspector what to do in Excel.
//!
//! Out: a cell that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`,
//! tab, carriage return) is written with a leading apostrophe, and
//! [`restore`] undoes exactly that on import, so an export imports back to
//! the same values.

use std::borrow::Cow;

/// The largest CSV accepted: a sample of hundreds of cases is tens of
/// kilobytes, and a whole inspection's judgements about one megabyte.
pub const MAX_UPLOAD_BYTES: usize = 4 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UploadError {
    #[error("The file is empty: choose a CSV file with a header row and one row per case")]
    Empty,
    #[error("The file must be smaller than {} MB", MAX_UPLOAD_BYTES / 1024 / 1024)]
    TooLarge,
    #[error(
        "The file is an Excel workbook, not CSV: in Excel choose File, Save a copy, \
         'CSV UTF-8 (comma delimited)', and upload that"
    )]
    Workbook,
    #[error(
        "The file must be saved as 'CSV UTF-8': it contains text that is not UTF-8 \
         (first at line {line})"
    )]
    NotUtf8 { line: usize },
    #[error(
        "The file contains a control character (U+{code:04X}) at line {line}, which cannot be \
         stored: remove it and try again"
    )]
    ControlCharacter { line: usize, code: u32 },
}

/// The text of an uploaded CSV file.
pub fn decode(bytes: &[u8]) -> Result<&str, UploadError> {
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(UploadError::TooLarge);
    }
    // xlsx files are zip archives; old .xls files are OLE compound documents.
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(UploadError::Workbook);
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let before = &bytes[..e.valid_up_to()];
        UploadError::NotUtf8 {
            line: before.iter().filter(|b| **b == b'\n').count() + 1,
        }
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(UploadError::Empty);
    }
    check_text(text)?;
    Ok(text)
}

/// Refuses CSV text holding a character of [`crate::text`]'s rule, naming
/// its line: for files, for pasted rows and for the CSV an API sends.
pub fn check_text(text: &str) -> Result<(), UploadError> {
    match text
        .char_indices()
        .find(|(_, c)| crate::text::is_forbidden(*c))
    {
        None => Ok(()),
        Some((at, c)) => Err(UploadError::ControlCharacter {
            line: text[..at].matches('\n').count() + 1,
            code: u32::from(c),
        }),
    }
}

/// A reader for decoded CSV text: comma-separated, header row first, every
/// row as long as the header (a ragged row is an error, not a guess). A
/// byte-order mark is skipped here too, for text that was pasted rather
/// than uploaded.
pub fn reader(text: &str) -> csv::Reader<&[u8]> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes())
}

/// The message for a header that is one column holding another separator:
/// the usual sign of a file saved with the wrong delimiter.
pub fn wrong_delimiter(headers: &csv::StringRecord) -> Option<String> {
    if headers.len() != 1 {
        return None;
    }
    let only = headers.get(0).unwrap_or_default();
    let name = if only.contains(';') {
        "semicolons (;)"
    } else if only.contains('\t') {
        "tabs"
    } else if only.contains('|') {
        "vertical bars (|)"
    } else {
        return None;
    };
    Some(format!(
        "The file separates values with {name}, not commas: in Excel choose File, Save a copy, \
         'CSV UTF-8 (comma delimited)'"
    ))
}

/// What a row of a CSV file could not be read as, in an inspector's words.
pub fn row_error(error: &csv::Error) -> String {
    match error.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("The row has {len} values but the header row names {expected_len} columns"),
        csv::ErrorKind::Utf8 { .. } => "The row contains text that is not UTF-8".to_owned(),
        _ => format!("The row could not be read: {error}"),
    }
}

/// The spreadsheet row a record is on (the header is row 1), which is what
/// an inspector sees when they open the file in Excel.
pub fn spreadsheet_row(index: usize) -> usize {
    index + 2
}

fn triggers_formula(value: &str) -> bool {
    value.starts_with(['=', '+', '-', '@', '\t', '\r', '\''])
}

/// A cell value safe to open in a spreadsheet.
pub fn neutralise(value: &str) -> Cow<'_, str> {
    if triggers_formula(value) {
        Cow::Owned(format!("'{value}"))
    } else {
        Cow::Borrowed(value)
    }
}

/// The value [`neutralise`] was given. A leading apostrophe is only removed
/// where `neutralise` would have added it, so other text is left alone.
pub fn restore(value: &str) -> &str {
    match value.strip_prefix('\'') {
        Some(rest) if triggers_formula(rest) => rest,
        _ => value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_restored_exactly() {
        for value in [
            "=cmd|' /C calc'!A0",
            "+1",
            "-5",
            "@SUM(A1)",
            "'=x",
            "'",
            "''",
            "plain",
            "it's fine",
            "",
        ] {
            let out = neutralise(value);
            assert!(
                !out.starts_with(['=', '+', '-', '@']),
                "{value:?} became {out:?}"
            );
            assert_eq!(restore(&out), value);
        }
        assert_eq!(restore("'hello"), "'hello");
    }

    #[test]
    fn decoding_explains_what_cannot_be_read() {
        assert_eq!(decode(b""), Err(UploadError::Empty));
        assert_eq!(decode(b"\xef\xbb\xbf \r\n"), Err(UploadError::Empty));
        assert_eq!(decode(b"PK\x03\x04rest"), Err(UploadError::Workbook));
        assert_eq!(
            decode(b"a,b\r\nCaf\xe9,x\r\n"),
            Err(UploadError::NotUtf8 { line: 2 })
        );
        assert_eq!(decode(b"\xef\xbb\xbfa,b\n"), Ok("a,b\n"));
    }

    #[test]
    fn wrong_delimiters_are_named() {
        let mut r = reader("reference;sentence_type\nA;licence\n");
        let headers = r.headers().expect("headers").clone();
        assert!(
            wrong_delimiter(&headers)
                .expect("refused")
                .contains("semicolons")
        );
        let mut r = reader("reference,sentence_type\n");
        assert_eq!(wrong_delimiter(r.headers().expect("headers")), None);
    }
}
