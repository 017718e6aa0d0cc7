//! Built-in themes (embedded in the binary) and user theme folders.

use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, did_you_mean};

/// Where a build's theme comes from.
#[derive(Debug, Clone)]
pub enum Theme {
    Builtin(&'static BuiltinTheme),
    /// A folder with `theme.typ` (and `theme.yaml`), served from disk.
    Folder(PathBuf),
}

pub struct BuiltinTheme {
    pub name: &'static str,
    pub description: &'static str,
    pub files: &'static [(&'static str, &'static [u8])],
}

impl std::fmt::Debug for BuiltinTheme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BuiltinTheme({})", self.name)
    }
}

pub static BUILTIN: &[BuiltinTheme] = &[BuiltinTheme {
    name: "seminar",
    description: "Light, high-contrast theme for projectors (the default)",
    files: &[
        ("theme.typ", include_bytes!("../themes/seminar/theme.typ")),
        ("theme.yaml", include_bytes!("../themes/seminar/theme.yaml")),
    ],
}];

/// lectern's own Typst libraries (charts and diagrams), served from the binary.
pub static LIB: &[(&str, &[u8])] = &[("/__lectern__/lib/charts.typ", include_bytes!("../themes/lib/charts.typ"))];

pub const CHARTS_VPATH: &str = "/__lectern__/lib/charts.typ";

/// Virtual folder under which the build's theme is served.
pub const THEME_VDIR: &str = "/__lectern__/theme";

impl Theme {
    pub fn main_vpath(&self) -> String {
        format!("{THEME_VDIR}/theme.typ")
    }

    pub fn name(&self) -> String {
        match self {
            Theme::Builtin(b) => b.name.to_string(),
            Theme::Folder(dir) => dir.display().to_string(),
        }
    }

    /// Folders of fonts that come with the theme.
    pub fn font_dirs(&self) -> Vec<PathBuf> {
        match self {
            Theme::Builtin(_) => vec![],
            Theme::Folder(dir) => Some(dir.join("fonts")).filter(|d| d.is_dir()).into_iter().collect(),
        }
    }
}

/// Marp's theme names mean ours.
fn alias(name: &str) -> &str {
    match name {
        "default" | "uncover" | "gaia" => "seminar",
        other => other,
    }
}

/// Finds a theme by built-in name or folder path (relative to `base`).
pub fn find(spec: &str, base: &Path) -> Result<Theme, Diagnostic> {
    let name = alias(spec);
    if let Some(b) = BUILTIN.iter().find(|b| b.name == name) {
        return Ok(Theme::Builtin(b));
    }
    let looks_like_path = spec.contains('/') || spec.contains('\\') || spec.starts_with('.');
    let dir = base.join(spec);
    if dir.is_dir() {
        if !dir.join("theme.typ").is_file() {
            return Err(Diagnostic::error(None, format!("theme folder `{spec}` has no theme.typ"))
                .with_hint("a theme folder holds theme.typ (and theme.yaml); see docs/theme-interface.md"));
        }
        return Ok(Theme::Folder(dir));
    }
    let names: Vec<&str> = BUILTIN.iter().map(|b| b.name).collect();
    let mut d = if looks_like_path {
        Diagnostic::error(None, format!("theme folder `{spec}` not found"))
    } else {
        Diagnostic::error(None, format!("unknown theme `{spec}`"))
    };
    if let Some(s) = did_you_mean(spec, names.iter().copied()) {
        d = d.with_hint(format!("did you mean `{s}`?"));
    }
    Err(d.with_hint(format!("built-in themes: {}; or give a path to a theme folder", names.join(", "))))
}
