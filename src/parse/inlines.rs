//! Inline nodes, inline HTML, footnote references and citations → model inlines.

use comrak::nodes::{AstNode, NodeValue};

use super::Parser;
use crate::diag::{Diagnostic, Span};
use crate::model::*;

impl<'s> Parser<'s> {
    pub(super) fn collect_footnote_definitions<'a>(&mut self, root: &'a AstNode<'a>) {
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
                // A note inside a note has no number to take: say so rather than lose it.
                let nested = child.descendants().find(|n| matches!(n.data().value, NodeValue::FootnoteReference(_)));
                if let Some(inner) = nested {
                    let s = self.span(inner);
                    self.error(
                        Diagnostic::error(s, "a footnote cannot refer to another footnote")
                            .with_hint("write the other note's text into this one, or refer to it from the slide"),
                    );
                    continue;
                }
                let content = self.inlines(child);
                inlines.extend(content);
            }
            self.footnote_defs.insert(name, (inlines, span));
        }
    }

    pub(super) fn check_unused_footnotes(&mut self, text: &str) {
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

    pub(super) fn check_undefined_footnotes(&mut self, inlines: &[Inline], span: Span) {
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
                if self.dialect.is_foreign() {
                    // Marp has no footnotes: authors imitate them, and the text stays as written.
                    self.warn(
                        Diagnostic::warning(at, format!("footnote `[^{label}]` is never defined; shown as written"))
                            .with_hint(format!("add a line `[^{label}]: …` to make it a footnote")),
                    );
                } else {
                    self.error(
                        Diagnostic::error(at, format!("footnote `[^{label}]` is used but never defined"))
                            .with_hint(format!("add a line `[^{label}]: …` with the note's text")),
                    );
                }
            }
            rest = &after[end..];
        }
    }

    pub(super) fn inlines<'a>(&mut self, node: &'a AstNode<'a>) -> Vec<Inline> {
        // Inline HTML tags open and close around siblings, so collect with a stack.
        let mut stack: Vec<(String, Vec<Inline>)> = vec![(String::new(), Vec::new())];
        for child in node.children() {
            let span = self.span(child);
            let value = child.data().value.clone();
            let inline = match value {
                NodeValue::Text(t) => Some(Inline::Text(collapse_spaces(&t))),
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
                NodeValue::Link(link) if !crate::safety::is_safe_url(&link.url) => {
                    // `javascript:`, `file:`, relative paths …: the text stays, the link goes.
                    self.warn(
                        Diagnostic::warning(span, format!("link `{}` is left out; its text is kept", link.url))
                            .with_hint("slides link only to http(s), mailto and tel addresses, or to `#slide-id`"),
                    );
                    let children = self.inlines(child);
                    stack.last_mut().unwrap().1.extend(children);
                    None
                }
                NodeValue::Link(link) => Some(Inline::Link { url: link.url.clone(), children: self.inlines(child) }),
                NodeValue::Image(link) => {
                    let alt = plain_text(&self.inlines(child));
                    Some(Inline::Image(Box::new(parse_image(&link.url, &alt, span))))
                }
                NodeValue::Math(m)
                    if m.literal
                        .as_bytes()
                        .windows(3)
                        .any(|w| w[0] == b'\\' && w[1].is_ascii_alphabetic() && w[2].is_ascii_alphabetic())
                        || (self.dialect.is_foreign()
                            && !typst::syntax::parse_math(&m.literal).errors_and_warnings().0.is_empty()) =>
                {
                    // LaTeX commands (`\\frac`, `\\omega`) are not Typst math: show the source.
                    // Simple formulas (`a^2 + b^2`) read the same in both and are typeset.
                    if !self.latex_math_warned {
                        self.latex_math_warned = true;
                        self.warn(
                            Diagnostic::warning(span, "LaTeX math is shown as its source, not typeset")
                                .with_hint("lectern's math is Typst math: `$x^2 + sqrt(y)$`"),
                        );
                    }
                    Some(Inline::Code(m.literal))
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
        const WRAPPERS: [&str; 13] =
            ["sup", "sub", "u", "mark", "kbd", "ins", "b", "strong", "i", "em", "s", "del", "strike"];
        let name: String = lower
            .trim_start_matches('<')
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        let closing = lower.starts_with("</");
        if name == "img" {
            let attrs = super::html::tokenize(tag);
            if let Some(super::html::Piece::Tag { attrs, .. }) = attrs.first()
                && let Some(image) = super::html::img(attrs, span)
            {
                stack.last_mut().unwrap().1.push(Inline::Image(Box::new(image)));
            }
        } else if name == "style" || name == "script" {
            self.warn_styles(&name, span);
        } else if name.starts_with("v-click") || name == "v-after" {
            // A pause in the middle of a paragraph cannot split it: the text stays.
        } else if name == "br" {
            stack.last_mut().unwrap().1.push(Inline::LineBreak);
        } else if super::html::list_tag(&name, closing, stack) || crate::phrases::break_tag(&name, closing, stack) {
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
                        "b" | "strong" => Inline::Strong(content),
                        "i" | "em" => Inline::Emph(content),
                        "s" | "del" | "strike" => Inline::Strike(content),
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
        } else if !lower.starts_with("</") {
            // `<font>`, `<span style>`, `<center>`, Vue components: the text between is kept.
            self.warn(
                Diagnostic::warning(span, format!("HTML tag `<{name}>` has no meaning for lectern; its text is kept"))
                    .with_hint("lectern understands <br>, <wbr>, <nobr>, <img>, <b>, <i>, <s>, <sup>, <sub>, <u>, <mark>, <kbd> and lists in table cells"),
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
            Some(Citation {
                key: key.to_string(),
                locator: (!locator.is_empty()).then(|| locator.to_string()),
                text: vec![],
            })
        })
        .collect()
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

/// Runs of spaces and tabs as one space, as every Markdown tool's output shows them (HTML
/// collapses white space; Typst markup does too, but lectern writes text as strings).
/// No-break and ideographic spaces are the author's and stay.
pub fn collapse_spaces(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut after_space = false;
    for c in text.chars() {
        let space = c == ' ' || c == '\t';
        if !(space && after_space) {
            out.push(if space { ' ' } else { c });
        }
        after_space = space;
    }
    out
}

/// Marp's image keywords in alt text: `bg`, `left`, `right`, `fit`, `w:`, `h:` …
pub fn parse_image(src: &str, alt: &str, span: Span) -> Image {
    let mut image = Image::new(src, span);
    let mut words = Vec::new();
    for word in alt.split_whitespace() {
        let length = |v: &str| -> Option<Length> {
            if let Some(p) = v.strip_suffix('%') {
                p.parse().ok().filter(|p: &f64| p.is_finite() && *p >= 0.0).map(Length::Percent)
            } else {
                // CSS pixels, as Marp means them: 96 px to the inch.
                let v = v.trim_end_matches("px");
                v.parse::<f64>().ok().filter(|px| px.is_finite() && *px >= 0.0).map(|px| Length::Pt(px * 0.75))
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
