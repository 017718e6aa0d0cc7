//! `--typst DIR`: the generated Typst as a project of its own, for the speaker who
//! outgrows Markdown. Every file the compile read (theme, chart library, images,
//! bibliography, converted images) is written at its place under DIR, so `typst compile
//! DIR/main.typ` (root: DIR) makes the same pages without lectern.

use std::path::{Component, Path, PathBuf};

use typst::foundations::Bytes;

/// The main file's name in the project.
pub const MAIN: &str = "main.typ";

/// The project's files, by path relative to its folder: the main file, every file the
/// compile read at its virtual path, and a README naming the command and the fonts.
pub fn files(main_text: &str, read: &[(String, Bytes)], fonts: &[String]) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = vec![(PathBuf::from(MAIN), main_text.as_bytes().to_vec())];
    for (vpath, bytes) in read {
        // Virtual paths are absolute and normalized; refuse anything that could leave DIR.
        let relative = Path::new(vpath.trim_start_matches('/'));
        if relative.as_os_str().is_empty() || relative.components().any(|c| !matches!(c, Component::Normal(_))) {
            continue;
        }
        out.push((relative.to_path_buf(), bytes.as_slice().to_vec()));
    }
    out.push((PathBuf::from("README.txt"), readme_text(fonts).into_bytes()));
    out
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
