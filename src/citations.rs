//! Citations formatted once, in Rust, with hayagriva's CSL engine: the engine, styles and
//! locales Typst itself uses for `#cite(…, form: "full")` (see typst-library's
//! `model/bibliography.rs`, whose steps this follows). Left to Typst, this formatting ran
//! inside layout and forced a second layout iteration on every deck that cites.
//!
//! Formatting takes ~14 ms for a few entries (decoding the style, hayagriva's engine):
//! its results are kept for later builds of the process and, beside the fit cache, for
//! later processes (see [`crate::citecache`]); a style is decoded only when it runs.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use hayagriva::archive::ArchivedStyle;
use hayagriva::citationberg::{
    self, Display, FontStyle, FontVariant, FontWeight, IndependentStyle, Locale, LocaleCode, TextDecoration,
    VerticalAlign,
};
use hayagriva::{
    BibliographyDriver, BibliographyRequest, CitationItem, CitationRequest, CitePurpose, ElemChild, ElemChildren,
    Formatted, Library,
};

use crate::citecache::CiteCache;
use crate::lang::Lang;
use crate::model::Inline;

/// How many formatted bibliographies a process keeps (decks watched or built in turn).
const REMEMBERED_FORMATS: usize = 4;

/// The style a deck gets without `citation-style:` (or `csl:`).
pub const DEFAULT_STYLE: &str = "chicago-notes";

/// A citation style ready to format with. A full citation prints the style's
/// bibliography entry; a style without a bibliography (`alphanumeric`) prints its
/// citation instead, as hayagriva does for Typst.
///
/// A style of the archive is decoded only when a citation is formatted (not when it is
/// read from a cache); a `.csl` file is parsed at once, so its errors show.
#[derive(Clone)]
pub struct Style {
    id: StyleId,
    /// The parsed `.csl` file (`None` for a style of the archive).
    csl: Option<Arc<IndependentStyle>>,
}

/// What tells a style from another without decoding it.
#[derive(Clone, Copy, Hash)]
enum StyleId {
    Archived(ArchivedStyle),
    /// The digest of a `.csl` file's text.
    Csl(u128),
}

impl Style {
    /// A style of hayagriva's archive by any name Typst accepts, with Typst's warning for a
    /// deprecated name. Errors are Typst's own words.
    pub fn named(name: &str) -> Result<(Style, Option<String>), String> {
        let deprecation = deprecated_in_favour_of(name)
            .map(|instead| format!("style `{name:?}` has been deprecated in favor of `{instead:?}`"));
        let archived = ArchivedStyle::by_name(name)
            .ok_or_else(|| deprecation.clone().unwrap_or_else(|| format!("unknown style: {name}")))?;
        Ok((Style { id: StyleId::Archived(archived), csl: None }, deprecation))
    }

    /// A style from the text of a `.csl` file (`name`: how messages call it).
    pub fn from_csl(xml: &str, name: &str) -> Result<Style, String> {
        let csl = IndependentStyle::from_xml(xml).map_err(|e| format!("{name} is not a valid CSL style ({e})"))?;
        Ok(Style { id: StyleId::Csl(crate::fitcache::digest(&xml)), csl: Some(Arc::new(csl)) })
    }

    /// The style to format with, decoded now if it comes from the archive.
    fn decoded(&self) -> Arc<IndependentStyle> {
        let archived = match (&self.csl, self.id) {
            (Some(csl), _) => return csl.clone(),
            (None, StyleId::Archived(archived)) => archived,
            (None, StyleId::Csl(_)) => unreachable!("a `.csl` style is parsed when made"),
        };
        // Decoding a style takes a few milliseconds: once a process (watch rebuilds).
        static DECODED: Mutex<Vec<(ArchivedStyle, Arc<IndependentStyle>)>> = Mutex::new(Vec::new());
        let mut decoded = DECODED.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, csl)) = decoded.iter().find(|(a, _)| *a == archived) {
            return csl.clone();
        }
        let citationberg::Style::Independent(csl) = archived.get() else {
            unreachable!("hayagriva's archive holds independent styles only")
        };
        let csl = Arc::new(csl);
        decoded.push((archived, csl.clone()));
        csl
    }
}

