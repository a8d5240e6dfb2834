//! The defects a black-box probe found (issue 14), one test each: every
//! one failed on the code before its fix. docs/reliability.md lists them
//! under "Security tests".
//!
//! Over 400 lines on purpose: each test is one scenario told from start to
//! finish with its own setup, and the file keeps one concern's scenarios
//! together; splitting it would split them.

use crate::support;
use casemark::refusal::{Field, Refusal};

use axum::http::StatusCode;
use axum_test::{TestResponse, TestServer};
use casemark::audit::Actor;
use casemark::vocab::{MemberRole, UserRole};
use serde_json::{Value, json};
use support::{PASSWORD, TestApp, csrf_in, location};

/// A sign-in attempt from a client that already holds the sign-in form's
/// CSRF cookie, with its token.
async fn sign_in(server: &TestServer, csrf: &str, email: &str, password: &str) -> TestResponse {
    server
        .post("/sign-in")
        .form(&[
            ("email", email),
            ("password", password),
            ("csrf_token", csrf),
        ])
        .await
}

async fn form_token(server: &TestServer) -> String {
    csrf_in(&server.get("/sign-in").await.text())
}

async fn kind_count(app: &TestApp, kind: &str) -> i64 {
    sqlx::query_scalar("select count(*) from security_event where kind = $1")
        .bind(kind)
        .fetch_one(&app.pool)
        .await
        .expect("count")
}

// ------------------------------------------------- 1. throttling races

