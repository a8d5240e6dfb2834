//! Reading an uploaded Excel workbook (.xlsx) as the CSV text its first
//! sheet would save as, so that a workbook goes through the same column
//! matching and row checks as a CSV file. Used for long lists, which
//! inspectorates receive as spreadsheets.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

/// Whether the bytes are a zip archive, as an .xlsx file is.
pub fn is_workbook(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// The first sheet as CSV: dates as YYYY-MM-DD, whole numbers without a
/// decimal point, everything else as shown. The sheet's first row is the
/// header, so row numbers in messages are the sheet's own.
pub fn first_sheet_as_csv(bytes: &[u8]) -> Result<String, String> {
    let unreadable = |e: &dyn std::fmt::Display| {
        format!("The workbook could not be read ({e}): save it again as .xlsx, or as CSV UTF-8")
    };
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or_else(|| "The workbook has no sheets".to_owned())?
        .map_err(|e| unreadable(&e))?;
    let mut out = csv::Writer::from_writer(Vec::new());
    for row in range.rows() {
        let cells: Vec<String> = row.iter().map(cell_text).collect();
        out.write_record(&cells).map_err(|e| unreadable(&e))?;
    }
    let bytes = out.into_inner().map_err(|e| unreadable(&e))?;
    let text = String::from_utf8(bytes).map_err(|e| unreadable(&e))?;
    // The same rule on characters as a CSV file's.
    crate::csv_file::check_text(&text).map_err(|e| e.to_string())?;
    Ok(text)
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(n) => n.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => if *b { "yes" } else { "no" }.to_owned(),
        Data::DateTime(d) => {
            let (y, m, day, ..) = d.to_ymd_hms_milli();
            format!("{y:04}-{m:02}-{day:02}")
        }
        Data::DateTimeIso(s) => s.get(..10).unwrap_or(s).to_owned(),
        Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sheet_reads_as_its_csv() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "crn").expect("cell");
        sheet.write_string(0, 1, "start date").expect("cell");
        sheet.write_string(0, 2, "count").expect("cell");
        sheet.write_string(1, 0, "X1").expect("cell");
        let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2026, 5, 1).expect("date");
        let format = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
        sheet
            .write_datetime_with_format(1, 1, &date, &format)
            .expect("cell");
        sheet.write_number(1, 2, 3.0).expect("cell");
        let bytes = book.save_to_buffer().expect("xlsx");
        assert!(is_workbook(&bytes));
        assert_eq!(
            first_sheet_as_csv(&bytes).expect("reads"),
            "crn,start date,count\nX1,2026-05-01,3\n"
        );
        assert!(first_sheet_as_csv(b"PK\x03\x04 not really").is_err());
    }
}
