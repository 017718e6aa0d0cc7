//! Slidev: per-slide front matter between two `---` lines, `src:` imports, slot markers.

use super::{lines_outside_code, replace_line};
use crate::diag::{Diagnostic, FileIdx, Sources, Span};

/// Headmatter keys only Slidev decks use.
pub(in crate::parse) const HEADMATTER_KEYS: &[&str] = &[
    "info",
    "drawings",
    "comark",
    "mdc",
    "highlighter",
    "colorSchema",
    "routerMode",
    "themeConfig",
    "fonts",
    "lineNumbers",
    "exportFilename",
    "hideInToc",
    "layout",
    "background",
    "duration",
];

/// `key: value` as the first line after a `---`: YAML that configures the slide.
fn is_yaml_line(line: &str) -> bool {
    let Some((key, _)) = line.split_once(':') else { return false };
    !key.is_empty() && !key.starts_with(' ') && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Where per-slide front matter blocks are: (line index of the opening `---`, of the closing).
fn blocks(text: &str) -> Vec<(usize, usize)> {
    let lines: Vec<(usize, bool)> = lines_outside_code(text);
    let line_text = |i: usize| text[lines[i].0..].split('\n').next().unwrap_or("").trim_end_matches('\r');
    let mut out = Vec::new();
    let mut i = 0;
    while i + 1 < lines.len() {
        if !lines[i].1 && line_text(i) == "---" && !lines[i + 1].1 && is_yaml_line(line_text(i + 1)) {
            let close = (i + 1..lines.len()).find(|&j| line_text(j) == "---");
            if let Some(j) = close
                && (i + 1..j).all(|k| {
                    let l = line_text(k);
                    is_yaml_line(l) || l.starts_with([' ', '\t', '#', '-']) || l.trim().is_empty()
                })
            {
                out.push((i, j));
                i = j;
                continue;
            }
        }
        i += 1;
    }
    out
}

pub(in crate::parse) fn has_slide_front_matter(text: &str) -> bool {
    // The deck's own front matter (first line) does not count.
    blocks(text).iter().any(|&(open, _)| open > 0)
}

/// Keeps each opening `---` as the slide break and blanks the YAML and the closing `---`
/// (which would otherwise make a second, empty slide, or a setext heading). `src:` becomes
/// an include of that file; `hide: true` slides are dropped with their content.
pub(in crate::parse) fn slide_front_matter(
    markdown: &mut String,
    file: FileIdx,
    sources: &Sources,
    warnings: &mut Vec<Diagnostic>,
) {
    let found = blocks(markdown);
    let starts: Vec<usize> = lines_outside_code(markdown).iter().map(|l| l.0).collect();
    for &(open, close) in found.iter().rev() {
        if open == 0 {
            continue;
        }
        let yaml: String = (open + 1..close)
            .map(|i| markdown[starts[i]..].split('\n').next().unwrap_or("").to_string() + "\n")
            .collect();
        let value: serde_yaml::Value = serde_yaml::from_str(&yaml).unwrap_or_default();
        let src = value.get("src").and_then(|v| v.as_str()).map(str::to_string);
        // Edit from the bottom up so the offsets of earlier lines stay valid.
        if value.get("hide").and_then(|v| v.as_bool()) == Some(true) {
            let end = starts.get(close + 1..).and_then(|rest| {
                rest.iter().copied().find(|&s| markdown[s..].split('\n').next().map(str::trim_end) == Some("---"))
            });
            let end = end.unwrap_or(markdown.len());
            let lines: Vec<usize> = starts.iter().copied().filter(|&s| s > starts[close] && s < end).collect();
            for s in lines.into_iter().rev() {
                replace_line(markdown, s, "");
            }
            let line = sources.line_span(file, open + 2);
            warnings
                .push(Diagnostic::warning(Span::new(file, line.start..line.end), "Slidev `hide: true` slide left out"));
        }
        match src {
            Some(src) => replace_line(markdown, starts[close], &format!("<!-- include: {src} -->")),
            None => replace_line(markdown, starts[close], ""),
        }
        for i in (open + 1..close).rev() {
            replace_line(markdown, starts[i], "");
        }
    }
    // `::right::` and other slot markers only place content in Slidev's layouts.
    for (offset, in_code) in lines_outside_code(markdown).into_iter().rev() {
        let line = markdown[offset..].split('\n').next().unwrap_or("").trim_end_matches('\r');
        let t = line.trim();
        if !in_code
            && t.len() > 4
            && t.starts_with("::")
            && t.ends_with("::")
            && t[2..t.len() - 2].chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            replace_line(markdown, offset, "");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_slide_front_matter_is_one_break() {
        let mut s = "# A\n\n---\nlayout: center\nclass: x\n---\n\n# B\n\n::right::\n\nc\n".to_string();
        slide_front_matter(&mut s, FileIdx(0), &Sources::default(), &mut vec![]);
        assert_eq!(s, "# A\n\n---\n\n\n\n\n# B\n\n\n\nc\n");
    }

    #[test]
    fn src_becomes_an_include() {
        let mut s = "# A\n\n---\nsrc: ./pages/x.md\n---\n".to_string();
        slide_front_matter(&mut s, FileIdx(0), &Sources::default(), &mut vec![]);
        assert!(s.contains("<!-- include: ./pages/x.md -->"), "{s}");
    }
}
