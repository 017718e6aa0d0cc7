//! The deck's settings as its front matter gives them (validated, defaults applied): part
//! of the model, so every stage reads them without importing the front-matter reader.

use serde::Deserialize;

use crate::diag::Span;
use crate::lang::Lang;

/// `theme: {name: seminar, accent: "#b22222", logo: figures/logo.png}`
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ThemeOverrides {
    pub name: Option<String>,
    pub accent: Option<String>,
    pub logo: Option<String>,
}

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
    /// Marp `headingDivider`: the heading levels that start a slide.
    pub heading_divider: Vec<u8>,
    /// `slide-level` was given (else pandoc's rule decides it from the headings).
    pub slide_level_set: bool,
    /// pandoc/Quarto `incremental: true`: every list appears item by item.
    pub incremental: bool,
    /// Whether pauses make step pages in the PDF: `steps:` (or Quarto's
    /// `pdf-separate-fragments:`), `--steps`, else the dialect (set by `parse`): yes in
    /// lectern's own, no in another tool's, whose PDF exports show every fragment at once.
    pub steps: Option<bool>,
    /// `strict: true`: every warning is an error.
    pub strict: bool,
    /// Marp `_key` directives in the front matter: they apply to the first slide only.
    pub first_slide: Vec<(String, String)>,
    /// Every top-level key as written (other tools' keys tell their dialect).
    pub keys: Vec<String>,
    /// Quarto's first `format:` (`revealjs`, `beamer`, …).
    pub format: Option<String>,
    pub background_color: Option<String>,
    pub color: Option<String>,
    /// pandoc's `fontsize:` as a factor on the theme's type scale (`12pt` → 12/11).
    pub font_scale: Option<f64>,
    /// Quarto's `title-slide-attributes`: the title slide's background.
    pub title_background: Option<TitleBackground>,
    /// `outputs:`: what the build writes besides the deck's PDF.
    pub outputs: crate::outputs::DeckOutputs,
    /// Span of the front matter block (for errors about a key's value).
    pub span: Option<Span>,
}

/// The title slide's background from Quarto's `title-slide-attributes`.
#[derive(Debug, Clone, Default)]
pub struct TitleBackground {
    /// `data-background-image` (its `fit` from `data-background-size`).
    pub image: Option<crate::model::Image>,
    /// `data-background-opacity`, 0 to 1.
    pub opacity: Option<f64>,
    /// `data-background-color`.
    pub color: Option<String>,
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
            heading_divider: vec![],
            slide_level_set: false,
            incremental: false,
            steps: None,
            strict: false,
            first_slide: vec![],
            keys: vec![],
            format: None,
            background_color: None,
            color: None,
            font_scale: None,
            title_background: None,
            outputs: Default::default(),
            span: None,
        }
    }
}