/// Names Typst still accepts with a warning, and what replaced them (Typst's table).
fn deprecated_in_favour_of(name: &str) -> Option<&'static str> {
    Some(match name {
        "chicago-fullnotes" => "chicago-notes",
        "modern-humanities-research-association" => "modern-humanities-research-association-notes",
        "council-of-science-editors" => "cse-citation-sequence-brackets-8th-edition",
        "council-of-science-editors-author-date" => "cse-name-year",
        "modern-language-association-8" | "mla-8" => "modern-language-association",
        "vancouver" => "nlm-citation-sequence",
        "vancouver-superscript" => "nlm-citation-sequence-superscript",
        _ => return None,
    })
}

/// The CSL locale of the deck's text: `en`, `en-GB`, as Typst makes it from the text's
/// `lang` and `region`.
pub fn locale(lang: &Lang) -> LocaleCode {
    match lang.region() {
        Some(region) => LocaleCode(format!("{}-{region}", lang.language())),
        None => LocaleCode(lang.language()),
    }
}

/// The entry of each cited key in full, formatted once per entry in the order first
/// cited (a number-citing style numbers them in that order). Every key must be in
/// `library`. `cache`: the file of formatted citations kept between processes (see
/// [`crate::citecache`]), when it is on.
///
/// Typst formatted every appearance of a citation anew; a full citation prints the
/// bibliography entry, which is the same text each time, so one is enough.
pub fn format<'k>(
    library: &Library,
    style: &Style,
    locale: &LocaleCode,
    keys: impl IntoIterator<Item = &'k str>,
    cache: Option<&Path>,
) -> HashMap<&'k str, Vec<Inline>> {
    let mut cited: Vec<&str> = Vec::new();
    for key in keys {
        if !cited.contains(&key) {
            cited.push(key);
        }
    }
    // A watch rebuild formats the same entries again: the last few results are kept,
    // keyed by everything the formatting reads (lectern itself, with its archive and
    // engine; the cited entries in order; the style; the locale), and a later process
    // finds them on disk under the same key.
    static FORMATTED: Mutex<Vec<(u128, Vec<Vec<Inline>>)>> = Mutex::new(Vec::new());
    let entries: Vec<&hayagriva::Entry> =
        cited.iter().map(|key| library.get(key).expect("cited keys are checked against the bibliography")).collect();
    let key = crate::fitcache::digest(&(crate::fitcache::program_stamp(), &entries, style.id, locale));
    let mut formatted = FORMATTED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, texts)) = formatted.iter().find(|(k, _)| *k == key) {
        return cited.into_iter().zip(texts.iter().cloned()).collect();
    }
    let mut disk = cache.map(CiteCache::open);
    let texts = match disk.as_ref().and_then(|disk| disk.get(key, entries.len())) {
        Some(texts) => texts,
        None => {
            let texts = run_engine(&entries, &style.decoded(), locale);
            if let Some(disk) = &mut disk {
                disk.put(key, &texts);
            }
            texts
        }
    };
    if formatted.len() >= REMEMBERED_FORMATS {
        formatted.remove(0);
    }
    formatted.push((key, texts.clone()));
    cited.into_iter().zip(texts).collect()
}

