//! Outputs beside the slides: the A4 handout and the .pdfpc presenter notes.

mod common;

use common::*;

const DECK: &str = "---\ntitle: 配布資料\n---\n\n## 一\n\n最初の本文\n\n<!-- 話すこと: 一枚目のノート -->\n\n## 二\n\n- 段階A\n\n<!-- pause -->\n\n- 段階B\n\nNote: 二枚目のノート\n\n## 三\n\n最後の本文\n";

#[test]
fn handout_is_a4_with_slides_and_notes_and_collapses_pauses() {
    let dir = tempdir();
    write(dir.path(), "deck.md", DECK);
    let run = lectern(dir.path(), &["build", "deck.md", "--handout", "2", "--handout-notes"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let handout = dir.path().join("deck-handout.pdf");
    assert!(info_field(&handout, "Page size").contains("(A4)"), "{}", info_field(&handout, "Page size"));
    // Four slides (title + three), two a page; the pause step is not repeated.
    assert_eq!(page_count(&dir.path().join("deck.pdf")), 5);
    assert_eq!(page_count(&handout), 2);
    let text = squash(&pages(&handout).join(""));
    for want in ["最初の本文", "一枚目のノート", "二枚目のノート", "段階B", "最後の本文"] {
        assert!(text.contains(want), "{want} missing from the handout: {text}");
    }
    assert_eq!(text.matches("段階A").count(), 1, "the partial step was printed too: {text}");
    // Notes never reach the slides themselves.
    assert!(!squash(&pages(&dir.path().join("deck.pdf")).join("")).contains("ノート"));
}

#[test]
fn handout_sizes_and_lines() {
    for (per_page, pages_expected) in [("1", 4), ("3", 2), ("4", 1), ("6", 1)] {
        let dir = tempdir();
        write(dir.path(), "deck.md", DECK);
        let run = lectern(dir.path(), &["build", "deck.md", "--handout", per_page, "--handout-lines"]);
        assert_eq!(run.status, 0, "{}", run.stderr);
        assert_eq!(page_count(&dir.path().join("deck-handout.pdf")), pages_expected, "{per_page} a page");
    }
    let dir = tempdir();
    let run = lectern(dir.path(), &["build", "deck.md", "--handout", "5"]);
    assert_eq!(run.status, 2, "5 slides a page is a usage error");
}

#[test]
fn pdfpc_has_a_page_per_step_with_notes() {
    let dir = tempdir();
    write(dir.path(), "deck.md", DECK);
    let run = lectern(dir.path(), &["build", "deck.md", "--pdfpc"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let json = std::fs::read_to_string(dir.path().join("deck.pdfpc")).unwrap();
    assert!(json.starts_with("{\"pdfpcFormat\":2"), "{json}");
    assert!(json.contains("\"file\":\"deck.pdf\""));
    assert_eq!(json.matches("\"idx\":").count(), 5, "one entry per PDF page: {json}");
    assert!(json.contains("{\"idx\":2,\"label\":\"3\",\"overlay\":0,\"note\":\"二枚目のノート\"}"), "{json}");
    assert!(json.contains("{\"idx\":3,\"label\":\"3\",\"overlay\":1,\"note\":\"二枚目のノート\"}"), "{json}");
    assert!(json.contains("話すこと: 一枚目のノート"));
}

#[test]
fn png_and_svg_per_page() {
    let dir = tempdir();
    write(dir.path(), "deck.md", DECK);
    std::fs::create_dir_all(dir.path().join("pages")).unwrap();
    let run = lectern(dir.path(), &["build", "deck.md", "--png", "pages", "--svg", "pages"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    for n in 1..=5 {
        let png = std::fs::read(dir.path().join(format!("pages/deck-{n:02}.png"))).unwrap();
        let img = image::load_from_memory(&png).unwrap();
        assert!(img.width() > 1000 && img.width() * 9 / 16 == img.height(), "{}x{}", img.width(), img.height());
        let svg = std::fs::read_to_string(dir.path().join(format!("pages/deck-{n:02}.svg"))).unwrap();
        assert!(svg.starts_with("<svg"));
    }
    assert!(!dir.path().join("pages/deck-06.png").exists());
    let run = lectern(dir.path(), &["build", "deck.md", "--png", "missing"]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("missing") && run.stderr.contains("does not exist"));
}
