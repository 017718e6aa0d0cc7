//! Values authors write in YAML and directives, checked once: colours and lengths.

use std::fmt;

/// A hex colour: `#rgb`, `#rgba`, `#rrggbb` or `#rrggbbaa`, kept as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Colour(String);

impl Colour {
    pub fn parse(text: &str) -> Option<Colour> {
        let hex = text.strip_prefix('#')?;
        (matches!(hex.len(), 3 | 4 | 6 | 8) && hex.chars().all(|c| c.is_ascii_hexdigit()))
            .then(|| Colour(text.to_string()))
    }

    /// A CSS colour as Typst's `rgb()` takes it: hex, or one of a few names (Marp decks
    /// write `backgroundColor: black`). Hex is lower-cased.
    pub fn from_css(value: &str) -> Option<Colour> {
        let v = value.trim().trim_matches(['"', '\'']).to_ascii_lowercase();
        let named = match v.as_str() {
            "black" => "#000000",
            "white" => "#ffffff",
            "red" => "#ff0000",
            "green" => "#008000",
            "blue" => "#0000ff",
            "gray" | "grey" => "#808080",
            "yellow" => "#ffff00",
            "navy" => "#000080",
            "orange" => "#ffa500",
            _ => "",
        };
        if !named.is_empty() {
            return Some(Colour(named.to_string()));
        }
        Colour::parse(&v)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Colour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A Typst length as a theme writes it: `24pt`, `1.2em`, `1.5cm`, `12mm`, `0.5in`; never
/// negative. Kept as written (it is passed on to Typst as is).
#[derive(Debug, Clone, PartialEq)]
pub struct Length(String);

impl Length {
    pub fn parse(text: &str) -> Option<Length> {
        let s = text.trim();
        // Plain decimals only (no `inf`, `NaN` or `1e400`), and no larger than a wall.
        let plain = |n: &str| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit() || c == '.');
        ["pt", "em", "cm", "mm", "in"]
            .iter()
            .any(|unit| {
                s.strip_suffix(unit)
                    .is_some_and(|n| plain(n) && n.parse::<f64>().is_ok_and(|v| (0.0..=1000.0).contains(&v)))
            })
            .then(|| Length(text.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The length times `factor`, in the same unit (`24pt` × 1.5 → `36pt`).
    pub fn scaled(&self, factor: f64) -> Option<Length> {
        let s = self.0.trim();
        let unit_at = s.find(|c: char| c.is_ascii_alphabetic())?;
        let value: f64 = s[..unit_at].parse().ok()?;
        Length::parse(&format!("{:.2}{}", value * factor, &s[unit_at..]))
    }
}

impl fmt::Display for Length {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_and_lengths() {
        assert!(Colour::parse("#b22222").is_some() && Colour::parse("#abc").is_some());
        assert!(Colour::parse("red").is_none() && Colour::parse("#12345").is_none());
        assert_eq!(Colour::from_css(" 'Navy' ").unwrap().as_str(), "#000080");
        assert_eq!(Colour::from_css("#ABC").unwrap().as_str(), "#abc");
        assert!(Length::parse("24pt").is_some() && Length::parse("1.2em").is_some());
        assert_eq!(Length::parse("24pt").unwrap().scaled(10.0 / 11.0).unwrap().as_str(), "21.82pt");
        assert_eq!(Length::parse("1.5cm").unwrap().scaled(2.0).unwrap().as_str(), "3.00cm");
        assert!(Length::parse("big").is_none() && Length::parse("-2pt").is_none() && Length::parse("pt").is_none());
    }
}
