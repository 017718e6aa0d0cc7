//! One YAML reader for everything an author writes in YAML (front matter, `theme.yaml`,
//! ```chart blocks): a syntax or type error, an unknown key (with a "did you mean") and a
//! value's key are all reported at their own line of the author's file. An unknown key is
//! an error in lectern's own files, and a warning in a deck's front matter, which decks
//! written for other tools fill with those tools' keys.

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
    /// What a key that is not in `keys` is.
    pub unknown: Unknown<'a>,
}

/// What a key the schema does not have is.
pub enum Unknown<'a> {
    /// An error: a typo in one of lectern's own files.
    Error,
    /// Ignored with a warning. `foreign`: keys other tools use, with the tool's name (the
    /// warning says it has no effect rather than suggest a typo); `accepted`: keys read
    /// by the caller from the mapping although `T` has no field for them.
    Warn { foreign: &'a [(&'a str, &'a str)], accepted: fn(&str) -> bool },
}

impl Yaml<'_> {
    /// The span of the line of a key (the first line that sets it; line 1 if none).
    pub fn key_span(&self, key: &str) -> Span {
        (self.line_span)(key_line(self.text, key))
    }

    /// Parses the text as `T` with no unknown key (`schema.unknown` must be
    /// [`Unknown::Error`]); errors point at their lines.
    pub fn strict<T: DeserializeOwned>(&self, schema: &Schema) -> Result<T, Diagnostic> {
        let mut warnings = Vec::new();
        let (value, _) = self.read(schema, &mut warnings)?;
        debug_assert!(warnings.is_empty(), "strict reading warns about nothing");
        Ok(value)
    }

    /// Parses the text as `T`; unknown keys are errors or warnings as `schema.unknown`
    /// says. Returns the mapping too, for keys the caller reads itself.
    pub fn read<T: DeserializeOwned>(
        &self,
        schema: &Schema,
        warnings: &mut Vec<Diagnostic>,
    ) -> Result<(T, serde_yaml::Mapping), Diagnostic> {
        let map = match self.value(schema.syntax)? {
            serde_yaml::Value::Mapping(map) => map,
            serde_yaml::Value::Null if schema.empty_ok => serde_yaml::Mapping::new(),
            _ => return Err(Diagnostic::error((self.line_span)(1), schema.not_mapping.to_string())),
        };
        for key in map.keys().filter_map(|k| k.as_str()) {
            if schema.keys.contains(&key) {
                continue;
            }
            match &schema.unknown {
                Unknown::Error => return Err(self.unknown_key(key, schema)),
                Unknown::Warn { accepted, .. } if accepted(key) => {}
                Unknown::Warn { .. } => warnings.push(ignored_key(key, self.key_span(key), schema)),
            }
        }
        // Parsed again from the text (not the value) so a type error keeps its line.
        let value = serde_yaml::from_str(self.text).map_err(|e| self.error(&e, schema.types))?;
        Ok((value, map))
    }

    /// The text as a YAML value, for a shape no struct describes; a syntax error is
    /// `{syntax}: …` at its line.
    pub fn value(&self, syntax: &str) -> Result<serde_yaml::Value, Diagnostic> {
        serde_yaml::from_str(self.text).map_err(|e| self.error(&e, syntax))
    }

    fn unknown_key(&self, key: &str, schema: &Schema) -> Diagnostic {
        with_key_hints(
            Diagnostic::error(self.key_span(key), format!("unknown {} `{key}`", schema.key_noun)),
            key,
            schema,
        )
    }

    fn error(&self, e: &serde_yaml::Error, prefix: &str) -> Diagnostic {
        let line = e.location().map_or(1, |l| l.line());
        let msg = e.to_string();
        // serde_yaml appends " at line N column M": the span shows the place instead.
        let msg = msg.split(" at line ").next().unwrap_or(&msg);
        Diagnostic::error((self.line_span)(line), format!("{prefix}: {msg}"))
    }
}

