//! The handout's page model: where every slide, its label and its notes area go on the
//! paper, computed from the paper and the slide's own size so nothing can overflow, with
//! slides never smaller than the legibility floor allows when the paper has room.

pub use crate::outputs::{Mode, Paper};

/// Body text of a slide on paper is at least this big when the paper allows it.
pub const LEGIBLE_PT: f64 = 7.0;
/// Page margins in pt (the running header and the page number sit inside them).
pub const MARGIN_X: f64 = 28.0;
pub const MARGIN_TOP: f64 = 30.0;
pub const MARGIN_BOTTOM: f64 = 28.0;
/// Height of the slide-number line above each slide.
pub const LABEL_H: f64 = 11.0;
/// Gap between a slide and its notes area.
pub const NOTES_GAP: f64 = 6.0;

/// A rectangle in pt, from the top left of the page's text area.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    pub fn bottom(&self) -> f64 {
        self.y + self.h
    }
    pub fn right(&self) -> f64 {
        self.x + self.w
    }
}

/// One slide's place on a handout page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cell {
    pub slide: Rect,
    /// Where the "slide N" label starts (none in 9-up, which has no room for it).
    pub label: Option<(f64, f64)>,
    /// Notes or ruled lines: under the slide, or beside it in 3-up.
    pub notes: Option<Rect>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PageModel {
    pub mode: Mode,
    pub paper: Paper,
    pub landscape: bool,
    /// Page size in pt.
    pub width: f64,
    pub height: f64,
    pub cells: Vec<Cell>,
    /// Paper pt per slide pt.
    pub scale: f64,
}

impl PageModel {
    /// Size of the text area inside the margins.
    pub fn area(&self) -> (f64, f64) {
        (self.width - 2.0 * MARGIN_X, self.height - MARGIN_TOP - MARGIN_BOTTOM)
    }

    /// Body text of the slide on paper, for a theme whose body text is `body_pt`.
    pub fn body_on_paper(&self, body_pt: f64) -> f64 {
        body_pt * self.scale
    }
}

/// Where a cell's notes go, given the slide's width and height.
type NotesRect = Box<dyn Fn(f64, f64) -> Option<Rect>>;

/// The page model for `mode` on `paper`, for slides of `slide_w` × `slide_h` pt whose body
/// text is `body_pt`; `extras` when each slide gets notes or ruled lines beside it.
pub fn page_model(mode: Mode, paper: Paper, slide_w: f64, slide_h: f64, body_pt: f64, extras: bool) -> PageModel {
    // (landscape, columns, rows, notes beside the slide)
    let candidates: &[(bool, usize, usize, bool)] = match mode {
        Mode::One if extras => &[(false, 1, 1, false)],
        Mode::One => &[(false, 1, 1, false), (true, 1, 1, false)],
        Mode::Two => &[(false, 1, 2, false), (true, 2, 1, false)],
        Mode::Three => &[(false, 1, 3, true)],
        Mode::Four => &[(false, 2, 2, false), (true, 2, 2, false)],
        Mode::Six => &[(false, 2, 3, false), (true, 3, 2, false)],
        Mode::Nine => &[(true, 3, 3, false), (false, 3, 3, false)],
    };
    // 3-up always has its side column (ruled lines when there are no notes); 9-up has no
    // room for notes under its slides: they follow the page.
    let extras = match mode {
        Mode::Three => true,
        Mode::Nine => false,
        _ => extras,
    };
    let label_h = if mode == Mode::Nine { 0.0 } else { LABEL_H };
    let (gap_x, gap_y) = if mode == Mode::Nine { (8.0, 6.0) } else { (14.0, 12.0) };
    let ratio = slide_w / slide_h;
    // The width at which the slide's body text prints at the floor (with a little slack).
    let legible_w = slide_w * (LEGIBLE_PT * 1.02) / body_pt.max(1.0);
    let mut best: Option<PageModel> = None;
    for &(landscape, cols, rows, beside) in candidates {
        let (pw, ph) = paper.size();
        let (width, height) = if landscape { (ph, pw) } else { (pw, ph) };
        let area_w = width - 2.0 * MARGIN_X;
        let area_h = height - MARGIN_TOP - MARGIN_BOTTOM;
        let cell_w = (area_w - (cols - 1) as f64 * gap_x) / cols as f64;
        let cell_h = (area_h - (rows - 1) as f64 * gap_y) / rows as f64;
        let room_h = cell_h - label_h;
        let (sw, notes_rect): (f64, NotesRect) = if beside {
            // Slides take a bit over half the width; notes the rest, full row height.
            let sw = (cell_w * 0.56).max(legible_w.min(cell_w * 0.7)).min(room_h * ratio);
            (sw, Box::new(move |sw, _sh| Some(Rect { x: sw + gap_x, y: label_h, w: cell_w - sw - gap_x, h: room_h })))
        } else if extras {
            // Notes under the slide: the slide takes part of the height, but never so
            // little that its text drops under the floor.
            let share = if mode == Mode::One { 0.5 } else { 0.6 };
            let sw = (room_h * share * ratio).max(legible_w).min(cell_w).min((room_h - 30.0).max(0.0) * ratio);
            let below = move |_sw: f64, sh: f64| {
                let y = label_h + sh + NOTES_GAP;
                Some(Rect { x: 0.0, y, w: cell_w, h: (cell_h - y).max(0.0) })
            };
            (sw, Box::new(below))
        } else {
            (cell_w.min(room_h * ratio), Box::new(|_, _| None))
        };
        let sh = sw / ratio;
        let mut cells = Vec::new();
        for row in 0..rows {
            for col in 0..cols {
                let x0 = col as f64 * (cell_w + gap_x);
                let y0 = row as f64 * (cell_h + gap_y);
                // A slide narrower than its cell is centred (beside-notes: kept left).
                let dx = if beside || notes_rect(sw, sh).is_some() && cell_w > sw { 0.0 } else { (cell_w - sw) / 2.0 };
                let notes = notes_rect(sw, sh).map(|r| Rect { x: x0 + r.x, y: y0 + r.y, ..r });
                cells.push(Cell {
                    slide: Rect { x: x0 + dx, y: y0 + label_h, w: sw, h: sh },
                    label: (label_h > 0.0).then_some((x0 + dx, y0)),
                    notes,
                });
            }
        }
        let model = PageModel { mode, paper, landscape, width, height, cells, scale: sw / slide_w };
        // With notes, the first (portrait) layout keeps its larger notes area unless
        // another prints the slides clearly larger.
        let margin = if extras { 1.1 } else { 1.0 + 1e-9 };
        if best.as_ref().is_none_or(|b| model.scale > b.scale * margin) {
            best = Some(model);
        }
    }
    best.expect("every mode has a candidate layout")
}

