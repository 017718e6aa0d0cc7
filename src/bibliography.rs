//! The deck's bibliography, read in Rust with hayagriva (the library Typst uses), as text
//! only: the citations are formatted from it in Rust too ([`crate::citations`]).
//!
//! Hayagriva turns `$…$` in a field into math markup, which Typst would evaluate as code,
//! so a title like `Report $#read("secret.txt")$` could run code and print a file. lectern
//! turns every such math chunk back into the literal text the author wrote and checks
//! URLs. BibTeX `@string` expansion is measured before it is done, so a few lines of
//! doubling abbreviations cannot take gigabytes.
//!
//! Bibliography names as speakers write them. Hayagriva reads every `author:` string as a
//! person (`Family, Given`, or `Given Family` with particles), so `U.S. Department of
//! Justice` would print as "Justice". The sources of these talks are mostly written by
//! government bodies and companies: a name string without a comma is an organisation and
//! is handed to Hayagriva as `{name: …}`, which prints whole.

use std::collections::HashMap;
use std::path::Path;

use hayagriva::types::{ChunkKind, ChunkedString, FormatString, Publisher, StringChunk};
use hayagriva::{Entry, Library};
use serde_yaml::{Mapping, Value};

use crate::limits;

/// A bibliography ready to format citations from.
pub struct Loaded {
    /// The entries, no field holding markup.
    pub library: Library,
    pub keys: Vec<String>,
    /// `url` of each entry that has one.
    pub urls: HashMap<String, String>,
}

/// Reads `path` (`name` as the author wrote it, for messages).
pub fn load(path: &Path, name: &str) -> Result<Loaded, String> {
    let text = limits::read_text(path, &format!("bibliography `{name}`"))?;
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    let limit = &limits::BIBLIOGRAPHY_BYTES;
    if limit.exceeded(text.len() as u64) {
        let found = format!("bibliography `{name}` has {} bytes", text.len());
        return Err(format!("{}\nhint: {}", limit.message(found), limit.hint()));
    }
    let library = match ext.as_str() {
        // Organisation authors print whole (see `with_organisation_authors`).
        "yml" | "yaml" => hayagriva::io::from_yaml_str(&with_organisation_authors(&text).unwrap_or(text))
            .map_err(|e| format!("bibliography `{name}` is not valid Hayagriva YAML: {e}"))?,
        "bib" => {
            let size = bibtex_expanded_bytes(&text).map_err(|e| format!("bibliography `{name}` is {e}"))?;
            if limit.exceeded(size) {
                let found = format!("bibliography `{name}` expands to {size} bytes of text");
                return Err(format!("{}\nhint: {}", limit.message(found), limit.hint()));
            }
            hayagriva::io::from_biblatex_str(&text).map_err(|errors| {
                let list: Vec<String> = errors.iter().take(3).map(ToString::to_string).collect();
                format!("bibliography `{name}` is not valid BibTeX: {}", list.join("; "))
            })?
        }
        _ => return Err(format!("bibliography `{name}` must be .yml/.yaml (Hayagriva) or .bib (BibTeX)")),
    };
    let mut safe = Library::new();
    let mut urls = HashMap::new();
    for entry in library.iter() {
        let mut entry = entry.clone();
        text_only(&mut entry);
        if let Some(url) = entry.url() {
            let url = url.value.as_str().to_string();
            if !crate::safety::is_safe_url(&url) {
                return Err(format!(
                    "bibliography `{name}`: entry `{}` has the URL `{url}`; only http, https and mailto links are allowed",
                    entry.key()
                ));
            }
            urls.insert(entry.key().to_string(), url);
        }
        safe.push(&entry);
    }
    let keys = safe.keys().map(str::to_string).collect();
    // Written as Hayagriva YAML and read back: that is where a BibTeX author without a
    // comma becomes an organisation, as in a YAML file (Hayagriva writes an organisation
    // back as a bare name string, which is marked again).
    let yaml = hayagriva::io::to_yaml_str(&safe).map_err(|e| format!("bibliography `{name}`: {e}"))?;
    let yaml = with_organisation_authors(&yaml).unwrap_or(yaml);
    let library = hayagriva::io::from_yaml_str(&yaml).map_err(|e| format!("bibliography `{name}`: {e}"))?;
    Ok(Loaded { library, keys, urls })
}

/// Makes every formattable field of `entry` (and of its parents) plain text: a math
/// chunk becomes the literal `$…$` the author wrote, kept from case changes.
fn text_only(entry: &mut Entry) {
    fn chunks(s: &ChunkedString) -> ChunkedString {
        ChunkedString(
            s.0.iter()
                .map(|c| match c.kind {
                    ChunkKind::Math => StringChunk::verbatim(format!("${}$", c.value)),
                    _ => c.clone(),
                })
                .collect(),
        )
    }
    fn format(s: &FormatString) -> FormatString {
        FormatString { value: chunks(&s.value), short: s.short.as_ref().map(|b| Box::new(chunks(b))) }
    }
    macro_rules! fix {
        ($($get:ident => $set:ident),*) => {
            $(if let Some(v) = entry.$get() { let v = format(v); entry.$set(v); })*
        };
    }
    fix!(title => set_title, location => set_location, organization => set_organization,
         archive => set_archive, archive_location => set_archive_location, call_number => set_call_number,
         note => set_note, abstract_ => set_abstract_, genre => set_genre);
    if let Some(p) = entry.publisher() {
        let p = Publisher::new(p.name().map(format), p.location().map(format));
        entry.set_publisher(p);
    }
    if !entry.parents().is_empty() {
        let mut parents = entry.parents().to_vec();
        parents.iter_mut().for_each(text_only);
        entry.set_parents(parents);
    }
}

