//! Every author mistake: a clear message naming the Markdown `file:line`, exit status 1,
//! and the previous PDF left exactly as it was.

mod common;

use common::*;

const GOOD: &str = "## Good\n\nA slide that builds.\n";

/// Builds a good deck first, then the bad one over it; returns lectern's stderr.
fn fails(bad: &[u8], expect_location: &str, expect_message: &str) -> String {
    let dir = tempdir();
    let pdf = build_ok(dir.path(), GOOD);
    let before = std::fs::read(&pdf).unwrap();
    std::fs::write(dir.path().join("deck.md"), bad).unwrap();
    let run = lectern(dir.path(), &["build", "deck.md"]);
    assert_eq!(run.status, 1, "expected exit 1, got {}:\n{}", run.status, run.stderr);
    assert!(run.stderr.contains(expect_location), "no {expect_location} in:\n{}", run.stderr);
    assert!(run.stderr.contains(expect_message), "no {expect_message:?} in:\n{}", run.stderr);
    assert_eq!(std::fs::read(&pdf).unwrap(), before, "the previous PDF was touched");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temp files left behind: {leftovers:?}");
    run.stderr
}

#[test]
fn malformed_yaml_front_matter() {
    fails(
        b"---\ntitle: ok\nauthor: [unclosed\ndate: 2025\n---\n\n## A\n\nx\n",
        // serde_yaml notices the missing `]` on the next line.
        "deck.md:4:1",
        "malformed YAML in the front matter",
    );
}

#[test]
fn unknown_front_matter_key_suggests() {
    // A warning (another tool's deck must build); `strict: true` makes it an error.
    let err = fails(
        b"---\ntitle: T\nsubtitel: S\nstrict: true\n---\n\n## A\n\nx\n",
        "deck.md:3:1",
        "unknown front-matter key `subtitel`",
    );
    assert!(err.contains("did you mean `subtitle`?"), "{err}");
}

