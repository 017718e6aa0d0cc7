//! Themes as a speaker uses them: built-ins, a folder that extends one, overrides, errors.

mod common;

use common::*;

const DECK: &str = "## スライド\n\n本文[^a]\n\n# 章\n\n## 次\n\n続き\n\n[^a]: 注\n";

fn section_page_fill(dir: &std::path::Path) -> Option<String> {
    let compiled = compile(&dir.join("deck.md"), dir);
    // The section slide (the second page) is filled with the accent in seminar.
    match &compiled.document.pages()[1].fill {
        typst::foundations::Smart::Custom(Some(typst::visualize::Paint::Solid(color))) => {
            Some(color.to_hex().to_string())
        }
        _ => None,
    }
}

#[test]
fn themes_command_lists_builtins() {
    let dir = tempdir();
    let run = lectern(dir.path(), &["themes"]);
    assert_eq!(run.status, 0);
    for name in ["seminar", "dark", "print"] {
        assert!(run.stdout.lines().any(|l| l.starts_with(name)), "{name} missing:\n{}", run.stdout);
    }
}

#[test]
fn folder_theme_extends_a_builtin_and_overrides_the_accent() {
    let dir = tempdir();
    write(
        dir.path(),
        "brand/theme.yaml",
        "name: brand\ndescription: Our group\nextends: seminar\npalette:\n  accent: \"#b22222\"\n",
    );
    write(dir.path(), "deck.md", &format!("---\ntheme: brand\n---\n\n{DECK}"));
    let fill = section_page_fill(dir.path()).expect("section slide fill");
    assert!(fill.contains("b22222"), "accent not applied: {fill}");
    // The front matter's accent beats the theme's.
    write(dir.path(), "deck.md", &format!("---\ntheme: {{name: brand, accent: \"#225522\"}}\n---\n\n{DECK}"));
    let fill = section_page_fill(dir.path()).expect("section slide fill");
    assert!(fill.contains("225522"), "front-matter accent not applied: {fill}");
}

#[test]
fn a_theme_yaml_alone_restyles_the_drawing() {
    let dir = tempdir();
    write(dir.path(), "deck.md", &format!("---\ntheme: brand\n---\n\n{DECK}"));
    // Section slides drawn as a plain page with a rule instead of filled with the accent.
    write(
        dir.path(),
        "brand/theme.yaml",
        "name: brand\nextends: seminar\npalette:\n  accent: \"#b22222\"\ndesign:\n  section: rule\n",
    );
    assert_eq!(section_page_fill(dir.path()).as_deref(), Some("#ffffff"), "the page background, not the accent");
    // Two themes of data deep: dark's palette and design reach the drawing through it.
    write(dir.path(), "brand/theme.yaml", "name: brand\nextends: dark\n");
    assert_eq!(section_page_fill(dir.path()).as_deref(), Some("#15181e"), "dark's background");
    // A design value or key the theme does not have is an error at its line.
    write(dir.path(), "brand/theme.yaml", "extends: seminar\ndesign:\n  section: filled\n");
    build_fails_with(dir.path(), &["theme.yaml:3:1", "unknown variant `filled`, expected `fill` or `rule`"]);
    write(dir.path(), "brand/theme.yaml", "extends: seminar\ndesign:\n  zebras: false\n");
    build_fails_with(dir.path(), &["theme.yaml:3:1", "unknown design key `zebras`", "did you mean `zebra`?"]);
}

