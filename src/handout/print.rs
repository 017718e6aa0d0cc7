//! Print colours: the deck's own theme with a white, low-ink palette and its filled
//! designs turned into rules, passed to the theme as settings (the slides keep their
//! layout and type, only the ink changes).

use crate::themes::{SectionStyle, Theme, TitleSlideStyle};
use crate::values::Colour;

/// The accent used when the deck's accent was meant for a dark background.
const DARK_SLATE: &str = "#2f4a63";

/// Recolours `theme` for paper. `own_accent`: the deck sets its accent itself (kept).
pub fn print_colours(theme: &mut Theme, own_accent: bool) {
    let palette = &mut theme.settings.palette;
    let dark = palette.get("background").is_some_and(|c| luma(c.as_str()).is_some_and(|l| l < 0.5));
    for (key, value) in [
        ("background", "#ffffff"),
        ("ink", "#111111"),
        ("muted", "#555555"),
        ("rule", "#aaaaaa"),
        ("zebra", "#f2f2f2"),
        ("code", "#f5f5f5"),
        ("section-ink", "#111111"),
        ("highlight", "#e6e6e6"),
    ] {
        palette.insert(key.to_string(), Colour::parse(value).expect("a hex colour"));
    }
    // An accent chosen to glow on a dark slide is too pale on paper.
    if dark && !own_accent {
        palette.insert("accent".to_string(), Colour::parse(DARK_SLATE).expect("a hex colour"));
    }
    // Section and title slides drawn with rules instead of filled areas.
    let design = &mut theme.settings.design;
    design.section = Some(SectionStyle::Rule);
    design.title_slide = Some(TitleSlideStyle::Plain);
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
}
