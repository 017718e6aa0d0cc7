//! Chooses each slide's layout and adds the generated slides (title, agenda, sources).

pub mod flow;

use crate::ids::Ids;
use crate::model::*;

/// Lays out the deck in place: infers layouts, places flow diagrams, adds generated slides.
pub fn layout(deck: &mut Deck) {
    for slide in &mut deck.slides {
        if slide.layout.is_none() {
            slide.layout = Some(infer(slide));
        }
        slide.visit_blocks_mut(&mut |block| {
            if let Block::Flow { flow: diagram, .. } = block {
                diagram.placement = Some(flow::place(diagram));
            }
        });
    }
    let mut ids = Ids::taken_by(&deck.slides);
    let mut generated_front = Vec::new();
    let span =
        deck.meta.span.unwrap_or_else(|| deck.slides.first().map(|s| s.span).expect("a deck has a slide or a title"));
    if !deck.meta.marp && deck.meta.title.is_some() {
        let mut title = Slide::new(SlideKind::Title, span);
        title.id = ids.claim("title");
        title.layout = Some(Layout::Title);
        generated_front.push(title);
    }
    if deck.meta.toc {
        let mut agenda = Slide::new(SlideKind::Agenda, span);
        agenda.id = ids.claim("agenda");
        agenda.layout = Some(Layout::Agenda);
        generated_front.push(agenda);
    }
    deck.slides.splice(0..0, generated_front);
    if deck.meta.sources_slide {
        // As many slides as the list needs, each readable from the back of the room.
        let entries = source_entries(deck);
        let (max_entries, max_chars) = if deck.meta.sources_qr { (4, 600) } else { (8, 1000) };
        let mut chunks: Vec<std::ops::Range<usize>> = Vec::new();
        let (mut start, mut chars) = (0, 0);
        for (i, entry) in entries.iter().enumerate() {
            let weight = entry.weight(deck);
            if i > start && (i - start >= max_entries || chars + weight > max_chars) {
                chunks.push(start..i);
                (start, chars) = (i, 0);
            }
            chars += weight;
        }
        if start < entries.len() {
            chunks.push(start..entries.len());
        }
        let weights: Vec<usize> = entries.iter().map(|e| e.weight(deck)).collect();
        let chunks = spread_evenly(&weights, chunks.len(), max_entries, max_chars).unwrap_or(chunks);
        for range in chunks {
            let mut sources = Slide::new(SlideKind::Sources, span);
            sources.id = ids.claim("sources");
            sources.layout = Some(Layout::Content);
            sources.sources_range = Some(range);
            deck.slides.push(sources);
        }
    }
}

/// The entries split into `count` (or, when they do not fit, a few more) consecutive
/// slides of nearly equal length, so a list of 11 reads 3, 3, 3, 2 rather than 4, 3, 3, 1.
/// `None` when no even split fits the limits.
fn spread_evenly(
    weights: &[usize],
    count: usize,
    max_entries: usize,
    max_chars: usize,
) -> Option<Vec<std::ops::Range<usize>>> {
    let n = weights.len();
    (count.max(1)..=n.max(1)).take(3).find_map(|slides| {
        let (base, extra) = (n / slides, n % slides);
        let mut ranges = Vec::with_capacity(slides);
        let mut start = 0;
        for i in 0..slides {
            let len = base + usize::from(i < extra);
            ranges.push(start..start + len);
            start += len;
        }
        ranges
            .iter()
            .all(|r| r.len() <= max_entries && (r.len() <= 1 || weights[r.clone()].iter().sum::<usize>() <= max_chars))
            .then_some(ranges)
    })
}

/// One line of the sources list: a footnote or citation (listed once, with every slide
/// that refers to it) or a source line.
pub struct SourceEntry<'d> {
    /// 1-based slide numbers.
    pub slides: Vec<usize>,
    pub footnote: Option<usize>,
    pub source_line: Option<(&'d [Inline], crate::diag::Span)>,
}

