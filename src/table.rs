//! Tables as the seminar talks write them: lists and line breaks inside GFM cells
//! (`<ul><li>…</li></ul>`, `<br>`), a first column of row labels, `※1 …` notes under the
//! table, and tables too long for one slide. This stage (between parse and layout) keeps
//! the notes with their table, decides whether the first column is a header column, and
//! splits a table that cannot be set at a legible size onto continued slides, the header
//! row repeated and the title marked "（続き）" / "(cont.)". The theme then sizes the
//! table to fill its slide (`data-table` in the theme).

use crate::frontmatter::Aspect;
use crate::model::*;

/// The smallest table text, as a fraction of the theme's body size, that still reads from
/// the back of a seminar room; a table needing less is split.
pub const LEGIBLE_SCALE: f64 = 0.62;

/// Notes under tables, header columns, and tables split over continued slides.
pub fn prepare(deck: &mut Deck) {
    let ja = deck.lang().is_ja();
    let body_height = body_height_em(deck.meta.aspect);
    let mut slides = Vec::with_capacity(deck.slides.len());
    for mut slide in std::mem::take(&mut deck.slides) {
        attach_notes(&mut slide);
        let compare = slide.classes.iter().any(|c| c == "compare");
        for block in &mut slide.blocks {
            if let Block::Table(table) = block {
                table.header_column = compare || first_column_is_labels(table);
                // Sizes are estimated from the phrases the theme will keep together.
                crate::phrases::keep_table(table);
            }
        }
        slides.extend(split(slide, body_height, ja));
    }
    deck.slides = slides;
}

/// Moves `※…` paragraphs that follow a table into the table.
fn attach_notes(slide: &mut Slide) {
    let mut out: Vec<Block> = Vec::with_capacity(slide.blocks.len());
    for block in std::mem::take(&mut slide.blocks) {
        if let Block::Paragraph { inlines, .. } = &block
            && plain_text(inlines).trim_start().starts_with('※')
            && let Some(Block::Table(table)) = out.last_mut()
        {
            table.notes.push(inlines.clone());
            continue;
        }
        out.push(block);
    }
    slide.blocks = out;
}

/// An empty top-left cell is the usual sign of row labels in the first column.
fn first_column_is_labels(table: &Table) -> bool {
    table.header.len() > 1
        && table.header.first().is_some_and(|c| plain_text(c).trim().is_empty())
        && table.rows.iter().all(|r| r.first().is_some_and(|c| !plain_text(c).trim().is_empty()))
}

/// What the title, footer and margins leave of a slide for its body, in body-size ems
/// (the seminar type scale: 24 pt body on 28 cm wide slides).
fn body_height_em(aspect: Aspect) -> f64 {
    let page_cm = match aspect {
        Aspect::Wide => 15.75,
        Aspect::Standard => 21.0,
        Aspect::Sixteen10 => 17.5,
    };
    // Margins 1.0 cm, footer 0.95 cm, title with its rule ~2.5 cm.
    (page_cm - 4.5) / 2.54 * 72.0 / 24.0
}

/// Text width of a content slide in body-size ems (28 cm less two 1.6 cm margins).
const BODY_WIDTH_EM: f64 = (28.0 - 3.2) / 2.54 * 72.0 / 24.0;

