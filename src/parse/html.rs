//! Raw HTML in a deck: never a reason to lose visible text. Tags lectern has no meaning
//! for keep their text (and a `<div>`'s Markdown, which comrak parses around it); `<img>`
//! is an image, `<br>` a line break, `<ul>`/`<ol>`/`<li>` in a table cell a list, Slidev's
//! `<v-click>` a pause; `<style>`/`<script>` are ignored with one warning per deck.

use super::Parser;
use super::inlines::parse_image;
use crate::diag::{Diagnostic, Span};
use crate::model::*;

/// Tags that break the text into separate paragraphs.
const BLOCK_TAGS: &[&str] = &[
    "div",
    "p",
    "center",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "table",
    "tr",
    "section",
    "blockquote",
    "article",
    "header",
    "footer",
    "figure",
    "figcaption",
    "pre",
    "dl",
    "dt",
    "dd",
    "hr",
];

/// Elements whose content cannot be shown on paper at all.
const UNPRINTABLE: &[&str] = &["iframe", "video", "audio", "object", "embed", "canvas"];

/// One piece of an HTML fragment.
#[derive(Debug, PartialEq)]
pub(super) enum Piece {
    Text(String),
    /// `<name attrs>` (`closing` for `</name>`).
    Tag {
        name: String,
        closing: bool,
        attrs: Vec<(String, String)>,
    },
    Comment(String),
}

/// Splits HTML into text, tags and comments; `<style>`/`<script>` contents are dropped
/// (their tags are kept so the caller can warn).
pub(super) fn tokenize(html: &str) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut rest = html;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("<!--") {
            let end = after.find("-->").unwrap_or(after.len());
            pieces.push(Piece::Comment(after[..end].trim().to_string()));
            rest = after.get(end + 3..).unwrap_or("");
            continue;
        }
        let is_tag =
            rest.starts_with('<') && rest[1..].chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '/');
        if is_tag && let Some(end) = rest.find('>') {
            let inner = &rest[1..end];
            let closing = inner.starts_with('/');
            let inner = inner.trim_start_matches('/').trim_end_matches('/');
            let name: String =
                inner.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == ':').collect();
            let attrs = attributes(&inner[name.len()..]);
            let lower = name.to_ascii_lowercase();
            rest = &rest[end + 1..];
            if !closing && (lower == "style" || lower == "script") {
                let close = format!("</{lower}");
                let stop = rest.to_ascii_lowercase().find(&close).unwrap_or(rest.len());
                rest = &rest[stop..];
                rest = rest.find('>').map_or("", |i| &rest[i + 1..]);
            }
            pieces.push(Piece::Tag { name: lower, closing, attrs });
            continue;
        }
        let next = rest[1..].find('<').map_or(rest.len(), |i| i + 1);
        pieces.push(Piece::Text(decode_entities(&rest[..next])));
        rest = &rest[next..];
    }
    pieces
}

/// `src="a.png" alt='x' width=300 hidden` → pairs (a bare name has an empty value).
fn attributes(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let name_end = rest.find(|c: char| c == '=' || c.is_whitespace()).unwrap_or(rest.len());
        let name = rest[..name_end].to_ascii_lowercase();
        rest = rest[name_end..].trim_start();
        let value = if let Some(after) = rest.strip_prefix('=') {
            let after = after.trim_start();
            let (value, remaining) = match after.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let end = after[1..].find(q).map_or(after.len(), |i| i + 1);
                    (&after[1..end], after.get(end + 1..).unwrap_or(""))
                }
                _ => {
                    let end = after.find(char::is_whitespace).unwrap_or(after.len());
                    (&after[..end], &after[end..])
                }
            };
            rest = remaining.trim_start();
            decode_entities(value)
        } else {
            String::new()
        };
        if !name.is_empty() {
            out.push((name, value));
        }
    }
    out
}

