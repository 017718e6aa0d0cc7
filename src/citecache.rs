//! A persistent cache of formatted citations, so a new process that formats the same
//! citations again (a later build of the deck) reads them instead of decoding the style
//! and running hayagriva's engine (~20 ms for a few entries).
//!
//! It lives beside the fit cache, in the same folder with `.citations.json` for the fit
//! cache's extension (`fits-v1.citations.json`; `LECTERN_FIT_CACHE=/x/f.json` puts it at
//! `/x/f.citations.json`), and is switched off with it (`LECTERN_NO_FIT_CACHE=1`,
//! `--no-fit-cache`). A result is keyed by everything the formatting reads (see
//! [`crate::citations::format`]); the most recently stored [`KEEP_RESULTS`] are kept. A
//! missing, unreadable, corrupt or other-format file is ignored, never an error. The
//! values are text, which the emitter escapes as any other; a link read back must still
//! pass [`crate::safety::is_safe_url`], else the whole result is formatted again.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::fitcache::hex;
use crate::model::Inline;

/// The format number of the file; it changes when its layout does.
const FORMAT: u32 = 1;
/// Formatted bibliographies remembered (over all decks), the most recently stored kept.
pub const KEEP_RESULTS: usize = 50;

/// Where the cache lives, beside the fit cache: `None` when the fit cache is off.
pub fn cache_path() -> Option<PathBuf> {
    crate::fitcache::cache_path().map(|fits| beside(&fits))
}

/// The citations file that goes with the fit cache `fits` (`fits-v1.json` →
/// `fits-v1.citations.json`).
pub fn beside(fits: &Path) -> PathBuf {
    fits.with_extension("citations.json")
}

/// The inlines a citation style produces, as they are stored.
#[derive(Debug, Serialize, Deserialize)]
enum Cited {
    Text(String),
    Emph(Vec<Cited>),
    SmallCaps(Vec<Cited>),
    Strong(Vec<Cited>),
    Underline(Vec<Cited>),
    Sup(Vec<Cited>),
    Sub(Vec<Cited>),
    Link { url: String, children: Vec<Cited> },
    OwnLines(Vec<Cited>),
}

impl Cited {
    /// The inline as stored, or `None` when it holds anything a style does not produce.
    fn from_inline(inline: &Inline) -> Option<Cited> {
        let all = |c: &[Inline]| c.iter().map(Cited::from_inline).collect::<Option<Vec<_>>>();
        Some(match inline {
            Inline::Text(text) => Cited::Text(text.clone()),
            Inline::Emph(c) => Cited::Emph(all(c)?),
            Inline::SmallCaps(c) => Cited::SmallCaps(all(c)?),
            Inline::Strong(c) => Cited::Strong(all(c)?),
            Inline::Underline(c) => Cited::Underline(all(c)?),
            Inline::Sup(c) => Cited::Sup(all(c)?),
            Inline::Sub(c) => Cited::Sub(all(c)?),
            Inline::Link { url, children } => Cited::Link { url: url.clone(), children: all(children)? },
            Inline::OwnLines(c) => Cited::OwnLines(all(c)?),
            _ => return None,
        })
    }

    /// The inline again, or `None` when it holds a link lectern would not have made.
    fn to_inline(&self) -> Option<Inline> {
        let all = |c: &[Cited]| c.iter().map(Cited::to_inline).collect::<Option<Vec<_>>>();
        Some(match self {
            Cited::Text(text) => Inline::Text(text.clone()),
            Cited::Emph(c) => Inline::Emph(all(c)?),
            Cited::SmallCaps(c) => Inline::SmallCaps(all(c)?),
            Cited::Strong(c) => Inline::Strong(all(c)?),
            Cited::Underline(c) => Inline::Underline(all(c)?),
            Cited::Sup(c) => Inline::Sup(all(c)?),
            Cited::Sub(c) => Inline::Sub(all(c)?),
            Cited::Link { url, children } if crate::safety::is_safe_url(url) => {
                Inline::Link { url: url.clone(), children: all(children)? }
            }
            Cited::Link { .. } => return None,
            Cited::OwnLines(c) => Inline::OwnLines(all(c)?),
        })
    }
}

