//! Pages per slide: the one answer to "which PDF pages show slide N". Decided once, in
//! the layout stage, by [`plan`]; emit, the handout, the notes PDF, the `.pdfpc` file and
//! `lectern slides` all read it through [`Slide::step_ends`] and [`page_list`].
//!
//! A `<!-- pause -->` splits a content slide into steps, one page each. A pause that
//! would give a blank, repeated or title-only step is dropped here with a warning at its
//! line, so every page that remains shows something new.

use crate::diag::{Diagnostic, Span};
use crate::model::{Block, Deck, Layout, Slide, SlideKind};

/// A list with pauses inside its items (or on an `{.incremental}` slide) becomes lists
/// of the items of each step with pauses between them, so every step is a prefix of the
/// slide's blocks like any other.
fn split_lists(blocks: Vec<Block>, incremental: bool) -> Vec<Block> {
    let mut out = Vec::new();
    for block in blocks {
        let Block::List(list) = block else {
            out.push(block);
            continue;
        };
        let mut chunk = crate::model::List { items: vec![], ..list.clone() };
        let count = list.items.len();
        for (i, mut item) in list.items.into_iter().enumerate() {
            // A pause in a nested list steps at the item that holds it.
            let pause = item.pause_after.take().or_else(|| nested_pause(&item.blocks));
            let pause = pause.or((incremental && i + 1 < count).then_some(list.span));
            chunk.items.push(item);
            if let Some(span) = pause {
                let next_start = chunk.start + chunk.items.len();
                let rest = crate::model::List { items: vec![], start: next_start, ..chunk.clone() };
                out.push(Block::List(std::mem::replace(&mut chunk, rest)));
                out.push(Block::Pause { span });
            }
        }
        if !chunk.items.is_empty() {
            out.push(Block::List(chunk));
        }
    }
    out
}

/// The partial steps of a slide: the blocks before each pause, columns and quotes up to
/// each pause inside them, and on an `{.incremental}` slide a table growing row by row and
/// columns filling one by one. Empty when there are none beyond the pauses' own.
fn incremental_views(blocks: &[Block], incremental: bool) -> Vec<Vec<Block>> {
    let mut views = Vec::new();
    let mut shown: Vec<Block> = Vec::new();
    let mut grows = false;
    for block in blocks {
        match block {
            Block::Pause { .. } => views.push(shown.clone()),
            _ if has_inner_pause(block) => {
                grows = true;
                for (c, part) in parts(block).into_iter().enumerate() {
                    for (j, _) in part.iter().enumerate().filter(|(_, b)| matches!(b, Block::Pause { .. })) {
                        views.push([shown.clone(), vec![partial(block, c, j)]].concat());
                    }
                }
            }
            Block::Table(table) if incremental && table.rows.len() > 1 => {
                grows = true;
                for rows in 1..table.rows.len() {
                    // Rows still to come are kept, blank, so the table keeps its place.
                    let blank = |row: &Vec<Vec<crate::model::Inline>>| {
                        row.iter().map(|_| vec![crate::model::Inline::Text("\u{a0}".into())]).collect()
                    };
                    let rows = table.rows.iter().enumerate().map(|(i, r)| if i < rows { r.clone() } else { blank(r) });
                    let partial = crate::model::Table { rows: rows.collect(), ..table.clone() };
                    views.push([shown.clone(), vec![Block::Table(partial)]].concat());
                }
            }
            Block::Columns { columns, span } if incremental && columns.len() > 1 => {
                grows = true;
                for filled in 1..columns.len() {
                    let partial: Vec<crate::model::Column> = columns
                        .iter()
                        .enumerate()
                        .map(|(i, c)| crate::model::Column {
                            width_percent: c.width_percent,
                            blocks: if i < filled { c.blocks.clone() } else { vec![] },
                        })
                        .collect();
                    views.push([shown.clone(), vec![Block::Columns { columns: partial, span: *span }]].concat());
                }
            }
            _ => {}
        }
        shown.push(block.clone());
    }
    if grows { views } else { vec![] }
}

