//! Themes: built-in ones embedded in the binary, and theme folders on disk. A theme is
//! `theme.yaml` (settings, parsed strictly here) plus `theme.typ` (the slide functions);
//! `extends:` inherits everything a theme does not set, its `theme.typ` included, so a
//! theme may be data alone (the built-in `dark` and `print` are). theme.yaml is the one
//! home of the values: the merged settings reach `theme.typ` as data (`options.theme`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diag::{Diagnostic, FileIdx, Sources, Span, did_you_mean};
use crate::values::{Colour, Length};
use crate::vpaths;
use crate::yaml::{Schema, Unknown, Yaml, field_names};

pub struct BuiltinTheme {
    pub name: &'static str,
    pub files: &'static [(&'static str, &'static [u8])],
}

impl std::fmt::Debug for BuiltinTheme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BuiltinTheme({})", self.name)
    }
}

/// A built-in theme: the one that draws (`theme.typ` and `theme.yaml`), or one that is
/// data over it (`theme.yaml` alone, with `extends:`).
macro_rules! builtin {
    ($name:literal, drawing) => {
        BuiltinTheme {
            name: $name,
            files: &[
                ("theme.typ", include_bytes!(concat!("../themes/", $name, "/theme.typ"))),
                ("theme.yaml", include_bytes!(concat!("../themes/", $name, "/theme.yaml"))),
            ],
        }
    };
    ($name:literal) => {
        BuiltinTheme {
            name: $name,
            files: &[("theme.yaml", include_bytes!(concat!("../themes/", $name, "/theme.yaml")))],
        }
    };
}

pub static BUILTIN: &[BuiltinTheme] = &[builtin!("seminar", drawing), builtin!("dark"), builtin!("print")];

impl BuiltinTheme {
    pub fn file(&self, name: &str) -> Option<&'static [u8]> {
        self.files.iter().find(|(f, _)| *f == name).map(|(_, data)| *data)
    }

    /// The one-line description its theme.yaml gives (`lectern themes`, the gallery).
    pub fn description(&self) -> String {
        let manifest: Option<Manifest> = self.file("theme.yaml").and_then(|yaml| serde_yaml::from_slice(yaml).ok());
        manifest.and_then(|m| m.description).unwrap_or_default()
    }
}

/// lectern's own Typst libraries (charts and diagrams), served from the binary.
pub static LIB: &[(&str, &[u8])] = &[(vpaths::CHARTS, include_bytes!("../themes/lib/charts.typ"))];

/// A theme's settings after `extends:` was followed (the child's winning), with checked
/// values: what the deck passes to the theme's functions.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub palette: BTreeMap<String, Colour>,
    pub type_scale: BTreeMap<String, Length>,
    pub spacing: BTreeMap<String, Length>,
    pub fonts: Option<Fonts>,
    /// Footer template (`{event} · {date}`).
    pub footer: Option<String>,
    /// The slide sizes the theme is made for (all when not said).
    pub aspect_ratios: Option<Vec<String>>,
    pub design: Design,
}

