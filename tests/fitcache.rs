//! The fit cache as a speaker meets it: a second build of the same deck lays its slides
//! out from the outcomes of the first build's fitting searches, with the same pages; an
//! edited slide is fitted again; a theme that takes no hints keeps working; the sizes the
//! theme rules out by arithmetic instead of laying them out change no page.

mod common;

use common::*;
use std::path::Path;

/// A deck whose slides the theme must fit: a long body it shrinks, a table it sizes to
/// the slide, a slide with steps, and a short slide.
const DECK: &str = "---\ntitle: Fit cache\nlang: ja\n---\n\n\
## 長い本文\n\n\
- サイバー安全保障の法案は官民連携と通信情報の利用とアクセス・無害化の三つの柱から成る\n\
- 通信の秘密は憲法第21条第2項で保障されており、その制約には厳格な審査が求められる\n\
- 外国間通信と外内通信の区別は技術的に困難であり、国内の通信も対象になりうる\n\
- 独立機関による監督の実効性は、その権限と人員と予算に左右される\n\
- 無害化措置は相手国のサーバーへの侵入を伴いうるため、国際法上の評価が分かれる\n\
- 事業者の報告義務は、インシデントの早期共有と引き換えに負担を増やす\n\
- 政府への情報提供は、利用者の同意なしに行われることがある\n\
- 透明性報告の公開は、制度への信頼を保つ最低限の条件である\n\n\
## 件数の表 {.table}\n\n\
| 年 | 件数 | 備考 |\n|---|---:|---|\n| 2021 | 120 | 増加 |\n| 2022 | 135 | 横ばい |\n| 2023 | 180 | 急増 |\n\n\
## 段階\n\n\
最初の段落\n\n<!-- pause -->\n\n\
- 二つ目の段階で見せる項目\n- もう一つの項目\n\n\
## 短い\n\n\
一行だけ。\n";

/// `lectern build -v deck.md --png png` with the fit cache under `cache_home`.
fn build(dir: &Path, cache_home: &Path, env: &[(&str, &str)]) -> Run {
    let _ = std::fs::remove_dir_all(dir.join("png"));
    std::fs::create_dir_all(dir.join("png")).unwrap();
    let mut vars = vec![
        ("XDG_CACHE_HOME", cache_home.to_str().unwrap()),
        ("LECTERN_NO_FIT_CACHE", "0"),
        ("LECTERN_FIT_CACHE", ""),
    ];
    vars.extend_from_slice(env);
    let run = lectern_env(dir, &["build", "-v", "deck.md", "--png", "png"], &vars);
    assert_eq!(run.status, 0, "build failed:\n{}", run.stderr);
    run
}

/// The starter deck (every layout) as `deck.md` in `dir`, with its figures.
fn write_starter_deck(dir: &Path) {
    let starter = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/starter");
    write(dir, "deck.md", &std::fs::read_to_string(starter.join("deck.md")).unwrap());
    std::fs::create_dir_all(dir.join("figures")).unwrap();
    for f in ["router.png", "photo.jpg", "packets.csv"] {
        std::fs::copy(starter.join("figures").join(f), dir.join("figures").join(f)).unwrap();
    }
}

/// The page images of the last build, in order.
fn page_images(dir: &Path) -> Vec<Vec<u8>> {
    let mut files: Vec<_> = std::fs::read_dir(dir.join("png")).unwrap().flatten().map(|e| e.path()).collect();
    files.sort();
    files.iter().map(|f| std::fs::read(f).unwrap()).collect()
}

/// The `-v` line about the fit cache.
fn cache_line(run: &Run) -> String {
    run.stdout.lines().find(|l| l.starts_with("fit cache:")).unwrap_or_default().to_string()
}

/// The `-v` lines that say how far each slide was shrunk.
fn fit_lines(run: &Run) -> Vec<String> {
    run.stdout.lines().filter(|l| l.starts_with("slide ")).map(str::to_string).collect()
}