#[tokio::test]
async fn parallel_guesses_at_one_account_are_checked_at_most_the_limit() {
    let app = TestApp::spawn().await;
    app.user("inspz@example.gov.uk", UserRole::Inspector).await;
    let server = app.client();
    let csrf = form_token(&server).await;
    let guesses = (0..50).map(|i| {
        let (server, csrf) = (&server, &csrf);
        async move { sign_in(server, csrf, "inspz@example.gov.uk", &format!("wrong {i}")).await }
    });
    let statuses: Vec<u16> = futures_util::future::join_all(guesses)
        .await
        .iter()
        .map(|r| r.status_code().as_u16())
        .collect();
    let checked = statuses.iter().filter(|s| **s == 401).count();
    let locked = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(
        (checked, locked),
        (casemark::auth::throttle::ACCOUNT_LIMIT as usize, 45),
        "{statuses:?}"
    );
    // The right password no longer helps.
    sign_in(&server, &csrf, "inspz@example.gov.uk", PASSWORD)
        .await
        .assert_status(StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(kind_count(&app, "sign_in_failed").await, 5);
    assert_eq!(kind_count(&app, "lockout").await, 1);
}

#[tokio::test]
async fn parallel_guesses_from_one_address_are_checked_at_most_the_limit() {
    let app = TestApp::spawn().await;
    let server = app.client();
    let csrf = form_token(&server).await;
    let guesses = (0..50).map(|i| {
        let (server, csrf) = (&server, &csrf);
        async move { sign_in(server, csrf, &format!("u{i}@example.gov.uk"), "wrong").await }
    });
    let checked = futures_util::future::join_all(guesses)
        .await
        .iter()
        .filter(|r| r.status_code() == StatusCode::UNAUTHORIZED)
        .count();
    assert_eq!(checked, casemark::auth::throttle::ADDRESS_LIMIT as usize);
}

#[tokio::test]
async fn a_successful_sign_in_gives_its_attempt_back_to_the_address() {
    let app = TestApp::spawn().await;
    app.user("ann@example.gov.uk", UserRole::Inspector).await;
    // An office signing in all day does not lock itself out.
    for _ in 0..40 {
        let server = app.client();
        let csrf = form_token(&server).await;
        let signed_in = sign_in(&server, &csrf, "ann@example.gov.uk", PASSWORD).await;
        assert_eq!(location(&signed_in), "/");
    }
}

// ------------------------------------------ 2. header values from user data

#[tokio::test]
async fn download_names_cannot_add_parameters_or_headers() {
    let app = TestApp::spawn().await;
    let lead = app.api("lead@example.gov.uk", UserRole::Lead).await;
    let (id, _) = support::build(&lead.server).await_built().await.parts();
    let hostile = [
        "Q\"; filename*=UTF-8''update.cmd; x=\"",
        "semi;colon=1",
        "Ünïcødé 名前",
    ];
    let added = lead
        .server
        .post(&format!("/api/v1/inspections/{id}/cases"))
        .json(
            &hostile
                .iter()
                .map(|r| json!({"reference": r, "sentence_type": "licence"}))
                .collect::<Vec<_>>(),
        )
        .await;
    added.assert_status(StatusCode::CREATED);
    let viewer = app.browser("viewer@example.gov.uk", UserRole::Viewer).await;
    for case in added.json::<Value>()["cases"].as_array().expect("cases") {
        let case = case["id"].as_i64().expect("id");
        let download = viewer.get(&format!("/cases/{case}/history.csv")).await;
        download.assert_status_ok();
        let header = download
            .header("content-disposition")
            .to_str()
            .expect("ASCII")
            .to_owned();
        // Outside quotes, exactly two parameters after "attachment".
        let mut quoted = false;
        let separators = header
            .chars()
            .filter(|c| {
                if *c == '"' {
                    quoted = !quoted;
                }
                *c == ';' && !quoted
            })
            .count();
        assert_eq!(separators, 2, "{header}");
        assert!(
            header.starts_with("attachment; filename=\"case-"),
            "{header}"
        );
        assert!(header.ends_with("-history.csv"), "{header}");
        assert!(!header.contains("update.cmd\""), "{header}");
    }
    let names: Vec<String> = sqlx::query_scalar("select reference from sample_case")
        .fetch_all(&app.pool)
        .await
        .expect("references");
    assert!(names.iter().any(|n| n.contains('名')));
}

#[tokio::test]
async fn a_control_character_in_a_case_reference_is_refused_not_a_500() {
    let app = TestApp::spawn().await;
    let lead = app.api("lead@example.gov.uk", UserRole::Lead).await;
    let (id, _) = support::build(&lead.server).await_built().await.parts();
    for reference in ["bad\u{7}bell", "cr\r\nlf", "nul\u{0}"] {
        let refused = lead
            .server
            .post(&format!("/api/v1/inspections/{id}/cases"))
            .json(&json!([{"reference": reference, "sentence_type": "licence"}]))
            .await;
        assert!(
            refused.status_code().is_client_error(),
            "{reference:?}: {}",
            refused.text()
        );
    }
    assert_eq!(app.count("select count(*) from sample_case").await, 0);
}

// ------------------------------------------------- 3. security events

#[tokio::test]
async fn each_kind_of_security_event_writes_exactly_one_row() {
    let app = TestApp::spawn().await;
    app.user("admin@example.gov.uk", UserRole::Administrator)
        .await;
    let admin = app.sign_in("admin@example.gov.uk").await;
    let region = app.region_id("Wales").await.to_string();

    async fn once(app: &TestApp, kind: &str, action: impl AsyncFnOnce()) {
        let before = kind_count(app, kind).await;
        action().await;
        assert_eq!(kind_count(app, kind).await, before + 1, "{kind}");
    }

    once(&app, "user_created", async || {
        location(
            &admin
                .post_form(
                    "/admin/users",
                    &[
                        ("email", "fay@example.gov.uk"),
                        ("role", "inspector"),
                        ("password", PASSWORD),
                    ],
                )
                .await,
        );
    })
    .await;
    let fay: i64 = sqlx::query_scalar("select id from app_user where email = 'fay@example.gov.uk'")
        .fetch_one(&app.pool)
        .await
        .expect("fay");
    once(&app, "role_changed", async || {
        location(
            &admin
                .post_form(&format!("/admin/users/{fay}/role"), &[("role", "lead")])
                .await,
        );
    })
    .await;
    once(&app, "user_deactivated", async || {
        location(&admin.post(&format!("/admin/users/{fay}/deactivate")).await);
    })
    .await;
    once(&app, "user_reactivated", async || {
        location(&admin.post(&format!("/admin/users/{fay}/activate")).await);
    })
    .await;
    once(&app, "pdu_added", async || {
        location(
            &admin
                .post_form(
                    "/admin/pdus",
                    &[("region", region.as_str()), ("name", "Newport")],
                )
                .await,
        );
    })
    .await;
    once(&app, "framework_imported", async || {
        let draft = include_str!("../frameworks/pdu-2023.toml")
            .replacen("code = \"pdu-2023\"", "code = \"pdu-2030\"", 1)
            .replacen("status = \"in_use\"", "status = \"draft\"", 1);
        location(
            &admin
                .post_form(
                    "/admin/frameworks",
                    &[("file", draft.as_str()), ("action", "import")],
                )
                .await,
        );
    })
    .await;
    let fay_browser = app.sign_in("fay@example.gov.uk").await;
    let mut token = String::new();
    once(&app, "token_created", async || {
        let page = fay_browser
            .post_form("/account/tokens", &[("label", "laptop")])
            .await;
        page.assert_status_ok();
        let text = page.text();
        let start = text.find("<code id=\"new-token\">").expect("token shown") + 21;
        token = text[start..start + text[start..].find('<').expect("end")].to_owned();
    })
    .await;
    let token_id: i64 = sqlx::query_scalar("select max(id) from api_token")
        .fetch_one(&app.pool)
        .await
        .expect("token id");
    once(&app, "token_revoked", async || {
        location(
            &fay_browser
                .post(&format!("/account/tokens/{token_id}/revoke"))
                .await,
        );
    })
    .await;
    once(&app, "password_changed", async || {
        location(
            &fay_browser
                .post_form(
                    "/account/password",
                    &[
                        ("current_password", PASSWORD),
                        ("new_password", "a brand new pass phrase"),
                        ("confirm_password", "a brand new pass phrase"),
                    ],
                )
                .await,
        );
    })
    .await;
    once(&app, "signed_in", async || {
        let fresh = app.client();
        let csrf = form_token(&fresh).await;
        let signed_in = sign_in(
            &fresh,
            &csrf,
            "fay@example.gov.uk",
            "a brand new pass phrase",
        );
        location(&signed_in.await);
    })
    .await;
    let server = app.client();
    let csrf = form_token(&server).await;
    once(&app, "sign_in_failed", async || {
        sign_in(&server, &csrf, "fay@example.gov.uk", "wrong")
            .await
            .assert_status(StatusCode::UNAUTHORIZED);
    })
    .await;
    for _ in 0..3 {
        sign_in(&server, &csrf, "fay@example.gov.uk", "wrong").await;
    }
    once(&app, "lockout", async || {
        sign_in(&server, &csrf, "fay@example.gov.uk", "wrong")
            .await
            .assert_status(StatusCode::UNAUTHORIZED);
    })
    .await;
    // Refused attempts while locked are logged, not stored.
    let rows = app.count("select count(*) from security_event").await;
    sign_in(&server, &csrf, "fay@example.gov.uk", "wrong")
        .await
        .assert_status(StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(app.count("select count(*) from security_event").await, rows);

    // Every kind was recorded; no row holds a password or a token.
    let kinds: Vec<String> =
        sqlx::query_scalar("select distinct kind from security_event order by kind")
            .fetch_all(&app.pool)
            .await
            .expect("kinds");
    assert_eq!(
        kinds.len(),
        casemark::security::EventKind::ALL.len(),
        "{kinds:?}"
    );
    let all: Vec<String> = sqlx::query_scalar("select e::text from security_event e")
        .fetch_all(&app.pool)
        .await
        .expect("rows");
    for row in &all {
        for secret in [PASSWORD, "a brand new pass phrase", token.as_str()] {
            assert!(!row.contains(secret), "{row}");
        }
    }
    let sign_ins: Vec<Option<String>> = sqlx::query_scalar(
        "select client_address from security_event where kind in ('signed_in', 'sign_in_failed', 'lockout')",
    )
    .fetch_all(&app.pool)
    .await
    .expect("addresses");
    assert!(
        sign_ins.iter().all(|a| a.as_deref() == Some("127.0.0.1")),
        "{sign_ins:?}"
    );
    // Append-only, like the audit trail (42501, from its trigger).
    support::assert_refused(
        sqlx::query("delete from security_event")
            .execute(&app.pool)
            .await,
        "42501",
        "cannot be changed or removed",
    );
}

#[tokio::test]
async fn administrators_filter_security_events_and_download_them() {
    let app = TestApp::spawn().await;
    app.user("admin@example.gov.uk", UserRole::Administrator)
        .await;
    app.user("ann@example.gov.uk", UserRole::Inspector).await;
    app.user("bob@example.gov.uk", UserRole::Inspector).await;
    let admin = app.sign_in("admin@example.gov.uk").await;
    let server = app.client();
    let csrf = form_token(&server).await;
    sign_in(&server, &csrf, "bob@example.gov.uk", "wrong").await;

    let failed = admin
        .get("/admin/security-events?kind=sign_in_failed")
        .await;
    failed.assert_status_ok();
    let text = failed.text();
    assert!(
        text.contains("bob@example.gov.uk") && text.contains("1 events"),
        "{text}"
    );
    let ann = admin.get("/admin/security-events?person=ANN@").await.text();
    assert!(ann.contains("ann@example.gov.uk") && !ann.contains("bob@example.gov.uk"));
    let today = chrono::Utc::now().date_naive();
    let tomorrow = today.succ_opt().expect("tomorrow");
    let dated = |d: chrono::NaiveDate, field: &str| {
        use chrono::Datelike;
        format!(
            "{field}-day={}&{field}-month={}&{field}-year={}",
            d.day(),
            d.month(),
            d.year()
        )
    };
    let from_tomorrow = admin
        .get(&format!(
            "/admin/security-events?{}",
            dated(tomorrow, "from")
        ))
        .await
        .text();
    assert!(from_tomorrow.contains("No events match"));
    let until_today = admin
        .get(&format!("/admin/security-events?{}", dated(today, "to")))
        .await
        .text();
    assert!(until_today.contains("bob@example.gov.uk"));
    let bad = admin
        .get("/admin/security-events?from-day=31&from-month=2&from-year=2026&kind=nonsense")
        .await;
    bad.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().contains("From date must be a real date"));
    assert!(bad.text().contains("Select a kind of event"));

    let csv = admin
        .get("/admin/security-events.csv?kind=sign_in_failed")
        .await;
    csv.assert_status_ok();
    assert!(
        csv.header("content-disposition")
            .to_str()
            .expect("ascii")
            .contains("security-events.csv")
    );
    let body = csv.text();
    assert!(body.starts_with("id,at,kind,actor,subject,detail,client_address"));
    assert_eq!(body.lines().count(), 2, "{body}");
    assert!(body.contains("sign_in_failed") && body.contains("bob@example.gov.uk"));
}

// --------------------------------------------- 4. one rule for email case

#[tokio::test]
async fn every_spelling_of_an_address_shares_its_lock_and_no_other_does() {
    let app = TestApp::spawn().await;
    app.user("inspz@example.gov.uk", UserRole::Inspector).await;
    let server = app.client();
    let csrf = form_token(&server).await;
    // Fullwidth letters are the same account (NFKC): they sign in ...
    let fullwidth = "ｉｎｓｐｚ@example.gov.uk";
    let other = app.client();
    let other_csrf = form_token(&other).await;
    assert_eq!(
        location(&sign_in(&other, &other_csrf, fullwidth, PASSWORD).await),
        "/"
    );
    // ... and share the account's lock.
    for _ in 0..5 {
        sign_in(&server, &csrf, "inspz@example.gov.uk", "wrong").await;
    }
    for spelling in ["inspz@example.gov.uk", "INSPZ@EXAMPLE.GOV.UK", fullwidth] {
        sign_in(&server, &csrf, spelling, PASSWORD)
            .await
            .assert_status(StatusCode::TOO_MANY_REQUESTS);
    }
    // Letters that only look alike are other (non-existent) accounts: they
    // never reach inspz, locked or not.
    for other in [
        "İnspz@example.gov.uk",
        "i\u{307}nspz@example.gov.uk",
        "inspß@example.gov.uk",
    ] {
        sign_in(&server, &csrf, other, PASSWORD)
            .await
            .assert_status(StatusCode::UNAUTHORIZED);
    }
    // And such addresses cannot be given to a new account.
    let refused = casemark::accounts::add_user(
        &app.pool,
        &Actor::system("tests"),
        "İnspz@example.gov.uk",
        None,
        PASSWORD,
        UserRole::Inspector,
    )
    .await;
    assert!(
        matches!(&refused, Err(Refusal::Invalid(problems)) if problems[0].field == Field::Named("email")),
        "{refused:?}"
    );
    // The database refuses one that is not stored by the rule (23514, the
    // check constraint of migration 0007).
    support::assert_refused(
        sqlx::query(
            "insert into app_user (email, display_name, password_hash, role)
             values ('inspß@example.gov.uk', 'x', 'x', 'inspector')",
        )
        .execute(&app.pool)
        .await,
        "23514",
        "app_user_email_ascii",
    );
}

// --------------------------------------------------- 5. open redirect

#[tokio::test]
async fn sign_in_returns_only_to_paths_on_this_site() {
    let app = TestApp::spawn().await;
    app.user("ann@example.gov.uk", UserRole::Inspector).await;
    let cases = [
        (
            "/inspections/3?status=complete#x",
            "/inspections/3?status=complete#x",
        ),
        ("/cases/1/history", "/cases/1/history"),
        ("/\t/evil.example/x", "/"),
        ("/%09/evil.example/x", "/%09/evil.example/x"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("/x\\y", "/"),
        ("https://evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("/javascript:alert(1)", "/"),
        ("/\nSet-Cookie: x=1", "/"),
        ("/ spaced", "/"),
        ("", "/"),
        ("evil.example", "/"),
    ];
    for (next, expected) in cases {
        let server = app.client();
        let csrf = form_token(&server).await;
        let response = server
            .post("/sign-in")
            .form(&[
                ("email", "ann@example.gov.uk"),
                ("password", PASSWORD),
                ("csrf_token", csrf.as_str()),
                ("next", next),
            ])
            .await;
        assert_eq!(location(&response), expected, "next={next:?}");
    }
    // A NUL is refused before anyone is signed in, without a session cookie.
    let server = app.cookieless_client();
    let form = server.get("/sign-in").await;
    let refused = server
        .post("/sign-in")
        .add_cookie(form.cookie("casemark_csrf"))
        .form(&[
            ("email", "ann@example.gov.uk"),
            ("password", PASSWORD),
            ("csrf_token", csrf_in(&form.text()).as_str()),
            ("next", "/\u{0}x"),
        ])
        .await;
    refused.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.maybe_cookie("casemark_session").is_none());
    assert!(refused.text().contains("next contains a control character"));
}

// --------------------------------------- 6. deactivation ends access

#[tokio::test]
async fn deactivation_ends_sessions_and_revokes_tokens_for_good() {
    let app = TestApp::spawn().await;
    app.user("admin@example.gov.uk", UserRole::Administrator)
        .await;
    let fay_id = app.user("fay@example.gov.uk", UserRole::Inspector).await;
    let admin = app.sign_in("admin@example.gov.uk").await;
    let fay = app.sign_in("fay@example.gov.uk").await;
    let fay_api = app.api_for("fay@example.gov.uk").await;
    location(
        &admin
            .post(&format!("/admin/users/{fay_id}/deactivate"))
            .await,
    );
    let sessions: i64 = sqlx::query_scalar("select count(*) from user_session where user_id = $1")
        .bind(fay_id)
        .fetch_one(&app.pool)
        .await
        .expect("sessions");
    let live: i64 = sqlx::query_scalar(
        "select count(*) from api_token where user_id = $1 and revoked_at is null",
    )
    .bind(fay_id)
    .fetch_one(&app.pool)
    .await
    .expect("tokens");
    assert_eq!((sessions, live), (0, 0));
    location(&admin.post(&format!("/admin/users/{fay_id}/activate")).await);
    assert!(location(&fay.get("/my-cases").await).starts_with("/sign-in"));
    fay_api
        .server
        .get("/api/v1/inspections")
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
}

// ------------------------------------------- 7. survey items have owners

#[tokio::test]
async fn survey_items_are_removed_by_their_owner_or_the_lead_only() {
    let app = TestApp::spawn().await;
    let lead = app.api("lead@example.gov.uk", UserRole::Lead).await;
    let (id, _) = support::build(&lead.server).await_built().await.parts();
    let a = app.api("a@example.gov.uk", UserRole::Inspector).await;
    let b = app.api("b@example.gov.uk", UserRole::Inspector).await;
    for email in ["a@example.gov.uk", "b@example.gov.uk"] {
        lead.server
            .put(&format!("/api/v1/inspections/{id}/members"))
            .json(&json!({"email": email, "role": "inspector"}))
            .await
            .assert_status_ok();
    }
    let add = async |api: &support::Api, question: &str| {
        let added = api
            .server
            .post(&format!("/api/v1/inspections/{id}/staff-survey"))
            .json(&json!({"question": question, "positive": 3, "respondents": 4}))
            .await;
        added.assert_status(StatusCode::CREATED);
        added.json::<Value>()["id"].as_i64().expect("id")
    };
    let lead_item = add(&lead, "Lead's question").await;
    let a_item = add(&a, "A's question").await;
    let b_item = add(&b, "B's question").await;
    let remove = |api: &support::Api, item: i64| {
        api.server
            .delete(&format!("/api/v1/inspections/{id}/staff-survey/{item}"))
    };
    remove(&a, lead_item)
        .await
        .assert_status(StatusCode::FORBIDDEN);
    remove(&b, a_item)
        .await
        .assert_status(StatusCode::FORBIDDEN);
    remove(&a, a_item)
        .await
        .assert_status(StatusCode::NO_CONTENT);
    remove(&lead, b_item)
        .await
        .assert_status(StatusCode::NO_CONTENT);
    let left: Vec<i64> = sqlx::query_scalar("select id from staff_survey_item order by id")
        .fetch_all(&app.pool)
        .await
        .expect("items");
    assert_eq!(left, vec![lead_item]);
    // The page offers "Remove" only where it would work.
    let a_page = app.sign_in("a@example.gov.uk").await;
    let page = a_page
        .get(&format!("/inspections/{id}/staff-survey"))
        .await
        .text();
    assert!(!page.contains(&format!("staff-survey/{lead_item}/remove")));
}

// ---------------------- 8. administrators never join; one lead always stays

#[tokio::test]
async fn administrators_never_join_an_inspection_and_the_last_lead_stays() {
    let app = TestApp::spawn().await;
    let lead = app.api("lead@example.gov.uk", UserRole::Lead).await;
    let lead_id: i64 =
        sqlx::query_scalar("select id from app_user where email = 'lead@example.gov.uk'")
            .fetch_one(&app.pool)
            .await
            .expect("lead");
    app.user("admin@example.gov.uk", UserRole::Administrator)
        .await;
    let (id, _) = support::build(&lead.server).await_built().await.parts();
    let browser = app.sign_in("lead@example.gov.uk").await;
    let admin = app.sign_in("admin@example.gov.uk").await;
    let before = app.fingerprint().await;
    for role in ["lead", "inspector", "viewer"] {
        let refused = lead
            .server
            .put(&format!("/api/v1/inspections/{id}/members"))
            .json(&json!({"email": "admin@example.gov.uk", "role": role}))
            .await;
        refused.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            refused
                .text()
                .contains("administrators never join an inspection")
        );
    }
    let page = browser
        .post_form(
            &format!("/inspections/{id}/members"),
            &[("email", "admin@example.gov.uk"), ("role", "lead")],
        )
        .await;
    page.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.text()
            .contains("administrators never join an inspection")
    );
    assert_eq!(app.fingerprint().await, before);
    // Even with every right (the command line), the last lead stays lead.
    let refused = casemark::team::set_member(
        &app.pool,
        &Actor::system("tests"),
        id,
        "lead@example.gov.uk",
        MemberRole::Inspector,
    )
    .await;
    assert!(
        matches!(&refused, Err(Refusal::Invalid(problems))
            if problems[0].field == Field::Named("role") && problems[0].message.contains("only lead")),
        "{refused:?}"
    );
    // A member cannot be made an administrator.
    let role = admin
        .post_form(
            &format!("/admin/users/{lead_id}/role"),
            &[("role", "administrator")],
        )
        .await;
    role.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        role.text()
            .contains("administrators never join inspections")
    );
    assert_eq!(app.fingerprint().await, before);
}

