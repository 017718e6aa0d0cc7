//! Images as other slide tools find them: a path without an extension, remote addresses.
//! (Reading, checking and converting a local image is the `resolve` stage's.)

use std::path::Path;

use crate::diag::{Diagnostic, Span};

/// Extensions tried, in order, for an image written without one (pandoc/LaTeX style).
const PROBED: &[&str] = &["pdf", "svg", "png", "jpg", "jpeg"];

/// `figures/plot` → `figures/plot.pdf` (the first of [`PROBED`] that exists beside the
/// deck); anything else unchanged.
pub fn probe_extension(src: &str, deck_dir: &Path) -> String {
    if is_remote(src) || src.is_empty() {
        return src.to_string();
    }
    let path = Path::new(src);
    if path.extension().is_some() || deck_dir.join(path).is_file() {
        return src.to_string();
    }
    PROBED
        .iter()
        .map(|ext| format!("{src}.{ext}"))
        .find(|candidate| deck_dir.join(candidate).is_file())
        .unwrap_or_else(|| src.to_string())
}

pub fn is_remote(src: &str) -> bool {
    src.starts_with("http://") || src.starts_with("https://") || src.starts_with("//")
}

/// A remote image shown as a placeholder, and why.
pub fn remote_warning(src: &str, span: Span, reason: &str, downloaded: bool) -> Diagnostic {
    let what = if downloaded { "was downloaded but cannot be drawn" } else { "could not be downloaded" };
    Diagnostic::warning(span, format!("remote image `{src}` {what}; a placeholder is shown"))
        .with_hint(reason.to_string())
        .with_hint("or save the image beside the deck and link to the file")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probes_extensions_in_order() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("plot.png"), b"x").unwrap();
        std::fs::write(dir.path().join("plot.svg"), b"x").unwrap();
        assert_eq!(probe_extension("plot", dir.path()), "plot.svg");
        assert_eq!(probe_extension("other", dir.path()), "other");
        assert_eq!(probe_extension("plot.png", dir.path()), "plot.png");
        assert_eq!(probe_extension("https://x/y", dir.path()), "https://x/y");
    }
}