impl SourceEntry<'_> {
    fn weight(&self, deck: &Deck) -> usize {
        let text = match (self.footnote, &self.source_line) {
            (Some(n), _) => {
                let f = &deck.footnotes[n - 1];
                // A citation's entry is made by Typst; count it as a long one.
                if f.citation.is_some() { 160 } else { plain_text(&f.body).chars().count() }
            }
            (None, Some((inlines, _))) => plain_text(inlines).chars().count(),
            (None, None) => 0,
        };
        text.max(40) + 20
    }
}

/// Every footnote, citation and source line of the deck, in deck order.
pub fn source_entries(deck: &Deck) -> Vec<SourceEntry<'_>> {
    let mut entries: Vec<SourceEntry> = Vec::new();
    for (index, slide) in deck.slides.iter().enumerate() {
        for &n in &slide.footnote_refs {
            match entries.iter_mut().find(|e| e.footnote == Some(n)) {
                Some(entry) => entry.slides.push(index + 1),
                None => entries.push(SourceEntry { slides: vec![index + 1], footnote: Some(n), source_line: None }),
            }
        }
        for block in &slide.blocks {
            if let Block::SourceLine { inlines, span } = block {
                entries.push(SourceEntry {
                    slides: vec![index + 1],
                    footnote: None,
                    source_line: Some((inlines, *span)),
                });
            }
        }
    }
    entries
}

/// docs/deck-format.md §4: only a blockquote → quote; only an image → figure; only a table →
/// table; columns → columns; otherwise content.
pub fn infer(slide: &Slide) -> Layout {
    let body: Vec<&Block> =
        slide.blocks.iter().filter(|b| !matches!(b, Block::SourceLine { .. } | Block::Pause { .. })).collect();
    match body.as_slice() {
        [Block::Quote { .. }] => Layout::Quote,
        [Block::Image { .. }] => Layout::Figure,
        [Block::Table(_)] => Layout::Table,
        [Block::Chart(_)] | [Block::Flow { .. }] => Layout::Chart,
        [Block::List(list)] if list.ordered && slide.classes.iter().any(|c| c == "steps") => Layout::Steps,
        blocks if blocks.iter().any(|b| matches!(b, Block::Columns { .. })) => Layout::Columns,
        _ => Layout::Content,
    }
}

/// Titles of the agenda: the section slides, or the slide titles when there are none.
pub fn agenda_items(deck: &Deck) -> Vec<&[Inline]> {
    let sections: Vec<&[Inline]> =
        deck.slides.iter().filter(|s| s.kind == SlideKind::Section).filter_map(|s| s.title.as_deref()).collect();
    if !sections.is_empty() {
        return sections;
    }
    deck.slides.iter().filter(|s| s.kind == SlideKind::Content).filter_map(|s| s.title.as_deref()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{FileIdx, Span};

    fn slide_with(blocks: Vec<Block>) -> Slide {
        let mut s = Slide::new(SlideKind::Content, Span::new(FileIdx(0), 0..1));
        s.blocks = blocks;
        s
    }

    #[test]
    fn inference() {
        let sp = Span::new(FileIdx(0), 0..1);
        let quote = Block::Quote { blocks: vec![], attribution: None, span: sp };
        assert_eq!(infer(&slide_with(vec![quote.clone()])), Layout::Quote);
        let src = Block::SourceLine { inlines: vec![], span: sp };
        assert_eq!(infer(&slide_with(vec![quote, src])), Layout::Quote);
        let table = Block::Table(Table {
            align: vec![],
            header: vec![],
            rows: vec![],
            header_column: false,
            notes: vec![],
            span: sp,
        });
        assert_eq!(infer(&slide_with(vec![table])), Layout::Table);
        let para = Block::Paragraph { inlines: vec![], span: sp };
        assert_eq!(infer(&slide_with(vec![para])), Layout::Content);
    }
}
