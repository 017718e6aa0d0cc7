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
    for (per_page, pages_expected) in [("1", 4), ("3", 2), ("4", 1), ("6", 1), ("9", 1)] {
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
    assert!(run.stdout.contains("also wrote deck.pdfpc"), "{}", run.stdout);
    let json = std::fs::read_to_string(dir.path().join("deck.pdfpc")).unwrap();
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    check_pdfpc_schema(&value);
    let pages = value["pages"].as_array().unwrap();
    assert_eq!(pages.len(), 5, "one entry per PDF page: {json}");
    assert_eq!(pages[2]["label"], "3");
    assert_eq!(pages[2]["overlay"], 0);
    assert_eq!(pages[2]["note"], "二枚目のノート");
    assert_eq!(pages[3]["label"], "3");
    assert_eq!(pages[3]["overlay"], 1);
    assert_eq!(pages[3]["forcedOverlay"], true);
    assert_eq!(pages[3]["note"], "二枚目のノート");
    assert_eq!(pages[4]["label"], "4");
    assert!(json.contains("話すこと: 一枚目のノート"));
}

/// pdfpc's format 2 (its JSON schema, checked by hand): only known keys, types as given.
fn check_pdfpc_schema(value: &serde_json::Value) {
    let top = value.as_object().expect("an object");
    let allowed = [
        "pdfpcFormat",
        "duration",
        "startTime",
        "endTime",
        "endSlide",
        "savedSlide",
        "lastMinutes",
        "disableMarkdown",
        "noteFontSize",
        "defaultTransition",
        "beamerNotePosition",
        "pages",
    ];
    for key in top.keys() {
        assert!(allowed.contains(&key.as_str()), "pdfpc rejects the key {key}");
    }
    assert_eq!(top["pdfpcFormat"], 2);
    if let Some(v) = top.get("disableMarkdown") {
        assert!(v.is_boolean());
    }
    let pages = top["pages"].as_array().expect("pages is an array");
    let mut seen = std::collections::HashSet::new();
    for (i, page) in pages.iter().enumerate() {
        let page = page.as_object().expect("a page is an object");
        for key in page.keys() {
            assert!(["idx", "label", "overlay", "forcedOverlay", "hidden", "note"].contains(&key.as_str()), "{key}");
        }
        assert_eq!(page["idx"].as_u64(), Some(i as u64), "pages in order, one per PDF page");
        assert!(page["label"].is_string() && page["overlay"].is_u64());
        for flag in ["forcedOverlay", "hidden"] {
            assert!(page.get(flag).is_none_or(|v| v.is_boolean()));
        }
        assert!(page.get("note").is_none_or(|v| v.is_string()));
        assert!(seen.insert(serde_json::to_string(page).unwrap()), "pages must be unique");
    }
}

/// The label of every page, from the PDF's `/PageLabels` number tree (decimal labels
/// starting at `/St` at each listed page), as a viewer would show them.
fn page_labels(pdf: &std::path::Path) -> Vec<String> {
    let bytes = std::fs::read(pdf).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    let object = |n: &str| -> String {
        let at = text.find(&format!("\n{n} 0 obj")).unwrap_or_else(|| panic!("object {n}"));
        text[at..].split("endobj").next().unwrap().to_string()
    };
    let at = text.find("/PageLabels ").expect("the PDF has page labels") + "/PageLabels ".len();
    let tree = object(text[at..].split_whitespace().next().unwrap());
    let nums = tree.split("/Nums[").nth(1).unwrap().split(']').next().unwrap().to_string();
    let parts: Vec<&str> = nums.split_whitespace().collect();
    let mut ranges = Vec::new();
    for chunk in parts.chunks(4) {
        // `index objnum 0 R`
        let label = object(chunk[1]);
        let start: usize = label
            .split("/St ")
            .nth(1)
            .map_or(1, |v| v.trim_start().split(|c: char| !c.is_ascii_digit()).next().unwrap().parse().unwrap());
        ranges.push((chunk[0].parse::<usize>().unwrap(), start));
    }
    let pages = page_count(pdf);
    (0..pages)
        .map(|page| {
            let (first, start) = ranges.iter().rev().find(|(first, _)| *first <= page).copied().unwrap();
            (start + page - first).to_string()
        })
        .collect()
}

