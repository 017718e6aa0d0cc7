//! Writing Typst: text as string literals, content blocks, and the source map that
//! takes generated ranges back to Markdown spans.

use std::ops::Range;

use super::Emitter;
use crate::diag::Span;

/// Generated range → the Markdown it came from. Lookups pick the innermost range.
#[derive(Debug, Default, Clone)]
pub struct SourceMap {
    entries: Vec<(Range<usize>, Span)>,
}

impl SourceMap {
    pub fn push(&mut self, range: Range<usize>, span: Span) {
        self.entries.push((range, span));
    }

    pub fn lookup(&self, offset: usize) -> Option<Span> {
        self.entries
            .iter()
            .filter(|(r, _)| r.start <= offset && offset < r.end.max(r.start + 1))
            .min_by_key(|(r, _)| r.end - r.start)
            .map(|(_, s)| *s)
    }
}

/// A Typst string literal for any text, exactly as Typst's own `repr` writes it (Rust's
/// `escape_debug` for every character but `'`). Whether a character is escaped is looked up
/// in Unicode's tables once per character and thread: decks are mostly CJK text, and those
/// lookups were the costliest part of emitting a deck. So is writing an escaped character
/// through `escape_debug` (it looks the tables up again): the word joiners that glue
/// phrases are written directly.
pub fn lit(text: &str) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    PLAIN.with_borrow_mut(|plain| {
        for c in text.chars() {
            match c {
                '"' => out.push_str(r#"\""#),
                '\\' => out.push_str(r"\\"),
                ' '..='~' => out.push(c),
                _ if is_plain(plain, c) => out.push(c),
                '\t' | '\r' | '\n' => out.extend(c.escape_debug()),
                // Every other escaped character is written as its code point.
                _ => write!(out, "\\u{{{:x}}}", c as u32).expect("writing to a String"),
            }
        }
    });
    out.push('"');
    out
}

thread_local! {
    /// For each character of the Basic Multilingual Plane: 0 not yet known, 1 written as
    /// itself, 2 escaped.
    static PLAIN: std::cell::RefCell<Vec<u8>> = std::cell::RefCell::new(vec![0; 0x10000]);
}

/// Whether `escape_debug` leaves `c` as it is.
fn is_plain(known: &mut [u8], c: char) -> bool {
    let Some(slot) = known.get_mut(c as usize) else { return c.escape_debug().len() == 1 };
    if *slot == 0 {
        *slot = if c.escape_debug().len() == 1 { 1 } else { 2 };
    }
    *slot == 1
}

impl<'d> Emitter<'d> {
    pub(super) fn w(&mut self, s: &str) {
        self.out.push_str(s);
    }

    /// Emits with a source-map entry for everything written by `f`.
    pub(super) fn mapped(&mut self, span: Span, f: impl FnOnce(&mut Self)) {
        let start = self.out.len();
        self.spans.push(span);
        f(self);
        self.spans.pop();
        self.map.push(start..self.out.len(), span);
    }

    pub(super) fn text(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        if let Some(span) = self.spans.last() {
            self.visible.push((text.to_string(), *span));
        }
        self.out.push('#');
        self.out.push_str(&lit(text));
    }

    /// A Typst array of strings (not displayed as content): `("a", "b", )`.
    pub(super) fn str_array<'s>(&mut self, items: impl IntoIterator<Item = &'s str>) {
        self.w("(");
        for item in items {
            self.str_arg(item);
            self.w(", ");
        }
        self.w(")");
    }

    /// A string argument (not displayed as content).
    pub(super) fn str_arg(&mut self, text: &str) {
        self.out.push_str(&lit(text));
    }

    pub(super) fn opt_text_content(&mut self, text: Option<&str>, span: Span) {
        match text {
            Some(t) if !t.is_empty() => {
                self.w("[");
                self.mapped(span, |e| e.text(t));
                self.w("]");
            }
            _ => self.w("none"),
        }
    }

    /// Author text as a content block.
    pub(super) fn content(&mut self, text: &str) {
        self.w("[");
        self.text(text);
        self.w("]");
    }

    pub(super) fn opt_content(&mut self, text: Option<&str>) {
        match text {
            Some(t) => self.content(t),
            None => self.w("none"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use typst::foundations::Repr;

    #[test]
    fn literals_escape_everything() {
        assert_eq!(lit("say \"hi\" #x \\ $HOME"), r#""say \"hi\" #x \\ $HOME""#);
        assert_eq!(lit("a\nb"), r#""a\nb""#);
    }

    #[test]
    fn literals_are_typsts_own_repr() {
        // Every character of the Basic Multilingual Plane and a few beyond, twice (the
        // second time from what the first learnt), in runs and one by one.
        let all: String =
            (0..0x10000).chain([0x1F600, 0x1F3FB, 0xE0001, 0xE0100, 0x10FFFD]).filter_map(char::from_u32).collect();
        for _ in 0..2 {
            assert_eq!(lit(&all), all.repr().to_string());
            for c in all.chars() {
                assert_eq!(lit(&c.to_string()), c.to_string().repr().to_string(), "U+{:04X}", c as u32);
            }
        }
    }

    #[test]
    fn source_map_picks_innermost() {
        let mut map = SourceMap::default();
        let outer = Span::new(crate::diag::FileIdx(0), 0..100);
        let inner = Span::new(crate::diag::FileIdx(0), 10..20);
        map.push(0..50, outer);
        map.push(10..20, inner);
        assert_eq!(map.lookup(15), Some(inner));
        assert_eq!(map.lookup(30), Some(outer));
        assert_eq!(map.lookup(60), None);
    }
}