#[test]
fn a_second_build_lays_out_from_the_cache_with_the_same_pages() {
    let dir = tempdir();
    let cache_home = tempdir();
    write(dir.path(), "deck.md", DECK);
    let first = build(dir.path(), cache_home.path(), &[]);
    let first_pages = pages(&dir.path().join("deck.pdf"));
    let first_images = page_images(dir.path());
    let cache = cache_home.path().join("lectern").join(lectern::fitcache::FILE_NAME);
    assert!(cache.is_file(), "the first build writes the fit cache");
    assert!(first_pages.len() >= 6, "title, four slides (one with two steps): {}", first_pages.len());
    assert!(fit_lines(&first).iter().any(|l| !l.contains("100%")), "the long body is shrunk: {}", first.stdout);
    // Every slide the theme fitted is stored (the title slide too: how its title is set),
    // none taken.
    assert_eq!(cache_line(&first), "fit cache: 0 of 5 fitted slides laid out from the cache, 5 stored");

    let written = std::fs::read(&cache).unwrap();
    let second = build(dir.path(), cache_home.path(), &[]);
    assert_eq!(cache_line(&second), "fit cache: 5 of 5 fitted slides laid out from the cache, 0 stored");
    assert_eq!(std::fs::read(&cache).unwrap(), written, "nothing new to store: the cache is not rewritten");
    assert_eq!(pages(&dir.path().join("deck.pdf")), first_pages);
    assert!(page_images(dir.path()) == first_images, "the pages look exactly the same");
    assert_eq!(fit_lines(&second), fit_lines(&first));
    assert_eq!(second.stderr, first.stderr);

    // Turned off: no cache line, nothing read, the same pages.
    let off = build(dir.path(), cache_home.path(), &[("LECTERN_NO_FIT_CACHE", "1")]);
    assert_eq!(cache_line(&off), "");
    assert!(page_images(dir.path()) == first_images);
    let off_home = tempdir();
    build(dir.path(), off_home.path(), &[("LECTERN_NO_FIT_CACHE", "1")]);
    assert!(!off_home.path().join("lectern").join(lectern::fitcache::FILE_NAME).exists());
}

#[test]
fn an_edited_slide_is_fitted_again() {
    let dir = tempdir();
    let cache_home = tempdir();
    // The short slide fits at full size.
    write(dir.path(), "deck.md", DECK);
    build(dir.path(), cache_home.path(), &[]);

    // Now it holds far more than fits: the theme must shrink it below its floor and warn.
    let long: String = (1..=40).map(|i| format!("- 追加した長い項目その{i}、説明の文を続けて書く\n")).collect();
    let edited = DECK.replace("一行だけ。\n", &format!("一行だけではなくなった。\n\n{long}"));
    write(dir.path(), "deck.md", &edited);
    let warm = build(dir.path(), cache_home.path(), &[]);
    assert_eq!(cache_line(&warm), "fit cache: 4 of 5 fitted slides laid out from the cache, 1 stored");
    let warm_pages = pages(&dir.path().join("deck.pdf"));
    let warm_images = page_images(dir.path());
    assert!(squash(warm_pages.last().unwrap()).contains("一行だけではなくなった。"));
    assert!(squash(warm_pages.last().unwrap()).contains("追加した長い項目その40"));

    // The same as a build that never saw the cache: fits, warnings and pages.
    let fresh = build(dir.path(), tempdir().path(), &[]);
    assert_eq!(cache_line(&fresh), "fit cache: 0 of 5 fitted slides laid out from the cache, 5 stored");
    assert!(fresh.stderr.contains("below the theme's readable floor"), "{}", fresh.stderr);
    assert_eq!(warm.stderr, fresh.stderr);
    assert_eq!(fit_lines(&warm), fit_lines(&fresh));
    assert!(page_images(dir.path()) == warm_images);
}