/// A slide whose only body is one tall table becomes several, each with a part of the
/// rows under the repeated header; anything else comes back as it is.
fn split(slide: Slide, body_height: f64, ja: bool) -> Vec<Slide> {
    let tables: Vec<usize> =
        slide.blocks.iter().enumerate().filter(|(_, b)| matches!(b, Block::Table(_))).map(|(i, _)| i).collect();
    let others = slide.blocks.iter().filter(|b| !matches!(b, Block::Table(_) | Block::SourceLine { .. })).count();
    let [index] = tables.as_slice() else { return vec![slide] };
    if others > 0 || slide.blocks.iter().any(|b| matches!(b, Block::Pause { .. })) {
        return vec![slide];
    }
    let Block::Table(table) = &slide.blocks[*index] else { unreachable!() };
    // Room for the table: less the slide's footnotes and sources, less a second title
    // line where the title wraps; the last part also holds the notes under the table.
    let note_lines: f64 = table.notes.iter().map(|n| (extent(n) * 0.6 / BODY_WIDTH_EM).ceil().max(1.0)).sum();
    let footer_lines = slide.footnote_refs.len() as f64
        + slide.blocks.iter().filter(|b| matches!(b, Block::SourceLine { .. })).count() as f64;
    let title = slide.title.as_deref().map(extent).unwrap_or(0.0);
    let mark = if ja { "（続き）" } else { " (cont.)" };
    let room = |first: bool, last: bool| {
        let title = if first { title } else { title + extent(&[Inline::Text(mark.to_string())]) };
        let title_lines = title_lines(title);
        let notes = if last { note_lines * 0.6 * 1.45 + 0.3 } else { 0.0 };
        body_height - footer_lines * 0.6 * 1.45 - (title_lines - 1.0) * TITLE_LINE_EM - notes - 0.5
    };
    let estimate = Estimate::new(table);
    let header = estimate.header_height(LEGIBLE_SCALE);
    let heights: Vec<f64> = table.rows.iter().map(|r| estimate.row_height(r, LEGIBLE_SCALE)).collect();
    if header + heights.iter().sum::<f64>() <= room(true, true) || table.rows.len() < 2 {
        return vec![slide];
    }
    // The fewest parts that each fit at a legible size, cut so that the fullest part is
    // as little full as can be: the parts come out about equally full, and the theme
    // then sets each as large as its slide allows. The fewest that fit are found by
    // bisection (more parts never fit worse), from no fewer than the rows' total height
    // needs, so that long tables stay quick.
    let rows = table.rows.len();
    let widest_room = room(true, false).max(room(false, false)).max(room(false, true));
    let fewest = ((heights.iter().sum::<f64>() / (widest_room - header).max(0.1)).ceil() as usize).clamp(2, rows);
    let fitting = |count| balanced(&heights, header, count, &room).filter(|(fullest, _)| *fullest <= 1.0);
    let parts = match fitting(rows) {
        // At worst one row a slide.
        None => (0..rows).map(|i| i..i + 1).collect(),
        Some((_, one_each)) => {
            let (mut lo, mut hi) = (fewest, rows);
            let mut found = one_each;
            while lo < hi {
                let mid = (lo + hi) / 2;
                match fitting(mid) {
                    Some((_, parts)) => {
                        found = parts;
                        hi = mid;
                    }
                    None => lo = mid + 1,
                }
            }
            found
        }
    };
    let last = parts.len() - 1;
    parts
        .into_iter()
        .enumerate()
        .map(|(k, range)| {
            let mut part = slide.clone();
            if let Block::Table(t) = &mut part.blocks[*index] {
                t.rows = t.rows[range].to_vec();
                // The notes qualify the whole table: they close its last part.
                if k < last {
                    t.notes.clear();
                }
            }
            if k > 0 {
                part.id = format!("{}--{}", slide.id, k + 1);
                part.title.get_or_insert_with(Vec::new).push(Inline::Text(mark.to_string()));
            }
            // Each part lists only the footnotes its own rows and notes refer to.
            let refs = footnotes_of(&part.blocks);
            part.footnote_refs.retain(|n| refs.contains(n));
            part
        })
        .collect()
}

