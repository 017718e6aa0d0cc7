//! Every layout of docs/deck-format.md §4 in the built-in theme, on 16:9, 4:3 and 16:10: one page
//! per slide, no warnings, and each layout arranged as a speaker expects.

mod common;

use std::path::{Path, PathBuf};

use common::*;

const SLIDES: usize = 17;

/// Builds the all-layouts fixture with the given aspect ratio; returns the PDF path.
fn build(dir: &Path, aspect: &str) -> (PathBuf, String) {
    build_with(dir, aspect, "seminar")
}

fn build_with(dir: &Path, aspect: &str, theme: &str) -> (PathBuf, String) {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/starter");
    let deck = std::fs::read_to_string(fixture.join("deck.md")).unwrap().replacen(
        "footer:",
        &format!("aspect: \"{aspect}\"\nfooter:"),
        1,
    );
    write(dir, "deck.md", &deck);
    std::fs::create_dir_all(dir.join("figures")).unwrap();
    for f in ["router.png", "photo.jpg", "packets.csv"] {
        std::fs::copy(fixture.join("figures").join(f), dir.join("figures").join(f)).unwrap();
    }
    let run = lectern(dir, &["build", "deck.md", "--theme", theme]);
    assert_eq!(run.status, 0, "{theme} {aspect}: {}", run.stderr);
    (dir.join("deck.pdf"), run.stderr)
}

/// `(xMin, yMin)` of the first word on `page` (1-based) containing `needle`.
fn word_position(pdf: &Path, page: usize, needle: &str) -> Option<(f64, f64)> {
    let out = std::process::Command::new("pdftotext")
        .args(["-bbox", "-f", &page.to_string(), "-l", &page.to_string()])
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    let html = String::from_utf8_lossy(&out.stdout).into_owned();
    html.lines().find(|l| l.contains("<word") && l.contains(needle)).map(|l| {
        let attr = |name: &str| -> f64 {
            let start = l.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
            l[start..].split('"').next().unwrap().parse().unwrap()
        };
        (attr("xMin"), attr("yMin"))
    })
}

#[test]
fn every_layout_on_every_aspect_ratio_in_every_theme() {
    for (theme, aspect) in
        ["seminar", "dark", "print"].into_iter().flat_map(|t| ["16:9", "4:3", "16:10"].map(|a| (t, a)))
    {
        let aspect = format!("{theme} {aspect}");
        let dir = tempdir();
        let (pdf, stderr) = build_with(dir.path(), aspect.rsplit(' ').next().unwrap(), theme);
        assert!(!stderr.contains("warning"), "{aspect}: warnings:\n{stderr}");
        assert_eq!(page_count(&pdf), SLIDES, "{aspect}: one page per slide");
        let pages = pages(&pdf);
        let page = |title: &str| {
            pages
                .iter()
                .position(|p| squash(p).starts_with(title))
                .unwrap_or_else(|| panic!("{aspect}: no slide {title}"))
                + 1
        };

        // columns: the left column's text lies left of the right column's.
        let columns = page("二段組");
        let left = word_position(&pdf, columns, "官民連携").expect("left column text");
        let right = word_position(&pdf, columns, "アクセス").expect("right column text");
        assert!(left.0 < right.0, "{aspect}: columns out of order {left:?} {right:?}");
        // …and the 40% column is narrower: the right text starts past 40% of the page.
        assert!(right.0 > 0.35 * info_width(&pdf), "{aspect}: right column starts at {}", right.0);

        // quote: the attribution is printed, below the quotation.
        let quote = page("引用");
        let text = word_position(&pdf, quote, "通信の秘密").unwrap();
        let attribution = word_position(&pdf, quote, "日本国憲法").expect("attribution");
        assert!(attribution.1 > text.1, "{aspect}: attribution above the quote");

        // statement, steps, end, chart, flow, split image, code: their text is there.
        for (title, body) in [
            ("一言", "サイバー領域の平和を"),
            ("攻撃の流れ", "資格情報の窃取"),
            ("グラフ", "年間総観測パケット数"),
            ("経路図", "事前配置"),
            ("背景", "左半分に本文"),
            ("コード", "neutralize"),
            ("ありがとうございました", "質問をどうぞ"),
        ] {
            assert!(squash(&pages[page(title) - 1]).contains(body), "{aspect}: {title} lacks {body}");
        }
        // The agenda lists both sections; the sources slide lists the footnote and source line.
        assert!(squash(&pages[1]).contains("1.文章") && squash(&pages[1]).contains("2.図表"));
        let sources = squash(pages.last().unwrap());
        assert!(sources.contains("重要電子計算機") && sources.contains("NICTER"), "{sources}");
    }
}

fn info_width(pdf: &Path) -> f64 {
    let size = info_field(pdf, "Page size");
    size.split_whitespace().next().unwrap().parse().unwrap()
}

#[test]
fn figure_image_is_the_largest_element() {
    let dir = tempdir();
    let (_, _) = build(dir.path(), "16:9");
    let compiled = compile(&dir.path().join("deck.md"), dir.path());
    // The figure slide is the 9th: find its largest image.
    let page = &compiled.document.pages()[8];
    let mut images = Vec::new();
    collect_images(&page.frame, &mut images);
    let (w, h) = images.into_iter().fold((0.0, 0.0), |a: (f64, f64), b| if b.0 * b.1 > a.0 * a.1 { b } else { a });
    let (pw, ph) = (page.frame.width().to_pt(), page.frame.height().to_pt());
    assert!(h > 0.55 * ph, "figure image only {h}pt tall on a {ph}pt slide");
    assert!(w * h > 0.3 * pw * ph, "figure image covers only {:.0}% of the slide", 100.0 * w * h / (pw * ph));
}

fn collect_images(frame: &typst::layout::Frame, out: &mut Vec<(f64, f64)>) {
    for (_, item) in frame.items() {
        match item {
            typst::layout::FrameItem::Group(group) => collect_images(&group.frame, out),
            typst::layout::FrameItem::Image(_, size, _) => out.push((size.x.to_pt(), size.y.to_pt())),
            _ => {}
        }
    }
}
