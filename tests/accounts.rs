//! Signing in, sessions, CSRF, sign-in throttling, API tokens, the first-run
//! setup and the command line.
//!
//! Over 400 lines on purpose: each test is one scenario told from start to
//! finish with its own setup, and the file keeps one concern's scenarios
//! together; splitting it would split them.

use crate::support;

use axum::http::StatusCode;
use casemark::vocab::UserRole;
use serde_json::{Value, json};
use support::{PASSWORD, TestApp, csrf_in, location};

async fn attempt(
    server: &axum_test::TestServer,
    email: &str,
    password: &str,
) -> axum_test::TestResponse {
    let csrf = csrf_in(&server.get("/sign-in").await.text());
    server
        .post("/sign-in")
        .form(&[
            ("email", email),
            ("password", password),
            ("csrf_token", &csrf),
        ])
        .await
}

#[tokio::test]
async fn sign_in_sets_a_fresh_http_only_session_and_sign_out_ends_it() {
    let app = TestApp::spawn().await;
    app.user("ann@example.gov.uk", UserRole::Inspector).await;
    let server = app.client();
    // Anonymous visitors are sent to sign in, and come back afterwards.
    assert_eq!(
        location(&server.get("/my-cases").await),
        "/sign-in?next=%2Fmy-cases"
    );

    let first = attempt(&server, "Ann@Example.gov.uk ", PASSWORD).await;
    assert_eq!(location(&first), "/");
    server.get("/my-cases").await.assert_status_ok();

    // The cookie's attributes, seen by a client that does not keep it.
    let plain = app.cookieless_client();
    let form = plain.get("/sign-in").await;
    let csrf_cookie = form.cookie("casemark_csrf");
    let look = plain
        .post("/sign-in")
        .add_cookie(csrf_cookie)
        .form(&[
            ("email", "ann@example.gov.uk"),
            ("password", PASSWORD),
            ("csrf_token", &csrf_in(&form.text())),
        ])
        .await;
    let cookie = look.cookie("casemark_session");
    assert_eq!(cookie.http_only(), Some(true));
    assert_eq!(cookie.same_site(), Some(cookie::SameSite::Lax));
    assert_eq!(cookie.path(), Some("/"));
    assert_ne!(cookie.secure(), Some(true), "plain http on localhost");
    server.get("/my-cases").await.assert_status_ok();

    // Signing in again issues a new session id.
    let form = plain.get("/sign-in").await;
    let second = plain
        .post("/sign-in")
        .add_cookie(form.cookie("casemark_csrf"))
        .form(&[
            ("email", "ann@example.gov.uk"),
            ("password", PASSWORD),
            ("csrf_token", &csrf_in(&form.text())),
        ])
        .await;
    assert_ne!(
        cookie.value(),
        second.cookie("casemark_session").value(),
        "a new id at each sign-in"
    );
    // Only the id's hash is stored.
    let stored: i64 =
        sqlx::query_scalar("select count(*) from user_session where length(id_hash) = 32")
            .fetch_one(&app.pool)
            .await
            .expect("sessions");
    assert_eq!(stored, 3);

    let csrf = csrf_in(&server.get("/my-cases").await.text());
    let out = server.post("/sign-out").form(&[("csrf_token", csrf)]).await;
    assert_eq!(location(&out), "/sign-in");
    assert_eq!(
        location(&server.get("/my-cases").await),
        "/sign-in?next=%2Fmy-cases"
    );
}

