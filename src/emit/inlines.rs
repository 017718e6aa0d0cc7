//! Model inlines → Typst content, footnote bodies and math.

use std::fmt::Write;

use super::Emitter;
use crate::diag::Span;
use crate::lang::is_cjk;
use crate::model::*;

impl<'d> Emitter<'d> {
    pub(super) fn math(&mut self, text: &str, span: Span, block: bool) {
        self.mapped(span, |e| {
            // Math sees the math functions and symbols only: `std.read(…)` would read files.
            let _ = write!(e.out, "#math.equation(block: {block}, eval(mode: \"math\", scope: (std: none), ");
            e.str_arg(text.trim());
            e.w("))");
        });
    }

    pub(super) fn inlines(&mut self, inlines: &[Inline]) {
        for (i, inline) in inlines.iter().enumerate() {
            match inline {
                Inline::Text(t) => self.text(t),
                Inline::SoftBreak => {
                    // Between two CJK characters a line break is no space at all.
                    let before = i.checked_sub(1).and_then(|j| plain_text(&inlines[j..=j]).chars().last());
                    let after = inlines.get(i + 1).and_then(|n| plain_text(std::slice::from_ref(n)).chars().next());
                    let joins = matches!((before, after), (Some(b), Some(a)) if is_cjk(b) || is_cjk(a));
                    if !joins {
                        self.w("#\" \"");
                    }
                }
                Inline::LineBreak => self.w("#linebreak()"),
                Inline::Code(c) => {
                    if let Some(span) = self.spans.last() {
                        self.visible.push((c.clone(), *span));
                    }
                    self.w("#raw(");
                    self.str_arg(c);
                    self.w(")");
                }
                Inline::Emph(c) => self.wrapped("emph", c),
                Inline::Strong(c) => self.wrapped("strong", c),
                Inline::Strike(c) => self.wrapped("strike", c),
                Inline::Underline(c) => self.wrapped("underline", c),
                Inline::Mark(c) => self.wrapped("highlight", c),
                Inline::Sup(c) => self.wrapped("super", c),
                Inline::Sub(c) => self.wrapped("sub", c),
                Inline::SmallCaps(c) => self.wrapped("smallcaps", c),
                Inline::OwnLines(c) => self.wrapped("block", c),
                Inline::Kbd(c) => {
                    self.w("#box(stroke: 0.05em + luma(120), inset: (x: 0.25em), outset: (y: 0.2em), radius: 0.15em, text(font: (");
                    self.w(&super::KBD_FONTS.map(super::lit).join(", "));
                    self.w("), size: 0.85em)[");
                    self.inlines(c);
                    self.w("])");
                }
                Inline::Item { ordered, children } => {
                    self.wrapped(if *ordered { "enum.item" } else { "list.item" }, children)
                }
                Inline::Link { url, children } => {
                    if let Some(label) = url.strip_prefix('#') {
                        self.w("#link(label(");
                        self.str_arg(label);
                        self.w("))[");
                    } else {
                        self.w("#link(");
                        self.str_arg(url);
                        self.w(")[");
                    }
                    self.inlines(children);
                    self.w("]");
                }
                Inline::Math { text, span } => self.math(text, *span, false),
                Inline::FootnoteRef(n) => {
                    let _ = write!(self.out, "#theme.footnote-mark({n})");
                }
                Inline::Image(image) => {
                    self.w("#box(");
                    if image.path.is_empty() {
                        self.image_placeholder(image, false);
                    } else if image.width.is_none() && image.height.is_none() {
                        // An inline image without a size sits in the line like a glyph.
                        self.w("image(");
                        self.str_arg(&image.path);
                        self.w(", height: 1em");
                        if !image.alt.is_empty() {
                            self.w(", alt: ");
                            self.str_arg(&image.alt);
                        }
                        self.w(")");
                    } else {
                        self.image_call(image, false);
                    }
                    self.w(")");
                }
            }
        }
    }

    fn wrapped(&mut self, func: &str, children: &[Inline]) {
        let _ = write!(self.out, "#{func}[");
        self.inlines(children);
        self.w("]");
    }

    /// A footnote's text, or for a citation the formatted entries (with locators).
    pub(super) fn footnote_body(&mut self, footnote: &Footnote) {
        let Some(citations) = &footnote.citation else {
            self.inlines(&footnote.body);
            return;
        };
        for (i, citation) in citations.iter().enumerate() {
            if i > 0 {
                self.w("#\"; \"");
            }
            self.inlines(&citation.text);
            if let Some(locator) = &citation.locator {
                self.text(&format!(", {locator}"));
            }
        }
    }
}
