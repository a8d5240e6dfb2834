//! The demo (`casemark --demo`): a team a newcomer signs in as, an
//! inspector who can mark a case at once, a "Demo data" banner on every
//! page, and a refusal to run beside real users.

use axum::http::StatusCode;
use casemark::vocab::UserRole;

use crate::support::{TestApp, csrf_in, hidden_value};

/// Signs in through the form with the demo password.
async fn demo_sign_in(app: &TestApp, email: &str) -> crate::support::Browser {
    let server = app.client();
    let form = server.get("/sign-in").await.text();
    assert!(
        form.contains("id=\"demo-banner\""),
        "the sign-in page says it is the demo"
    );
    server
        .post("/sign-in")
        .form(&[
            ("email", email),
            ("password", casemark::demo::PASSWORD),
            ("csrf_token", &csrf_in(&form)),
            ("next", "/"),
        ])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let home = server.get("/my-cases").await.text();
    crate::support::Browser {
        csrf: csrf_in(&home),
        server,
    }
}

#[tokio::test]
async fn a_newcomer_signs_in_as_the_demo_inspector_and_marks_a_case() {
    let app = TestApp::spawn_with(|state| state.demo = true).await;
    let id = casemark::demo::load(&app.state).await.expect("demo loads");
    // Loading again finds it.
    assert_eq!(casemark::demo::load(&app.state).await.expect("again"), id);

    let inspector = demo_sign_in(&app, "inspector1@demo.example.gov.uk").await;
    let mine = inspector.get("/my-cases").await.text();
    assert!(mine.contains("id=\"demo-banner\""));
    // Half the marked cases and three still to mark are theirs.
    assert!(mine.contains("DEMO055") && mine.contains("DEMO001") && !mine.contains("DEMO058"));
    let case: i64 = sqlx::query_scalar("select id from sample_case where reference = 'DEMO055'")
        .fetch_one(&app.pool)
        .await
        .expect("case");
    let form = inspector
        .get(&format!("/cases/{case}/standards/2.1"))
        .await
        .text();
    inspector
        .post_form(
            &format!("/cases/{case}/standards/2.1"),
            &[
                ("revision", hidden_value(&form, "revision")),
                ("kq-2.1.1", "yes".to_owned()),
            ],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    // The lead sees it counted, 55 of 60 cases with an answer on 2.1.1.
    let lead = demo_sign_in(&app, "lead@demo.example.gov.uk").await;
    let dashboard = lead.get(&format!("/inspections/{id}/ratings")).await;
    dashboard.assert_status_ok();
    let html = dashboard.text();
    assert!(
        html.contains("id=\"demo-banner\"") && html.contains("54 of 60 cases complete"),
        "{html}"
    );
    let api = app.api_for("lead@demo.example.gov.uk").await;
    let ratings = crate::support::ratings(&api.server, id).await;
    assert_eq!(
        ratings["score"],
        serde_json::json!(4),
        "Hertfordshire's published score"
    );
    // The viewer reads, and may not mark.
    let viewer = demo_sign_in(&app, "viewer@demo.example.gov.uk").await;
    viewer
        .get(&format!("/inspections/{id}/ratings"))
        .await
        .assert_status_ok();
}

#[tokio::test]
async fn the_demo_refuses_a_database_with_real_users() {
    let app = TestApp::spawn().await;
    app.user("real@example.gov.uk", UserRole::Administrator)
        .await;
    let refused = casemark::demo::load(&app.state).await.expect_err("refused");
    assert!(
        refused
            .to_string()
            .contains("this database has 1 real user"),
        "{refused}"
    );
    let inspections: i64 = sqlx::query_scalar("select count(*) from inspection")
        .fetch_one(&app.pool)
        .await
        .expect("count");
    assert_eq!(inspections, 0, "nothing loaded");
    // A real user's pages carry no banner.
    let page = app
        .sign_in("real@example.gov.uk")
        .await
        .get("/")
        .await
        .text();
    assert!(!page.contains("demo-banner"));
}