/// The parts of a block that a pause inside it steps through, in reading order: the
/// columns of columns, the body of a quote.
fn parts(block: &Block) -> Vec<&[Block]> {
    match block {
        Block::Columns { columns, .. } => columns.iter().map(|c| c.blocks.as_slice()).collect(),
        Block::Quote { blocks, .. } => vec![blocks.as_slice()],
        _ => vec![],
    }
}

fn parts_mut(block: &mut Block) -> Vec<&mut Vec<Block>> {
    match block {
        Block::Columns { columns, .. } => columns.iter_mut().map(|c| &mut c.blocks).collect(),
        Block::Quote { blocks, .. } => vec![blocks],
        _ => vec![],
    }
}

/// Whether a block holds a pause: in a column (or between two), or in a quote.
fn has_inner_pause(block: &Block) -> bool {
    parts(block).iter().any(|part| part.iter().any(|b| matches!(b, Block::Pause { .. })))
}

/// `block` as shown at the pause that is block `j` of its part `c`: earlier parts whole,
/// part `c` up to the pause, later parts empty (kept, so every column keeps its place);
/// a quote's attribution comes with its last step.
fn partial(block: &Block, c: usize, j: usize) -> Block {
    let mut shown = block.clone();
    if let Block::Quote { attribution, .. } = &mut shown {
        *attribution = None;
    }
    for (i, part) in parts_mut(&mut shown).into_iter().enumerate() {
        match i.cmp(&c) {
            std::cmp::Ordering::Less => {}
            std::cmp::Ordering::Equal => part.truncate(j),
            std::cmp::Ordering::Greater => part.clear(),
        }
    }
    shown
}

/// Where a pause or block sits on a slide: a block of the slide, or block `j` of part
/// `c` (a column, a quote's body) of the slide's block `i`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Place {
    Slide(usize),
    Inside(usize, usize, usize),
}

/// The slide's pauses (with their span) and shown blocks (`None`) in reading order;
/// columns that hold pauses are read column by column, a quote's body block by block.
fn timeline(blocks: &[Block]) -> Vec<(Place, Option<Span>)> {
    let mut out = Vec::new();
    for (i, block) in blocks.iter().enumerate() {
        match block {
            Block::Pause { span } => out.push((Place::Slide(i), Some(*span))),
            _ if has_inner_pause(block) => {
                for (c, part) in parts(block).into_iter().enumerate() {
                    for (j, inner) in part.iter().enumerate() {
                        match inner {
                            Block::Pause { span } => out.push((Place::Inside(i, c, j), Some(*span))),
                            b if shows_something(b) => out.push((Place::Inside(i, c, j), None)),
                            _ => {}
                        }
                    }
                }
            }
            b if shows_something(b) => out.push((Place::Slide(i), None)),
            _ => {}
        }
    }
    out
}

/// Removes the blocks at `places` (last first, so earlier places stay valid).
fn remove_places(blocks: &mut Vec<Block>, mut places: Vec<Place>) {
    places.sort();
    for place in places.into_iter().rev() {
        match place {
            Place::Slide(i) => {
                blocks.remove(i);
            }
            Place::Inside(i, c, j) => {
                parts_mut(&mut blocks[i])[c].remove(j);
            }
        }
    }
}

fn nested_pause(blocks: &[Block]) -> Option<Span> {
    blocks.iter().find_map(|b| match b {
        Block::List(list) => list.items.iter().find_map(|i| i.pause_after.or_else(|| nested_pause(&i.blocks))),
        _ => None,
    })
}

