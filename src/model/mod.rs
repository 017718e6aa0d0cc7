//! The presentation model between the Markdown parser and the Typst emitter: no comrak
//! type crosses this line. Every element keeps the span of the Markdown it came from.

use crate::lang::Lang;

use crate::diag::Span;

mod meta;
pub use meta::{Aspect, Meta, ThemeOverrides, TitleBackground};

#[derive(Debug, Clone)]
pub struct Deck {
    pub meta: Meta,
    pub slides: Vec<Slide>,
    /// Footnote bodies, indexed by `number - 1` (numbered in order of first use).
    pub footnotes: Vec<Footnote>,
    /// `url` of each bibliography entry that has one (for QR codes).
    pub bibliography_urls: std::collections::HashMap<String, String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlideKind {
    Title,
    Agenda,
    Section,
    Content,
    Sources,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    Title,
    Section,
    Agenda,
    Content,
    Columns,
    Figure,
    Quote,
    Table,
    Chart,
    Statement,
    Steps,
    End,
}

impl Layout {
    pub const ALL: [Layout; 12] = [
        Layout::Title,
        Layout::Section,
        Layout::Agenda,
        Layout::Content,
        Layout::Columns,
        Layout::Figure,
        Layout::Quote,
        Layout::Table,
        Layout::Chart,
        Layout::Statement,
        Layout::Steps,
        Layout::End,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Layout::Title => "title",
            Layout::Section => "section",
            Layout::Agenda => "agenda",
            Layout::Content => "content",
            Layout::Columns => "columns",
            Layout::Figure => "figure",
            Layout::Quote => "quote",
            Layout::Table => "table",
            Layout::Chart => "chart",
            Layout::Statement => "statement",
            Layout::Steps => "steps",
            Layout::End => "end",
        }
    }

    pub fn from_name(name: &str) -> Option<Layout> {
        Layout::ALL.into_iter().find(|l| l.name() == name)
    }

