//! One strict YAML reader for everything an author writes in YAML (front matter,
//! `theme.yaml`, ```chart blocks): a syntax or type error, an unknown key (with a "did you
//! mean") and a value's key are all reported at their own line of the author's file.

use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::diag::{Diagnostic, Span, did_you_mean};

/// YAML text and where each of its lines lies in the author's file.
pub struct Yaml<'a> {
    pub text: &'a str,
    /// 1-based line of the YAML text → the span of that line in its file.
    pub line_span: &'a dyn Fn(usize) -> Span,
}

/// What a YAML text must be, and how to name its mistakes.
pub struct Schema<'a> {
    /// The keys a mapping may have.
    pub keys: &'a [&'a str],
    /// `unknown {key_noun} `x``: "front-matter key", "chart option".
    pub key_noun: &'a str,
    /// Prefix of syntax errors: "malformed YAML in the front matter".
    pub syntax: &'a str,
    /// Prefix of type errors: "front matter".
    pub types: &'a str,
    /// The message when the text is not a mapping.
    pub not_mapping: &'a str,
    /// Whether an empty text (YAML null) is fine.
    pub empty_ok: bool,
    /// Whether to list every key in the hint even when one is suggested.
    pub list_keys_always: bool,
}

impl Yaml<'_> {
    /// The span of the line of a key (the first line that sets it; line 1 if none).
    pub fn key_span(&self, key: &str) -> Span {
        (self.line_span)(key_line(self.text, key))
    }

    /// Parses the text as `T`, rejecting unknown keys; errors point at their lines.
    pub fn strict<T: DeserializeOwned>(&self, schema: &Schema) -> Result<T, Diagnostic> {
        let value: serde_yaml::Value = serde_yaml::from_str(self.text).map_err(|e| self.error(&e, schema.syntax))?;
        match value.as_mapping() {
            Some(map) => {
                for key in map.keys().filter_map(|k| k.as_str()) {
                    if !schema.keys.contains(&key) {
                        return Err(self.unknown_key(key, schema));
                    }
                }
            }
            None if value.is_null() && schema.empty_ok => {}
            None => return Err(Diagnostic::error((self.line_span)(1), schema.not_mapping.to_string())),
        }
        // Parsed again from the text (not the value) so a type error keeps its line.
        serde_yaml::from_str(self.text).map_err(|e| self.error(&e, schema.types))
    }

    fn unknown_key(&self, key: &str, schema: &Schema) -> Diagnostic {
        let d = Diagnostic::error(self.key_span(key), format!("unknown {} `{key}`", schema.key_noun));
        let all =
            || format!("the {}s are: {}", schema.key_noun.rsplit(' ').next().unwrap_or("key"), schema.keys.join(", "));
        match did_you_mean(key, schema.keys.iter().copied()) {
            Some(s) if schema.list_keys_always => d.with_hint(format!("did you mean `{s}`?")).with_hint(all()),
            Some(s) => d.with_hint(format!("did you mean `{s}`?")),
            None => d.with_hint(all()),
        }
    }

    fn error(&self, e: &serde_yaml::Error, prefix: &str) -> Diagnostic {
        let line = e.location().map_or(1, |l| l.line());
        let msg = e.to_string();
        // serde_yaml appends " at line N column M": the span shows the place instead.
        let msg = msg.split(" at line ").next().unwrap_or(&msg);
        Diagnostic::error((self.line_span)(line), format!("{prefix}: {msg}"))
    }
}

/// 1-based line of a key in YAML text (1 if not found). Keys may be quoted or indented.
pub fn key_line(yaml: &str, key: &str) -> usize {
    yaml.lines()
        .position(|l| {
            let l = l.trim_start().trim_start_matches(['"', '\'']);
            l.strip_prefix(key).is_some_and(|r| r.trim_start_matches(['"', '\'']).trim_start().starts_with(':'))
        })
        .map_or(1, |i| i + 1)
}

/// `author: A` or `author: [A, B]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::FileIdx;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct T {
        name: Option<String>,
        size: Option<u8>,
    }

    const SCHEMA: Schema = Schema {
        keys: &["name", "size"],
        key_noun: "test key",
        syntax: "malformed",
        types: "test",
        not_mapping: "not a mapping",
        empty_ok: false,
        list_keys_always: true,
    };

    fn read(text: &str) -> Result<T, (String, usize)> {
        let line_span = |line: usize| Span::new(FileIdx(0), line..line + 1);
        let yaml = Yaml { text, line_span: &line_span };
        yaml.strict::<T>(&SCHEMA)
            .map_err(|d| (format!("{} | {}", d.message, d.hints.join(" | ")), d.span.unwrap().start))
    }

    #[test]
    fn mistakes_at_their_lines() {
        assert!(read("name: x\nsize: 3\n").is_ok());
        let (e, line) = read("name: x\nsise: 3\n").unwrap_err();
        assert!(
            e.contains("unknown test key `sise`")
                && e.contains("did you mean `size`")
                && e.contains("the keys are: name, size"),
            "{e}"
        );
        assert_eq!(line, 2);
        let (e, line) = read("name: x\n\nsize: big\n").unwrap_err();
        assert!(e.starts_with("test: size: invalid type"), "{e}");
        assert_eq!(line, 3);
        let (e, line) = read("name: [x\n").unwrap_err();
        assert!(e.starts_with("malformed: "), "{e}");
        assert!(line >= 1);
        assert!(read("- a\n").unwrap_err().0.starts_with("not a mapping"));
        assert_eq!(key_line("a:\n  \"b\": 1\n", "b"), 2);
    }
}