/// Drops every pause that cannot make a step of its own (with a warning), and slides
/// that held nothing but such pauses.
pub fn plan(deck: &mut Deck) -> Vec<Diagnostic> {
    let mut warnings = Vec::new();
    if deck.meta.steps == Some(false) {
        for slide in &mut deck.slides {
            show_at_once(slide);
        }
    }
    for slide in &mut deck.slides {
        let incremental = slide.classes.iter().any(|c| c == "incremental");
        let has_item_pause = |b: &Block| matches!(b, Block::List(l) if l.items.iter().any(|i| i.pause_after.is_some() || nested_pause(&i.blocks).is_some()));
        if incremental || slide.blocks.iter().any(has_item_pause) {
            slide.blocks = split_lists(std::mem::take(&mut slide.blocks), incremental);
        }
        if !slide.blocks.iter().any(|b| matches!(b, Block::Pause { .. }) || has_inner_pause(b)) {
            continue;
        }
        let one_page = match (slide.kind, slide.layout) {
            (SlideKind::Content, Some(Layout::End)) => Some("an end slide"),
            (SlideKind::Content, _) => None,
            (SlideKind::Section, _) => Some("a section slide"),
            (SlideKind::Title, _) => Some("the title slide"),
            _ => Some("this slide"),
        };
        // Every pause and shown block in reading order, pauses inside columns and quotes included.
        let timeline = timeline(&slide.blocks);
        let mut dropped: Vec<Place> = Vec::new();
        // The last accepted pause, and whether a visible block followed it.
        let mut last_pause: Option<(Place, Span)> = None;
        let mut shown = false;
        for &(place, pause) in &timeline {
            let Some(span) = pause else {
                shown = true;
                continue;
            };
            let reason = if let Some(what) = one_page {
                Some(format!("a pause on {what} is ignored: it has one page"))
            } else if !shown && last_pause.is_none() {
                Some("a pause before the slide's first block would give a page with only the title".to_string())
            } else if !shown {
                Some("a pause right after another pause would repeat the same page".to_string())
            } else {
                None
            };
            match reason {
                Some(reason) => {
                    dropped.push(place);
                    warnings.push(
                        Diagnostic::warning(span, format!("{reason}; dropped"))
                            .with_hint("put <!-- pause --> on its own line between two blocks of the slide"),
                    );
                }
                None => {
                    last_pause = Some((place, span));
                    shown = false;
                }
            }
        }
        if let Some((place, span)) = last_pause
            && !shown
        {
            dropped.push(place);
            warnings.push(
                Diagnostic::warning(span, "a pause at the end of the slide would repeat its last page; dropped")
                    .with_hint("put <!-- pause --> on its own line between two blocks of the slide"),
            );
        }
        remove_places(&mut slide.blocks, dropped);
    }
    for slide in &mut deck.slides {
        let incremental = slide.classes.iter().any(|c| c == "incremental");
        if slide.kind == SlideKind::Content && (incremental || slide.blocks.iter().any(has_inner_pause)) {
            slide.step_views = incremental_views(&slide.blocks, incremental);
        }
    }
    // A slide opened only by a pause (before the first heading) is now empty; one opened
    // only by a note after a section heading (whose slide takes no body) is no page
    // either: its notes belong to the section slide.
    let mut i = 0;
    while i < deck.slides.len() {
        let slide = &deck.slides[i];
        let notes_only = slide.title.is_none()
            && slide.blocks.is_empty()
            && slide.background.is_none()
            && slide.side_image.is_none()
            && slide.kind == SlideKind::Content;
        if notes_only && i > 0 && deck.slides[i - 1].kind == SlideKind::Section {
            let removed = deck.slides.remove(i);
            deck.slides[i - 1].notes.extend(removed.notes);
        } else {
            i += 1;
        }
    }
    deck.slides.retain(|s| !s.is_empty());
    warnings
}

/// A slide without steps: every pause (between blocks, in lists, columns and quotes)
/// removed and `{.incremental}` dropped, as another tool's PDF export shows a slide.
fn show_at_once(slide: &mut Slide) {
    fn strip(blocks: &mut Vec<Block>) {
        blocks.retain(|b| !matches!(b, Block::Pause { .. }));
        for block in blocks.iter_mut() {
            if let Block::List(list) = block {
                list.items.iter_mut().for_each(|item| item.pause_after = None);
            }
            block.child_blocks_mut().into_iter().for_each(strip);
        }
    }
    strip(&mut slide.blocks);
    slide.classes.retain(|c| c != "incremental");
}

/// Whether a block adds anything to the page (a source line only adds to the footer).
fn shows_something(block: &Block) -> bool {
    !matches!(block, Block::Pause { .. } | Block::SourceLine { .. })
}

