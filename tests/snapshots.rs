//! Snapshots of the generated Typst for fixture decks: the emitter's output is reviewed
//! as text. Regenerate with `LECTERN_UPDATE_SNAPSHOTS=1 cargo test --test snapshots`.

mod common;

use std::path::Path;

fn check(fixture: &str) {
    let dir = common::tempdir();
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(fixture);
    std::fs::copy(&source, dir.path().join(fixture)).unwrap();
    let run = common::lectern(dir.path(), &["build", fixture, "--typst", "out.typ"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let got = std::fs::read_to_string(dir.path().join("out.typ")).unwrap();
    let snapshot = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots").join(format!("{fixture}.typ"));
    if std::env::var_os("LECTERN_UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&snapshot, &got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&snapshot)
        .unwrap_or_else(|_| panic!("no snapshot {}; run with LECTERN_UPDATE_SNAPSHOTS=1", snapshot.display()));
    assert!(got == want, "generated Typst for {fixture} changed:\n{got}");
}

#[test]
fn basic_deck() {
    check("basic.md");
}

#[test]
fn marp_deck() {
    check("marp.md");
}

#[test]
fn escaping_deck() {
    check("escaping.md");
}