/// Bytes of text a BibTeX file holds once its `@string` abbreviations are expanded,
/// counted without expanding them (saturating, so doubling cannot overflow).
fn bibtex_expanded_bytes(text: &str) -> Result<u64, String> {
    use biblatex::{RawBibliography, RawChunk};
    let raw = RawBibliography::parse(text).map_err(|e| format!("not valid BibTeX: {e}"))?;
    let mut sizes: HashMap<String, u64> = HashMap::new();
    let size = |field: &[biblatex::Spanned<RawChunk>], sizes: &HashMap<String, u64>| -> u64 {
        field.iter().fold(0u64, |sum, chunk| {
            let n = match chunk.v {
                RawChunk::Normal(s) => s.len() as u64,
                RawChunk::Abbreviation(a) => sizes.get(&a.to_ascii_lowercase()).copied().unwrap_or(a.len() as u64),
            };
            sum.saturating_add(n)
        })
    };
    for pair in &raw.abbreviations {
        let n = size(&pair.value.v, &sizes);
        sizes.insert(pair.key.v.to_ascii_lowercase(), n);
    }
    let mut total = raw.preamble.len() as u64;
    for entry in &raw.entries {
        for pair in &entry.v.fields {
            total = total.saturating_add(size(&pair.value.v, &sizes));
        }
    }
    Ok(total)
}

/// Fields that hold people (or organisations) in a Hayagriva entry.
const NAME_FIELDS: [&str; 2] = ["author", "editor"];

/// The Hayagriva YAML with every comma-less name string turned into an organisation, or
/// `None` when nothing needed changing (or the text is not a YAML mapping).
pub fn with_organisation_authors(yaml: &str) -> Option<String> {
    let mut map: Mapping = serde_yaml::from_str(yaml).ok()?;
    let mut changed = false;
    for (_, entry) in map.iter_mut() {
        changed |= entry_names(entry);
    }
    changed.then(|| serde_yaml::to_string(&map).ok()).flatten()
}

/// Rewrites the name fields of one entry and of its `parent` entries.
fn entry_names(entry: &mut Value) -> bool {
    let Some(fields) = entry.as_mapping_mut() else { return false };
    let mut changed = false;
    for field in NAME_FIELDS {
        if let Some(value) = fields.get_mut(field) {
            changed |= match value {
                Value::Sequence(list) => list.iter_mut().fold(false, |c, v| organisation(v) | c),
                other => organisation(other),
            };
        }
    }
    if let Some(parent) = fields.get_mut("parent") {
        changed |= match parent {
            Value::Sequence(list) => list.iter_mut().fold(false, |c, p| entry_names(p) | c),
            other => entry_names(other),
        };
    }
    changed
}

/// `"内閣官房"` → `{name: "内閣官房"}`; `"Schmitt, Michael N."` stays a person.
fn organisation(name: &mut Value) -> bool {
    let Value::String(text) = name else { return false };
    if text.contains(',') || text.trim().is_empty() {
        return false;
    }
    let mut whole = Mapping::new();
    whole.insert(Value::from("name"), Value::from(text.trim()));
    *name = Value::Mapping(whole);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn math_in_fields_becomes_text() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("refs.yml");
        std::fs::write(&path, "r:\n  type: report\n  title: 'Report $#read(\"x\")$'\n  publisher: 'P $1+1$'\n")
            .unwrap();
        let loaded = load(&path, "refs.yml").unwrap();
        let title = loaded.library.get("r").unwrap().title().unwrap();
        assert!(title.value.0.iter().all(|c| c.kind != ChunkKind::Math), "{title:?}");
        assert_eq!(title.value.to_string(), "Report $#read(\"x\")$");
    }

    #[test]
    fn string_doubling_is_measured_not_expanded() {
        let mut bib = String::from("@string{s0 = \"xxxxxxxxxxxxxxxx\"}\n");
        for i in 1..=40 {
            bib.push_str(&format!("@string{{s{i} = s{} # s{}}}\n", i - 1, i - 1));
        }
        bib.push_str("@book{b, title = s40}\n");
        let size = bibtex_expanded_bytes(&bib).unwrap();
        assert!(size > 1 << 40, "{size}");
    }

    #[test]
    fn names_without_comma_become_organisations() {
        let yaml = "a:\n  type: web\n  author: U.S. Department of Justice\nb:\n  type: book\n  author: [内閣官房, \"Schmitt, Michael N.\"]\n  parent:\n    type: book\n    editor: NATO CCDCOE\n";
        let out: Mapping = serde_yaml::from_str(&with_organisation_authors(yaml).unwrap()).unwrap();
        assert_eq!(out["a"]["author"]["name"].as_str(), Some("U.S. Department of Justice"));
        assert_eq!(out["b"]["author"][0]["name"].as_str(), Some("内閣官房"));
        assert_eq!(out["b"]["author"][1].as_str(), Some("Schmitt, Michael N."));
        assert_eq!(out["b"]["parent"]["editor"]["name"].as_str(), Some("NATO CCDCOE"));
    }

    #[test]
    fn people_only_is_left_alone() {
        assert_eq!(with_organisation_authors("a:\n  type: book\n  author: \"Schmitt, Michael\"\n"), None);
        assert_eq!(with_organisation_authors("not: [a mapping"), None);
    }
}
