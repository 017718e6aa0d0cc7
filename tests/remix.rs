//! Remixing: slides of another deck by id, a section, a whole deck, and playlists.

mod common;

use common::*;

const SHARED: &str = "---\ntitle: Volt Typhoon の教訓\nauthor: 山田花子\n---\n\n# 攻撃 {#attack}\n\n## 事前配置 {#pre-positioning}\n\n![ルーター](figures/router.png)\n\n平時から潜伏する[^p]。\n\n## 無害化 {#takedown}\n\nFBI が遠隔で削除[^q]。\n\n# 別章 {#other}\n\n## 関係ない {#unrelated}\n\n無関係\n\n[^p]: CISA 勧告\n[^q]: 米司法省\n";

fn setup() -> tempfile::TempDir {
    let dir = tempdir();
    write(dir.path(), "common/volt.md", SHARED);
    std::fs::create_dir_all(dir.path().join("common/figures")).unwrap();
    std::fs::write(dir.path().join("common/figures/router.png"), include_bytes!("../src/starter/figures/router.png"))
        .unwrap();
    dir
}

#[test]
fn include_a_slide_and_a_section_with_their_notes_images_and_credit() {
    let dir = setup();
    write(
        dir.path(),
        "talks/main.md",
        "---\ntitle: 合同セミナー\n---\n\n## はじめに\n\n本題の前に[^a]。\n\n<!-- include: ../common/volt.md#pre-positioning -->\n\n## あいだ\n\nつなぎ\n\n<!-- include: ../common/volt.md#attack -->\n\n[^a]: ホストの注\n",
    );
    let run = lectern(dir.path(), &["build", "talks/main.md"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let pages: Vec<String> = pages(&dir.path().join("talks/main.pdf")).iter().map(|p| squash(p)).collect();
    // title, はじめに, 事前配置, あいだ, 攻撃 (section), 事前配置, 無害化
    assert_eq!(pages.len(), 7, "{pages:#?}");
    assert!(pages[2].starts_with("事前配置") && pages[2].contains("ルーター"));
    assert!(pages[2].contains("スライド:山田花子「VoltTyphoonの教訓」より"), "credit: {}", pages[2]);
    // Footnotes renumbered across the deck; the same note included twice keeps its number.
    assert!(pages[1].contains("本題の前に1") && pages[2].contains("潜伏する2") && pages[2].contains("2CISA勧告"));
    assert!(pages[5].contains("潜伏する2") && pages[6].contains("削除3") && pages[6].contains("3米司法省"));
    assert!(pages.iter().all(|p| !p.contains("無関係")), "the other section was included");
}

#[test]
fn include_errors_name_the_including_line() {
    let dir = setup();
    let cases = [
        ("<!-- include: ../common/none.md -->", "not found"),
        ("<!-- include: ../common/volt.md#pre-positionin -->", "did you mean `pre-positioning`?"),
        ("<!-- include: ../../outside.md -->", "outside the build root"),
    ];
    for (directive, message) in cases {
        write(dir.path(), "talks/main.md", &format!("## A\n\nx\n\n{directive}\n"));
        let run = lectern(dir.path(), &["build", "talks/main.md"]);
        assert_eq!(run.status, 1, "{directive}");
        assert!(
            run.stderr.contains("talks/main.md:5:1") && run.stderr.contains(message),
            "{directive}:\n{}",
            run.stderr
        );
    }
    // A cycle: a includes b includes a.
    write(dir.path(), "talks/a.md", "## A\n\nx\n\n<!-- include: b.md -->\n");
    write(dir.path(), "talks/b.md", "## B\n\ny\n\n<!-- include: a.md -->\n");
    let run = lectern(dir.path(), &["build", "talks/a.md"]);
    assert_eq!(run.status, 1);
    assert!(
        run.stderr.contains("include cycle: a.md → b.md → a.md") && run.stderr.contains("b.md:5:1"),
        "{}",
        run.stderr
    );
}

#[test]
fn playlist_builds_one_deck_from_several() {
    let dir = setup();
    write(dir.path(), "talks/intro.md", "---\nauthor: 小倉利丸\n---\n\n## 導入 {#intro}\n\nはじめに\n");
    write(
        dir.path(),
        "playlist.yml",
        "title: 合同セミナー資料\ntheme: seminar\nnumbering: true\nslides:\n  - talks/intro.md\n  - common/volt.md#takedown\n",
    );
    let run = lectern(dir.path(), &["build", "playlist.yml"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let pages: Vec<String> = pages(&dir.path().join("playlist.pdf")).iter().map(|p| squash(p)).collect();
    assert_eq!(pages.len(), 3, "{pages:#?}");
    assert!(pages[0].contains("合同セミナー資料"));
    assert!(pages[1].starts_with("導入") && pages[2].starts_with("無害化") && pages[2].contains("1米司法省"));
    // A mistake in a playlist is reported at its line.
    write(dir.path(), "playlist.yml", "title: x\nslides:\n  - talks/intro.md\n  - common/missing.md\n");
    let run = lectern(dir.path(), &["build", "playlist.yml"]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("playlist.yml:4:") && run.stderr.contains("not found"), "{}", run.stderr);
    // Malformed YAML is reported at its line, by the one YAML reader.
    write(dir.path(), "playlist.yml", "title: x\nslides:\n  - talks/intro.md\n  - [unclosed\n");
    let run = lectern(dir.path(), &["build", "playlist.yml"]);
    assert_eq!(run.status, 1);
    assert!(run.stderr.contains("malformed playlist YAML") && run.stderr.contains("playlist.yml:"), "{}", run.stderr);
}
