//! Email addresses: one rule for storing them, looking accounts up and
//! keying sign-in throttling, so the three can never disagree.
//!
//! The rule: Unicode NFKC (fullwidth `ｉ` becomes `i`, the Kelvin sign `K`),
//! surrounding whitespace trimmed, ASCII letters lower-cased. New addresses
//! must then be printable ASCII. Non-ASCII letters are never case-folded:
//! Rust's `to_lowercase` and PostgreSQL's `lower()` disagree on some
//! (`İ`, `ẞ`), which once let `İnspz@…` sign in while `inspz@…` was locked.
//! Lookups compare the normalised key exactly, in SQL as in Rust.

use unicode_normalization::UnicodeNormalization;

/// An address as typed, normalised: what is stored, looked up and throttled.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmailKey(String);

impl EmailKey {
    pub fn of(typed: &str) -> EmailKey {
        let composed: String = typed.nfkc().collect();
        EmailKey(composed.trim().to_ascii_lowercase())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for EmailKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What is wrong with an address offered for a new account.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("Enter an email address in the correct format, like name@example.gov.uk")]
    Format,
    #[error(
        "Email address must use only the letters a to z, numbers and symbols such as . - _ + \
         (no accented letters or other alphabets)"
    )]
    NotAscii,
}

/// The key of an address that may be stored for a new account.
pub fn valid(typed: &str) -> Result<EmailKey, EmailError> {
    let key = EmailKey::of(typed);
    let email = key.as_str();
    if !email.chars().all(|c| c.is_ascii_graphic()) {
        return Err(if email.is_ascii() {
            EmailError::Format
        } else {
            EmailError::NotAscii
        });
    }
    let well_formed = email.len() <= 254
        && email.matches('@').count() == 1
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.')
        });
    if well_formed {
        Ok(key)
    } else {
        Err(EmailError::Format)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_key_for_every_spelling_of_an_ascii_address() {
        for typed in [
            "inspz@example.gov.uk",
            " INSPZ@Example.GOV.uk ",
            "ｉｎｓｐｚ@example.gov.uk",
            "inspz@ｅｘａｍｐｌｅ.gov.uk",
        ] {
            assert_eq!(
                EmailKey::of(typed).as_str(),
                "inspz@example.gov.uk",
                "{typed}"
            );
        }
        // The Kelvin sign is K under NFKC.
        assert_eq!(EmailKey::of("\u{212a}im@x.uk").as_str(), "kim@x.uk");
    }

    #[test]
    fn non_ascii_letters_are_not_folded_and_cannot_be_stored() {
        for typed in [
            "İnspz@example.gov.uk",
            "inspß@example.gov.uk",
            "i\u{307}nspz@example.gov.uk",
            "inspz\u{301}@example.gov.uk",
        ] {
            let key = EmailKey::of(typed);
            assert_ne!(key.as_str(), "inspz@example.gov.uk", "{typed}");
            assert_eq!(valid(typed), Err(EmailError::NotAscii), "{typed}");
        }
    }

    #[test]
    fn format() {
        assert!(valid("a@b.uk").is_ok());
        for bad in [
            "",
            "a",
            "@b.uk",
            "a@b",
            "a@.b",
            "a b@c.uk",
            "a@b@c.uk",
            "a\u{0}@b.uk",
        ] {
            assert_eq!(valid(bad), Err(EmailError::Format), "{bad:?}");
        }
    }
}