/// `count` contiguous ranges of rows, each under the repeated header, that make the
/// fullest part (its height over the room `room(first, last)` leaves it) as little full
/// as possible, with that fullness; `None` for more parts than rows.
fn balanced(
    heights: &[f64],
    header: f64,
    count: usize,
    room: &dyn Fn(bool, bool) -> f64,
) -> Option<(f64, Vec<std::ops::Range<usize>>)> {
    let n = heights.len();
    if count == 0 || count > n {
        return None;
    }
    let mut prefix = vec![0.0; n + 1];
    for (i, h) in heights.iter().enumerate() {
        prefix[i + 1] = prefix[i] + h;
    }
    let fullness = |start: usize, end: usize, part: usize| {
        (header + prefix[end] - prefix[start]) / room(part == 0, part + 1 == count).max(0.1)
    };
    // best[k][i]: rows 0..i cut into k + 1 parts with the least full fullest part and,
    // among those, the fullest emptiest part (no stub of a last slide), and where its last
    // part starts. Only parts that fit are tried (a part grows upwards until it
    // overflows), which keeps long tables quick.
    let mut best = vec![vec![(f64::INFINITY, 0.0f64, 0usize); n + 1]; count];
    for (i, cell) in best[0].iter_mut().enumerate().skip(1) {
        let part = fullness(0, i, 0);
        *cell = (part, part, 0);
    }
    for k in 1..count {
        for i in k + 1..=n {
            for start in (k..i).rev() {
                let part = fullness(start, i, k);
                if part > 1.0 && start + 1 < i {
                    break;
                }
                let (before_worst, before_least, _) = best[k - 1][start];
                let (worst, least) = (before_worst.max(part), before_least.min(part));
                let (best_worst, best_least, _) = best[k][i];
                if worst < best_worst - 1e-9 || (worst <= best_worst + 1e-9 && least > best_least + 1e-9) {
                    best[k][i] = (worst, least, start);
                }
            }
        }
    }
    let fullest = best[count - 1][n].0;
    let mut parts = Vec::with_capacity(count);
    let mut end = n;
    for k in (0..count).rev() {
        let start = if k == 0 { 0 } else { best[k][end].2 };
        parts.push(start..end);
        end = start;
    }
    parts.reverse();
    Some((fullest, parts))
}

/// Lines a slide title of `extent` ems takes at the title size (34 pt over a 24 pt body);
/// Latin and punctuation run a little narrower than the estimate.
fn title_lines(extent: f64) -> f64 {
    (extent * 0.95 * TITLE_SCALE / BODY_WIDTH_EM).ceil().clamp(1.0, 2.0)
}

const TITLE_SCALE: f64 = 34.0 / 24.0;
/// A second title line, in body-size ems (the title's size and leading).
const TITLE_LINE_EM: f64 = TITLE_SCALE * 1.2;

fn footnotes_of(blocks: &[Block]) -> Vec<usize> {
    fn walk(inlines: &[Inline], out: &mut Vec<usize>) {
        for inline in inlines {
            match inline {
                Inline::FootnoteRef(n) => out.push(*n),
                other => walk(other.children().unwrap_or_default(), out),
            }
        }
    }
    let mut out = Vec::new();
    for block in blocks {
        match block {
            Block::Table(t) => {
                t.header.iter().chain(t.rows.iter().flatten()).chain(&t.notes).for_each(|c| walk(c, &mut out))
            }
            Block::Paragraph { inlines, .. } | Block::SourceLine { inlines, .. } => walk(inlines, &mut out),
            _ => {}
        }
    }
    out
}

/// Width of inline content set on one line, in ems (CJK 1, Latin about 0.55).
fn extent(inlines: &[Inline]) -> f64 {
    plain_text(inlines)
        .chars()
        .filter(|&c| c != crate::phrases::JOINER && c != crate::phrases::BREAK)
        .map(|c| {
            if crate::lang::is_cjk(c) {
                1.0
            } else if c == ' ' {
                0.3
            } else {
                0.56
            }
        })
        .sum()
}

