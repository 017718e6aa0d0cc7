//! `lectern build` end to end: what a speaker sees in the PDF.

mod common;

use common::*;

const DECK: &str = "---
title: サイバー安保法案を読む
subtitle: 市民の視点から
author: 小倉利丸
affiliation: JCA-NET
contact: toshi@example.org
date: 2025-03-16
event: JCA-NET セミナー
lang: ja
toc: true
numbering: true
footer: \"{event} · {date}\"
---

# 1. はじめに

## 1.1. 法案の名前

- 重要電子計算機に対する不正な行為による被害の防止に関する法律案
- 通称は**サイバースパイ・サイバー攻撃法案**

<!-- 話すこと: ここで法案の正式名称を読み上げる -->

## 1.2. 統計 {#stats}

| 年 | パケット数（億） |
|---|---:|
| 2015 | 632 |
| 2024 | 6862 |

Note: 表の数字は NICTER から

# 2. 論点

## 2.1. 通信の秘密

> 通信の秘密は、これを侵してはならない。
>
> — 日本国憲法 第21条第2項

::: notes
条文は短く読む
:::
";

#[test]
fn builds_pages_with_the_slides_text() {
    let dir = tempdir();
    let pdf = build_ok(dir.path(), DECK);
    let pages = pages(&pdf);
    // title + agenda + 2 sections + 3 slides
    assert_eq!(pages.len(), 7, "{pages:#?}");
    let p: Vec<String> = pages.iter().map(|p| squash(p)).collect();
    assert!(p[0].contains("サイバー安保法案を読む") && p[0].contains("小倉利丸") && p[0].contains("JCA-NET"));
    assert!(p[1].contains("1.はじめに") && p[1].contains("2.論点"), "agenda: {}", p[1]);
    assert!(p[2].contains("1.はじめに"));
    assert!(p[3].contains("1.1.法案の名前") && p[3].contains("サイバースパイ・サイバー攻撃法案"));
    assert!(p[4].contains("2015") && p[4].contains("6862"));
    assert!(p[6].contains("通信の秘密は、これを侵してはならない。") && p[6].contains("日本国憲法第21条第2項"));
    // footer with event, date and n / N
    assert!(p[3].contains("JCA-NETセミナー·2025-03-16"), "{}", p[3]);
    assert!(p[3].contains("4/7"), "{}", p[3]);
}

#[test]
fn notes_never_appear_on_slides() {
    let dir = tempdir();
    let pdf = build_ok(dir.path(), DECK);
    let all = squash(&pages(&pdf).join(""));
    for note in ["話すこと", "NICTERから", "条文は短く読む"] {
        assert!(!all.contains(note), "note {note:?} leaked onto a slide");
    }
}

#[test]
fn pdf_metadata_is_set() {
    let dir = tempdir();
    let pdf = build_ok(dir.path(), DECK);
    assert_eq!(info_field(&pdf, "Title"), "サイバー安保法案を読む");
    assert_eq!(info_field(&pdf, "Author"), "小倉利丸");
    assert_eq!(info_field(&pdf, "Subject"), "市民の視点から");
    assert_eq!(info_field(&pdf, "Tagged"), "yes");
}

#[test]
fn links_are_clickable_and_footnotes_sit_on_their_slide() {
    let dir = tempdir();
    let deck = "## One\n\nSee [the bill](https://www.cas.go.jp/jp/houan/217.html) and <https://example.org/a?b=c&d=e>.\n\nClaim[^src].\n\n## Two\n\nAgain[^src] and more[^two].\n\n[^src]: 内閣官房「説明資料」 https://www.cas.go.jp/jp/seisaku/cyber_anzen_hosyo_torikumi/pdf/setsumei.pdf\n[^two]: Second note.\n";
    let pdf = build_ok(dir.path(), deck);
    let urls = links(&pdf);
    for url in [
        "https://www.cas.go.jp/jp/houan/217.html",
        "https://example.org/a?b=c&d=e",
        "https://www.cas.go.jp/jp/seisaku/cyber_anzen_hosyo_torikumi/pdf/setsumei.pdf",
    ] {
        assert!(urls.iter().any(|u| u == url), "{url} not linked: {urls:?}");
    }
    let pages = pages(&pdf);
    assert_eq!(pages.len(), 2);
    let one = squash(&pages[0]);
    let two = squash(&pages[1]);
    assert!(one.contains("内閣官房「説明資料」"), "{one}");
    assert!(!one.contains("Secondnote"));
    // The same footnote keeps its number on the second slide; the new one is 2.
    assert!(two.contains("1内閣官房") && two.contains("2Secondnote"), "{two}");
}

