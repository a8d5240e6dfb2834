//! The view helpers every page shares, as askama filters for the templates
//! (`{{ rating|rating_tag }}`, `{{ code|dom_id }}`) and as plain functions for
//! the Rust that builds a page's rows (`long_date` is only needed there). A page
//! module brings them into its templates' scope with `use crate::web::filters;`.

use askama::Values;
use casemark_rules::Rating;
use chrono::NaiveDate;

/// The GOV.UK tag colour for a rating; the tag's text carries the meaning.
pub fn tag_class(rating: Option<Rating>) -> &'static str {
    match rating {
        Some(Rating::Outstanding) => "govuk-tag--green",
        Some(Rating::Good) => "govuk-tag--turquoise",
        Some(Rating::RequiresImprovement) => "govuk-tag--yellow",
        Some(Rating::Inadequate) => "govuk-tag--red",
        None => "govuk-tag--grey",
    }
}

/// The ratings in the order a key lists them, best first.
pub const KEY_ORDER: [Rating; 4] = [
    Rating::Outstanding,
    Rating::Good,
    Rating::RequiresImprovement,
    Rating::Inadequate,
];

/// A rating in a compact table cell, beside a key that spells each out
/// ("RI: Requires improvement"); screen readers are given the full name.
pub fn short_label(rating: Rating) -> &'static str {
    match rating {
        Rating::Outstanding => "Out",
        Rating::Good => "Good",
        Rating::RequiresImprovement => "RI",
        Rating::Inadequate => "Inad",
    }
}

/// An element id for a framework code: "2.1.3" → "2-1-3", so that fragment
/// links and CSS selectors need no escaping.
pub fn dom_id(code: &str) -> String {
    code.replace('.', "-")
}

/// A date as GOV.UK writes it: "4 March 2024".
pub fn long_date(date: NaiveDate) -> String {
    date.format("%-d %B %Y").to_string()
}

/// `{{ rating|rating_tag }}`: [`tag_class`] of an optional rating.
#[askama::filter_fn]
pub fn rating_tag(rating: &Option<Rating>, _: &dyn Values) -> askama::Result<&'static str> {
    Ok(tag_class(*rating))
}

/// `{{ rating|short_rating }}`: [`short_label`] of a rating.
#[askama::filter_fn]
pub fn short_rating(rating: &Rating, _: &dyn Values) -> askama::Result<&'static str> {
    Ok(short_label(*rating))
}

/// `{{ code|dom_id }}`: [`dom_id`] of a framework code.
#[askama::filter_fn]
pub fn dom_id<T: AsRef<str>>(code: T, _: &dyn Values) -> askama::Result<String> {
    Ok(self::dom_id(code.as_ref()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers_read_as_govuk_writes() {
        assert_eq!(dom_id("2.1.3"), "2-1-3");
        assert_eq!(
            long_date(NaiveDate::from_ymd_opt(2024, 3, 4).expect("date")),
            "4 March 2024"
        );
        assert_eq!(tag_class(Some(Rating::Inadequate)), "govuk-tag--red");
        assert_eq!(tag_class(None), "govuk-tag--grey");
    }
}
