//! Print colours: the deck's own theme with a white, low-ink palette and its filled
//! designs turned into rules, passed to the theme as settings (the slides keep their
//! layout and type, only the ink changes).

use std::collections::BTreeMap;

use crate::diag::Sources;
use crate::themes::{SectionStyle, Theme, TitleSlideStyle};
use crate::values::Colour;

/// Recolours `theme` for paper with the print theme's palette (`themes/print/theme.yaml`,
/// the one home of lectern's print colours). `own_accent`: the deck sets its accent itself
/// (kept).
pub fn print_colours(theme: &mut Theme, own_accent: bool) {
    let palette = &mut theme.settings.palette;
    let dark = palette.get("background").is_some_and(|c| luma(c.as_str()).is_some_and(|l| l < 0.5));
    for (key, value) in print_palette() {
        // An accent chosen to glow on a dark slide is too pale on paper; any other is kept.
        if key == "accent" && (own_accent || !dark) {
            continue;
        }
        if let Some(colour) = Colour::parse(&value) {
            palette.insert(key, colour);
        }
    }
    // Section and title slides drawn with rules instead of filled areas.
    let design = &mut theme.settings.design;
    design.section = Some(SectionStyle::Rule);
    design.title_slide = Some(TitleSlideStyle::Plain);
}

/// The built-in print theme's palette.
fn print_palette() -> BTreeMap<String, String> {
    let Some(print) = crate::themes::builtin("print") else { return BTreeMap::new() };
    let text = String::from_utf8_lossy(print.file("theme.yaml").unwrap_or_default()).into_owned();
    let mut sources = Sources::default();
    let file = sources.add("theme print/theme.yaml", text.clone());
    crate::themes::parse_manifest(&text, file, &sources).ok().and_then(|m| m.palette).unwrap_or_default()
}

/// Relative luminance of `#rrggbb` (0 black … 1 white).
fn luma(hex: &str) -> Option<f64> {
    let hex = hex.trim().strip_prefix('#')?;
    if hex.len() != 6 {
        return None;
    }
    let channel = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok().map(|v| f64::from(v) / 255.0);
    Some(0.2126 * channel(0)? + 0.7152 * channel(2)? + 0.0722 * channel(4)?)
}

/// The theme's body text size in pt (24 pt, the seminar theme's, unless its settings say).
pub fn body_size(theme: &Theme) -> f64 {
    theme
        .settings
        .type_scale
        .get("body")
        .and_then(|v| v.as_str().trim().strip_suffix("pt")?.trim().parse::<f64>().ok())
        .filter(|v| v.is_finite() && *v > 0.0)
        .unwrap_or(24.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luminance() {
        assert!(luma("#15181e").unwrap() < 0.1);
        assert!(luma("#ffffff").unwrap() > 0.99);
        assert_eq!(luma("red"), None);
    }

    #[test]
    fn print_colours_are_the_print_themes() {
        let palette = print_palette();
        assert_eq!(palette.get("background").map(String::as_str), Some("#ffffff"));
        assert_eq!(palette.len(), crate::themes::PALETTE_KEYS.len());
    }
}
