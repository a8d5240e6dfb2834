//! The integration suite: one test binary, so the app is linked once, with
//! a module per file of this folder. Every test gets its own PostgreSQL
//! database and drives the real router (see `support`).
//!
//! `cargo test --workspace` runs it all; one file's tests with, for
//! example, `cargo test -p casemark --test suite hostile::`.

mod support;

mod access;
mod accounts;
mod annexe;
mod api;
mod browser;
mod demo;
mod deployment;
mod domain_one;
mod explain;
mod frameworks;
mod hostile;
mod instances;
mod lifecycle;
mod live;
mod national;
mod national_picture;
mod openapi;
mod pages;
mod qa;
mod question_sets;
mod region_inspections;
mod reliability;
mod report;
mod sample;
mod security;

/// A test file that is not a module here would silently never run.
#[test]
fn every_test_file_is_a_module_of_the_suite() {
    let here = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests");
    let main = std::fs::read_to_string(here.join("main.rs")).expect("main.rs");
    let mut files = 0;
    for entry in std::fs::read_dir(&here).expect("tests folder") {
        let path = entry.expect("entry").path();
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if path.extension().is_some_and(|e| e == "rs") && stem != "main" {
            files += 1;
            assert!(
                main.contains(&format!("\nmod {stem};\n")),
                "tests/{stem}.rs is not a module of tests/main.rs"
            );
        }
    }
    assert!(files >= 11, "found {files} test files");
}
