//! The presentation model between the Markdown parser and the Typst emitter: no comrak
//! type crosses this line. Every element keeps the span of the Markdown it came from.

use std::path::PathBuf;

use crate::diag::Span;
use crate::frontmatter::Meta;

#[derive(Debug, Clone)]
pub struct Deck {
    pub meta: Meta,
    /// Folder of the deck file; relative paths of the deck resolve against it.
    pub base_dir: PathBuf,
    pub slides: Vec<Slide>,
    /// Footnote bodies, indexed by `number - 1` (numbered in order of first use).
    pub footnotes: Vec<Footnote>,
    /// Virtual path of the bibliography file, set by `resolve`.
    pub bibliography: Option<String>,
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
    pub span: Span,
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
            span,
        }
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
    /// For a `[@key]` citation: the cited entries (the body is then made by Typst's
    /// bibliography support from the deck's `bibliography:` file).
    pub citation: Option<Vec<Citation>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Citation {
    pub key: String,
    /// `p. 4` in `[@key, p. 4]`.
    pub locator: Option<String>,
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
    /// A ```flow diagram, already laid out.
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
            | Inline::Link { children: c, .. }
            | Inline::Item { children: c, .. } => Some(c),
            _ => None,
        }
    }
}

impl Slide {
    /// Every block of the slide, nested ones (in lists, quotes, columns) included.
    pub fn visit_blocks_mut(&mut self, f: &mut dyn FnMut(&mut Block)) {
        fn walk(list: &mut [Block], f: &mut dyn FnMut(&mut Block)) {
            for block in list {
                f(block);
                match block {
                    Block::List(list) => list.items.iter_mut().for_each(|item| walk(&mut item.blocks, f)),
                    Block::Quote { blocks, .. } => walk(blocks, f),
                    Block::Columns { columns, .. } => columns.iter_mut().for_each(|c| walk(&mut c.blocks, f)),
                    _ => {}
                }
            }
        }
        walk(&mut self.blocks, f);
    }

    /// Every inline of the slide — title, text, table cells, quote attributions — and
    /// the inlines nested in them.
    pub fn visit_inlines_mut(&mut self, f: &mut dyn FnMut(&mut Inline)) {
        fn walk(list: &mut [Inline], f: &mut dyn FnMut(&mut Inline)) {
            for inline in list {
                f(inline);
                if let Some(children) = inline.children_mut() {
                    walk(children, f);
                }
            }
        }
        if let Some(title) = &mut self.title {
            walk(title, f);
        }
        self.visit_blocks_mut(&mut |block| match block {
            Block::Paragraph { inlines, .. } | Block::Heading { inlines, .. } | Block::SourceLine { inlines, .. } => {
                walk(inlines, f)
            }
            Block::Quote { attribution: Some(a), .. } => walk(a, f),
            Block::Table(t) => {
                t.header.iter_mut().chain(t.rows.iter_mut().flatten()).chain(&mut t.notes).for_each(|c| walk(c, f))
            }
            _ => {}
        });
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
