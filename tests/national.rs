//! The national table (and a region's page): 50 inspections a page,
//! filtered by region, status and overall rating, sorted five ways, and
//! never showing an inspection to someone who may not read it.

use axum::http::StatusCode;
use casemark::vocab::UserRole;
use serde_json::json;

use crate::support::{self, TestApp};

/// The PDU names of the table's rows on a page, in order.
fn rows(html: &str) -> Vec<String> {
    let Some(start) = html.find("<tbody class=\"govuk-table__body\">") else {
        return Vec::new();
    };
    let body = &html[start..start + html[start..].find("</tbody>").expect("tbody ends")];
    body.split("<tr class=\"govuk-table__row\">")
        .skip(1)
        .map(|row| {
            // The row's header cell links to the inspection by its PDU name.
            let link = row
                .find("href=\"/inspections/")
                .expect("a link to the inspection");
            let text = &row[link..];
            let text = &text[text.find('>').expect("link text") + 1..];
            text[..text.find('<').expect("link ends")].to_owned()
        })
        .collect()
}

#[tokio::test]
async fn the_national_table_pages_filters_and_sorts() {
    let app = TestApp::spawn().await;
    let lead = app.api("lead@example.gov.uk", UserRole::Lead).await;
    // One inspection marked to its published ratings (requires improvement,
    // score 4), and 119 unrated ones in two regions.
    let published = &support::fixtures().pdus[0];
    crate::api::reproduce(&lead, published).await;
    for i in 0..119 {
        lead.server
            .post("/api/v1/inspections")
            .json(&json!({
                "pdu": format!("PDU {i:03}"),
                "region": if i % 2 == 0 { "Wales" } else { "London" },
                "fieldwork_start": format!("2025-{:02}-{:02}", 1 + i % 12, 1 + i % 28),
            }))
            .await
            .assert_status(StatusCode::CREATED);
    }
    let viewer = app.browser("viewer@example.gov.uk", UserRole::Viewer).await;

    let first = viewer.get("/").await.text();
    assert!(
        first.contains("Showing 1 to 50 of 120 inspections"),
        "{first}"
    );
    assert_eq!(rows(&first).len(), 50);
    assert!(first.contains("href=\"/?page=2\""));
    assert!(first.contains("href=\"/?page=3\""));
    let last = viewer.get("/?page=3").await.text();
    assert!(last.contains("Showing 101 to 120 of 120 inspections"));
    assert_eq!(rows(&last).len(), 20);
    assert!(last.contains("aria-current=\"page\">3<"));
    let beyond = viewer.get("/?page=9").await.text();
    assert!(beyond.contains("There are no inspections on this page"));

    // Filters.
    let wales = app.region_id("Wales").await;
    let in_wales = viewer.get(&format!("/?region={wales}")).await.text();
    assert!(
        in_wales.contains("Showing 1 to 50 of 60 inspections"),
        "{in_wales}"
    );
    let rated = viewer.get("/?overall=requires_improvement").await.text();
    assert_eq!(rows(&rated), vec![published.name.clone()]);
    // Its standards' ratings are compact tags, each full name given to
    // screen readers, with the short words spelt out above the table.
    assert!(rated.contains(
        "<span aria-hidden=\"true\">RI</span><span class=\"govuk-visually-hidden\">Requires improvement</span>"
    ));
    assert!(rated.contains("<strong>RI</strong> Requires improvement"));
    assert_eq!(rows(&viewer.get("/?overall=good").await.text()).len(), 0);
    assert!(
        viewer
            .get("/?overall=none")
            .await
            .text()
            .contains("of 119 inspections")
    );
    // The published one is in fieldwork (it was marked); so are two more.
    let ids = app.count("select max(id) from inspection").await;
    for id in [ids, ids - 1] {
        lead.server
            .put(&format!("/api/v1/inspections/{id}/status"))
            .json(&json!({"status": "fieldwork"}))
            .await
            .assert_status_ok();
    }
    let fieldwork = viewer.get("/?status=fieldwork").await.text();
    assert_eq!(rows(&fieldwork).len(), 3, "{fieldwork}");
    let combined = viewer
        .get(&format!("/?status=fieldwork&overall=none&region={wales}"))
        .await
        .text();
    assert!(rows(&combined).len() <= 2);

    // Sorts: by score (the rated one first), by name.
    assert_eq!(
        rows(&viewer.get("/?sort=score").await.text())[0],
        published.name
    );
    let by_name = rows(&viewer.get("/?sort=pdu&page=2").await.text());
    let mut sorted = by_name.clone();
    sorted.sort();
    assert_eq!(by_name, sorted);
    assert_eq!(
        by_name[0], "PDU 049",
        "page 2 starts after the first 50 by name"
    );
    let by_fieldwork = viewer.get("/").await.text();
    assert!(
        rows(&by_fieldwork)[0].starts_with("PDU"),
        "the latest fieldwork first"
    );
    // Unknown values are the unfiltered table, not an error.
    assert!(
        viewer
            .get("/?status=nonsense&sort=nonsense&page=x")
            .await
            .text()
            .contains("of 120 inspections")
    );

    // A region's page pages the same way, its region fixed.
    let region_page = viewer.get(&format!("/regions/{wales}?page=2")).await.text();
    assert!(
        region_page.contains("Showing 51 to 60 of 60 inspections"),
        "{region_page}"
    );
    assert!(!region_page.contains("id=\"filter-region\""));

    // Someone who belongs to none of them sees none.
    let stranger = app
        .browser("stranger@example.gov.uk", UserRole::Inspector)
        .await;
    assert!(
        stranger
            .get("/")
            .await
            .text()
            .contains("No inspections match")
    );
}