/// Every layout (the starter deck): fitted afresh, the theme measures the copies lectern
/// passes as `probe:` and places the slides' own content; from the cache it measures
/// nothing. The pages are the same.
#[test]
fn every_layout_looks_the_same_fitted_afresh_and_from_the_cache() {
    let dir = tempdir();
    let cache_home = tempdir();
    write_starter_deck(dir.path());
    let fresh = build(dir.path(), cache_home.path(), &[]);
    let fresh_images = page_images(dir.path());
    let cached = build(dir.path(), cache_home.path(), &[]);
    assert!(!cache_line(&cached).starts_with("fit cache: 0 of"), "{}", cached.stdout);
    assert_eq!(fit_lines(&cached), fit_lines(&fresh));
    assert!(page_images(dir.path()) == fresh_images, "pages differ");
}

/// `lectern build` trims Typst's cache of layouts while a first build runs, once the
/// process is large (`LECTERN_TRIM_ABOVE_MB=0`: from the start): what it drops is laid
/// out again when asked for, so the pages are the same.
#[test]
fn trimming_the_layout_cache_leaves_the_pages_as_they_were() {
    let dir = tempdir();
    write_starter_deck(dir.path());
    let (one_cache, another_cache) = (tempdir(), tempdir());
    let kept = build(dir.path(), one_cache.path(), &[("LECTERN_TRIM_ABOVE_MB", "100000")]);
    let kept_images = page_images(dir.path());
    let trimmed = build(dir.path(), another_cache.path(), &[("LECTERN_TRIM_ABOVE_MB", "0")]);
    assert!(cache_line(&trimmed).starts_with("fit cache: 0 of"), "fitted afresh: {}", trimmed.stdout);
    assert_eq!(fit_lines(&trimmed), fit_lines(&kept));
    assert!(page_images(dir.path()) == kept_images, "pages differ");
}

#[test]
fn a_theme_whose_slide_function_takes_no_hint_keeps_working() {
    let dir = tempdir();
    let cache_home = tempdir();
    // Built on the seminar theme (which records its searches), with a `slide` of fixed
    // arguments that would refuse a `hint:`.
    write(
        dir.path(),
        "fixed/theme.typ",
        concat!(
            "#import \"/__lectern__/themes/seminar/theme.typ\" as seminar: *\n",
            "#let slide(deck: (:), id: none, number: 1, layout: \"content\", title: none, footnotes: (), sources: (),",
            " background: none, side-image: none, class: none, body) = seminar.slide(deck: deck, id: id, number: number,",
            " layout: layout, title: title, footnotes: footnotes, sources: sources, background: background,",
            " side-image: side-image, class: class, body)\n",
        ),
    );
    write(dir.path(), "fixed/theme.yaml", "name: fixed\nextends: seminar\n");
    write(dir.path(), "deck.md", &DECK.replace("lang: ja\n", "lang: ja\ntheme: fixed\n"));
    let first = build(dir.path(), cache_home.path(), &[]);
    assert!(!cache_line(&first).ends_with(" 0 stored"), "seminar's functions recorded hints: {}", first.stdout);
    let first_images = page_images(dir.path());
    // The hints are passed back, the wrapper refuses them: built again without.
    let second = build(dir.path(), cache_home.path(), &[]);
    assert!(page_images(dir.path()) == first_images);
    assert_eq!(second.stderr, first.stderr);
    assert!(cache_line(&second).starts_with("fit cache: 0 of"), "no hint was used: {}", second.stdout);
}

