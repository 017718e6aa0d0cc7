//! Speaker notes are Markdown: bold, links, lists, code. Here they become Typst content
//! for the handout and the notes PDF, one piece per paragraph or list item (so a long
//! note can continue on the next page between two pieces). Author text only enters the
//! Typst source as string literals.

use comrak::nodes::{AstNode, ListType, NodeValue};
use comrak::{Arena, Options, parse_document};

use crate::emit::lit;
use crate::lang::is_cjk;

fn options() -> Options<'static> {
    let mut o = Options::default();
    o.extension.strikethrough = true;
    o.extension.autolink = true;
    o.extension.tasklist = true;
    o.extension.table = true;
    o
}

/// The notes as Typst content expressions, one per paragraph, list item or other block.
pub fn note_blocks(markdown: &str) -> Vec<String> {
    let arena = Arena::new();
    let root = parse_document(&arena, markdown, &options());
    let mut out = Vec::new();
    for node in root.children() {
        block(node, &mut out);
    }
    out
}

fn block<'a>(node: &'a AstNode<'a>, out: &mut Vec<String>) {
    let value = node.data().value.clone();
    match value {
        NodeValue::Paragraph => out.push(format!("par[{}]", inlines(node))),
        NodeValue::Heading(_) => out.push(format!("par(strong[{}])", inlines(node))),
        NodeValue::List(list) => {
            for (i, item) in node.children().enumerate() {
                let mut parts = Vec::new();
                for child in item.children() {
                    block(child, &mut parts);
                }
                let body = format!("[{}]", parts.iter().map(|p| format!("#{p}")).collect::<String>());
                out.push(match list.list_type {
                    ListType::Ordered => format!("enum(start: {}, {body})", list.start + i),
                    ListType::Bullet => format!("list({body})"),
                });
            }
        }
        NodeValue::BlockQuote | NodeValue::MultilineBlockQuote(_) => {
            let mut parts = Vec::new();
            for child in node.children() {
                block(child, &mut parts);
            }
            let body: String = parts.iter().map(|p| format!("#{p}")).collect();
            out.push(format!("block(inset: (left: 0.8em), stroke: (left: 1pt + luma(160)), [{body}])"));
        }
        NodeValue::CodeBlock(code) => {
            out.push(format!("block(raw(block: true, {}))", lit(code.literal.trim_end())));
        }
        NodeValue::ThematicBreak => out.push("line(length: 100%, stroke: 0.4pt + luma(170))".to_string()),
        NodeValue::HtmlBlock(html) => out.push(format!("par({})", lit(html.literal.trim_end()))),
        _ => {
            // Tables and anything else: their text, so no word is lost.
            let mut text = String::new();
            plain(node, &mut text);
            if !text.trim().is_empty() {
                out.push(format!("par({})", lit(text.trim())));
            }
        }
    }
}

fn plain<'a>(node: &'a AstNode<'a>, out: &mut String) {
    match &node.data().value {
        NodeValue::Text(t) => out.push_str(t),
        NodeValue::Code(c) => out.push_str(&c.literal),
        NodeValue::SoftBreak | NodeValue::LineBreak => out.push(' '),
        NodeValue::TableCell => {
            for child in node.children() {
                plain(child, out);
            }
            out.push_str(" | ");
            return;
        }
        NodeValue::TableRow(_) | NodeValue::Paragraph => {
            for child in node.children() {
                plain(child, out);
            }
            out.push('\n');
            return;
        }
        _ => {}
    }
    for child in node.children() {
        plain(child, out);
    }
}

/// Inline children as Typst markup.
fn inlines<'a>(node: &'a AstNode<'a>) -> String {
    let mut out = String::new();
    let children: Vec<_> = node.children().collect();
    for (i, child) in children.iter().enumerate() {
        let value = child.data().value.clone();
        match value {
            NodeValue::Text(t) => {
                out.push('#');
                out.push_str(&lit(&t));
            }
            NodeValue::SoftBreak => {
                // Between two CJK characters a line break is no space at all.
                let before = children[..i].last().and_then(|n| last_char(n));
                let after = children.get(i + 1).and_then(|n| first_char(n));
                if !(before.is_some_and(is_cjk) && after.is_some_and(is_cjk)) {
                    out.push_str("#\" \"");
                }
            }
            NodeValue::LineBreak => out.push_str("#linebreak()"),
            NodeValue::Code(c) => {
                out.push_str("#raw(");
                out.push_str(&lit(&c.literal));
                out.push(')');
            }
            NodeValue::Emph => out.push_str(&format!("#emph[{}]", inlines(child))),
            NodeValue::Strong => out.push_str(&format!("#strong[{}]", inlines(child))),
            NodeValue::Strikethrough => out.push_str(&format!("#strike[{}]", inlines(child))),
            NodeValue::Link(link) if safe_url(&link.url) => {
                out.push_str(&format!("#link({})[{}]", lit(&link.url), inlines(child)));
            }
            NodeValue::HtmlInline(html) => {
                out.push('#');
                out.push_str(&lit(&html));
            }
            _ => out.push_str(&inlines(child)),
        }
    }
    out
}

/// Links a reader can follow from paper's PDF: web and mail addresses only.
pub fn safe_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    ["http://", "https://", "mailto:"].iter().any(|p| lower.starts_with(p))
}

fn last_char<'a>(node: &'a AstNode<'a>) -> Option<char> {
    match &node.data().value {
        NodeValue::Text(t) => t.chars().last(),
        _ => node.last_child().and_then(|c| last_char(c)),
    }
}

fn first_char<'a>(node: &'a AstNode<'a>) -> Option<char> {
    match &node.data().value {
        NodeValue::Text(t) => t.chars().next(),
        _ => node.first_child().and_then(|c| first_char(c)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_becomes_typst_with_text_as_literals() {
        let blocks =
            note_blocks("Say **this** and [that](https://ex.org).\n\n- one\n- two #x\n\n[bad](javascript:alert(1))");
        assert_eq!(blocks.len(), 4, "{blocks:?}");
        assert!(blocks[0].contains("#strong[#\"this\"]"), "{}", blocks[0]);
        assert!(blocks[0].contains("#link(\"https://ex.org\")[#\"that\"]"), "{}", blocks[0]);
        assert!(blocks[1].starts_with("list("));
        assert!(blocks[2].contains("\"two #x\""), "{}", blocks[2]);
        assert!(!blocks[3].contains("link("), "{}", blocks[3]);
    }

    #[test]
    fn cjk_line_breaks_join() {
        let blocks = note_blocks("一行目\n二行目");
        assert_eq!(blocks, vec!["par[#\"一行目\"#\"二行目\"]".to_string()]);
    }
}
