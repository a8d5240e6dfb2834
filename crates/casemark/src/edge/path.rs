//! Paths whose percent-decoded text holds a character of [`crate::text`]'s
//! rule name nothing: they are refused as not found before any handler
//! (or the database) sees them.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;

use super::Refusals;

/// Percent-decodes a path (invalid escapes are kept as they are).
fn decoded(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(hi), Some(lo)) = (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            )
        {
            out.push(u8::try_from(hi * 16 + lo).unwrap_or(b'?'));
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub async fn refuse_controls<R: Refusals>(req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if path.contains('%') && decoded(path).chars().any(crate::text::is_forbidden) {
        return R::not_found();
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::decoded;

    #[test]
    fn decodes_escapes() {
        assert_eq!(decoded("/cases/1%00"), "/cases/1\0");
        assert_eq!(decoded("/a%2Fb%zz%4"), "/a/b%zz%4");
        assert_eq!(decoded("/%C2%85"), "/\u{85}");
    }
}