/// How the seminar theme draws, beyond colours and sizes: what makes `dark` and `print`
/// more than a palette. Unset switches are inherited through `extends:`. (Unknown keys
/// are reported by [`parse_manifest`], with a "did you mean".)
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Design {
    /// `bar`: an accent tab and a hairline under the title; `rule`: one accent rule.
    pub title: Option<TitleStyle>,
    /// `fill`: accent-filled section slides; `rule`: a plain page with a heavy accent rule.
    pub section: Option<SectionStyle>,
    /// Table header rows filled with the accent (else bold over a rule).
    pub table_fill: Option<bool>,
    /// Light stripes on every other table row.
    pub zebra: Option<bool>,
    /// `band`: an accent edge band and a tinted author panel; `plain`: rules only.
    pub title_slide: Option<TitleSlideStyle>,
    /// A thin progress bar along the bottom edge when slides are numbered.
    pub progress: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TitleStyle {
    Bar,
    Rule,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SectionStyle {
    Fill,
    Rule,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TitleSlideStyle {
    Band,
    Plain,
}

impl Design {
    /// The switches as the theme reads them (`table-fill: true`), the set ones only.
    pub fn entries(&self) -> Vec<(&'static str, DesignValue)> {
        let word = |w: &'static str| DesignValue::Word(w);
        let mut out = Vec::new();
        if let Some(t) = self.title {
            out.push(("title", word(if t == TitleStyle::Bar { "bar" } else { "rule" })));
        }
        if let Some(s) = self.section {
            out.push(("section", word(if s == SectionStyle::Fill { "fill" } else { "rule" })));
        }
        if let Some(b) = self.table_fill {
            out.push(("table-fill", DesignValue::Switch(b)));
        }
        if let Some(b) = self.zebra {
            out.push(("zebra", DesignValue::Switch(b)));
        }
        if let Some(t) = self.title_slide {
            out.push(("title-slide", word(if t == TitleSlideStyle::Band { "band" } else { "plain" })));
        }
        if let Some(b) = self.progress {
            out.push(("progress", DesignValue::Switch(b)));
        }
        out
    }

    /// This design with what `over` sets replacing it.
    fn overlaid(&self, over: &Design) -> Design {
        Design {
            title: over.title.or(self.title),
            section: over.section.or(self.section),
            table_fill: over.table_fill.or(self.table_fill),
            zebra: over.zebra.or(self.zebra),
            title_slide: over.title_slide.or(self.title_slide),
            progress: over.progress.or(self.progress),
        }
    }
}

/// A design switch's value: a word (`"rule"`) or on/off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DesignValue {
    Word(&'static str),
    Switch(bool),
}

/// `theme.yaml`, as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Manifest {
    pub name: Option<String>,
    pub description: Option<String>,
    pub extends: Option<String>,
    pub palette: Option<BTreeMap<String, String>>,
    pub fonts: Option<Fonts>,
    pub type_scale: Option<BTreeMap<String, String>>,
    pub spacing: Option<BTreeMap<String, String>>,
    pub footer: Option<String>,
    pub logo: Option<String>,
    pub aspect_ratios: Option<Vec<String>>,
    pub design: Option<Design>,
}

/// The names the built-in themes read in each `theme.yaml` section: anything else is a
/// typo that would silently do nothing.
pub const PALETTE_KEYS: &[&str] =
    &["background", "ink", "muted", "accent", "rule", "zebra", "code", "section-ink", "highlight"];
const MAP_SECTION_KEYS: &[(&str, &[&str])] =
    &[("palette", PALETTE_KEYS), ("type-scale", &["body", "title", "small", "footer"]), ("spacing", &["margin"])];

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fonts {
    pub ja: Option<Vec<String>>,
    pub latin: Option<Vec<String>>,
    pub mono: Option<Vec<String>>,
}

/// A theme ready to build with: what to import, what to serve, what to pass to it.
#[derive(Debug, Clone)]
pub struct Theme {
    pub name: String,
    pub description: String,
    /// Virtual path of the `theme.typ` the deck imports.
    pub main_vpath: String,
    /// Theme folders on disk, by the virtual folder they are served at.
    pub folders: Vec<(String, PathBuf)>,
    /// Settings from every `theme.yaml` of the chain, the child's winning.
    pub settings: Settings,
    /// Where the logo comes from: (virtual path, file on disk) when it is a file.
    pub logo: Option<(String, PathBuf)>,
}

impl Theme {
    /// Folders of fonts that come with theme folders (`fonts/`).
    pub fn font_dirs(&self) -> Vec<PathBuf> {
        self.folders.iter().map(|(_, d)| d.join("fonts")).filter(|d| d.is_dir()).collect()
    }

    /// The file a virtual path under a theme folder maps to on disk.
    pub fn folder_file(&self, vpath: &str) -> Option<PathBuf> {
        self.folders.iter().find_map(|(prefix, dir)| vpath.strip_prefix(prefix.as_str()).map(|rest| dir.join(rest)))
    }
}

/// Marp's theme names mean ours.
fn alias(name: &str) -> &str {
    match name {
        "default" | "uncover" => "seminar",
        "gaia" => "dark",
        other => other,
    }
}

pub fn builtin(name: &str) -> Option<&'static BuiltinTheme> {
    BUILTIN.iter().find(|b| b.name == alias(name))
}

/// The theme a deck's front matter names. A name lectern does not have (another tool's
/// theme: `gaia`-like CSS themes, beamer's `metropolis`, Slidev's `seriph`) falls back to
/// the default theme with a warning at `span`; a `--theme` never does (see [`resolve`]).
pub fn resolve_named_by_deck(
    spec: &str,
    base: &Path,
    span: Option<Span>,
    sources: &mut Sources,
    warnings: &mut Vec<Diagnostic>,
) -> Result<Theme, Diagnostic> {
    if builtin(spec).is_none() && !base.join(spec).is_dir() {
        let names: Vec<&str> = BUILTIN.iter().map(|b| b.name).collect();
        let mut d =
            Diagnostic::warning(span, format!("theme `{spec}` is not a lectern theme; using `{DEFAULT_THEME}`"));
        if let Some(s) = did_you_mean(spec, names.iter().copied()) {
            d = d.with_hint(format!("did you mean `{s}`?"));
        }
        warnings.push(d.with_hint(format!("lectern's themes: {}; or give a path to a theme folder", names.join(", "))));
        return resolve(DEFAULT_THEME, base, sources);
    }
    resolve(spec, base, sources)
}

/// The theme of a deck that names none (or names one lectern does not have).
pub const DEFAULT_THEME: &str = "seminar";

/// Resolves a theme by built-in name or folder path (relative to `base`), following
/// `extends`. `theme.yaml` files are registered in `sources` so errors can quote them.
pub fn resolve(spec: &str, base: &Path, sources: &mut Sources) -> Result<Theme, Diagnostic> {
    let mut chain: Vec<(Manifest, Option<PathBuf>)> = Vec::new();
    let mut main_vpath: Option<String> = None;
    let mut folders: Vec<(String, PathBuf)> = Vec::new();
    let mut seen: Vec<PathBuf> = Vec::new();
    let mut current = spec.to_string();
    let mut current_base = base.to_path_buf();
    // Where the `extends:` being followed was written, for errors about it.
    let mut extends_span: Option<Span> = None;
    loop {
        if let Some(b) = builtin(&current) {
            let text = String::from_utf8_lossy(b.file("theme.yaml").unwrap_or_default()).into_owned();
            let file = sources.add(format!("theme {}/theme.yaml", b.name), text.clone());
            let manifest = parse_manifest(&text, file, sources)?;
            // `dark` and `print` are data: the seminar theme's theme.typ draws them.
            if b.file("theme.typ").is_some() {
                main_vpath.get_or_insert_with(|| vpaths::builtin_theme(b.name));
            }
            let next = manifest.extends.clone();
            chain.push((manifest, None));
            if seen.iter().any(|s| s == Path::new(b.name)) {
                return Err(cycle(extends_span, spec));
            }
            seen.push(PathBuf::from(b.name));
            match next {
                Some(parent) => {
                    current = parent;
                    continue;
                }
                None => break,
            }
        }
        let dir = crate::paths::normalize(&std::path::absolute(current_base.join(&current)).unwrap_or_default());
        if !dir.is_dir() {
            let names: Vec<&str> = BUILTIN.iter().map(|b| b.name).collect();
            let looks_like_path = current.contains(['/', '\\']) || current.starts_with('.');
            let mut d = if looks_like_path {
                Diagnostic::error(extends_span, format!("theme folder `{current}` not found"))
            } else {
                Diagnostic::error(extends_span, format!("unknown theme `{current}`"))
            };
            if let Some(s) = did_you_mean(&current, names.iter().copied()) {
                d = d.with_hint(format!("did you mean `{s}`?"));
            }
            return Err(d.with_hint(format!("built-in themes: {}; or give a path to a theme folder", names.join(", "))));
        }
        if seen.contains(&dir) {
            return Err(cycle(extends_span, spec));
        }
        seen.push(dir.clone());
        let prefix = vpaths::user_theme_dir(folders.len());
        folders.push((prefix.clone(), dir.clone()));
        if dir.join("theme.typ").is_file() {
            main_vpath.get_or_insert_with(|| format!("{prefix}theme.typ"));
        }
        let yaml_path = dir.join("theme.yaml");
        let manifest = if yaml_path.is_file() {
            let text = std::fs::read_to_string(&yaml_path)
                .map_err(|e| Diagnostic::error(None, format!("cannot read {}: {e}", yaml_path.display())))?;
            let file = sources.add(yaml_path.display().to_string(), text.clone());
            let manifest = parse_manifest(&text, file, sources)?;
            extends_span =
                manifest.extends.as_ref().map(|_| sources.line_span(file, crate::yaml::key_line(&text, "extends")));
            manifest
        } else if main_vpath.is_none() {
            return Err(Diagnostic::error(
                None,
                format!("theme folder `{current}` has neither theme.typ nor theme.yaml"),
            )
            .with_hint("a theme folder holds theme.typ and/or a theme.yaml that `extends:` another theme"));
        } else {
            Manifest::default()
        };
        let next = manifest.extends.clone();
        chain.push((manifest, Some(dir.clone())));
        match next {
            Some(parent) => {
                current = parent;
                current_base = dir;
            }
            None => break,
        }
    }
    let Some(main_vpath) = main_vpath else {
        return Err(Diagnostic::error(None, format!("theme `{spec}` has no theme.typ"))
            .with_hint("add theme.typ, or `extends: seminar` in theme.yaml"));
    };
    // Merge from the root ancestor to the theme itself; remember where the logo was set.
    let mut settings = Settings::default();
    let mut logo = None;
    for (manifest, dir) in chain.iter().rev() {
        merge(&mut settings, manifest);
        if let (Some(l), Some(dir)) = (&manifest.logo, dir) {
            logo = Some(dir.join(l));
        }
    }
    let logo = logo.map(|path| (vpaths::logo(&extension(&path)), path));
    let name = chain[0].0.name.clone().unwrap_or_else(|| spec.to_string());
    let description = chain[0].0.description.clone().unwrap_or_default();
    Ok(Theme { name, description, main_vpath, folders, settings, logo })
}

fn extension(path: &Path) -> String {
    path.extension().and_then(|e| e.to_str()).unwrap_or("png").to_ascii_lowercase()
}

fn cycle(span: Option<Span>, spec: &str) -> Diagnostic {
    Diagnostic::error(span, format!("theme `{spec}` extends itself (an `extends:` cycle)"))
        .with_hint("one theme in the chain must extend a built-in theme or nothing")
}

fn merge(into: &mut Settings, from: &Manifest) {
    // Values were checked when the manifest was parsed.
    let colours = from.palette.iter().flatten().filter_map(|(k, v)| Some((k.clone(), Colour::parse(v)?)));
    into.palette.extend(colours);
    let lengths = |map: &Option<BTreeMap<String, String>>| {
        map.iter().flatten().filter_map(|(k, v)| Some((k.clone(), Length::parse(v)?))).collect::<Vec<_>>()
    };
    into.type_scale.extend(lengths(&from.type_scale));
    into.spacing.extend(lengths(&from.spacing));
    if let Some(f) = &from.fonts {
        let fonts = into.fonts.get_or_insert_with(Fonts::default);
        if f.ja.is_some() {
            fonts.ja = f.ja.clone();
        }
        if f.latin.is_some() {
            fonts.latin = f.latin.clone();
        }
        if f.mono.is_some() {
            fonts.mono = f.mono.clone();
        }
    }
    if from.footer.is_some() {
        into.footer.clone_from(&from.footer);
    }
    if from.aspect_ratios.is_some() {
        into.aspect_ratios.clone_from(&from.aspect_ratios);
    }
    if let Some(design) = &from.design {
        into.design = into.design.overlaid(design);
    }
}

/// Parses `theme.yaml` strictly; errors point at its lines.
pub fn parse_manifest(text: &str, file: FileIdx, sources: &Sources) -> Result<Manifest, Diagnostic> {
    let line_span = |line: usize| sources.line_span(file, line);
    let yaml = Yaml { text, line_span: &line_span };
    let schema = Schema {
        keys: field_names::<Manifest>(),
        key_noun: "theme.yaml key",
        syntax: "theme.yaml",
        types: "theme.yaml",
        not_mapping: "theme.yaml must be a mapping of `key: value` lines",
        empty_ok: true,
        list_keys_always: true,
        unknown: Unknown::Error,
    };
    let (manifest, sections): (Manifest, _) = yaml.read(&schema, &mut Vec::new())?;
    // The keys inside palette / type-scale / spacing / … are as strict as the top level.
    let structs: [(&str, &[&str]); 2] = [("fonts", field_names::<Fonts>()), ("design", field_names::<Design>())];
    for (section, known) in MAP_SECTION_KEYS.iter().chain(&structs) {
        let Some(map) = sections.get(*section).and_then(|v| v.as_mapping()) else { continue };
        for key in map.keys().filter_map(|k| k.as_str()) {
            if !known.contains(&key) {
                let mut d =
                    Diagnostic::error(yaml.key_span(key), format!("unknown {section} key `{key}` in theme.yaml"));
                if let Some(s) = did_you_mean(key, known.iter().copied()) {
                    d = d.with_hint(format!("did you mean `{s}`?"));
                }
                return Err(d.with_hint(format!("the {section} keys are: {}", known.join(", "))));
            }
        }
    }
    for (name, colour) in manifest.palette.iter().flatten() {
        if Colour::parse(colour).is_none() {
            return Err(Diagnostic::error(
                yaml.key_span(name),
                format!("palette colour `{name}: {colour}` is not a colour"),
            )
            .with_hint("write colours as \"#rrggbb\" (quoted)"));
        }
    }
    for (name, length) in manifest.type_scale.iter().flatten().chain(manifest.spacing.iter().flatten()) {
        if Length::parse(length).is_none() {
            return Err(Diagnostic::error(yaml.key_span(name), format!("`{name}: {length}` is not a length"))
                .with_hint("write lengths like 24pt, 1.2em, 1.5cm or 12mm"));
        }
    }
    Ok(manifest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Manifest, String> {
        let mut sources = Sources::default();
        let file = sources.add("theme.yaml", text);
        parse_manifest(text, file, &sources)
            .map_err(|d| format!("{} @{}", d.message, sources.location(d.span.unwrap())))
    }

    #[test]
    fn strict_manifest() {
        let m =
            parse("name: x\nextends: seminar\npalette:\n  accent: \"#b22222\"\ntype-scale:\n  body: 22pt\n").unwrap();
        assert_eq!(m.extends.as_deref(), Some("seminar"));
        let e = parse("name: x\npalete:\n  accent: red\n").unwrap_err();
        assert!(e.contains("unknown theme.yaml key `palete`") && e.ends_with("theme.yaml:2:1"), "{e}");
        let e = parse("palette:\n  accent: red\n").unwrap_err();
        assert!(e.contains("is not a colour") && e.ends_with("theme.yaml:2:1"), "{e}");
        let e = parse("type-scale:\n  body: big\n").unwrap_err();
        assert!(e.contains("is not a length"), "{e}");
    }

    #[test]
    fn builtins_parse_and_marp_names_map() {
        for b in BUILTIN {
            let mut sources = Sources::default();
            let theme = resolve(b.name, Path::new("."), &mut sources).unwrap();
            assert!(!b.description().is_empty() && theme.description == b.description(), "{}", b.name);
        }
        assert_eq!(builtin("default").unwrap().name, "seminar");
        assert_eq!(builtin("gaia").unwrap().name, "dark");
    }

    #[test]
    fn extends_merges_and_cycles_fail() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        let b = dir.path().join("b");
        std::fs::create_dir_all(&a).unwrap();
        std::fs::create_dir_all(&b).unwrap();
        std::fs::write(a.join("theme.yaml"), "name: a\nextends: ../b\npalette:\n  accent: \"#b22222\"\n").unwrap();
        std::fs::write(b.join("theme.yaml"), "name: b\nextends: dark\n").unwrap();
        let mut sources = Sources::default();
        let theme = resolve("a", dir.path(), &mut sources).unwrap();
        // dark is data over the seminar theme's drawing.
        assert_eq!(theme.main_vpath, vpaths::builtin_theme("seminar"));
        assert_eq!(theme.settings.design.section, Some(SectionStyle::Rule), "dark's design");
        assert_eq!(theme.settings.design.progress, Some(true), "seminar's design, not overridden");
        assert_eq!(theme.settings.palette["accent"].as_str(), "#b22222");
        assert!(theme.settings.palette.contains_key("background"), "inherited from dark");
        std::fs::write(b.join("theme.yaml"), "name: b\nextends: ../a\n").unwrap();
        let e = resolve("a", dir.path(), &mut Sources::default()).unwrap_err();
        assert!(e.message.contains("cycle"), "{}", e.message);
    }
}
