//! pandoc: the `%` title block, fenced-div pairing, pauses, and which output it targets.

use super::{lines_outside_code, replace_line};
use crate::diag::{Diagnostic, FileIdx, Sources};
use crate::frontmatter::Meta;

/// Front-matter keys only pandoc decks use.
pub(in crate::parse) const KEYS: &[&str] = &[
    "institute",
    "aspectratio",
    "revealjs-url",
    "css",
    "header-includes",
    "classoption",
    "colortheme",
    "fonttheme",
    "innertheme",
    "outertheme",
    "beameroption",
    "csl",
    "incremental",
];

/// beamer themes a pandoc deck names in `theme:` (its output is beamer, not HTML).
const BEAMER_THEMES: &[&str] = &[
    "metropolis",
    "Madrid",
    "Warsaw",
    "Berlin",
    "CambridgeUS",
    "Copenhagen",
    "Boadilla",
    "AnnArbor",
    "Antibes",
    "Bergen",
    "Berkeley",
    "Darmstadt",
    "Dresden",
    "Frankfurt",
    "Goettingen",
    "Hannover",
    "Ilmenau",
    "JuanLesPins",
    "Luebeck",
    "Malmoe",
    "Marburg",
    "Montpellier",
    "PaloAlto",
    "Pittsburgh",
    "Rochester",
    "Singapore",
    "Szeged",
    "boxes",
    "focus",
    "moloch",
];

pub(in crate::parse) fn names_beamer_theme(meta: &Meta) -> bool {
    meta.theme.as_deref().is_some_and(|t| BEAMER_THEMES.contains(&t))
}

/// Whether pandoc would make beamer frames of this deck (headings above the slide level
/// are then sections, not slides of their own) rather than reveal.js/slidy sections.
pub(in crate::parse) fn targets_beamer(text: &str, meta: &Meta) -> bool {
    let has = |k: &str| meta.keys.iter().any(|x| x == k);
    meta.theme.as_deref().is_some_and(|t| BEAMER_THEMES.contains(&t))
        || ["aspectratio", "colortheme", "fonttheme", "innertheme", "outertheme", "classoption", "beameroption"]
            .iter()
            .any(|k| has(k))
        || meta.format.as_deref().is_some_and(|f| f == "beamer" || f == "pdf")
        || text.contains("```{=latex}")
        || text.contains("date: \\today")
}

