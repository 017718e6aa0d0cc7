//! Bibliography names as speakers write them. Hayagriva reads every `author:` string as a
//! person (`Family, Given`, or `Given Family` with particles), so `U.S. Department of
//! Justice` would print as "Justice". The sources of these talks are mostly written by
//! government bodies and companies: a name string without a comma is an organisation and
//! is handed to Hayagriva as `{name: …}`, which prints whole.

use serde_yaml::{Mapping, Value};

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
