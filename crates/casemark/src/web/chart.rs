//! The dashboard's picture of a domain two standard: one bar per key
//! question against the band lines, its 95% interval as a whisker and the
//! range the unanswered cases leave open as a lighter band behind it.
//!
//! Drawn on the server as inline SVG (templates/partials/band_chart.html):
//! no script, and no inline style (colours and type come from classes in
//! static/app.css), so it works without JavaScript and under the CSP. The
//! table beside it is its text equivalent. This module only lays it out:
//! every figure comes from the ratings model, which has it from the rules.

use casemark_rules::{Rating, Thresholds};

use crate::ratings::StandardResult;
use crate::web::filters::dom_id;

/// The drawing's width in SVG units; the SVG scales to its container.
const WIDTH: u32 = 640;
/// Where 0% is drawn: the left column holds the key questions' names.
const PLOT_LEFT: f64 = 200.0;
const PLOT_RIGHT: f64 = 620.0;
/// Room above the first row for the band lines' labels.
const TOP: f64 = 28.0;
const ROW_HEIGHT: f64 = 44.0;

#[derive(Debug, Clone, PartialEq)]
pub struct BandChart {
    /// Prefix of the element ids inside the SVG ("chart-2-1").
    pub id: String,
    pub title: String,
    pub width: u32,
    pub height: f64,
    pub lines: Vec<BandLine>,
    pub rows: Vec<Row>,
    /// Where the rows end, for the band lines.
    pub plot_bottom: f64,
    pub axis_right: f64,
    pub axis_left: f64,
}

/// A band threshold: a vertical line labelled with its percentage.
#[derive(Debug, Clone, PartialEq)]
pub struct BandLine {
    pub x: f64,
    pub label: String,
}

/// One key question's row.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// "2.1.1: 59%"
    pub label: String,
    /// The key question's area, under its code.
    pub area: String,
    pub label_y: f64,
    pub area_y: f64,
    pub driving: bool,
    /// The percentage bar, absent while nothing is judged.
    pub bar: Option<Rect>,
    /// The range the unanswered cases leave open, when there is one.
    pub range: Option<Rect>,
    /// The 95% interval: from `x1` to `x2` at height `y`.
    pub whisker: Option<Whisker>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Whisker {
    pub x1: f64,
    pub x2: f64,
    pub y: f64,
    pub cap_top: f64,
    pub cap_bottom: f64,
}

/// Where a percentage is drawn, to a tenth of a unit so the SVG stays short.
fn x(percent: u8) -> f64 {
    let exact = PLOT_LEFT + (PLOT_RIGHT - PLOT_LEFT) * f64::from(percent.min(100)) / 100.0;
    (exact * 10.0).round() / 10.0
}

/// Lays out the picture of a domain two standard.
pub fn band_chart(standard: &StandardResult, thresholds: &Thresholds) -> BandChart {
    let rows: Vec<Row> = standard
        .key_questions
        .iter()
        .enumerate()
        .map(|(index, kq)| {
            let top = TOP + ROW_HEIGHT * index as f64;
            let middle = top + ROW_HEIGHT / 2.0;
            let outlook = &kq.outlook;
            Row {
                label: match kq.percent {
                    Some(p) => format!("{}: {p}%", kq.code),
                    None => format!("{}: not judged", kq.code),
                },
                area: kq.area.label().to_owned(),
                label_y: middle - 3.0,
                area_y: middle + 13.0,
                driving: kq.driving,
                bar: kq.percent.map(|p| Rect {
                    x: PLOT_LEFT,
                    y: middle - 7.0,
                    width: x(p) - PLOT_LEFT,
                    height: 14.0,
                }),
                range: outlook.range.filter(|r| !r.is_settled()).map(|r| Rect {
                    x: x(r.worst),
                    y: middle - 14.0,
                    width: x(r.best) - x(r.worst),
                    height: 28.0,
                }),
                whisker: outlook.interval.map(|i| Whisker {
                    x1: x(i.low),
                    x2: x(i.high),
                    y: middle,
                    cap_top: middle - 9.0,
                    cap_bottom: middle + 9.0,
                }),
            }
        })
        .collect();
    let plot_bottom = TOP + ROW_HEIGHT * rows.len() as f64;
    let lines = [
        Rating::RequiresImprovement,
        Rating::Good,
        Rating::Outstanding,
    ]
    .into_iter()
    .map(|rating| {
        let floor = thresholds.floor(rating);
        BandLine {
            x: x(floor),
            label: format!("{floor}%"),
        }
    })
    .collect();
    BandChart {
        id: format!("chart-{}", dom_id(&standard.code)),
        title: format!(
            "{} {}: each key question's percentage Yes against the rating bands, with its \
             95% interval and the range the cases still to answer leave open. \
             The table that follows gives every figure.",
            standard.code, standard.name
        ),
        width: WIDTH,
        height: plot_bottom + 8.0,
        lines,
        rows,
        plot_bottom,
        axis_left: PLOT_LEFT,
        axis_right: PLOT_RIGHT,
    }
}

