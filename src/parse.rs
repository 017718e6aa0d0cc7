//! Markdown (CommonMark + GFM via comrak) and front matter → the [`Deck`] model.
//!
//! This stage splits slides, reads directives and notes, and converts comrak's tree into
//! model blocks with their source spans. It does not touch the file system.

use std::collections::HashMap;
use std::path::Path;

use comrak::nodes::{AstNode, ListType, NodeValue, TableAlignment};
use comrak::{Arena, Options, parse_document};

use crate::diag::{Diagnostic, Failure, FileIdx, Sources, Span};
use crate::frontmatter::{self, Meta};
use crate::model::*;
use crate::{chart, flow};

/// Directives written as HTML comments (`<!-- key: value -->`), Marp style.
const DIRECTIVES: &[&str] = &[
    "layout",
    "chart",
    "include",
    "class",
    "paginate",
    "header",
    "footer",
    "backgroundColor",
    "color",
    "backgroundImage",
    "headingDivider",
    "theme",
    "size",
    "style",
    "transition",
];

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
}

pub fn parse(path: &Path, text: &str, file: FileIdx, sources: &Sources) -> Result<Parsed, Failure> {
    let mut warnings = Vec::new();
    let fm = frontmatter::locate(text, file, sources)?;
    let (meta, body_start) = match &fm {
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

    let arena = Arena::new();
    let root = parse_document(&arena, &markdown, &comrak_options());

    let mut parser = Parser {
        file,
        sources,
        meta: &meta,
        errors: vec![],
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

    let Parser { mut errors, mut warnings, mut slides, footnotes, slide_directives, includes, .. } = parser;
    if meta.marp {
        promote_marp_titles(&mut slides);
    }
    apply_marp_directives(&meta, &mut slides, &slide_directives);
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
    let base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    Ok(Parsed {
        includes,
        deck: Deck { meta, base_dir, slides, footnotes, bibliography: None, bibliography_urls: Default::default() },
        warnings,
    })
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
        let end = self.sources.offset(self.file, pos.end.line, pos.end.column + 1);
        Span::new(self.file, start..end.max(start))
    }

    fn error(&mut self, d: Diagnostic) {
        self.errors.push(d);
    }

    fn warn(&mut self, d: Diagnostic) {
        self.warnings.push(d);
    }

    fn collect_footnote_definitions<'a>(&mut self, root: &'a AstNode<'a>) {
        for node in root.children() {
            let name = match &node.data().value {
                NodeValue::FootnoteDefinition(def) => def.name.clone(),
                _ => continue,
            };
            let span = self.span(node);
            let mut inlines = Vec::new();
            for child in node.children() {
                if !inlines.is_empty() {
                    inlines.push(Inline::SoftBreak);
                }
                match &child.data().value {
                    NodeValue::Paragraph => {}
                    _ => {
                        let s = self.span(child);
                        self.warn(Diagnostic::warning(
                            s,
                            "only paragraphs are kept in a footnote; this block is left out",
                        ));
                        continue;
                    }
                }
                let content = self.inlines(child);
                inlines.extend(content);
            }
            self.footnote_defs.insert(name, (inlines, span));
        }
    }

    fn check_unused_footnotes(&mut self, text: &str) {
        // comrak drops definitions nobody references, so look for them in the text itself.
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let trimmed = line.trim_start();
            if let Some(rest) = trimmed.strip_prefix("[^")
                && let Some(close) = rest.find("]:")
            {
                let label = &rest[..close];
                if !label.is_empty()
                    && !label.contains(char::is_whitespace)
                    && !self.footnote_numbers.contains_key(label)
                    && !self.footnote_numbers.contains_key(&label.to_lowercase())
                {
                    let start = offset + (line.len() - trimmed.len());
                    let span = Span::new(self.file, start..start + close + 4);
                    self.warn(Diagnostic::warning(span, format!("footnote `[^{label}]` is defined but never used")));
                }
            }
            offset += line.len();
        }
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
            if slide.is_empty() {
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
        if self.meta.marp {
            self.meta.heading_divider.is_some_and(|d| level <= d)
        } else {
            level <= self.meta.slide_level
        }
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
                    self.finish_slide();
                }
            }
            NodeValue::HtmlBlock(html) => self.html_block(&html.literal, span),
            _ => {
                let blocks = self.block(node);
                if self.current.as_ref().is_some_and(|s| s.kind == SlideKind::Section) {
                    self.finish_slide();
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

    fn html_block(&mut self, literal: &str, span: Span) {
        let trimmed = literal.trim();
        if let Some(inner) = trimmed.strip_prefix("<!--").and_then(|s| s.strip_suffix("-->")) {
            self.comment(inner, span);
        } else {
            self.warn(
                Diagnostic::warning(span, "raw HTML is not rendered on slides; this block is left out")
                    .with_hint("only <br>, <sup>, <sub>, <u>, <mark> and <kbd> are understood"),
            );
        }
    }

    /// A comment is a directive block (`key: value` lines), `pause`, or a speaker note.
    fn comment(&mut self, inner: &str, span: Span) {
        let text = inner.trim();
        if text == "pause" {
            self.current_slide(span).blocks.push(Block::Pause { span });
            return;
        }
        let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        let parsed: Vec<Option<(&str, &str)>> = lines
            .iter()
            .map(|l| {
                let (k, v) = l.split_once(':')?;
                let k = k.trim();
                let bare = k.strip_prefix('_').unwrap_or(k);
                DIRECTIVES.contains(&bare).then_some((k, v.trim()))
            })
            .collect();
        if lines.is_empty() || !parsed.iter().all(Option::is_some) {
            self.current_slide(span).notes.push(Note { text: text.to_string(), span });
            return;
        }
        for (key, value) in parsed.into_iter().flatten() {
            // Marp writes `<!-- _footer: "" -->`: YAML quotes are not part of the value.
            let value = value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
                .unwrap_or(value);
            self.directive(key, value, span);
        }
    }

    fn directive(&mut self, key: &str, value: &str, span: Span) {
        let local = key.starts_with('_');
        let bare = key.trim_start_matches('_');
        match bare {
            "include" => {
                // The included slides stand between this deck's slides.
                self.finish_slide();
                self.includes.push(Include { position: self.slides.len(), target: value.to_string(), span });
            }
            "chart" => self.table_chart(value, span),
            "layout" => match Layout::from_name(value) {
                Some(layout) => self.current_slide(span).layout = Some(layout),
                None => {
                    let names: Vec<&str> = Layout::ALL.iter().map(|l| l.name()).collect();
                    let mut d = Diagnostic::error(span, format!("unknown layout `{value}`"));
                    if let Some(s) = crate::diag::did_you_mean(value, names.iter().copied()) {
                        d = d.with_hint(format!("did you mean `{s}`?"));
                    }
                    self.error(d.with_hint(format!("the layouts are: {}", names.join(", "))));
                }
            },
            "headingDivider" | "theme" | "size" | "style" => {
                self.warn(Diagnostic::warning(
                    span,
                    format!("the `{bare}` directive only works in the front matter; it is ignored here"),
                ));
            }
            "transition" | "backgroundImage" => {
                self.warn(
                    Diagnostic::warning(span, format!("Marp's `{bare}` has no effect in a PDF; it is ignored"))
                        .with_hint(if bare == "backgroundImage" {
                            "use `![bg](file.png)` for a background image"
                        } else {
                            ""
                        }),
                );
            }
            _ => {
                self.current_slide(span);
                let list = self.slide_directives.last_mut().expect("slide directives follow slides");
                list.push((bare.to_string(), value.to_string(), local));
            }
        }
    }

    /// `<!-- chart: line x=年 y=件数 hide-table -->` right after a table plots it.
    fn table_chart(&mut self, args: &str, span: Span) {
        let slide = self.current_slide(span);
        let Some(position) = slide.blocks.iter().rposition(|b| matches!(b, Block::Table(_))) else {
            self.error(
                Diagnostic::error(span, "`<!-- chart: … -->` must come right after a Markdown table")
                    .with_hint("or draw from a file with a ```chart block"),
            );
            return;
        };
        let Block::Table(table) = &slide.blocks[position] else { unreachable!() };
        let data = chart::DataTable {
            columns: table.header.iter().map(|c| plain_text(c)).collect(),
            rows: table.rows.iter().map(|r| r.iter().map(|c| plain_text(c)).collect()).collect(),
            origin: Some("the table above".into()),
        };
        let mut spec = chart::ChartSpec::default();
        let mut hide_table = false;
        for token in split_args(args) {
            let (key, value) = match token.split_once('=') {
                Some((k, v)) => (k.to_string(), v.to_string()),
                None if chart::KINDS.contains(&token.as_str()) => ("type".into(), token.clone()),
                None if token == "hide-table" => {
                    hide_table = true;
                    continue;
                }
                None => (token.clone(), String::new()),
            };
            let list =
                |v: &str| v.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect::<Vec<_>>();
            match key.as_str() {
                "type" => spec.kind = Some(value),
                "x" => spec.x = Some(value),
                "y" => spec.y = Some(chart::OneOrMany::Many(list(&value))),
                "title" => spec.title = Some(value),
                "unit" => spec.unit = Some(value),
                "format" => spec.format = Some(value),
                "x-label" => spec.x_label = Some(value),
                "y-label" => spec.y_label = Some(value),
                "highlight" => spec.highlight = Some(serde_yaml::Value::String(value)),
                "value-labels" => spec.value_labels = Some(value != "false"),
                "legend" => spec.legend = Some(value != "false"),
                other => {
                    const KEYS: [&str; 11] = [
                        "type",
                        "x",
                        "y",
                        "title",
                        "unit",
                        "format",
                        "x-label",
                        "y-label",
                        "highlight",
                        "value-labels",
                        "legend",
                    ];
                    let mut d = Diagnostic::error(span, format!("unknown chart option `{other}`"));
                    if let Some(s) = crate::diag::did_you_mean(other, KEYS.iter().copied().chain(chart::KINDS)) {
                        d = d.with_hint(format!("did you mean `{s}`?"));
                    }
                    self.error(d.with_hint(format!(
                        "write e.g. `<!-- chart: line x=年 y=件数 -->`; types: {}",
                        chart::KINDS.join(", ")
                    )));
                    return;
                }
            }
        }
        if let Some(kind) = &spec.kind
            && !chart::KINDS.contains(&kind.as_str())
        {
            self.error(
                Diagnostic::error(span, format!("unknown chart type `{kind}`"))
                    .with_hint(format!("the types are: {}", chart::KINDS.join(", "))),
            );
            return;
        }
        let (first_line, _) = self.sources.line_col(self.file, span.start);
        let block = Block::Chart(Box::new(ChartBlock {
            spec,
            table: Some(data),
            chart: None,
            first_line,
            yaml: String::new(),
            span,
        }));
        let slide = self.current.as_mut().expect("current slide exists");
        if hide_table {
            slide.blocks[position] = block;
        } else {
            slide.blocks.insert(position + 1, block);
        }
    }

    /// Converts a block node; one node may give several blocks (an image paragraph).
    fn block<'a>(&mut self, node: &'a AstNode<'a>) -> Vec<Block> {
        let span = self.span(node);
        let value = node.data().value.clone();
        match value {
            NodeValue::Paragraph => self.paragraph(node, span),
            NodeValue::Heading(h) => vec![Block::Heading { level: h.level, inlines: self.inlines(node), span }],
            NodeValue::List(list) => vec![Block::List(self.list(node, &list, span))],
            NodeValue::BlockQuote | NodeValue::MultilineBlockQuote(_) => {
                vec![self.quote(node, span)]
            }
            NodeValue::CodeBlock(code) => {
                let lang = code.info.split_whitespace().next().map(str::to_string);
                let (first_line, _) = self.sources.line_col(self.file, span.start);
                // Line n of the block's text is deck line first_line + n (after the fence).
                let (file, sources) = (self.file, self.sources);
                let line_span = move |n: usize| sources.line_span(file, first_line + n);
                match lang.as_deref() {
                    Some("chart") => {
                        match chart::parse_spec(&code.literal, &chart::BlockPlace { span, line_span: &line_span }) {
                            Ok(spec) => vec![Block::Chart(Box::new(ChartBlock {
                                spec,
                                table: None,
                                chart: None,
                                first_line: first_line + 1,
                                yaml: code.literal.clone(),
                                span,
                            }))],
                            Err(d) => {
                                self.error(d);
                                vec![]
                            }
                        }
                    }
                    Some("flow") => match flow::parse(&code.literal, &line_span, span) {
                        Ok(flow) => vec![Block::Flow { flow, span }],
                        Err(d) => {
                            self.error(d);
                            vec![]
                        }
                    },
                    _ => vec![Block::Code { lang, text: code.literal.trim_end_matches('\n').to_string(), span }],
                }
            }
            NodeValue::Table(table) => vec![self.table(node, &table.alignments, span)],
            NodeValue::ThematicBreak => vec![Block::Rule { span }],
            NodeValue::HtmlBlock(html) => {
                self.html_block(&html.literal, span);
                vec![]
            }
            NodeValue::BlockDirective(directive) => {
                self.fenced_div(node, &directive.info, directive.fence_length, span)
            }
            NodeValue::FootnoteDefinition(_) => vec![],
            other => {
                self.warn(Diagnostic::warning(span, format!("unsupported Markdown block ({other:?}) left out")));
                vec![]
            }
        }
    }

    fn blocks<'a>(&mut self, node: &'a AstNode<'a>) -> Vec<Block> {
        node.children().flat_map(|child| self.block(child)).collect()
    }

    fn paragraph<'a>(&mut self, node: &'a AstNode<'a>, span: Span) -> Vec<Block> {
        let inlines = self.inlines(node);
        self.check_undefined_footnotes(&inlines, span);
        // A paragraph of images only (Marp style) gives image blocks.
        let only_images = inlines.iter().all(|i| matches!(i, Inline::Image(_) | Inline::SoftBreak | Inline::LineBreak))
            && inlines.iter().any(|i| matches!(i, Inline::Image(_)))
            || matches!(inlines.as_slice(), [Inline::Image(_)]);
        if only_images {
            return inlines
                .into_iter()
                .filter_map(|i| match i {
                    Inline::Image(image) => Some(Block::Image { span: image.span, image: *image }),
                    _ => None,
                })
                .collect();
        }
        if let [Inline::Math { text, .. }] = inlines.as_slice() {
            let literal = &self.sources.text(self.file)[span.range()];
            if literal.trim_start().starts_with("$$") {
                return vec![Block::Math { text: text.clone(), span }];
            }
        }
        let leading = match inlines.first() {
            Some(Inline::Text(t)) => t.clone(),
            _ => String::new(),
        };
        for prefix in ["Note:", "Notes:", "Note：", "ノート:"] {
            if let Some(rest) = leading.strip_prefix(prefix) {
                let mut text = rest.trim_start().to_string();
                text.push_str(&plain_text(&inlines[1..]));
                self.current_slide(span).notes.push(Note { text, span });
                return vec![];
            }
        }
        if ["出典:", "出典：", "Source:", "Sources:", "Quelle:"].iter().any(|p| leading.starts_with(p)) {
            return vec![Block::SourceLine { inlines, span }];
        }
        vec![Block::Paragraph { inlines, span }]
    }

    fn check_undefined_footnotes(&mut self, inlines: &[Inline], span: Span) {
        let text = plain_text(inlines);
        let mut rest = text.as_str();
        while let Some(start) = rest.find("[^") {
            let after = &rest[start + 2..];
            let Some(end) = after.find(']') else { break };
            let label = &after[..end];
            if !label.is_empty() && !label.contains(char::is_whitespace) {
                // Point at the reference itself when it can be found in the paragraph.
                let source = &self.sources.text(self.file)[span.range()];
                let needle = format!("[^{label}]");
                let at = source
                    .find(&needle)
                    .map_or(span, |i| Span::new(self.file, span.start + i..span.start + i + needle.len()));
                self.error(
                    Diagnostic::error(at, format!("footnote `[^{label}]` is used but never defined"))
                        .with_hint(format!("add a line `[^{label}]: …` with the note's text")),
                );
            }
            rest = &after[end..];
        }
    }

    fn list<'a>(&mut self, node: &'a AstNode<'a>, list: &comrak::nodes::NodeList, span: Span) -> List {
        let mut items = Vec::new();
        for item in node.children() {
            let task = match &item.data().value {
                NodeValue::TaskItem(t) => Some(t.symbol.is_some_and(|c| c != ' ')),
                _ => None,
            };
            let mut blocks = Vec::new();
            for child in item.children() {
                match &child.data().value {
                    NodeValue::HtmlBlock(html) => {
                        let s = self.span(child);
                        self.html_block(&html.literal.clone(), s);
                    }
                    _ => blocks.extend(self.block(child)),
                }
            }
            items.push(ListItem { task, blocks });
        }
        List { ordered: list.list_type == ListType::Ordered, start: list.start, tight: list.tight, items, span }
    }

    fn quote<'a>(&mut self, node: &'a AstNode<'a>, span: Span) -> Block {
        let mut blocks = self.blocks(node);
        let mut attribution = None;
        // The attribution is a last paragraph, or a last line, starting with a dash.
        if let Some(Block::Paragraph { inlines, .. }) = blocks.last_mut() {
            let line_start =
                inlines.iter().rposition(|i| matches!(i, Inline::SoftBreak | Inline::LineBreak)).map_or(0, |i| i + 1);
            if let Some(Inline::Text(t)) = inlines.get(line_start)
                && let Some(rest) = strip_dash(t).map(str::to_string)
            {
                let mut attr = inlines.split_off(line_start);
                attr[0] = Inline::Text(rest);
                if matches!(attr[0], Inline::Text(ref s) if s.is_empty()) {
                    attr.remove(0);
                }
                while matches!(inlines.last(), Some(Inline::SoftBreak | Inline::LineBreak)) {
                    inlines.pop();
                }
                if inlines.is_empty() {
                    blocks.pop();
                }
                attribution = Some(attr);
            }
        }
        Block::Quote { blocks, attribution, span }
    }

    fn table<'a>(&mut self, node: &'a AstNode<'a>, alignments: &[TableAlignment], span: Span) -> Block {
        let align = alignments
            .iter()
            .map(|a| match a {
                TableAlignment::Left => Align::Left,
                TableAlignment::Center => Align::Center,
                TableAlignment::Right => Align::Right,
                TableAlignment::None => Align::None,
            })
            .collect();
        let mut header = Vec::new();
        let mut rows = Vec::new();
        for row in node.children() {
            let is_header = matches!(row.data().value, NodeValue::TableRow(true));
            let cells: Vec<Vec<Inline>> = row
                .children()
                .map(|cell| {
                    let s = self.span(cell);
                    let inlines = self.inlines(cell);
                    self.check_undefined_footnotes(&inlines, s);
                    inlines
                })
                .collect();
            if is_header { header = cells } else { rows.push(cells) }
        }
        Block::Table(Table { align, header, rows, header_column: false, notes: vec![], span })
    }

    /// Pandoc fenced divs: `:::: columns` / `::: column` / `::: notes`.
    fn fenced_div<'a>(&mut self, node: &'a AstNode<'a>, info: &str, fence: usize, span: Span) -> Vec<Block> {
        let (first_line, _) = self.sources.line_col(self.file, span.start);
        let open_span = self.sources.line_span(self.file, first_line);
        let last_line =
            self.sources.text(self.file)[..span.end.saturating_sub(1).max(span.start)].lines().count().max(1);
        let closing = self.sources.text(self.file)[self.sources.line_span(self.file, last_line).range()].trim();
        let closed = last_line > first_line && closing.chars().all(|c| c == ':') && closing.len() >= fence;
        if !closed {
            self.error(
                Diagnostic::error(
                    open_span,
                    format!("fenced div `{}` is never closed", self.sources.text(self.file)[open_span.range()].trim()),
                )
                .with_hint(format!("close it with a line of {fence} or more colons: `{}`", ":".repeat(fence))),
            );
            return vec![];
        }
        let (classes, pairs) = parse_div_info(info);
        let has = |c: &str| classes.iter().any(|x| x == c);
        if has("notes") {
            let text = node
                .children()
                .map(|c| {
                    let s = self.span(c);
                    self.sources.text(self.file)[s.range()].trim().to_string()
                })
                .collect::<Vec<_>>()
                .join("\n\n");
            self.current_slide(span).notes.push(Note { text, span });
            return vec![];
        }
        if has("columns") {
            let mut columns = Vec::new();
            for child in node.children() {
                let child_span = self.span(child);
                let child_value = child.data().value.clone();
                match child_value {
                    NodeValue::BlockDirective(d) if parse_div_info(&d.info).0.iter().any(|c| c == "column") => {
                        let blocks = self.fenced_div(child, &d.info, d.fence_length, child_span);
                        let (_, pairs) = parse_div_info(&d.info);
                        let width_percent = match pairs.iter().find(|(k, _)| k == "width") {
                            Some((_, w)) => match w.trim_end_matches('%').parse::<f64>() {
                                Ok(p) if p > 0.0 && p <= 100.0 => Some(p),
                                _ => {
                                    self.error(Diagnostic::error(
                                        child_span,
                                        format!("column width `{w}` must be a percentage such as \"40%\""),
                                    ));
                                    None
                                }
                            },
                            None => None,
                        };
                        let blocks = match blocks.as_slice() {
                            [Block::Columns { columns, .. }] if columns.len() == 1 => columns[0].blocks.clone(),
                            _ => blocks,
                        };
                        columns.push(Column { width_percent, blocks });
                    }
                    NodeValue::HtmlBlock(html) => self.html_block(&html.literal, child_span),
                    _ => {
                        self.warn(Diagnostic::warning(
                            child_span,
                            "content directly inside `:::: columns` belongs in a `::: column`; it is put in a column of its own",
                        ));
                        let blocks = self.block(child);
                        columns.push(Column { width_percent: None, blocks });
                    }
                }
            }
            if columns.is_empty() {
                self.warn(Diagnostic::warning(span, "`:::: columns` without any `::: column` inside"));
                return vec![];
            }
            return vec![Block::Columns { columns, span }];
        }
        if has("column") {
            // A lone column (outside `columns`) is returned as a one-column group.
            let blocks = self.blocks(node);
            let _ = pairs;
            return vec![Block::Columns { columns: vec![Column { width_percent: None, blocks }], span }];
        }
        if !classes.is_empty() {
            self.warn(Diagnostic::warning(
                open_span,
                format!("fenced div `{}` has no meaning for lectern; its content is kept", info.trim()),
            ));
        }
        self.blocks(node)
    }

    fn inlines<'a>(&mut self, node: &'a AstNode<'a>) -> Vec<Inline> {
        // Inline HTML tags open and close around siblings, so collect with a stack.
        let mut stack: Vec<(String, Vec<Inline>)> = vec![(String::new(), Vec::new())];
        for child in node.children() {
            let span = self.span(child);
            let value = child.data().value.clone();
            let inline = match value {
                NodeValue::Text(t) => Some(Inline::Text(t.to_string())),
                NodeValue::SoftBreak => Some(Inline::SoftBreak),
                NodeValue::LineBreak => Some(Inline::LineBreak),
                NodeValue::Code(c) => Some(Inline::Code(c.literal)),
                NodeValue::Emph => Some(Inline::Emph(self.inlines(child))),
                NodeValue::Strong => Some(Inline::Strong(self.inlines(child))),
                NodeValue::Strikethrough => Some(Inline::Strike(self.inlines(child))),
                NodeValue::Underline => Some(Inline::Underline(self.inlines(child))),
                NodeValue::Highlight => Some(Inline::Mark(self.inlines(child))),
                NodeValue::Superscript => Some(Inline::Sup(self.inlines(child))),
                NodeValue::Subscript => Some(Inline::Sub(self.inlines(child))),
                NodeValue::Link(link) => Some(Inline::Link { url: link.url.clone(), children: self.inlines(child) }),
                NodeValue::Image(link) => {
                    let alt = plain_text(&self.inlines(child));
                    Some(Inline::Image(Box::new(parse_image(&link.url, &alt, span))))
                }
                NodeValue::Math(m) => {
                    // Math is Typst math; `#` would switch it to code, which authors never get.
                    if m.literal.contains('#') {
                        self.error(
                            Diagnostic::error(span, "`#` is not allowed in math")
                                .with_hint("write the formula in Typst math syntax, e.g. `$x^2 + sqrt(y)$`"),
                        );
                    }
                    Some(Inline::Math { text: m.literal, span })
                }
                NodeValue::FootnoteReference(r) => Some(Inline::FootnoteRef(self.footnote_ref(&r.name, span))),
                NodeValue::Escaped => Some(Inline::Text(String::new())),
                NodeValue::HtmlInline(html) => {
                    self.inline_html(&html, span, &mut stack);
                    None
                }
                other => {
                    self.warn(Diagnostic::warning(span, format!("unsupported inline Markdown ({other:?}) left out")));
                    None
                }
            };
            if let Some(inline) = inline {
                stack.last_mut().unwrap().1.push(inline);
            }
        }
        while stack.len() > 1 {
            // An unclosed tag keeps its content, unwrapped.
            let (_, content) = stack.pop().unwrap();
            stack.last_mut().unwrap().1.extend(content);
        }
        let inlines = merge_text(stack.pop().unwrap().1);
        let span = self.span(node);
        self.citations(inlines, span)
    }

    fn inline_html(&mut self, html: &str, span: Span, stack: &mut Vec<(String, Vec<Inline>)>) {
        let tag = html.trim();
        if tag.starts_with("<!--") {
            let inner = tag.trim_start_matches("<!--").trim_end_matches("-->").trim().to_string();
            self.current_slide(span).notes.push(Note { text: inner, span });
            return;
        }
        let lower = tag.to_ascii_lowercase();
        let name: String = lower
            .trim_start_matches('<')
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        const WRAPPERS: [&str; 6] = ["sup", "sub", "u", "mark", "kbd", "ins"];
        let closing = lower.starts_with("</");
        if name == "br" {
            stack.last_mut().unwrap().1.push(Inline::LineBreak);
        } else if crate::table::list_tag(&name, closing, stack) || crate::phrases::break_tag(&name, closing, stack) {
            // Lists in table cells, `<wbr>` and `<nobr>`: handled there.
        } else if WRAPPERS.contains(&name.as_str()) {
            if lower.starts_with("</") {
                if let Some(pos) = stack.iter().rposition(|(n, _)| *n == name) {
                    while stack.len() > pos + 1 {
                        let (_, content) = stack.pop().unwrap();
                        stack.last_mut().unwrap().1.extend(content);
                    }
                    let (_, content) = stack.pop().unwrap();
                    let content = merge_text(content);
                    let wrapped = match name.as_str() {
                        "sup" => Inline::Sup(content),
                        "sub" => Inline::Sub(content),
                        "mark" => Inline::Mark(content),
                        "kbd" => Inline::Kbd(content),
                        _ => Inline::Underline(content),
                    };
                    stack.last_mut().unwrap().1.push(wrapped);
                }
            } else {
                stack.push((name, Vec::new()));
            }
        } else {
            self.warn(
                Diagnostic::warning(span, format!("inline HTML `{tag}` is not rendered on slides; it is left out"))
                    .with_hint("only <br>, <wbr>, <nobr>, <sup>, <sub>, <u>, <mark>, <kbd> and lists (<ul>, <ol>, <li>) are understood"),
            );
        }
    }

    fn footnote_ref(&mut self, name: &str, span: Span) -> usize {
        if let Some(&n) = self.footnote_numbers.get(name) {
            if let Some(slide) = self.current.as_mut()
                && !slide.footnote_refs.contains(&n)
            {
                slide.footnote_refs.push(n);
            }
            return n;
        }
        let number = self.footnotes.len() + 1;
        self.footnote_numbers.insert(name.to_string(), number);
        let (body, def_span) = self.footnote_defs.get(name).cloned().unwrap_or_else(|| (vec![], span));
        self.footnotes.push(Footnote { label: name.to_string(), number, body, span: def_span, citation: None });
        let slide = self.current_slide(span);
        slide.footnote_refs.push(number);
        number
    }

    /// `[@key]`, `[@key, p. 4]`, `[@a; @b]` in text become footnote references (pandoc).
    fn citations(&mut self, inlines: Vec<Inline>, span: Span) -> Vec<Inline> {
        let mut out = Vec::with_capacity(inlines.len());
        for inline in inlines {
            let Inline::Text(text) = inline else {
                out.push(inline);
                continue;
            };
            let mut rest = text.as_str();
            while let Some(start) = rest.find("[@") {
                let Some(len) = rest[start..].find(']') else { break };
                let inner = &rest[start + 1..start + len];
                let Some(cites) = parse_citation(inner) else {
                    out.push(Inline::Text(rest[..start + 2].to_string()));
                    rest = &rest[start + 2..];
                    continue;
                };
                if start > 0 {
                    out.push(Inline::Text(rest[..start].to_string()));
                }
                let written = &rest[start..start + len + 1];
                let source = &self.sources.text(self.file)[span.range()];
                let at = source
                    .find(written)
                    .map_or(span, |i| Span::new(self.file, span.start + i..span.start + i + written.len()));
                let label = format!("@{}", inner.trim());
                let number = match self.footnote_numbers.get(&label) {
                    Some(&n) => n,
                    None => {
                        let n = self.footnotes.len() + 1;
                        self.footnote_numbers.insert(label.clone(), n);
                        self.footnotes.push(Footnote {
                            label,
                            number: n,
                            body: vec![],
                            span: at,
                            citation: Some(cites),
                        });
                        n
                    }
                };
                let slide = self.current_slide(at);
                if !slide.footnote_refs.contains(&number) {
                    slide.footnote_refs.push(number);
                }
                out.push(Inline::FootnoteRef(number));
                rest = &rest[start + len + 1..];
            }
            if !rest.is_empty() {
                out.push(Inline::Text(rest.to_string()));
            }
        }
        merge_text(out)
    }
}