/// Per column, the widest thing that cannot break (a glued phrase, a word, plus a list
/// item's marker), in ems: the narrowest the column can be.
pub fn min_widths_em(table: &Table) -> Vec<f64> {
    let columns = table.header.len().max(table.rows.iter().map(Vec::len).max().unwrap_or(0)).max(1);
    let mut min = vec![1.0f64; columns];
    for row in std::iter::once(&table.header).chain(&table.rows) {
        for (i, cell) in row.iter().enumerate().take(columns) {
            // A little slack: a run exactly as wide as its column would wrap on rounding.
            min[i] = min[i].max(cell_min_em(cell, 0.0) + 0.4);
        }
    }
    min
}

/// Per column, the widest line (a cell's text up to a `<br>`, or a list item), in ems:
/// the width beyond which a column gains nothing.
pub fn max_widths_em(table: &Table) -> Vec<f64> {
    Estimate::new(table).max
}

fn cell_min_em(inlines: &[Inline], indent: f64) -> f64 {
    let mut widest = 0.0f64;
    for inline in inlines {
        let w = match inline {
            Inline::Text(t) => crate::phrases::longest_unbreakable_em(t) + indent,
            Inline::Code(t) => {
                t.split_whitespace().map(|w| w.chars().count() as f64 * 0.6).fold(0.0, f64::max) + indent
            }
            Inline::Item { children, .. } => cell_min_em(children, indent + 1.3),
            other => cell_min_em(other.children().unwrap_or_default(), indent),
        };
        widest = widest.max(w);
    }
    widest
}

/// A cell as lines of text: each `<br>` and each list item starts a line; items are
/// indented by their marker.
fn cell_pieces(cell: &[Inline]) -> Vec<(f64, f64)> {
    let mut pieces = vec![(0.0, 0.0)]; // (width in em, indent in em)
    for inline in cell {
        match inline {
            Inline::LineBreak => pieces.push((0.0, 0.0)),
            Inline::Item { children, .. } => {
                pieces.push((extent(children), 1.1));
                pieces.push((0.0, 0.0));
            }
            other => pieces.last_mut().expect("a first piece").0 += extent(std::slice::from_ref(other)),
        }
    }
    pieces.retain(|p| p.0 > 0.0);
    if pieces.is_empty() {
        pieces.push((0.0, 0.0));
    }
    pieces
}

/// Row heights of a table at a text size, in body-size ems, from the widths its columns
/// would get (the CSS automatic table layout the theme also uses).
struct Estimate {
    /// Per column: widest line and widest unbreakable run (a phrase), in ems.
    max: Vec<f64>,
    min: Vec<f64>,
    header: Vec<Vec<(f64, f64)>>,
}

/// Cell padding on each side, in ems of the table text.
const PAD_X: f64 = 0.6;
const PAD_Y: f64 = 0.36;
/// Line pitch (cap height plus the theme's 0.4 em leading) and the space between the
/// paragraphs or list items of one cell.
const LEADING: f64 = 1.12;
/// The leading is only between lines: a one-line cell is a cap height tall.
const FIRST_LINE: f64 = LEADING - 0.4;
const PIECE_GAP: f64 = 0.4;

impl Estimate {
    fn new(table: &Table) -> Estimate {
        let columns = table.header.len().max(table.rows.iter().map(Vec::len).max().unwrap_or(0)).max(1);
        let mut max = vec![1.0f64; columns];
        let mut min = vec![1.0f64; columns];
        for row in std::iter::once(&table.header).chain(&table.rows) {
            for (i, cell) in row.iter().enumerate().take(columns) {
                for (w, indent) in cell_pieces(cell) {
                    max[i] = max[i].max(w + indent);
                    // At least a few characters wide (the phrases are added below).
                    min[i] = min[i].max(w.min(2.0) + indent);
                }
            }
        }
        for (m, phrase) in min.iter_mut().zip(min_widths_em(table)) {
            *m = m.max(phrase);
        }
        let header = table.header.iter().map(|c| cell_pieces(c)).collect();
        Estimate { max, min, header }
    }

