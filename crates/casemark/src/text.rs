//! The one rule for characters that text may not hold, applied where text
//! enters casemark: form bodies and query strings (`web::form`), JSON
//! bodies (`api::body`), CSV files (`csv_file::decode`), multipart uploads
//! (`web::upload`) and paths (`edge::path`).
//!
//! Refused: NUL and the other C0 control characters except tab, CR and LF,
//! DEL, and the C1 controls (U+0080–U+009F). PostgreSQL cannot store NUL in
//! text at all (it used to surface as a 500), and the others are never typed
//! by a person: they come from broken exports or from someone probing.
//! Tab, CR and LF are the whitespace of text areas and CSV files; one-line
//! fields (case reference, names, labels) refuse them with their own
//! message (see [`is_multiline`]). Other
//! invisible characters (zero-width, bidi controls, a byte-order mark inside
//! text) are stored as given and always shown escaped.

/// Whether `c` may not appear in any text casemark takes.
pub fn is_forbidden(c: char) -> bool {
    matches!(c, '\0'..='\x08' | '\x0b' | '\x0c' | '\x0e'..='\x1f' | '\x7f'..='\u{9f}')
}

/// Whether a value meant for a one-line field (a case reference, a name)
/// holds a tab or a line break: allowed in text areas, refused there. (An
/// office may span lines, as an address does in a spreadsheet cell.)
pub fn is_multiline(value: &str) -> bool {
    value.contains(['\t', '\r', '\n'])
}

/// A value holding a forbidden character: which field, and which character.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{field} contains a control character (U+{code:04X}) that cannot be stored: remove it and try again"
)]
pub struct ControlCharacter {
    /// The field (form field name, JSON path, CSV column) as the sender named it.
    pub field: String,
    pub code: u32,
}

/// Refuses a value that holds a forbidden character, naming its field.
pub fn check(field: &str, value: &str) -> Result<(), ControlCharacter> {
    match value.chars().find(|c| is_forbidden(*c)) {
        None => Ok(()),
        Some(c) => Err(ControlCharacter {
            field: printable(field),
            code: u32::from(c),
        }),
    }
}

/// A field name fit to repeat in a message: its forbidden characters shown
/// as U+ codes (a field *name* can carry them too).
fn printable(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    for c in field.chars().take(100) {
        if is_forbidden(c) {
            out.push_str(&format!("U+{:04X}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    if out.is_empty() {
        "A field".to_owned()
    } else {
        out
    }
}

/// Checks every name and value of urlencoded pairs.
pub fn check_pairs(pairs: &[(String, String)]) -> Result<(), ControlCharacter> {
    for (name, value) in pairs {
        check(name, name)?;
        check(name, value)?;
    }
    Ok(())
}

/// Checks every string and object key of a JSON value, naming the JSON path
/// (`cases[2].reference`).
pub fn check_json(value: &serde_json::Value) -> Result<(), ControlCharacter> {
    fn walk(value: &serde_json::Value, path: &mut String) -> Result<(), ControlCharacter> {
        match value {
            serde_json::Value::String(s) => check(if path.is_empty() { "body" } else { path }, s),
            serde_json::Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let len = path.len();
                    path.push_str(&format!("[{i}]"));
                    walk(item, path)?;
                    path.truncate(len);
                }
                Ok(())
            }
            serde_json::Value::Object(map) => {
                for (key, item) in map {
                    let len = path.len();
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(key);
                    check(path, key)?;
                    walk(item, path)?;
                    path.truncate(len);
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
    walk(value, &mut String::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_but_text_area_whitespace_are_refused() {
        for ok in [
            "plain",
            "tab\there",
            "lines\r\nand\n",
            "zero\u{200b}width",
            "\u{202e}bidi",
            "mid\u{feff}bom",
            "astral 𝄞",
            "é",
        ] {
            assert_eq!(check("f", ok), Ok(()), "{ok:?}");
        }
        for (bad, code) in [
            ("nul\0", 0),
            ("bell\x07", 7),
            ("vt\x0b", 0xb),
            ("esc\x1b[31m", 0x1b),
            ("del\x7f", 0x7f),
            ("c1\u{85}", 0x85),
            ("c1\u{9f}", 0x9f),
        ] {
            assert_eq!(
                check("f", bad),
                Err(ControlCharacter {
                    field: "f".into(),
                    code
                }),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn json_paths_name_the_field() {
        let body = serde_json::json!({"cases": [{"reference": "ok"}, {"reference": "bad\u{0}"}]});
        assert_eq!(
            check_json(&body).map_err(|e| e.field),
            Err("cases[1].reference".to_owned())
        );
        let key = serde_json::json!({"key_questions": {"2.1.1\u{0}": "yes"}});
        assert!(check_json(&key).is_err_and(|e| e.field == "key_questions.2.1.1U+0000"));
        assert_eq!(
            check_json(&serde_json::json!("top\u{1}")).map_err(|e| e.field),
            Err("body".to_owned())
        );
    }
}