/// How a citation reads may depend on the deck's other citations (lectern formats them
/// into each slide's code): a citation added on one slide gives the pages a build without
/// the cache gives; an edit elsewhere leaves the citing slides cached.
#[test]
fn citing_slides_stay_right_when_the_decks_citations_change() {
    let dir = tempdir();
    let cache_home = tempdir();
    write(
        dir.path(),
        "refs.yml",
        "smith2020:\n  type: article\n  title: A study of things\n  author: Smith, John\n  date: 2020\n\
         jones2021:\n  type: book\n  title: Another book\n  author: Jones, Mary\n  date: 2021\n",
    );
    let deck = "---\ntitle: Cites\nbibliography: refs.yml\n---\n\n## A\n\nText that cites[@smith2020].\n\n\
                ## B\n\nOther text[@jones2021].\n\n## C\n\nPlain text.\n";
    write(dir.path(), "deck.md", deck);
    let stored = |run: &Run| {
        let line = cache_line(run);
        line.rsplit(", ").next().and_then(|s| s.strip_suffix(" stored")).and_then(|n| n.parse::<usize>().ok())
    };
    let first = build(dir.path(), cache_home.path(), &[]);
    assert_eq!(stored(&first), Some(4), "{}", first.stdout);

    // An edit without citations: only that slide is fitted again.
    write(dir.path(), "deck.md", &deck.replace("Plain text.", "Plain text, edited."));
    let edited = build(dir.path(), cache_home.path(), &[]);
    assert_eq!(cache_line(&edited), "fit cache: 3 of 4 fitted slides laid out from the cache, 1 stored");

    // A second citation of the same work, on C: C is fitted again, and every page is as
    // a build that never saw the cache makes it.
    let cited = deck.replace("Plain text.", "Plain text[@smith2020].");
    write(dir.path(), "deck.md", &cited);
    let recited = build(dir.path(), cache_home.path(), &[]);
    assert!(stored(&recited) >= Some(1), "{}", recited.stdout);
    let images = page_images(dir.path());
    let text = pages(&dir.path().join("deck.pdf"));
    let fresh = build(dir.path(), tempdir().path(), &[]);
    assert!(page_images(dir.path()) == images, "the same pages as a build that never saw the cache");
    assert_eq!(pages(&dir.path().join("deck.pdf")), text);
    assert_eq!(fit_lines(&recited), fit_lines(&fresh));
}

/// The fit of a slide depends on the images the build reads: a changed image is never
/// laid out from the cache.
#[test]
fn a_changed_image_is_fitted_again() {
    let dir = tempdir();
    let cache_home = tempdir();
    let svg = |w: u32, h: u32| {
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\"><rect width=\"{w}\" height=\"{h}\" fill=\"#36c\"/></svg>"
        )
    };
    write(dir.path(), "figure.svg", &svg(400, 100));
    let bullets: String = (1..=9).map(|i| format!("- 図の前に置く説明の項目その{i}\n")).collect();
    write(dir.path(), "deck.md", &format!("## 図と説明\n\n{bullets}\n![](figure.svg)\n\n## 別のスライド\n\n本文。\n"));
    let first = build(dir.path(), cache_home.path(), &[]);
    assert_eq!(cache_line(&first), "fit cache: 0 of 2 fitted slides laid out from the cache, 2 stored");
    assert_eq!(
        cache_line(&build(dir.path(), cache_home.path(), &[])),
        "fit cache: 2 of 2 fitted slides laid out from the cache, 0 stored"
    );

    // Same name, other proportions: nothing of the earlier build is taken.
    write(dir.path(), "figure.svg", &svg(100, 400));
    let changed = build(dir.path(), cache_home.path(), &[]);
    assert_eq!(cache_line(&changed), "fit cache: 0 of 2 fitted slides laid out from the cache, 2 stored");
    let images = page_images(dir.path());
    let fresh = build(dir.path(), tempdir().path(), &[]);
    assert!(page_images(dir.path()) == images, "the same pages as a build that never saw the cache");
    assert_eq!(fit_lines(&changed), fit_lines(&fresh));
}