// ---------------------------------- 9. control characters at every entry

#[tokio::test]
async fn a_nul_anywhere_is_a_422_naming_the_field_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let lead = app.api("lead@example.gov.uk", UserRole::Lead).await;
    let (id, cases) = support::build(&lead.server)
        .licence_cases(1)
        .await_built()
        .await
        .parts();
    let case = cases[0];
    let browser = app.sign_in("lead@example.gov.uk").await;
    let before = app.fingerprint().await;
    let json_bodies = [
        (
            "POST",
            "/api/v1/inspections".to_owned(),
            json!({"pdu": "Nul\u{0}", "region": "Wales", "fieldwork_start": "2026-06-01"}),
            "pdu",
        ),
        (
            "PUT",
            format!("/api/v1/inspections/{id}/members"),
            json!({"email": "a\u{0}@example.gov.uk", "role": "inspector"}),
            "email",
        ),
        (
            "POST",
            format!("/api/v1/inspections/{id}/domain-one/evidence"),
            json!({"question": "1.1.1", "kind": "strength", "source": "meeting", "text": "x\u{0}"}),
            "text",
        ),
        (
            "POST",
            format!("/api/v1/inspections/{id}/staff-survey"),
            json!({"question": "q\u{1b}", "positive": 1, "respondents": 2}),
            "question",
        ),
        (
            "PUT",
            format!("/api/v1/inspections/{id}/domain-one"),
            json!({"1.1": {"rating": "good", "strengths": "s\u{0}"}}),
            "1.1.strengths",
        ),
        (
            "PUT",
            format!("/api/v1/cases/{case}/judgements"),
            json!({"rationales": {"2.1.1": "r\u{85}"}}),
            "rationales.2.1.1",
        ),
        (
            "POST",
            format!("/api/v1/inspections/{id}/cases"),
            json!([{"reference": "R\u{0}", "sentence_type": "licence"}]),
            "[0].reference",
        ),
    ];
    for (method, path, body, field) in json_bodies {
        let request = if method == "POST" {
            lead.server.post(&path)
        } else {
            lead.server.put(&path)
        };
        let refused = request.json(&body).await;
        refused.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            refused.json::<Value>()["errors"][0]["field"],
            field,
            "{path}"
        );
    }
    // Forms, the sign-in email included, and pasted or uploaded CSV.
    let form = browser
        .post_form(
            &format!("/inspections/{id}/cases"),
            &[("reference", "R\u{0}1"), ("sentence_type", "licence")],
        )
        .await;
    form.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        form.text()
            .contains("reference contains a control character (U+0000)")
    );
    let anonymous = app.client();
    let csrf = form_token(&anonymous).await;
    let sign = sign_in(&anonymous, &csrf, "lead\u{0}@example.gov.uk", PASSWORD).await;
    sign.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(sign.text().contains("email contains a control character"));
    let pasted = browser
        .server
        .post(&format!("/inspections/{id}/cases/import"))
        .multipart(
            browser
                .multipart()
                .add_text("csv", "reference,sentence_type\nR\u{0}2,licence\n"),
        )
        .await;
    pasted.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        pasted
            .text()
            .contains("control character (U+0000) at line 2")
    );
    let api_csv = lead
        .server
        .post(&format!("/api/v1/inspections/{id}/cases"))
        .content_type("text/csv")
        .bytes("reference,sentence_type\nR3,licence\u{1}\n".into())
        .await;
    api_csv.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    // Query strings and paths.
    browser
        .get(&format!("/inspections/{id}?status=%00"))
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    lead.server
        .post(&format!("/api/v1/inspections/{id}/cases?dry_run=%00"))
        .json(&json!([]))
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    browser
        .get(&format!("/inspections/{id}/domain-one/1.1%00"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    assert_eq!(app.fingerprint().await, before);
    // Text areas keep their tabs and line breaks.
    lead.server
        .put(&format!("/api/v1/cases/{case}/judgements"))
        .json(&json!({"key_questions": {"2.1.1": {"answer": "no", "rationale": "line one\r\n\tline two"}}}))
        .await
        .assert_status_ok();
}

// ------------------------------------ 10. banners show only server text

#[tokio::test]
async fn a_url_cannot_put_text_in_the_success_banner() {
    let app = TestApp::spawn().await;
    let lead = app.api("lead@example.gov.uk", UserRole::Lead).await;
    app.user("admin@example.gov.uk", UserRole::Administrator)
        .await;
    let (id, _) = support::build(&lead.server)
        .licence_cases(1)
        .await_built()
        .await
        .parts();
    let browser = app.sign_in("lead@example.gov.uk").await;
    let admin = app.sign_in("admin@example.gov.uk").await;
    let bait = "Your session expired: call 0800 000 000";
    let query = serde_urlencoded::to_string([("notice", bait)]).expect("query");
    for (who, path) in [
        (&browser, format!("/inspections/{id}?{query}")),
        (&admin, format!("/admin/users?{query}")),
        (&admin, format!("/admin/pdus?{query}")),
        (&browser, format!("/account?{query}")),
    ] {
        let page = who.get(&path).await;
        page.assert_status_ok();
        assert!(!page.text().contains("0800 000 000"), "{path}");
    }
    // The server's own message shows once, on the page the change leads to.
    app.user("a@example.gov.uk", UserRole::Inspector).await;
    let added = browser
        .post_form(
            &format!("/inspections/{id}/members"),
            &[("email", "a@example.gov.uk"), ("role", "inspector")],
        )
        .await;
    assert_eq!(location(&added), format!("/inspections/{id}"));
    let banner = "a@example.gov.uk is a inspector of this inspection";
    assert!(browser.get(&location(&added)).await.text().contains(banner));
    assert!(!browser.get(&location(&added)).await.text().contains(banner));
}

// --------------------------------------------------- 11. no-store

#[tokio::test]
async fn signed_in_pages_exports_and_api_replies_are_never_stored() {
    let app = TestApp::spawn().await;
    let lead = app.api("lead@example.gov.uk", UserRole::Lead).await;
    let (id, cases) = support::build(&lead.server)
        .licence_cases(1)
        .await_built()
        .await
        .parts();
    let browser = app.sign_in("lead@example.gov.uk").await;
    let responses = [
        browser.get("/").await,
        browser.get(&format!("/cases/{}", cases[0])).await,
        browser.get(&format!("/inspections/{id}/annexe.xlsx")).await,
        browser.get(&format!("/inspections/{id}/annexe.csv")).await,
        lead.server
            .get(&format!("/api/v1/inspections/{id}/ratings"))
            .await,
        lead.server.get("/api/v1/nothing").await,
        app.client().get("/sign-in").await,
        app.client().get("/my-cases").await,
    ];
    for response in &responses {
        assert_eq!(response.header("cache-control"), "no-store");
    }
    let asset = app.client().get("/assets/govuk-frontend.min.css").await;
    asset.assert_status_ok();
    assert_eq!(asset.header("cache-control"), "public, max-age=86400");
}

// ------------------------------------------------------------- also

#[tokio::test]
async fn signing_in_ends_the_session_the_browser_had() {
    let app = TestApp::spawn().await;
    app.user("ann@example.gov.uk", UserRole::Inspector).await;
    app.user("bob@example.gov.uk", UserRole::Inspector).await;
    let plain = app.cookieless_client();
    let form = plain.get("/sign-in").await;
    let csrf_cookie = form.cookie("casemark_csrf");
    let csrf = csrf_in(&form.text());
    let ann = plain
        .post("/sign-in")
        .add_cookie(csrf_cookie.clone())
        .form(&[
            ("email", "ann@example.gov.uk"),
            ("password", PASSWORD),
            ("csrf_token", csrf.as_str()),
        ])
        .await
        .cookie("casemark_session");
    // Bob signs in in the same browser, which still sends Ann's cookie (so
    // its form carries her session's token).
    let form = plain.get("/sign-in").add_cookie(ann.clone()).await;
    plain
        .post("/sign-in")
        .add_cookie(csrf_cookie)
        .add_cookie(ann.clone())
        .form(&[
            ("email", "bob@example.gov.uk"),
            ("password", PASSWORD),
            ("csrf_token", csrf_in(&form.text()).as_str()),
        ])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let with_ann = plain.get("/my-cases").add_cookie(ann).await;
    assert!(location(&with_ann).starts_with("/sign-in"));
}

#[tokio::test]
async fn changing_the_password_signs_out_every_other_session() {
    let app = TestApp::spawn().await;
    app.user("ann@example.gov.uk", UserRole::Inspector).await;
    let laptop = app.sign_in("ann@example.gov.uk").await;
    let phone = app.sign_in("ann@example.gov.uk").await;
    let wrong = laptop
        .post_form(
            "/account/password",
            &[
                ("current_password", "not it"),
                ("new_password", "another long pass phrase"),
                ("confirm_password", "another long pass phrase"),
            ],
        )
        .await;
    wrong.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.text().contains("Your current password is incorrect"));
    let mismatch = laptop
        .post_form(
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "another long pass phrase"),
                ("confirm_password", "another long pass phrasE"),
            ],
        )
        .await;
    mismatch.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(mismatch.text().contains("The passwords do not match"));
    phone.get("/my-cases").await.assert_status_ok();
    let changed = laptop
        .post_form(
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "another long pass phrase"),
                ("confirm_password", "another long pass phrase"),
            ],
        )
        .await;
    assert_eq!(location(&changed), "/account");
    let account = laptop.get("/account").await.text();
    assert!(
        account.contains("your other session was signed out"),
        "{account}"
    );
    assert!(location(&phone.get("/my-cases").await).starts_with("/sign-in"));
    let server = app.client();
    let csrf = form_token(&server).await;
    sign_in(&server, &csrf, "ann@example.gov.uk", PASSWORD)
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
    location(
        &sign_in(
            &server,
            &csrf,
            "ann@example.gov.uk",
            "another long pass phrase",
        )
        .await,
    );
}