#[test]
fn strict_flag_makes_a_warning_an_error_at_the_same_line() {
    let dir = tempdir();
    write(dir.path(), "deck.md", "---\ntitle: T\ncss: a.css\n---\n\n## A\n\nx\n");
    let run = lectern(dir.path(), &["build", "deck.md"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("warning: front-matter key `css`") && run.stderr.contains("deck.md:3:1"),
        "{}",
        run.stderr
    );
    std::fs::remove_file(dir.path().join("deck.pdf")).unwrap();
    let run = lectern(dir.path(), &["build", "deck.md", "--strict"]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("error: front-matter key `css`") && run.stderr.contains("deck.md:3:1"),
        "{}",
        run.stderr
    );
    assert!(!dir.path().join("deck.pdf").exists(), "no PDF under --strict with a warning");
}

#[test]
fn missing_image() {
    // A placeholder and a warning; an error under `strict: true`.
    fails(
        b"---\nstrict: true\n---\n\n## A\n\ntext\n\n![photo](figures/none.png)\n",
        "deck.md:9:1",
        "image `figures/none.png`: not found",
    );
    // Also in a quote's attribution (the resolver's walk used to skip it).
    fails(
        "---\nstrict: true\n---\n\n## Q\n\n> 通信の秘密\n> — ![](none.png) 憲法\n".as_bytes(),
        "deck.md:8:5",
        "image `none.png`: not found",
    );
}

#[test]
fn corrupt_image() {
    let dir_deck = b"## A\n\n![broken](broken.png)\n";
    let dir = tempdir();
    let pdf = build_ok(dir.path(), GOOD);
    let before = std::fs::read(&pdf).unwrap();
    // A PNG signature followed by garbage: looks like a PNG, cannot be decoded.
    std::fs::write(dir.path().join("broken.png"), b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDRgarbage").unwrap();
    std::fs::write(dir.path().join("deck.md"), dir_deck).unwrap();
    let run = lectern(dir.path(), &["build", "deck.md"]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert!(run.stderr.contains("deck.md:3:1") && run.stderr.contains("cannot be read"), "{}", run.stderr);
    assert_eq!(std::fs::read(&pdf).unwrap(), before);
}

#[test]
fn unknown_layout_lists_the_valid_ones() {
    let err = fails(b"## A\n\n<!-- layout: colums -->\n\nx\n", "deck.md:3:1", "unknown layout `colums`");
    assert!(err.contains("did you mean `columns`?") && err.contains("statement, steps, end"), "{err}");
}

#[test]
fn unclosed_fenced_div() {
    fails(b"## A\n\n:::: columns\n::: column\nleft\n:::\n", "deck.md:3:1", "fenced div `:::: columns` is never closed");
}

#[test]
fn unterminated_front_matter() {
    fails(b"---\ntitle: T\n\n## A\n\nx\n", "deck.md:1:1", "never closed");
}

#[test]
fn empty_deck() {
    fails(b"\n\n   \n", "deck.md:1:1", "the deck is empty");
}

#[test]
fn deck_not_utf8() {
    // "タイトル" in Shift_JIS.
    fails(b"## A\n\n\x83^\x83C\x83g\x83\x8b\n", "deck.md:3:1", "not UTF-8");
}

#[test]
fn output_in_a_missing_folder() {
    let dir = tempdir();
    write(dir.path(), "deck.md", GOOD);
    let run = lectern(dir.path(), &["build", "deck.md", "-o", "no/such/dir/out.pdf"]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("no/such/dir") && run.stderr.contains("does not exist"), "{}", run.stderr);
}

#[test]
fn undefined_footnote() {
    fails(b"## A\n\ntext[^nope]\n", "deck.md:3:5", "footnote `[^nope]` is used but never defined");
}

#[test]
fn character_without_any_font() {
    // A private-use character of plane 15: no font covers it.
    let err =
        fails("## A\n\nok\n\nbad \u{F0001} here\n".as_bytes(), "deck.md:5:5", "no installed font has the character");
    assert!(err.contains("U+F0001") && err.contains("fonts-noto-cjk"), "{err}");
}

#[test]
fn each_character_without_a_font_is_reported_once() {
    // A noncharacter of the Basic Multilingual Plane and one beyond it, each twice.
    let err = fails(
        "## A\n\nok \u{FFFE} and \u{F0001}\n\nagain \u{FFFE} \u{F0001}\n".as_bytes(),
        "deck.md:3:4",
        "no installed font has the character",
    );
    assert_eq!(err.matches("no installed font has").count(), 2, "{err}");
    assert!(err.contains("U+FFFE") && err.contains("U+F0001"), "{err}");
}

#[test]
fn typst_errors_point_at_markdown() {
    // Math is compiled by Typst: its error must come back at the Markdown line.
    let err = fails(b"## A\n\nfine\n\nbroken $nosuchfn(x)$ math\n", "deck.md:5:8", "unknown variable: nosuchfn");
    assert!(!err.contains(".lectern.typ"), "the generated Typst leaked into the message:\n{err}");
}

#[test]
fn code_in_math_is_refused() {
    fails(b"## A\n\n$x + #panic(\"no\")$\n", "deck.md:3:1", "`#` is not allowed in math");
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempdir();
    let run = lectern(dir.path(), &["build"]);
    assert_eq!(run.status, 2);
    let run = lectern(dir.path(), &["frobnicate"]);
    assert_eq!(run.status, 2);
}

#[test]
fn unknown_theme_lists_builtins() {
    let dir = tempdir();
    // Another tool's theme name falls back to the default with a warning; strict fails.
    write(dir.path(), "deck.md", "---\ntheme: seminr\n---\n\n## A\n\nx\n");
    let run = lectern(dir.path(), &["build", "deck.md"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let run = lectern(dir.path(), &["build", "deck.md", "--strict"]);
    assert_eq!(run.status, 1);
    assert!(
        run.stderr.contains("theme `seminr` is not a lectern theme") && run.stderr.contains("did you mean `seminar`"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("deck.md:2:1"), "{}", run.stderr);
}

#[test]
fn help_has_examples() {
    let dir = tempdir();
    let run = lectern(dir.path(), &["build", "--help"]);
    assert_eq!(run.status, 0);
    assert!(run.stdout.contains("Examples:") && run.stdout.contains("--font-path"));
}

#[test]
fn files_outside_the_root_are_refused() {
    let dir = tempdir();
    std::fs::create_dir_all(dir.path().join("talk")).unwrap();
    std::fs::write(dir.path().join("secret.png"), b"not for the deck").unwrap();
    write(&dir.path().join("talk"), "deck.md", "## A\n\n![x](../secret.png)\n");
    // Run inside talk/: the root is talk/, so ../secret.png leaves it.
    let run = lectern(&dir.path().join("talk"), &["build", "deck.md"]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert!(run.stderr.contains("deck.md:3:1") && run.stderr.contains("outside the build root"), "{}", run.stderr);
    // Widening the root lets a group share figures kept beside their decks' folders.
    std::fs::write(dir.path().join("shared.png"), include_bytes!("fixtures/pixel.png")).unwrap();
    write(&dir.path().join("talk"), "deck.md", "## A\n\n![x](../shared.png)\n");
    let run = lectern(&dir.path().join("talk"), &["build", "deck.md", "--root", ".."]);
    assert_eq!(run.status, 0, "{}", run.stderr);
}

/// The persistent font index is never a reason to fail: a corrupt cache file is
/// replaced, and `LECTERN_NO_FONT_CACHE=1` leaves no cache behind.
#[test]
fn a_corrupt_font_cache_is_rebuilt_and_the_cache_can_be_turned_off() {
    let dir = tempdir();
    write(dir.path(), "deck.md", "## 日本語のスライド\n\nA slide that builds.\n");
    let run = |cache_home: &std::path::Path, off: bool| {
        let mut command = lectern_command();
        command.args(["build", "deck.md"]).current_dir(dir.path()).env("XDG_CACHE_HOME", cache_home);
        command.env_remove("LECTERN_FONT_PATHS").env_remove("LECTERN_NO_FONT_CACHE");
        if off {
            command.env("LECTERN_NO_FONT_CACHE", "1");
        }
        let out = command.output().expect("run lectern");
        assert!(out.status.success(), "build failed:\n{}", String::from_utf8_lossy(&out.stderr));
        squash(&pages(&dir.path().join("deck.pdf")).concat())
    };

    let cache_home = tempdir();
    let cache = cache_home.path().join("lectern").join(lectern::fontcache::FILE_NAME);
    std::fs::create_dir_all(cache.parent().unwrap()).unwrap();
    std::fs::write(&cache, b"\x02\x01\x05/usr/").unwrap();
    assert_eq!(lectern::fontcache::indexed_faces(&cache), None);
    assert!(run(cache_home.path(), false).contains("日本語のスライド"));
    assert!(lectern::fontcache::indexed_faces(&cache).is_some_and(|n| n > 0), "a valid cache, with faces");
    // The rebuilt cache serves the next build.
    assert!(run(cache_home.path(), false).contains("日本語のスライド"));

    let off_home = tempdir();
    assert!(run(off_home.path(), true).contains("日本語のスライド"));
    let index = off_home.path().join("lectern").join(lectern::fontcache::FILE_NAME);
    assert!(!index.exists(), "LECTERN_NO_FONT_CACHE=1 wrote a font index");
}
