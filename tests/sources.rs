//! Footnotes, citations and the sources slide: every claim traceable from the slide.

mod common;

use common::*;

const BIB: &str = "nicter-2024:\n  type: report\n  title: NICTER観測レポート2024\n  author: 情報通信研究機構\n  date: 2025-02\n  url: https://csl.nict.go.jp/report/NICTER_report_2024.pdf\nschmitt:\n  type: book\n  title: Tallinn Manual 2.0\n  author: Schmitt, Michael N.\n  publisher: Cambridge University Press\n  date: 2017\n";

#[test]
fn citations_print_author_title_and_locator_as_notes() {
    let dir = tempdir();
    write(dir.path(), "refs.yml", BIB);
    let deck = "---\nbibliography: refs.yml\nsources-slide: true\n---\n\n## 観測\n\n観測数は増えた[@nicter-2024, p. 12]。\n\n## 国際法\n\n規則32[@schmitt]と再び[@nicter-2024, p. 12]。両方[@nicter-2024; @schmitt]。\n";
    let pdf = build_ok(dir.path(), deck);
    let pages = pages(&pdf);
    let first = squash(&pages[0]);
    assert!(
        first.contains("情報通信研究機構") && first.contains("NICTER観測レポート2024") && first.contains("p.12"),
        "{first}"
    );
    let second = squash(&pages[1]);
    assert!(second.contains("Schmitt") && second.contains("TallinnManual2.0"), "{second}");
    // The same citation keeps its number (1); the new ones are 2 and 3.
    assert!(second.contains("規則322と再び1。両方3"), "{second}");
    assert!(links(&pdf).iter().any(|u| u == "https://csl.nict.go.jp/report/NICTER_report_2024.pdf"));
    // The sources slide lists the citations too.
    let last = squash(pages.last().unwrap());
    assert!(
        last.starts_with("出典") && last.contains("NICTER観測レポート2024") && last.contains("TallinnManual2.0"),
        "{last}"
    );
}

const ARTICLE_AND_BOOK: &str = "tm:\n  type: book\n  title: Tallinn Manual 2.0\n  editor: Schmitt, Michael N.\n  publisher: Cambridge University Press\n  date: 2017\n  url: https://example.org/tallinn\nart:\n  type: article\n  title: Cyber Attacks and the Law\n  author: Doe, Jane\n  date: 2020\n  parent:\n    type: periodical\n    title: Journal of Things\n    volume: 4\n";

fn law_deck(front: &str) -> String {
    format!("---\nbibliography: refs.yml\n{front}\n---\n\n## Law\n\nRule 32[@tm, rule 32] and [@art, 12].\n")
}

#[test]
fn cited_entries_print_in_the_citation_style_and_the_deck_locale() {
    let dir = tempdir();
    write(dir.path(), "refs.yml", ARTICLE_AND_BOOK);
    // chicago-notes unless told: the whole entry, its URL a link, then the locator.
    let pdf = build_ok(dir.path(), &law_deck("lang: en"));
    let page = squash(&pages(&pdf)[0]);
    let book =
        "M. N. Schmitt. Tallinn Manual 2.0. Cambridge University Press, 2017. https://example.org/tallinn, rule 32";
    assert!(page.contains(&squash(book)), "{page}");
    assert!(page.contains(&squash("Doe, Jane. “Cyber Attacks and the Law.” Journal of Things 4 (2020), 12")), "{page}");
    assert!(links(&pdf).iter().any(|u| u == "https://example.org/tallinn"), "{:?}", links(&pdf));
    // The region picks the locale: British quotation marks.
    let page = squash(&pages(&build_ok(dir.path(), &law_deck("lang: en-GB")))[0]);
    assert!(page.contains(&squash("Doe, Jane. ‘Cyber Attacks and the Law’. Journal of Things")), "{page}");
    // `csl:` names another style of the same archive Typst has.
    let page = squash(&pages(&build_ok(dir.path(), &law_deck("lang: en\ncsl: apa")))[0]);
    assert!(page.contains(&squash("Doe, J. (2020). Cyber Attacks and the Law. Journal of Things, 4., 12")), "{page}");
}

