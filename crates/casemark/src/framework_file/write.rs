//! Writing a framework file in its one layout (docs/frameworks.md): fields
//! in a fixed order, one table per item, strings escaped the same way every
//! time. Export → import → export therefore gives the same bytes.

use std::fmt::Write as _;

use casemark_rules::Thresholds;

use super::Definition;

/// A TOML basic string: quotes, backslashes and control characters escaped.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn bands(t: &Thresholds) -> String {
    format!(
        "{{ requires_improvement = {}, good = {}, outstanding = {} }}",
        t.requires_improvement, t.good, t.outstanding
    )
}

fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| quoted(i)).collect();
    format!("[{}]", quoted.join(", "))
}

/// The file's text.
pub fn write(d: &Definition) -> String {
    let mut out = String::new();
    // Infallible: writing to a String.
    let mut line = |text: String| {
        out.push_str(&text);
        out.push('\n');
    };
    line(format!(
        "# {}: a casemark framework file (docs/frameworks.md).",
        d.name
    ));
    line(format!("code = {}", quoted(&d.code)));
    line(format!("name = {}", quoted(&d.name)));
    line(format!("version = {}", d.version));
    line(format!("status = {}", quoted(d.status.code())));
    if d.level != super::Level::Pdu {
        line(format!("level = {}", quoted(d.level.code())));
    }
    if let Some(source) = &d.source {
        line(format!("source = {}", quoted(source)));
    }
    line(String::new());
    line("[bands]".into());
    line(format!("key_question = {}", bands(&d.key_question_bands)));
    line(format!("overall = {}", bands(&d.overall_bands)));
    line(format!("max_score = {}", d.max_score));
    for area in &d.areas {
        line(String::new());
        line("[[areas]]".into());
        line(format!("code = {}", quoted(&area.code)));
        line(format!("name = {}", quoted(&area.name)));
    }
    for domain in &d.domains {
        line(String::new());
        line("[[domains]]".into());
        line(format!("number = {}", domain.number));
        line(format!("name = {}", quoted(&domain.name)));
    }
    for case_type in &d.case_types {
        line(String::new());
        line("[[case_types]]".into());
        line(format!("code = {}", quoted(&case_type.code)));
        line(format!("name = {}", quoted(&case_type.name)));
    }
    for standard in &d.standards {
        line(String::new());
        line("[[standards]]".into());
        line(format!("code = {}", quoted(&standard.code)));
        line(format!("domain = {}", standard.domain));
        line(format!("name = {}", quoted(&standard.name)));
        line(format!("statement = {}", quoted(&standard.statement)));
        line(format!(
            "rated_from = {}",
            quoted(standard.rated_from.code())
        ));
        line(format!("scored = {}", standard.scored));
        if !standard.rated {
            line("rated = false".into());
        }
        for kq in &standard.key_questions {
            line(String::new());
            line("[[standards.key_questions]]".into());
            line(format!("code = {}", quoted(&kq.code)));
            if let Some(area) = &kq.area {
                line(format!("area = {}", quoted(area)));
            }
            line(format!("text = {}", quoted(&kq.text)));
            if let Some(pooled) = &kq.pooled_from {
                line(format!("pooled_from = {}", quoted(pooled)));
            }
            if kq.provisional {
                line("provisional = true".into());
            }
            if !kq.case_evidence.is_empty() {
                line(format!("case_evidence = {}", list(&kq.case_evidence)));
            }
            for prompt in &kq.prompts {
                line(String::new());
                line("[[standards.key_questions.prompts]]".into());
                line(format!("code = {}", quoted(&prompt.code)));
                line(format!("text = {}", quoted(&prompt.text)));
            }
        }
    }
    for outcome in &d.outcomes {
        line(String::new());
        line("[[outcomes]]".into());
        line(format!("code = {}", quoted(&outcome.code)));
        line(format!("text = {}", quoted(&outcome.text)));
    }
    for set in &d.question_sets {
        line(String::new());
        line("[[question_sets]]".into());
        line(format!("code = {}", quoted(&set.code)));
        line(format!("name = {}", quoted(&set.name)));
        if let Some(when) = &set.when {
            line(format!("when = {}", quoted(when)));
        }
        if let Some(codes) = &set.key_questions {
            line(format!("key_questions = {}", list(codes)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped_as_toml_reads_them() {
        let text = "A \"quoted\" back\\slash, a tab\tand a line\nbreak \u{7}";
        let written = format!("s = {}\n", quoted(text));
        let read: toml::Table = toml::from_str(&written).expect("valid TOML");
        assert_eq!(read["s"].as_str(), Some(text));
    }
}
