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
/// Where a file name Typst cannot take (a backslash in it) is looked for instead.
pub const UNNAMED: &str = "/__lectern__/unnamed";
/// The deck's PDF, served while the handout (which places its pages) compiles.
pub const DECK_PDF: &str = "/__lectern__/deck.pdf";
/// The logo is served at this path followed by its file extension.
const LOGO: &str = "/__lectern__/logo.";

/// The ending of the deck's generated main file.
const MAIN_ENDING: &str = ".lectern.typ";

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
    format!("{LOGO}{extension}")
}

/// The deck's generated Typst: beside the deck (`folder` is the deck's folder relative to
/// the build root), so paths relative to the deck resolve in it as in the deck.
pub fn deck_main(folder: &str, stem: &str) -> String {
    format!("/{folder}/{stem}{MAIN_ENDING}").replace("//", "/")
}

/// A file the deck's generated Typst is split into, beside its main file (`part`:
/// `preamble`, `slide-7`; see [`crate::world::MainText`]).
pub fn deck_part(deck_main: &str, part: &str) -> String {
    format!("{}-{part}.typ", deck_main.strip_suffix(".typ").unwrap_or(deck_main))
}

/// Another main file beside the deck's (`kind`: `-handout`, `-notes`).
pub fn main_beside(deck_main: &str, kind: &str) -> String {
    deck_main.replace(MAIN_ENDING, &format!(".lectern{kind}.typ"))
}

/// What lectern's own files are called in a message to the author, by path prefix.
pub const AUTHOR_NAMES: &[(&str, &str)] = &[
    (CHARTS, "lectern's chart code"),
    (BUILTIN_THEMES, "the built-in theme "),
    (LOGO, "the logo ."),
    (IMAGES, "a converted image "),
    (DECK_PDF, "the slides of the deck"),
];

/// Whether a path is one of lectern's own (never the author's file).
pub fn is_internal(path: &str) -> bool {
    path.starts_with(ROOT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn main_files_beside_the_deck() {
        assert_eq!(deck_main("", "talk"), "/talk.lectern.typ");
        assert_eq!(deck_main("decks/2024", "talk"), "/decks/2024/talk.lectern.typ");
        assert_eq!(main_beside("/decks/talk.lectern.typ", "-handout"), "/decks/talk.lectern-handout.typ");
        assert!(is_internal(&logo("png")) && is_internal(DECK_PDF) && !is_internal("/decks/talk.lectern.typ"));
    }
}
