//! Fit guesses. Most slide bodies fit their page at full size, and a fitting search finds
//! that out by laying the body out once to measure it, then again to place it: of a first
//! build's Typst time, the measuring of bodies that fit is the largest single part. So,
//! for a slide without a fit hint whose body is text only (its height does not depend on
//! the height it is given), lectern asks the theme to guess: the slide function gets
//! `deck: lectern-guess` (the deck with `guess: true`), and the seminar theme then places
//! the body at full size, unmeasured, between two markers: `<lectern-guess>` (holding
//! `room`, the height the body had) and `<lectern-guess-end>`. After the compile lectern
//! reads the markers' distance on the page, which is the body's height; a slide whose
//! body took more than its room is compiled again without the guess (the theme's search
//! then shrinks it), in the same World, so that every other slide comes from Typst's
//! cache. A theme that ignores `guess` places no markers and has nothing checked.

use std::collections::HashSet;

use typst::foundations::{Label, Selector, Value};
use typst::introspection::{Introspector, MetadataElem};
use typst::utils::PicoStr;
use typst_layout::PagedDocument;

use crate::model::{Block, Deck, Inline, Layout, Slide, SlideKind};

const START: &str = "lectern-guess";
const END: &str = "lectern-guess-end";
/// A body that runs over is broken at its room's end, and the end marker lands there:
/// a body that (within this) fills its room is taken as one that ran over, and searched.
const EPSILON_PT: f64 = 1e-3;

/// Whether the theme may guess that this slide's body fits: a content, columns, quotation
/// or statement slide whose blocks are text (paragraphs, headings, lists, quotations,
/// code, math, rules), tables at their natural size beside them, and columns of these;
/// without images, charts or diagrams, which the theme may size to the room they get.
pub fn guessable(slide: &Slide) -> bool {
    slide.kind == SlideKind::Content
        && matches!(
            slide.layout.unwrap_or(Layout::Content),
            Layout::Content | Layout::Columns | Layout::Quote | Layout::Statement
        )
        && slide.blocks.iter().all(text_only)
}

fn text_only(block: &Block) -> bool {
    match block {
        Block::Paragraph { inlines, .. } | Block::Heading { inlines, .. } | Block::SourceLine { inlines, .. } => {
            inlines.iter().all(inline_text_only)
        }
        Block::List(list) => list.items.iter().all(|item| item.blocks.iter().all(text_only)),
        Block::Quote { blocks, attribution, .. } => {
            blocks.iter().all(text_only) && attribution.iter().flatten().all(inline_text_only)
        }
        Block::Code { .. } | Block::Math { .. } | Block::Rule { .. } | Block::Pause { .. } => true,
        Block::Table(table) => {
            let mut cells = table.header.iter().chain(table.rows.iter().flatten()).chain(&table.notes);
            cells.all(|cell| cell.iter().all(inline_text_only))
        }
        Block::Columns { columns, .. } => columns.iter().all(|column| column.blocks.iter().all(text_only)),
        Block::Image { .. } | Block::Chart(_) | Block::Flow { .. } => false,
    }
}

fn inline_text_only(inline: &Inline) -> bool {
    match inline {
        Inline::Image(_) => false,
        Inline::Item { children, .. } => children.iter().all(inline_text_only),
        other => other.children().is_none_or(|children| children.iter().all(inline_text_only)),
    }
}

/// The slides (0-based) among `guessed` whose body did not fit the room it was guessed
/// into, or whose markers are not both on one page.
pub fn missed(document: &PagedDocument, deck: &Deck, guessed: &[bool]) -> HashSet<usize> {
    let (Some(start), Some(end)) = (Label::new(PicoStr::intern(START)), Label::new(PicoStr::intern(END))) else {
        return HashSet::new();
    };
    let introspector = document.introspector();
    let pages = crate::pages::page_list(deck);
    let slide_of = |page: usize| pages.iter().find(|s| s.pages.contains(&page)).map(|s| s.slide - 1);
    let mut missed = HashSet::new();
    // Starts and ends in document order: each start is closed by the end after it.
    let markers = introspector.query(&Selector::Or(vec![Selector::Label(start), Selector::Label(end)].into()));
    let mut open: Option<(usize, f64, f64)> = None;
    for marker in markers.iter() {
        let Some(position) = marker.location().and_then(|l| introspector.position(l)) else { continue };
        let (page, y) = (position.page.get(), position.point.y.to_pt());
        if marker.label() == Some(start) {
            if let Some((unclosed, ..)) = open {
                missed.extend(slide_of(unclosed));
            }
            let room = marker.to_packed::<MetadataElem>().and_then(|meta| match &meta.value {
                Value::Dict(dict) => match dict.get("room") {
                    Ok(Value::Length(room)) => Some(room.abs.to_pt()),
                    _ => None,
                },
                _ => None,
            });
            open = Some((page, y, room.unwrap_or(f64::NEG_INFINITY)));
        } else if let Some((start_page, start_y, room)) = open.take()
            && (start_page != page || y - start_y > room - EPSILON_PT)
        {
            missed.extend(slide_of(start_page));
        }
    }
    if let Some((unclosed, ..)) = open {
        missed.extend(slide_of(unclosed));
    }
    missed.retain(|&slide| guessed.get(slide) == Some(&true));
    missed
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether each slide of `text` may be guessed.
    fn guessable_slides(text: &str) -> Vec<bool> {
        let mut sources = crate::diag::Sources::default();
        let file = sources.add("deck.md", text);
        let mut deck = crate::parse::parse(text, file, &sources).expect("the deck parses").deck;
        crate::layout::layout(&mut deck);
        deck.slides.iter().map(guessable).collect()
    }

    #[test]
    fn only_content_slides_of_text_and_tables_are_guessed() {
        let deck = "---\ntitle: T\n---\n\n\
            # 章\n\n\
            ## 本文\n\n段落と *強調* と`コード`、[リンク](https://example.org)。\n\n- 項目\n  - 入れ子\n\n> 引用\n\n```\ncode\n```\n\n\
            ## 表\n\n前置き\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n\
            ## 表だけ {.table}\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n\
            ## 画像\n\n文\n\n![図](figures/a.png)\n\n\
            ## 手順 {.steps}\n\n1. 一\n2. 二\n\n\
            ## 宣言 {.statement}\n\n**一言**\n\n\
            ## 二段\n\n:::: columns\n::: column\n- 左\n:::\n::: column\n- 右\n:::\n::::\n\n\
            ## 図の段\n\n:::: columns\n::: column\n- 左\n:::\n::: column\n![図](figures/a.png)\n:::\n::::\n";
        // Title, section, text, table beside text, table slide, image, steps, statement,
        // columns of text, columns with an image.
        assert_eq!(guessable_slides(deck), [false, false, true, true, false, false, false, true, true, false]);
    }
}
