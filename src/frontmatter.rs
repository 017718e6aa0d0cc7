//! YAML front matter: strict, typed, with Marp's keys as aliases. Every mistake is reported
//! at its line in the deck.

use serde::Deserialize;

use crate::diag::{Diagnostic, FileIdx, Sources, Span};
use crate::lang::Lang;
use crate::values::Colour;
use crate::yaml::{OneOrMany, Schema, Yaml};

/// The front matter as written. Unknown keys are rejected (with a "did you mean").
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct FrontMatter {
    title: Option<String>,
    subtitle: Option<String>,
    author: Option<OneOrMany>,
    affiliation: Option<String>,
    contact: Option<String>,
    date: Option<serde_yaml::Value>,
    event: Option<String>,
    lang: Option<String>,
    theme: Option<serde_yaml::Value>,
    #[serde(alias = "size")]
    aspect: Option<String>,
    slide_level: Option<u8>,
    toc: Option<bool>,
    #[serde(alias = "paginate")]
    numbering: Option<bool>,
    footer: Option<String>,
    header: Option<String>,
    bibliography: Option<String>,
    citation_style: Option<String>,
    sources_slide: Option<bool>,
    sources_qr: Option<bool>,
    description: Option<String>,
    keywords: Option<OneOrMany>,
    // Marp's own keys, accepted so a Marp deck builds unchanged.
    marp: Option<bool>,
    class: Option<String>,
    #[serde(rename = "headingDivider")]
    heading_divider: Option<u8>,
    #[serde(rename = "backgroundColor")]
    background_color: Option<String>,
    color: Option<String>,
    #[serde(rename = "backgroundImage")]
    background_image: Option<String>,
    style: Option<String>,
    // Marp's slide transition: no meaning in a PDF.
    #[allow(dead_code)]
    transition: Option<serde_yaml::Value>,
    // Marp metadata with no meaning for a PDF (its math engine, social image, URL):
    // accepted so Marp decks build, otherwise unused.
    #[allow(dead_code)]
    math: Option<String>,
    #[allow(dead_code)]
    image: Option<String>,
    #[allow(dead_code)]
    url: Option<String>,
}

/// `theme: {name: seminar, accent: "#b22222", logo: figures/logo.png}`
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ThemeOverrides {
    pub name: Option<String>,
    pub accent: Option<String>,
    pub logo: Option<String>,
}

const KEYS: &[&str] = &[
    "title",
    "subtitle",
    "author",
    "affiliation",
    "contact",
    "date",
    "event",
    "lang",
    "theme",
    "aspect",
    "size",
    "slide-level",
    "toc",
    "numbering",
    "paginate",
    "footer",
    "header",
    "bibliography",
    "citation-style",
    "sources-slide",
    "sources-qr",
    "description",
    "keywords",
    "marp",
    "class",
    "headingDivider",
    "backgroundColor",
    "color",
    "backgroundImage",
    "transition",
    "style",
    "math",
    "image",
    "url",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aspect {
    Wide,
    Standard,
    Sixteen10,
}

impl Aspect {
    pub fn name(self) -> &'static str {
        match self {
            Aspect::Wide => "16:9",
            Aspect::Standard => "4:3",
            Aspect::Sixteen10 => "16:10",
        }
    }
}

/// Deck settings after validation, with defaults applied.
#[derive(Debug, Clone)]
pub struct Meta {
    pub title: Option<String>,
    pub subtitle: Option<String>,
    pub authors: Vec<String>,
    pub affiliation: Option<String>,
    pub contact: Option<String>,
    pub date: Option<String>,
    pub event: Option<String>,
    /// `None` when the deck did not say: decided from its text.
    pub lang: Option<Lang>,
    pub theme: Option<String>,
    pub theme_overrides: ThemeOverrides,
    pub aspect: Aspect,
    pub slide_level: u8,
    pub toc: bool,
    pub numbering: bool,
    pub footer: Option<String>,
    pub header: Option<String>,
    pub sources_slide: bool,
    /// `bibliography:` file (relative to the deck) and the span of its line.
    pub bibliography: Option<(String, Span)>,
    pub citation_style: Option<(String, Span)>,
    pub sources_qr: bool,
    pub description: Option<String>,
    pub keywords: Vec<String>,
    pub marp: bool,
    pub class: Option<String>,
    pub heading_divider: Option<u8>,
    pub background_color: Option<String>,
    pub color: Option<String>,
    /// Span of the front matter block (for errors about a key's value).
    pub span: Option<Span>,
}

