//! Markdown (CommonMark + GFM via comrak) and front matter → the [`Deck`] model.
//!
//! This stage splits slides, reads directives and notes, and converts comrak's tree into
//! model blocks with their source spans. It does not touch the file system.

use std::collections::HashMap;

use comrak::nodes::{AstNode, NodeValue};
use comrak::{Arena, Options, parse_document};

use crate::diag::{Diagnostic, Failure, FileIdx, Sources, Span};
use crate::frontmatter::{self, Meta};
use crate::ids::{Ids, slugify};
use crate::model::*;

mod blocks;
mod dialect;
mod directives;
mod html;
mod inlines;

use dialect::Dialect;
use dialect::marp::{apply_marp_directives, promote_marp_titles};
pub use inlines::parse_image;

pub struct Parsed {
    pub deck: Deck,
    pub warnings: Vec<Diagnostic>,
    /// `<!-- include: … -->` directives, expanded by the `include` stage.
    pub includes: Vec<Include>,
}

/// Slides of another deck to insert before slide `position` (an index into the slides).
#[derive(Debug, Clone)]
pub struct Include {
    pub position: usize,
    /// `path.md`, `path.md#slide-id` or `path.md#section-id`.
    pub target: String,
    pub span: Span,
    /// A Slidev `src:` import: the file is part of a Slidev deck and is read as Slidev
    /// Markdown (`---` splits, headings do not), whatever its own text looks like.
    pub slidev: bool,
}

pub fn parse(text: &str, file: FileIdx, sources: &Sources) -> Result<Parsed, Failure> {
    parse_part(text, file, sources, false)
}

/// [`parse`], for a file included by another; `slidev`: a Slidev `src:` import.
pub fn parse_part(text: &str, file: FileIdx, sources: &Sources, slidev: bool) -> Result<Parsed, Failure> {
    let mut warnings = Vec::new();
    let fm = frontmatter::locate(text, file, sources)?;
    let (mut meta, body_start) = match &fm {
        Some(block) => (frontmatter::parse(block, file, sources, &mut warnings)?, block.end),
        None => (Meta::default(), 0),
    };
    // Blank the front matter out rather than cut it, so comrak's line numbers stay the deck's.
    let mut markdown = String::with_capacity(text.len());
    markdown.extend(text[..body_start].chars().filter(|&c| c == '\n'));
    markdown.push_str(&text[body_start..]);

    if text[body_start..].trim().is_empty() && meta.title.is_none() {
        return Err(Diagnostic::error(
            Span::new(file, 0..text.len().min(1)),
            "the deck is empty: there is nothing to put on a slide",
        )
        .with_hint("write a `## heading` and some text, or give the front matter a `title:`")
        .into());
    }

    let dialect = if slidev {
        Dialect::Slidev
    } else {
        dialect::detect(std::path::Path::new(sources.name(file)), &text[body_start..], &meta)
    };
    // Slidev splits and titles slides as Marp does (`---` only, the first heading titles).
    if dialect == Dialect::Slidev {
        meta.marp = true;
    }
    meta.steps.get_or_insert(!dialect.is_foreign());
    let beamer = matches!(dialect, Dialect::Pandoc | Dialect::Quarto) && dialect::pandoc::targets_beamer(text, &meta);
    let prepare_errors = dialect::prepare(dialect, &mut markdown, &mut meta, file, sources, &mut warnings);

    let arena = Arena::new();
    let root = parse_document(&arena, &markdown, &comrak_options());
    crate::safety::check_markdown_tree(root, file, sources)?;
    // Quarto's slide level is 2 unless given; pandoc's is decided by the headings.
    if dialect == Dialect::Pandoc
        && !meta.slide_level_set
        && let Some(level) = dialect::pandoc_slide_level(root)
    {
        meta.slide_level = level;
    }

    let mut parser = Parser {
        file,
        sources,
        meta: &meta,
        dialect,
        beamer,
        beamer_sections: vec![],
        hidden: vec![],
        incremental: meta.incremental,
        styles_warned: false,
        latex_math_warned: false,
        errors: prepare_errors,
        warnings,
        slides: vec![],
        current: None,
        opened_by_break: false,
        footnote_defs: HashMap::new(),
        footnote_numbers: HashMap::new(),
        footnotes: vec![],
        slide_directives: vec![],
        includes: vec![],
    };
    parser.collect_footnote_definitions(root);
    for node in root.children() {
        parser.top_level(node);
    }
    parser.finish_slide();
    parser.check_unused_footnotes(text);

    let Parser {
        mut errors,
        mut warnings,
        mut slides,
        footnotes,
        slide_directives,
        includes,
        hidden,
        beamer_sections,
        ..
    } = parser;
    // Quarto/pandoc `{visibility="hidden"}` slides are left out (with their directives).
    let (slides_kept, directives_kept): (Vec<Slide>, Vec<DirectiveList>) =
        slides.into_iter().zip(slide_directives).filter(|(s, _)| !hidden.contains(&s.span)).unzip();
    slides = slides_kept;
    let slide_directives = directives_kept;
    if meta.marp {
        promote_marp_titles(&mut slides);
    }
    apply_marp_directives(&meta, &mut slides, &slide_directives);
    show_beamer_sections(&meta, &mut slides, &beamer_sections);
    assign_ids(&mut slides);
    if let Some(first_error) = errors.iter().position(Diagnostic::is_error) {
        // Errors first, in source order; warnings still shown after them.
        let mut all: Vec<Diagnostic> = errors.drain(first_error..).collect();
        all.sort_by_key(|d| d.span.map(|s| s.start));
        all.extend(warnings);
        return Err(Failure(all));
    }
    if slides.is_empty() && meta.title.is_none() && includes.is_empty() {
        return Err(Diagnostic::error(
            Span::new(file, 0..text.len().min(1)),
            "the deck is empty: it has no slides with content",
        )
        .into());
    }
    warnings.sort_by_key(|d| d.span.map(|s| s.start));
    Ok(Parsed { includes, deck: Deck { meta, slides, footnotes, bibliography_urls: Default::default() }, warnings })
}

