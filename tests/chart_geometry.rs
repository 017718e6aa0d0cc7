//! Charts draw what the data says: checked on the typeset document's own shapes.

mod common;

use typst::layout::{Frame, FrameItem, Point};
use typst::visualize::{CurveItem, Geometry};

const VALUES: [f64; 10] = [545.0, 1281.0, 1504.0, 2169.0, 3756.0, 5705.0, 5180.0, 5226.0, 6197.0, 6862.0];

/// Compiles a one-slide deck holding `block` and returns the slide's frame.
fn slide_frame(block: &str) -> Frame {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("年,件数\n");
    for (i, v) in VALUES.iter().enumerate() {
        csv.push_str(&format!("{},{v}\n", 2015 + i));
    }
    std::fs::write(dir.path().join("data.csv"), csv).unwrap();
    std::fs::write(dir.path().join("deck.md"), format!("## グラフ\n\n{block}\n")).unwrap();
    common::compile(&dir.path().join("deck.md"), dir.path()).document.pages()[0].frame.clone()
}

/// Every shape with its absolute position (translations only: charts do not rotate shapes).
fn shapes(frame: &Frame, origin: Point, out: &mut Vec<(Point, typst::visualize::Shape)>) {
    for (pos, item) in frame.items() {
        let at = origin + *pos;
        match item {
            FrameItem::Group(g) => {
                let shifted = Point::new(at.x + g.transform.tx, at.y + g.transform.ty);
                shapes(&g.frame, shifted, out)
            }
            FrameItem::Shape(shape, _) => out.push((at, shape.clone())),
            _ => {}
        }
    }
}

fn all_shapes(frame: &Frame) -> Vec<(Point, typst::visualize::Shape)> {
    let mut out = Vec::new();
    shapes(frame, Point::zero(), &mut out);
    out
}

#[test]
fn bar_heights_are_proportional_to_values() {
    let frame = slide_frame("```chart\ntype: bar\ndata: data.csv\n```");
    // Bars: filled rectangles of the most common (narrow) width.
    let rects: Vec<(f64, f64, f64)> = all_shapes(&frame)
        .into_iter()
        .filter(|(_, s)| s.fill.is_some())
        .filter_map(|(p, s)| match &s.geometry {
            Geometry::Rect(size) => Some((p.x.to_pt(), size.x.to_pt(), size.y.to_pt())),
            // Bars with rounded tops are curves: use their bounding box.
            Geometry::Curve(c) => common::curve_bounds(c).map(|(x0, y0, x1, y1)| (p.x.to_pt() + x0, x1 - x0, y1 - y0)),
            _ => None,
        })
        .collect();
    let width = most_common(rects.iter().map(|r| (r.1 * 100.0).round() as i64));
    let mut bars: Vec<(f64, f64)> =
        rects.iter().filter(|r| (r.1 * 100.0).round() as i64 == width).map(|r| (r.0, r.2)).collect();
    bars.sort_by(|a, b| a.0.total_cmp(&b.0));
    assert_eq!(bars.len(), VALUES.len(), "one bar per category: {bars:?}");
    let scale = bars[9].1 / VALUES[9];
    for (i, (_, h)) in bars.iter().enumerate() {
        assert!((h / VALUES[i] - scale).abs() / scale < 0.01, "bar {i}: height {h} for value {}", VALUES[i]);
    }
    let tallest = bars.iter().enumerate().max_by(|a, b| a.1.1.total_cmp(&b.1.1)).unwrap().0;
    assert_eq!(tallest, 9, "the tallest bar is the maximum (2024)");
}

#[test]
fn line_points_are_in_category_order() {
    let frame = slide_frame("```chart\ntype: line\ndata: data.csv\n```");
    // The data line: the stroked, unfilled curve with one point per category.
    let line: Vec<(f64, f64)> = all_shapes(&frame)
        .into_iter()
        .filter(|(_, s)| s.fill.is_none() && s.stroke.is_some())
        .filter_map(|(p, s)| match &s.geometry {
            Geometry::Curve(c) => {
                let pts: Vec<(f64, f64)> =
                    c.0.iter()
                        .filter_map(|item| match item {
                            CurveItem::Move(q) | CurveItem::Line(q) => Some(((p.x + q.x).to_pt(), (p.y + q.y).to_pt())),
                            _ => None,
                        })
                        .collect();
                (pts.len() == VALUES.len()).then_some(pts)
            }
            _ => None,
        })
        .next()
        .expect("a polyline with one point per category");
    assert!(line.windows(2).all(|w| w[0].0 < w[1].0), "x goes left to right in data order: {line:?}");
    for (i, j) in [(0, 1), (5, 6), (8, 9), (0, 9)] {
        // Higher values are drawn higher (smaller y).
        assert_eq!(VALUES[i] < VALUES[j], line[i].1 > line[j].1, "points {i} and {j}");
    }
}

#[test]
fn pie_slices_are_proportional() {
    let frame = slide_frame(
        "```chart\ntype: pie\ncolumns: [区分, 件数]\nrows: [[実被害あり, 132], [実被害なし, 34], [不明, 34]]\n```",
    );
    let areas: Vec<f64> = all_shapes(&frame)
        .into_iter()
        .filter(|(_, s)| s.fill.is_some())
        .filter_map(|(_, s)| match &s.geometry {
            Geometry::Curve(c) => {
                let pts: Vec<(f64, f64)> =
                    c.0.iter()
                        .filter_map(|item| match item {
                            CurveItem::Move(q) | CurveItem::Line(q) => Some((q.x.to_pt(), q.y.to_pt())),
                            _ => None,
                        })
                        .collect();
                (pts.len() > 4).then(|| shoelace(&pts))
            }
            _ => None,
        })
        .collect();
    assert_eq!(areas.len(), 3, "three slices: {areas:?}");
    let total: f64 = areas.iter().sum();
    for (area, value) in areas.iter().zip([132.0, 34.0, 34.0]) {
        let share = area / total;
        assert!((share - value / 200.0).abs() < 0.01, "slice share {share} for {value}/200");
    }
}

fn shoelace(pts: &[(f64, f64)]) -> f64 {
    let n = pts.len();
    (0..n).map(|i| pts[i].0 * pts[(i + 1) % n].1 - pts[(i + 1) % n].0 * pts[i].1).sum::<f64>().abs() / 2.0
}

fn most_common(values: impl Iterator<Item = i64>) -> i64 {
    let mut counts = std::collections::HashMap::new();
    for v in values {
        *counts.entry(v).or_insert(0) += 1;
    }
    counts.into_iter().max_by_key(|(_, c)| *c).map(|(v, _)| v).unwrap()
}
