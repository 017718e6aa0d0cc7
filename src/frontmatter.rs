//! YAML front matter: strict, typed, with Marp's keys as aliases. Every mistake is reported
//! at its line in the deck.

use serde::Deserialize;

use crate::diag::{Diagnostic, FileIdx, Sources, Span};
use crate::lang::Lang;
use crate::values::Colour;
use crate::yaml::{OneOrMany, Schema, Unknown, Yaml, key_line};

pub use crate::model::{Aspect, Meta, ThemeOverrides, TitleBackground};

/// The front matter as written. Unknown keys are warned about (with a "did you mean") and
/// otherwise ignored, so a deck written for another tool still builds.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct FrontMatter {
    title: Option<String>,
    subtitle: Option<String>,
    author: Option<Authors>,
    /// pandoc/Quarto: the author's institution.
    institute: Option<OneOrMany>,
    /// beamer's `aspectratio: 169|43|1610`.
    aspectratio: Option<serde_yaml::Value>,
    csl: Option<String>,
    incremental: Option<bool>,
    /// Pauses make step pages in the PDF (default: in lectern's own dialect only).
    steps: Option<bool>,
    /// Quarto revealjs: each fragment a PDF page of its own (lectern's `steps`).
    pdf_separate_fragments: Option<bool>,
    logo: Option<String>,
    date_format: Option<String>,
    strict: Option<bool>,
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
    heading_divider: Option<serde_yaml::Value>,
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
    /// pandoc/beamer's body text size (`10pt`; beamer's default is 11pt).
    fontsize: Option<serde_yaml::Value>,
    /// Quarto/reveal.js `data-background-*` of the title slide.
    title_slide_attributes: Option<serde_yaml::Mapping>,
}

/// `author: A`, `author: [A, B]`, or pandoc/Quarto's `author: [{name: A, email: …}]`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Authors {
    One(String),
    Many(Vec<AuthorEntry>),
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum AuthorEntry {
    Name(String),
    Record { name: String },
}

impl Authors {
    fn into_vec(self) -> Vec<String> {
        match self {
            Authors::One(s) => vec![s],
            Authors::Many(v) => v
                .into_iter()
                .map(|a| match a {
                    AuthorEntry::Name(n) | AuthorEntry::Record { name: n } => n,
                })
                .collect(),
        }
    }
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
    "institute",
    "aspectratio",
    "csl",
    "incremental",
    "steps",
    "pdf-separate-fragments",
    "logo",
    "date-format",
    "strict",
    "format",
    "fontsize",
    "title-slide-attributes",
    "outputs",
];

/// Other tools' keys that have no meaning for a PDF: ignored with a warning that says so
/// (rather than "unknown", which would suggest a typo).
const FOREIGN_IGNORED: &[(&str, &str)] = &[
    ("css", "pandoc"),
    ("revealjs-url", "pandoc"),
    ("header-includes", "pandoc"),
    ("include-in-header", "pandoc"),
    ("include-before-body", "pandoc"),
    ("include-after-body", "pandoc"),
    ("classoption", "pandoc"),
    ("pdf-engine", "pandoc"),
    ("template", "pandoc"),
    ("width", "reveal.js"),
    ("height", "reveal.js"),
    ("mouseWheel", "reveal.js"),
    ("slide-number", "reveal.js"),
    ("standalone", "Quarto"),
    ("embed-resources", "Quarto"),
    ("execute", "Quarto"),
    ("fig-cap-location", "Quarto"),
    ("fig-format", "Quarto"),
    ("fig-align", "Quarto"),
    ("layout", "Slidev"),
    ("background", "Slidev"),
    ("info", "Slidev"),
    ("drawings", "Slidev"),
    ("comark", "Slidev"),
    ("mdc", "Slidev"),
    ("duration", "Slidev"),
    ("highlighter", "Slidev"),
    ("colorSchema", "Slidev"),
    ("routerMode", "Slidev"),
    ("themeConfig", "Slidev"),
    ("fonts", "Slidev"),
    ("lineNumbers", "Slidev"),
    ("exportFilename", "Slidev"),
    ("download", "Slidev"),
    ("favicon", "Slidev"),
    ("hideInToc", "Slidev"),
];

/// Marp directives that may be written `_key` in the front matter (first slide only).
const MARP_LOCAL: &[&str] =
    &["paginate", "header", "footer", "class", "backgroundColor", "color", "backgroundImage", "backgroundSize"];

