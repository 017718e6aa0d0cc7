//! Virtual paths: where lectern serves the files that are not the author's (its Typst
//! libraries, themes, converted images, the logo) inside the Typst world. They all live
//! under one prefix no deck file can have.

/// Everything lectern serves itself lies under this folder.
pub const ROOT: &str = "/__lectern__/";
/// The chart and diagram library (`themes/lib/charts.typ`).
pub const CHARTS: &str = "/__lectern__/lib/charts.typ";
/// Built-in themes are served at `/__lectern__/themes/<name>/`, so one may import another.
pub const BUILTIN_THEMES: &str = "/__lectern__/themes/";
/// Theme folders on disk are served at `/__lectern__/user/<n>/`.
pub const USER_THEMES: &str = "/__lectern__/user/";
/// Images converted or downscaled at build time.
pub const IMAGES: &str = "/__lectern__/images/";
/// Downloaded (remote) images, by a hash of their address.
pub const REMOTE_IMAGES: &str = "/__lectern__/remote/";
/// The empty main file a world starts with.
pub const EMPTY: &str = "/__lectern__/empty.typ";

/// `theme.typ` of a built-in theme.
pub fn builtin_theme(name: &str) -> String {
    format!("{BUILTIN_THEMES}{name}/theme.typ")
}

/// The `n`th theme folder on disk.
pub fn user_theme_dir(n: usize) -> String {
    format!("{USER_THEMES}{n}/")
}

/// The logo, by its file extension.
pub fn logo(extension: &str) -> String {
    format!("{ROOT}logo.{extension}")
}

/// Whether a path is one of lectern's own (never the author's file).
pub fn is_internal(path: &str) -> bool {
    path.starts_with(ROOT)
}
