//! Dense slides that read well, checked on the typeset pages: tables that use the slide,
//! diagrams whose frames, boxes and labels never collide, images sized to their room,
//! titles that break only between phrases, and organisation authors printed whole.

mod common;

use std::path::Path;

use typst::layout::{Frame, FrameItem, Point};
use typst::visualize::{Geometry, Paint, Shape};

/// An axis-aligned box: x0, y0, x1, y1 in pt.
#[derive(Debug, Clone, Copy)]
struct Rect(f64, f64, f64, f64);

impl Rect {
    fn area(&self) -> f64 {
        (self.2 - self.0).max(0.0) * (self.3 - self.1).max(0.0)
    }
    fn overlaps(&self, o: &Rect) -> bool {
        let eps = 0.5;
        self.0 < o.2 - eps && o.0 < self.2 - eps && self.1 < o.3 - eps && o.1 < self.3 - eps
    }
    fn contains(&self, o: &Rect) -> bool {
        let eps = 0.5;
        o.0 >= self.0 - eps && o.2 <= self.2 + eps && o.1 >= self.1 - eps && o.3 <= self.3 + eps
    }
    fn union(&self, o: &Rect) -> Rect {
        Rect(self.0.min(o.0), self.1.min(o.1), self.2.max(o.2), self.3.max(o.3))
    }
}

enum Item {
    Shape(Rect, Shape),
    /// A stroked, unfilled curve made of straight lines (a diagram's edge): its points.
    Polyline(Vec<(f64, f64)>),
    Text {
        rect: Rect,
        size: f64,
        text: String,
    },
    Image(Rect),
}

fn shape_rect(at: Point, shape: &Shape) -> Option<Rect> {
    let (x, y) = (at.x.to_pt(), at.y.to_pt());
    match &shape.geometry {
        Geometry::Rect(size) => Some(Rect(x, y, x + size.x.to_pt(), y + size.y.to_pt())),
        Geometry::Curve(c) => {
            let (x0, y0, x1, y1) = common::curve_bounds(c)?;
            Some(Rect(x + x0, y + y0, x + x1, y + y1))
        }
        Geometry::Line(p) => {
            let (x1, y1) = (x + p.x.to_pt(), y + p.y.to_pt());
            Some(Rect(x.min(x1), y.min(y1), x.max(x1), y.max(y1)))
        }
    }
}

/// Every shape, text run and image of a page with its absolute box (translations only).
fn items(frame: &Frame, origin: Point, out: &mut Vec<Item>) {
    for (pos, item) in frame.items() {
        let at = origin + *pos;
        match item {
            FrameItem::Group(g) => {
                let shifted = Point::new(at.x + g.transform.tx, at.y + g.transform.ty);
                items(&g.frame, shifted, out)
            }
            FrameItem::Shape(shape, _) => {
                if let Some(r) = shape_rect(at, shape) {
                    out.push(Item::Shape(r, shape.clone()))
                }
                use typst::visualize::CurveItem;
                // Only straight pieces: a rounded box's outline has curves.
                if let Geometry::Curve(c) = &shape.geometry
                    && shape.fill.is_none()
                    && shape.stroke.as_ref().is_some_and(|st| st.dash.is_none())
                    && c.0.iter().all(|item| matches!(item, CurveItem::Move(_) | CurveItem::Line(_)))
                {
                    let points =
                        c.0.iter()
                            .filter_map(|item| match item {
                                CurveItem::Move(q) | CurveItem::Line(q) => {
                                    Some((at.x.to_pt() + q.x.to_pt(), at.y.to_pt() + q.y.to_pt()))
                                }
                                _ => None,
                            })
                            .collect();
                    out.push(Item::Polyline(points));
                }
            }
            FrameItem::Text(t) => {
                let size = t.size.to_pt();
                let w = t.width().to_pt();
                let (x, y) = (at.x.to_pt(), at.y.to_pt());
                out.push(Item::Text {
                    rect: Rect(x, y - 0.8 * size, x + w, y + 0.2 * size),
                    size,
                    text: t.text.to_string(),
                })
            }
            FrameItem::Image(_, size, _) => {
                let (x, y) = (at.x.to_pt(), at.y.to_pt());
                out.push(Item::Image(Rect(x, y, x + size.x.to_pt(), y + size.y.to_pt())))
            }
            _ => {}
        }
    }
}

fn page_items(compiled: &lectern::pipeline::Compiled, page: usize) -> (Vec<Item>, f64, f64) {
    let frame = &compiled.document.pages()[page].frame;
    let mut out = Vec::new();
    items(frame, Point::zero(), &mut out);
    (out, frame.width().to_pt(), frame.height().to_pt())
}

fn compile_deck(dir: &Path, deck: &str) -> lectern::pipeline::Compiled {
    common::write(dir, "deck.md", deck);
    common::compile(&dir.join("deck.md"), dir)
}

/// The box around everything drawn inside `body` (text and shapes), if anything is.
fn drawn_in(items: &[Item], body: &Rect) -> Option<Rect> {
    items
        .iter()
        .filter_map(|i| match i {
            Item::Text { rect, .. } | Item::Shape(rect, _) if body.contains(rect) => Some(*rect),
            _ => None,
        })
        .reduce(|a, b| a.union(&b))
}

/// The body area of a content slide: below the title rule, above the footer, inside the
/// side margins (the seminar theme's geometry).
fn body_area(items: &[Item], width: f64, height: f64) -> Rect {
    let cm = 72.0 / 2.54;
    // The title rule's accent tab: a thin filled rect 2.2 cm wide near the top.
    let rule_bottom = items
        .iter()
        .filter_map(|i| match i {
            Item::Shape(r, s) if s.fill.is_some() && (r.2 - r.0 - 2.2 * cm).abs() < 1.0 && r.3 - r.1 < 5.0 => Some(r.3),
            _ => None,
        })
        .fold(f64::MAX, f64::min);
    assert!(rule_bottom < height / 2.0, "no title rule found");
    Rect(1.6 * cm, rule_bottom + 0.45 * cm, width - 1.6 * cm, height - 1.25 * cm)
}

