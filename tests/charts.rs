//! ```chart and ```flow blocks: what the audience sees (labels as text, vectors only) and
//! every mistake reported at the deck's line inside the block.

mod common;

use common::*;

const PACKETS: &str = "年,パケット数（億）,観測IP数（万）\n2015,545,21\n2016,1281,28\n2017,1504,30\n2018,2169,31\n2019,3756,30\n2020,5705,29\n2021,5180,28\n2022,5226,29\n2023,6197,30\n2024,6862,31\n";

fn deck_with(dir: &std::path::Path, block: &str) -> String {
    write(dir, "figures/packets.csv", PACKETS);
    format!("---\nlang: ja\n---\n\n## グラフ\n\n{block}\n")
}

fn fails_at(block: &str, location: &str, message: &str) -> String {
    let dir = tempdir();
    let deck = deck_with(dir.path(), block);
    write(dir.path(), "deck.md", &deck);
    let run = lectern(dir.path(), &["build", "deck.md"]);
    assert_eq!(run.status, 1, "expected failure:\n{}", run.stderr);
    assert!(run.stderr.contains(location), "no {location} in:\n{}", run.stderr);
    assert!(run.stderr.contains(message), "no {message:?} in:\n{}", run.stderr);
    run.stderr
}

/// Names of the images embedded in a PDF (pdfimages -list), one per line after the header.
fn raster_images(pdf: &std::path::Path) -> usize {
    let out = std::process::Command::new("pdfimages").arg("-list").arg(pdf).output().unwrap();
    String::from_utf8_lossy(&out.stdout).lines().skip(2).count()
}

#[test]
fn chart_types_render_labels_as_text_without_raster_images() {
    for kind in ["bar", "hbar", "line", "stacked", "pie", "donut"] {
        let dir = tempdir();
        let y = if kind == "pie" || kind == "donut" { "\ny: パケット数（億）" } else { "" };
        let deck = deck_with(
            dir.path(),
            &format!("```chart\ntype: {kind}\ntitle: 年間総観測パケット数\ndata: figures/packets.csv{y}\n```"),
        );
        let pdf = build_ok(dir.path(), &deck);
        let page = squash(&pages(&pdf)[0]);
        for label in ["年間総観測パケット数", "2015", "2024"] {
            assert!(page.contains(label), "{kind}: {label} not extractable: {page}");
        }
        assert_eq!(raster_images(&pdf), 0, "{kind} chart contains a raster image");
    }
}

#[test]
fn table_becomes_a_chart() {
    let dir = tempdir();
    let deck = "## 表\n\n| 年 | 件数 |\n|---|---:|\n| 2023 | 243 |\n| 2024 | 166 |\n\n<!-- chart: bar x=年 y=件数 title=\"不正アクセス届出\" -->\n\n## 隠す\n\n| 年 | 件数 |\n|---|---:|\n| 2023 | 243 |\n| 2024 | 166 |\n\n<!-- chart: line hide-table -->\n";
    let pdf = build_ok(dir.path(), deck);
    let pages = pages(&pdf);
    let first = squash(&pages[0]);
    assert!(first.contains("不正アクセス届出"), "{first}");
    // The table stays on the first slide: its cells appear twice (table + chart labels).
    assert!(first.matches("243").count() >= 2, "{first}");
    let second = squash(&pages[1]);
    assert_eq!(second.matches("243").count(), 1, "hide-table left the table: {second}");
}

#[test]
fn flow_diagram_labels_are_text() {
    let dir = tempdir();
    let deck = "## 攻撃の経路\n\n```flow\ndirection: right\n偵察 -> 初期アクセス -> 管理者資格の取得 -> 発見 -> 資格情報の窃取 -> **事前配置**\n発見 -> 偵察: 繰り返し\n```\n\n## 縦\n\n```flow\ndirection: down\nデータ収集 -> 標的生成 -> 承認 -> 空爆\ngroup 自動化: データ収集, 標的生成\n```\n";
    let pdf = build_ok(dir.path(), deck);
    let pages = pages(&pdf);
    let first = squash(&pages[0]);
    for label in ["偵察", "初期アクセス", "管理者資格の取得", "資格情報の窃取", "事前配置", "繰り返し"]
    {
        assert!(first.contains(label), "{label} missing: {first}");
    }
    let second = squash(&pages[1]);
    for label in ["データ収集", "標的生成", "承認", "空爆", "自動化"] {
        assert!(second.contains(label), "{label} missing: {second}");
    }
    assert_eq!(raster_images(&pdf), 0);
}