/// beamer makes no frame of a section heading (pandoc's section pages are not counted
/// as frames); its title is shown as the header line of each of its frames, as beamer's
/// navigation headlines show the current section. A deck with a `header:` keeps its own.
fn show_beamer_sections(meta: &Meta, slides: &mut [Slide], sections: &[(usize, String)]) {
    if sections.is_empty() || meta.header.is_some() {
        return;
    }
    for slide in slides.iter_mut().filter(|s| s.header.is_none()) {
        let section = sections.iter().rev().find(|(start, _)| *start < slide.span.start);
        if let Some((_, title)) = section.filter(|(_, title)| !title.trim().is_empty()) {
            slide.header = Some(title.clone());
        }
    }
}

fn comrak_options() -> Options<'static> {
    let mut o = Options::default();
    o.extension.strikethrough = true;
    o.extension.table = true;
    o.extension.autolink = true;
    o.extension.tasklist = true;
    o.extension.footnotes = true;
    o.extension.math_dollars = true;
    o.extension.header_attributes = true;
    o.extension.block_directive = true;
    o.extension.cjk_friendly_emphasis = true;
    o
}

/// Per-slide Marp directives: `(key, value, local)` in source order.
type DirectiveList = Vec<(String, String, bool)>;

struct Parser<'s> {
    file: FileIdx,
    sources: &'s Sources,
    meta: &'s Meta,
    dialect: Dialect,
    /// pandoc's beamer output: headings above the slide level are sections, not slides.
    beamer: bool,
    /// beamer sections: where each heading starts (byte offset) and its text.
    beamer_sections: Vec<(usize, String)>,
    /// Spans of slides marked `{visibility="hidden"}`.
    hidden: Vec<Span>,
    /// Lists appear item by item (pandoc `incremental`, Quarto `.incremental`).
    incremental: bool,
    /// `<style>`/`<script>` blocks were reported (once per deck).
    styles_warned: bool,
    /// LaTeX math in another tool's deck was reported (once per deck).
    latex_math_warned: bool,
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
    slides: Vec<Slide>,
    current: Option<Slide>,
    /// The current slide was opened by `---` (so an empty one is two breaks in a row).
    opened_by_break: bool,
    footnote_defs: HashMap<String, (Vec<Inline>, Span)>,
    footnote_numbers: HashMap<String, usize>,
    footnotes: Vec<Footnote>,
    slide_directives: Vec<DirectiveList>,
    includes: Vec<Include>,
}