/// The front matter as the YAML reader takes it: unknown keys are warnings, so a deck
/// written for another tool still builds.
const SCHEMA: Schema = Schema {
    keys: KEYS,
    key_noun: "front-matter key",
    syntax: "malformed YAML in the front matter",
    types: "front matter",
    not_mapping: "the front matter must be a YAML mapping of `key: value` lines",
    empty_ok: false,
    list_keys_always: false,
    unknown: Unknown::Warn {
        foreign: FOREIGN_IGNORED,
        accepted: |key| key.strip_prefix('_').is_some_and(|bare| MARP_LOCAL.contains(&bare)),
    },
};

/// beamer's default body size, to which a pandoc `fontsize:` is relative.
const BEAMER_BODY_PT: f64 = 11.0;

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
    let (fm, map): (FrontMatter, _) = yaml.read(&SCHEMA, warnings)?;
    let first_slide: Vec<(String, String)> = map
        .iter()
        .filter_map(|(key, value)| Some((key.as_str()?.strip_prefix('_')?, value)))
        .filter(|(bare, _)| MARP_LOCAL.contains(bare))
        .map(|(bare, value)| (bare.to_string(), scalar_text(value)))
        .collect();
    // Quarto's `format: {revealjs: {…}, beamer: {…}}`: the first format's options count.
    let format_options = map.get("format").and_then(|f| f.as_mapping()).and_then(|formats| {
        let (name, options) = formats.iter().find(|(_, v)| v.is_mapping())?;
        Some((name.as_str().unwrap_or("").to_string(), options.as_mapping()?.clone()))
    });
    let nested = match &format_options {
        Some((name, options)) => {
            let format_line = yaml.key_span("format");
            for key in options.keys().filter_map(|k| k.as_str()) {
                if !KEYS.contains(&key) {
                    let line = nested_key_line(block.yaml, key).map_or(format_line, yaml_line_span);
                    warnings.push(crate::yaml::ignored_key(key, line, &SCHEMA));
                }
            }
            let mut options = options.clone();
            options.retain(|k, _| k.as_str().is_some_and(|k| KEYS.contains(&k) && k != "format"));
            Some(
                serde_yaml::from_value::<FrontMatter>(serde_yaml::Value::Mapping(options))
                    .map_err(|e| Diagnostic::error(format_line, format!("front matter `format: {name}`: {e}")))?,
            )
        }
        None => None,
    };
    let fm = match nested {
        Some(nested) => fm.or(nested),
        None => fm,
    };

    let check = |key: &str, ok: bool, what: &str| -> Result<(), Diagnostic> {
        if ok { Ok(()) } else { Err(Diagnostic::error(yaml.key_span(key), what.to_string())) }
    };

    let beamer_aspect = fm.aspectratio.as_ref().map(scalar_text);
    let aspect = match fm.aspect.as_deref().or(match beamer_aspect.as_deref() {
        Some("169") => Some("16:9"),
        Some("43") => Some("4:3"),
        Some("1610") => Some("16:10"),
        other => other,
    }) {
        None | Some("16:9") => Aspect::Wide,
        Some("4:3") => Aspect::Standard,
        Some("16:10") => Aspect::Sixteen10,
        Some(other) => {
            let key = if block.yaml.contains("size:") { "size" } else { "aspect" };
            return Err(Diagnostic::error(yaml.key_span(key), format!("unknown aspect ratio `{other}`"))
                .with_hint("use one of \"16:9\", \"4:3\", \"16:10\" (quoted, so YAML keeps it a string)"));
        }
    };
    let slide_level_set = fm.slide_level.is_some();
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
        // pandoc allows a list of dates (one per line).
        serde_yaml::Value::Sequence(items) => items.iter().map(scalar_text).collect::<Vec<_>>().join(", "),
        other => scalar_text(&other),
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
    let ja = lang.as_ref().is_some_and(Lang::is_ja);
    let date = date.map(|d| dates::expand(&d, fm.date_format.as_deref(), ja));
    let heading_divider = match &fm.heading_divider {
        None => vec![],
        Some(serde_yaml::Value::Sequence(levels)) => {
            levels.iter().filter_map(|l| l.as_u64()).filter_map(|l| u8::try_from(l).ok()).collect()
        }
        Some(v) => match v.as_u64() {
            Some(n) if (1..=6).contains(&n) => (1..=n as u8).collect(),
            _ => {
                return Err(Diagnostic::error(
                    yaml_line_span(key_line(block.yaml, "headingDivider")),
                    "`headingDivider` is a heading level (1 to 6) or a list of levels",
                ));
            }
        },
    };
    let (theme, theme_overrides) =
        (theme, ThemeOverrides { logo: theme_overrides.logo.or(fm.logo), ..theme_overrides });
    let font_scale = fm.fontsize.as_ref().and_then(|size| {
        let text = scalar_text(size);
        let scale = font_scale(&text);
        if scale.is_none() {
            warnings.push(
                Diagnostic::warning(yaml.key_span("fontsize"), format!("`fontsize: {text}` is not a size; ignored"))
                    .with_hint("write it in points, as beamer does: `fontsize: 10pt`"),
            );
        }
        scale
    });
    let title_background = fm.title_slide_attributes.as_ref().map(|attributes| {
        title_background(
            attributes,
            &|key| {
                yaml_line_span(
                    nested_key_line(block.yaml, key).unwrap_or(key_line(block.yaml, "title-slide-attributes")),
                )
            },
            warnings,
        )
    });
    // Like every other key, `outputs:` may be one of the first Quarto format's options.
    let nested_outputs = format_options.as_ref().and_then(|(_, options)| options.get("outputs"));
    let outputs = match map.get("outputs").or(nested_outputs) {
        Some(value) => crate::outputs::parse(value, block.yaml, &yaml_line_span)?,
        None => Default::default(),
    };

    Ok(Meta {
        title: fm.title,
        subtitle: fm.subtitle,
        authors: fm.author.map(Authors::into_vec).unwrap_or_default(),
        affiliation: fm.affiliation.or(fm.institute.map(|i| i.into_vec().join(", "))),
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
        bibliography: fm.bibliography.map(|b| (b, yaml_line_span(key_line(block.yaml, "bibliography")))),
        citation_style: match (fm.citation_style, fm.csl) {
            (Some(c), _) => Some((c, yaml_line_span(key_line(block.yaml, "citation-style")))),
            (None, Some(c)) => Some((c, yaml_line_span(key_line(block.yaml, "csl")))),
            (None, None) => None,
        },
        sources_qr: fm.sources_qr.unwrap_or(false),
        description: fm.description,
        keywords: fm.keywords.map(OneOrMany::into_vec).unwrap_or_default(),
        marp: fm.marp.unwrap_or(false),
        class: fm.class,
        heading_divider,
        slide_level_set,
        incremental: fm.incremental.unwrap_or(false),
        steps: fm.steps.or(fm.pdf_separate_fragments),
        strict: fm.strict.unwrap_or(false),
        first_slide,
        keys: map.keys().filter_map(|k| k.as_str().map(str::to_string)).collect(),
        format: format_options.map(|(name, _)| name),
        background_color: fm.background_color,
        color: fm.color,
        font_scale,
        title_background,
        outputs,
        span: Some(whole),
    })
}

