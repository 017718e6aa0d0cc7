//! A speaker's first deck (issue 15): footnotes on every layout, charts from tables as
//! they are published, feedback on fit, strict theme files and a talkative watch mode.

mod common;

use common::*;

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

// ---- charts from tables as published --------------------------------------------------

#[test]
fn a_published_table_is_plotted_with_its_separators() {
    let dir = tempdir();
    let pdf = build_ok(dir.path(), &fixture("published-table.md"));
    let text = squash(&pages(&pdf)[1]);
    // `約 631.6 億` and `6,862億` keep their form on the value labels; `—` is no data.
    assert!(text.contains("631.6億"), "{text}");
    assert!(text.contains("6,862億"), "{text}");
    assert!(text.contains("700億"), "{text}");
    assert!(!text.contains("6862億"), "separators are kept: {text}");
}

#[test]
fn every_bad_cell_is_reported_at_its_own_line_with_the_text_to_remove() {
    let dir = tempdir();
    let deck = "---\nlang: ja\n---\n\n## 表\n\n| 年 | 被害額 |\n|---|---|\n| 2015 | 631件 |\n| 2016 | 6,862億円 |\n| 2017 | 12 |\n| 2018 | (推計) 5 |\n\n<!-- chart: bar x=年 y=被害額 -->\n";
    write(dir.path(), "deck.md", deck);
    let run = lectern(dir.path(), &["build", "deck.md"]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    for (line, cell, remove) in [(9, "631件", "`件`"), (10, "6,862億円", "`円`"), (12, "(推計) 5", "`(推計)`")]
    {
        let at = format!("deck.md:{line}:");
        let error = run
            .stderr
            .split("error:")
            .find(|e| e.contains(&at))
            .unwrap_or_else(|| panic!("no error at {at}:\n{}", run.stderr));
        assert!(error.contains(&format!("`{cell}` is not a number")), "{error}");
        assert!(error.contains(&format!("remove {remove}")), "{error}");
    }
    assert!(!run.stderr.contains("deck.md:11:"), "the good cell is not blamed:\n{}", run.stderr);
    assert!(!run.stderr.contains("deck.md:14:"), "not at the directive:\n{}", run.stderr);
}

#[test]
fn a_bad_cell_in_a_csv_file_names_its_line() {
    let dir = tempdir();
    write(dir.path(), "figures/d.csv", "年,件数\n2015,10\n2016,12件\n2017,—\n");
    write(dir.path(), "deck.md", "## グラフ\n\n```chart\ntype: line\ndata: figures/d.csv\n```\n");
    let run = lectern(dir.path(), &["build", "deck.md"]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("`figures/d.csv`, line 3 (`2016`), column `件数`: `12件` is not a number"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("deck.md:5:"), "{}", run.stderr);
    assert_eq!(run.stderr.matches("is not a number").count(), 1, "`—` is no data:\n{}", run.stderr);
}

#[test]
fn a_magnitude_unit_is_printed_once() {
    let dir = tempdir();
    let deck = "---\nlang: ja\n---\n\n## 億単位\n\n| 年 | 被害額 |\n|---|---|\n| 2015 | 631.6億 |\n| 2016 | 6,862億 |\n\n<!-- chart: bar x=年 y=被害額 unit=億 hide-table -->\n";
    let pdf = build_ok(dir.path(), deck);
    let text = squash(&pages(&pdf)[0]);
    assert_eq!(text.matches('億').count(), 2, "once in the title, once on the axis: {text}");
    assert!(text.contains("6,862") && text.contains("631.6"), "{text}");
}

// ---- footnotes on every layout ------------------------------------------------------

#[test]
fn footnotes_print_on_every_layout_with_and_without_pauses_and_on_the_sources_slide() {
    let dir = tempdir();
    std::fs::copy(format!("{}/tests/fixtures/pixel.png", env!("CARGO_MANIFEST_DIR")), dir.path().join("pixel.png"))
        .unwrap();
    let pdf = build_ok(dir.path(), &fixture("footnotes-everywhere.md"));
    let pages: Vec<String> = pages(&pdf).iter().map(|p| squash(p)).collect();
    let (sources, slides): (Vec<&String>, Vec<&String>) = pages.iter().partition(|p| p.starts_with("出典"));
    assert!(!sources.is_empty(), "a sources slide");
    let layouts = ["title", "content", "columns", "quote", "statement", "figure", "table", "chart", "steps", "end"];
    let mut keys: Vec<String> = vec!["section".into()];
    for layout in layouts {
        keys.push(layout.to_string());
        keys.push(format!("{layout}-p"));
    }
    for key in &keys {
        let note = format!("注〔{key}〕");
        let on_slides = slides.iter().filter(|p| p.contains(&note)).count();
        // With a pause the mark (and so the note) is on the last step only.
        assert_eq!(on_slides, 1, "note {note} printed on {on_slides} slide pages");
        assert!(sources.iter().any(|p| p.contains(&note)), "note {note} not on the sources slide");
    }
    // The first step of a paused slide shows its text but not yet the later note. (A pause
    // on the closing slide is dropped with a warning: it has no steps.)
    for layout in layouts.iter().filter(|l| **l != "end") {
        let first_step = slides
            .iter()
            .find(|p| p.contains("最初") && p.contains(&format!("{layout}-p")))
            .unwrap_or_else(|| panic!("no first step for {layout}-p"));
        assert!(!first_step.contains(&format!("注〔{layout}-p〕")), "{first_step}");
    }
}

// ---- feedback on fit ------------------------------------------------------------------

#[test]
fn an_overfull_slide_warns_at_its_heading_with_the_scale_and_v_prints_every_fit() {
    let dir = tempdir();
    write(dir.path(), "deck.md", &fixture("overfull.md"));
    let run = lectern(dir.path(), &["build", "deck.md", "-v"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let heading_line = fixture("overfull.md").lines().position(|l| l.starts_with("## 詰め込みすぎ")).unwrap() + 1;
    let warning = run
        .stderr
        .split("warning:")
        .find(|w| w.contains("readable floor"))
        .unwrap_or_else(|| panic!("no fit warning:\n{}", run.stderr));
    assert!(warning.contains(&format!("deck.md:{heading_line}:")), "{warning}");
    let percent: f64 = warning
        .split("shrunk to ")
        .nth(1)
        .and_then(|rest| rest.split('%').next())
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no scale in {warning}"));
    assert!(percent > 0.0 && percent < 60.0, "{warning}");
    assert_eq!(run.stderr.matches("readable floor").count(), 1, "only the overfull slide:\n{}", run.stderr);
    // -v: one line per fitted slide; the short one is at full size.
    assert!(run.stdout.contains("slide   1: 100% (24 pt)"), "{}", run.stdout);
    assert!(run.stdout.contains("slide   2:") && run.stdout.contains("below the 14 pt floor"), "{}", run.stdout);
    // Without -v the fits are not listed.
    let quiet = lectern(dir.path(), &["build", "deck.md"]);
    assert!(!quiet.stdout.contains("slide   1:"), "{}", quiet.stdout);
}

// ---- theme files are as strict as front matter -----------------------------------------

#[test]
fn a_misspelt_key_in_the_decks_theme_map_suggests_the_right_one() {
    let dir = tempdir();
    write(dir.path(), "deck.md", "---\ntheme:\n  name: seminar\n  acent: \"#b22222\"\n---\n\n## A\n\nx\n");
    let run = lectern(dir.path(), &["build", "deck.md"]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert!(run.stderr.contains("unknown `theme:` key `acent`"), "{}", run.stderr);
    assert!(run.stderr.contains("did you mean `accent`?"), "{}", run.stderr);
    assert!(run.stderr.contains("deck.md:4:"), "{}", run.stderr);
}

#[test]
fn a_misspelt_palette_key_in_theme_yaml_suggests_the_right_one() {
    let dir = tempdir();
    write(
        dir.path(),
        "brand/theme.yaml",
        "name: brand\nextends: seminar\npalette:\n  accent: \"#b22222\"\n  backgrund: \"#fafafa\"\ntype-scale:\n  body: 22pt\n",
    );
    write(dir.path(), "deck.md", "---\ntheme: brand\n---\n\n## A\n\nx\n");
    let run = lectern(dir.path(), &["build", "deck.md"]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert!(run.stderr.contains("unknown palette key `backgrund` in theme.yaml"), "{}", run.stderr);
    assert!(run.stderr.contains("did you mean `background`?"), "{}", run.stderr);
    assert!(run.stderr.contains("theme.yaml:5:"), "{}", run.stderr);
    // The same for the type scale.
    write(dir.path(), "brand/theme.yaml", "name: brand\nextends: seminar\ntype-scale:\n  bdy: 22pt\n");
    let run = lectern(dir.path(), &["build", "deck.md"]);
    assert!(run.stderr.contains("did you mean `body`?"), "{}", run.stderr);
}

// ---- watch mode talks ----------------------------------------------------------------

fn builder_request(dir: &std::path::Path) -> lectern::pipeline::BuildRequest {
    // In-process builds leave the user's fit cache alone.
    lectern::pipeline::BuildRequest { deck: dir.join("deck.md"), no_fit_cache: true, ..Default::default() }
}

#[test]
fn changed_slides_follow_images_data_files_and_the_accent() {
    let dir = tempdir();
    let png = std::fs::read(format!("{}/tests/fixtures/pixel.png", env!("CARGO_MANIFEST_DIR"))).unwrap();
    std::fs::create_dir_all(dir.path().join("figures")).unwrap();
    std::fs::write(dir.path().join("figures/a.png"), &png).unwrap();
    write(dir.path(), "figures/d.csv", "年,件数\n2023,10\n2024,12\n");
    let deck = |accent: &str| {
        format!(
            "---\ntheme: {{accent: \"{accent}\"}}\n---\n\n## 文\n\n本文\n\n## 図\n\n![図](figures/a.png)\n\n## グラフ\n\n```chart\ndata: figures/d.csv\n```\n"
        )
    };
    write(dir.path(), "deck.md", &deck("#b22222"));
    let mut builder = lectern::pipeline::Builder::new();
    let build = |builder: &mut lectern::pipeline::Builder| {
        builder.build(&builder_request(dir.path())).unwrap_or_else(|e| panic!("{}", e.render())).changed_slides
    };
    assert_eq!(build(&mut builder), [1, 2, 3]);
    // Nothing changed.
    assert_eq!(build(&mut builder), Vec::<usize>::new());
    // The image: the slide that shows it.
    std::thread::sleep(std::time::Duration::from_millis(20));
    let mut bigger = png.clone();
    bigger.extend_from_slice(b"trailing bytes");
    std::fs::write(dir.path().join("figures/a.png"), &bigger).unwrap();
    assert_eq!(build(&mut builder), [2]);
    // The data file: the chart's slide.
    write(dir.path(), "figures/d.csv", "年,件数\n2023,10\n2024,99\n");
    assert_eq!(build(&mut builder), [3]);
    // The accent: every slide.
    write(dir.path(), "deck.md", &deck("#1d5fa7"));
    assert_eq!(build(&mut builder), [1, 2, 3]);
}

#[test]
fn watch_says_what_it_watches() {
    let dir = tempdir();
    std::fs::copy(format!("{}/tests/fixtures/pixel.png", env!("CARGO_MANIFEST_DIR")), dir.path().join("pixel.png"))
        .unwrap();
    write(dir.path(), "figures/d.csv", "年,件数\n2023,10\n2024,12\n");
    write(dir.path(), "deck.md", "## 図\n\n![図](pixel.png)\n\n## グラフ\n\n```chart\ndata: figures/d.csv\n```\n");
    let log = dir.path().join("watch.log");
    let mut child = common::spawn_watch(dir.path(), &log);
    let start = std::time::Instant::now();
    let mut text = String::new();
    while start.elapsed() < std::time::Duration::from_secs(60) && !text.contains("watching") {
        std::thread::sleep(std::time::Duration::from_millis(100));
        text = std::fs::read_to_string(&log).unwrap_or_default();
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(text.contains("watching deck.md and 2 other files"), "{text}");
}

// ---- sources slides with QR codes ----------------------------------------------------

/// (page, xMin) of each word of the PDF, from `pdftotext -bbox`.
fn word_positions(pdf: &std::path::Path) -> Vec<(usize, String, f64)> {
    let out = std::process::Command::new("pdftotext").arg("-bbox").arg(pdf).arg("-").output().unwrap();
    let html = String::from_utf8_lossy(&out.stdout);
    let mut words = Vec::new();
    for (page, chunk) in html.split("<page ").skip(1).enumerate() {
        for word in chunk.split("<word ").skip(1) {
            let x: f64 = word.split("xMin=\"").nth(1).and_then(|r| r.split('"').next()).unwrap().parse().unwrap();
            let text = word.split('>').nth(1).and_then(|r| r.split('<').next()).unwrap_or("").to_string();
            words.push((page + 1, text, x));
        }
    }
    words
}

#[test]
fn sources_slides_with_qr_codes_share_entries_evenly_and_line_up() {
    let dir = tempdir();
    let pdf = build_ok(dir.path(), &fixture("sources-qr.md"));
    let words = word_positions(&pdf);
    let source_pages: Vec<usize> = words
        .iter()
        .filter(|(_, w, _)| w == "Sources")
        .map(|(p, _, _)| *p)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert!(source_pages.len() >= 2, "{source_pages:?}");
    let per_page: Vec<usize> =
        source_pages.iter().map(|p| words.iter().filter(|(q, w, _)| q == p && w.starts_with("Note")).count()).collect();
    assert_eq!(per_page.iter().sum::<usize>(), 11, "{per_page:?}");
    let (min, max) = (per_page.iter().min().unwrap(), per_page.iter().max().unwrap());
    assert!(max - min <= 1, "entries spread evenly: {per_page:?}");
    // The note text starts at the same x on every sources slide, although the first one
    // lists "p. 2, 3, 4, …" and the others short slide lists.
    let starts: Vec<f64> = source_pages
        .iter()
        .map(|p| words.iter().find(|(q, w, _)| q == p && w.starts_with("Note")).unwrap().2)
        .collect();
    assert!(starts.iter().all(|x| (x - starts[0]).abs() < 0.5), "column starts differ: {starts:?}");
}