    /// Column text widths, in ems of the table text, for a table `width` ems wide.
    fn widths(&self, width: f64) -> Vec<f64> {
        let room = width - 2.0 * PAD_X * self.max.len() as f64;
        let (sum_max, sum_min): (f64, f64) = (self.max.iter().sum(), self.min.iter().sum());
        if sum_max <= room {
            return self.max.iter().map(|m| m * room / sum_max).collect();
        }
        if sum_min >= room {
            return self.min.iter().map(|m| m * room / sum_min).collect();
        }
        let spread = sum_max - sum_min;
        self.min.iter().zip(&self.max).map(|(lo, hi)| lo + (room - sum_min) * (hi - lo) / spread).collect()
    }

    /// A cell's height in lines of text (gaps between its pieces counted as lines).
    fn cell_lines(pieces: &[(f64, f64)], width: f64) -> f64 {
        let lines: f64 = pieces.iter().map(|(w, indent)| (w / (width - indent).max(1.0)).ceil().max(1.0)).sum();
        lines + (pieces.len().saturating_sub(1)) as f64 * PIECE_GAP / LEADING
    }

    /// Height of one row at `scale` × the body size, in body-size ems.
    fn row_height(&self, row: &[Vec<Inline>], scale: f64) -> f64 {
        let widths = self.widths(BODY_WIDTH_EM / scale);
        let lines = row
            .iter()
            .zip(&widths)
            .map(|(cell, w)| Estimate::cell_lines(&cell_pieces(cell), *w))
            .fold(1.0f64, f64::max);
        (lines * LEADING - LEADING + FIRST_LINE + 2.0 * PAD_Y) * scale
    }

    /// Height of the header row at `scale` × the body size, in body-size ems.
    fn header_height(&self, scale: f64) -> f64 {
        let widths = self.widths(BODY_WIDTH_EM / scale);
        let header_lines =
            self.header.iter().zip(&widths).map(|(c, w)| Estimate::cell_lines(c, *w)).fold(1.0f64, f64::max);
        (header_lines * LEADING - LEADING + FIRST_LINE + 2.0 * PAD_Y) * scale
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn balanced_parts() {
        let even = |_: bool, _: bool| 10.0;
        let parts = |h: &[f64], count| balanced(h, 0.0, count, &even).unwrap().1;
        assert_eq!(parts(&[1.0, 1.0, 1.0, 1.0], 2), vec![0..2, 2..4]);
        assert_eq!(parts(&[5.0, 1.0, 1.0], 2), vec![0..1, 1..3]);
        assert_eq!(parts(&[1.0, 1.0, 1.0], 3), vec![0..1, 1..2, 2..3]);
        assert_eq!(parts(&[3.0, 7.0, 5.0, 1.5, 1.5], 2), vec![0..2, 2..5]);
        assert!(balanced(&[1.0], 0.0, 2, &even).is_none());
        // The last part also holds the notes: it takes fewer rows.
        let notes = |_: bool, last: bool| if last { 6.0 } else { 10.0 };
        assert_eq!(balanced(&[2.0; 8], 0.0, 2, &notes).unwrap().1, vec![0..5, 5..8]);
        // Where the fullest part is fixed, no stub is left: the emptiest part is filled.
        assert_eq!(parts(&[8.0, 4.0, 1.0, 1.0], 3), vec![0..1, 1..2, 2..4]);
        // Long tables: one row a part when each takes more than half a slide.
        let long = vec![5.5; 600];
        let (fullest, cut) = balanced(&long, 0.0, 600, &even).unwrap();
        assert!(fullest <= 1.0 && cut.len() == 600);
        assert!(balanced(&long, 0.0, 400, &even).unwrap().0 > 1.0);
        // The header repeats on every part; the fullest part is reported.
        let (fullest, _) = balanced(&[4.0, 4.0], 1.0, 2, &even).unwrap();
        assert!((fullest - 0.5).abs() < 1e-9);
    }
}