#[test]
fn escaping_renders_typst_syntax_literally() {
    let specials = [
        "#panic(\"x\")",
        "$HOME",
        "@user",
        "&lt;label&gt;",
        "// x",
        "/* x */",
        "C:\\Users",
        "#set text(red)",
        "[brackets]",
        "_under_ *star*",
        "`tick`",
        "\\\\",
        "<label>",
        "= heading",
        "~tilde~",
    ];
    let mut deck = String::new();
    for (i, s) in specials.iter().enumerate() {
        let md = s
            .replace('\\', "\\\\")
            .replace('*', "\\*")
            .replace('_', "\\_")
            .replace('`', "\\`")
            .replace('[', "\\[")
            .replace('<', "\\<")
            .replace('~', "\\~");
        let md = md.replace("&lt;", "&amp;lt;").replace("&gt;", "&amp;gt;");
        deck.push_str(&format!(
            "## T{i} {md}\n\nP {md}\n\n- L {md}\n\n| H {md} |\n|---|\n| C {md} |\n\n[K {md}](https://example.org/{i}) F[^f{i}]\n\n[^f{i}]: N {md}\n\n"
        ));
    }
    // A soft line break followed by markup-looking line starts.
    // Soft line breaks whose next line starts like Typst markup (CommonMark keeps these in
    // the paragraph), and an HTML entity that must not become a Typst label.
    deck.push_str(
        "## Soft\n\nline one\n= not a heading\n-5 degrees\n+1 vote\n1.5 million\n/ term\n&lt;label&gt; @ref\n",
    );
    let dir = tempdir();
    let pdf = build_ok(dir.path(), &deck);
    let pages = pages(&pdf);
    for (i, s) in specials.iter().enumerate() {
        let page = squash(&pages[i]);
        let want = squash(s);
        let title = format!("T{i}");
        for prefix in [title.as_str(), "P", "L", "H", "C", "K", "N"] {
            assert!(page.contains(&format!("{prefix}{want}")), "{prefix} {s:?} not literal on page {i}: {page}");
        }
    }
    let soft = squash(pages.last().unwrap());
    assert!(soft.contains("lineone=notaheading-5degrees+1vote1.5million/term<label>@ref"), "{soft}");
}

#[test]
fn same_inputs_give_identical_pdfs() {
    let dir = tempdir();
    common::write(dir.path(), "deck.md", DECK);
    let build = |out: &str| {
        let run = lectern_command()
            .args(["build", "deck.md", "-o", out])
            .current_dir(dir.path())
            .env("SOURCE_DATE_EPOCH", "1700000000")
            .output()
            .unwrap();
        assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
        std::fs::read(dir.path().join(out)).unwrap()
    };
    assert!(build("a.pdf") == build("b.pdf"), "two builds differ");
}