#[test]
fn a_four_by_four_table_fills_most_of_the_body() {
    let dir = common::tempdir();
    let compiled = compile_deck(
        dir.path(),
        "## 届出の内訳\n\n| 区分 | 2022 | 2023 | 2024 |\n|---|--:|--:|--:|\n| ウイルス | 10 | 12 | 9 |\n| 不正アクセス | 150 | 180 | 170 |\n| 実被害あり | 130 | 140 | 132 |\n",
    );
    let (items, w, h) = page_items(&compiled, 0);
    let body = body_area(&items, w, h);
    let table = drawn_in(&items, &body).expect("the table is drawn in the body");
    let ratio = table.area() / body.area();
    assert!(ratio >= 0.6, "the 4×4 table covers only {:.0}% of the body ({table:?} in {body:?})", ratio * 100.0);
    // Not by shrinking: its text is at least the body size.
    let cell = items.iter().find_map(|i| match i {
        Item::Text { size, text, .. } if text.contains("ウイルス") => Some(*size),
        _ => None,
    });
    assert!(cell.is_some_and(|s| s >= 24.0), "cell text at {cell:?} pt");
}

#[test]
fn lists_in_cells_header_column_and_continued_slides() {
    let long = "安全保障上の必要性があり、外国の組織や個人の能力・意図・活動に関する情報を集めるために必要であること";
    let mut deck = String::from("## 主要国の制度\n\n| | 英国 | ドイツ | 米国 | 豪州 |\n|---|---|---|---|---|\n");
    for row in ["対象", "要件", "利用制限", "監督", "法令名", "備考"] {
        deck.push_str(&format!(
            "| {row} | <ul><li>{long}</li><li>二つ目の項目</li></ul> | {long}<br>改行のあと | {long} | <ul><li>{long}</li></ul> |\n"
        ));
    }
    deck.push_str("\n※1 公表済みの条文をもとに作成。\n");
    let dir = common::tempdir();
    common::write(dir.path(), "deck.md", &deck);
    let run = common::lectern(dir.path(), &["build", "deck.md"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    let pages: Vec<String> = common::pages(&dir.path().join("deck.pdf")).iter().map(|p| common::squash(p)).collect();
    assert!(pages.len() >= 2, "a table this long is split: {} page(s)", pages.len());
    for (i, page) in pages.iter().enumerate() {
        // The header row repeats on every part; later parts are marked as continued.
        assert!(page.contains("英国") && page.contains("豪州"), "page {}: {page}", i + 1);
        assert_eq!(page.contains("（続き）"), i > 0, "page {}: {page}", i + 1);
        assert!(!page.contains("<li>") && !page.contains("<ul>"), "HTML printed: {page}");
    }
    // The note closes the last part only; every row appears once.
    assert!(pages.last().unwrap().contains("※1公表済み"));
    assert_eq!(pages.iter().filter(|p| p.contains("※1")).count(), 1);
    for row in ["対象", "要件", "利用制限", "監督", "法令名", "備考"] {
        assert_eq!(pages.iter().filter(|p| p.contains(row)).count(), 1, "{row}");
    }
    // List items are drawn with markers (shapes), not as HTML text; cell text stays legible.
    let compiled = common::compile(&dir.path().join("deck.md"), dir.path());
    let (items, _, _) = page_items(&compiled, 0);
    let smallest = items
        .iter()
        .filter_map(|i| match i {
            Item::Text { size, text, .. } if text.contains("安全保障") => Some(*size),
            _ => None,
        })
        .fold(f64::MAX, f64::min);
    assert!(smallest >= 24.0 * lectern::table::LEGIBLE_SCALE - 0.1, "cell text at {smallest} pt");
}

/// The parts of a table split over continued slides (pages `pages`, each holding `cell`
/// text): each part covers at least 60 % of the body's height, the parts are about
/// equally full, and no table text is below the legibility floor. Returns the shares.
fn assert_balanced_parts(compiled: &lectern::pipeline::Compiled, pages: &[usize], cell: &str) -> Vec<f64> {
    assert!(pages.len() >= 2, "the table is split: pages {pages:?}");
    let floor = 24.0 * lectern::table::LEGIBLE_SCALE - 0.1;
    let mut shares = Vec::new();
    for &page in pages {
        let (items, w, h) = page_items(compiled, page);
        let body = body_area(&items, w, h);
        let drawn = drawn_in(&items, &body).expect("the table is drawn in the body");
        let share = (drawn.3 - drawn.1) / (body.3 - body.1);
        assert!(share >= 0.6, "page {}: the part covers {:.0}% of the body's height", page + 1, share * 100.0);
        let sizes: Vec<f64> = items
            .iter()
            .filter_map(|i| match i {
                Item::Text { rect, size, .. } if body.contains(rect) => Some(*size),
                _ => None,
            })
            .collect();
        assert!(!sizes.is_empty());
        let smallest = sizes.iter().copied().fold(f64::MAX, f64::min);
        assert!(smallest >= floor, "page {}: table text at {smallest} pt, below {floor} pt", page + 1);
        let (page_items_text, _, _) = page_items(compiled, page);
        assert!(
            page_items_text.iter().any(|i| matches!(i, Item::Text { text, .. } if text.contains(cell))),
            "page {} holds no {cell}",
            page + 1
        );
        shares.push(share);
    }
    let (least, most) = shares.iter().fold((f64::MAX, f64::MIN), |(a, b), &s| (a.min(s), b.max(s)));
    assert!(most - least <= 0.2, "parts filled unevenly: {shares:?}");
    shares
}

#[test]
fn a_split_table_fills_each_part_evenly_at_a_legible_size() {
    // The example deck's comparison table: one tall row among short ones, notes under it.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let compiled = common::compile(&root.join("decks/active-cyber-defence-2024.md"), root);
    let pages: Vec<usize> = (0..compiled.document.pages().len())
        .filter(|&p| {
            let (items, _, _) = page_items(&compiled, p);
            let text: String = items
                .iter()
                .filter_map(|i| match i {
                    Item::Text { text, .. } => Some(text.as_str()),
                    _ => None,
                })
                .collect();
            text.contains("主要国における") && text.contains("豪州")
        })
        .collect();
    assert_balanced_parts(&compiled, &pages, "英国");
    // A long synthetic table of even rows.
    let long = "安全保障上の必要性があり、外国の組織や個人の能力・意図・活動に関する情報を集めるために必要であること";
    let mut deck = String::from("## 主要国の制度\n\n| | 英国 | ドイツ | 米国 | 豪州 |\n|---|---|---|---|---|\n");
    for row in ["対象", "要件", "利用制限", "監督", "法令名", "備考", "期間", "罰則"] {
        deck.push_str(&format!("| {row} | {long} | {long} | 短い | <ul><li>{long}</li></ul> |\n"));
    }
    deck.push_str("\n※1 公表済みの条文をもとに作成。\n");
    let dir = common::tempdir();
    let compiled = compile_deck(dir.path(), &deck);
    let all: Vec<usize> = (0..compiled.document.pages().len()).collect();
    assert_balanced_parts(&compiled, &all, "豪州");
}

/// A flow diagram as drawn on a page: group frames (dashed), boxes (opaque fill), edges (stroked polylines), edge labels (halos of the page colour
/// holding text, off the frame borders) and group labels (the same, on a frame's top
/// border); only what lies in the slide's body.
struct Diagram {
    frames: Vec<Rect>,
    boxes: Vec<Rect>,
    edges: Vec<Vec<(f64, f64)>>,
    labels: Vec<Rect>,
    group_labels: Vec<Rect>,
    /// Text sizes inside boxes.
    box_text: Vec<(String, f64)>,
}

fn diagram(items: &[Item], body: &Rect) -> Diagram {
    let inside = |r: &Rect| body.contains(r) || body.overlaps(r) && r.area() < body.area() * 0.9;
    let mut d = Diagram {
        frames: vec![],
        boxes: vec![],
        edges: vec![],
        labels: vec![],
        group_labels: vec![],
        box_text: vec![],
    };
    let mut halos = Vec::new();
    for item in items {
        match item {
            Item::Shape(r, s) if inside(r) => {
                let dashed = s.stroke.as_ref().is_some_and(|st| st.dash.is_some());
                let white = matches!(&s.fill, Some(Paint::Solid(c)) if c.to_hex() == "#ffffff");
                let opaque = matches!(&s.fill, Some(Paint::Solid(c)) if c.to_vec4()[3] > 0.99);
                if dashed {
                    d.frames.push(*r);
                } else if opaque && !white && r.area() > 400.0 {
                    d.boxes.push(*r);
                } else if white && s.stroke.is_none() && r.area() < 20000.0 {
                    let holds_text = items.iter().any(|i| {
                        matches!(i, Item::Text { rect: t, .. }
                            if r.contains(&Rect(t.0, (t.1 + t.3) / 2.0, t.2, (t.1 + t.3) / 2.0)))
                    });
                    if holds_text {
                        halos.push(*r);
                    }
                }
            }
            Item::Polyline(points) if points.len() >= 2 => d.edges.push(points.clone()),
            _ => {}
        }
    }
    for h in halos {
        let centre_y = (h.1 + h.3) / 2.0;
        let on_border = d.frames.iter().any(|f| (centre_y - f.1).abs() < 2.0 && h.0 >= f.0 - 1.0 && h.0 <= f.2);
        if on_border { d.group_labels.push(h) } else { d.labels.push(h) }
    }
    for item in items {
        if let Item::Text { rect, size, text } = item
            && d.boxes.iter().any(|b| b.contains(rect))
            && !text.trim().is_empty()
        {
            d.box_text.push((text.clone(), *size));
        }
    }
    d
}

/// A segment as a zero-width rectangle.
fn segment(p: (f64, f64), q: (f64, f64)) -> Rect {
    Rect(p.0.min(q.0), p.1.min(q.1), p.0.max(q.0), p.1.max(q.1))
}

/// Whether segment `s` (zero width) passes through rectangle `r` shrunk by `inset`.
fn crosses(s: &Rect, r: &Rect, inset: f64) -> bool {
    s.0 < r.2 - inset && r.0 + inset < s.2 && s.1 < r.3 - inset && r.1 + inset < s.3
        || (s.0 - s.2).abs() < 1e-6 && s.0 > r.0 + inset && s.0 < r.2 - inset && s.1 < r.3 - inset && r.1 + inset < s.3
        || (s.1 - s.3).abs() < 1e-6 && s.1 > r.1 + inset && s.1 < r.3 - inset && s.0 < r.2 - inset && r.0 + inset < s.2
}

/// Everything a room needs of a diagram, asserted on the typeset page: frames apart,
/// boxes apart and inside their group's frame or clear of every frame, edges that never
/// run through a box or a frame their ends are not in, labels beside edges (never on
/// one, never on a box; group labels never on a box either), box text at least
/// `min_text` pt. Returns the diagram.
fn assert_readable_diagram(items: &[Item], body: &Rect, min_text: f64, what: &str) -> Diagram {
    let d = diagram(items, body);
    assert!(!d.boxes.is_empty(), "{what}: no boxes found");
    for (i, a) in d.frames.iter().enumerate() {
        for b in &d.frames[i + 1..] {
            assert!(!a.overlaps(b), "{what}: frames overlap: {a:?} {b:?}");
        }
    }
    for (i, a) in d.boxes.iter().enumerate() {
        for b in &d.boxes[i + 1..] {
            assert!(!a.overlaps(b), "{what}: boxes overlap: {a:?} {b:?}");
        }
        for f in &d.frames {
            assert!(f.contains(a) || !f.overlaps(a), "{what}: box {a:?} crosses frame {f:?}");
        }
    }
    let near = |r: &Rect, p: (f64, f64), reach: f64| {
        p.0 >= r.0 - reach && p.0 <= r.2 + reach && p.1 >= r.1 - reach && p.1 <= r.3 + reach
    };
    for edge in &d.edges {
        let (first, last) = (edge[0], edge[edge.len() - 1]);
        let source = d.boxes.iter().position(|b| near(b, first, 1.0));
        let target = d
            .boxes
            .iter()
            .enumerate()
            .filter(|(i, b)| Some(*i) != source && near(b, last, 16.0))
            .map(|(i, _)| i)
            .next();
        assert!(source.is_some() && target.is_some(), "{what}: edge {edge:?} does not join two boxes");
        let ends: Vec<Rect> = [source, target].iter().flatten().map(|&i| d.boxes[i]).collect();
        for pair in edge.windows(2) {
            let s = segment(pair[0], pair[1]);
            for b in &d.boxes {
                assert!(!crosses(&s, b, 0.75), "{what}: edge segment {s:?} runs through box {b:?}");
            }
            for f in &d.frames {
                if ends.iter().any(|e| f.contains(e)) {
                    continue;
                }
                assert!(!crosses(&s, f, 0.75), "{what}: edge segment {s:?} runs through a foreign frame {f:?}");
            }
            for l in d.labels.iter().chain(&d.group_labels) {
                assert!(!crosses(&s, l, 0.3), "{what}: edge segment {s:?} runs through label {l:?}");
            }
        }
    }
    for (i, l) in d.labels.iter().enumerate() {
        for b in &d.boxes {
            assert!(!l.overlaps(b), "{what}: label {l:?} on box {b:?}");
        }
        for m in d.labels[i + 1..].iter().chain(&d.group_labels) {
            assert!(!l.overlaps(m), "{what}: labels overlap: {l:?} {m:?}");
        }
    }
    for g in &d.group_labels {
        for b in &d.boxes {
            assert!(!g.overlaps(b), "{what}: group label {g:?} on box {b:?}");
        }
    }
    for (text, size) in &d.box_text {
        assert!(*size >= min_text - 0.01, "{what}: box text {text:?} at {size:.1} pt, below {min_text:.1} pt");
    }
    d
}

const GAZA: &str = "```flow
direction: down
戦前からの個人情報 -> ラベンダー
ドローン等で動静把握 -> ラベンダー
ドローン等で動静把握 -> 福音
Google・Amazon -> 福音: Nimbus
ラベンダー -> 標的の選択
福音 -> 標的の選択
標的の選択 -> 実行部隊への指示: 承認
実行部隊への指示 -> 標的への攻撃
標的への攻撃 -> **市民の犠牲**: 巻き添え
通信遮断と記者の退去 -> 実態を隠す
実態を隠す -> **市民の犠牲**: 覆い隠す
SNS企業の技術支援 -> 宣伝・偽情報
SNS企業の技術支援 -> 反戦運動の監視
group 情報収集: 戦前からの個人情報, ドローン等で動静把握, Google・Amazon
group AIによる標的生成: ラベンダー, 福音
group 情報統制と情報戦: 通信遮断と記者の退去, SNS企業の技術支援, 宣伝・偽情報, 反戦運動の監視
```";

/// The seminar theme's body text size.
const BODY: f64 = 24.0;

#[test]
fn diagram_frames_boxes_and_labels_never_collide() {
    let dir = common::tempdir();
    let compiled = compile_deck(dir.path(), &format!("## ガザ\n\n{GAZA}\n"));
    let (items, w, h) = page_items(&compiled, 0);
    let body = body_area(&items, w, h);
    let d = assert_readable_diagram(&items, &body, 0.7 * BODY, "Gaza");
    assert_eq!(d.frames.len(), 3, "three group frames");
    assert_eq!(d.boxes.len(), 14, "fourteen boxes");
    assert_eq!(d.frames.iter().map(|f| d.boxes.iter().filter(|b| f.contains(b)).count()).sum::<usize>(), 9);
    assert_eq!(d.labels.len(), 4, "edge labels: {:?}", d.labels);
    assert_eq!(d.group_labels.len(), 3, "group labels: {:?}", d.group_labels);
    assert_eq!(d.edges.len(), 13, "every arrow is drawn with straight runs");
    // One size for every box.
    let sizes: Vec<f64> = d.box_text.iter().map(|(_, s)| *s).collect();
    assert!(sizes.windows(2).all(|w| (w[0] - w[1]).abs() < 0.01), "{sizes:?}");
    // The diagram uses the body: it spans most of its width or its height.
    let all = d.boxes.iter().chain(&d.frames).fold(d.boxes[0], |a, b| a.union(b));
    let (wide, tall) = ((all.2 - all.0) / (body.2 - body.0), (all.3 - all.1) / (body.3 - body.1));
    assert!(wide > 0.85 || tall > 0.85, "the diagram uses {:.0}% × {:.0}% of the body", wide * 100.0, tall * 100.0);
}

#[test]
fn the_example_decks_diagrams_read_from_the_back_of_the_room() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // (deck, text on the slide, boxes, edges, whether the diagram is alone on its slide)
    for (deck, marker, boxes, edges, alone) in [
        ("decks/cyber-war-2024.md", "Nimbus", 14, 13, true),
        ("decks/cyber-war-2024.md", "予備調査", 8, 7, false),
        ("decks/cyber-war-2024.md", "平時に潜伏", 5, 4, false),
        ("decks/active-cyber-defence-2024.md", "被害情報", 6, 5, true),
    ] {
        let compiled = common::compile(&root.join(deck), root);
        let page_text = |p: usize| {
            let texts = page_items(&compiled, p).0.into_iter().filter_map(|i| match i {
                Item::Text { text, .. } => Some(text),
                _ => None,
            });
            texts.collect::<String>().replace(['\u{2060}', '\u{200B}'], "")
        };
        let page = (0..compiled.document.pages().len())
            .find(|&p| page_text(p).contains(marker))
            .unwrap_or_else(|| panic!("{deck}: no page shows {marker}"));
        let (items, w, h) = page_items(&compiled, page);
        let body = body_area(&items, w, h);
        let what = format!("{deck} page {}", page + 1);
        let d = assert_readable_diagram(&items, &body, 0.7 * BODY, &what);
        assert_eq!((d.boxes.len(), d.edges.len()), (boxes, edges), "{what}: boxes and edges");
        if alone {
            let all = d.boxes.iter().chain(&d.frames).fold(d.boxes[0], |a, b| a.union(b));
            let wide = (all.2 - all.0) / (body.2 - body.0);
            let tall = (all.3 - all.1) / (body.3 - body.1);
            assert!(wide > 0.85 && tall > 0.6, "{what}: the diagram uses {wide:.2} × {tall:.2} of the body");
        }
    }
}

/// Synthetic flows: groups with back edges, long edge labels, Japanese and mixed
/// labels, a group label wider than its frame, a wide fan-out, a cycle.
#[test]
fn synthetic_flows_keep_frames_boxes_edges_and_labels_apart() {
    let flows = [
        "direction: right\n受付 -> 調査 -> 判断 -> 実施 -> 報告\n判断 -> 調査: 差し戻し\n報告 -> 受付: 再申請\ngroup 行政: 受付, 調査\ngroup 司法: 判断, 実施",
        "direction: down\n利用者の端末 -> 通信事業者の設備: 通信の内容と宛先をまとめて複製する\n通信事業者の設備 -> 政府の分析拠点: 選別したデータだけを送る\n政府の分析拠点 -> **独立した監督機関**: 事後に報告",
        "direction: down\n攻撃者 -> ルーター\n攻撃者 -> カメラ\n攻撃者 -> NAS\nルーター -> 踏み台\nカメラ -> 踏み台\nNAS -> 踏み台\n踏み台 -> 標的のサーバ: DDoS\ngroup 家庭の機器: ルーター, カメラ, NAS",
        "direction: down\n政府 -> **通信事業者**: 協力要請\n通信事業者 -> 政府: 報告\n通信事業者 -> Google Cloud\n通信事業者 -> 利用者の端末\ngroup 国内の通信インフラを担う事業者: 通信事業者",
        "偵察 -> 初期アクセス\n初期アクセス -> 権限昇格\n初期アクセス -> 横展開\n権限昇格 -> 認証情報の窃取\n横展開 -> 認証情報の窃取\n認証情報の窃取 -> 持続化\n持続化 -> **目的の実行**\n持続化 -> 偵察: 繰り返す",
    ];
    for (n, text) in flows.iter().enumerate() {
        let dir = common::tempdir();
        let compiled = compile_deck(dir.path(), &format!("## 図\n\n```flow\n{text}\n```\n"));
        let (items, w, h) = page_items(&compiled, 0);
        let body = body_area(&items, w, h);
        let d = assert_readable_diagram(&items, &body, 0.7 * BODY, &format!("flow {n}"));
        let labels = text.lines().filter(|l| l.contains("->") && l.contains(':')).count();
        assert_eq!(d.labels.len(), labels, "flow {n}: every edge label is drawn: {:?}", d.labels);
        let arrows: usize = text.lines().map(|l| l.matches("->").count()).sum();
        assert_eq!(d.edges.len(), arrows, "flow {n}: every arrow is drawn with straight runs");
    }
}

#[test]
fn a_chain_of_eight_wraps_into_two_rows_of_legible_boxes() {
    let dir = common::tempdir();
    let compiled = compile_deck(
        dir.path(),
        "## 攻撃の流れ\n\n```flow\n予備調査 -> 脆弱性で侵入 -> 管理者資格の取得 -> RDPで接続 -> 内部の発見 -> 認証DBの取得 -> パスワード解析 -> **事前配置**\n```\n",
    );
    let (items, w, h) = page_items(&compiled, 0);
    let body = body_area(&items, w, h);
    let boxes = assert_readable_diagram(&items, &body, 0.7 * BODY, "chain").boxes;
    assert_eq!(boxes.len(), 8);
    let mut rows: Vec<f64> = boxes.iter().map(|b| ((b.1 + b.3) / 2.0).round()).collect();
    rows.sort_by(f64::total_cmp);
    rows.dedup_by(|a, b| (*a - *b).abs() < 2.0);
    assert_eq!(rows.len(), 2, "two rows: {rows:?}");
    let tallest = boxes.iter().map(|b| b.3 - b.1).fold(0.0, f64::max);
    assert!(tallest > h * 0.12, "boxes only {tallest} pt tall");
    for item in &items {
        if let Item::Text { rect, size, text } = item
            && boxes.iter().any(|b| b.contains(rect))
        {
            assert!(*size >= 0.7 * 24.0 - 0.01, "box text {text:?} at {size} pt");
        }
    }
}

#[test]
fn an_image_after_text_takes_the_remaining_height() {
    let dir = common::tempdir();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/starter/figures/router.png");
    std::fs::create_dir_all(dir.path().join("figures")).unwrap();
    std::fs::copy(&fixture, dir.path().join("figures/router.png")).unwrap();
    let compiled = compile_deck(
        dir.path(),
        "## 構成\n\n- 家庭用ルーターが踏み台にされる\n\n![ルーター](figures/router.png)\n\n## 指定した幅\n\n- 幅の指定は守られる\n\n![w:20% ルーター](figures/router.png)\n",
    );
    let (items, w, h) = page_items(&compiled, 0);
    let body = body_area(&items, w, h);
    let image = items.iter().find_map(|i| if let Item::Image(r) = i { Some(*r) } else { None }).unwrap();
    let used = (image.3 - image.1) / (body.3 - body.1);
    assert!(used > 0.6, "the image uses only {:.0}% of the body height", used * 100.0);
    // Never more than twice its pixels (640 × 400 at 72 dpi).
    assert!(image.2 - image.0 <= 1280.5 && image.3 - image.1 <= 800.5);
    // `w:20%` is what the author asked for.
    let (items, w, _) = page_items(&compiled, 1);
    let sized = items.iter().find_map(|i| if let Item::Image(r) = i { Some(*r) } else { None }).unwrap();
    let share = (sized.2 - sized.0) / (w - 2.0 * 1.6 * 72.0 / 2.54);
    assert!((share - 0.2).abs() < 0.02, "w:20% gave {:.0}%", share * 100.0);
}

/// Bodies of text, and a table beside text, are set at full size when they fit and shrunk
/// when they do not, on a first build as on any other: lectern lets the theme place a body
/// of text unmeasured and checks on the laid-out page that it fitted, and a table is
/// measured at the size it is placed at. Nothing runs below the body.
#[test]
fn text_bodies_fit_the_body_on_a_first_build() {
    let dir = common::tempdir();
    let item = |i: usize| format!("- 項目{i}：通信の秘密と監督機関の権限について、もう少し長く書いておく\n");
    let items = |n: usize| (1..=n).map(item).collect::<String>();
    let rows: String = (0..9).map(|i| format!("| {} | {} | 説明の文{i} |\n", 2010 + i, 100 + 7 * i)).collect();
    let deck = format!(
        "---\ntitle: 収まり\nlang: ja\n---\n\n## 短い\n\n一行だけ。\n\n## 少し多い\n\n{}\n## 段階\n\n前置き。\n\n<!-- pause -->\n\n{}\n\
         ## 表と段落\n\n前置きの段落をここに書く。長めの文を入れて二行になるようにする、さらに続けて書いておく。\n\n\
         | 年 | 件数 | 備考 |\n|---|---:|---|\n{rows}\n後ろの段落。\n",
        items(9),
        items(12),
    );
    let compiled = compile_deck(dir.path(), &deck);
    let pages = compiled.document.pages().len();
    assert_eq!(pages, 6, "title, four slides, one of them in two steps");
    let mut sizes = Vec::new();
    for page in 1..pages {
        let (items, w, h) = page_items(&compiled, page);
        let body = body_area(&items, w, h);
        let below: Vec<&str> = items
            .iter()
            .filter_map(|i| match i {
                Item::Text { rect, text, .. } if rect.3 > body.3 + 0.5 => Some(text.as_str()),
                _ => None,
            })
            .collect();
        assert!(below.is_empty(), "page {}: text below the body: {below:?}", page + 1);
        let largest = items.iter().filter_map(|i| match i {
            Item::Text { rect, size, .. } if rect.3 > body.1 => Some(*size),
            _ => None,
        });
        sizes.push(largest.fold(0.0, f64::max));
    }
    assert!(sizes[0] >= 24.0, "the short slide is at full size: {sizes:?}");
    assert!(sizes[1] < 24.0 && sizes[3] < 24.0 && sizes[4] < 24.0, "the long ones are shrunk: {sizes:?}");
    assert!(sizes[2] >= 24.0, "the first step fits at full size: {sizes:?}");
}

/// Positions (in characters, spaces removed) where `text` may break: between BudouX
/// phrases (between the words of a phrase too long to keep whole), and at spaces.
fn allowed_breaks(text: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut at = 0;
    for phrase in lectern::phrases::title_units(text) {
        for word in phrase.split_whitespace() {
            at += word.chars().count();
            out.push(at);
        }
    }
    out
}

#[test]
fn no_title_in_the_example_decks_breaks_inside_a_phrase() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut checked = 0;
    for deck in ["decks/cyber-bill-2025.md", "decks/cyber-war-2024.md", "decks/active-cyber-defence-2024.md"] {
        let out = common::tempdir();
        let pdf = out.path().join("deck.pdf");
        let run = common::lectern(root, &["build", deck, "-o", pdf.to_str().unwrap()]);
        assert_eq!(run.status, 0, "{deck}: {}", run.stderr);
        let pages = common::pages(&pdf);
        let compiled = common::compile(&root.join(deck), root);
        let mut titles: Vec<String> =
            compiled.deck.slides.iter().filter_map(|s| s.title.as_deref().map(lectern::model::plain_text)).collect();
        titles.extend(compiled.deck.meta.title.clone());
        for title in titles {
            let title = title.replace([lectern::phrases::JOINER, lectern::phrases::BREAK], "");
            let squashed = common::squash(&title);
            let allowed = allowed_breaks(&title);
            // Find the title's lines on a page: consecutive lines that spell it.
            for page in &pages {
                let lines: Vec<String> = page.lines().map(common::squash).filter(|l| !l.is_empty()).collect();
                for start in 0..lines.len() {
                    let mut spelled = String::new();
                    let mut breaks = Vec::new();
                    for line in &lines[start..] {
                        if !squashed.starts_with(&format!("{spelled}{line}")) {
                            break;
                        }
                        spelled.push_str(line);
                        breaks.push(spelled.chars().count());
                        if spelled == squashed {
                            break;
                        }
                    }
                    if spelled != squashed || breaks.len() < 2 {
                        continue;
                    }
                    checked += 1;
                    for b in &breaks[..breaks.len() - 1] {
                        assert!(
                            allowed.contains(b),
                            "{deck}: 「{title}」 breaks after 「{}」, inside a phrase ({:?})",
                            squashed.chars().take(*b).collect::<String>(),
                            lectern::phrases::phrases(&title)
                        );
                    }
                }
            }
        }
    }
    assert!(checked >= 5, "only {checked} wrapped titles found");
}

#[test]
fn the_third_example_deck_builds_cleanly_with_its_comparison_table() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = common::tempdir();
    let pdf = out.path().join("deck.pdf");
    let run = common::lectern(root, &["build", "decks/active-cyber-defence-2024.md", "-o", pdf.to_str().unwrap()]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    let text = common::squash(&common::pages(&pdf).join(""));
    for needle in ["調査権限法", "連邦情報庁法", "外国情報監視法", "電気通信（傍受及びアクセス）法", "※2", "（続き）"]
    {
        assert!(text.contains(needle), "{needle} missing");
    }
    // The PDF title has no trace of the author's line breaks.
    assert_eq!(common::info_field(&pdf, "Title"), "能動的サイバー防御と通信の秘密");
}

#[test]
fn organisation_authors_print_whole() {
    let dir = common::tempdir();
    common::write(
        dir.path(),
        "refs.yml",
        "doj:\n  type: web\n  title: Botnet Disrupted\n  author: U.S. Department of Justice\n  date: 2024-01-31\ncas:\n  type: report\n  title: 説明資料\n  author: 内閣官房\n  date: 2025-02\nschmitt:\n  type: book\n  title: Tallinn Manual 2.0\n  author: Schmitt, Michael N.\n  date: 2017\n",
    );
    let pdf = common::build_ok(
        dir.path(),
        "---\nbibliography: refs.yml\nsources-slide: true\n---\n\n## 出典のある主張\n\n- 米司法省の発表[@doj]\n- 政府の資料[@cas]\n- 国際法の解釈[@schmitt]\n",
    );
    let pages = common::pages(&pdf);
    let slide = pages[0].split_whitespace().collect::<Vec<_>>().join(" ");
    let sources = pages.last().unwrap().split_whitespace().collect::<Vec<_>>().join(" ");
    for text in [&slide, &sources] {
        assert!(text.contains("U.S. Department of Justice"), "{text}");
        assert!(!text.contains("Justice, U.S."), "{text}");
        assert!(text.contains("内閣官房"), "{text}");
        // A person keeps person handling.
        assert!(text.contains("Michael N. Schmitt") || text.contains("Schmitt, Michael"), "{text}");
    }
}

#[test]
fn author_breaks_in_titles_shape_the_slide_only() {
    let dir = common::tempdir();
    let pdf = common::build_ok(
        dir.path(),
        "---\ntitle: サイバー領域に<br>平和を\ntoc: true\n---\n\n# 1. 「無害化」<br>という言葉 {#harmless}\n\n## 1.1. 本文 {#body}\n\n- 能動的<wbr>サイバー防御と<nobr>重要電子計算機</nobr>\n\n# 2. 次の節\n\n## 2.1. 本文2\n\n- 項目\n",
    );
    assert_eq!(common::info_field(&pdf, "Title"), "サイバー領域に平和を");
    let pages = common::pages(&pdf);
    // Title slide: two lines, broken where the author said.
    let lines: Vec<String> = pages[0].lines().map(common::squash).filter(|l| !l.is_empty()).collect();
    assert!(lines.iter().any(|l| l == "サイバー領域に") && lines.iter().any(|l| l == "平和を"), "{lines:?}");
    // Agenda: each section once, its number once, on one line.
    let agenda = common::squash(&pages[1]);
    assert_eq!(agenda.matches("1.").count(), 1, "{agenda}");
    assert!(agenda.contains("「無害化」という言葉"), "{agenda}");
    // The section slide keeps the break and shows its numeral.
    let section: Vec<String> = pages[2].lines().map(common::squash).filter(|l| !l.is_empty()).collect();
    assert!(section.iter().any(|l| l.ends_with("「無害化」")), "{section:?}");
    // `<wbr>` and `<nobr>` leave no trace in the text.
    let body = common::squash(&pages[3]);
    assert!(body.contains("能動的サイバー防御と重要電子計算機"), "{body}");
    assert!(!body.contains('\u{2060}') && !body.contains('\u{200B}'), "{body:?}");
}

#[test]
fn steps_follow_the_authors_direction() {
    let steps = "1. 偵察\n2. 初期アクセス\n3. 事前配置\n";
    let dir = common::tempdir();
    let compiled = compile_deck(
        dir.path(),
        &format!(
            "## 横 {{.steps .horizontal}}\n\n{steps}\n## 縦 {{.steps .vertical}}\n\n{steps}\n## 自動 {{.steps}}\n\n{steps}"
        ),
    );
    // The step numbers' discs: a row (one y) or a column (one x).
    let discs = |page: usize| -> Vec<Rect> {
        let (items, _, _) = page_items(&compiled, page);
        items
            .iter()
            .filter_map(|i| match i {
                Item::Shape(r, s)
                    if s.fill.is_some()
                        && s.stroke.is_none()
                        && (r.2 - r.0 - (r.3 - r.1)).abs() < 0.5
                        && r.2 - r.0 > 20.0 =>
                {
                    Some(*r)
                }
                _ => None,
            })
            .collect()
    };
    let spread = |rs: &[Rect], f: fn(&Rect) -> f64| {
        rs.iter().map(f).fold(f64::MIN, f64::max) - rs.iter().map(f).fold(f64::MAX, f64::min)
    };
    let row = discs(0);
    assert_eq!(row.len(), 3, "{row:?}");
    assert!(spread(&row, |r| r.1) < 1.0 && spread(&row, |r| r.0) > 100.0, "horizontal: {row:?}");
    let column = discs(1);
    assert_eq!(column.len(), 3, "{column:?}");
    assert!(spread(&column, |r| r.0) < 1.0 && spread(&column, |r| r.1) > 40.0, "vertical: {column:?}");
    // Three short steps: a row by the documented rule.
    let auto = discs(2);
    assert!(spread(&auto, |r| r.1) < 1.0, "automatic: {auto:?}");
}

#[test]
fn a_long_section_title_keeps_clear_of_the_numeral() {
    let dir = common::tempdir();
    let mut deck = String::new();
    for n in 1..=12 {
        deck.push_str(&format!("# {n}. サイバー安全保障分野での対応能力の向上に向けた有識者会議の提言を読む\n\n## {n}.1. 本文\n\n- 項目\n\n"));
    }
    let compiled = compile_deck(dir.path(), &deck);
    for page in [0, 22] {
        let (items, _, _) = page_items(&compiled, page);
        let numeral: Vec<Rect> = items
            .iter()
            .filter_map(|i| match i {
                Item::Text { rect, size, .. } if *size > 200.0 => Some(*rect),
                _ => None,
            })
            .collect();
        assert!(!numeral.is_empty(), "page {page}: no numeral");
        let title: Vec<Rect> = items
            .iter()
            .filter_map(|i| match i {
                Item::Text { rect, size, text } if *size > 20.0 && *size < 200.0 && !text.trim().is_empty() => {
                    Some(*rect)
                }
                _ => None,
            })
            .collect();
        assert!(!title.is_empty());
        for t in &title {
            for n in &numeral {
                assert!(t.2 <= n.0 + 0.5, "page {page}: title text {t:?} runs into the numeral {n:?}");
            }
        }
    }
}

#[test]
fn steps_start_under_the_title_and_use_the_body() {
    let dir = common::tempdir();
    let compiled = compile_deck(
        dir.path(),
        "## 縦 {.steps .vertical}\n\n1. 偵察\n2. 初期アクセス\n3. 事前配置\n\n## 横 {.steps .horizontal}\n\n1. 偵察\n2. 初期アクセス\n3. 資格情報の窃取\n4. 事前配置\n",
    );
    for page in 0..2 {
        let (items, w, h) = page_items(&compiled, page);
        let body = body_area(&items, w, h);
        let drawn = drawn_in(&items, &body).expect("the steps are drawn in the body");
        // No gap under the title: the first step starts at the top of the body.
        let gap = drawn.1 - body.1;
        assert!(gap <= 0.6 * 72.0 / 2.54, "page {}: {gap:.0} pt between the title and the first step", page + 1);
        // Spread or sized to use the body, not a strip across its middle.
        let share = (drawn.3 - drawn.1) / (body.3 - body.1);
        assert!(share >= 0.5, "page {}: the steps use {:.0}% of the body's height", page + 1, share * 100.0);
        // The labels stay at least the body size × 0.9.
        let label = items.iter().find_map(|i| match i {
            Item::Text { size, text, .. } if text.contains("偵察") => Some(*size),
            _ => None,
        });
        assert!(label.is_some_and(|s| s >= 0.9 * 24.0 - 0.1), "page {}: label at {label:?} pt", page + 1);
    }
    // With a paragraph before them the steps keep their natural size: all inside the body.
    let dir = common::tempdir();
    let compiled = compile_deck(
        dir.path(),
        "## 前置き {.steps .vertical}\n\n前置きの段落です。ここに説明が入ります。もう一行分の説明があります。さらに長い説明が続き、二行目に入ります。\n\n三つ目の段落。\n\n1. 偵察\n2. 初期アクセス\n3. 事前配置\n4. 実行\n",
    );
    let (items, w, h) = page_items(&compiled, 0);
    let body = body_area(&items, w, h);
    let last = items.iter().find_map(|i| match i {
        Item::Text { rect, text, .. } if text.contains("実行") => Some(*rect),
        _ => None,
    });
    assert!(last.is_some_and(|r| body.contains(&r)), "the last step at {last:?}, the body {body:?}");
}

#[test]
fn code_reads_at_nearly_the_body_size_and_shrinks_only_to_fit() {
    let dir = common::tempdir();
    let long: String = (1..=16).map(|i| format!("    step_{i}(host)  # 手順 {i}\n")).collect();
    let compiled = compile_deck(
        dir.path(),
        &format!(
            "## コード\n\n```python\ndef neutralize(host):\n    return attack(host)\n```\n\n## 長いコード\n\n```python\ndef run(host):\n{long}```\n"
        ),
    );
    let code_sizes = |page: usize| -> (Vec<f64>, Rect, Vec<Rect>) {
        let (items, w, h) = page_items(&compiled, page);
        let body = body_area(&items, w, h);
        let texts: Vec<(f64, Rect)> = items
            .iter()
            .filter_map(|i| match i {
                Item::Text { rect, size, text }
                    if rect.1 > body.1 && (text.contains("host") || text.contains("step")) =>
                {
                    Some((*size, *rect))
                }
                _ => None,
            })
            .collect();
        (texts.iter().map(|t| t.0).collect(), body, texts.iter().map(|t| t.1).collect())
    };
    let (sizes, _, _) = code_sizes(0);
    assert!(!sizes.is_empty());
    let smallest = sizes.iter().copied().fold(f64::MAX, f64::min);
    assert!(smallest >= 0.8 * 24.0, "short code at {smallest} pt, under 0.8 × the 24 pt body");
    // Seventeen lines cannot be set that large: smaller, but every line inside the body.
    let (sizes, body, rects) = code_sizes(1);
    assert!(sizes.iter().all(|&s| s < smallest - 1.0), "{sizes:?}");
    assert!(rects.iter().all(|r| body.contains(r) || r.3 <= body.3 + 1.0), "code runs past the body");
    assert_eq!(compiled.document.pages().len(), 2);
    // One line too wide for the slide at that size: set smaller rather than wrapped.
    let dir = common::tempdir();
    // 59 characters: wider than the body at 0.85 × its size, narrower at 0.64 ×.
    let wide = "```sh\ncurl -s https://example.org/segment/report.json | jq .items\n```\n";
    let compiled = compile_deck(dir.path(), &format!("## 長い行\n\n{wide}"));
    let (items, _, _) = page_items(&compiled, 0);
    let baselines: Vec<f64> = items
        .iter()
        .filter_map(|i| match i {
            Item::Text { rect, text, size } if text.contains("segment") || text.contains("jq") => {
                Some(rect.3 - 0.2 * size)
            }
            _ => None,
        })
        .collect();
    assert!(!baselines.is_empty());
    assert!(baselines.iter().all(|y| (y - baselines[0]).abs() < 0.5), "the long line wrapped: {baselines:?}");
}

/// A fixed set of generated flows (a small linear congruential generator with a fixed
/// seed, so every run checks the same diagrams): random layered graphs with back edges,
/// one to three groups of boxes picked at random (often unrelated to each other, so a
/// frame spans layers other boxes and edges have to get past), labels on some edges,
/// Japanese and English names, both directions.
fn generated_flows(count: usize) -> Vec<String> {
    let mut state: u64 = 0x5eed_1ec7;
    let mut next = |bound: usize| {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((state >> 33) % bound as u64) as usize
    };
    let names = [
        "偵察",
        "初期アクセス",
        "権限昇格",
        "横展開",
        "認証情報",
        "持続化",
        "目的の実行",
        "通信事業者",
        "政府",
        "監督機関",
        "裁判所",
        "利用者",
        "Google Cloud",
        "DNS resolver",
        "VPN gateway",
        "Mail",
        "ログ分析",
        "警察",
        "Backup",
        "報告書",
    ];
    let labels = ["承認", "報告", "差し戻し", "data", "exfiltrate", "通信の複製", "再申請", "API"];
    (0..count)
        .map(|_| {
            let n = 4 + next(6);
            let mut pool: Vec<&str> = names.to_vec();
            let picked: Vec<&str> = (0..n).map(|_| pool.remove(next(pool.len()))).collect();
            let mut arrows: Vec<(usize, usize)> = Vec::new();
            for j in 1..n {
                for _ in 0..1 + next(2) {
                    let i = next(j);
                    if !arrows.contains(&(i, j)) {
                        arrows.push((i, j));
                    }
                }
            }
            if next(2) == 0 {
                let (i, j) = (next(n - 1), n - 1);
                if !arrows.contains(&(j, i)) && !arrows.contains(&(i, j)) {
                    arrows.push((j, i));
                }
            }
            let mut text = String::from(if next(2) == 0 { "direction: down\n" } else { "direction: right\n" });
            for (i, j) in &arrows {
                text += &format!("{} -> {}", picked[*i], picked[*j]);
                if next(4) == 0 {
                    text += &format!(": {}", labels[next(labels.len())]);
                }
                text += "\n";
            }
            let mut free: Vec<usize> = (0..n).collect();
            for g in 0..1 + next(3) {
                let size = 1 + next(3);
                if free.len() < size {
                    break;
                }
                let members: Vec<&str> = (0..size).map(|_| picked[free.remove(next(free.len()))]).collect();
                text += &format!("group {}: {}\n", ["対象", "Cloud", "国内の組織"][g], members.join(", "));
            }
            text
        })
        .collect()
}

#[test]
fn generated_flows_with_groups_keep_frames_boxes_edges_and_labels_apart() {
    let flows = generated_flows(40);
    let deck: String = flows.iter().map(|f| format!("## 図\n\n```flow\n{f}```\n\n---\n\n")).collect();
    let dir = common::tempdir();
    let compiled = compile_deck(dir.path(), deck.trim_end().trim_end_matches('-'));
    assert_eq!(compiled.document.pages().len(), flows.len());
    let mut failures = Vec::new();
    for (n, text) in flows.iter().enumerate() {
        let (items, w, h) = page_items(&compiled, n);
        let body = body_area(&items, w, h);
        let checked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let d = assert_readable_diagram(&items, &body, 0.7 * BODY, &format!("generated flow {n}"));
            let labels = text.lines().filter(|l| l.contains("->") && l.contains(':')).count();
            assert_eq!(d.labels.len(), labels, "generated flow {n}: every edge label is drawn");
            assert_eq!(d.edges.len(), text.matches("->").count(), "generated flow {n}: every arrow is drawn");
        }));
        if checked.is_err() {
            failures.push(format!("flow {n}:\n{text}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} generated flows fail:\n{}",
        failures.len(),
        flows.len(),
        failures.join("\n")
    );
}
