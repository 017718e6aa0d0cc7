//! Web links on a slide page, found in the laid-out deck, so the handout can put a
//! clickable area over each one where the slide is printed (the slide itself is placed
//! as an image, which keeps its look but not its links).

use typst::layout::{Abs, Frame, FrameItem, Point, Transform};
use typst::model::Destination;

/// A link's box on the slide page, in pt from its top left.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkBox {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
    pub url: String,
}

/// Every web link on the page.
pub fn links(frame: &Frame) -> Vec<LinkBox> {
    let mut out = Vec::new();
    walk(frame, Transform::identity(), &mut out);
    out
}

fn walk(frame: &Frame, ts: Transform, out: &mut Vec<LinkBox>) {
    for (pos, item) in frame.items() {
        match item {
            FrameItem::Group(group) => {
                let ts = ts.pre_concat(Transform::translate(pos.x, pos.y)).pre_concat(group.transform);
                walk(&group.frame, ts, out);
            }
            FrameItem::Link(Destination::Url(url), size) => {
                let corners =
                    [(Abs::zero(), Abs::zero()), (size.x, Abs::zero()), (Abs::zero(), size.y), (size.x, size.y)]
                        .map(|(dx, dy)| Point::new(pos.x + dx, pos.y + dy).transform(ts));
                let xs = corners.map(|p| p.x.to_pt());
                let ys = corners.map(|p| p.y.to_pt());
                let (x0, x1) =
                    (xs.iter().cloned().fold(f64::MAX, f64::min), xs.iter().cloned().fold(f64::MIN, f64::max));
                let (y0, y1) =
                    (ys.iter().cloned().fold(f64::MAX, f64::min), ys.iter().cloned().fold(f64::MIN, f64::max));
                if x1 > x0 && y1 > y0 {
                    out.push(LinkBox { x: x0, y: y0, w: x1 - x0, h: y1 - y0, url: url.to_string() });
                }
            }
            _ => {}
        }
    }
}
