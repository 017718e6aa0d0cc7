//! Block nodes (paragraphs, lists, quotes, tables, code, fenced divs) → model blocks.

use comrak::nodes::{AstNode, ListType, NodeValue, TableAlignment};

use super::{Parser, dialect};
use crate::diag::{Diagnostic, Span};
use crate::model::*;
use crate::{chart, flow};

impl<'s> Parser<'s> {
    /// Converts a block node; one node may give several blocks (an image paragraph).
    pub(super) fn block<'a>(&mut self, node: &'a AstNode<'a>) -> Vec<Block> {
        let span = self.span(node);
        let value = node.data().value.clone();
        match value {
            NodeValue::Paragraph => self.paragraph(node, span),
            NodeValue::Heading(h) => vec![Block::Heading { level: h.level, inlines: self.inlines(node), span }],
            NodeValue::List(list) => {
                let list = self.list(node, &list, span);
                if self.incremental { incremental(list) } else { vec![Block::List(list)] }
            }
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
                    Some("{=html}") => self.html_block(&code.literal, span),
                    Some(raw) if raw.starts_with("{=") => {
                        self.warn(Diagnostic::warning(
                            span,
                            format!("raw `{raw}` block is for another output format; left out"),
                        ));
                        vec![]
                    }
                    _ => match dialect::quarto::cell_language(&code.info) {
                        Some(cell) => {
                            self.warn(
                                Diagnostic::warning(
                                    span,
                                    format!("`{{{cell}}}` code cell is shown as code, not executed"),
                                )
                                .with_hint("lectern never runs code: paste its output (a table, an image) instead"),
                            );
                            let text = dialect::quarto::strip_cell_options(&code.literal);
                            vec![Block::Code { lang: Some(cell), text: text.trim_end_matches('\n').to_string(), span }]
                        }
                        None => vec![Block::Code {
                            lang: lang.map(|l| {
                                l.trim_start_matches('{').trim_start_matches('.').trim_end_matches('}').to_string()
                            }),
                            text: code.literal.trim_end_matches('\n').to_string(),
                            span,
                        }],
                    },
                }
            }
            NodeValue::Table(table) => vec![self.table(node, &table.alignments, span)],
            NodeValue::ThematicBreak => vec![Block::Rule { span }],
            NodeValue::HtmlBlock(html) => self.html_block(&html.literal, span),
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
        // pandoc's pauses: a paragraph of `. . .`, or beamer's `\pause`.
        let literal = self.sources.text(self.file).get(span.range()).unwrap_or("").trim();
        if literal == ". . ." || literal == "\\pause" {
            return vec![Block::Pause { span }];
        }
        let inlines = self.inlines(node);
        self.check_undefined_footnotes(&inlines, span);
        if let [Inline::Code(latex)] = inlines.as_slice()
            && self.latex_math_warned
            && self.sources.text(self.file).get(span.range()).unwrap_or("").trim_start().starts_with("$$")
        {
            return vec![Block::Code { lang: Some("latex".into()), text: latex.trim().to_string(), span }];
        }
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
            let literal = self.sources.text(self.file).get(span.range()).unwrap_or("");
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

    fn list<'a>(&mut self, node: &'a AstNode<'a>, list: &comrak::nodes::NodeList, span: Span) -> List {
        let mut items = Vec::new();
        for item in node.children() {
            let task = match &item.data().value {
                NodeValue::TaskItem(t) => Some(t.symbol.is_some_and(|c| c != ' ')),
                _ => None,
            };
            let mut blocks = Vec::new();
            let mut pause_after = None;
            // Only a top-level list appears item by item.
            let incremental = std::mem::replace(&mut self.incremental, false);
            for child in item.children() {
                match &child.data().value {
                    // A pause in a list item steps through the list (see pages::plan).
                    NodeValue::HtmlBlock(html) if super::directives::is_pause(&html.literal) && !items.is_empty() => {
                        let s = self.span(child);
                        match items.last_mut() {
                            Some(ListItem { pause_after: prev, .. }) if blocks.is_empty() => *prev = Some(s),
                            _ => pause_after = Some(s),
                        }
                    }
                    NodeValue::HtmlBlock(html) if super::directives::is_pause(&html.literal) && blocks.is_empty() => {
                        // Before the first item: a pause before the list.
                        let s = self.span(child);
                        self.html_block(&html.literal.clone(), s);
                    }
                    NodeValue::HtmlBlock(html) if super::directives::is_pause(&html.literal) => {
                        pause_after = Some(self.span(child));
                    }
                    NodeValue::HtmlBlock(html) => {
                        let s = self.span(child);
                        blocks.extend(self.html_block(&html.literal.clone(), s));
                    }
                    _ => blocks.extend(self.block(child)),
                }
            }
            self.incremental = incremental;
            items.push(ListItem { task, blocks, pause_after });
        }
        List { ordered: list.list_type == ListType::Ordered, start: list.start, tight: list.tight, items, span }
    }

    /// The blocks of a container whose `<!-- pause -->` stays inside it (a column, a
    /// quote), so it steps through the container (see `pages::plan`).
    fn blocks_with_pauses<'a>(&mut self, node: &'a AstNode<'a>) -> Vec<Block> {
        let mut blocks = Vec::new();
        for child in node.children() {
            let pause =
                matches!(&child.data().value, NodeValue::HtmlBlock(h) if super::directives::is_pause(&h.literal));
            if pause {
                blocks.push(Block::Pause { span: self.span(child) });
            } else {
                blocks.extend(self.block(child));
            }
        }
        blocks
    }

    fn quote<'a>(&mut self, node: &'a AstNode<'a>, span: Span) -> Block {
        let mut blocks = self.blocks_with_pauses(node);
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
        // The line of the div's last character (its closing fence), looked up rather than
        // counted: counting the lines before it made a deck of many divs quadratic.
        let last = span.end.saturating_sub(1).max(span.start);
        let last_line = if last == 0 { 1 } else { self.sources.line_col(self.file, last - 1).0 };
        let closing = self.sources.text(self.file)[self.sources.line_span(self.file, last_line).range()].trim();
        // The fences were paired as pandoc pairs them (see `dialect::pandoc`), so any line of
        // colons that ends the div closes it.
        let closed = last_line > first_line && closing.len() >= 3 && closing.chars().all(|c| c == ':');
        if self.errors.iter().any(|e| e.span == Some(open_span)) {
            // Reported when the fences were paired.
            return vec![];
        }
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
            let mut columns: Vec<Column> = Vec::new();
            let mut pending_pause = None;
            for child in node.children() {
                let before = columns.len();
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
                    // A pause between two columns: the next column comes on a later step.
                    NodeValue::HtmlBlock(html) if super::directives::is_pause(&html.literal) => {
                        pending_pause = Some(child_span);
                        continue;
                    }
                    NodeValue::HtmlBlock(html) => {
                        let blocks = self.html_block(&html.literal, child_span);
                        if !blocks.is_empty() {
                            columns.push(Column { width_percent: None, blocks });
                        }
                    }
                    _ => {
                        self.warn(Diagnostic::warning(
                            child_span,
                            "content directly inside `:::: columns` belongs in a `::: column`; it is put in a column of its own",
                        ));
                        let blocks = self.block(child);
                        columns.push(Column { width_percent: None, blocks });
                    }
                }
                if columns.len() > before
                    && let Some(span) = pending_pause.take()
                {
                    columns[before].blocks.insert(0, Block::Pause { span });
                }
            }
            // A pause after the last column: what follows the columns comes later.
            if let (Some(span), Some(last)) = (pending_pause, columns.last_mut()) {
                last.blocks.push(Block::Pause { span });
            }
            if columns.is_empty() {
                self.warn(Diagnostic::warning(span, "`:::: columns` without any `::: column` inside"));
                return vec![];
            }
            return vec![Block::Columns { columns, span }];
        }
        if has("column") {
            // A lone column (outside `columns`) is returned as a one-column group. A pause
            // in it stays in it, so the columns step one by one (see `pages::plan`).
            let blocks = self.blocks_with_pauses(node);
            let _ = pairs;
            return vec![Block::Columns { columns: vec![Column { width_percent: None, blocks }], span }];
        }
        if has("incremental") || has("nonincremental") {
            let before = std::mem::replace(&mut self.incremental, has("incremental"));
            let blocks = self.blocks(node);
            self.incremental = before;
            return blocks;
        }
        if let Some(title) = classes.iter().find_map(|c| dialect::quarto::callout_title(c)) {
            // A callout is a box with its title: the first heading inside, a `title=`, or its kind.
            let mut blocks = self.blocks(node);
            let title = match blocks.first() {
                Some(Block::Heading { .. }) => None,
                _ => Some(pairs.iter().find(|(k, _)| k == "title").map_or(title, |(_, t)| t.clone())),
            };
            if let Some(title) = title {
                blocks.insert(
                    0,
                    Block::Heading { level: 4, inlines: vec![Inline::Strong(vec![Inline::Text(title)])], span },
                );
            }
            return vec![Block::Quote { blocks, attribution: None, span }];
        }
        if !classes.is_empty() {
            self.warn(Diagnostic::warning(
                open_span,
                format!("fenced div `{}` has no meaning for lectern; its content is kept", info.trim()),
            ));
        }
        self.blocks(node)
    }
}

/// An incremental list: one item more on each step (a pause before every item but the first).
fn incremental(list: List) -> Vec<Block> {
    let List { ordered, start, tight, items, span } = list;
    let mut blocks = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            blocks.push(Block::Pause { span });
        }
        blocks.push(Block::List(List { ordered, start: start + i, tight, items: vec![item], span }));
    }
    blocks
}

fn strip_dash(text: &str) -> Option<&str> {
    for dash in ["——", "—", "――", "―", "──", "--", "–"] {
        if let Some(rest) = text.strip_prefix(dash) {
            return Some(rest.trim_start());
        }
    }
    None
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
