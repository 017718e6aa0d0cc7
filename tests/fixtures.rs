//! Fixture decks: every `tests/fixtures/**/*.md` is turned into Typst in-process (parse,
//! resolve, layout, emit; no typesetting) and compared with its snapshot
//! `tests/snapshots/<path>.typ`. Adding a case is adding a Markdown file; review the
//! emitter's output as text. Accept changes with
//! `LECTERN_UPDATE_SNAPSHOTS=1 cargo test --test fixtures`.

use std::path::{Path, PathBuf};

use lectern::diag::Sources;
use lectern::pipeline::{BuildRequest, Builder};

#[test]
fn fixtures_match_their_snapshots() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (fixtures, decks) = fixture_decks();
    let update = std::env::var_os("LECTERN_UPDATE_SNAPSHOTS").is_some();
    let mut builder = Builder::new();
    let mut failures = Vec::new();
    for deck in &decks {
        let relative = deck.strip_prefix(&fixtures).unwrap();
        let name = relative.to_string_lossy().replace('\\', "/");
        let request = BuildRequest {
            // Relative to the package, so the snapshot names the deck the same everywhere.
            deck: Path::new("tests/fixtures").join(relative),
            root: Some(fixtures.clone()),
            no_fit_cache: true,
            ..BuildRequest::default()
        };
        let mut sources = Sources::default();
        let got = match builder.typst_source(&request, &mut sources) {
            Ok(text) => text,
            Err(failure) => {
                failures.push(format!("{name} does not build:\n{}", lectern::diag::render_plain(&sources, &failure.0)));
                continue;
            }
        };
        let snapshot = root.join("tests/snapshots").join(format!("{name}.typ"));
        if update {
            std::fs::create_dir_all(snapshot.parent().unwrap()).unwrap();
            std::fs::write(&snapshot, &got).unwrap();
            continue;
        }
        match std::fs::read_to_string(&snapshot) {
            Ok(want) if want == got => {}
            Ok(want) => failures.push(format!("generated Typst for {name} changed:\n{}", diff(&want, &got))),
            Err(_) => failures.push(format!("{name} has no snapshot {}", snapshot.display())),
        }
    }
    assert!(
        failures.is_empty(),
        "{}\n\n{} of {} fixtures differ; if the change is meant, accept it with\n  LECTERN_UPDATE_SNAPSHOTS=1 cargo test --test fixtures",
        failures.join("\n\n"),
        failures.len(),
        decks.len()
    );
}

/// Every fixture also typesets: author text never breaks the generated Typst.
#[test]
fn fixtures_typeset() {
    let (fixtures, decks) = fixture_decks();
    let mut builder = Builder::new();
    for deck in decks {
        // In-process builds leave the user's fit cache alone.
        let request = BuildRequest {
            deck: deck.clone(),
            root: Some(fixtures.clone()),
            no_fit_cache: true,
            ..BuildRequest::default()
        };
        let mut sources = Sources::default();
        match builder.compile(&request, &mut sources) {
            Ok(compiled) => assert!(compiled.document.pages().len() >= compiled.slides, "{}", deck.display()),
            Err(failure) => {
                panic!("{} does not typeset:\n{}", deck.display(), lectern::diag::render_plain(&sources, &failure.0))
            }
        }
    }
}

/// The fixtures folder and every Markdown deck below it, sorted.
fn fixture_decks() -> (PathBuf, Vec<PathBuf>) {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut decks = Vec::new();
    collect(&fixtures, &mut decks);
    decks.sort();
    assert!(!decks.is_empty(), "no fixture decks in {}", fixtures.display());
    (fixtures, decks)
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
}

/// The changed lines with two lines of context, `-` for the snapshot, `+` for now.
fn diff(want: &str, got: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    // Longest common subsequence, from the end.
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] { lcs[i + 1][j + 1] + 1 } else { lcs[i + 1][j].max(lcs[i][j + 1]) };
        }
    }
    let mut lines: Vec<(char, &str)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            lines.push((' ', a[i]));
            (i, j) = (i + 1, j + 1);
        } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            lines.push(('-', a[i]));
            i += 1;
        } else {
            lines.push(('+', b[j]));
            j += 1;
        }
    }
    let near_change = |k: usize| lines[k.saturating_sub(2)..(k + 3).min(lines.len())].iter().any(|(c, _)| *c != ' ');
    let mut out = String::new();
    let mut skipped = false;
    for (k, (mark, line)) in lines.iter().enumerate() {
        if near_change(k) {
            if skipped {
                out.push_str("  …\n");
                skipped = false;
            }
            out.push_str(&format!("{mark} {line}\n"));
        } else {
            skipped = true;
        }
    }
    if skipped {
        out.push_str("  …\n");
    }
    out
}

#[test]
fn diff_shows_changed_lines_only() {
    let d = diff("a\nb\nc\nd\ne\nf\ng\n", "a\nb\nc\nD\ne\nf\ng\n");
    assert_eq!(d, "  …\n  b\n  c\n- d\n+ D\n  e\n  f\n  …\n");
}