impl Default for Meta {
    fn default() -> Self {
        Meta {
            title: None,
            subtitle: None,
            authors: vec![],
            affiliation: None,
            contact: None,
            date: None,
            event: None,
            lang: None,
            theme: None,
            theme_overrides: ThemeOverrides::default(),
            aspect: Aspect::Wide,
            slide_level: 2,
            toc: false,
            numbering: false,
            footer: None,
            header: None,
            sources_slide: false,
            bibliography: None,
            citation_style: None,
            sources_qr: false,
            description: None,
            keywords: vec![],
            marp: false,
            class: None,
            heading_divider: None,
            background_color: None,
            color: None,
            span: None,
        }
    }
}

/// Where the front matter lies in the deck text.
#[derive(Debug)]
pub struct Block<'a> {
    pub yaml: &'a str,
    /// Byte offset of the YAML text (the line after the opening `---`).
    pub yaml_start: usize,
    /// Byte offset just after the closing delimiter line.
    pub end: usize,
}

/// Finds the front matter: `---` on the first line, closed by `---` or `...`.
pub fn locate<'a>(text: &'a str, file: FileIdx, sources: &Sources) -> Result<Option<Block<'a>>, Diagnostic> {
    let first_line_end = text.find('\n').map_or(text.len(), |i| i + 1);
    if text[..first_line_end].trim_end() != "---" {
        return Ok(None);
    }
    let mut offset = first_line_end;
    while offset < text.len() {
        let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i + 1);
        let line = text[offset..line_end].trim_end();
        if line == "---" || line == "..." {
            return Ok(Some(Block { yaml: &text[first_line_end..offset], yaml_start: first_line_end, end: line_end }));
        }
        offset = line_end;
    }
    Err(Diagnostic::error(sources.line_span(file, 1), "the front matter starting here is never closed")
        .with_hint("end the YAML block with a line containing only `---`"))
}