/// A standard's national picture: one bar per rating, as long as the number
/// of inspections given it (`templates/partials/count_chart.html`).
#[derive(Debug, Clone, PartialEq)]
pub struct CountChart {
    pub id: String,
    pub title: String,
    pub width: u32,
    pub height: f64,
    pub axis_left: f64,
    pub rows: Vec<CountRow>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CountRow {
    pub label: &'static str,
    /// "6 inspections"
    pub count: String,
    pub label_y: f64,
    pub bar: Rect,
    /// Where the count is written: after the bar.
    pub count_x: f64,
    /// The bar's colour class, by rating.
    pub class: &'static str,
}

/// Lays out the counts of each rating; the longest bar spans the plot.
pub fn count_chart(id: &str, title: String, counts: &casemark_rules::RatingCounts) -> CountChart {
    const COUNT_ROW: f64 = 30.0;
    const COUNT_LEFT: f64 = 190.0;
    const COUNT_RIGHT: f64 = 560.0;
    let ratings = [
        Rating::Outstanding,
        Rating::Good,
        Rating::RequiresImprovement,
        Rating::Inadequate,
    ];
    let most = ratings
        .iter()
        .map(|r| counts.get(*r))
        .max()
        .unwrap_or(0)
        .max(1);
    let rows = ratings
        .iter()
        .enumerate()
        .map(|(i, rating)| {
            let n = counts.get(*rating);
            let top = 8.0 + i as f64 * COUNT_ROW;
            let width = (COUNT_RIGHT - COUNT_LEFT) * f64::from(n) / f64::from(most);
            CountRow {
                label: rating.label(),
                count: match n {
                    1 => "1 inspection".to_owned(),
                    n => format!("{n} inspections"),
                },
                label_y: top + 15.0,
                bar: Rect {
                    x: COUNT_LEFT,
                    y: top + 2.0,
                    width,
                    height: 18.0,
                },
                count_x: COUNT_LEFT + width + 6.0,
                class: match rating {
                    Rating::Outstanding => "casemark-chart__bar--outstanding",
                    Rating::Good => "casemark-chart__bar--good",
                    Rating::RequiresImprovement => "casemark-chart__bar--requires-improvement",
                    Rating::Inadequate => "casemark-chart__bar--inadequate",
                },
            }
        })
        .collect();
    CountChart {
        id: id.to_owned(),
        title,
        width: WIDTH,
        height: 8.0 + 4.0 * COUNT_ROW + 8.0,
        axis_left: COUNT_LEFT,
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::Area;
    use crate::ratings::KeyQuestionResult;
    use casemark_rules::{Bands, Counts, key_question_outlook};

    fn kq(code: &str, counts: Counts, unjudged: u32, driving: bool) -> KeyQuestionResult {
        KeyQuestionResult {
            code: code.to_owned(),
            area: Area::new("engagement", "Engagement"),
            text: String::new(),
            pooled_from: None,
            counts,
            applicable: counts.judged() + counts.na + unjudged,
            percent: counts.percent(),
            driving,
            outlook: key_question_outlook(&Bands::PDU_2023, counts, unjudged),
            prompts: Vec::new(),
        }
    }

    #[test]
    fn count_bars_scale_to_the_largest_count() {
        let counts = casemark_rules::RatingCounts {
            good: 6,
            requires_improvement: 14,
            inadequate: 4,
            ..Default::default()
        };
        let chart = count_chart("national-1-1", "Leadership".into(), &counts);
        let widths: Vec<f64> = chart.rows.iter().map(|r| r.bar.width).collect();
        // 0, 6, 14 and 4 of 14 over the 370 units of the plot.
        assert_eq!(widths, [0.0, 370.0 * 6.0 / 14.0, 370.0, 370.0 * 4.0 / 14.0]);
        assert_eq!(chart.rows[2].count, "14 inspections");
    }

    #[test]
    fn bars_whiskers_and_ranges_sit_on_the_percentage_scale() {
        let standard = StandardResult {
            code: "2.1".to_owned(),
            name: "Assessment".to_owned(),
            domain: 2,
            rated_from: crate::framework_file::RatedFrom::Cases,
            scored: true,
            rating: None,
            proposal: None,
            driving_key_question: None,
            outlook: None,
            key_questions: vec![
                kq("2.1.1", Counts::new(32, 22, 0), 0, false),
                kq("2.1.2", Counts::new(5, 5, 0), 10, true),
                kq("2.1.3", Counts::default(), 20, false),
            ],
        };
        let chart = band_chart(&standard, &Bands::PDU_2023.key_question);
        assert_eq!(chart.id, "chart-2-1");
        // 4.2 units a percentage point from 200.
        let lines: Vec<f64> = chart.lines.iter().map(|l| l.x).collect();
        assert_eq!(lines, [410.0, 473.0, 536.0]);
        let [settled, open, unjudged] = &chart.rows[..] else {
            panic!("three rows");
        };
        assert_eq!(settled.label, "2.1.1: 59%");
        assert_eq!(settled.bar.as_ref().map(|b| b.width), Some(x(59) - 200.0));
        let whisker = settled.whisker.as_ref().expect("interval");
        assert_eq!((whisker.x1, whisker.x2), (x(45), x(72)));
        assert_eq!(settled.range, None, "nothing left to answer: no range band");
        // 5 of 10 with 10 to come: 25% to 75%.
        let range = open.range.as_ref().expect("range");
        assert_eq!((range.x, range.x + range.width), (x(25), x(75)));
        assert!(open.driving);
        assert_eq!(unjudged.label, "2.1.3: not judged");
        assert_eq!(
            (unjudged.bar.clone(), unjudged.whisker.clone()),
            (None, None)
        );
        assert!(unjudged.range.is_some());
        assert!(chart.height > unjudged.area_y);
    }
}