#[test]
fn citation_styles_from_csl_files_and_their_errors() {
    let dir = tempdir();
    write(dir.path(), "refs.yml", ARTICLE_AND_BOOK);
    write(
        dir.path(),
        "styles/short.csl",
        r#"<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="note" version="1.0">
  <info><title>Short</title><id>short</id><updated>2024-01-01T00:00:00+00:00</updated></info>
  <citation><layout><text variable="title"/></layout></citation>
  <bibliography><layout><text variable="title" prefix="Title: "/><date variable="issued" prefix=" (" suffix=")"><date-part name="year"/></date></layout></bibliography>
</style>
"#,
    );
    let page = squash(&pages(&build_ok(dir.path(), &law_deck("lang: en\ncitation-style: styles/short.csl")))[0]);
    assert!(page.contains("Title:TallinnManual2.0(2017),rule32"), "{page}");

    write(dir.path(), "bad.csl", "<style>not CSL");
    for (style, message) in [
        ("nosuch", "unknown style: nosuch"),
        ("missing.csl", "citation style `missing.csl`: not found"),
        ("bad.csl", "citation style `bad.csl` is not a valid CSL style"),
    ] {
        write(dir.path(), "deck.md", &law_deck(&format!("citation-style: {style}")));
        let run = lectern(dir.path(), &["build", "deck.md"]);
        assert_eq!(run.status, 1, "{}", run.stderr);
        assert!(run.stderr.contains(message) && run.stderr.contains("deck.md:3:1"), "{style}: {}", run.stderr);
    }
    // A deprecated name still works, with Typst's warning.
    write(dir.path(), "deck.md", &law_deck("citation-style: chicago-fullnotes"));
    let run = lectern(dir.path(), &["build", "deck.md"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stderr.contains("deprecated in favor of `\"chicago-notes\"`"), "{}", run.stderr);
}

#[test]
fn bibtex_works_too() {
    let dir = tempdir();
    write(
        dir.path(),
        "refs.bib",
        "@book{schmitt2017,\n  title = {Tallinn Manual 2.0},\n  author = {Schmitt, Michael N.},\n  publisher = {Cambridge University Press},\n  year = {2017}\n}\n",
    );
    let pdf = build_ok(dir.path(), "---\nbibliography: refs.bib\nlang: en\n---\n\n## Law\n\nRule 32[@schmitt2017].\n");
    assert!(squash(&pages(&pdf)[0]).contains("TallinnManual2.0"));
    // A file Typst could not read either fails at the `bibliography:` line.
    write(dir.path(), "refs.bib", "@book{schmitt2017,\n  title = {Tallinn Manual 2.0\n");
    let run = lectern(dir.path(), &["build", "deck.md"]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("bibliography `refs.bib` is not valid BibTeX") && run.stderr.contains("deck.md:2:1"),
        "{}",
        run.stderr
    );
}

#[test]
fn unknown_citation_key_names_the_nearest() {
    let dir = tempdir();
    write(dir.path(), "refs.yml", BIB);
    write(dir.path(), "deck.md", "---\nbibliography: refs.yml\n---\n\n## A\n\n増加[@nicter-2042]。\n");
    let run = lectern(dir.path(), &["build", "deck.md"]);
    assert_eq!(run.status, 1);
    assert!(
        run.stderr.contains("deck.md:7:3") && run.stderr.contains("`@nicter-2042` is not in the bibliography"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("did you mean `@nicter-2024`?"), "{}", run.stderr);
}

#[test]
fn citation_without_bibliography_is_an_error() {
    let dir = tempdir();
    write(dir.path(), "deck.md", "## A\n\n増加[@nicter-2024]。\n");
    let run = lectern(dir.path(), &["build", "deck.md"]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("deck.md:3:3") && run.stderr.contains("needs a bibliography"), "{}", run.stderr);
}

#[test]
fn many_notes_stay_on_one_slide() {
    let dir = tempdir();
    let mut deck = String::from("## 多い\n\n");
    for i in 1..=7 {
        deck.push_str(&format!("主張{i}[^n{i}]。"));
    }
    deck.push_str("\n\n");
    for i in 1..=7 {
        deck.push_str(&format!(
            "[^n{i}]: 出典{i} https://example.org/a/very/long/path/segment/{i}/with?query=string&and=more&page={i}\n"
        ));
    }
    let pdf = build_ok(dir.path(), &deck);
    assert_eq!(page_count(&pdf), 1);
    let page = squash(&pages(&pdf)[0]);
    for i in 1..=7 {
        assert!(page.contains(&format!("出典{i}")), "note {i} missing: {page}");
    }
    assert_eq!(links(&pdf).len(), 7);
}

#[test]
fn sources_slide_lists_everything_and_continues() {
    let dir = tempdir();
    let mut deck = String::from("---\nsources-slide: true\nlang: ja\n---\n\n");
    for s in 1..=6 {
        deck.push_str(&format!("## スライド{s}\n\n"));
        for n in 1..=4 {
            deck.push_str(&format!("主張{s}-{n}[^s{s}n{n}]。"));
        }
        deck.push_str("\n\n出典: 共通資料\n\n");
    }
    // Slide 6 cites a note of slide 1 again: listed once, with both slides.
    deck.push_str("## 再掲\n\n再び[^s1n1]。\n\n");
    for s in 1..=6 {
        for n in 1..=4 {
            deck.push_str(&format!("[^s{s}n{n}]: 文献{s}-{n}、ある組織の報告書 https://example.org/{s}/{n}\n"));
        }
    }
    let pdf = build_ok(dir.path(), &deck);
    let pages = pages(&pdf);
    let sources: Vec<String> = pages.iter().map(|p| squash(p)).filter(|p| p.starts_with("出典(")).collect();
    assert!(sources.len() >= 2, "one sources slide for 30 entries: {pages:#?}");
    assert!(sources[0].starts_with(&format!("出典(1/{})", sources.len())));
    let all = sources.join("");
    for s in 1..=6 {
        for n in 1..=4 {
            assert_eq!(all.matches(&format!("文献{s}-{n}、")).count(), 1, "文献{s}-{n} listed once");
        }
    }
    assert!(all.contains("スライド1,7"), "a note cited on two slides lists both: {all}");
    assert_eq!(all.matches("共通資料").count(), 6, "each source line is listed");
    assert_eq!(pages.len(), 7 + sources.len());
}

#[test]
fn qr_codes_when_asked() {
    let shapes = |qr: bool| {
        let dir = tempdir();
        let deck = format!(
            "---\nsources-slide: true\nsources-qr: {qr}\n---\n\n## A\n\nClaim[^a].\n\n[^a]: Report <https://example.org/report>\n"
        );
        write(dir.path(), "deck.md", &deck);
        let compiled = compile(&dir.path().join("deck.md"), dir.path());
        let last = compiled.document.pages().last().unwrap();
        count_shapes(&last.frame)
    };
    let (without, with) = (shapes(false), shapes(true));
    // A QR code is drawn as dozens of vector squares (no raster image).
    assert!(with > without + 50, "QR code not drawn: {without} vs {with} shapes");
}

fn count_shapes(frame: &typst::layout::Frame) -> usize {
    frame
        .items()
        .map(|(_, item)| match item {
            typst::layout::FrameItem::Group(g) => count_shapes(&g.frame),
            typst::layout::FrameItem::Shape(..) => 1,
            _ => 0,
        })
        .sum()
}