/// `lectern build deck.md` in `dir` fails (exit 1) saying all of `needles`.
fn build_fails_with(dir: &std::path::Path, needles: &[&str]) {
    let run = lectern(dir, &["build", "deck.md"]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert!(needles.iter().all(|n| run.stderr.contains(n)), "{needles:?} in:\n{}", run.stderr);
}

#[test]
fn a_theme_typ_built_on_seminar_gets_its_values_from_extends() {
    let dir = tempdir();
    write(dir.path(), "deck.md", &format!("---\ntheme: wrap\n---\n\n{DECK}"));
    // A Typst theme reusing the seminar functions, laying a design of its own over them.
    write(
        dir.path(),
        "wrap/theme.typ",
        "#import \"/__lectern__/themes/seminar/theme.typ\" as seminar: *\n#let section-slide(..args) = seminar.section-slide(base: (design: (section: \"rule\")), ..args)\n",
    );
    write(dir.path(), "wrap/theme.yaml", "name: wrap\nextends: seminar\n");
    assert_eq!(section_page_fill(dir.path()).as_deref(), Some("#ffffff"), "its own design");
    // Without `extends: seminar` the functions have no values: the error says what to do.
    write(dir.path(), "wrap/theme.yaml", "name: wrap\n");
    build_fails_with(dir.path(), &["a theme.yaml that `extends: seminar`"]);
}

#[test]
fn logo_from_front_matter_is_drawn() {
    let dir = tempdir();
    std::fs::create_dir_all(dir.path().join("figures")).unwrap();
    std::fs::write(dir.path().join("figures/logo.png"), include_bytes!("../src/starter/figures/router.png")).unwrap();
    write(dir.path(), "deck.md", &format!("---\ntheme: {{name: seminar, logo: figures/logo.png}}\n---\n\n{DECK}"));
    let run = lectern(dir.path(), &["build", "deck.md"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let out = std::process::Command::new("pdfimages").arg("-list").arg(dir.path().join("deck.pdf")).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).lines().count() > 2, "no logo image in the PDF");
}

#[test]
fn theme_errors() {
    let dir = tempdir();
    write(dir.path(), "deck.md", &format!("---\ntheme: brand\n---\n\n{DECK}"));
    // A schema mistake in theme.yaml, at its line.
    write(dir.path(), "brand/theme.yaml", "name: brand\nextends: seminar\npallete:\n  accent: \"#b22222\"\n");
    let run = lectern(dir.path(), &["build", "deck.md"]);
    assert_eq!(run.status, 1);
    assert!(
        run.stderr.contains("theme.yaml:3:1") && run.stderr.contains("unknown theme.yaml key `pallete`"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("did you mean `palette`?"), "{}", run.stderr);
    // A bad colour.
    write(dir.path(), "brand/theme.yaml", "extends: seminar\npalette:\n  accent: crimson\n");
    let run = lectern(dir.path(), &["build", "deck.md"]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert!(run.stderr.contains("theme.yaml:3:1") && run.stderr.contains("is not a colour"), "{}", run.stderr);
    // An extends cycle.
    write(dir.path(), "brand/theme.yaml", "extends: ../other\n");
    write(dir.path(), "other/theme.yaml", "extends: ../brand\n");
    let run = lectern(dir.path(), &["build", "deck.md"]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("cycle"), "{}", run.stderr);
    // A missing logo.
    write(dir.path(), "brand/theme.yaml", "extends: seminar\nlogo: logo.png\n");
    let run = lectern(dir.path(), &["build", "deck.md"]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("logo") && run.stderr.contains("logo.png"), "{}", run.stderr);
    // A theme.typ that does not compile is reported against the theme file.
    write(dir.path(), "brand/theme.yaml", "name: brand\n");
    write(
        dir.path(),
        "brand/theme.typ",
        "#let deck(meta: (:), options: (:), body) = body\n#let slide(..args) = { let x = ; }\n",
    );
    let run = lectern(dir.path(), &["build", "deck.md"]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("brand/theme.typ:2"), "{}", run.stderr);
}

#[test]
fn new_makes_a_deck_that_builds_at_once() {
    let dir = tempdir();
    let run = lectern(dir.path(), &["new", "talk", "--theme", "print"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(dir.path().join("talk/figures/router.png").is_file());
    let run = lectern(dir.path(), &["build", "talk/talk.md"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    assert_eq!(page_count(&dir.path().join("talk/talk.pdf")), 17);
    let again = lectern(dir.path(), &["new", "talk"]);
    assert_eq!(again.status, 1, "must not overwrite");
}

#[test]
fn new_with_a_deck_file_name_makes_its_folder() {
    let dir = tempdir();
    let run = lectern(dir.path(), &["new", "slides.md"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stdout.contains("slides/slides.md"), "{}", run.stdout);
    assert!(dir.path().join("slides/slides.md").is_file());
    assert!(!dir.path().join("slides.md").exists());
}

#[test]
fn aspect_ratios_a_theme_does_not_support_are_warned() {
    let dir = tempdir();
    write(dir.path(), "wide/theme.yaml", "name: wide\nextends: seminar\naspect-ratios: [\"16:9\"]\n");
    let deck = "---\ntitle: T\ntheme: wide\naspect: \"4:3\"\n---\n\n## A\n\ntext\n";
    write(dir.path(), "deck.md", deck);
    let run = lectern(dir.path(), &["build", "deck.md"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("theme `wide` is made for 16:9; this deck is 4:3") && run.stderr.contains("deck.md:1:1"),
        "{}",
        run.stderr
    );
    // A size the theme lists builds without a word.
    write(dir.path(), "deck.md", &deck.replace("4:3", "16:9"));
    let run = lectern(dir.path(), &["build", "deck.md"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("made for"), "{}", run.stderr);
}

#[test]
fn only_the_fonts_a_theme_lists_may_be_missing_quietly() {
    let dir = tempdir();
    write(
        dir.path(),
        "brand/theme.typ",
        "#let deck(meta: (:), options: (:), body) = { set text(font: (\"No Such Family\", \"DejaVu Sans\")); body }\n#let slide(..args) = args.pos().last()\n",
    );
    write(dir.path(), "brand/theme.yaml", "name: brand\nfonts:\n  latin: [Listed But Missing, DejaVu Sans]\n");
    write(dir.path(), "deck.md", "---\ntheme: brand\n---\n\n## A\n\ntext\n");
    let run = lectern(dir.path(), &["build", "deck.md"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stderr.contains("unknown font family: no such family"), "{}", run.stderr);
    // A family theme.yaml lists is a fallback for other platforms: no warning.
    write(
        dir.path(),
        "brand/theme.typ",
        "#let deck(meta: (:), options: (:), body) = { set text(font: (\"Listed But Missing\", \"DejaVu Sans\")); body }\n#let slide(..args) = args.pos().last()\n",
    );
    let run = lectern(dir.path(), &["build", "deck.md"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("unknown font family"), "{}", run.stderr);
}