/// `@a, p. 4; @b` → citations, or `None` when it is not one (every part needs `@key`).
fn parse_citation(inner: &str) -> Option<Vec<Citation>> {
    inner
        .split(';')
        .map(|part| {
            let part = part.trim();
            let key_start = part.strip_prefix('@')?;
            let end = key_start.find(|c: char| !(c.is_alphanumeric() || "-_:.".contains(c))).unwrap_or(key_start.len());
            let key = key_start[..end].trim_end_matches(['.', ':']);
            if key.is_empty() {
                return None;
            }
            let locator = key_start[key.len()..].trim().trim_start_matches(',').trim();
            Some(Citation { key: key.to_string(), locator: (!locator.is_empty()).then(|| locator.to_string()) })
        })
        .collect()
}

fn strip_dash(text: &str) -> Option<&str> {
    for dash in ["——", "—", "――", "―", "──", "--", "–"] {
        if let Some(rest) = text.strip_prefix(dash) {
            return Some(rest.trim_start());
        }
    }
    None
}

fn merge_text(inlines: Vec<Inline>) -> Vec<Inline> {
    let mut out: Vec<Inline> = Vec::with_capacity(inlines.len());
    for inline in inlines {
        match (out.last_mut(), inline) {
            (_, Inline::Text(t)) if t.is_empty() => {}
            (Some(Inline::Text(prev)), Inline::Text(t)) => prev.push_str(&t),
            (_, other) => out.push(other),
        }
    }
    out
}