    /// Marp's `class` values that mean one of our layouts.
    pub fn from_marp_class(class: &str) -> Option<Layout> {
        match class {
            "lead" => Some(Layout::Statement),
            "invert" => None,
            other => Layout::from_name(other),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Slide {
    pub kind: SlideKind,
    pub id: String,
    pub title: Option<Vec<Inline>>,
    /// Set explicitly by a directive or heading class; `None` means infer.
    pub layout: Option<Layout>,
    /// Extra classes for the theme (Marp `class`, heading classes that are not layouts).
    pub classes: Vec<String>,
    pub blocks: Vec<Block>,
    pub notes: Vec<Note>,
    /// Footnote numbers referenced on this slide, in order of first reference.
    pub footnote_refs: Vec<usize>,
    pub background: Option<Image>,
    pub side_image: Option<(Side, Image)>,
    /// Marp per-slide settings.
    pub paginate: Option<bool>,
    pub header: Option<String>,
    pub footer: Option<String>,
    pub background_color: Option<String>,
    pub color: Option<String>,
    /// Who made an included slide (shown on it, not repeated in the sources list).
    pub credit: Option<String>,
    /// For a sources slide: which entries of `layout::source_entries` it lists.
    pub sources_range: Option<std::ops::Range<usize>>,
    /// What each step but the last shows, when that is not simply the blocks before a
    /// pause (`{.incremental}` tables and columns); set by `pages::plan`.
    pub step_views: Vec<Vec<Block>>,
    pub span: Span,
}

impl Deck {
    /// The language the deck is in: as its front matter says, else as its title, slide
    /// titles and paragraphs show.
    pub fn lang(&self) -> Lang {
        if let Some(lang) = &self.meta.lang {
            return lang.clone();
        }
        let mut text = self.meta.title.clone().unwrap_or_default();
        for slide in &self.slides {
            if let Some(t) = &slide.title {
                text.push_str(&plain_text(t));
            }
            for block in &slide.blocks {
                if let Block::Paragraph { inlines, .. } = block {
                    text.push_str(&plain_text(inlines));
                }
            }
        }
        Lang::detect(&text)
    }
}

impl Slide {
    pub fn new(kind: SlideKind, span: Span) -> Self {
        Slide {
            kind,
            id: String::new(),
            title: None,
            layout: None,
            classes: vec![],
            blocks: vec![],
            notes: vec![],
            footnote_refs: vec![],
            background: None,
            side_image: None,
            paginate: None,
            header: None,
            footer: None,
            background_color: None,
            color: None,
            credit: None,
            sources_range: None,
            step_views: vec![],
            span,
        }
    }

    /// End index into `blocks` of each step (PDF page) of this slide; the last is the
    /// whole slide. Only content slides have steps: `pages::plan` drops other pauses.
    pub fn step_ends(&self) -> Vec<usize> {
        if self.kind != SlideKind::Content || self.layout == Some(Layout::End) {
            return vec![self.blocks.len()];
        }
        let pauses = self.blocks.iter().enumerate().filter(|(_, b)| matches!(b, Block::Pause { .. }));
        pauses.map(|(i, _)| i).chain([self.blocks.len()]).collect()
    }

    /// What each step (PDF page) of this slide shows; the last is the whole slide.
    pub fn step_blocks(&self) -> Vec<&[Block]> {
        if self.kind != SlideKind::Content || self.layout == Some(Layout::End) {
            return vec![&self.blocks];
        }
        if !self.step_views.is_empty() {
            return self.step_views.iter().map(Vec::as_slice).chain([self.blocks.as_slice()]).collect();
        }
        self.step_ends().into_iter().map(|end| &self.blocks[..end]).collect()
    }

    /// Number of PDF pages this slide takes.
    pub fn page_count(&self) -> usize {
        self.step_blocks().len()
    }

    pub fn is_empty(&self) -> bool {
        self.title.is_none()
            && self.blocks.is_empty()
            && self.background.is_none()
            && self.side_image.is_none()
            && self.notes.is_empty()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Left,
    Right,
}

#[derive(Debug, Clone)]
pub struct Note {
    pub text: String,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Footnote {
    pub label: String,
    pub number: usize,
    pub body: Vec<Inline>,
    pub span: Span,
    /// For a `[@key]` citation: the cited entries (the body is then their formatted
    /// text, see [`Citation::text`]).
    pub citation: Option<Vec<Citation>>,
}

#[derive(Debug, Clone)]
pub struct Citation {
    pub key: String,
    /// `p. 4` in `[@key, p. 4]`.
    pub locator: Option<String>,
    /// The entry in full as the deck's citation style prints it, set by `resolve`.
    pub text: Vec<Inline>,
}

#[derive(Debug, Clone)]
pub enum Block {
    Paragraph {
        inlines: Vec<Inline>,
        span: Span,
    },
    /// A heading deeper than the slide level, inside a slide.
    Heading {
        level: u8,
        inlines: Vec<Inline>,
        span: Span,
    },
    List(List),
    Quote {
        blocks: Vec<Block>,
        attribution: Option<Vec<Inline>>,
        span: Span,
    },
    Code {
        lang: Option<String>,
        text: String,
        span: Span,
    },
    Table(Table),
    Image {
        image: Image,
        span: Span,
    },
    Columns {
        columns: Vec<Column>,
        span: Span,
    },
    Math {
        text: String,
        span: Span,
    },
    /// `出典:` / `Source:` paragraph.
    SourceLine {
        inlines: Vec<Inline>,
        span: Span,
    },
    /// A ```chart block or a table plotted by `<!-- chart: … -->`; `chart` is filled in
    /// by `resolve` once the data is read and checked.
    Chart(Box<ChartBlock>),
    /// A ```flow diagram; `layout` places its boxes.
    Flow {
        flow: crate::flow::Flow,
        span: Span,
    },
    Rule {
        span: Span,
    },
    /// `<!-- pause -->`: what follows appears on the next step of the slide.
    Pause {
        span: Span,
    },
}

impl Block {
    pub fn span(&self) -> Span {
        match self {
            Block::Paragraph { span, .. }
            | Block::Heading { span, .. }
            | Block::Quote { span, .. }
            | Block::Code { span, .. }
            | Block::Image { span, .. }
            | Block::Columns { span, .. }
            | Block::Math { span, .. }
            | Block::SourceLine { span, .. }
            | Block::Flow { span, .. }
            | Block::Rule { span }
            | Block::Pause { span } => *span,
            Block::Chart(chart) => chart.span,
            Block::List(list) => list.span,
            Block::Table(table) => table.span,
        }
    }
}

#[derive(Debug, Clone)]
pub struct ChartBlock {
    pub spec: crate::chart::ChartSpec,
    /// Data from a Markdown table (`<!-- chart: … -->`), else from the spec.
    pub table: Option<crate::chart::DataTable>,
    pub chart: Option<crate::chart::Chart>,
    /// Deck line of the spec's first YAML line, and the YAML (empty for a table chart),
    /// for errors about one key.
    pub first_line: usize,
    pub yaml: String,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Column {
    /// Width as a percentage of the row (`width="40%"`), or `None` for an equal share.
    pub width_percent: Option<f64>,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone)]
pub struct List {
    pub ordered: bool,
    pub start: usize,
    pub tight: bool,
    pub items: Vec<ListItem>,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct ListItem {
    /// `Some(checked)` for a task-list item.
    pub task: Option<bool>,
    pub blocks: Vec<Block>,
    /// A `<!-- pause -->` inside the item (or at the start of the next): the list shows
    /// up to here on one step (`pages::plan` splits the list there).
    pub pause_after: Option<Span>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    None,
    Left,
    Center,
    Right,
}

#[derive(Debug, Clone)]
pub struct Table {
    pub align: Vec<Align>,
    pub header: Vec<Vec<Inline>>,
    pub rows: Vec<Vec<Vec<Inline>>>,
    /// The first column holds row labels (`{.compare}`, or an empty top-left cell).
    pub header_column: bool,
    /// `※1 …` paragraphs written right under the table, kept with it.
    pub notes: Vec<Vec<Inline>>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fit {
    Contain,
    Cover,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Length {
    Percent(f64),
    Pt(f64),
}

#[derive(Debug, Clone)]
pub struct Image {
    /// As written in the Markdown.
    pub src: String,
    /// Path relative to the deck's folder in the project's virtual space, resolved by
    /// `resolve` (possibly a converted copy).
    pub path: String,
    pub caption: Option<String>,
    pub alt: String,
    pub width: Option<Length>,
    pub height: Option<Length>,
    pub fit: Option<Fit>,
    /// Marp `bg` (full-bleed) or `bg left` / `bg right` (split).
    pub background: Option<Background>,
    pub span: Span,
}

impl Image {
    /// An image as written (`src`), not yet resolved, with nothing else said about it.
    pub fn new(src: &str, span: Span) -> Image {
        Image {
            src: src.to_string(),
            path: String::new(),
            caption: None,
            alt: String::new(),
            width: None,
            height: None,
            fit: None,
            background: None,
            span,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Background {
    Full,
    Split(Side),
}

#[derive(Debug, Clone)]
pub enum Inline {
    Text(String),
    /// A line break inside a paragraph that is not a hard break.
    SoftBreak,
    LineBreak,
    Code(String),
    Emph(Vec<Inline>),
    Strong(Vec<Inline>),
    Strike(Vec<Inline>),
    Underline(Vec<Inline>),
    Mark(Vec<Inline>),
    Kbd(Vec<Inline>),
    Sup(Vec<Inline>),
    Sub(Vec<Inline>),
    /// Only from a citation style (CSL `font-variant="small-caps"`).
    SmallCaps(Vec<Inline>),
    /// Only from a citation style (CSL `display="block"`): lines of their own.
    OwnLines(Vec<Inline>),
    Link {
        url: String,
        children: Vec<Inline>,
    },
    Math {
        text: String,
        span: Span,
    },
    FootnoteRef(usize),
    Image(Box<Image>),
    /// `<li>` inside a table cell (GFM cells hold only inline content, so authors write
    /// lists there as `<ul><li>…</li></ul>`).
    Item {
        ordered: bool,
        children: Vec<Inline>,
    },
}

impl Inline {
    /// The nested content of a wrapping inline (emphasis, link, …).
    pub fn children(&self) -> Option<&[Inline]> {
        match self {
            Inline::Emph(c)
            | Inline::Strong(c)
            | Inline::Strike(c)
            | Inline::Underline(c)
            | Inline::Mark(c)
            | Inline::Kbd(c)
            | Inline::Sup(c)
            | Inline::Sub(c)
            | Inline::SmallCaps(c)
            | Inline::OwnLines(c)
            | Inline::Link { children: c, .. }
            | Inline::Item { children: c, .. } => Some(c),
            _ => None,
        }
    }

    pub fn children_mut(&mut self) -> Option<&mut Vec<Inline>> {
        match self {
            Inline::Emph(c)
            | Inline::Strong(c)
            | Inline::Strike(c)
            | Inline::Underline(c)
            | Inline::Mark(c)
            | Inline::Kbd(c)
            | Inline::Sup(c)
            | Inline::Sub(c)
            | Inline::SmallCaps(c)
            | Inline::OwnLines(c)
            | Inline::Link { children: c, .. }
            | Inline::Item { children: c, .. } => Some(c),
            _ => None,
        }
    }
}

impl Block {
    /// The block lists nested directly in this block (list items, quote, columns).
    fn child_blocks(&self) -> Vec<&[Block]> {
        match self {
            Block::List(list) => list.items.iter().map(|item| item.blocks.as_slice()).collect(),
            Block::Quote { blocks, .. } => vec![blocks],
            Block::Columns { columns, .. } => columns.iter().map(|c| c.blocks.as_slice()).collect(),
            _ => vec![],
        }
    }

    pub(crate) fn child_blocks_mut(&mut self) -> Vec<&mut Vec<Block>> {
        match self {
            Block::List(list) => list.items.iter_mut().map(|item| &mut item.blocks).collect(),
            Block::Quote { blocks, .. } => vec![blocks],
            Block::Columns { columns, .. } => columns.iter_mut().map(|c| &mut c.blocks).collect(),
            _ => vec![],
        }
    }

    /// The inline lists this block holds itself: text, table cells, a quote's attribution.
    pub fn own_inlines(&self) -> Vec<&[Inline]> {
        match self {
            Block::Paragraph { inlines, .. } | Block::Heading { inlines, .. } | Block::SourceLine { inlines, .. } => {
                vec![inlines]
            }
            Block::Quote { attribution: Some(a), .. } => vec![a],
            Block::Table(t) => {
                t.header.iter().chain(t.rows.iter().flatten()).chain(&t.notes).map(Vec::as_slice).collect()
            }
            _ => vec![],
        }
    }

    fn own_inlines_mut(&mut self) -> Vec<&mut Vec<Inline>> {
        match self {
            Block::Paragraph { inlines, .. } | Block::Heading { inlines, .. } | Block::SourceLine { inlines, .. } => {
                vec![inlines]
            }
            Block::Quote { attribution: Some(a), .. } => vec![a],
            Block::Table(t) => t.header.iter_mut().chain(t.rows.iter_mut().flatten()).chain(&mut t.notes).collect(),
            _ => vec![],
        }
    }
}

/// The model's one walk. Every block of `blocks`, nested ones (in lists, quotes,
/// columns) included, parents first.
pub fn visit_blocks<'a>(blocks: &'a [Block], f: &mut dyn FnMut(&'a Block)) {
    for block in blocks {
        f(block);
        for list in block.child_blocks() {
            visit_blocks(list, f);
        }
    }
}

pub fn visit_blocks_mut(blocks: &mut [Block], f: &mut dyn FnMut(&mut Block)) {
    for block in blocks {
        f(block);
        for list in block.child_blocks_mut() {
            visit_blocks_mut(list, f);
        }
    }
}

/// Every inline of `inlines` and those nested in them (emphasis, links, …).
pub fn visit_inline_list<'a>(inlines: &'a [Inline], f: &mut dyn FnMut(&'a Inline)) {
    for inline in inlines {
        f(inline);
        if let Some(children) = inline.children() {
            visit_inline_list(children, f);
        }
    }
}

pub fn visit_inline_list_mut(inlines: &mut [Inline], f: &mut dyn FnMut(&mut Inline)) {
    for inline in inlines {
        f(inline);
        if let Some(children) = inline.children_mut() {
            visit_inline_list_mut(children, f);
        }
    }
}

/// Every inline in these blocks — text, table cells, quote attributions — nested ones
/// included.
pub fn visit_inlines<'a>(blocks: &'a [Block], f: &mut dyn FnMut(&'a Inline)) {
    visit_blocks(blocks, &mut |block| {
        for list in block.own_inlines() {
            visit_inline_list(list, f);
        }
    });
}

pub fn visit_inlines_mut(blocks: &mut [Block], f: &mut dyn FnMut(&mut Inline)) {
    visit_blocks_mut(blocks, &mut |block| {
        for list in block.own_inlines_mut() {
            visit_inline_list_mut(list, f);
        }
    });
}

impl Slide {
    /// Every block of the slide, nested ones (in lists, quotes, columns) included.
    pub fn visit_blocks_mut(&mut self, f: &mut dyn FnMut(&mut Block)) {
        visit_blocks_mut(&mut self.blocks, f);
    }

    /// Every inline of the slide — title, text, table cells, quote attributions — and
    /// the inlines nested in them.
    pub fn visit_inlines_mut(&mut self, f: &mut dyn FnMut(&mut Inline)) {
        if let Some(title) = &mut self.title {
            visit_inline_list_mut(title, f);
        }
        visit_inlines_mut(&mut self.blocks, f);
    }
}

/// The plain text of inline content, for ids, bookmarks and PDF metadata.
pub fn plain_text(inlines: &[Inline]) -> String {
    let mut out = String::new();
    fn walk(inlines: &[Inline], out: &mut String) {
        for inline in inlines {
            match inline {
                Inline::Text(t) | Inline::Code(t) => out.push_str(t),
                Inline::SoftBreak | Inline::LineBreak => out.push(' '),
                Inline::Math { text, .. } => out.push_str(text),
                Inline::FootnoteRef(_) => {}
                Inline::Image(img) => out.push_str(&img.alt),
                wrapper => walk(wrapper.children().unwrap_or_default(), out),
            }
        }
    }
    walk(inlines, &mut out);
    out
}