#[test]
fn steps_and_statements_are_drawn_the_same_from_the_cache() {
    // A timeline (long steps), a row (few short steps) and a statement: slides the
    // theme sizes with searches of their own, which the cache records too.
    let deck = "---\ntitle: 手順\nlang: ja\n---\n\n\
## 攻撃の流れ {.steps}\n\n\
1. 脆弱性を突いてネットワーク経由で相手のサーバーに侵入し、足場を築く\n\
2. 攻撃用のプログラムや通信の記録を集め、相手の能力と意図を確かめる\n\
3. 集めた情報をもとにサーバーの機能を止める措置をとる\n\
4. 措置の結果を確かめ、必要なら繰り返す\n\n\
## 三段階 {.steps}\n\n\
1. 侵入\n2. 収集\n3. 無害化\n\n\
## 数字 {.statement}\n\n\
**6,862億**パケット\n";
    let dir = tempdir();
    let cache_home = tempdir();
    write(dir.path(), "deck.md", deck);
    let first = build(dir.path(), cache_home.path(), &[]);
    let first_images = page_images(dir.path());
    assert_eq!(cache_line(&first), "fit cache: 0 of 4 fitted slides laid out from the cache, 4 stored");
    let second = build(dir.path(), cache_home.path(), &[]);
    assert_eq!(cache_line(&second), "fit cache: 4 of 4 fitted slides laid out from the cache, 0 stored");
    assert!(page_images(dir.path()) == first_images, "the pages look exactly the same");
    let text = pages(&dir.path().join("deck.pdf")).concat().replace(['\n', ' '], "");
    for words in ["足場を築く", "無害化", "6,862億"] {
        assert!(text.contains(words), "{words} in {text}");
    }
}