#[tokio::test]
async fn unreadable_forms_and_queries_get_a_govuk_page_or_json() {
    let app = TestApp::spawn().await;
    let lead = app.api("lead@example.gov.uk", UserRole::Lead).await;
    let (id, _) = support::build(&lead.server).await_built().await.parts();
    let browser = app.sign_in("lead@example.gov.uk").await;
    let duplicate = browser
        .post_form(
            &format!("/inspections/{id}/cases"),
            &[
                ("reference", "A1"),
                ("reference", "A2"),
                ("sentence_type", "licence"),
            ],
        )
        .await;
    duplicate.assert_status(StatusCode::BAD_REQUEST);
    assert!(
        duplicate
            .header("content-type")
            .to_str()
            .expect("type")
            .starts_with("text/html")
    );
    assert!(
        duplicate.text().contains("govuk-template") && duplicate.text().contains("duplicate field")
    );
    let not_a_number = browser.get(&format!("/inspections/{id}?added=many")).await;
    not_a_number.assert_status(StatusCode::BAD_REQUEST);
    assert!(not_a_number.text().contains("govuk-template"));
    let api = lead
        .server
        .post(&format!(
            "/api/v1/inspections/{id}/cases?dry_run=true&dry_run=false"
        ))
        .json(&json!([]))
        .await;
    api.assert_status(StatusCode::BAD_REQUEST);
    assert!(api.json::<Value>()["errors"][0]["message"].is_string());
    // What the framework refuses before a handler runs, too.
    let not_multipart = browser
        .post_form(&format!("/inspections/{id}/cases/import"), &[("csv", "x")])
        .await;
    assert!(not_multipart.status_code().is_client_error());
    assert!(
        not_multipart.text().contains("govuk-template"),
        "{}",
        not_multipart.text()
    );
    let wrong_method = browser
        .server
        .patch("/account")
        .form(&[("csrf_token", browser.csrf.as_str())])
        .await;
    wrong_method.assert_status(StatusCode::METHOD_NOT_ALLOWED);
    assert!(wrong_method.text().contains("govuk-template"));
    let bad_path = browser
        .get(&format!("/inspections/{id}/domain-one/%FF"))
        .await;
    assert!(bad_path.status_code().is_client_error());
    assert!(
        bad_path.text().contains("govuk-template"),
        "{}",
        bad_path.text()
    );
    let api_method = lead.server.patch("/api/v1/inspections").await;
    api_method.assert_status(StatusCode::METHOD_NOT_ALLOWED);
    assert!(api_method.json::<Value>()["errors"][0]["message"].is_string());
    assert_eq!(app.count("select count(*) from sample_case").await, 0);
}