/// `line x=年 title="年間 推移"` → tokens, keeping quoted values whole.
fn split_args(args: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in args.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if !current.is_empty() {
                    tokens.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        tokens.push(current);
    }
    tokens
}

/// `{.column width="40%"}`, `columns`, `.notes` → classes and key/value pairs.
fn parse_div_info(info: &str) -> (Vec<String>, Vec<(String, String)>) {
    let info = info.trim();
    let inner = info.strip_prefix('{').and_then(|s| s.strip_suffix('}')).unwrap_or(info);
    let mut classes = Vec::new();
    let mut pairs = Vec::new();
    for token in inner.split_whitespace() {
        if let Some((k, v)) = token.split_once('=') {
            pairs.push((k.to_string(), v.trim_matches(['"', '\'']).to_string()));
        } else {
            let class = token.trim_start_matches('.');
            if !class.is_empty() && !class.starts_with('#') {
                classes.push(class.to_string());
            }
        }
    }
    (classes, pairs)
}

/// Marp's image keywords in alt text: `bg`, `left`, `right`, `fit`, `w:`, `h:` …
pub fn parse_image(src: &str, alt: &str, span: Span) -> Image {
    let mut image = Image {
        src: src.to_string(),
        path: String::new(),
        caption: None,
        alt: String::new(),
        width: None,
        height: None,
        fit: None,
        background: None,
        span,
    };
    let mut words = Vec::new();
    for word in alt.split_whitespace() {
        let length = |v: &str| -> Option<Length> {
            if let Some(p) = v.strip_suffix('%') {
                p.parse().ok().map(Length::Percent)
            } else {
                // CSS pixels, as Marp means them: 96 px to the inch.
                let v = v.trim_end_matches("px");
                v.parse::<f64>().ok().map(|px| Length::Pt(px * 0.75))
            }
        };
        match word {
            "bg" => image.background = Some(Background::Full),
            "fit" | "contain" => image.fit = Some(Fit::Contain),
            "cover" => image.fit = Some(Fit::Cover),
            "left" if image.background.is_some() => image.background = Some(Background::Split(Side::Left)),
            "right" if image.background.is_some() => image.background = Some(Background::Split(Side::Right)),
            w if w.starts_with("w:") || w.starts_with("width:") => {
                image.width = length(w.split_once(':').unwrap().1);
            }
            w if w.starts_with("h:") || w.starts_with("height:") => {
                image.height = length(w.split_once(':').unwrap().1);
            }
            w => words.push(w.to_string()),
        }
    }
    let caption = words.join(" ");
    image.alt = caption.clone();
    image.caption = (!caption.is_empty()).then_some(caption);
    image
}