pub fn parse(
    block: &Block,
    file: FileIdx,
    sources: &Sources,
    warnings: &mut Vec<Diagnostic>,
) -> Result<Meta, Diagnostic> {
    let yaml_line_span = |line: usize| {
        let (first, _) = sources.line_col(file, block.yaml_start);
        sources.line_span(file, first + line.saturating_sub(1))
    };
    let whole = Span::new(file, block.yaml_start.saturating_sub(4)..block.end);
    if block.yaml.trim().is_empty() {
        return Ok(Meta { span: Some(whole), ..Meta::default() });
    }

    let yaml = Yaml { text: block.yaml, line_span: &yaml_line_span };
    let fm: FrontMatter = yaml.strict(&Schema {
        keys: KEYS,
        key_noun: "front-matter key",
        syntax: "malformed YAML in the front matter",
        types: "front matter",
        not_mapping: "the front matter must be a YAML mapping of `key: value` lines",
        empty_ok: false,
        list_keys_always: false,
    })?;

    let check = |key: &str, ok: bool, what: &str| -> Result<(), Diagnostic> {
        if ok { Ok(()) } else { Err(Diagnostic::error(yaml.key_span(key), what.to_string())) }
    };

    let aspect = match fm.aspect.as_deref() {
        None | Some("16:9") => Aspect::Wide,
        Some("4:3") => Aspect::Standard,
        Some("16:10") => Aspect::Sixteen10,
        Some(other) => {
            let key = if block.yaml.contains("size:") { "size" } else { "aspect" };
            return Err(Diagnostic::error(yaml.key_span(key), format!("unknown aspect ratio `{other}`"))
                .with_hint("use one of \"16:9\", \"4:3\", \"16:10\" (quoted, so YAML keeps it a string)"));
        }
    };
    let slide_level = fm.slide_level.unwrap_or(2);
    check("slide-level", (1..=6).contains(&slide_level), "`slide-level` must be between 1 and 6")?;
    let lang = match &fm.lang {
        Some(tag) => {
            let lang = Lang::parse(tag);
            check("lang", lang.is_some(), "`lang` must be a BCP-47 language tag such as `ja` or `en-US`")?;
            lang
        }
        None => None,
    };
    if fm.style.is_some() {
        // Marp's CSS has no meaning for a Typst theme; say so rather than ignore it silently.
        warnings.push(
            Diagnostic::warning(yaml.key_span("style"), "Marp `style:` CSS is ignored")
                .with_hint("restyle with a lectern theme (`theme:`) instead"),
        );
    }
    if let Some(bg) = &fm.background_image {
        warnings.push(Diagnostic::warning(
            yaml.key_span("backgroundImage"),
            format!("Marp `backgroundImage: {bg}` is ignored; use `![bg](file)` on a slide"),
        ));
    }
    let theme_line = || yaml.key_span("theme");
    let (theme, theme_overrides) = match fm.theme {
        None => (None, ThemeOverrides::default()),
        Some(serde_yaml::Value::String(name)) => (Some(name), ThemeOverrides::default()),
        Some(value @ serde_yaml::Value::Mapping(_)) => {
            const THEME_KEYS: [&str; 3] = ["name", "accent", "logo"];
            for key in value.as_mapping().into_iter().flat_map(|m| m.keys()).filter_map(|k| k.as_str()) {
                if !THEME_KEYS.contains(&key) {
                    // `theme:` on one line, or its keys indented below it.
                    let line = block
                        .yaml
                        .lines()
                        .enumerate()
                        .skip(crate::yaml::key_line(block.yaml, "theme") - 1)
                        .find(|(_, l)| l.contains(&format!("{key}:")))
                        .map_or(crate::yaml::key_line(block.yaml, "theme"), |(i, _)| i + 1);
                    let mut d = Diagnostic::error(yaml_line_span(line), format!("unknown `theme:` key `{key}`"));
                    if let Some(s) = crate::diag::did_you_mean(key, THEME_KEYS.iter().copied()) {
                        d = d.with_hint(format!("did you mean `{s}`?"));
                    }
                    return Err(d.with_hint(
                        "the keys are: name, accent, logo (other colours go in a theme folder's theme.yaml)",
                    ));
                }
            }
            let o: ThemeOverrides =
                serde_yaml::from_value(value).map_err(|e| Diagnostic::error(theme_line(), format!("theme: {e}")))?;
            if let Some(accent) = &o.accent
                && Colour::parse(accent).is_none()
            {
                return Err(Diagnostic::error(theme_line(), format!("theme accent `{accent}` is not a colour"))
                    .with_hint("write it as \"#rrggbb\" (quoted)"));
            }
            (o.name.clone(), o)
        }
        Some(_) => {
            return Err(Diagnostic::error(theme_line(), "`theme` is a theme name, a folder, or {name, accent, logo}"));
        }
    };
    let date = fm.date.map(|d| match d {
        serde_yaml::Value::String(s) => s,
        other => serde_yaml::to_string(&other).unwrap_or_default().trim().to_string(),
    });
    if let Some(style) = &fm.citation_style {
        // A built-in style name, or a .csl file (read by Typst from inside the build root):
        // never some other file whose lines an error message would quote.
        let named = !style.is_empty() && style.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        check(
            "citation-style",
            named || style.to_ascii_lowercase().ends_with(".csl"),
            "`citation-style` is a style name such as `apa` or `chicago-notes`, or a .csl file",
        )?;
    }
    if let Some(problem) = date.as_deref().and_then(impossible_date) {
        return Err(Diagnostic::error(yaml.key_span("date"), format!("`date:` {problem}"))
            .with_hint("write the date as YYYY-MM-DD (e.g. 2024-07-27), or as free text such as \"Summer 2024\""));
    }

    Ok(Meta {
        title: fm.title,
        subtitle: fm.subtitle,
        authors: fm.author.map(OneOrMany::into_vec).unwrap_or_default(),
        affiliation: fm.affiliation,
        contact: fm.contact,
        date,
        event: fm.event,
        lang,
        theme,
        theme_overrides,
        aspect,
        slide_level,
        toc: fm.toc.unwrap_or(false),
        numbering: fm.numbering.unwrap_or(false),
        footer: fm.footer,
        header: fm.header,
        sources_slide: fm.sources_slide.unwrap_or(false),
        bibliography: fm.bibliography.map(|b| (b, yaml.key_span("bibliography"))),
        citation_style: fm.citation_style.map(|c| (c, yaml.key_span("citation-style"))),
        sources_qr: fm.sources_qr.unwrap_or(false),
        description: fm.description,
        keywords: fm.keywords.map(OneOrMany::into_vec).unwrap_or_default(),
        marp: fm.marp.unwrap_or(false),
        class: fm.class,
        heading_divider: fm.heading_divider,
        background_color: fm.background_color,
        color: fm.color,
        span: Some(whole),
    })
}