/// `fontsize: 10pt` (or `10`) as a factor on beamer's 11pt; `None` for what is not a
/// plausible text size.
fn font_scale(text: &str) -> Option<f64> {
    let number = text.trim().strip_suffix("pt").unwrap_or(text.trim()).trim();
    let points: f64 = number.parse().ok().filter(|p: &f64| p.is_finite() && (5.0..=40.0).contains(p))?;
    Some(points / BEAMER_BODY_PT)
}

/// Quarto's `title-slide-attributes`: the background image (its size and opacity) and
/// colour are drawn on the title slide; every other attribute is a warning at its line.
fn title_background(
    attributes: &serde_yaml::Mapping,
    line: &dyn Fn(&str) -> Span,
    warnings: &mut Vec<Diagnostic>,
) -> TitleBackground {
    let mut background = TitleBackground::default();
    let mut size = None;
    for (key, value) in attributes {
        let Some(key) = key.as_str() else { continue };
        let text = scalar_text(value);
        let ignored = |why: &str| {
            Diagnostic::warning(line(key), format!("title-slide attribute `{key}` has no effect in lectern; ignored"))
                .with_hint(why.to_string())
        };
        match key {
            "data-background-image" if !text.trim().is_empty() => {
                background.image = Some(crate::model::Image {
                    background: Some(crate::model::Background::Full),
                    ..crate::model::Image::new(text.trim(), line(key))
                });
            }
            "data-background-size" => size = Some((text, line(key))),
            "data-background-opacity" => match text.trim().parse::<f64>() {
                Ok(o) if (0.0..=1.0).contains(&o) => background.opacity = Some(o),
                _ => warnings.push(ignored("the opacity is a number from 0 to 1")),
            },
            "data-background-color" => match Colour::from_css(&text) {
                Some(_) => background.color = Some(text),
                None => warnings.push(ignored("the colour is `#rrggbb` or a CSS colour name")),
            },
            _ => warnings.push(ignored(
                "lectern draws a title slide's background image, its size (cover or contain), opacity and colour",
            )),
        }
    }
    if let Some((size, span)) = size {
        match (size.trim(), &mut background.image) {
            ("contain", Some(image)) => image.fit = Some(crate::model::Fit::Contain),
            ("cover", Some(image)) => image.fit = Some(crate::model::Fit::Cover),
            _ => warnings.push(
                Diagnostic::warning(
                    span,
                    format!("title-slide attribute `data-background-size: {size}` has no effect in lectern; ignored"),
                )
                .with_hint("the image covers the slide; `contain` shows all of it"),
            ),
        }
    }
    background
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

/// A scalar YAML value as the text the author wrote (`169`, `true`, `"x"` → `x`).
fn scalar_text(value: &serde_yaml::Value) -> String {
    match value {
        serde_yaml::Value::String(s) => s.clone(),
        other => serde_yaml::to_string(other).unwrap_or_default().trim().to_string(),
    }
}

/// 1-based line of an indented key (one nested in `format:`).
fn nested_key_line(yaml: &str, key: &str) -> Option<usize> {
    yaml.lines()
        .position(|l| {
            l.starts_with([' ', '\t']) && l.trim_start().strip_prefix(key).is_some_and(|r| r.starts_with(':'))
        })
        .map(|i| i + 1)
}

impl FrontMatter {
    /// Fills what this front matter leaves unset from `other` (Quarto format options).
    fn or(self, other: FrontMatter) -> FrontMatter {
        macro_rules! or_fields {
            ($($f:ident),*) => { FrontMatter { $($f: self.$f.or(other.$f)),* } };
        }
        or_fields!(
            title,
            subtitle,
            author,
            institute,
            aspectratio,
            csl,
            incremental,
            steps,
            pdf_separate_fragments,
            logo,
            date_format,
            strict,
            affiliation,
            contact,
            date,
            event,
            lang,
            theme,
            aspect,
            slide_level,
            toc,
            numbering,
            footer,
            header,
            bibliography,
            citation_style,
            sources_slide,
            sources_qr,
            description,
            keywords,
            marp,
            class,
            heading_divider,
            background_color,
            color,
            background_image,
            style,
            transition,
            math,
            image,
            url,
            fontsize,
            title_slide_attributes
        )
    }
}

mod dates {
    //! `date: today` and Quarto's `date-format`.

    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];

    /// `today`/`now`/`\today` become the build's date; `date-format: long` spells it out.
    pub fn expand(date: &str, format: Option<&str>, ja: bool) -> String {
        let ymd = if matches!(date.trim(), "today" | "now" | "last-modified" | "\\today") {
            Some(today())
        } else {
            parse_ymd(date.trim())
        };
        let Some((y, m, d)) = ymd else { return date.to_string() };
        match format.unwrap_or("iso") {
            "long" | "full" if ja => format!("{y}年{m}月{d}日"),
            "long" | "full" => format!("{} {d}, {y}", MONTHS[(m - 1) as usize]),
            "medium" if !ja => format!("{} {d}, {y}", &MONTHS[(m - 1) as usize][..3]),
            _ => format!("{y}-{m:02}-{d:02}"),
        }
    }

    fn parse_ymd(s: &str) -> Option<(i64, u32, u32)> {
        let mut parts = s.splitn(3, '-');
        let y = parts.next()?.parse().ok()?;
        let m = parts.next()?.parse().ok().filter(|m| (1..=12).contains(m))?;
        let d = parts.next()?.get(..2)?.parse().ok().filter(|d| (1..=31).contains(d))?;
        Some((y, m, d))
    }

    /// Today's date (UTC), or that of `SOURCE_DATE_EPOCH` for reproducible builds (the
    /// same date the PDF's metadata takes, see `clock::source_date_epoch`).
    fn today() -> (i64, u32, u32) {
        let secs =
            crate::clock::source_date_epoch().unwrap_or_else(|| time::OffsetDateTime::now_utc().unix_timestamp());
        date_of(secs)
    }

    /// The UTC calendar date of a Unix time.
    fn date_of(secs: i64) -> (i64, u32, u32) {
        let date = time::OffsetDateTime::from_unix_timestamp(secs).unwrap_or(time::OffsetDateTime::UNIX_EPOCH).date();
        (i64::from(date.year()), u32::from(u8::from(date.month())), u32::from(date.day()))
    }

    #[cfg(test)]
    #[test]
    fn long_dates() {
        assert_eq!(expand("2023-03-04", Some("long"), false), "March 4, 2023");
        assert_eq!(expand("2023-03-04", Some("long"), true), "2023年3月4日");
        assert_eq!(date_of(19_420 * 86_400), (2023, 3, 4));
        assert_eq!(expand("March 7, 2023", None, false), "March 7, 2023");
    }
}