#[test]
fn unknown_chart_type() {
    let err =
        fails_at("```chart\ntype: bars\ndata: figures/packets.csv\n```", "deck.md:8:1", "unknown chart type `bars`");
    assert!(err.contains("did you mean `bar`?"), "{err}");
}

#[test]
fn missing_column_lists_the_available_ones() {
    let err = fails_at(
        "```chart\ndata: figures/packets.csv\ny: パケット数\n```",
        "deck.md:9:1",
        "column `パケット数` not found",
    );
    assert!(err.contains("年, パケット数（億）, 観測IP数（万）"), "{err}");
}

#[test]
fn non_numeric_value_names_row_and_column() {
    fails_at(
        "```chart\ncolumns: [区分, 件数]\nrows: [[実被害あり, 132], [実被害なし, 不明]]\n```",
        "deck.md:9:1",
        "row 2 (`実被害なし`), column `件数`: `不明` is not a number",
    );
}

#[test]
fn missing_data_file() {
    fails_at("```chart\ndata: figures/none.csv\n```", "deck.md:8:1", "data file `figures/none.csv` not found");
}

#[test]
fn malformed_yaml() {
    fails_at("```chart\ntype: bar\nrows: [[a, 1]\n```", "deck.md:10:1", "chart block:");
}

#[test]
fn empty_data() {
    fails_at("```chart\ncolumns: [a, b]\nrows: []\n```", "deck.md:9:1", "has no rows");
}

#[test]
fn unknown_option_suggests() {
    let err =
        fails_at("```chart\ntitel: x\ndata: figures/packets.csv\n```", "deck.md:8:1", "unknown chart option `titel`");
    assert!(err.contains("did you mean `title`?"), "{err}");
}

#[test]
fn flow_mistakes() {
    fails_at("```flow\nA -> B\ndirecton: down\n```", "deck.md:9:1", "unknown flow option `directon`");
    fails_at("```flow\nA -> \n```", "deck.md:8:1", "an arrow needs a box on both sides");
}

#[test]
fn chart_directive_without_table() {
    fails_at("テキスト\n\n<!-- chart: line -->", "deck.md:9:1", "must come right after a Markdown table");
}

#[test]
fn stacked_totals_and_pie_shares_are_written_like_the_values() {
    // With `format: ja` the totals used to vanish (Typst could not read 万 back).
    let dir = tempdir();
    let block = "```chart\ntype: stacked\nformat: ja\ncolumns: [年, 国内, 国外]\nrows: [[2023, 23000, 22000], [2024, 41000, 25000]]\n```\n\n## 円\n\n```chart\ntype: pie\ncolumns: [所属, 人数]\nrows: [[大学, 7], [企業, 5], [報道, 0.1]]\n```";
    let deck = deck_with(dir.path(), block);
    let pdf = build_ok(dir.path(), &deck);
    // pdftotext may split a number from its 万.
    let pages: Vec<String> = pages(&pdf).iter().map(|p| p.split_whitespace().collect()).collect();
    assert!(pages[0].contains("4.5万") && pages[0].contains("6.6万"), "totals missing:\n{}", pages[0]);
    assert!(pages[1].contains("58%") && pages[1].contains("<1%"), "shares missing:\n{}", pages[1]);
}

#[test]
fn negative_numbers_use_the_minus_sign() {
    let dir = tempdir();
    let deck =
        deck_with(dir.path(), "```chart\ntype: bar\ncolumns: [年, 収支]\nrows: [[2023, -1500], [2024, 2500]]\n```");
    let pages = pages(&build_ok(dir.path(), &deck));
    assert!(pages[0].contains("\u{2212}1,500"), "{}", pages[0]);
    assert!(!pages[0].contains("-1,500"), "a hyphen for a minus:\n{}", pages[0]);
}