/// Math written in LaTeX (`$\\omega$`, `$$\\begin{…}$$`): lectern's own math is Typst
/// math, which has no backslash commands, so such a deck was written for pandoc.
pub(in crate::parse) fn has_latex_math(text: &str) -> bool {
    let prose: String = super::lines_outside_code(text)
        .iter()
        .filter(|(_, in_code)| !in_code)
        .map(|&(offset, _)| text[offset..].split('\n').next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
        .replace("$$", "$");
    prose.split('$').skip(1).step_by(2).any(|math| {
        math.as_bytes().windows(3).any(|w| w[0] == b'\\' && w[1].is_ascii_alphabetic() && w[2].is_ascii_alphabetic())
    })
}

/// A pandoc title block: the deck starts with `% title`.
pub(in crate::parse) fn has_title_block(text: &str) -> bool {
    text.starts_with("% ")
}

/// Reads `% title` / `% author; author` / `% date` into the settings and blanks the lines.
pub(in crate::parse) fn title_block(markdown: &mut String, meta: &mut Meta) {
    if !markdown.starts_with("% ") {
        return;
    }
    let mut offset = 0;
    let mut field = 0;
    while markdown[offset..].starts_with('%') && field < 3 {
        let end = markdown[offset..].find('\n').map_or(markdown.len(), |i| offset + i);
        let value = markdown[offset + 1..end].trim().to_string();
        if !value.is_empty() {
            match field {
                0 => meta.title = Some(value),
                1 => meta.authors = value.split(';').map(|a| a.trim().to_string()).filter(|a| !a.is_empty()).collect(),
                _ => meta.date = Some(value),
            }
        }
        replace_line(markdown, offset, "");
        field += 1;
        offset = markdown[offset..].find('\n').map_or(markdown.len(), |i| offset + i + 1);
    }
}

/// Pairs fenced divs as pandoc does (any line of three or more colons closes the innermost
/// open div) and rewrites the fences' lengths so comrak pairs them the same way: an outer
/// div's fence is longer than any inside it. A div that stays open is an error at its line.
pub(in crate::parse) fn pair_fenced_divs(markdown: &mut String, file: FileIdx, sources: &Sources) -> Vec<Diagnostic> {
    struct Div {
        open: usize,
        close: Option<usize>,
        info: String,
        height: usize,
    }
    let mut divs: Vec<Div> = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    for (offset, in_code) in lines_outside_code(markdown) {
        if in_code {
            continue;
        }
        let line = markdown[offset..].split('\n').next().unwrap_or("").trim_end_matches('\r');
        let indent = line.len() - line.trim_start().len();
        let t = line.trim_start();
        let colons = t.chars().take_while(|&c| c == ':').count();
        if indent > 3 || colons < 3 {
            continue;
        }
        let info = t[colons..].trim();
        if info.is_empty() {
            if let Some(i) = stack.pop() {
                divs[i].close = Some(offset);
                // The parent is at least one taller than this div.
                let h = divs[i].height + 1;
                if let Some(&p) = stack.last() {
                    divs[p].height = divs[p].height.max(h);
                }
            }
        } else if !info.starts_with(':') {
            stack.push(divs.len());
            divs.push(Div { open: offset, close: None, info: info.to_string(), height: 0 });
        }
    }
    let errors = divs
        .iter()
        .filter(|d| d.close.is_none())
        .filter(|_| !sources.text(file).is_empty())
        .map(|d| {
            let line = markdown[..d.open].matches('\n').count() + 1;
            let span = sources.line_span(file, line);
            let written = sources.text(file).get(span.range()).unwrap_or("").trim().to_string();
            Diagnostic::error(span, format!("fenced div `{written}` is never closed"))
                .with_hint("close it with a line of three or more colons: `:::`")
        })
        .collect();
    // Rewrite from the end so earlier offsets stay valid.
    let mut edits: Vec<(usize, String)> = Vec::new();
    for div in &divs {
        let Some(close) = div.close else { continue };
        let fence = ":".repeat(3 + div.height);
        // comrak ends a directive's info at a colon (`style="a: b"`): no attribute lectern
        // reads holds one, so it becomes a look-alike.
        edits.push((div.open, format!("{fence} {}", div.info.replace(':', "\u{2236}"))));
        edits.push((close, fence));
    }
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    for (offset, line) in edits {
        replace_line(markdown, offset, &line);
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paired(text: &str) -> String {
        let mut s = text.to_string();
        pair_fenced_divs(&mut s, FileIdx(0), &Sources::default());
        s
    }

    #[test]
    fn colons_in_attributes_do_not_end_the_info() {
        assert_eq!(paired("::: {style=\"a: b\"}\nx\n:::\n"), "::: {style=\"a\u{2236} b\"}\nx\n:::\n");
    }

    #[test]
    fn any_colon_line_closes_the_innermost_div() {
        let out = paired("::: columns\n::: left\na\n:::\n::: right\nb\n:::\n:::\n");
        assert_eq!(out, ":::: columns\n::: left\na\n:::\n::: right\nb\n:::\n::::\n");
    }

    #[test]
    fn code_fences_are_left_alone() {
        let text = "```\n::: x\n```\n";
        assert_eq!(paired(text), text);
    }

    #[test]
    fn latex_math_tells_pandoc() {
        assert!(has_latex_math("text $\\omega$ more"));
        assert!(has_latex_math("$$\n\\begin{aligned} x \\end{aligned}\n$$\n"));
        assert!(!has_latex_math("$x^2 + sqrt(y)$ costs $5"));
        assert!(!has_latex_math("```\n$\\omega$\n```\n"));
    }

    #[test]
    fn title_block() {
        let mut meta = Meta::default();
        let mut s = "% My talk\n% A; B\n% 2024-01-02\n\n# One\n".to_string();
        super::title_block(&mut s, &mut meta);
        assert_eq!(meta.title.as_deref(), Some("My talk"));
        assert_eq!(meta.authors, ["A", "B"]);
        assert_eq!(s.lines().count(), 5, "lines stay where they were");
    }
}