/// Expands `{event}`, `{date}`, `{title}`, `{author}` in a footer or header template.
pub fn expand_template(template: &str, meta: &Meta) -> String {
    let mut out = template.to_string();
    for (key, value) in template_placeholders(meta) {
        out = out.replace(key, value.as_deref().unwrap_or(""));
    }
    out.trim().trim_matches('·').trim().to_string()
}

/// The placeholders a footer or header template may hold, with what each stands for.
pub fn template_placeholders(meta: &Meta) -> [(&'static str, Option<String>); 6] {
    [
        ("{event}", meta.event.clone()),
        ("{date}", meta.date.clone()),
        ("{title}", meta.title.clone()),
        ("{subtitle}", meta.subtitle.clone()),
        ("{author}", Some(meta.authors.join(", "))),
        ("{affiliation}", meta.affiliation.clone()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pandoc_fontsize_is_relative_to_beamers_11pt() {
        assert_eq!(font_scale("11pt"), Some(1.0));
        assert_eq!(font_scale("22"), Some(2.0));
        assert!((font_scale(" 10pt ").unwrap() - 10.0 / 11.0).abs() < 1e-9);
        assert_eq!(font_scale("large"), None);
        assert_eq!(font_scale("1000pt"), None);
    }

    fn parse_str(text: &str) -> Result<Meta, String> {
        let mut sources = Sources::default();
        let file = sources.add("t.md", text);
        let block = locate(text, file, &sources).map_err(|d| d.message)?.expect("front matter");
        parse(&block, file, &sources, &mut vec![])
            .map_err(|d| format!("{} @{}", d.message, sources.location(d.span.unwrap())))
    }

    #[test]
    fn outputs_in_a_quarto_format_count_like_its_other_options() {
        let m = parse_str("---\ntitle: T\nformat:\n  revealjs:\n    outputs: [pdfpc]\n---\n").unwrap();
        assert!(m.outputs.pdfpc);
        let err = parse_str("---\ntitle: T\nformat:\n  revealjs:\n    outputs: [pdfcp]\n---\n").unwrap_err();
        assert!(err.contains("pdfcp") && err.ends_with(":5:1"), "{err}");
        // The deck's own `outputs:` wins over the format's.
        let m = parse_str("---\noutputs: [handout]\nformat:\n  revealjs:\n    outputs: [pdfpc]\n---\n").unwrap();
        assert!(m.outputs.handout.is_some() && !m.outputs.pdfpc);
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
        assert_eq!(m.heading_divider, [1, 2]);
    }

    #[test]
    fn unknown_key_warns_suggests_and_points_at_line() {
        let text = "---\ntitle: T\ntitel: X\n---\n";
        let mut sources = Sources::default();
        let file = sources.add("t.md", text);
        let block = locate(text, file, &sources).unwrap().unwrap();
        let mut warnings = vec![];
        let meta = parse(&block, file, &sources, &mut warnings).unwrap();
        assert_eq!(meta.title.as_deref(), Some("T"));
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].message.contains("unknown front-matter key `titel`"), "{:?}", warnings[0]);
        assert!(warnings[0].hints[0].contains("did you mean `title`?"));
        assert_eq!(sources.location(warnings[0].span.unwrap()), "t.md:3:1");
    }

    #[test]
    fn other_tools_keys() {
        let m = parse_str(
            "---\ntitle: T\nauthor:\n  - name: A\n    email: a@b\ninstitute: I\ndate: 2023-03-04\ndate-format: long\naspectratio: 43\nformat:\n  revealjs:\n    width: 1600\n    subtitle: S\n---\n",
        )
        .unwrap();
        assert_eq!(m.authors, ["A"]);
        assert_eq!(m.affiliation.as_deref(), Some("I"));
        assert_eq!(m.date.as_deref(), Some("March 4, 2023"));
        assert_eq!(m.aspect, Aspect::Standard);
        assert_eq!(m.subtitle.as_deref(), Some("S"), "the first format's options count");
        assert_eq!(m.format.as_deref(), Some("revealjs"));
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