#[derive(Default, Serialize, Deserialize)]
struct Store {
    format: u32,
    /// (key as hex, the text of each cited entry in first-cited order), oldest first.
    results: Vec<(String, Vec<Vec<Cited>>)>,
}

/// The cache file, read once a lookup.
pub struct CiteCache {
    path: PathBuf,
    store: Store,
}

impl CiteCache {
    /// The cache at `path` (empty when the file is missing or not one lectern wrote).
    pub fn open(path: &Path) -> CiteCache {
        let store = fs::read(path)
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Store>(&bytes).ok())
            .filter(|store| store.format == FORMAT)
            .unwrap_or(Store { format: FORMAT, results: Vec::new() });
        CiteCache { path: path.to_path_buf(), store }
    }

    /// The texts stored under `key`, when there are `count` of them and every one
    /// reads back as lectern would have made it.
    pub fn get(&self, key: u128, count: usize) -> Option<Vec<Vec<Inline>>> {
        let key = hex(key);
        let (_, texts) = self.store.results.iter().rev().find(|(k, _)| *k == key)?;
        if texts.len() != count {
            return None;
        }
        texts.iter().map(|text| text.iter().map(Cited::to_inline).collect()).collect()
    }

    /// Stores `texts` under `key` and writes the file (atomically; a failure leaves it as
    /// it was). Texts holding an inline a style does not produce are not stored.
    pub fn put(&mut self, key: u128, texts: &[Vec<Inline>]) {
        let Some(texts) = texts.iter().map(|text| text.iter().map(Cited::from_inline).collect()).collect() else {
            return;
        };
        let key = hex(key);
        self.store.results.retain(|(k, _)| *k != key);
        self.store.results.push((key, texts));
        let excess = self.store.results.len().saturating_sub(KEEP_RESULTS);
        self.store.results.drain(..excess);
        let _ = crate::fitcache::write_atomically(&self.path, &self.store);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Inline {
        Inline::Text(s.into())
    }

    /// What a lookup finds, as text to compare.
    fn found(path: &Path, key: u128, count: usize) -> String {
        format!("{:?}", CiteCache::open(path).get(key, count))
    }

    #[test]
    fn results_read_back_only_as_lectern_made_them() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("c").join("f.citations.json");
        let link = Inline::Link { url: "https://example.org".into(), children: vec![text("example.org")] };
        let texts = vec![vec![Inline::Emph(vec![text("Title")]), link], vec![Inline::OwnLines(vec![text("A")])]];
        assert_eq!(found(&path, 1, 2), "None");
        CiteCache::open(&path).put(1, &texts);
        assert_eq!(found(&path, 1, 2), format!("{:?}", Some(&texts)));
        assert_eq!(found(&path, 1, 3), "None", "another number of entries");
        assert_eq!(found(&path, 2, 2), "None");

        // Not a style's inline: not stored.
        CiteCache::open(&path).put(3, &[vec![Inline::Code("x".into())]]);
        assert_eq!(found(&path, 3, 1), "None");

        // A link made unsafe on disk: the result is not used.
        let json = fs::read_to_string(&path).unwrap().replace("https://example.org", "javascript:alert(1)");
        fs::write(&path, json).unwrap();
        assert_eq!(found(&path, 1, 2), "None");

        // Only the most recently stored results are kept.
        let mut cache = CiteCache::open(&path);
        for key in 10..10 + KEEP_RESULTS as u128 + 1 {
            cache.put(key, &[vec![text("x")]]);
        }
        assert_eq!(CiteCache::open(&path).store.results.len(), KEEP_RESULTS);
        assert_eq!(found(&path, 10, 1), "None");
        assert_ne!(found(&path, 11, 1), "None");
    }
}