#[test]
fn success_line_reports_output_slides_pages() {
    let dir = tempdir();
    common::write(dir.path(), "deck.md", DECK);
    let run = lectern(dir.path(), &["build", "deck.md", "-o", "talk.pdf"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("talk.pdf: 7 slides, 7 pages, "), "{}", run.stdout);
    assert!(run.stdout.trim_end().ends_with(" ms"));
}

#[test]
fn marp_deck_keeps_marp_slide_count() {
    let dir = tempdir();
    let deck = "---\nmarp: true\ntitle: Not a title slide\npaginate: true\n---\n\n<!-- _class: lead -->\n# Hello\n\n---\n\n# Two\n\n## still two\n\n---\n\n![bg right](pic.png)\n\nThree\n";
    common::write(dir.path(), "pic.png", "");
    std::fs::write(dir.path().join("pic.png"), tiny_png()).unwrap();
    let pdf = build_ok(dir.path(), deck);
    let pages = pages(&pdf);
    assert_eq!(pages.len(), 3);
    assert!(squash(&pages[0]).contains("Hello"));
    assert!(squash(&pages[1]).contains("stilltwo"));
}

#[test]
fn columns_math_code_tasks_and_inline_html() {
    let dir = tempdir();
    let deck = "## Mixed\n\n:::: columns\n::: {.column width=\"40%\"}\n左の内容\n:::\n::: column\n右の内容 $x^2 + 1$\n:::\n::::\n\n- [x] done item\n- [ ] open item\n\nH<sub>2</sub>O and x<sup>2</sup> <kbd>Ctrl</kbd> ~~old~~\n\n```rust\nfn main() {}\n```\n";
    let pdf = build_ok(dir.path(), deck);
    let page = squash(&pages(&pdf)[0]);
    for want in ["左の内容", "右の内容", "doneitem", "openitem", "H2O", "Ctrl", "old", "fnmain(){}"] {
        assert!(page.contains(want), "{want} missing: {page}");
    }
}

#[test]
fn images_with_marp_keywords_and_alt_text() {
    let dir = tempdir();
    std::fs::write(dir.path().join("pic.png"), tiny_png()).unwrap();
    let deck = "## Figure\n\n![w:50% ルーターの写真](pic.png)\n\n## Split\n\n![bg left](pic.png)\n\n右側の文章\n";
    let pdf = build_ok(dir.path(), deck);
    let pages = pages(&pdf);
    assert_eq!(pages.len(), 2);
    assert!(squash(&pages[0]).contains("ルーターの写真"), "caption: {}", pages[0]);
    assert!(squash(&pages[1]).contains("右側の文章"));
}

#[test]
fn other_raster_formats_are_converted() {
    let dir = tempdir();
    let img = image::RgbImage::from_pixel(8, 8, image::Rgb([200, 30, 30]));
    img.save(dir.path().join("pic.bmp")).unwrap();
    let pdf = build_ok(dir.path(), "## BMP\n\n![a bitmap](pic.bmp)\n");
    assert_eq!(page_count(&pdf), 1);
}

pub fn tiny_png() -> Vec<u8> {
    let img = image::RgbImage::from_pixel(4, 3, image::Rgb([20, 90, 160]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// The PDF outline (bookmarks) as pdftohtml reports it.
fn outline(pdf: &std::path::Path) -> String {
    let out = std::process::Command::new("pdftohtml").args(["-xml", "-stdout", "-i"]).arg(pdf).output().unwrap();
    let xml = String::from_utf8_lossy(&out.stdout).into_owned();
    xml.split_once("<outline>").map(|(_, o)| o.to_string()).unwrap_or_default()
}

#[test]
fn bookmarks_language_and_alt_text() {
    let dir = tempdir();
    let pdf = build_ok(dir.path(), DECK);
    let outline = outline(&pdf);
    for item in ["1. はじめに", "1.1. 法案の名前", "1.2. 統計", "2. 論点", "2.1. 通信の秘密"] {
        assert!(outline.contains(&format!(">{item}</item>")), "no bookmark {item}: {outline}");
    }
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.windows(9).any(|w| w == b"/Lang(ja)"), "document language not set");

    std::fs::write(dir.path().join("pic.png"), tiny_png()).unwrap();
    let pdf = build_ok(dir.path(), "---\nlang: en\n---\n\n## Figure\n\n![router photo](pic.png)\n");
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.windows(9).any(|w| w == b"/Lang(en)"));
    assert!(bytes.windows(18).any(|w| w == b"/Alt(router photo)"), "image alt text missing from the tagged PDF");
}

#[test]
fn pauses_make_incremental_pages() {
    let dir = tempdir();
    let deck = "---\nnumbering: true\n---\n\n## 三段階\n\n- 偵察\n\n<!-- pause -->\n\n- 侵入[^a]\n\n<!-- pause -->\n\n- 事前配置\n\n## 次\n\n終わり\n\n[^a]: 注の本文\n";
    write(dir.path(), "deck.md", deck);
    let run = lectern(dir.path(), &["build", "deck.md"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stdout.contains(": 2 slides, 4 pages"), "{}", run.stdout);
    let pages: Vec<String> = pages(&dir.path().join("deck.pdf")).iter().map(|p| squash(p)).collect();
    assert!(pages[0].contains("偵察") && !pages[0].contains("侵入") && !pages[0].contains("注の本文"), "{}", pages[0]);
    assert!(pages[1].contains("侵入") && pages[1].contains("注の本文") && !pages[1].contains("事前配置"));
    assert!(pages[2].contains("事前配置") && pages[2].contains("注の本文"));
    // Every step shows the same slide number.
    for page in &pages[..3] {
        assert!(page.contains("1/2"), "{page}");
    }
    assert!(pages[3].contains("2/2"));
}

/// The colours the code on `page` is drawn in (text in the monospace font).
fn code_colours(compiled: &lectern::pipeline::Compiled, page: usize) -> std::collections::BTreeSet<String> {
    use typst::layout::{Frame, FrameItem};
    fn walk(frame: &Frame, out: &mut std::collections::BTreeSet<String>) {
        for (_, item) in frame.items() {
            match item {
                FrameItem::Group(group) => walk(&group.frame, out),
                FrameItem::Text(text) if text.font.info().family.contains("Mono") => {
                    out.insert(format!("{:?}", text.fill));
                }
                _ => {}
            }
        }
    }
    let mut out = Default::default();
    walk(&compiled.document.pages()[page].frame, &mut out);
    out
}

#[test]
fn code_blocks_are_highlighted_in_their_language() {
    // lectern highlights code ahead of Typst, on a thread of its own (to have the
    // patterns of each language compiled before the layout needs them): the slides show
    // the same code in the same colours as Typst alone would.
    let dir = tempdir();
    let deck = "## Python\n\n```python\ndef neutralize(host):\n    # 無害化は攻撃である\n    return attack(host)\n```\n\n\
                ## Shell\n\n```bash\nfor h in $HOSTS; do ping -c1 \"$h\"; done\n```\n\n\
                ## Unknown\n\n```nosuchlang\ndef neutralize(host):\n```\n\n\
                ## Typst\n\n```typ\n#let x = 1\n```\n";
    write(dir.path(), "deck.md", deck);
    let compiled = compile(&dir.path().join("deck.md"), dir.path());
    let text = |page: usize| {
        let mut out = String::new();
        fn walk(frame: &typst::layout::Frame, out: &mut String) {
            for (_, item) in frame.items() {
                match item {
                    typst::layout::FrameItem::Group(group) => walk(&group.frame, out),
                    typst::layout::FrameItem::Text(text) => out.push_str(&text.text),
                    _ => {}
                }
            }
        }
        walk(&compiled.document.pages()[page].frame, &mut out);
        out
    };
    assert!(text(0).contains("neutralize") && text(0).contains("無害化は攻撃である"), "{}", text(0));
    assert!(text(1).contains("ping"), "{}", text(1));
    // Keywords, comments and names apart: several colours; an unknown language: one.
    assert!(code_colours(&compiled, 0).len() >= 3, "{:?}", code_colours(&compiled, 0));
    assert!(code_colours(&compiled, 1).len() >= 2, "{:?}", code_colours(&compiled, 1));
    assert_eq!(code_colours(&compiled, 2).len(), 1, "{:?}", code_colours(&compiled, 2));
    assert!(code_colours(&compiled, 3).len() >= 2, "{:?}", code_colours(&compiled, 3));
}