/// The keys a struct deriving `Deserialize` reads, aliases included, in the order it
/// declares them: a schema's keys come from its type, so the two cannot disagree.
pub fn field_names<T: DeserializeOwned>() -> &'static [&'static str] {
    use serde::de::{Error, Visitor, value};

    /// A deserializer that only notes the fields `T` asks for.
    struct Fields(&'static [&'static str]);
    impl<'de> serde::Deserializer<'de> for &mut Fields {
        type Error = value::Error;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, value::Error> {
            Err(value::Error::custom("not a struct"))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, value::Error> {
            self.0 = fields;
            Err(value::Error::custom("fields noted"))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
            option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
            ignored_any
        }
    }
    let mut fields = Fields(&[]);
    let _ = T::deserialize(&mut fields);
    fields.0
}

/// The warning for a key the schema does not have, at `span`: another tool's setting,
/// a near-miss of one of the schema's keys, or simply unknown.
pub fn ignored_key(key: &str, span: Span, schema: &Schema) -> Diagnostic {
    let foreign = match &schema.unknown {
        Unknown::Warn { foreign, .. } => foreign.iter().find(|(k, _)| *k == key),
        Unknown::Error => None,
    };
    if let Some((_, tool)) = foreign {
        return Diagnostic::warning(span, format!("{} `{key}` has no effect in lectern; ignored", schema.key_noun))
            .with_hint(format!("a {tool} setting"));
    }
    with_key_hints(Diagnostic::warning(span, format!("unknown {} `{key}` is ignored", schema.key_noun)), key, schema)
}

/// "did you mean" the nearest key, and/or the list of keys.
fn with_key_hints(d: Diagnostic, key: &str, schema: &Schema) -> Diagnostic {
    let all =
        || format!("the {}s are: {}", schema.key_noun.rsplit(' ').next().unwrap_or("key"), schema.keys.join(", "));
    match did_you_mean(key, schema.keys.iter().copied()) {
        Some(s) if schema.list_keys_always => d.with_hint(format!("did you mean `{s}`?")).with_hint(all()),
        Some(s) => d.with_hint(format!("did you mean `{s}`?")),
        None => d.with_hint(all()),
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
        unknown: Unknown::Error,
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

    #[test]
    fn keys_come_from_the_type() {
        #[derive(Deserialize)]
        #[serde(rename_all = "kebab-case")]
        #[allow(dead_code)]
        struct Spec {
            #[serde(rename = "type")]
            kind: Option<String>,
            #[serde(alias = "size")]
            aspect_ratio: Option<String>,
        }
        assert_eq!(field_names::<Spec>(), ["type", "aspect-ratio", "size"]);
        assert_eq!(field_names::<T>(), SCHEMA.keys);
    }

    #[test]
    fn warn_mode_ignores_unknown_keys_but_not_bad_values() {
        // As the front matter's type is: unknown fields pass serde, the reader warns.
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Loose {
            name: Option<String>,
            size: Option<u8>,
        }
        const WARN: Schema = Schema {
            unknown: Unknown::Warn { foreign: &[("css", "pandoc")], accepted: |k| k.starts_with('_') },
            list_keys_always: false,
            ..SCHEMA
        };
        let line_span = |line: usize| Span::new(FileIdx(0), line..line + 1);
        let read = |text: &str| {
            let mut warnings = Vec::new();
            let yaml = Yaml { text, line_span: &line_span };
            let result = yaml.read::<Loose>(&WARN, &mut warnings).map(|(t, map)| (t.name, map.len()));
            let warnings: Vec<_> =
                warnings.iter().map(|d| (d.message.clone(), d.hints.join(" | "), d.span.unwrap().start)).collect();
            (result.map_err(|d| d.message), warnings)
        };
        let (ok, warnings) = read("name: x\nsise: 3\ncss: a.css\n_local: 1\n");
        assert_eq!(ok, Ok((Some("x".to_string()), 4)), "read, with every key in the mapping");
        assert_eq!(
            warnings,
            [
                ("unknown test key `sise` is ignored".to_string(), "did you mean `size`?".to_string(), 2),
                ("test key `css` has no effect in lectern; ignored".to_string(), "a pandoc setting".to_string(), 3),
            ]
        );
        let (e, _) = read("name: x\nsize: big\nother: 1\n");
        assert!(e.unwrap_err().starts_with("test: size: invalid type"), "a bad value stays an error");
    }
}