#[cfg(test)]
mod tests {
    use super::*;

    const WIDE: (f64, f64) = (793.7, 446.46);
    const STANDARD: (f64, f64) = (793.7, 595.28);

    fn within(model: &PageModel) {
        let (aw, ah) = model.area();
        for cell in &model.cells {
            let s = cell.slide;
            assert!(s.x >= -1e-6 && s.y >= -1e-6 && s.right() <= aw + 1e-6 && s.bottom() <= ah + 1e-6, "{model:?}");
            if let Some(n) = cell.notes {
                assert!(n.right() <= aw + 1e-6 && n.bottom() <= ah + 1e-6 && n.h >= 0.0, "{model:?}");
                // Notes never cover the slide.
                assert!(n.y >= s.bottom() - 1e-6 || n.x >= s.right() - 1e-6, "{model:?}");
            }
        }
        // Cells never overlap.
        for (i, a) in model.cells.iter().enumerate() {
            for b in &model.cells[i + 1..] {
                let (a, b) = (a.slide, b.slide);
                let apart = a.right() <= b.x + 1e-6
                    || b.right() <= a.x + 1e-6
                    || a.bottom() <= b.y + 1e-6
                    || b.bottom() <= a.y + 1e-6;
                assert!(apart, "{model:?}");
            }
        }
    }

    #[test]
    fn every_mode_fits_the_paper_and_keeps_body_text_legible() {
        for mode in Mode::ALL {
            for paper in [Paper::A4, Paper::Letter] {
                for (w, h) in [WIDE, STANDARD] {
                    for extras in [false, true] {
                        let model = page_model(mode, paper, w, h, 24.0, extras);
                        assert_eq!(model.cells.len(), mode.per_page());
                        within(&model);
                        let body = model.body_on_paper(24.0);
                        assert!(body >= LEGIBLE_PT, "{mode:?} {paper:?} {w}x{h} extras {extras}: body {body:.2} pt");
                    }
                }
            }
        }
    }

    #[test]
    fn four_up_turns_landscape_when_that_is_larger() {
        assert!(page_model(Mode::Four, Paper::A4, WIDE.0, WIDE.1, 24.0, false).landscape);
        assert!(!page_model(Mode::Four, Paper::A4, WIDE.0, WIDE.1, 24.0, true).landscape);
        assert!(page_model(Mode::Nine, Paper::A4, STANDARD.0, STANDARD.1, 24.0, false).landscape);
    }
}
