//! Every bound lectern puts on what a deck may ask for, in one place.
//!
//! Decks come from strangers, and a build runs on every save in watch mode: each input
//! has a bound in size, so a build ends in bounded time and memory. Each limit has a
//! name, a default, and an environment variable that raises it for one run
//! (`LECTERN_LIMIT_SLIDES=3000 lectern build big.md`). An input over a limit fails the
//! build with an error that names the limit, its value and how to raise it.
//!
//! This module also holds the one way lectern opens an input file ([`read_input`]): only
//! regular files (never a FIFO or device, which would block forever), and only up to
//! [`FILE_BYTES`].

use std::io::Read;
use std::path::Path;
use std::sync::OnceLock;

use crate::diag::Diagnostic;

/// One documented bound.
#[derive(Debug)]
pub struct Limit {
    /// Name used in messages and the README, e.g. `slides`.
    pub name: &'static str,
    /// Environment variable that overrides the default.
    pub env: &'static str,
    pub default: u64,
    /// What is counted, e.g. "slides in the deck, included slides counted".
    pub what: &'static str,
    value: OnceLock<u64>,
}

impl Limit {
    const fn new(name: &'static str, env: &'static str, default: u64, what: &'static str) -> Self {
        Limit { name, env, default, what, value: OnceLock::new() }
    }

    /// The value in force: the environment's when it is a number, else the default.
    pub fn get(&self) -> u64 {
        *self.value.get_or_init(|| {
            std::env::var(self.env).ok().and_then(|v| v.trim().replace('_', "").parse().ok()).unwrap_or(self.default)
        })
    }

    /// Whether `n` is over the limit.
    pub fn exceeded(&self, n: u64) -> bool {
        n > self.get()
    }

    /// "… is over the limit `slides` (1000); raise it with LECTERN_LIMIT_SLIDES=…".
    pub fn message(&self, found: impl std::fmt::Display) -> String {
        format!("{found}: over lectern's limit `{}` ({} {})", self.name, self.get(), self.what)
    }

    /// The hint that says how to raise the limit.
    pub fn hint(&self) -> String {
        format!(
            "if the input is trusted, raise the limit for this run, e.g. {}={}",
            self.env,
            self.get().saturating_mul(2)
        )
    }

    /// An error at `span` for an input over this limit.
    pub fn error(&self, span: impl Into<Option<crate::diag::Span>>, found: impl std::fmt::Display) -> Diagnostic {
        Diagnostic::error(span, self.message(found)).with_hint(self.hint())
    }
}

/// Bytes of any one file a build reads (deck, include, image, data, bibliography, logo).
pub static FILE_BYTES: Limit =
    Limit::new("file-bytes", "LECTERN_LIMIT_FILE_BYTES", 64 << 20, "bytes in any one file a build reads");
/// Bytes of one Markdown file (the deck, or a deck it includes).
pub static DECK_BYTES: Limit =
    Limit::new("deck-bytes", "LECTERN_LIMIT_DECK_BYTES", 2 << 20, "bytes in one Markdown deck");
/// Slides of the whole deck, included slides counted.
pub static SLIDES: Limit = Limit::new("slides", "LECTERN_LIMIT_SLIDES", 1000, "slides, included slides counted");
/// `<!-- pause -->` steps on one slide (each step is a page).
pub static PAUSES: Limit = Limit::new("pauses", "LECTERN_LIMIT_PAUSES", 50, "`<!-- pause -->` on one slide");
/// Decks included through decks through decks …
pub static INCLUDE_DEPTH: Limit =
    Limit::new("include-depth", "LECTERN_LIMIT_INCLUDE_DEPTH", 8, "levels of decks including decks");
/// `include:` directives expanded in one build, nested ones counted.
pub static INCLUDES: Limit =
    Limit::new("includes", "LECTERN_LIMIT_INCLUDES", 200, "includes expanded in one build, nested ones counted");
/// Bytes of the bibliography after BibTeX `@string` abbreviations are expanded.
pub static BIBLIOGRAPHY_BYTES: Limit = Limit::new(
    "bibliography-bytes",
    "LECTERN_LIMIT_BIBLIOGRAPHY_BYTES",
    4 << 20,
    "bytes of bibliography text after `@string` expansion",
);
/// Pixels (width × height) of any raster image: in the deck, as a logo, inside an SVG.
pub static IMAGE_PIXELS: Limit =
    Limit::new("image-pixels", "LECTERN_LIMIT_IMAGE_PIXELS", 50_000_000, "pixels (width × height) in one image");
/// Boxes in one ```flow diagram.
pub static FLOW_NODES: Limit = Limit::new("flow-nodes", "LECTERN_LIMIT_FLOW_NODES", 150, "boxes in one flow diagram");
/// Characters in one paragraph, heading, table cell or footnote.
pub static PARAGRAPH_CHARS: Limit =
    Limit::new("paragraph-chars", "LECTERN_LIMIT_PARAGRAPH_CHARS", 20_000, "characters in one paragraph");
/// Levels of quotes, lists and columns inside each other.
pub static NESTING: Limit =
    Limit::new("nesting", "LECTERN_LIMIT_NESTING", 16, "levels of quotes, lists and columns inside each other");
/// Characters in one `$…$` formula.
pub static MATH_CHARS: Limit =
    Limit::new("math-chars", "LECTERN_LIMIT_MATH_CHARS", 2000, "characters in one math formula");

