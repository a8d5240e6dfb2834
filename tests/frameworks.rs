//! Frameworks as files (docs/frameworks.md): the shipped PDU 2023 file is
//! exactly what the database holds, and the command line validates, lists
//! and exports. The file format's own checks are unit tests of
//! `casemark::framework_file::read`.

use crate::support::TestApp;

use std::process::Command;

const SHIPPED: &str = include_str!("../frameworks/pdu-2023.toml");

fn casemark(app: &TestApp, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_casemark"))
        .args(args)
        .env("DATABASE_URL", app.database_url())
        .env("RUST_LOG", "warn")
        .output()
        .expect("casemark runs")
}

#[tokio::test]
async fn the_stored_pdu_framework_exports_as_the_shipped_file() {
    let app = TestApp::spawn().await;
    let mut conn = app.pool.acquire().await.expect("connection");
    let definition = casemark::db::framework::definition(&mut conn, "pdu-2023")
        .await
        .expect("read")
        .expect("the seeded framework");
    assert_eq!(casemark::framework_file::write(&definition), SHIPPED);
    assert_eq!(
        casemark::framework_file::parse(SHIPPED).as_ref(),
        Ok(&definition),
        "reading the file gives what the database holds"
    );
    assert_eq!(
        casemark::db::framework::definition(&mut conn, "pdu-2099")
            .await
            .expect("read"),
        None
    );
}

#[tokio::test]
async fn the_command_line_validates_lists_and_exports() {
    let app = TestApp::spawn().await;
    let export = casemark(&app, &["framework", "export", "pdu-2023"]);
    assert!(
        export.status.success(),
        "{}",
        String::from_utf8_lossy(&export.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&export.stdout), SHIPPED);
    let list = casemark(&app, &["framework", "list"]);
    assert_eq!(
        String::from_utf8_lossy(&list.stdout),
        "pdu-2023\t1\tin_use\t0 inspections\tPDU inspection standards (2023)\n"
    );
    let missing = casemark(&app, &["framework", "export", "nope"]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("there is no framework nope"));

    // Validation needs no database, and names each problem's line.
    let dir = std::env::temp_dir().join(format!("casemark-frameworks-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let good = dir.join("good.toml");
    std::fs::write(&good, SHIPPED).expect("write");
    let valid = Command::new(env!("CARGO_BIN_EXE_casemark"))
        .args(["framework", "validate"])
        .arg(&good)
        .env("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
        .output()
        .expect("runs");
    assert!(
        valid.status.success(),
        "{}",
        String::from_utf8_lossy(&valid.stderr)
    );
    let bad = dir.join("bad.toml");
    let broken = SHIPPED
        .replacen("area = \"safety\"", "area = \"wellbeing\"", 1)
        .replacen("code = \"2.2\"", "code = \"2.1\"", 1);
    std::fs::write(&bad, &broken).expect("write");
    let refused = Command::new(env!("CARGO_BIN_EXE_casemark"))
        .args(["framework", "validate"])
        .arg(&bad)
        .output()
        .expect("runs");
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    let line = |needle: &str| {
        broken[..broken.find(needle).expect("needle")]
            .matches('\n')
            .count()
            + 1
    };
    for expected in [
        format!(
            "{}:{}: standards[3].key_questions[2].area:",
            bad.display(),
            line("area = \"wellbeing\"")
        ),
        format!(
            "{}:{}: standards[4].code:",
            bad.display(),
            line("code = \"2.1\"\ndomain = 2\nname = \"Planning\"")
        ),
        "2 problems in".to_owned(),
    ] {
        assert!(stderr.contains(&expected), "{expected} in:\n{stderr}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
