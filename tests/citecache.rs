//! Formatted citations kept beside the fit cache, as a speaker meets them: a later build
//! reads them and prints what formatting afresh prints; an edited entry or another style
//! is formatted again; `--no-fit-cache` turns them off; a corrupt or tampered file cannot
//! break a build or slip in an unsafe link.

mod common;

use common::*;
use std::path::{Path, PathBuf};

const REFS: &str = "tm:\n  type: book\n  title: Tallinn Manual 2.0\n  author: Schmitt, Michael N.\n  \
                    publisher: Cambridge University Press\n  date: 2017\n  url: https://example.org/tallinn\n";
const DECK: &str = "---\ntitle: Cites\nbibliography: refs.yml\n---\n\n## Law\n\nRule 32[@tm].\n";
const FOOTNOTE: &str =
    "1 Schmitt, Michael N. Tallinn Manual 2.0. Cambridge University Press, 2017. https://example.org/tallinn";

/// A folder holding the deck and its bibliography.
fn deck_folder() -> tempfile::TempDir {
    let dir = tempdir();
    write(dir.path(), "refs.yml", REFS);
    write(dir.path(), "deck.md", DECK);
    dir
}

/// `lectern build deck.md ARGS` with the cache folder `cache_home`: the PDF's text.
fn build(dir: &Path, cache_home: &Path, args: &[&str]) -> String {
    let vars =
        [("XDG_CACHE_HOME", cache_home.to_str().unwrap()), ("LECTERN_NO_FIT_CACHE", "0"), ("LECTERN_FIT_CACHE", "")];
    let run = lectern_env(dir, &[&["build", "deck.md"], args].concat(), &vars);
    assert_eq!(run.status, 0, "build failed:\n{}", run.stderr);
    assert_eq!(run.stderr, "", "no warnings");
    pages(&dir.join("deck.pdf")).join("\u{c}")
}

/// Where the citations are kept under the cache folder `cache_home`.
fn citations_file(cache_home: &Path) -> PathBuf {
    cache_home.join("lectern").join("fits-v1.citations.json")
}

/// Edits the cache file as `edit` says.
fn tamper(file: &Path, edit: impl Fn(String) -> String) {
    let text = std::fs::read_to_string(file).unwrap();
    let edited = edit(text.clone());
    assert_ne!(edited, text, "the edit changes the file");
    std::fs::write(file, edited).unwrap();
}

#[test]
fn a_later_build_reads_the_citations_the_first_one_formatted() {
    let dir = deck_folder();
    let home = tempdir();
    let first = build(dir.path(), home.path(), &[]);
    assert!(first.contains(FOOTNOTE), "{first}");
    let file = citations_file(home.path());
    assert!(file.is_file(), "the first build keeps what it formatted");
    let written = std::fs::read(&file).unwrap();

    assert_eq!(build(dir.path(), home.path(), &[]), first);
    assert_eq!(std::fs::read(&file).unwrap(), written, "nothing new: the file is not rewritten");
    let off_home = tempdir();
    assert_eq!(build(dir.path(), off_home.path(), &["--no-fit-cache"]), first);
    assert!(!citations_file(off_home.path()).exists(), "--no-fit-cache keeps nothing");

    // What the file holds is what a build prints (so it is read, not formatted again)…
    tamper(&file, |t| t.replace("Tallinn Manual 2.0", "Tampered Manual"));
    let read = build(dir.path(), home.path(), &[]);
    assert!(read.contains("Schmitt, Michael N. Tampered Manual. Cambridge"), "{read}");
    // …unless the fit cache is off.
    assert_eq!(build(dir.path(), home.path(), &["--no-fit-cache"]), first);
}

#[test]
fn an_edited_entry_or_another_style_is_formatted_again() {
    let dir = deck_folder();
    let home = tempdir();
    build(dir.path(), home.path(), &[]);

    write(dir.path(), "refs.yml", &REFS.replace("Tallinn Manual 2.0", "Tallinn Manual 3.0"));
    let edited = build(dir.path(), home.path(), &[]);
    assert!(edited.contains("Schmitt, Michael N. Tallinn Manual 3.0. Cambridge"), "{edited}");

    write(dir.path(), "deck.md", &DECK.replace("bibliography:", "citation-style: apa\nbibliography:"));
    let apa = build(dir.path(), home.path(), &[]);
    assert!(apa.contains("1 Schmitt, M. N. (2017). Tallinn Manual 3.0. Cambridge University Press."), "{apa}");
    assert_eq!(apa, build(dir.path(), tempdir().path(), &[]), "as formatted without the cache");
}

#[test]
fn a_corrupt_cache_file_is_ignored_and_replaced() {
    let dir = deck_folder();
    let home = tempdir();
    let fresh = build(dir.path(), home.path(), &[]);
    let file = citations_file(home.path());
    for corrupt in
        ["\u{0}not json", r#"{"format":99,"results":[]}"#, r#"{"format":1,"results":[["x",[[{"Nope":1}]]]]}"#]
    {
        std::fs::write(&file, corrupt).unwrap();
        assert_eq!(build(dir.path(), home.path(), &[]), fresh);
        assert!(std::fs::read_to_string(&file).unwrap().contains("Tallinn Manual 2.0"), "written anew");
    }

    // `LECTERN_FIT_CACHE=FILE`: beside that file.
    let elsewhere = tempdir();
    let fits = elsewhere.path().join("f.json");
    let run = lectern_env(
        dir.path(),
        &["build", "deck.md"],
        &[("LECTERN_FIT_CACHE", fits.to_str().unwrap()), ("LECTERN_NO_FIT_CACHE", "0")],
    );
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(elsewhere.path().join("f.citations.json").is_file());
}

#[test]
fn a_link_read_back_must_be_safe() {
    let dir = deck_folder();
    let home = tempdir();
    build(dir.path(), home.path(), &[]);
    let file = citations_file(home.path());
    let pdf = dir.path().join("deck.pdf");
    let url = r#""url":"https://example.org/tallinn""#;

    // A link from the file is the link in the PDF…
    tamper(&file, |t| t.replace(url, r#""url":"https://tampered.example/""#));
    build(dir.path(), home.path(), &[]);
    assert!(links(&pdf).contains(&"https://tampered.example/".to_string()), "{:?}", links(&pdf));

    // …but one lectern would never make is not: the entry is formatted again.
    tamper(&file, |t| t.replace(r#""url":"https://tampered.example/""#, r#""url":"javascript:alert(1)""#));
    let text = build(dir.path(), home.path(), &[]);
    assert!(text.contains(FOOTNOTE), "{text}");
    assert!(links(&pdf).contains(&"https://example.org/tallinn".to_string()), "{:?}", links(&pdf));
    assert!(!links(&pdf).iter().any(|l| l.contains("javascript")), "{:?}", links(&pdf));
}
