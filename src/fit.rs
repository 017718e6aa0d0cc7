//! Feedback on fit: the theme records how far it shrank each slide's body (a `metadata`
//! labelled `<lectern-fit>`, see `fitted` in the seminar theme); after compiling, these
//! are read back per slide, printed by `-v` and turned into warnings when the text ended
//! below the theme's readable floor or could not be shown at all.

use typst::foundations::{Dict, Label, Selector, Value};
use typst::introspection::{Introspector, MetadataElem};
use typst::utils::PicoStr;
use typst_layout::PagedDocument;

use crate::diag::{Diagnostic, Sources};
use crate::model::{Deck, SlideKind};

/// How one slide's body was fitted (its most shrunk step).
#[derive(Debug, Clone, PartialEq)]
pub struct SlideFit {
    /// 1-based slide number.
    pub slide: usize,
    /// Body text size over the layout's base size (1.0: not shrunk).
    pub scale: f64,
    /// Body text size, in points.
    pub size_pt: f64,
    /// The theme's readable floor, in points.
    pub floor_pt: f64,
    /// The body could not be shown at all.
    pub overflow: bool,
}

impl SlideFit {
    pub fn too_small(&self) -> bool {
        self.overflow || self.size_pt + 0.05 < self.floor_pt
    }

    /// `100% (24 pt)`, `52% (12.5 pt, below the 14 pt floor)`, `does not fit`.
    pub fn describe(&self) -> String {
        if self.overflow {
            return "does not fit: the body is not shown".into();
        }
        let floor =
            if self.too_small() { format!(", below the {} pt floor", trim(self.floor_pt)) } else { String::new() };
        format!("{:.0}% ({} pt{floor})", self.scale * 100.0, trim(self.size_pt))
    }
}

fn trim(pt: f64) -> String {
    let s = format!("{pt:.1}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

/// The fit of every slide whose theme recorded one, in slide order.
pub fn slide_fits(document: &PagedDocument, deck: &Deck) -> Vec<SlideFit> {
    let Some(label) = Label::new(PicoStr::intern("lectern-fit")) else { return vec![] };
    let introspector = document.introspector();
    let pages = crate::pages::page_list(deck);
    let mut fits: Vec<SlideFit> = Vec::new();
    for content in introspector.query(&Selector::Label(label)) {
        let (Some(location), Some(meta)) = (content.location(), content.to_packed::<MetadataElem>()) else {
            continue;
        };
        let Some(page) = introspector.page(location).map(|p| p.get()) else { continue };
        let Some(slide) = pages.iter().find(|s| s.pages.contains(&page)).map(|s| s.slide) else { continue };
        let Value::Dict(dict) = &meta.value else { continue };
        let fit = SlideFit {
            slide,
            scale: number(dict, "scale"),
            size_pt: points(dict, "size"),
            floor_pt: points(dict, "floor"),
            overflow: matches!(dict.get("overflow"), Ok(Value::Bool(true))),
        };
        // Several records for a slide (its steps): keep the most shrunk.
        match fits.iter_mut().find(|f| f.slide == slide) {
            Some(known) if fit.overflow || (!known.overflow && fit.size_pt < known.size_pt) => *known = fit,
            Some(_) => {}
            None => fits.push(fit),
        }
    }
    fits.sort_by_key(|f| f.slide);
    fits
}

fn number(dict: &Dict, key: &str) -> f64 {
    match dict.get(key) {
        Ok(Value::Float(f)) => *f,
        Ok(Value::Int(i)) => *i as f64,
        _ => 1.0,
    }
}

fn points(dict: &Dict, key: &str) -> f64 {
    match dict.get(key) {
        Ok(Value::Length(l)) => l.abs.to_pt(),
        _ => 0.0,
    }
}

/// A warning at the slide's heading line for each slide shrunk below the floor or not
/// shown at all.
pub fn warnings(fits: &[SlideFit], deck: &Deck, sources: &Sources) -> Vec<Diagnostic> {
    fits.iter()
        .filter(|f| f.too_small())
        .filter_map(|f| {
            let slide = deck.slides.get(f.slide - 1)?;
            if slide.kind != SlideKind::Content {
                return None;
            }
            let (line, _) = sources.line_col(slide.span.file, slide.span.start);
            let at = sources.line_span(slide.span.file, line);
            let message = if f.overflow {
                format!("slide {} does not fit: its body is not shown", f.slide)
            } else {
                format!(
                    "slide {} was shrunk to {:.0}% ({} pt), below the theme's readable floor of {} pt",
                    f.slide,
                    f.scale * 100.0,
                    trim(f.size_pt),
                    trim(f.floor_pt)
                )
            };
            Some(
                Diagnostic::warning(at, message)
                    .with_hint("split the slide, shorten it, or move detail into speaker notes"),
            )
        })
        .collect()
}