/// In a Marp deck a slide's title is just its first block when that is a heading: make
/// it the title so themes place it and PDF bookmarks name the slide.
fn promote_marp_titles(slides: &mut [Slide]) {
    for slide in slides {
        if slide.title.is_none() && matches!(slide.blocks.first(), Some(Block::Heading { .. })) {
            let Block::Heading { inlines, span, .. } = slide.blocks.remove(0) else { unreachable!() };
            slide.title = Some(inlines);
            slide.span = span;
        }
    }
}

/// Marp's inherited (`key`) and one-slide (`_key`) directives, applied in order.
fn apply_marp_directives(meta: &Meta, slides: &mut [Slide], directives: &[DirectiveList]) {
    let mut inherited: HashMap<String, String> = HashMap::new();
    // Front-matter values are where Marp's inherited directives start.
    for (key, value) in [("class", &meta.class), ("backgroundColor", &meta.background_color), ("color", &meta.color)] {
        if let Some(value) = value {
            inherited.insert(key.into(), value.clone());
        }
    }
    for (slide, list) in slides.iter_mut().zip(directives) {
        let mut local: HashMap<String, String> = HashMap::new();
        for (key, value, is_local) in list {
            if *is_local {
                local.insert(key.clone(), value.clone());
            } else {
                inherited.insert(key.clone(), value.clone());
            }
        }
        let get = |k: &str| local.get(k).or_else(|| inherited.get(k)).cloned();
        if let Some(class) = get("class") {
            for c in class.split_whitespace() {
                match Layout::from_marp_class(c) {
                    Some(layout) if slide.layout.is_none() => slide.layout = Some(layout),
                    _ => slide.classes.push(c.to_string()),
                }
            }
        }
        slide.paginate = get("paginate").map(|v| v == "true");
        slide.header = get("header");
        slide.footer = get("footer");
        slide.background_color = get("backgroundColor");
        slide.color = get("color");
    }
}