/// The theme spares layouts by arithmetic where a layout's outcome is certain: a table's
/// or a timeline's height grows at least in proportion to its size, so a size that fits
/// rules out larger sizes whose so-scaled height is over the room, and notes that take at
/// most 30 % of the slide stay at full size whatever the body needs. The same theme
/// without these shortcuts (a theme folder, every such size laid out) must draw the same
/// pages.
#[test]
fn sizes_ruled_out_by_arithmetic_are_the_sizes_a_layout_rules_out() {
    let mut oracle =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/seminar/theme.typ")).unwrap();
    let undo = [
        (
            "    if h <= region.height {\n      fit = k\n      let c = fixed(size(k))\n      let j = k + 1\n      \
             while j < over and (h - c) * (size(j) / size(k)) + c <= region.height { j += 1 }\n      over = j\n    \
             } else { over = k }",
            "    if h <= region.height { fit = k } else { over = k }",
        ),
        ("      if natural-total * k > region.height * 0.8 { return false }\n", ""),
        ("if at-small <= page-height * 0.3 or at-small + body-height() <= room", "if at-small + body-height() <= room"),
    ];
    for (shortcut, layout) in undo {
        assert!(oracle.contains(shortcut), "the theme no longer has this shortcut (update the test): {shortcut}");
        oracle = oracle.replace(shortcut, layout);
    }
    let rows =
        |rows: &[(&str, &str, &str)]| rows.iter().map(|(a, b, c)| format!("| {a} | {b} | {c} |\n")).collect::<String>();
    let deck = format!(
        "---\ntitle: 省略\nlang: ja\n---\n\n\
## 数字の表 {{.table}}\n\n| 年 | 年間総観測パケット数 | 観測IPアドレス数 |\n|---:|---:|---:|\n{}\n\
## 文の表 {{.table}}\n\n| 順位 | 「組織」向け脅威 | 扱い |\n|---:|---|---|\n{}\n\
## 注つきの表 {{.table}}\n\n| 区分 | 件数 | 補足 |\n|---|---:|---|\n{}\n※1 届出のうち実際に被害のあったもの。\n\n※2 前年の件数は同じ方法で数え直した。\n\n\
## 小さな表 {{.table}}\n\n| 年 | 件数 |\n|---|---:|\n| 2023 | 180 |\n| 2024 | 132 |\n\n\
## 長い手順 {{.steps .vertical}}\n\n\
1. 脆弱性を突いてネットワーク経由で相手のサーバーに侵入し、足場を築く\n\
2. 攻撃用のプログラムや通信の記録を集め、相手の能力と意図を確かめる\n\
3. 集めた情報をもとにサーバーの機能を止める措置をとる\n\
4. 措置の結果を確かめ、必要なら繰り返す\n\
5. 一連の措置を記録し、監督機関に報告する\n\n\
## 短い手順 {{.steps .vertical}}\n\n1. 侵入\n2. 収集\n3. 無害化\n\n\
## 注のある本文\n\n- 官民連携[^1]\n- 通信情報の利用[^2]\n- アクセス・無害化[^3]\n\n\
[^1]: 内閣官房「サイバー安全保障分野での対応能力の向上に向けた有識者会議」提言、2024年11月29日、官民の情報共有の枠組みについて。\n\
[^2]: 同提言、外外通信と外内通信の分析について、通信の秘密との関係を含めて。\n\
[^3]: 警察官職務執行法の改正案、無害化措置の要件と手続きについて。\n\n\
## 注の多い本文\n\n{}\n{}",
        rows(&["2015", "2016", "2017", "2018", "2019", "2020", "2021", "2022", "2023", "2024"].map(|year| (
            year,
            "約 5,705 億",
            "307,985"
        ))),
        rows(&[
            ("1", "ランサム攻撃による被害", "10年連続10回目"),
            ("2", "サプライチェーンや委託先を狙った攻撃", "7年連続7回目"),
            ("3", "システムの脆弱性を突いた攻撃", "5年連続8回目"),
            ("4", "内部不正による情報漏えい等", "10年連続10回目"),
            ("5", "機密情報等を狙った標的型攻撃", "10年連続10回目"),
            ("6", "リモートワーク等の環境や仕組みを狙った攻撃", "5年連続5回目"),
            ("7", "地政学的リスクに起因するサイバー攻撃", "初選出"),
            ("8", "分散型サービス妨害攻撃（DDoS攻撃）", "5年ぶり6回目"),
        ]),
        rows(&[
            ("ウイルス届出", "260", "検出数は 215,662"),
            ("うち実被害あり※1", "15", "届出の約 6%"),
            ("不正アクセス届出※2", "166", "2023 年は 243 件"),
            ("うち実被害あり", "132", "届出の約 79.5%"),
        ]),
        (4..12)
            .map(|n| format!(
                "- 論点{n}：通信の秘密と監督の実効性{}\n",
                if n < 8 { format!("[^{n}]") } else { String::new() }
            ))
            .collect::<String>(),
        (4..8)
            .map(|n| format!("[^{n}]: 注{n}。{}\n", "外国間通信の分析は技術的に国内の通信と区別できず、".repeat(6)))
            .collect::<String>(),
    );
    let dir = tempdir();
    write(dir.path(), "deck.md", &deck);
    let no_cache = [("LECTERN_NO_FIT_CACHE", "1")];
    let png = |theme: &str| {
        let _ = std::fs::remove_dir_all(dir.path().join("png"));
        std::fs::create_dir_all(dir.path().join("png")).unwrap();
        let run = lectern_env(dir.path(), &["build", "deck.md", "--theme", theme, "--png", "png"], &no_cache);
        assert_eq!(run.status, 0, "{}", run.stderr);
        page_images(dir.path())
    };
    let with_shortcuts = png("seminar");
    write(dir.path(), "oracle/theme.yaml", "name: oracle\nextends: seminar\n");
    write(dir.path(), "oracle/theme.typ", &oracle);
    let laid_out = png("oracle");
    assert_eq!(with_shortcuts.len(), 9);
    for (page, (a, b)) in with_shortcuts.iter().zip(&laid_out).enumerate() {
        assert!(a == b, "page {} differs without the shortcuts", page + 1);
    }
}

/// A build with the fit cache is one Typst pass: the theme measures nothing it also
/// places (every layout of the starter deck, its closing slide's among them), so Typst
/// does not lay the deck out a second time to settle the measured copies' locations.
#[test]
fn a_build_with_the_fit_cache_is_one_typst_pass() {
    let dir = tempdir();
    let cache = tempdir();
    write_starter_deck(dir.path());
    build(dir.path(), cache.path(), &[]);
    let trace = dir.path().join("trace.json");
    build(dir.path(), cache.path(), &[("LECTERN_TRACE", trace.to_str().unwrap())]);
    let events = std::fs::read_to_string(&trace).unwrap();
    assert!(events.contains("\"iter (1)\""), "the trace holds no compile");
    assert!(!events.contains("\"iter (2)\""), "Typst laid the deck out a second time");
}
