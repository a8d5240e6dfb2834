//! The `Content-Disposition` of every download. File names carry user data
//! (a case reference, a PDU's name), so they are never pasted into the
//! header as typed: one function builds the value, with an ASCII fallback
//! name for old clients and the exact name as an RFC 5987 `filename*`
//! (RFC 6266), so quotes, semicolons, CR/LF and other controls cannot end
//! the parameter or the header.

use axum::http::HeaderValue;

/// The longest name kept, in characters, before the header is built.
const MAX_NAME_CHARS: usize = 150;

/// `attachment; filename="…"; filename*=UTF-8''…` for a file name.
pub fn attachment(file_name: &str) -> HeaderValue {
    let name = clean(file_name);
    let value = format!(
        "attachment; filename=\"{}\"; filename*=UTF-8''{}",
        ascii_fallback(&name),
        percent_encode(&name)
    );
    // Only ASCII letters, digits and punctuation are left, so this cannot fail.
    HeaderValue::from_str(&value).unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// Controls and path separators become `_`; the name is shortened from the
/// middle so its extension, which casemark chose, is kept.
fn clean(file_name: &str) -> String {
    let chars: Vec<char> = file_name
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '/' | '\\') {
                '_'
            } else {
                c
            }
        })
        .collect();
    let name: String = if chars.len() > MAX_NAME_CHARS {
        let keep_end = 20;
        chars[..MAX_NAME_CHARS - keep_end]
            .iter()
            .chain(&chars[chars.len() - keep_end..])
            .collect()
    } else {
        chars.into_iter().collect()
    };
    let trimmed = name.trim_matches(|c: char| c == '.' || c.is_whitespace());
    if trimmed.is_empty() {
        "download".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// Letters, digits, `-`, `_` and `.` as they are; anything else (quotes,
/// semicolons, spaces, non-ASCII) as `_`.
fn ascii_fallback(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// RFC 5987 `value-chars`: attr-chars as they are, every other UTF-8 byte
/// as `%XX`.
fn percent_encode(name: &str) -> String {
    let mut out = String::with_capacity(name.len() * 3);
    for byte in name.bytes() {
        let attr_char = byte.is_ascii_alphanumeric()
            || matches!(
                byte,
                b'!' | b'#' | b'$' | b'&' | b'+' | b'-' | b'.' | b'^' | b'_' | b'`' | b'|' | b'~'
            );
        if attr_char {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(name: &str) -> String {
        attachment(name).to_str().expect("ASCII").to_owned()
    }

    /// The parameters a browser would read: split outside quotes only.
    fn params(header: &str) -> Vec<String> {
        let mut out = vec![String::new()];
        let mut quoted = false;
        for c in header.chars() {
            match c {
                '"' => quoted = !quoted,
                ';' if !quoted => out.push(String::new()),
                _ => out.last_mut().expect("one").push(c),
            }
        }
        out.into_iter().map(|p| p.trim().to_owned()).collect()
    }

    #[test]
    fn plain_names_are_kept() {
        assert_eq!(
            value("case-AB123-history.csv"),
            "attachment; filename=\"case-AB123-history.csv\"; filename*=UTF-8''case-AB123-history.csv"
        );
    }

    #[test]
    fn hostile_names_cannot_add_parameters_or_headers() {
        for name in [
            "case-Q\"; filename*=UTF-8''update.cmd; x=\"-history.csv",
            "case-a;b=c-history.csv",
            "case-a\r\nSet-Cookie: x=1-history.csv",
            "case-\u{0}\u{7}\u{1b}\u{7f}\u{85}-history.csv",
            "case-Ünïcødé 𝄞 名前-history.csv",
            "case-..\\..\\evil-history.csv",
            "case-\u{202e}vsc.exe-history.csv",
        ] {
            let header = value(name);
            let params = params(&header);
            assert_eq!(params.len(), 3, "{name:?} → {header}");
            assert_eq!(params[0], "attachment");
            assert!(
                params[1].starts_with("filename=") && params[1].ends_with(".csv"),
                "{header}"
            );
            assert!(
                params[2].starts_with("filename*=UTF-8''") && params[2].ends_with(".csv"),
                "{header}"
            );
            assert!(
                header.bytes().all(|b| (0x20..0x7f).contains(&b)),
                "{header}"
            );
        }
    }

    #[test]
    fn non_ascii_is_exact_in_filename_star() {
        assert_eq!(
            value("Mànchester é.csv"),
            "attachment; filename=\"M_nchester__.csv\"; filename*=UTF-8''M%C3%A0nchester%20%C3%A9.csv"
        );
    }

    #[test]
    fn long_names_keep_their_extension() {
        let header = value(&format!("{}-history.csv", "x".repeat(1000)));
        assert!(header.len() < 400);
        assert!(header.ends_with("-history.csv"));
    }
}