pub(super) fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| match &rest[1..e] {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" | "#39" => Some('\''),
            "nbsp" => Some('\u{a0}'),
            "copy" => Some('©'),
            "mdash" => Some('—'),
            "ndash" => Some('–'),
            n if n.starts_with("#x") => u32::from_str_radix(&n[2..], 16).ok().and_then(char::from_u32),
            n if n.starts_with('#') => n[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        });
        match (decoded, end) {
            (Some(c), Some(e)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            _ => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// An `<img>` tag as a model image (`width`/`height` in CSS pixels become points).
pub(super) fn img(attrs: &[(String, String)], span: Span) -> Option<Image> {
    let get = |k: &str| attrs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let src = get("src").filter(|s| !s.is_empty())?;
    let mut image = parse_image(src, get("alt").unwrap_or(""), span);
    let length = |v: &str| -> Option<Length> {
        if let Some(p) = v.strip_suffix('%') {
            return p.trim().parse().ok().map(Length::Percent);
        }
        v.trim_end_matches("px").trim().parse::<f64>().ok().map(|px| Length::Pt(px * 0.75))
    };
    if let Some(w) = get("width").and_then(length) {
        image.width = Some(w);
    }
    if let Some(h) = get("height").and_then(length) {
        image.height = Some(h);
    }
    Some(image)
}

impl<'s> Parser<'s> {
    /// An HTML block: a comment (directive, pause or note), or HTML whose text is kept.
    pub(super) fn html_block(&mut self, literal: &str, span: Span) -> Vec<Block> {
        let trimmed = literal.trim();
        if let Some(inner) = trimmed.strip_prefix("<!--").and_then(|s| s.strip_suffix("-->"))
            && !inner.contains("-->")
        {
            self.comment(inner, span);
            return vec![];
        }
        let mut blocks = Vec::new();
        let mut paragraph: Vec<Inline> = Vec::new();
        let flush = |paragraph: &mut Vec<Inline>, blocks: &mut Vec<Block>| {
            // Whitespace collapses as a browser collapses it, across tags.
            let mut inlines: Vec<Inline> = Vec::new();
            for inline in paragraph.drain(..) {
                match (inlines.last_mut(), inline) {
                    (Some(Inline::Text(prev)), Inline::Text(t)) => prev.push_str(&t),
                    (_, inline) => inlines.push(inline),
                }
            }
            for inline in &mut inlines {
                if let Inline::Text(t) = inline {
                    let edge = |b: bool| if b { " " } else { "" };
                    let collapsed = t.split_whitespace().collect::<Vec<_>>().join(" ");
                    *t = format!(
                        "{}{collapsed}{}",
                        edge(t.starts_with(char::is_whitespace)),
                        edge(t.ends_with(char::is_whitespace) && !collapsed.is_empty())
                    );
                }
            }
            if let Some(Inline::Text(t)) = inlines.first_mut() {
                *t = t.trim_start().to_string();
            }
            if let Some(Inline::Text(t)) = inlines.last_mut() {
                *t = t.trim_end().to_string();
            }
            while matches!(inlines.last(), Some(Inline::LineBreak)) {
                inlines.pop();
            }
            if inlines.iter().any(|i| !matches!(i, Inline::Text(t) if t.trim().is_empty())) {
                blocks.push(Block::Paragraph { inlines, span });
            }
        };
        for piece in tokenize(literal) {
            match piece {
                Piece::Comment(text) => self.comment(&text, span),
                Piece::Text(text) => paragraph.push(Inline::Text(text)),
                Piece::Tag { name, closing, attrs } => match name.as_str() {
                    "br" => paragraph.push(Inline::LineBreak),
                    "img" if !closing => {
                        flush(&mut paragraph, &mut blocks);
                        if let Some(image) = img(&attrs, span) {
                            blocks.push(Block::Image { image, span });
                        }
                    }
                    "style" | "script" if !closing => self.warn_styles(&name, span),
                    "td" | "th" if !closing && !paragraph.is_empty() => paragraph.push(Inline::Text(" ".into())),
                    n if n.starts_with("v-click") || n == "v-after" => {
                        flush(&mut paragraph, &mut blocks);
                        if !closing {
                            blocks.push(Block::Pause { span });
                        }
                    }
                    n if UNPRINTABLE.contains(&n) && !closing => {
                        self.warn(Diagnostic::warning(
                            span,
                            format!("HTML `<{n}>` cannot be shown in a PDF; left out"),
                        ));
                    }
                    n if BLOCK_TAGS.contains(&n) => flush(&mut paragraph, &mut blocks),
                    _ => {}
                },
            }
        }
        flush(&mut paragraph, &mut blocks);
        let text: Vec<Inline> = blocks
            .iter()
            .flat_map(|b| match b {
                Block::Paragraph { inlines, .. } => inlines.clone(),
                _ => vec![],
            })
            .collect();
        self.check_undefined_footnotes(&text, span);
        blocks
    }

    /// `<style>` and `<script>` are another tool's styling: one warning per deck.
    pub(super) fn warn_styles(&mut self, name: &str, span: Span) {
        if !self.styles_warned {
            self.styles_warned = true;
            self.warn(
                Diagnostic::warning(span, format!("`<{name}>` blocks (CSS, scripts) are ignored"))
                    .with_hint("lectern styles slides with its themes: choose one with `theme:`"),
            );
        }
    }
}

/// Inline HTML lists in a table cell, on the parser's stack of open tags: `<ul>`/`<ol>`
/// frames hold `<li>` items; `false` for any other tag.
pub(super) fn list_tag(name: &str, closing: bool, stack: &mut Vec<(String, Vec<Inline>)>) -> bool {
    match (name, closing) {
        ("ul" | "ol", false) => stack.push((name.to_string(), Vec::new())),
        ("li", false) => {
            // `<li>` may be left open (HTML allows it): a new item closes the previous one.
            close_item(stack);
            stack.push(("li".to_string(), Vec::new()));
        }
        ("li", true) => close_item(stack),
        ("ul" | "ol", true) => {
            close_item(stack);
            if let Some(pos) = stack.iter().rposition(|(n, _)| n == name) {
                let content: Vec<Inline> = stack.drain(pos..).flat_map(|(_, c)| c).collect();
                stack.last_mut().expect("the root frame").1.extend(content);
            }
        }
        _ => return false,
    }
    true
}

/// Closes the innermost open `<li>` (and whatever is left open inside it) into an item.
fn close_item(stack: &mut Vec<(String, Vec<Inline>)>) {
    let Some(pos) = stack.iter().rposition(|(n, _)| n == "li") else { return };
    // Only an item of the innermost list: never reach past an enclosing `<ul>`.
    if stack[pos + 1..].iter().any(|(n, _)| n == "ul" || n == "ol") {
        return;
    }
    let ordered = pos > 0 && stack[pos - 1].0 == "ol";
    let mut children: Vec<Inline> = stack.drain(pos..).flat_map(|(_, c)| c).collect();
    while matches!(children.last(), Some(Inline::SoftBreak | Inline::LineBreak)) {
        children.pop();
    }
    trim_text(&mut children);
    stack.last_mut().expect("the root frame").1.push(Inline::Item { ordered, children });
}

fn trim_text(inlines: &mut Vec<Inline>) {
    if let Some(Inline::Text(t)) = inlines.first_mut() {
        *t = t.trim_start().to_string();
    }
    if let Some(Inline::Text(t)) = inlines.last_mut() {
        *t = t.trim_end().to_string();
    }
    inlines.retain(|i| !matches!(i, Inline::Text(t) if t.is_empty()));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stack_after(tags: &[(&str, bool)], text_in_items: bool) -> Vec<(String, Vec<Inline>)> {
        let mut stack = vec![(String::new(), Vec::new())];
        for (name, closing) in tags {
            assert!(list_tag(name, *closing, &mut stack));
            if text_in_items && *name == "li" && !closing {
                stack.last_mut().unwrap().1.push(Inline::Text(" 項目 ".into()));
            }
        }
        stack
    }

    #[test]
    fn list_tags_make_items() {
        let stack = stack_after(&[("ul", false), ("li", false), ("li", true), ("li", false), ("ul", true)], true);
        assert_eq!(stack.len(), 1);
        let items: Vec<_> = stack[0]
            .1
            .iter()
            .map(|i| match i {
                Inline::Item { ordered, children } => (*ordered, plain_text(children)),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(items, [(false, "項目".to_string()), (false, "項目".to_string())]);
        let stack = stack_after(&[("ol", false), ("li", false), ("ol", true)], true);
        assert!(matches!(stack[0].1[0], Inline::Item { ordered: true, .. }));
    }

    #[test]
    fn tokens_keep_text_and_drop_style_content() {
        let pieces = tokenize("<div class=\"a\">x &amp; y<br>z</div><style>p{}</style>after");
        assert_eq!(pieces[1], Piece::Text("x & y".into()));
        assert!(pieces.iter().any(|p| matches!(p, Piece::Tag { name, .. } if name == "style")));
        assert!(!pieces.iter().any(|p| matches!(p, Piece::Text(t) if t.contains("p{}"))));
        assert_eq!(pieces.last(), Some(&Piece::Text("after".into())));
    }

    #[test]
    fn attributes_quoted_and_bare() {
        let a = attributes(r#"src="a b.png" alt='x' width=300 hidden"#);
        assert_eq!(a[0], ("src".into(), "a b.png".into()));
        assert_eq!(a[2], ("width".into(), "300".into()));
        assert_eq!(a[3], ("hidden".into(), String::new()));
    }
}
