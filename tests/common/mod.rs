//! Helpers for tests that run the lectern binary and read its PDFs the way a user
//! would: pages, text (pdftotext), links (pdfinfo -url), metadata (pdfinfo).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct Run {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

/// The lectern binary as the tests run it: plain messages, no font folders from the
/// environment, and the fit cache (with the citations kept beside it) in the build's
/// temporary folder instead of the user's cache folder, which tests neither read nor
/// fill (a test that kills a build may leave a temporary file behind).
pub fn lectern_command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_lectern"));
    command.env("NO_COLOR", "1").env_remove("LECTERN_FONT_PATHS").env_remove("LECTERN_NO_FIT_CACHE");
    command.env("LECTERN_FIT_CACHE", Path::new(env!("CARGO_TARGET_TMPDIR")).join("fit-cache").join("fits.json"));
    command
}

pub fn lectern(dir: &Path, args: &[&str]) -> Run {
    let out: Output = lectern_command().args(args).current_dir(dir).output().expect("run lectern");
    Run {
        status: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `lectern ARGS` in `dir` with extra environment variables.
pub fn lectern_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = lectern_command();
    command.args(args).current_dir(dir);
    for (key, value) in env {
        command.env(key, value);
    }
    let out = command.output().expect("run lectern");
    Run {
        status: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// `lectern watch deck.md` in `dir`, its messages going to `log` (plain, no colour).
pub fn spawn_watch(dir: &Path, log: &Path) -> std::process::Child {
    lectern_command()
        .args(["watch", "deck.md"])
        .current_dir(dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(log).unwrap())
        .spawn()
        .unwrap()
}

/// `lectern serve deck.md --port PORT` in `dir`, quiet.
pub fn spawn_serve(dir: &Path, port: u16) -> std::process::Child {
    lectern_command()
        .args(["serve", "deck.md", "--port", &port.to_string()])
        .current_dir(dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap()
}

pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&path, text).unwrap();
    path
}

/// Builds `deck.md` in `dir`; panics with lectern's stderr if the build fails.
pub fn build_ok(dir: &Path, deck: &str) -> PathBuf {
    write(dir, "deck.md", deck);
    let run = lectern(dir, &["build", "deck.md"]);
    assert_eq!(run.status, 0, "build failed:\n{}", run.stderr);
    dir.join("deck.pdf")
}

/// Text of each page, as pdftotext sees it.
pub fn pages(pdf: &Path) -> Vec<String> {
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils)");
    assert!(out.status.success(), "pdftotext failed");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut pages: Vec<String> = text.split('\u{c}').map(str::to_string).collect();
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    pages
}

/// Text with all white space removed (Japanese lines wrap anywhere).
pub fn squash(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// URLs of the PDF's link annotations.
pub fn links(pdf: &Path) -> Vec<String> {
    let out = Command::new("pdfinfo").arg("-url").arg(pdf).output().expect("pdfinfo (poppler-utils)");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().nth(2).map(str::to_string))
        .collect()
}

/// `pdfinfo` fields (Title, Author, Pages, …).
pub fn info(pdf: &Path) -> Vec<(String, String)> {
    let out = Command::new("pdfinfo").arg(pdf).output().expect("pdfinfo (poppler-utils)");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_once(':').map(|(k, v)| (k.trim().to_string(), v.trim().to_string())))
        .collect()
}

pub fn info_field(pdf: &Path, key: &str) -> String {
    info(pdf).into_iter().find(|(k, _)| k == key).map(|(_, v)| v).unwrap_or_default()
}

pub fn page_count(pdf: &Path) -> usize {
    info_field(pdf, "Pages").parse().expect("page count")
}

/// Compiles a deck in-process (no PDF), for tests that inspect the typeset frames.
pub fn compile(deck: &Path, root: &Path) -> lectern::pipeline::Compiled {
    let request = lectern::pipeline::BuildRequest {
        deck: deck.to_path_buf(),
        root: Some(root.to_path_buf()),
        // In-process builds leave the user's fit cache alone (see `lectern_command`).
        no_fit_cache: true,
        ..Default::default()
    };
    let mut sources = lectern::diag::Sources::default();
    lectern::pipeline::Builder::new()
        .compile(&request, &mut sources)
        .unwrap_or_else(|e| panic!("{}", lectern::diag::render_plain(&sources, &e.0)))
}

/// The bounding box `(x0, y0, x1, y1)` of a curve's points, relative to its origin (the
/// control points of a cubic included); `None` for an empty curve.
pub fn curve_bounds(curve: &typst::visualize::Curve) -> Option<(f64, f64, f64, f64)> {
    use typst::visualize::CurveItem;
    let points: Vec<typst::layout::Point> = curve
        .0
        .iter()
        .flat_map(|item| match item {
            CurveItem::Move(q) | CurveItem::Line(q) => vec![*q],
            CurveItem::Cubic(a, b, q) => vec![*a, *b, *q],
            CurveItem::Close => vec![],
        })
        .collect();
    if points.is_empty() {
        return None;
    }
    let span = |f: fn(&typst::layout::Point) -> f64| {
        points.iter().map(f).fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)))
    };
    let ((x0, x1), (y0, y1)) = (span(|p| p.x.to_pt()), span(|p| p.y.to_pt()));
    Some((x0, y0, x1, y1))
}