impl<'s> Parser<'s> {
    fn span(&self, node: &AstNode<'_>) -> Span {
        let pos = node.data().sourcepos;
        let start = self.sources.offset(self.file, pos.start.line, pos.start.column);
        let mut end = self.sources.offset(self.file, pos.end.line, pos.end.column + 1);
        // comrak's end column is the last character's first byte: extend to its end.
        let text = self.sources.text(self.file);
        while end < text.len() && !text.is_char_boundary(end) {
            end += 1;
        }
        Span::new(self.file, start..end.max(start))
    }

    fn error(&mut self, d: Diagnostic) {
        self.errors.push(d);
    }

    fn warn(&mut self, d: Diagnostic) {
        self.warnings.push(d);
    }

    fn current_slide(&mut self, at: Span) -> &mut Slide {
        if self.current.is_none() {
            self.current = Some(Slide::new(SlideKind::Content, at));
            self.slide_directives.push(vec![]);
        }
        self.current.as_mut().unwrap()
    }

    fn finish_slide(&mut self) {
        if let Some(slide) = self.current.take() {
            if crate::safety::only_pauses(&slide) {
                self.slide_directives.pop();
                self.warn(Diagnostic::warning(
                    slide.span,
                    "slide with only `<!-- pause -->` dropped: it shows nothing",
                ));
            } else if slide.is_empty() {
                self.slide_directives.pop();
                if self.opened_by_break {
                    self.warn(Diagnostic::warning(slide.span, "empty slide dropped (two slide breaks in a row)"));
                }
            } else {
                self.slides.push(slide);
            }
        }
        self.opened_by_break = false;
    }

    fn start_slide(&mut self, kind: SlideKind, span: Span) {
        self.finish_slide();
        self.current = Some(Slide::new(kind, span));
        self.slide_directives.push(vec![]);
    }

    fn splits_at_heading(&self, level: u8) -> bool {
        if self.meta.marp { self.meta.heading_divider.contains(&level) } else { level <= self.meta.slide_level }
    }

    fn top_level<'a>(&mut self, node: &'a AstNode<'a>) {
        let span = self.span(node);
        let value = node.data().value.clone();
        match value {
            NodeValue::FootnoteDefinition(_) | NodeValue::FrontMatter(_) => {}
            NodeValue::ThematicBreak => {
                self.finish_slide();
                self.current = Some(Slide::new(SlideKind::Content, span));
                self.slide_directives.push(vec![]);
                self.opened_by_break = true;
            }
            NodeValue::Heading(h) if self.beamer && h.level < self.meta.slide_level => {
                // beamer: a section heading is no frame of its own; its frames show it.
                self.finish_slide();
                let title = plain_text(&self.inlines(node));
                self.beamer_sections.push((span.start, title));
            }
            NodeValue::Heading(h) if self.splits_at_heading(h.level) => {
                let section = !self.meta.marp && h.level < self.meta.slide_level;
                // A heading right after `---` titles the slide that break opened.
                let reuse = self.current.as_ref().is_some_and(|s| s.is_empty());
                if reuse {
                    let slide = self.current.as_mut().unwrap();
                    slide.kind = if section { SlideKind::Section } else { SlideKind::Content };
                    slide.span = span;
                    self.opened_by_break = false;
                } else {
                    self.start_slide(if section { SlideKind::Section } else { SlideKind::Content }, span);
                }
                let title = self.inlines(node);
                let attrs = node.data().attrs.clone();
                if attrs.as_ref().is_some_and(|a| a.pairs.iter().any(|(k, v)| k == "visibility" && v == "hidden")) {
                    self.hidden.push(self.current.as_ref().unwrap().span);
                }
                let slide = self.current.as_mut().unwrap();
                slide.title = Some(title);
                if let Some(attrs) = attrs {
                    if let Some(id) = &attrs.id {
                        slide.id = id.clone();
                    }
                    for class in &attrs.classes {
                        match Layout::from_name(class) {
                            Some(layout) if slide.layout.is_none() => slide.layout = Some(layout),
                            Some(_) => slide.classes.push(class.clone()),
                            None => {
                                // A class one letter off a layout is almost surely a typo.
                                let names = Layout::ALL.iter().map(|l| l.name());
                                if let Some(s) = crate::diag::did_you_mean(class, names)
                                    .filter(|s| strsim::levenshtein(s, class) <= 2)
                                {
                                    self.warnings.push(
                                        Diagnostic::warning(
                                            span,
                                            format!("`.{class}` is not a layout; did you mean `.{s}`?"),
                                        )
                                        .with_hint("other classes are passed to the theme unchanged"),
                                    );
                                }
                                slide.classes.push(class.clone())
                            }
                        }
                    }
                }
                if section {
                    slide.layout = Some(Layout::Section);
                    // Content under a section heading goes on a new slide of its own.
                    if !self.dialect.is_foreign() {
                        self.finish_slide();
                    }
                }
            }
            NodeValue::HtmlBlock(html) => {
                for block in self.html_block(&html.literal, span) {
                    self.add_block(block, span);
                }
            }
            _ => {
                let blocks = self.block(node);
                if let Some(slide) = self.current.as_mut().filter(|s| s.kind == SlideKind::Section) {
                    if self.dialect.is_foreign() {
                        // pandoc puts content under a section heading on that heading's slide.
                        if !blocks.is_empty() {
                            slide.kind = SlideKind::Content;
                            slide.layout = None;
                        }
                    } else {
                        self.finish_slide();
                    }
                }
                for block in blocks {
                    self.add_block(block, span);
                }
            }
        }
    }

    fn add_block(&mut self, block: Block, span: Span) {
        match block {
            Block::Image { image, .. } if image.background.is_some() => {
                let slide = self.current_slide(span);
                match image.background {
                    Some(Background::Split(side)) => slide.side_image = Some((side, image)),
                    _ => slide.background = Some(image),
                }
            }
            block => self.current_slide(span).blocks.push(block),
        }
    }
}