/// Stable ids: `{#id}` when given, else the title's slug, else `slide-N`; unique.
fn assign_ids(slides: &mut [Slide]) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, slide) in slides.iter_mut().enumerate() {
        let base = if !slide.id.is_empty() {
            slide.id.clone()
        } else {
            let slug = slide.title.as_ref().map(|t| slugify(&plain_text(t))).unwrap_or_default();
            if slug.is_empty() { format!("slide-{}", i + 1) } else { slug }
        };
        let count = seen.entry(base.clone()).or_insert(0);
        slide.id = if *count == 0 { base.clone() } else { format!("{base}-{count}") };
        *count += 1;
    }
}

/// GitHub-style heading slug, keeping non-Latin letters (Japanese ids stay readable).
pub fn slugify(text: &str) -> String {
    let mut slug = String::new();
    for c in text.trim().chars() {
        if c.is_alphanumeric() || c == '_' || c == '-' {
            slug.extend(c.to_lowercase());
        } else if c.is_whitespace() {
            slug.push('-');
        }
    }
    slug
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Parsed, (Sources, Failure)> {
        let mut sources = Sources::default();
        let file = sources.add("deck.md", text);
        parse(Path::new("deck.md"), text, file, &sources).map_err(|e| (sources, e))
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

    #[test]
    fn empty_deck_is_an_error() {
        assert!(parse_str("\n\n").is_err());
        assert!(parse_str("---\nlang: ja\n---\n").is_err());
    }
}
