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
