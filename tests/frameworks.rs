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

/// The shipped file as another framework: a new code and status.
fn copy_of_pdu(code: &str, status: &str) -> String {
    SHIPPED
        .replacen("code = \"pdu-2023\"", &format!("code = \"{code}\""), 1)
        .replacen("status = \"in_use\"", &format!("status = \"{status}\""), 1)
}

async fn export(app: &TestApp, code: &str) -> String {
    let mut conn = app.pool.acquire().await.expect("connection");
    let definition = casemark::db::framework::definition(&mut conn, code)
        .await
        .expect("read")
        .expect("stored");
    casemark::framework_file::write(&definition)
}

#[tokio::test]
async fn an_imported_file_exports_as_it_was_and_only_a_draft_can_be_replaced() {
    use casemark::framework_import::{ImportRefusal, import};
    let app = TestApp::spawn().await;

    // Export → import → export: the same bytes.
    let draft = copy_of_pdu("pdu-2027", "draft");
    let imported = import(&app.pool, &casemark::audit::Actor::system("tests"), &draft)
        .await
        .expect("imported");
    assert!(!imported.replaced);
    assert_eq!(export(&app, "pdu-2027").await, draft);
    // The new version is a framework like the seeded one: an inspection
    // can be rated under it (the framework cache loads it by id).
    let mut conn = app.pool.acquire().await.expect("connection");
    let loaded = casemark::db::framework::load(&mut conn, imported.id)
        .await
        .expect("loads");
    assert_eq!(loaded.standards.len(), 7);
    assert_eq!(loaded.domain_one_questions().count(), 11);
    drop(conn);

    // An unused draft is replaced; its new wording is what is stored.
    let reworded = draft.replacen(
        "name = \"Leadership\"",
        "name = \"Leadership and governance\"",
        1,
    );
    let again = import(
        &app.pool,
        &casemark::audit::Actor::system("tests"),
        &reworded,
    )
    .await
    .expect("replaced");
    assert!(again.replaced);
    assert_eq!(export(&app, "pdu-2027").await, reworded);

    // A version in use, or no longer a draft, never changes.
    let before = app.fingerprint().await;
    match import(&app.pool, &casemark::audit::Actor::system("tests"), SHIPPED).await {
        Err(ImportRefusal::Exists(message)) => {
            assert!(message.contains("exists and is in use"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(before, app.fingerprint().await, "nothing written");
    // A retired file may replace the draft; then it too is frozen.
    let retired = copy_of_pdu("pdu-2027", "retired");
    import(
        &app.pool,
        &casemark::audit::Actor::system("tests"),
        &retired,
    )
    .await
    .expect("replaces the draft");
    match import(
        &app.pool,
        &casemark::audit::Actor::system("tests"),
        &retired,
    )
    .await
    {
        Err(ImportRefusal::Exists(message)) => assert!(message.contains("is retired"), "{message}"),
        other => panic!("{other:?}"),
    }
    let after_retired = app.fingerprint().await;
    assert_ne!(before, after_retired, "the retired file replaced the draft");

    // A file of a shape the schema cannot hold yet, or a malformed one, is
    // refused with its reasons and writes nothing.
    let youthful = copy_of_pdu("youth-2018", "draft")
        .replacen("code = \"safety\"", "code = \"wellbeing\"", 1)
        .replace("area = \"safety\"", "area = \"wellbeing\"");
    match import(
        &app.pool,
        &casemark::audit::Actor::system("tests"),
        &youthful,
    )
    .await
    {
        Err(ImportRefusal::Problems(problems)) => {
            assert_eq!(problems.len(), 1, "{problems:?}");
            assert!(problems[0].message.contains("cannot hold this yet"));
        }
        other => panic!("{other:?}"),
    }
    match import(
        &app.pool,
        &casemark::audit::Actor::system("tests"),
        &copy_of_pdu("broken", "draft").replacen("good = 65", "good = 40", 1),
    )
    .await
    {
        Err(ImportRefusal::Problems(problems)) => {
            assert_eq!(problems[0].field, "bands.key_question");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(after_retired, app.fingerprint().await, "nothing written");
}

#[tokio::test]
async fn a_shipped_framework_missing_from_the_database_is_loaded_from_its_file() {
    let app = TestApp::spawn().await;
    assert_eq!(
        casemark::framework_import::load_shipped(&app.pool).await,
        Ok(Vec::new()),
        "pdu-2023 is seeded already"
    );
    // Without it (an unused version can go), the start loads it again from
    // the file, and it exports as the file.
    let mut tx = app.pool.begin().await.expect("transaction");
    let (id, _, in_use) = casemark::db::framework_store::existing(&mut tx, "pdu-2023")
        .await
        .expect("read")
        .expect("seeded");
    assert!(!in_use);
    casemark::db::framework_store::delete(&mut tx, id)
        .await
        .expect("deleted");
    tx.commit().await.expect("commit");
    assert_eq!(
        casemark::framework_import::load_shipped(&app.pool).await,
        Ok(vec!["pdu-2023".to_owned()])
    );
    assert_eq!(export(&app, "pdu-2023").await, SHIPPED);
}