#[tokio::test]
async fn wrong_passwords_are_slowed_then_locked_without_revealing_accounts() {
    let app = TestApp::spawn().await;
    app.user("bob@example.gov.uk", UserRole::Inspector).await;
    let server = app.client();
    let wrong = attempt(&server, "bob@example.gov.uk", "not the password").await;
    wrong.assert_status(StatusCode::UNAUTHORIZED);
    let unknown = attempt(&server, "nobody@example.gov.uk", "not the password").await;
    unknown.assert_status(StatusCode::UNAUTHORIZED);
    let message = "Enter a correct email address and password";
    assert!(wrong.text().contains(message) && unknown.text().contains(message));

    for _ in 0..4 {
        attempt(&server, "bob@example.gov.uk", "still wrong").await;
    }
    // Locked: even the right password is refused for a while, with the same
    // words whether or not the account exists.
    let locked = attempt(&server, "bob@example.gov.uk", PASSWORD).await;
    locked.assert_status(StatusCode::TOO_MANY_REQUESTS);
    assert!(locked.text().contains("Too many failed attempts"));
    for _ in 0..5 {
        attempt(&server, "ghost@example.gov.uk", "guess").await;
    }
    let ghost = attempt(&server, "ghost@example.gov.uk", "guess").await;
    ghost.assert_status(StatusCode::TOO_MANY_REQUESTS);

    // The lock expires.
    sqlx::query("update sign_in_throttle set locked_until = now() - interval '1 second' where key like 'account:%'")
        .execute(&app.pool)
        .await
        .expect("expire");
    assert_eq!(
        location(&attempt(&server, "bob@example.gov.uk", PASSWORD).await),
        "/"
    );
}

#[tokio::test]
async fn forms_without_a_valid_csrf_token_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let lead = app.browser("lead@example.gov.uk", UserRole::Lead).await;
    let region = app.region_id("Wales").await.to_string();
    let fields = [
        ("region", region.as_str()),
        ("pdu", "new"),
        ("new_pdu", "Cardiff"),
        ("fieldwork_start-day", "1"),
        ("fieldwork_start-month", "6"),
        ("fieldwork_start-year", "2026"),
    ];
    let missing = lead.server.post("/inspections").form(&fields).await;
    missing.assert_status(StatusCode::FORBIDDEN);
    assert!(missing.text().contains("Your form could not be sent"));
    let mut forged = fields.to_vec();
    forged.push(("csrf_token", "0000"));
    lead.server
        .post("/inspections")
        .form(&forged)
        .await
        .assert_status(StatusCode::FORBIDDEN);
    // Another session's token does not work either.
    let other = app.browser("other@example.gov.uk", UserRole::Lead).await;
    let mut borrowed = fields.to_vec();
    borrowed.push(("csrf_token", other.csrf.as_str()));
    lead.server
        .post("/inspections")
        .form(&borrowed)
        .await
        .assert_status(StatusCode::FORBIDDEN);
    // Multipart forms are checked too.
    let upload = lead
        .server
        .post("/sign-out")
        .multipart(axum_test::multipart::MultipartForm::new().add_text("csrf_token", "nope"))
        .await;
    upload.assert_status(StatusCode::FORBIDDEN);
    assert_eq!(app.count("select count(*) from inspection").await, 0);
    let created = location(&lead.post_form("/inspections", &fields).await);
    assert!(created.starts_with("/inspections/"));
    assert_eq!(app.count("select count(*) from inspection").await, 1);
}

#[tokio::test]
async fn sessions_time_out_and_sign_out_everywhere_ends_them_all() {
    let app = TestApp::spawn().await;
    app.user("cat@example.gov.uk", UserRole::Inspector).await;
    let laptop = app.sign_in("cat@example.gov.uk").await;
    let desktop = app.sign_in("cat@example.gov.uk").await;
    laptop.get("/my-cases").await.assert_status_ok();

    let out = laptop.post("/account/sign-out-everywhere").await;
    assert_eq!(location(&out), "/sign-in");
    assert_eq!(
        location(&desktop.get("/my-cases").await),
        "/sign-in?next=%2Fmy-cases"
    );

    let idle = app.sign_in("cat@example.gov.uk").await;
    app.change_behind_the_app("update user_session set last_seen_at = now() - interval '3 hours'")
        .await;
    assert_eq!(
        location(&idle.get("/my-cases").await),
        "/sign-in?next=%2Fmy-cases"
    );
    let old = app.sign_in("cat@example.gov.uk").await;
    app.change_behind_the_app("update user_session set created_at = now() - interval '13 hours'")
        .await;
    assert_eq!(
        location(&old.get("/my-cases").await),
        "/sign-in?next=%2Fmy-cases"
    );
}