/// One slide as the deck's PDF holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlidePages {
    /// 1-based slide number: also the page label every page of the slide carries.
    pub slide: usize,
    /// 1-based PDF page numbers of its steps; the last shows the whole slide.
    pub pages: Vec<usize>,
}

impl SlidePages {
    /// The page that shows the whole slide.
    pub fn last_page(&self) -> usize {
        *self.pages.last().expect("a slide has a page")
    }
}

/// Every slide with its PDF pages, in order.
pub fn page_list(deck: &Deck) -> Vec<SlidePages> {
    let mut page = 0;
    deck.slides
        .iter()
        .enumerate()
        .map(|(i, slide)| {
            let steps = slide.page_count();
            let pages = (page + 1..=page + steps).collect();
            page += steps;
            SlidePages { slide: i + 1, pages }
        })
        .collect()
}

/// The page label of every PDF page (the number of the slide it shows).
pub fn page_labels(deck: &Deck) -> Vec<usize> {
    page_list(deck).iter().flat_map(|s| s.pages.iter().map(move |_| s.slide)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{FileIdx, Span};
    use crate::model::{Inline, Slide};

    fn sp(n: usize) -> Span {
        Span::new(FileIdx(0), n..n + 1)
    }
    fn para(n: usize) -> Block {
        Block::Paragraph { inlines: vec![Inline::Text("x".into())], span: sp(n) }
    }
    fn pause(n: usize) -> Block {
        Block::Pause { span: sp(n) }
    }
    fn deck_of(slides: Vec<Slide>) -> Deck {
        Deck { meta: Default::default(), slides, footnotes: vec![], bibliography_urls: Default::default() }
    }
    fn content(blocks: Vec<Block>) -> Slide {
        let mut s = Slide::new(SlideKind::Content, sp(0));
        s.title = Some(vec![Inline::Text("t".into())]);
        s.blocks = blocks;
        s
    }

    #[test]
    fn useless_pauses_are_dropped_with_a_warning_each() {
        let mut deck = deck_of(vec![
            content(vec![pause(1), para(2), pause(3), pause(4), para(5), pause(6)]),
            content(vec![para(7), pause(8), para(9)]),
        ]);
        let warnings = plan(&mut deck);
        assert_eq!(warnings.len(), 3, "{warnings:?}");
        assert_eq!(deck.slides[0].page_count(), 2);
        assert_eq!(deck.slides[1].page_count(), 2);
        assert_eq!(
            page_list(&deck),
            vec![SlidePages { slide: 1, pages: vec![1, 2] }, SlidePages { slide: 2, pages: vec![3, 4] }]
        );
        assert_eq!(page_labels(&deck), vec![1, 1, 2, 2]);
    }

    #[test]
    fn notes_after_a_section_heading_belong_to_the_section_slide() {
        let mut section = Slide::new(SlideKind::Section, sp(0));
        section.title = Some(vec![Inline::Text("s".into())]);
        let mut notes_only = Slide::new(SlideKind::Content, sp(1));
        notes_only.notes = vec![crate::model::Note { text: "n".into(), span: sp(1) }];
        let mut deck = deck_of(vec![section, notes_only, content(vec![para(2)])]);
        assert!(plan(&mut deck).is_empty());
        assert_eq!(deck.slides.len(), 2);
        assert_eq!(deck.slides[0].notes.len(), 1);
    }

    #[test]
    fn end_and_section_slides_keep_one_page() {
        let mut end = content(vec![para(1), pause(2), para(3)]);
        end.layout = Some(Layout::End);
        let mut section = Slide::new(SlideKind::Section, sp(0));
        section.title = Some(vec![Inline::Text("s".into())]);
        section.blocks = vec![pause(4)];
        let mut only_pause = Slide::new(SlideKind::Content, sp(0));
        only_pause.blocks = vec![pause(5)];
        let mut deck = deck_of(vec![section, end, only_pause]);
        let warnings = plan(&mut deck);
        assert_eq!(warnings.len(), 3);
        // The slide made only of a pause is gone; the others have one page each.
        assert_eq!(deck.slides.len(), 2);
        assert_eq!(page_labels(&deck), vec![1, 2]);
    }
}
