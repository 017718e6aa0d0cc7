//! Handouts as an organiser prints them, read back like a user would (pdftotext -bbox,
//! pdfinfo): every mode × {16:9, 4:3} × {no notes, short notes, three pages of notes}.

mod common;

use std::path::Path;

use common::*;

/// Five printed slides (title, two content, a section, an end slide), a pause, a link,
/// a footnote with a URL and a sources slide (which the handout replaces by its list).
fn deck(aspect: &str, notes: Notes) -> String {
    let note = |slide: usize| match notes {
        Notes::None => String::new(),
        Notes::Short => format!("\n<!-- Short note sentence s{slide}. -->\n"),
        Notes::Long if slide == 2 => {
            // About three A4 pages at 9 pt: paragraphs, a list, bold and a link.
            let mut text = String::from("\n<!--\n");
            for p in 0..40 {
                for s in 0..10 {
                    text.push_str(&format!("Long note sentence n{p}x{s} is **here** to fill the page. "));
                }
                text.push_str("\n\n");
                if p == 10 {
                    text.push_str("- Listed point one of the notes\n- Listed point two with [a link](https://example.org/notes)\n\n");
                }
            }
            text.push_str("-->\n");
            text
        }
        Notes::Long => format!("\n<!-- Short note sentence s{slide}. -->\n"),
    };
    format!(
        "---\ntitle: Handout Check\nauthor: Ada Organiser\ndate: 2025-03-14\naspect: \"{aspect}\"\nsources-slide: true\n---\n\n\
         ## First Topic\n\nBodyalpha with [the report](https://example.org/report) link.[^1]\n{}\n\
         ## Second Topic\n\n- Bodybeta step one\n\n<!-- pause -->\n\n- Bodygamma step two\n{}\n\
         # Part Two\n{}\n\
         ## Thanks {{.end}}\n\nBodydelta closing words.\n{}\n\
         [^1]: Source text at https://example.org/source\n",
        note(1),
        note(2),
        note(3),
        note(4),
    )
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Notes {
    None,
    Short,
    Long,
}

/// A word of a PDF with its box, as `pdftotext -bbox` reports it.
struct Word {
    page: usize,
    page_w: f64,
    page_h: f64,
    text: String,
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
}

fn words(pdf: &Path) -> Vec<Word> {
    let out = std::process::Command::new("pdftotext").args(["-bbox", "-enc", "UTF-8"]).arg(pdf).arg("-").output();
    let html = String::from_utf8_lossy(&out.expect("pdftotext").stdout).into_owned();
    let attr = |tag: &str, name: &str| -> f64 {
        let at = tag.find(&format!("{name}=\"")).expect(name) + name.len() + 2;
        tag[at..].split('"').next().unwrap().parse().unwrap()
    };
    let mut result = Vec::new();
    let (mut page, mut w, mut h) = (0, 0.0, 0.0);
    for line in html.lines() {
        let line = line.trim();
        if line.starts_with("<page ") {
            page += 1;
            (w, h) = (attr(line, "width"), attr(line, "height"));
        } else if line.starts_with("<word ") {
            let text = line.split('>').nth(1).unwrap_or("").split('<').next().unwrap_or("").to_string();
            let (x0, y0, x1, y1) = (attr(line, "xMin"), attr(line, "yMin"), attr(line, "xMax"), attr(line, "yMax"));
            result.push(Word { page, page_w: w, page_h: h, text, x0, y0, x1, y1 });
        }
    }
    result
}

fn check(aspect: &str, notes: Notes) {
    let dir = tempdir();
    write(dir.path(), "deck.md", &deck(aspect, notes));
    // Every handout mode, and the speaker-notes PDF (one slide a page, notes under it).
    for (mode, per_page) in [("1", 1), ("2", 2), ("3", 3), ("4", 4), ("6", 6), ("9", 9), ("notes", 1)] {
        let mut args = vec!["build", "deck.md", "--handout", mode];
        if mode == "notes" {
            args = vec!["build", "deck.md", "--notes-pdf"];
        } else if notes != Notes::None {
            args.push("--handout-notes");
        }
        let run = lectern(dir.path(), &args);
        assert_eq!(run.status, 0, "{mode} {aspect} {notes:?}: {}", run.stderr);
        let pdf = dir.path().join(if mode == "notes" { "deck-notes.pdf" } else { "deck-handout.pdf" });
        let what = format!("{} {mode}, {aspect}, {notes:?}", if mode == "notes" { "" } else { "--handout" });
        let text = squash(&pages(&pdf).join(""));
        // Every slide's text, each once (the last step of the paused slide only).
        for word in ["HandoutCheck", "Bodyalpha", "Bodybeta", "Bodygamma", "PartTwo", "Bodydelta"] {
            assert!(text.contains(word), "{what}: {word} missing:\n{text}");
        }
        assert_eq!(text.matches("Bodybeta").count(), 1, "{what}: the partial step was printed too");
        // Every note sentence.
        match notes {
            Notes::None => assert!(!text.contains("notesentence"), "{what}"),
            Notes::Short => {
                for n in 1..=4 {
                    assert!(text.contains(&format!("Shortnotesentences{n}.")), "{what}: note s{n} missing");
                }
            }
            Notes::Long => {
                for p in 0..40 {
                    for s in 0..10 {
                        let sentence = format!("Longnotesentencen{p}x{s}ishere");
                        assert!(text.contains(&sentence), "{what}: {sentence} missing");
                    }
                }
                assert!(text.contains("Listedpointtwowithalink"), "{what}");
                // Markdown, not raw: no asterisks.
                assert!(!text.contains("**"), "{what}: raw Markdown printed");
            }
        }
        // The sources list for paper, with the full URL.
        assert!(text.contains("https://example.org/source"), "{what}: sources list missing");
        // Nothing outside the page box.
        let all = words(&pdf);
        assert!(!all.is_empty(), "{what}: no words");
        for w in &all {
            assert!(
                w.x0 >= -0.5 && w.y0 >= -0.5 && w.x1 <= w.page_w + 0.5 && w.y1 <= w.page_h + 0.5,
                "{what}: '{}' on page {} lies outside the page ({},{})-({},{})",
                w.text,
                w.page,
                w.x0,
                w.y0,
                w.x1,
                w.y1
            );
        }
        // Page count as the page model says: 5 printed slides, then the sources list;
        // notes that did not fit follow their page.
        let grid_pages = 5usize.div_ceil(per_page);
        let texts: Vec<String> = pages(&pdf).iter().map(|p| squash(p)).collect();
        assert_eq!(texts.len(), page_count(&pdf));
        // A page shows slides (the title slide repeats the running header's title), or
        // only notes continued from an earlier page; the last is the sources list.
        let shows_a_slide = |page: &String| {
            ["Bodyalpha", "Bodybeta", "PartTwo", "Bodydelta"].iter().any(|w| page.contains(w))
                || page.matches("HandoutCheck").count() >= 2
        };
        let (last, rest) = texts.split_last().unwrap();
        assert!(!shows_a_slide(last) && last.contains("https://example.org/source"), "{what}: last page {last}");
        let slide_pages = rest.iter().filter(|p| shows_a_slide(p)).count();
        let note_pages = rest.iter().filter(|p| !shows_a_slide(p)).count();
        assert_eq!(slide_pages, grid_pages, "{what}: pages with slides");
        for page in rest.iter().filter(|p| !shows_a_slide(p)) {
            assert!(page.contains("notesentence"), "{what}: a page with neither slides nor notes: {page}");
        }
        match (notes, mode) {
            (Notes::None, _) => assert_eq!(note_pages, 0, "{what}"),
            (Notes::Short, "9") => assert_eq!(note_pages, 1, "{what}: notes follow the 9-up page"),
            (Notes::Short, _) => assert_eq!(note_pages, 0, "{what}"),
            // About three pages at 9 pt; the notes PDF prints them at 12 pt: (12/9)² × 3.
            (Notes::Long, "notes") => assert!((4..=7).contains(&note_pages), "{what}: {note_pages} pages of notes"),
            (Notes::Long, _) => {
                assert!((2..=4).contains(&note_pages), "{what}: {note_pages} pages for 3 pages of notes")
            }
        }
        // Legible: the slide's body text prints at 7 pt or more (a word's box is a little
        // under its size in this font: 6.6 pt for 7 pt text).
        let body = all.iter().find(|w| w.text.starts_with("Bodyalpha")).expect("Bodyalpha");
        assert!(body.y1 - body.y0 >= 6.6, "{what}: body text {:.1} pt high", body.y1 - body.y0);
        // The sources list for paper at 8 pt or more (its box: 7.5 pt).
        let last_page = all.iter().map(|w| w.page).max().unwrap();
        let url = all.iter().find(|w| w.page == last_page && w.text.contains("example.org/source")).expect("URL");
        assert!(url.y1 - url.y0 >= 7.5, "{what}: sources list {:.1} pt high", url.y1 - url.y0);
        // Links: the slide's own link and the sources list's, clickable.
        let links = links(&pdf);
        assert!(links.iter().any(|l| l == "https://example.org/report"), "{what}: {links:?}");
        assert!(links.iter().any(|l| l == "https://example.org/source"), "{what}: {links:?}");
        assert_eq!(info_field(&pdf, "Title"), "Handout Check", "{what}");
        assert_eq!(info_field(&pdf, "Author"), "Ada Organiser", "{what}");
        assert!(info_field(&pdf, "Page size").contains("(A4)"), "{what}");
        assert_eq!(info_field(&pdf, "Tagged"), "yes", "{what}");
        let marks = bookmarks(&pdf);
        for want in ["1. Handout Check", "2. First Topic", "3. Second Topic", "4. Part Two", "5. Thanks", "Sources"] {
            assert!(marks.iter().any(|m| m == want), "{what}: bookmark {want} missing: {marks:?}");
        }
    }
}

/// Titles of the PDF's bookmarks (outline items; ASCII titles only).
fn bookmarks(pdf: &Path) -> Vec<String> {
    let text = String::from_utf8_lossy(&std::fs::read(pdf).unwrap()).into_owned();
    text.split("endobj")
        .filter(|object| object.contains("/Parent") && object.contains("/Dest"))
        .filter_map(|object| object.split("/Title(").nth(1)?.split(")/").next().map(str::to_string))
        .collect()
}

#[test]
fn wide_without_notes() {
    check("16:9", Notes::None);
}

#[test]
fn wide_with_short_notes() {
    check("16:9", Notes::Short);
}

#[test]
fn wide_with_three_pages_of_notes() {
    check("16:9", Notes::Long);
}

#[test]
fn standard_without_notes() {
    check("4:3", Notes::None);
}

#[test]
fn standard_with_short_notes() {
    check("4:3", Notes::Short);
}

#[test]
fn standard_with_three_pages_of_notes() {
    check("4:3", Notes::Long);
}

#[test]
fn letter_paper_skip_and_keep_theme() {
    let dir = tempdir();
    write(dir.path(), "deck.md", &deck("16:9", Notes::Short));
    let run = lectern(
        dir.path(),
        &[
            "build",
            "deck.md",
            "--handout",
            "2",
            "--paper",
            "letter",
            "--handout-skip",
            "section,end",
            "--handout-theme",
            "keep",
        ],
    );
    assert_eq!(run.status, 0, "{}", run.stderr);
    let pdf = dir.path().join("deck-handout.pdf");
    assert!(info_field(&pdf, "Page size").contains("612 x 792"), "{}", info_field(&pdf, "Page size"));
    let text = squash(&pages(&pdf).join(""));
    assert!(!text.contains("PartTwo") && !text.contains("Bodydelta"), "skipped slides printed: {text}");
    // Title and two content slides, two a page, then the sources list.
    assert_eq!(page_count(&pdf), 3);
    // Reproducible like the deck: the same build gives the same bytes.
    let first = std::fs::read(&pdf).unwrap();
    let run = lectern(
        dir.path(),
        &[
            "build",
            "deck.md",
            "--handout",
            "2",
            "--paper",
            "letter",
            "--handout-skip",
            "section,end",
            "--handout-theme",
            "keep",
        ],
    );
    assert_eq!(run.status, 0);
    assert!(std::fs::read(&pdf).unwrap() == first, "the handout differs between two builds");
}

#[test]
fn notes_pdf_prints_notes_large_and_continues_them() {
    let dir = tempdir();
    write(dir.path(), "deck.md", &deck("16:9", Notes::Long));
    let run = lectern(dir.path(), &["build", "deck.md", "--notes-pdf"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let pdf = dir.path().join("deck-notes.pdf");
    let text = squash(&pages(&pdf).join(""));
    assert!(text.contains("Longnotesentencen39x9ishere"), "{text}");
    assert!(text.contains("スライド3のノート（続き）") || text.contains("Notesofslide3(continued)"), "{text}");
    // Note text at 12 pt: a word's box is about 12 pt tall.
    let heights: Vec<f64> =
        words(&pdf).iter().filter(|w| w.text.starts_with("sentence")).map(|w| w.y1 - w.y0).collect();
    assert!(!heights.is_empty());
    assert!(heights.iter().all(|h| *h >= 11.0), "{heights:?}");
}

#[test]
fn a_theme_too_small_for_the_mode_is_warned_about() {
    let dir = tempdir();
    write(dir.path(), "deck.md", &deck("4:3", Notes::None));
    // The print theme's body text is 21 pt: nine 4:3 slides on A4 print it under 7 pt.
    let run = lectern(dir.path(), &["build", "deck.md", "--theme", "print", "--handout", "9"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stderr.contains("under the 7 pt floor"), "{}", run.stderr);
    let run = lectern(dir.path(), &["build", "deck.md", "--theme", "print", "--handout", "4"]);
    assert!(!run.stderr.contains("floor"), "{}", run.stderr);
}

/// Mean brightness (0 black – 255 white) of the first page, rendered as a user would.
fn brightness(pdf: &Path) -> f64 {
    let prefix = pdf.with_extension("");
    let run = std::process::Command::new("pdftoppm")
        .args(["-png", "-r", "20", "-f", "1", "-l", "1", "-singlefile"])
        .arg(pdf)
        .arg(&prefix)
        .status()
        .expect("pdftoppm (poppler-utils)");
    assert!(run.success());
    let image = image::open(prefix.with_extension("png")).unwrap().to_luma8();
    image.pixels().map(|p| p.0[0] as f64).sum::<f64>() / (image.width() * image.height()) as f64
}

#[test]
fn a_dark_deck_prints_on_white_unless_asked_to_keep_its_colours() {
    let dir = tempdir();
    write(dir.path(), "deck.md", &deck("16:9", Notes::None).replace("sources-slide: true", "theme: dark"));
    let handout = dir.path().join("deck-handout.pdf");
    let run = lectern(dir.path(), &["build", "deck.md", "--handout", "6"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    // Title, content, section and end slides of a dark theme: print colours are ink-light.
    let print = brightness(&handout);
    assert!(print > 240.0, "print colours: mean brightness {print}");
    let run = lectern(dir.path(), &["build", "deck.md", "--handout", "6", "--handout-theme", "keep"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let kept = brightness(&handout);
    assert!(kept < 200.0, "the deck's dark colours: mean brightness {kept}");
}