#[tokio::test]
async fn api_tokens_are_required_hashed_revocable_and_act_with_their_users_rights() {
    let app = TestApp::spawn().await;
    let inspector = app.api("dan@example.gov.uk", UserRole::Inspector).await;
    let anonymous = app.client();
    anonymous
        .get("/api/v1/inspections")
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
    let bad = anonymous
        .get("/api/v1/inspections")
        .authorization_bearer("cm_not_a_token")
        .await;
    bad.assert_status(StatusCode::UNAUTHORIZED);
    assert!(bad.json::<Value>()["errors"][0]["message"].is_string());
    inspector
        .server
        .get("/api/v1/inspections")
        .await
        .assert_status_ok();
    // An inspector's token cannot start an inspection.
    inspector
        .server
        .post("/api/v1/inspections")
        .json(&json!({"pdu": "Gwent", "region": "Wales", "fieldwork_start": "2026-01-05"}))
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let stored: i64 = sqlx::query_scalar(
        "select count(*) from api_token where token_hash = sha256(convert_to($1, 'UTF8'))",
    )
    .bind(&inspector.token)
    .fetch_one(&app.pool)
    .await
    .expect("hash");
    assert_eq!(stored, 1, "only the hash is kept");

    // Revoked from the account page: the token stops working.
    let browser = app.sign_in("dan@example.gov.uk").await;
    let token_id: i64 = sqlx::query_scalar("select id from api_token")
        .fetch_one(&app.pool)
        .await
        .expect("id");
    location(
        &browser
            .post(&format!("/account/tokens/{token_id}/revoke"))
            .await,
    );
    inspector
        .server
        .get("/api/v1/inspections")
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
    // A token made on the account page is shown once.
    let page = browser
        .post_form("/account/tokens", &[("label", "laptop script")])
        .await;
    page.assert_status_ok();
    assert!(page.text().contains("id=\"new-token\">cm_"));
    assert!(
        !browser
            .get("/account")
            .await
            .text()
            .contains("id=\"new-token\"")
    );
}

#[tokio::test]
async fn first_run_setup_creates_one_administrator_then_closes() {
    let app = TestApp::spawn().await;
    *app.state.setup_token.lock().expect("lock") = Some("s3cret".into());
    let server = app.client();
    server
        .get("/setup?token=wrong")
        .await
        .assert_status(StatusCode::NOT_FOUND);
    let page = server.get("/setup?token=s3cret").await;
    page.assert_status_ok();
    let csrf = csrf_in(&page.text());
    let short = server
        .post("/setup")
        .form(&[
            ("token", "s3cret"),
            ("email", "root@example.gov.uk"),
            ("name", "Root"),
            ("password", "short"),
            ("csrf_token", &csrf),
        ])
        .await;
    short.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        short
            .text()
            .contains("Password must be at least 12 characters")
    );
    let made = server
        .post("/setup")
        .form(&[
            ("token", "s3cret"),
            ("email", "root@example.gov.uk"),
            ("name", "Root"),
            ("password", PASSWORD),
            ("csrf_token", &csrf),
        ])
        .await;
    assert_eq!(location(&made), "/sign-in");
    server
        .get("/setup?token=s3cret")
        .await
        .assert_status(StatusCode::NOT_FOUND);
    let admin = app.sign_in("root@example.gov.uk").await;
    admin.get("/admin/users").await.assert_status_ok();
}

