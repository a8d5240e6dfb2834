//! How a report draft words its figures, as the published reports do
//! (docs/report.md): numbers from one to nine in words and 10 and above in
//! figures ("in nine out of 54 cases", "in 16 out of 54 cases"), a noun that
//! agrees with its number ("one case", "two cases"), and the sample in one
//! sentence ("We inspected 54 cases: 37 community orders and 17 releases
//! from custody on licence").

/// A count as the reports write it: one to nine in words, the rest (zero
/// included, which the reports write "no" beside a noun) in figures.
pub fn number(n: u32) -> String {
    const WORDS: [&str; 9] = [
        "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    ];
    match n {
        1..=9 => WORDS[n as usize - 1].to_owned(),
        _ => n.to_string(),
    }
}

/// "one case", "two cases", "no cases", "54 cases".
pub fn counted(n: u32, singular: &str, plural: &str) -> String {
    match n {
        0 => format!("no {plural}"),
        1 => format!("{} {singular}", number(n)),
        _ => format!("{} {plural}", number(n)),
    }
}

/// "in 16 out of 54 relevant cases": a share of `noun`s (singular; the
/// plural adds an s), the denominator what the figure was judged over.
pub fn out_of(part: u32, whole: u32, noun: &str) -> String {
    let plural = if whole == 1 { "" } else { "s" };
    format!(
        "in {} out of {} {noun}{plural}",
        number(part),
        number(whole)
    )
}

/// Items joined as a sentence lists them: "a", "a and b", "a, b and c".
pub fn listed(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The sample in one sentence, by kind of case in the order given (kinds
/// with no cases left out): "We inspected 54 cases: 37 community orders and
/// 17 releases from custody on licence."
pub fn sample_sentence(kinds: &[(u32, &str, &str)]) -> String {
    let total: u32 = kinds.iter().map(|(n, _, _)| n).sum();
    let parts: Vec<String> = kinds
        .iter()
        .filter(|(n, _, _)| *n > 0)
        .map(|(n, singular, plural)| counted(*n, singular, plural))
        .collect();
    let sentence = format!("We inspected {}", counted(total, "case", "cases"));
    if parts.len() < 2 {
        format!("{sentence}.")
    } else {
        format!("{sentence}: {}.", listed(&parts))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_hertfordshire_sample_reads_as_the_report_does() {
        assert_eq!(
            sample_sentence(&[
                (37, "community order", "community orders"),
                (
                    17,
                    "release from custody on licence",
                    "releases from custody on licence"
                ),
            ]),
            "We inspected 54 cases: 37 community orders and 17 releases from custody on licence."
        );
        assert_eq!(
            sample_sentence(&[
                (1, "community order", "community orders"),
                (
                    0,
                    "release from custody on licence",
                    "releases from custody on licence"
                ),
            ]),
            "We inspected one case."
        );
        assert_eq!(sample_sentence(&[]), "We inspected no cases.");
    }

    #[test]
    fn small_numbers_are_words_and_shares_name_their_denominator() {
        assert_eq!(out_of(9, 54, "case"), "in nine out of 54 cases");
        assert_eq!(
            out_of(16, 54, "relevant case"),
            "in 16 out of 54 relevant cases"
        );
        assert_eq!(out_of(1, 1, "case"), "in one out of one case");
        assert_eq!(counted(0, "case", "cases"), "no cases");
        assert_eq!(listed(&["a".into(), "b".into(), "c".into()]), "a, b and c");
    }

    proptest! {
        #[test]
        fn a_number_is_a_word_exactly_from_one_to_nine(n in 0u32..10_000) {
            let written = number(n);
            prop_assert_eq!(written.chars().all(|c| c.is_ascii_digit()), !(1..=9).contains(&n));
            if !(1..=9).contains(&n) {
                prop_assert_eq!(written.parse::<u32>().ok(), Some(n));
            }
        }

        #[test]
        fn the_sample_sentence_counts_every_case(a in 0u32..200, b in 0u32..200) {
            let sentence = sample_sentence(&[(a, "order", "orders"), (b, "licence", "licences")]);
            let opening = format!("We inspected {}", counted(a + b, "case", "cases"));
            prop_assert!(sentence.starts_with(&opening), "{}", sentence);
            prop_assert!(sentence.ends_with('.'));
            prop_assert_eq!(sentence.contains(" and "), a > 0 && b > 0);
        }
    }
}