#[test]
fn pdfpc_and_page_labels_with_pauses_on_every_kind_of_slide() {
    let dir = tempdir();
    // Pauses before the first slide, after a section heading, twice in a row, at the end,
    // on an end slide are dropped; one between blocks and one between list items make steps.
    let deck = "---\ntitle: 休止\n---\n\n<!-- pause -->\n\n# 第一部\n\n<!-- pause -->\n\n## 一\n\n<!-- pause -->\n\n本文一\n\n<!-- pause -->\n\n<!-- pause -->\n\n本文二\n\n<!-- pause -->\n\n<!-- ノート一 -->\n\n## 二\n\n- 項目A\n  <!-- pause -->\n- 項目B\n\n<!-- ノート二 -->\n\n## 終わり {.end}\n\n本文三\n\n<!-- pause -->\n\n本文四\n\n<!-- ノート三 -->\n";
    write(dir.path(), "deck.md", deck);
    // `-v`: every warning at its own line, not grouped by kind.
    let run = lectern(dir.path(), &["build", "deck.md", "--pdfpc", "--handout", "2", "-v"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    // title, section, 一 (2 steps), 二 (2 steps), 終わり: 7 pages; every dropped pause
    // warned at its line.
    assert_eq!(page_count(&dir.path().join("deck.pdf")), 7, "{}", run.stderr);
    assert!(run.stderr.matches("warning").count() >= 5, "{}", run.stderr);
    assert!(run.stderr.contains("deck.md:5"), "the pause before the first slide: {}", run.stderr);
    assert!(run.stderr.contains("deck.md:9"), "the pause after a section heading: {}", run.stderr);
    let value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("deck.pdfpc")).unwrap()).unwrap();
    check_pdfpc_schema(&value);
    let pages = value["pages"].as_array().unwrap();
    let labels: Vec<&str> = pages.iter().map(|p| p["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["1", "2", "3", "3", "4", "4", "5"]);
    assert_eq!(pages[3]["note"], "ノート一");
    assert_eq!(pages[4]["note"], "ノート二");
    assert_eq!(pages[5]["note"], "ノート二");
    assert_eq!(pages[6]["note"], "ノート三");
    // The deck PDF labels its pages the same way.
    assert_eq!(page_labels(&dir.path().join("deck.pdf")), ["1", "2", "3", "3", "4", "4", "5"]);
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
    let before = std::fs::read(dir.path().join("deck.pdf")).unwrap();
    write(dir.path(), "deck.md", &DECK.replace("最後の本文", "変えた本文"));
    let run = lectern(dir.path(), &["build", "deck.md", "--png", "missing"]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("missing") && run.stderr.contains("does not exist"));
    assert!(run.stderr.contains("nothing written") && run.stderr.contains("deck.pdf left as it was"), "{}", run.stderr);
    assert_eq!(std::fs::read(dir.path().join("deck.pdf")).unwrap(), before, "the failed build replaced the PDF");
}

#[test]
fn an_output_that_is_an_input_is_refused() {
    let dir = tempdir();
    write(dir.path(), "talk.md", DECK);
    let run = lectern(dir.path(), &["build", "talk.md", "-o", "talk.md"]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("talk.md is an input"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(dir.path().join("talk.md")).unwrap(), DECK);
    // A deck named like its PDF.
    write(dir.path(), "slides.pdf", DECK);
    let run = lectern(dir.path(), &["build", "slides.pdf"]);
    assert_eq!(run.status, 1);
    assert_eq!(std::fs::read_to_string(dir.path().join("slides.pdf")).unwrap(), DECK);
    // An image the deck shows, as the --typst output or through another path.
    std::fs::copy(env!("CARGO_MANIFEST_DIR").to_string() + "/tests/fixtures/pixel.png", dir.path().join("pic.png"))
        .unwrap();
    write(dir.path(), "img.md", "## 図\n\n![図](pic.png)\n");
    let run = lectern(dir.path(), &["build", "img.md", "--typst", "./pic.png"]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert!(run.stderr.contains("is an input"), "{}", run.stderr);
    assert!(!dir.path().join("img.pdf").exists(), "nothing is written");
}

#[test]
fn a_failing_output_leaves_the_pdf_untouched_and_says_what_was_written() {
    let dir = tempdir();
    write(dir.path(), "deck.md", DECK);
    let run = lectern(dir.path(), &["build", "deck.md"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let before = std::fs::read(dir.path().join("deck.pdf")).unwrap();
    write(dir.path(), "deck.md", &DECK.replace("最後の本文", "変えた本文"));
    // The handout cannot be written: a folder stands where it goes.
    std::fs::create_dir(dir.path().join("deck-handout.pdf")).unwrap();
    let run = lectern(dir.path(), &["build", "deck.md", "--handout", "2", "--pdfpc"]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("deck-handout.pdf"), "{}", run.stderr);
    assert!(run.stderr.contains("nothing written"), "{}", run.stderr);
    assert_eq!(std::fs::read(dir.path().join("deck.pdf")).unwrap(), before);
    assert!(!dir.path().join("deck.pdfpc").exists());
}

#[test]
fn all_writes_every_output_and_names_them() {
    let dir = tempdir();
    write(dir.path(), "deck.md", DECK);
    let run = lectern(dir.path(), &["build", "deck.md", "--all"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    for file in ["deck.pdf", "deck-handout.pdf", "deck-notes.pdf", "deck.pdfpc"] {
        assert!(dir.path().join(file).exists(), "{file}");
        assert!(run.stdout.contains(file), "{file} not named: {}", run.stdout);
    }
}

#[test]
fn interrupted_writes_leave_no_temporary_files() {
    let dir = tempdir();
    let mut deck = String::from("---\ntitle: 割り込み\n---\n");
    for i in 0..30 {
        deck.push_str(&format!("\n## 頁{i}\n\n本文{i}\n"));
    }
    write(dir.path(), "deck.md", &deck);
    std::fs::create_dir(dir.path().join("pages")).unwrap();
    // Signal at many moments, some of them while the pages are being written.
    for (i, delay_ms) in (300..1600).step_by(100).enumerate() {
        {
            let signal = if i % 2 == 0 { libc::SIGTERM } else { libc::SIGINT };
            let mut child = lectern_command()
                .args(["build", "deck.md", "--png", "pages", "--handout", "2"])
                .current_dir(dir.path())
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap();
            std::thread::sleep(std::time::Duration::from_millis(delay_ms));
            unsafe { libc::kill(child.id() as i32, signal) };
            let _ = child.wait();
            for folder in [dir.path().to_path_buf(), dir.path().join("pages")] {
                for entry in std::fs::read_dir(&folder).unwrap() {
                    let name = entry.unwrap().file_name().to_string_lossy().into_owned();
                    assert!(!name.starts_with(".lectern-"), "{name} left behind after {delay_ms} ms");
                }
            }
        }
    }
}

#[test]
fn slides_lists_ids_titles_lines_and_pages() {
    let dir = tempdir();
    write(dir.path(), "deck.md", DECK);
    let run = lectern(dir.path(), &["slides", "deck.md", "--json"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let rows: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[2]["title"], "二");
    assert_eq!(rows[2]["pages"], serde_json::json!([3, 4]));
    assert_eq!(rows[2]["line"], 11);
    assert_eq!(rows[2]["file"], "deck.md");
    assert!(rows[1]["id"].as_str().is_some_and(|id| !id.is_empty()));
    let run = lectern(dir.path(), &["slides", "deck.md"]);
    assert_eq!(run.status, 0);
    let line = run.stdout.lines().find(|l| l.contains("二")).unwrap();
    assert!(line.contains("3-4") && line.contains("deck.md:11"), "{line}");
    // Columns line up in a terminal, Japanese ids (two columns a character) too.
    let width = unicode_width::UnicodeWidthStr::width;
    let title_at: Vec<usize> = run.stdout.lines().map(|l| width(l) - width(l.rsplit("  ").next().unwrap())).collect();
    assert!(title_at.iter().all(|&w| w == title_at[0]), "{}", run.stdout);
}

#[test]
fn pauses_step_through_list_items_and_incremental_lists() {
    let dir = tempdir();
    let deck = "## 項目ごと\n\n1. 一つ目\n   <!-- pause -->\n2. 二つ目\n   - 入れ子A\n     <!-- pause -->\n   - 入れ子B\n3. 三つ目\n\n## 順番に {.incremental}\n\n- 甲\n- 乙\n- 丙\n\n## 終わり\n\n- 最後\n  <!-- pause -->\n";
    write(dir.path(), "deck.md", deck);
    let run = lectern(dir.path(), &["build", "deck.md", "--pdfpc"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let pdf = dir.path().join("deck.pdf");
    let pages: Vec<String> = pages(&pdf).iter().map(|p| squash(p)).collect();
    assert_eq!(pages.len(), 7, "{pages:?}");
    // Item by item (a pause in a nested list steps at the item holding it), numbering kept.
    assert!(pages[0].contains("一つ目") && !pages[0].contains("二つ目"), "{}", pages[0]);
    assert!(pages[1].contains("入れ子B") && !pages[1].contains("三つ目"), "{}", pages[1]);
    assert!(pages[2].contains("三つ目") && pages[2].contains('3'), "{}", pages[2]);
    // {.incremental}: one item more on each page.
    assert!(pages[3].contains("甲") && !pages[3].contains("乙"), "{}", pages[3]);
    assert!(pages[4].contains("乙") && !pages[4].contains("丙"), "{}", pages[4]);
    assert!(pages[5].contains("丙"));
    // A pause after the last item repeats nothing: dropped, with a warning at its line.
    assert!(run.stderr.contains("deck.md:20"), "{}", run.stderr);
    let json = std::fs::read_to_string(dir.path().join("deck.pdfpc")).unwrap();
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let labels: Vec<&str> = value["pages"].as_array().unwrap().iter().map(|p| p["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["1", "1", "1", "2", "2", "2", "3"]);
}

#[test]
fn sources_slide_names_slides_by_the_labels_the_pdf_shows() {
    let dir = tempdir();
    let deck = "---\nsources-slide: true\n---\n\n## 一\n\n前半\n\n<!-- pause -->\n\n後半\n\n## 二\n\n本文[^1]\n\n[^1]: 注の本文\n";
    let pdf = build_ok(dir.path(), deck);
    let texts = pages(&pdf);
    assert_eq!(texts.len(), 4, "two steps, a slide, the sources slide");
    // The footnote is on the third page, which the PDF labels as slide 2.
    assert_eq!(page_labels(&pdf), ["1", "1", "2", "3"]);
    let sources = squash(&texts[3]);
    assert!(sources.contains("スライド2[1]注の本文"), "{sources}");
    let english = [
        ("注の本文", "The note"),
        ("前半", "First"),
        ("後半", "Second"),
        ("本文", "Body"),
        ("一", "One"),
        ("二", "Two"),
    ]
    .iter()
    .fold(deck.to_string(), |d, (ja, en)| d.replace(ja, en));
    let sources = squash(&pages(&build_ok(dir.path(), &english))[3]);
    assert!(sources.contains("slide2[1]Thenote"), "{sources}");
}

#[test]
fn incremental_tables_grow_row_by_row_and_columns_one_by_one() {
    let dir = tempdir();
    let deck = "## 表 {.incremental}\n\n| 年 | 件数 |\n|---|---|\n| 2022 | 一〇 |\n| 2023 | 二〇 |\n| 2024 | 三〇 |\n\n## 段 {.incremental}\n\n:::: columns\n::: column\n左の段\n:::\n::: column\n右の段\n:::\n::::\n\n<!-- 段のノート -->\n";
    write(dir.path(), "deck.md", deck);
    let run = lectern(dir.path(), &["build", "deck.md", "--pdfpc"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let texts: Vec<String> = pages(&dir.path().join("deck.pdf")).iter().map(|p| squash(p)).collect();
    assert_eq!(texts.len(), 5, "{texts:?}");
    assert!(texts[0].contains("2022") && !texts[0].contains("2023"), "{}", texts[0]);
    assert!(texts[1].contains("2023") && !texts[1].contains("2024"), "{}", texts[1]);
    assert!(texts[2].contains("2024"));
    assert!(texts[3].contains("左の段") && !texts[3].contains("右の段"), "{}", texts[3]);
    assert!(texts[4].contains("右の段"));
    let value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("deck.pdfpc")).unwrap()).unwrap();
    let labels: Vec<&str> = value["pages"].as_array().unwrap().iter().map(|p| p["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["1", "1", "1", "2", "2"]);
    assert_eq!(value["pages"][3]["note"], "段のノート");
}

#[test]
fn pauses_in_columns_step_column_by_column_and_useless_ones_are_dropped() {
    let dir = tempdir();
    let deck = "\
## 段ごと

:::: columns
::: column
左の段
:::
<!-- pause -->
::: column
右の段
:::
::::

## 段の中

:::: columns
::: column
左上

<!-- pause -->

左下
:::
::: column
. . .

右の段だけ
:::
<!-- pause -->
::::

下の本文

## 無駄な休止

:::: columns
::: column
<!-- pause -->

左だけ
:::
::: column
右だけ
<!-- pause -->
:::
<!-- pause -->
::::
";
    write(dir.path(), "deck.md", deck);
    // `. . .` makes it a pandoc deck, whose pauses step only when asked.
    let run = lectern(dir.path(), &["build", "deck.md", "--pdfpc", "-v", "--steps"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let texts: Vec<String> = pages(&dir.path().join("deck.pdf")).iter().map(|p| squash(p)).collect();
    // 段ごと: 2 steps; 段の中: left top, left whole, the right column, the text below; 無駄な休止: 1.
    assert_eq!(texts.len(), 7, "{texts:?}");
    assert!(texts[0].contains("左の段") && !texts[0].contains("右の段"), "{}", texts[0]);
    assert!(texts[1].contains("右の段"), "{}", texts[1]);
    assert!(texts[2].contains("左上") && !texts[2].contains("左下"), "{}", texts[2]);
    assert!(texts[3].contains("左下") && !texts[3].contains("右の段だけ"), "{}", texts[3]);
    assert!(texts[4].contains("右の段だけ") && !texts[4].contains("下の本文"), "{}", texts[4]);
    assert!(texts[5].contains("下の本文"), "{}", texts[5]);
    assert!(texts[6].contains("左だけ") && texts[6].contains("右だけ"), "{}", texts[6]);
    // The three pauses of the last slide would give a title-only page and two repeats:
    // each dropped with a warning at its own line.
    let line = |n: usize| {
        let at = deck.lines().enumerate().filter(|(_, l)| l.trim() == "<!-- pause -->").nth(n).unwrap().0 + 1;
        format!("deck.md:{at}:")
    };
    for n in 0..3 {
        assert!(!run.stderr.contains(&line(n)), "{}: {}", line(n), run.stderr);
    }
    for (n, why) in [(3, "only the title"), (4, "repeat"), (5, "repeat")] {
        let at = run.stderr.find(&line(n)).unwrap_or_else(|| panic!("no warning at {}: {}", line(n), run.stderr));
        let message = &run.stderr[..at].rsplit("warning:").next().unwrap();
        assert!(message.contains(why), "{}: {message}", line(n));
    }
    let value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("deck.pdfpc")).unwrap()).unwrap();
    let labels: Vec<&str> = value["pages"].as_array().unwrap().iter().map(|p| p["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["1", "1", "2", "2", "2", "2", "3"]);
}

/// `DECK` with `outputs:` (YAML lines) in its front matter.
fn deck_with_outputs(outputs: &str) -> String {
    DECK.replacen("---\n", &format!("---\noutputs:\n{outputs}"), 1)
}

#[test]
fn front_matter_outputs_write_every_file_and_name_them() {
    let dir = tempdir();
    write(dir.path(), "deck.md", &deck_with_outputs("  - pdf\n  - handout\n  - notes\n  - pdfpc\n"));
    let run = lectern(dir.path(), &["build", "deck.md"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    for file in ["deck.pdf", "deck-handout.pdf", "deck-notes.pdf", "deck.pdfpc"] {
        assert!(dir.path().join(file).exists(), "{file}");
        assert!(run.stdout.contains(file), "{file} not named: {}", run.stdout);
    }
    // Three slides a page by default: four slides on two pages.
    assert_eq!(page_count(&dir.path().join("deck-handout.pdf")), 2);
    assert!(squash(&pages(&dir.path().join("deck-notes.pdf")).join("")).contains("二枚目のノート"));

    // With settings: two a page on Letter with the notes; no notes PDF asked for.
    let dir = tempdir();
    write(
        dir.path(),
        "deck.md",
        &deck_with_outputs("  handout: {per-page: 2, paper: letter, notes: true}\n  pdfpc: true\n"),
    );
    let run = lectern(dir.path(), &["build", "deck.md"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let handout = dir.path().join("deck-handout.pdf");
    assert!(info_field(&handout, "Page size").contains("612 x 792"), "{}", info_field(&handout, "Page size"));
    assert_eq!(page_count(&handout), 2);
    assert!(squash(&pages(&handout).join("")).contains("一枚目のノート"));
    assert!(dir.path().join("deck.pdfpc").exists() && !dir.path().join("deck-notes.pdf").exists());
    assert!(run.stdout.contains("deck-handout.pdf") && run.stdout.contains("deck.pdfpc"), "{}", run.stdout);
    // The command line wins where both say: one a page on A4; the deck's notes stay.
    let run = lectern(dir.path(), &["build", "deck.md", "--handout", "1", "--paper", "a4"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(info_field(&handout, "Page size").contains("(A4)"));
    assert_eq!(page_count(&handout), 4);
    assert!(squash(&pages(&handout).join("")).contains("一枚目のノート"));
    // Handout settings on the command line with no handout asked for: said, not lost silently.
    let plain = tempdir();
    write(plain.path(), "deck.md", DECK);
    let run = lectern(plain.path(), &["build", "deck.md", "--handout-notes"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stderr.contains("no handout is written"), "{}", run.stderr);
    assert!(!plain.path().join("deck-handout.pdf").exists());
    // `all`, as one word.
    let dir = tempdir();
    write(dir.path(), "deck.md", &DECK.replacen("---\n", "---\noutputs: all\n", 1));
    let run = lectern(dir.path(), &["build", "deck.md"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    for file in ["deck-handout.pdf", "deck-notes.pdf", "deck.pdfpc"] {
        assert!(run.stdout.contains(file), "{file} not named: {}", run.stdout);
    }
}

#[test]
fn front_matter_outputs_mistakes_are_errors_at_their_line() {
    for (outputs, line, hint) in [
        ("  - pdf\n  - handuot\n", 4, "did you mean `handout`?"),
        ("  handout:\n    per-page: 3\n    papr: letter\n", 5, "did you mean `paper`?"),
        ("  handout: {per-page: 5}\n", 3, "1, 2, 3, 4, 6 or 9"),
        ("  notes: {theme: dark}\n", 3, "keep"),
        ("  handout: {skip: [sections]}\n", 3, "did you mean `section`?"),
    ] {
        let dir = tempdir();
        write(dir.path(), "deck.md", &deck_with_outputs(outputs));
        let run = lectern(dir.path(), &["build", "deck.md"]);
        assert_eq!(run.status, 1, "{outputs}: {}", run.stderr);
        assert!(run.stderr.contains(&format!("deck.md:{line}:")), "{outputs}: {}", run.stderr);
        assert!(run.stderr.contains(hint), "{outputs}: {}", run.stderr);
        assert!(!dir.path().join("deck.pdf").exists(), "{outputs}: a PDF was written");
    }
}

#[test]
fn a_failing_front_matter_output_leaves_every_earlier_output_untouched() {
    let dir = tempdir();
    write(dir.path(), "deck.md", &DECK.replacen("---\n", "---\noutputs: [handout, notes, pdfpc]\n", 1));
    let run = lectern(dir.path(), &["build", "deck.md"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let files = ["deck.pdf", "deck-handout.pdf", "deck.pdfpc"];
    let before: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(dir.path().join(f)).unwrap()).collect();
    write(
        dir.path(),
        "deck.md",
        &DECK.replacen("---\n", "---\noutputs: [handout, notes, pdfpc]\n", 1).replace("最後の本文", "変えた本文"),
    );
    // The notes PDF cannot be written: a folder stands where it goes.
    std::fs::remove_file(dir.path().join("deck-notes.pdf")).unwrap();
    std::fs::create_dir(dir.path().join("deck-notes.pdf")).unwrap();
    let run = lectern(dir.path(), &["build", "deck.md"]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert!(run.stderr.contains("deck-notes.pdf"), "{}", run.stderr);
    assert!(run.stderr.contains("nothing written"), "{}", run.stderr);
    for (file, before) in files.iter().zip(&before) {
        assert!(run.stderr.contains(file), "{file} not named: {}", run.stderr);
        assert_eq!(&std::fs::read(dir.path().join(file)).unwrap(), before, "{file} changed");
    }
}

#[test]
fn pdfpc_notes_and_labels_follow_the_page_list_on_every_kind_of_slide() {
    // Title, agenda, section, columns, an incremental table, quotes, steps, a chart, an
    // end slide and the sources slide, with pauses wherever they can be.
    let deck = "\
---
title: 種類
toc: true
sources-slide: true
---

# 第一部

<!-- 部のノート -->

## 段 

:::: columns
::: column
左
:::
<!-- pause -->
::: column
右[^1]
:::
::::

<!-- 段のノート -->

## 表 {.incremental}

| 年 | 件数 |
|---|---|
| 2022 | 10 |
| 2023 | 20 |

<!-- 表のノート -->

## 引用

> 第一条 引用一

<!-- pause -->

> 第二条 引用二

<!-- 引用のノート -->

## 手順 {.steps}

1. 検知
2. 分析

<!-- pause -->

3. 対処

<!-- 手順のノート -->

## 図

```chart
type: bar
columns: [区分, 件数]
rows: [[甲, 1], [乙, 2]]
```

<!-- pause -->

図の説明

## 終わり {.end}

ありがとう

<!-- pause -->

<!-- 終わりのノート -->

[^1]: 出典の本文 https://example.org/x
";
    let dir = tempdir();
    write(dir.path(), "deck.md", deck);
    let run = lectern(dir.path(), &["build", "deck.md", "--pdfpc", "--handout", "2", "--notes-pdf"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let end_pause = deck.lines().position(|l| l == "ありがとう").unwrap() + 3;
    assert!(run.stderr.contains(&format!("deck.md:{end_pause}")), "{}", run.stderr);
    let value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("deck.pdfpc")).unwrap()).unwrap();
    check_pdfpc_schema(&value);
    // Notes are Markdown, and pdfpc is told so.
    assert_eq!(value["disableMarkdown"], false);
    let entries = value["pages"].as_array().unwrap();
    let pdf = dir.path().join("deck.pdf");
    assert_eq!(entries.len(), page_count(&pdf), "one entry per PDF page");
    // The one page list: `lectern slides --json`, the PDF's labels and the .pdfpc agree.
    let run = lectern(dir.path(), &["slides", "deck.md", "--json"]);
    let rows: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 10);
    assert_eq!(rows[2]["title"], "第一部", "titles as a reader sees them");
    let labels = page_labels(&pdf);
    let notes =
        ["", "", "部のノート", "段のノート", "表のノート", "引用のノート", "手順のノート", "", "終わりのノート", ""];
    let mut steps = 0;
    for (row, note) in rows.iter().zip(notes) {
        let slide = row["slide"].as_u64().unwrap();
        let pages = row["pages"].as_array().unwrap();
        for (overlay, page) in pages.iter().enumerate() {
            let idx = page.as_u64().unwrap() as usize - 1;
            let entry = &entries[idx];
            assert_eq!(entry["label"], slide.to_string(), "page {idx}");
            assert_eq!(labels[idx], slide.to_string(), "page {idx}");
            assert_eq!(entry["overlay"], overlay, "page {idx}");
            assert_eq!(entry["note"].as_str().unwrap_or(""), note, "page {idx}");
        }
        steps += pages.len();
    }
    assert_eq!(steps, entries.len());
    // Columns, table, quotes, steps and chart have two steps each.
    let counts: Vec<usize> = rows.iter().map(|r| r["pages"].as_array().unwrap().len()).collect();
    assert_eq!(counts, [1, 1, 1, 2, 2, 2, 2, 2, 1, 1]);
    // The handout and the notes PDF print each slide once, with every note.
    let handout = squash(&pages(&dir.path().join("deck-handout.pdf")).join(""));
    assert_eq!(handout.matches("第二条引用二").count(), 1, "{handout}");
    let notes_pdf = squash(&pages(&dir.path().join("deck-notes.pdf")).join(""));
    for note in notes.iter().filter(|n| !n.is_empty()) {
        assert!(notes_pdf.contains(note), "{note} missing from the notes PDF");
    }
}

#[test]
fn a_pause_inside_a_quote_steps_through_the_quote() {
    let dir = tempdir();
    let deck = "\
## 条文

前置きの本文

> 第一条 目的
>
> <!-- pause -->
>
> 第二条 定義
>
> — 法案

## 末尾

> 引用だけ
>
> <!-- pause -->
";
    write(dir.path(), "deck.md", deck);
    let run = lectern(dir.path(), &["build", "deck.md", "-v"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let texts: Vec<String> = pages(&dir.path().join("deck.pdf")).iter().map(|p| squash(p)).collect();
    assert_eq!(texts.len(), 3, "{texts:?}");
    // The quote's first article with the text before it; the rest and the attribution next.
    assert!(texts[0].contains("前置き") && texts[0].contains("第一条"), "{}", texts[0]);
    assert!(!texts[0].contains("第二条") && !texts[0].contains("法案"), "{}", texts[0]);
    assert!(texts[1].contains("第二条") && texts[1].contains("法案"), "{}", texts[1]);
    // A pause at the end of the last quote repeats the page: dropped, warned at its line.
    assert!(run.stderr.contains("deck.md:17:"), "{}", run.stderr);
}
