//! What other slide tools' Markdown dialects mean, applied around the common parse.
//!
//! [`detect`] decides which tool a deck was written for; [`prepare`] rewrites the few
//! constructs comrak cannot read the way that tool does (pandoc's `%` title block and
//! fenced-div pairing, Slidev's per-slide front matter), always line for line so every
//! diagnostic keeps the deck's own line numbers.

use std::path::Path;

use comrak::nodes::{AstNode, NodeValue};

use crate::diag::{Diagnostic, FileIdx, Sources};
use crate::frontmatter::Meta;

pub(super) mod marp;
pub(super) mod pandoc;
pub(super) mod quarto;
pub(super) mod slidev;

/// The tool a deck was written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Lectern,
    Marp,
    Pandoc,
    Quarto,
    Slidev,
}

impl Dialect {
    /// Another tool's deck: things lectern's own dialect rejects are tolerated with a warning.
    pub fn is_foreign(self) -> bool {
        self != Dialect::Lectern
    }
}

/// Decides the dialect from the file name, the front-matter keys and tell-tale syntax.
pub fn detect(path: &Path, text: &str, meta: &Meta) -> Dialect {
    let has_key = |keys: &[&str]| meta.keys.iter().any(|k| keys.contains(&k.as_str()));
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    if meta.marp {
        Dialect::Marp
    } else if ext == "qmd" || ext == "rmd" || has_key(&["format", "execute", "date-format", "title-slide-attributes"]) {
        Dialect::Quarto
    } else if has_key(slidev::HEADMATTER_KEYS) || slidev::has_slide_front_matter(text) {
        Dialect::Slidev
    } else if pandoc::has_title_block(text)
        || has_key(pandoc::KEYS)
        || pandoc::has_latex_math(text)
        || pandoc::names_beamer_theme(meta)
        || text.lines().any(|l| matches!(l.trim(), ". . ." | "\\pause"))
    {
        Dialect::Pandoc
    } else {
        Dialect::Lectern
    }
}

/// Line-preserving rewrites before comrak parses the deck.
pub fn prepare(
    dialect: Dialect,
    markdown: &mut String,
    meta: &mut Meta,
    file: FileIdx,
    sources: &Sources,
    warnings: &mut Vec<Diagnostic>,
) -> Vec<Diagnostic> {
    if matches!(dialect, Dialect::Pandoc | Dialect::Lectern) && meta.span.is_none() {
        pandoc::title_block(markdown, meta);
    }
    if dialect == Dialect::Slidev {
        slidev::slide_front_matter(markdown, file, sources, warnings);
    }
    pandoc::pair_fenced_divs(markdown, file, sources)
}

/// pandoc's default slide level: the highest heading level that is followed directly by
/// content rather than by another heading.
pub fn pandoc_slide_level<'a>(root: &'a AstNode<'a>) -> Option<u8> {
    let mut best: Option<u8> = None;
    for node in root.children() {
        let NodeValue::Heading(h) = node.data().value else { continue };
        let Some(next) = node.next_sibling() else { continue };
        let content = !matches!(next.data().value, NodeValue::Heading(_) | NodeValue::ThematicBreak);
        if content {
            best = Some(best.map_or(h.level, |b| b.min(h.level)));
        }
    }
    best
}

/// Whether a fenced code line opens or closes a fence; returns the fence text.
pub(super) fn code_fence(line: &str) -> Option<&str> {
    let t = line.trim_start();
    if line.len() - t.len() > 3 {
        return None;
    }
    let c = t.chars().next()?;
    if c != '`' && c != '~' {
        return None;
    }
    let n = t.chars().take_while(|&x| x == c).count();
    (n >= 3).then(|| &t[..n])
}

/// Calls `f` with each line (without its newline) and whether it lies inside fenced code.
pub(super) fn lines_outside_code(text: &str) -> Vec<(usize, bool)> {
    let mut out = Vec::new();
    let mut open: Option<String> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        let in_code = match (&open, code_fence(content)) {
            (None, Some(fence)) => {
                open = Some(fence.to_string());
                true
            }
            (Some(o), Some(fence))
                if fence.starts_with(&o[..1]) && fence.len() >= o.len() && content.trim()[fence.len()..].is_empty() =>
            {
                open = None;
                true
            }
            (Some(_), _) => true,
            (None, None) => false,
        };
        out.push((offset, in_code));
        offset += line.len();
    }
    out
}

/// Replaces line `[start, end)` (without its newline) by `with`, padded so nothing moves.
pub(super) fn replace_line(text: &mut String, start: usize, with: &str) {
    let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let end = if text[..end].ends_with('\r') { end - 1 } else { end };
    text.replace_range(start..end, with);
}