/// Why a date written as numbers (`2024-02-31`, `2024/13/1`) is no day of the calendar;
/// `None` for a real date and for free text.
fn impossible_date(date: &str) -> Option<String> {
    let mut parts = date.trim().split(['-', '/', '.']);
    let y: i64 = parts.next()?.trim().parse().ok()?;
    let m: i64 = parts.next()?.trim().parse().ok()?;
    let d: i64 = parts.next()?.trim().parse().ok()?;
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Some(format!("`{date}` has no month {m}")),
    };
    if !(1..=9999).contains(&y) {
        return Some(format!("`{date}`: the year must be between 1 and 9999"));
    }
    (!(1..=days).contains(&d)).then(|| format!("`{date}` is not a day of the calendar (month {m} has {days} days)"))
}

/// Expands `{event}`, `{date}`, `{title}`, `{author}` in a footer or header template.
pub fn expand_template(template: &str, meta: &Meta) -> String {
    let mut out = template.to_string();
    let author = meta.authors.join(", ");
    for (key, value) in [
        ("{event}", meta.event.as_deref()),
        ("{date}", meta.date.as_deref()),
        ("{title}", meta.title.as_deref()),
        ("{subtitle}", meta.subtitle.as_deref()),
        ("{author}", Some(author.as_str())),
        ("{affiliation}", meta.affiliation.as_deref()),
    ] {
        out = out.replace(key, value.unwrap_or(""));
    }
    out.trim().trim_matches('·').trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Meta, String> {
        let mut sources = Sources::default();
        let file = sources.add("t.md", text);
        let block = locate(text, file, &sources).map_err(|d| d.message)?.expect("front matter");
        parse(&block, file, &sources, &mut vec![])
            .map_err(|d| format!("{} @{}", d.message, sources.location(d.span.unwrap())))
    }

    #[test]
    fn typed_keys_and_defaults() {
        let m = parse_str("---\ntitle: T\nauthor: [A, B]\ndate: 2024-07-27\nslide-level: 3\n---\n").unwrap();
        assert_eq!(m.title.as_deref(), Some("T"));
        assert_eq!(m.authors, ["A", "B"]);
        assert_eq!(m.date.as_deref(), Some("2024-07-27"));
        assert_eq!(m.slide_level, 3);
        assert_eq!(m.aspect, Aspect::Wide);
        assert!(!m.numbering);
    }

    #[test]
    fn marp_aliases() {
        let m = parse_str("---\nmarp: true\npaginate: true\nsize: \"4:3\"\nheadingDivider: 2\n---\n").unwrap();
        assert!(m.marp && m.numbering);
        assert_eq!(m.aspect, Aspect::Standard);
        assert_eq!(m.heading_divider, Some(2));
    }

    #[test]
    fn unknown_key_suggests_and_points_at_line() {
        let e = parse_str("---\ntitle: T\ntitel: X\n---\n").unwrap_err();
        assert!(e.contains("unknown front-matter key `titel`"), "{e}");
        assert!(e.ends_with("t.md:3:1"), "{e}");
    }

    #[test]
    fn malformed_yaml_at_real_line() {
        let e = parse_str("---\ntitle: T\nauthor: [unclosed\n---\n").unwrap_err();
        assert!(e.contains("malformed YAML"), "{e}");
        assert!(e.contains("t.md:"), "{e}");
    }

    #[test]
    fn type_error_at_its_line() {
        let e = parse_str("---\ntitle: T\ntoc: maybe\n---\n").unwrap_err();
        assert!(e.contains("toc: invalid type") && e.ends_with("t.md:3:1"), "{e}");
    }

    #[test]
    fn bad_aspect() {
        let e = parse_str("---\naspect: \"3:2\"\n---\n").unwrap_err();
        assert!(e.contains("unknown aspect ratio `3:2`") && e.ends_with("t.md:2:1"), "{e}");
    }

    #[test]
    fn unterminated() {
        let mut sources = Sources::default();
        let text = "---\ntitle: x\n\n# body\n";
        let file = sources.add("t.md", text);
        assert!(locate(text, file, &sources).unwrap_err().message.contains("never closed"));
    }

    #[test]
    fn footer_template() {
        let m = Meta { event: Some("E".into()), date: Some("D".into()), ..Meta::default() };
        assert_eq!(expand_template("{event} · {date}", &m), "E · D");
        let m = Meta { date: Some("D".into()), ..Meta::default() };
        assert_eq!(expand_template("{event} · {date}", &m), "D");
    }
}