#[tokio::test]
async fn the_command_line_adds_users_and_prints_only_a_token() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let app = TestApp::spawn().await;
    let url = app.database_url();
    let mut add = Command::new(env!("CARGO_BIN_EXE_casemark"))
        .args([
            "user",
            "add",
            "--email",
            "eve@example.gov.uk",
            "--role",
            "lead",
        ])
        .env("DATABASE_URL", &url)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("casemark runs");
    add.stdin
        .take()
        .expect("stdin")
        .write_all(format!("{PASSWORD}\n").as_bytes())
        .expect("password");
    let added = add.wait_with_output().expect("finishes");
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    assert!(added.stdout.is_empty());

    let bad_role = Command::new(env!("CARGO_BIN_EXE_casemark"))
        .args([
            "user",
            "add",
            "--email",
            "x@example.gov.uk",
            "--role",
            "king",
        ])
        .env("DATABASE_URL", &url)
        .stdin(Stdio::null())
        .output()
        .expect("runs");
    assert!(!bad_role.status.success());

    let token = Command::new(env!("CARGO_BIN_EXE_casemark"))
        .args(["token", "create", "--email", "eve@example.gov.uk"])
        .env("DATABASE_URL", &url)
        .output()
        .expect("runs");
    assert!(
        token.status.success(),
        "{}",
        String::from_utf8_lossy(&token.stderr)
    );
    let token = String::from_utf8(token.stdout).expect("utf-8");
    let lines: Vec<&str> = token.lines().collect();
    assert_eq!(lines.len(), 1, "only the token on stdout");
    let created = app
        .client()
        .post("/api/v1/inspections")
        .authorization_bearer(lines[0])
        .json(&json!({"pdu": "Gwent", "region": "Wales", "fieldwork_start": "2026-01-05"}))
        .await;
    created.assert_status(StatusCode::CREATED);
    // The creating lead is the inspection's lead.
    let role: String = sqlx::query_scalar("select role from membership")
        .fetch_one(&app.pool)
        .await
        .expect("member");
    assert_eq!(role, "lead");
}

#[tokio::test]
async fn administrators_add_users_and_pdus() {
    let app = TestApp::spawn().await;
    let admin = app
        .browser("admin@example.gov.uk", UserRole::Administrator)
        .await;
    let added = admin
        .post_form(
            "/admin/users",
            &[
                ("email", "Fay@Example.gov.uk"),
                ("name", "Fay"),
                ("role", "inspector"),
                ("password", PASSWORD),
            ],
        )
        .await;
    location(&added);
    let again = admin
        .post_form(
            "/admin/users",
            &[
                ("email", "fay@example.gov.uk"),
                ("name", "Fay"),
                ("role", "inspector"),
                ("password", PASSWORD),
            ],
        )
        .await;
    again.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        again
            .text()
            .contains("A user with that email address already exists")
    );
    let fay = app.sign_in("fay@example.gov.uk").await;
    let fay_api = app.api_for("fay@example.gov.uk").await;
    let fay_id: i64 =
        sqlx::query_scalar("select id from app_user where email = 'fay@example.gov.uk'")
            .fetch_one(&app.pool)
            .await
            .expect("id");
    // Deactivating stops her session and her token at once.
    location(
        &admin
            .post(&format!("/admin/users/{fay_id}/deactivate"))
            .await,
    );
    assert_eq!(
        location(&fay.get("/my-cases").await),
        "/sign-in?next=%2Fmy-cases"
    );
    fay_api
        .server
        .get("/api/v1/inspections")
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
    // Reactivating revives neither: both were ended with the deactivation.
    location(&admin.post(&format!("/admin/users/{fay_id}/activate")).await);
    fay_api
        .server
        .get("/api/v1/inspections")
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
    assert_eq!(
        location(&fay.get("/my-cases").await),
        "/sign-in?next=%2Fmy-cases"
    );
    app.api_for("fay@example.gov.uk")
        .await
        .server
        .get("/api/v1/inspections")
        .await
        .assert_status_ok();
    let region = app.region_id("London").await.to_string();
    location(
        &admin
            .post_form(
                "/admin/pdus",
                &[("region", region.as_str()), ("name", "Hackney")],
            )
            .await,
    );
    assert!(admin.get("/admin/pdus").await.text().contains("Hackney"));
}
