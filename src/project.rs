//! `--typst DIR`: the generated Typst as a project of its own, for the speaker who
//! outgrows Markdown. Every file the compile read (theme, chart library, images,
//! bibliography, converted images) is written at its place under DIR, so `typst compile
//! DIR/main.typ` (root: DIR) makes the same pages without lectern.

use std::io;
use std::path::{Component, Path, PathBuf};

use typst::foundations::Bytes;

use crate::pipeline::write_atomically;

/// The main file's name in the project.
pub const MAIN: &str = "main.typ";

/// Writes the project; returns the paths written.
pub fn write(dir: &Path, main_text: &str, files: &[(String, Bytes)], fonts: &[String]) -> io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut written = Vec::new();
    let main = dir.join(MAIN);
    write_atomically(&main, main_text.as_bytes())?;
    written.push(main);
    for (vpath, bytes) in files {
        // Virtual paths are absolute and normalized; refuse anything that could leave DIR.
        let relative = Path::new(vpath.trim_start_matches('/'));
        if relative.as_os_str().is_empty() || relative.components().any(|c| !matches!(c, Component::Normal(_))) {
            continue;
        }
        let path = dir.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        write_atomically(&path, bytes.as_slice())?;
        written.push(path);
    }
    let readme = dir.join("README.txt");
    write_atomically(&readme, readme_text(fonts).as_bytes())?;
    written.push(readme);
    Ok(written)
}

fn readme_text(fonts: &[String]) -> String {
    let mut text = String::from(
        "Typst project written by lectern (--typst DIR).\n\n\
         Compile it with the Typst CLI (0.15), from this folder:\n\n    typst compile main.typ\n\n\
         main.typ is the deck; __lectern__/ holds lectern's theme and chart library and any\n\
         images lectern converted; the other files are the deck's own, at their places.\n",
    );
    if !fonts.is_empty() {
        text.push_str(
            "\nThe theme asks for these fonts (the first installed one is used; add\nfolders with --font-path):\n\n",
        );
        for font in fonts {
            text.push_str(&format!("    {font}\n"));
        }
    }
    text
}