/// Stable ids: `{#id}` when given, else the title's slug, else `slide-N`; unique.
fn assign_ids(slides: &mut [Slide]) {
    let mut ids = Ids::default();
    for (i, slide) in slides.iter_mut().enumerate() {
        let base = if !slide.id.is_empty() {
            slide.id.clone()
        } else {
            let slug = slide.title.as_ref().map(|t| slugify(&plain_text(t))).unwrap_or_default();
            if slug.is_empty() { format!("slide-{}", i + 1) } else { slug }
        };
        slide.id = ids.claim(&base);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Parsed, (Sources, Failure)> {
        let mut sources = Sources::default();
        let file = sources.add("deck.md", text);
        parse(text, file, &sources).map_err(|e| (sources, e))
    }

    fn deck(text: &str) -> Deck {
        match parse_str(text) {
            Ok(p) => p.deck,
            Err((sources, e)) => panic!("{}", crate::diag::render_plain(&sources, &e.0)),
        }
    }

    fn titles(deck: &Deck) -> Vec<String> {
        deck.slides.iter().map(|s| s.title.as_ref().map(|t| plain_text(t)).unwrap_or_default()).collect()
    }

    #[test]
    fn headings_split_and_sections() {
        let d = deck("# Part\n\n## A\n\ntext\n\n## B\n\n### sub\n\nmore\n");
        assert_eq!(titles(&d), ["Part", "A", "B"]);
        assert_eq!(d.slides[0].kind, SlideKind::Section);
        assert!(matches!(d.slides[2].blocks[0], Block::Heading { level: 3, .. }));
    }

    #[test]
    fn thematic_breaks_split_and_empty_slides_warn() {
        let p = parse_str("one\n\n---\n\ntwo\n\n---\n\n---\n\nthree\n").ok().unwrap();
        assert_eq!(p.deck.slides.len(), 3);
        assert!(p.warnings.iter().any(|w| w.message.contains("empty slide")));
    }

    #[test]
    fn heading_after_break_titles_that_slide() {
        let d = deck("## A\n\nx\n\n---\n\n## B\n\ny\n");
        assert_eq!(titles(&d), ["A", "B"]);
    }

    #[test]
    fn slide_level_three() {
        let d = deck("---\nslide-level: 3\n---\n\n# P\n\n## S\n\n### T\n\nbody\n");
        let kinds: Vec<_> = d.slides.iter().map(|s| s.kind).collect();
        assert_eq!(kinds, [SlideKind::Section, SlideKind::Section, SlideKind::Content]);
    }

    #[test]
    fn leading_numbers_stay_in_heading() {
        let d = deck("## 3.1. 誇張される深刻度\n\nx\n");
        assert_eq!(titles(&d), ["3.1. 誇張される深刻度"]);
        assert_eq!(d.slides[0].id, "31-誇張される深刻度");
    }

    #[test]
    fn heading_attributes_give_id_and_layout() {
        let d = deck("## 攻撃の経路 {#attack-path .steps}\n\n1. a\n2. b\n");
        assert_eq!(d.slides[0].id, "attack-path");
        assert_eq!(d.slides[0].layout, Some(Layout::Steps));
        assert_eq!(titles(&d), ["攻撃の経路"]);
    }

    #[test]
    fn duplicate_ids_are_made_unique() {
        let d = deck("## A\n\nx\n\n## A\n\ny\n");
        assert_eq!(d.slides[1].id, "a-1");
    }

    #[test]
    fn directives_and_notes() {
        let d = deck(
            "## Q\n\n<!-- layout: quote -->\n\n<!-- 話すこと: ここで一息 -->\n\ntext\n\nNote: say this\n\n::: notes\nalso this\n:::\n",
        );
        let s = &d.slides[0];
        assert_eq!(s.layout, Some(Layout::Quote));
        let notes: Vec<&str> = s.notes.iter().map(|n| n.text.as_str()).collect();
        assert_eq!(notes, ["話すこと: ここで一息", "say this", "also this"]);
        assert_eq!(s.blocks.len(), 1);
    }

    #[test]
    fn unknown_layout_lists_valid_ones() {
        let Err((sources, e)) = parse_str("## A\n\n<!-- layout: qoute -->\n") else { panic!() };
        let text = crate::diag::render_plain(&sources, &e.0);
        assert!(text.contains("unknown layout `qoute`") && text.contains("did you mean `quote`"), "{text}");
        assert!(text.contains("deck.md:3:1"), "{text}");
    }

    #[test]
    fn marp_class_and_local_directives() {
        let d = deck(
            "---\nmarp: true\n---\n\n<!-- _class: lead -->\n# Hello\n\n---\n\n# Two\n<!-- paginate: false -->\n\n---\n\nthree\n",
        );
        assert_eq!(d.slides.len(), 3);
        assert_eq!(d.slides[0].layout, Some(Layout::Statement));
        assert_eq!(d.slides[1].layout, None);
        assert_eq!(d.slides[1].paginate, Some(false));
        assert_eq!(d.slides[2].paginate, Some(false));
    }

    #[test]
    fn marp_headings_do_not_split() {
        let d = deck("---\nmarp: true\n---\n\n# A\n\n## B\n\ntext\n");
        assert_eq!(d.slides.len(), 1);
        assert_eq!(titles(&d), ["A"], "the first heading titles a Marp slide");
    }

    #[test]
    fn columns_with_widths() {
        let d = deck("## C\n\n:::: columns\n::: {.column width=\"40%\"}\nleft\n:::\n::: column\nright\n:::\n::::\n");
        let Block::Columns { columns, .. } = &d.slides[0].blocks[0] else { panic!("{:?}", d.slides[0].blocks) };
        assert_eq!(columns.len(), 2);
        assert_eq!(columns[0].width_percent, Some(40.0));
        assert_eq!(columns[1].width_percent, None);
    }

    #[test]
    fn unclosed_fenced_div() {
        let Err((sources, e)) = parse_str("## C\n\n:::: columns\n::: column\nleft\n:::\n") else { panic!() };
        let text = crate::diag::render_plain(&sources, &e.0);
        assert!(text.contains("never closed") && text.contains("deck.md:3:1"), "{text}");
    }

    #[test]
    fn footnotes_numbered_across_deck() {
        let d = deck("## A\n\nx[^b] y[^a]\n\n## B\n\nz[^a]\n\n[^a]: note A\n[^b]: note B\n");
        assert_eq!(d.slides[0].footnote_refs, [1, 2]);
        assert_eq!(d.slides[1].footnote_refs, [2]);
        assert_eq!(plain_text(&d.footnotes[0].body), "note B");
    }

    #[test]
    fn undefined_and_unused_footnotes() {
        let Err((sources, e)) = parse_str("## A\n\ntext[^missing]\n") else { panic!() };
        let text = crate::diag::render_plain(&sources, &e.0);
        assert!(text.contains("`[^missing]` is used but never defined") && text.contains("deck.md:3:5"), "{text}");
        let p = parse_str("## A\n\ntext\n\n[^unused]: x\n").ok().unwrap();
        assert!(p.warnings.iter().any(|w| w.message.contains("never used")));
    }

    #[test]
    fn quote_attribution() {
        let d = deck("## Q\n\n> 通信の秘密は、これを侵してはならない。\n> — 日本国憲法 第21条\n");
        let Block::Quote { attribution, blocks, .. } = &d.slides[0].blocks[0] else { panic!() };
        assert_eq!(plain_text(attribution.as_ref().unwrap()), "日本国憲法 第21条");
        assert_eq!(blocks.len(), 1);
    }

    #[test]
    fn inline_html_supported_and_dropped() {
        let p = parse_str("## H\n\nH<sub>2</sub>O x<sup>2</sup> <span>no</span><br>next\n").ok().unwrap();
        let Block::Paragraph { inlines, .. } = &p.deck.slides[0].blocks[0] else { panic!() };
        assert!(inlines.iter().any(|i| matches!(i, Inline::Sub(c) if plain_text(c) == "2")));
        assert!(inlines.iter().any(|i| matches!(i, Inline::Sup(_))));
        assert!(inlines.iter().any(|i| matches!(i, Inline::LineBreak)));
        assert!(p.warnings.iter().any(|w| w.message.contains("<span>")));
    }

    #[test]
    fn image_keywords() {
        let img = parse_image("a.png", "w:60% ルーターの写真", Span::new(FileIdx(0), 0..1));
        assert_eq!(img.width, Some(Length::Percent(60.0)));
        assert_eq!(img.caption.as_deref(), Some("ルーターの写真"));
        let d = deck("## I\n\n![bg left](a.png)\n\ntext\n");
        assert_eq!(d.slides[0].side_image.as_ref().map(|s| s.0), Some(Side::Left));
    }

    #[test]
    fn source_lines_and_tasks() {
        let d = deck("## S\n\n- [x] done\n- [ ] todo\n\n出典: NICT\n");
        let Block::List(list) = &d.slides[0].blocks[0] else { panic!() };
        assert_eq!(list.items[0].task, Some(true));
        assert_eq!(list.items[1].task, Some(false));
        assert!(matches!(d.slides[0].blocks[1], Block::SourceLine { .. }));
    }

    fn parse_named(name: &str, text: &str) -> Parsed {
        let mut sources = Sources::default();
        let file = sources.add(name, text);
        match parse(text, file, &sources) {
            Ok(p) => p,
            Err(e) => panic!("{}", crate::diag::render_plain(&sources, &e.0)),
        }
    }

    #[test]
    fn marp_breaks_and_heading_divider_without_empty_slides() {
        let d = deck("---\nmarp: true\nheadingDivider: 2\n---\n\n# A\n\n***\n\nb\n\n___\n\n## C\n\n---\n\n## D\n\nx\n");
        assert_eq!(titles(&d), ["A", "", "C", "D"]);
    }

    #[test]
    fn pandoc_slide_level_from_headings_and_pauses() {
        let p = parse_named(
            "talk.md",
            "% Talk\n% Me\n\n# One\n\n$\\alpha$ text\n\n. . .\n\nmore\n\n# Two\n\n## sub\n\nx\n\n\\pause\n\ny\n",
        );
        assert_eq!(p.deck.meta.title.as_deref(), Some("Talk"));
        assert_eq!(titles(&p.deck), ["One", "Two"], "level 1 is followed by content: slides at level 1");
        let pauses = |i: usize| p.deck.slides[i].blocks.iter().filter(|b| matches!(b, Block::Pause { .. })).count();
        assert_eq!((pauses(0), pauses(1)), (1, 1));
    }

    #[test]
    fn kbd_keys_in_a_table_cell_keep_their_text_and_spaces_collapse() {
        let d = parse_named(
            "slides.md",
            "---\ntheme: seriph\ninfo: x\n---\n\n# Keys\n\n| key | does |\n| --- | --- |\n| <kbd>left</kbd>  / <kbd>shift</kbd><kbd>space</kbd> | back   a  slide |\n",
        )
        .deck;
        let Some(Block::Table(table)) = d.slides[0].blocks.iter().find(|b| matches!(b, Block::Table(_))) else {
            panic!("no table: {:?}", d.slides[0])
        };
        let key = |t: &str| Inline::Kbd(vec![Inline::Text(t.into())]);
        let cell = &table.rows[0][0];
        assert_eq!(
            format!("{cell:?}"),
            format!("{:?}", [key("left"), Inline::Text(" / ".into()), key("shift"), key("space")])
        );
        assert_eq!(plain_text(&table.rows[0][1]), "back a slide");
        assert_eq!(
            inlines::collapse_spaces("a \t b\u{3000}\u{3000}c\u{a0}\u{a0}d"),
            "a b\u{3000}\u{3000}c\u{a0}\u{a0}d"
        );
    }

    #[test]
    fn beamer_sections_are_not_slides() {
        let d = parse_named(
            "b.md",
            "---\ntheme: metropolis\n---\n\n### Before\n\nw\n\n## Part *one*\n\n### A\n\nx\n\n### B\n\ny\n\n## Two\n\n### C\n\nz\n",
        )
        .deck;
        assert_eq!(titles(&d), ["Before", "A", "B", "C"]);
        // Each frame shows its section, as a header line.
        let headers: Vec<Option<&str>> = d.slides.iter().map(|s| s.header.as_deref()).collect();
        assert_eq!(headers, [None, Some("Part one"), Some("Part one"), Some("Two")]);
        // A deck's own header wins.
        let d = parse_named("b.md", "---\ntheme: metropolis\nheader: Mine\n---\n\n## Part\n\n### A\n\nx\n").deck;
        assert_eq!(d.slides[0].header, None);
    }

    #[test]
    fn quarto_hidden_slides_incremental_and_cells() {
        let p = parse_named(
            "s.qmd",
            "---\ntitle: T\n---\n\n# Setup {visibility=\"hidden\"}\n\n```{r}\n#| echo: false\nx <- 1\n```\n\n## A\n\n::: incremental\n- a\n- b\n:::\n",
        );
        assert_eq!(titles(&p.deck), ["A"]);
        let blocks = &p.deck.slides[0].blocks;
        assert_eq!(blocks.iter().filter(|b| matches!(b, Block::Pause { .. })).count(), 1);
        assert!(p.warnings.iter().any(|w| w.message.contains("`{r}` code cell is shown as code")));
    }

    #[test]
    fn slidev_slide_front_matter_is_one_slide_and_v_click_pauses() {
        let d = parse_named(
            "slides.md",
            "---\ntheme: seriph\ninfo: x\n---\n\n# A\n\n---\nlayout: center\n---\n\n# B\n\n<v-click>\n\nlater\n\n</v-click>\n",
        )
        .deck;
        assert_eq!(titles(&d), ["A", "B"]);
        assert!(d.slides[1].blocks.iter().any(|b| matches!(b, Block::Pause { .. })));
    }

    #[test]
    fn html_keeps_its_text() {
        let p = parse_named(
            "m.md",
            "---\nmarp: true\n---\n\n# H\n\n<div class=\"columns\">\n<center>centred <font color=red>words</font></center>\n</div>\n\n<span style=\"x\">inline</span> and <b>bold</b>[^1]\n\n<style>\np { color: red }\n</style>\n",
        );
        let text: String = p.deck.slides[0]
            .blocks
            .iter()
            .map(|b| match b {
                Block::Paragraph { inlines, .. } => plain_text(inlines) + "|",
                _ => String::new(),
            })
            .collect();
        assert!(text.contains("centred words") && text.contains("inline and bold[^1]"), "{text}");
        assert!(!text.contains("color"), "{text}");
        assert_eq!(p.warnings.iter().filter(|w| w.message.contains("<style>")).count(), 1);
        assert!(p.warnings.iter().any(|w| w.message.contains("`[^1]` is never defined")));
    }

    #[test]
    fn pandoc_divs_pair_innermost_first() {
        let d = parse_named("p.md", "% T\n\n## C\n\n::: columns\n::: {.column width=\"40%\"}\nleft\n:::\n::: column\nright\n:::\n:::\n\nafter\n").deck;
        let Block::Columns { columns, .. } = &d.slides[0].blocks[0] else { panic!("{:?}", d.slides[0].blocks) };
        assert_eq!(columns.len(), 2);
        assert!(matches!(d.slides[0].blocks[1], Block::Paragraph { .. }));
    }

    #[test]
    fn empty_deck_is_an_error() {
        assert!(parse_str("\n\n").is_err());
        assert!(parse_str("---\nlang: ja\n---\n").is_err());
    }
}