#[tokio::test]
async fn sign_in_bodies_are_limited_before_anyone_signs_in() {
    let app = TestApp::spawn().await;
    let server = app.client();
    let csrf = form_token(&server).await;
    let big = "x".repeat(20 * 1024);
    let response = server
        .post("/sign-in")
        .form(&[
            ("email", "a@example.gov.uk"),
            ("password", big.as_str()),
            ("csrf_token", csrf.as_str()),
        ])
        .await;
    response.assert_status(StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(app.count("select count(*) from sign_in_throttle").await, 0);
}

#[tokio::test]
async fn over_https_the_session_cookie_is_host_only_and_secure() {
    let app = TestApp::spawn_with(|state| state.sessions.secure_cookies = true).await;
    app.user("ann@example.gov.uk", UserRole::Inspector).await;
    let plain = app.cookieless_client();
    let form = plain.get("/sign-in").await;
    let csrf_cookie = form.cookie("__Host-casemark_csrf");
    assert_eq!(csrf_cookie.secure(), Some(true));
    let signed_in = plain
        .post("/sign-in")
        .add_cookie(csrf_cookie)
        .form(&[
            ("email", "ann@example.gov.uk"),
            ("password", PASSWORD),
            ("csrf_token", csrf_in(&form.text()).as_str()),
        ])
        .await;
    let session = signed_in.cookie("__Host-casemark_session");
    assert_eq!(session.secure(), Some(true));
    assert_eq!(session.path(), Some("/"));
    assert_eq!(session.domain(), None);
    plain
        .get("/my-cases")
        .add_cookie(session)
        .await
        .assert_status_ok();
    // The unprefixed name is not read over https.
    let unprefixed = cookie::Cookie::new("casemark_session", "anything");
    assert!(location(&plain.get("/my-cases").add_cookie(unprefixed).await).starts_with("/sign-in"));
}
