//! File-system paths: normalizing without touching the disk, and the build-root check
//! every stage that reads a file asks.

use std::path::{Component, Path, PathBuf};

/// Whether `path` (absolute, normalized) lies inside `root`, following symbolic links for
/// the parts that exist so a link cannot lead out of the root.
pub fn inside_root(path: &Path, root: &Path) -> bool {
    if !path.starts_with(root) {
        return false;
    }
    let real_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    // The deepest existing ancestor decides where the path really is.
    let existing = path.ancestors().find(|p| p.exists()).unwrap_or(root);
    std::fs::canonicalize(existing).map_or(true, |real| real.starts_with(&real_root))
}

/// `a/./b/../c` → `a/c`, without touching the disk (the file may not exist).
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// `my%20fig.png` → `my fig.png` (Markdown links are URLs); kept as written when the
/// escapes do not make UTF-8.
pub fn percent_decode(src: &str) -> String {
    percent_encoding::percent_decode_str(src).decode_utf8().map_or_else(|_| src.to_string(), |s| s.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_paths() {
        assert_eq!(normalize(Path::new("/a/b/../c/./d.png")), PathBuf::from("/a/c/d.png"));
        assert_eq!(percent_decode("my%20fig.png"), "my fig.png");
        assert_eq!(percent_decode("100%.png"), "100%.png");
        assert_eq!(percent_decode("%E5%9B%B3.png"), "図.png");
        assert_eq!(percent_decode("%ff.png"), "%ff.png");
    }
}