/// Each entry's full citation, by hayagriva.
fn run_engine(entries: &[&hayagriva::Entry], style: &IndependentStyle, locale: &LocaleCode) -> Vec<Vec<Inline>> {
    let locales = locale_files(locale);
    let mut driver = BibliographyDriver::new();
    for entry in entries {
        let item = CitationItem::new(*entry, None, None, false, Some(CitePurpose::Full));
        driver.citation(CitationRequest::new(vec![item], style, Some(locale.clone()), &locales, None));
    }
    // The driver also renders a bibliography, which lectern never shows: it gets the
    // style with an empty bibliography layout, so only the numbering (the bibliography's
    // sort) is left of it. A full citation is rendered from the citation's own style.
    let mut numbering = style.clone();
    if let Some(bibliography) = &mut numbering.bibliography {
        bibliography.layout.elements.clear();
    }
    let rendered =
        driver.finish(BibliographyRequest { style: &numbering, locale: Some(locale.clone()), locale_files: &locales });
    rendered
        .citations
        .iter()
        .map(|citation| {
            let mut out = Vec::new();
            inlines(&citation.citation, true, &mut out);
            out
        })
        .collect()
}

/// The locales of hayagriva's archive a style formatting in `locale` can use: the
/// locale, its language's main dialect (`ja` → `ja-JP`) and `en-US`, the ones hayagriva
/// looks terms up in, in the archive's order. Decoding all 63 (as Typst does) takes
/// ~60 ms; each file's language is read first, without the rest.
fn locale_files(locale: &LocaleCode) -> Vec<Locale> {
    let wanted = [Some(locale.clone()), locale.fallback(), Some(LocaleCode::en_us())];
    hayagriva::archive::LOCALES
        .iter()
        .filter(|bytes| match ciborium::de::from_reader::<LeadingLang, _>(**bytes) {
            Ok(LeadingLang(Some(lang))) => wanted.contains(&lang),
            // Not the layout expected: decode the whole file to know.
            _ => true,
        })
        .filter_map(|bytes| crate::cbor::from_slice::<Locale>(bytes))
        .filter(|file| wanted.contains(&file.lang))
        .collect()
}

/// A CSL locale file's language when it is the first field (as hayagriva's archive
/// writes it), read without decoding the rest of the file.
struct LeadingLang(Option<Option<LocaleCode>>);

impl<'de> serde::Deserialize<'de> for LeadingLang {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FirstField;
        impl<'de> serde::de::Visitor<'de> for FirstField {
            type Value = LeadingLang;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a CSL locale")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<LeadingLang, A::Error> {
                Ok(match map.next_key::<String>()?.as_deref() {
                    Some("@xml:lang") => LeadingLang(Some(map.next_value()?)),
                    _ => LeadingLang(None),
                })
            }
        }
        deserializer.deserialize_map(FirstField)
    }
}

/// Hayagriva's output as inlines. `trim_start`: a style's leading space is the footnote's
/// business, not the citation's (Typst trims it too).
fn inlines(children: &ElemChildren, trim_start: bool, out: &mut Vec<Inline>) {
    for (i, child) in children.0.iter().enumerate() {
        match child {
            ElemChild::Text(text) => out.push(formatted(text, trim_start && i == 0)),
            // Typst shows a CSL block as a block, and an indented one padded by nothing.
            ElemChild::Elem(elem) if matches!(elem.display, Some(Display::Block | Display::Indent)) => {
                let mut lines = Vec::new();
                inlines(&elem.children, false, &mut lines);
                out.push(Inline::OwnLines(lines));
            }
            ElemChild::Elem(elem) => inlines(&elem.children, false, out),
            // Only from math in a field, which the bibliography turned into text already:
            // never evaluated either way.
            ElemChild::Markup(markup) => out.push(Inline::Text(markup.clone())),
            ElemChild::Link { text, url } => {
                let text = formatted(text, false);
                out.push(if crate::safety::is_safe_url(url) {
                    Inline::Link { url: url.clone(), children: vec![text] }
                } else {
                    text
                });
            }
            // A locator given as content: lectern writes locators after the entry instead.
            ElemChild::Transparent { .. } => {}
        }
    }
}

