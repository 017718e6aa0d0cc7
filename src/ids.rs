//! Slide ids: one allocator, so parse, include and layout make unique ids the same way.

use std::collections::HashSet;

use crate::model::Slide;

/// GitHub-style heading slug, keeping non-Latin letters (Japanese ids stay readable).
pub fn slugify(text: &str) -> String {
    let mut slug = String::new();
    for c in text.trim().chars() {
        if c.is_alphanumeric() || c == '_' || c == '-' {
            slug.extend(c.to_lowercase());
        } else if c.is_whitespace() {
            slug.push('-');
        }
    }
    slug
}

/// Hands out unique ids: the wanted one when it is free, else the first free of
/// `wanted-1`, `wanted-2`, …
#[derive(Debug, Default)]
pub struct Ids {
    taken: HashSet<String>,
}

impl Ids {
    /// An allocator that knows the ids these slides already have.
    pub fn taken_by<'a>(slides: impl IntoIterator<Item = &'a Slide>) -> Self {
        Ids { taken: slides.into_iter().map(|s| s.id.clone()).collect() }
    }

    pub fn claim(&mut self, wanted: &str) -> String {
        let id = if self.taken.contains(wanted) {
            (1..).map(|n| format!("{wanted}-{n}")).find(|id| !self.taken.contains(id)).expect("some suffix is free")
        } else {
            wanted.to_string()
        };
        self.taken.insert(id.clone());
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_free_suffix() {
        let mut ids = Ids::default();
        assert_eq!(ids.claim("a"), "a");
        assert_eq!(ids.claim("a-1"), "a-1");
        assert_eq!(ids.claim("a"), "a-2", "an id the author gave is never handed out again");
        assert_eq!(ids.claim("a"), "a-3");
        assert_eq!(slugify("3.1. 誇張される 深刻度"), "31-誇張される-深刻度");
    }
}