/// Blocks on one slide, each list item, table cell, image, formula and footnote mark counted.
pub static SLIDE_ITEMS: Limit =
    Limit::new("slide-items", "LECTERN_LIMIT_SLIDE_ITEMS", 1000, "blocks, list items and table cells on one slide");
/// The same, for the whole deck.
pub static DECK_ITEMS: Limit = Limit::new(
    "deck-items",
    "LECTERN_LIMIT_DECK_ITEMS",
    10_000,
    "blocks, list items, table cells, images, formulas and footnote marks in the deck",
);
/// Values one chart draws (rows × series).
pub static CHART_VALUES: Limit =
    Limit::new("chart-values", "LECTERN_LIMIT_CHART_VALUES", 2000, "values in one chart (rows × series)");

/// Bytes of one downloaded (remote) image.
pub static DOWNLOAD_BYTES: Limit =
    Limit::new("download-bytes", "LECTERN_LIMIT_DOWNLOAD_BYTES", 16 << 20, "bytes in one downloaded image");
/// Seconds one build waits for all its downloads together (they run in parallel).
pub static NETWORK_SECONDS: Limit = Limit::new(
    "network-seconds",
    "LECTERN_LIMIT_NETWORK_SECONDS",
    5,
    "seconds one build waits for all its image downloads",
);

/// Every limit, for documentation and `--help` style listings.
pub static ALL: [&Limit; 17] = [
    &FILE_BYTES,
    &DECK_BYTES,
    &SLIDES,
    &PAUSES,
    &INCLUDE_DEPTH,
    &INCLUDES,
    &BIBLIOGRAPHY_BYTES,
    &IMAGE_PIXELS,
    &FLOW_NODES,
    &PARAGRAPH_CHARS,
    &NESTING,
    &MATH_CHARS,
    &SLIDE_ITEMS,
    &DECK_ITEMS,
    &CHART_VALUES,
    &DOWNLOAD_BYTES,
    &NETWORK_SECONDS,
];

/// Reads an input file: refuses anything but a regular file before opening it (a FIFO or
/// a device would block the build forever), and anything over `limit` bytes.
pub fn read_input(path: &Path, limit: &Limit) -> std::io::Result<Vec<u8>> {
    // `metadata` follows symbolic links: a link to a regular file is fine.
    let meta = std::fs::metadata(path)?;
    if !meta.is_file() {
        let kind = if meta.is_dir() { "a folder" } else { "not a regular file (a pipe, socket or device)" };
        return Err(std::io::Error::other(format!("it is {kind}; lectern reads only regular files")));
    }
    if limit.exceeded(meta.len()) {
        return Err(std::io::Error::other(limit.message(format!("{} bytes", meta.len())) + "; " + &limit.hint()));
    }
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // The file may grow between the check and the read: never take more than the limit.
    file.take(limit.get().saturating_add(1)).read_to_end(&mut bytes)?;
    if limit.exceeded(bytes.len() as u64) {
        return Err(std::io::Error::other(
            limit.message(format!("more than {} bytes", limit.get())) + "; " + &limit.hint(),
        ));
    }
    Ok(bytes)
}

/// An input file's text, as [`read_input`] reads it; messages name the file as `what`
/// (``bibliography `refs.yml` ``).
pub fn read_text(path: &Path, what: &str) -> Result<String, String> {
    let bytes = read_input(path, &FILE_BYTES).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound { format!("{what}: not found") } else { format!("{what}: {e}") }
    })?;
    String::from_utf8(bytes).map_err(|_| format!("{what} is not UTF-8 text"))
}

/// Checks a raster image's size from its header, without decoding it: `None` when the
/// bytes are not a raster image lectern knows, else the pixel count when over the limit.
pub fn oversized_image(bytes: &[u8]) -> Option<(u32, u32)> {
    let reader = image::ImageReader::new(std::io::Cursor::new(bytes)).with_guessed_format().ok()?;
    reader.format()?;
    let (w, h) = reader.into_dimensions().ok()?;
    IMAGE_PIXELS.exceeded(u64::from(w) * u64::from(h)).then_some((w, h))
}

/// The first raster image embedded in an SVG (`data:image/…;base64,…`) over the pixel
/// limit, judged from its header.
pub fn oversized_embedded_image(svg: &[u8]) -> Option<(u32, u32)> {
    use base64::Engine;
    let text = String::from_utf8_lossy(svg);
    for (at, _) in text.match_indices("base64,") {
        let data: String = text[at + 7..]
            .chars()
            .take_while(|c| !matches!(c, '"' | '\'' | ')' | '<'))
            .filter(|c| !c.is_whitespace())
            .take(1 << 16)
            .collect();
        let data = &data[..data.len() / 4 * 4];
        let bytes = base64::engine::general_purpose::STANDARD.decode(data).ok();
        if let Some(size) = bytes.as_deref().and_then(oversized_image) {
            return Some(size);
        }
    }
    None
}

/// The message for an image over [`IMAGE_PIXELS`].
pub fn image_pixels_message(name: &str, (w, h): (u32, u32)) -> String {
    IMAGE_PIXELS.message(format!("image `{name}` is {w} × {h} pixels"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_limit_and_how_to_raise_it() {
        let m = SLIDES.message("the deck has 1200 slides");
        assert!(m.contains("`slides`") && m.contains("1000"), "{m}");
        assert!(SLIDES.hint().contains("LECTERN_LIMIT_SLIDES=2000"));
    }

    #[test]
    fn fifo_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let status = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(status.success());
        let e = read_input(&fifo, &FILE_BYTES).unwrap_err();
        assert!(e.to_string().contains("not a regular file"), "{e}");
    }
}