/// Text with the style's formatting, wrapped in the order Typst applies it.
fn formatted(text: &Formatted, trim_start: bool) -> Inline {
    let format = &text.formatting;
    let mut inline = Inline::Text(if trim_start { text.text.trim_start() } else { &text.text }.to_string());
    if format.font_style == FontStyle::Italic {
        inline = Inline::Emph(vec![inline]);
    }
    if format.font_variant == FontVariant::SmallCaps {
        inline = Inline::SmallCaps(vec![inline]);
    }
    // `light` has no counterpart in a slide's text and prints at the normal weight.
    if format.font_weight == FontWeight::Bold {
        inline = Inline::Strong(vec![inline]);
    }
    if format.text_decoration == TextDecoration::Underline {
        inline = Inline::Underline(vec![inline]);
    }
    match format.vertical_align {
        VerticalAlign::Sup => Inline::Sup(vec![inline]),
        VerticalAlign::Sub => Inline::Sub(vec![inline]),
        VerticalAlign::None | VerticalAlign::Baseline => inline,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::plain_text;

    fn library(yaml: &str) -> Library {
        hayagriva::io::from_yaml_str(yaml).unwrap()
    }

    const BOOK: &str = "b:\n  type: book\n  title: Tallinn Manual 2.0\n  author: Schmitt, Michael N.\n  publisher: Cambridge University Press\n  date: 2017\n  url: https://example.org/tm\n";

    #[test]
    fn an_edited_entry_is_formatted_again() {
        // What watch mode sees: the same key formatted twice, its title changed between.
        let (style, _) = Style::named(DEFAULT_STYLE).unwrap();
        let locale = LocaleCode("en".into());
        let first = plain_text(&format(&library(BOOK), &style, &locale, ["b"], None)["b"]);
        let edited = library(&BOOK.replace("Tallinn Manual 2.0", "Tallinn Manual 3.0"));
        let second = plain_text(&format(&edited, &style, &locale, ["b"], None)["b"]);
        assert!(first.contains("Manual 2.0") && second.contains("Manual 3.0"), "{first} / {second}");
        let apa = Style::named("apa").unwrap().0;
        assert_ne!(
            plain_text(&format(&edited, &apa, &locale, ["b"], None)["b"]),
            second,
            "another style, another text"
        );
    }

    #[test]
    fn chicago_notes_prints_the_full_entry_with_italic_title_and_link() {
        let (style, warning) = Style::named(DEFAULT_STYLE).unwrap();
        assert_eq!(warning, None);
        let text = &format(&library(BOOK), &style, &LocaleCode("en".into()), ["b"], None)["b"];
        assert_eq!(
            plain_text(text),
            "Schmitt, Michael N. Tallinn Manual 2.0. Cambridge University Press, 2017. https://example.org/tm"
        );
        assert!(text.iter().any(|i| matches!(i, Inline::Emph(c) if plain_text(c) == "Tallinn Manual 2.0")), "{text:?}");
        assert!(text.iter().any(|i| matches!(i, Inline::Link { url, .. } if url == "https://example.org/tm")));
    }

    #[test]
    fn every_style_formats_as_with_the_bibliography_rendered_too() {
        // `run_engine` leaves the bibliography's layout out of the driver's bibliography
        // request; what it returns must be what the driver gives with the whole style.
        let library = library(&format!(
            "{BOOK}a:\n  type: article\n  title: On Cyber Norms\n  author: [Tanaka, Hanako, Schmitt, Michael N.]\n  date: 2021-05\n  parent:\n    type: periodical\n    title: Journal of Law\n    volume: 12\n  page-range: 33-51\nw:\n  type: web\n  title: 能動的サイバー防御\n  author: 内閣官房\n  date: 2025\n  url: https://example.org/acd\n"
        ));
        let entries: Vec<&hayagriva::Entry> = ["w", "b", "a"].iter().map(|k| library.get(k).unwrap()).collect();
        for locale in [LocaleCode("en".into()), LocaleCode("ja".into())] {
            let locales = locale_files(&locale);
            for archived in ArchivedStyle::all() {
                let citationberg::Style::Independent(style) = archived.get() else { continue };
                let mut driver = BibliographyDriver::new();
                for entry in &entries {
                    let item = CitationItem::new(*entry, None, None, false, Some(CitePurpose::Full));
                    driver.citation(CitationRequest::new(vec![item], &style, Some(locale.clone()), &locales, None));
                }
                let request =
                    BibliographyRequest { style: &style, locale: Some(locale.clone()), locale_files: &locales };
                let whole: Vec<String> = driver
                    .finish(request)
                    .citations
                    .iter()
                    .map(|c| {
                        let mut out = Vec::new();
                        inlines(&c.citation, true, &mut out);
                        format!("{out:?}")
                    })
                    .collect();
                let lean: Vec<String> =
                    run_engine(&entries, &style, &locale).iter().map(|c| format!("{c:?}")).collect();
                assert_eq!(lean, whole, "{:?} in {locale:?}", archived.names());
            }
        }
    }

    #[test]
    fn style_names_are_typst_names() {
        assert_eq!(Style::named("nosuch").err().as_deref(), Some("unknown style: nosuch"));
        let (_, warning) = Style::named("chicago-fullnotes").unwrap();
        assert_eq!(
            warning.as_deref(),
            Some("style `\"chicago-fullnotes\"` has been deprecated in favor of `\"chicago-notes\"`")
        );
        assert!(Style::named("apa").is_ok());
    }

    #[test]
    fn csl_files_format_small_caps_and_bold_or_say_why_not() {
        let csl = r#"<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="note" version="1.0">
  <info><title>Test</title><id>test</id><updated>2024-01-01T00:00:00+00:00</updated></info>
  <citation><layout><text variable="title"/></layout></citation>
  <bibliography><layout>
    <names variable="author" font-variant="small-caps"><name/></names>
    <text variable="title" prefix=", " font-weight="bold"/>
  </layout></bibliography>
</style>"#;
        let style = Style::from_csl(csl, "test.csl").unwrap();
        let text = &format(&library(BOOK), &style, &LocaleCode("en".into()), ["b"], None)["b"];
        assert_eq!(plain_text(text), "Michael N. Schmitt, Tallinn Manual 2.0");
        let caps = |i: &Inline| matches!(i, Inline::SmallCaps(c) if plain_text(c) == "Michael N. Schmitt");
        assert!(text.iter().any(caps), "{text:?}");
        assert!(text.iter().any(|i| matches!(i, Inline::Strong(_))), "{text:?}");
        let err = Style::from_csl("<style>bad", "`bad.csl`").err().unwrap();
        assert!(err.starts_with("`bad.csl` is not a valid CSL style"), "{err}");
    }

    #[test]
    fn a_block_of_the_style_stays_a_block() {
        let (style, _) = Style::named("american-anthropological-association").unwrap();
        let text = &format(&library(BOOK), &style, &LocaleCode("en".into()), ["b"], None)["b"];
        assert!(matches!(&text[0], Inline::OwnLines(c) if plain_text(c) == "Schmitt, Michael N."), "{text:?}");
    }

    #[test]
    fn locale_files_are_the_ones_hayagriva_would_pick_from_all() {
        let all = hayagriva::archive::locales();
        for code in ["ja", "en", "en-GB", "de-AT", "zh", "eu", "xx"] {
            let code = LocaleCode(code.into());
            let wanted = [Some(code.clone()), code.fallback(), Some(LocaleCode::en_us())];
            let expected: Vec<&Locale> = all.iter().filter(|l| wanted.contains(&l.lang)).collect();
            assert_eq!(locale_files(&code).iter().collect::<Vec<_>>(), expected, "{code:?}");
        }
    }

    #[test]
    fn locales_follow_language_and_region() {
        assert_eq!(locale(&Lang::parse("en_gb").unwrap()).0, "en-GB");
        assert_eq!(locale(&Lang::parse("ja").unwrap()).0, "ja");
        assert_eq!(locale(&Lang::parse("zh-Hant").unwrap()).0, "zh");
    }
}
