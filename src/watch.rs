//! `lectern watch`: build, then rebuild whenever a file the last build read changes.
//!
//! Parent folders are watched (not the files), so editors that save by writing a new file
//! and renaming it over the old one, and files that appear later, are both seen. A short
//! quiet window folds a burst of saves into one rebuild.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use notify::{EventKind, RecursiveMode, Watcher};

use crate::diag;
use crate::pipeline::{BuildError, BuildReport, BuildRequest, Builder};

/// Wait this long after the last file event before rebuilding (editors write in bursts).
const QUIET: Duration = Duration::from_millis(15);
/// …but never longer than this after the first event.
const MAX_DELAY: Duration = Duration::from_millis(150);
/// A rebuild's PDF is written first without its tag tree, and whole with it once no file
/// has changed for this long (and before watch mode stops).
const FINISH_AFTER: Duration = Duration::from_millis(1000);

enum Message {
    Changed(Vec<PathBuf>),
    Stop,
}

/// Runs until Ctrl-C / SIGTERM, calling `on_build` after every build.
pub fn watch(
    request: &BuildRequest,
    open: bool,
    mut on_build: impl FnMut(Result<&BuildReport, &BuildError>),
) -> Result<(), String> {
    let (tx, rx) = mpsc::channel();
    let stop = tx.clone();
    ctrlc::set_handler(move || {
        let _ = stop.send(Message::Stop);
    })
    .map_err(|e| format!("cannot install the Ctrl-C handler: {e}"))?;
    let events = tx.clone();
    let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
        if let Ok(event) = res
            && !matches!(event.kind, EventKind::Access(_))
        {
            let _ = events.send(Message::Changed(event.paths));
        }
    })
    .map_err(|e| format!("cannot watch files: {e}"))?;

    let output = request.output.clone().unwrap_or_else(|| request.deck.with_extension("pdf"));
    let request = &BuildRequest { draft_pdf: true, ..request.clone() };
    let mut builder = Builder::new();
    let mut watched_dirs: BTreeSet<PathBuf> = BTreeSet::new();
    let mut first = true;
    let mut watched_count = None;
    loop {
        let started = Instant::now();
        // A bug must not end the watcher: report it, start afresh, wait for the next save.
        let result =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| builder.build(request))).unwrap_or_else(|_| {
                // The last good PDF stays: finished, if it was a draft.
                finish_pdf(&mut builder);
                builder = Builder::new();
                Err(crate::pipeline::BuildError {
                    sources: Default::default(),
                    diagnostics: vec![internal_error()],
                    dependencies: vec![request.deck.clone()],
                    written: vec![],
                    not_written: vec![],
                })
            });
        let new_deps = match &result {
            Ok(report) => {
                diag::print(&report.sources, &report.warnings);
                let changed = describe_changes(&report.changed_slides, report.slides, first);
                eprintln!(
                    "[{}] built {} ({} slides) in {} ms{changed}",
                    clock(),
                    report.output.display(),
                    report.slides,
                    started.elapsed().as_millis()
                );
                if first && open {
                    open_viewer(&report.output);
                }
                on_build(Ok(report));
                report.dependencies.clone()
            }
            Err(error) => {
                diag::print(&error.sources, &error.diagnostics);
                let kept = if output.exists() { "; the last good PDF is kept" } else { "" };
                eprintln!("[{}] build failed{kept}; waiting for a fix", clock());
                on_build(Err(error));
                error.dependencies.clone()
            }
        };
        first = false;
        let deps: BTreeSet<PathBuf> = new_deps.iter().map(|p| absolute(p)).collect();
        // Say what is watched at the start, and again whenever that changes.
        if watched_count != Some(deps.len()) {
            let deck = absolute(&request.deck);
            let others = deps.iter().filter(|p| **p != deck).count();
            let noun = if others == 1 { "file" } else { "files" };
            eprintln!("[{}] watching {} and {others} other {noun}", clock(), request.deck.display());
            watched_count = Some(deps.len());
        }
        let dirs: BTreeSet<PathBuf> = deps.iter().filter_map(|p| p.parent().map(Path::to_path_buf)).collect();
        for dir in watched_dirs.difference(&dirs) {
            let _ = watcher.unwatch(dir);
        }
        for dir in dirs.difference(&watched_dirs) {
            if let Err(e) = watcher.watch(dir, RecursiveMode::NonRecursive) {
                eprintln!("warning: cannot watch {}: {e}", dir.display());
            }
        }
        watched_dirs = dirs;

        let changed = wait_for_change(&rx, &deps, &absolute(&output), || finish_pdf(&mut builder));
        if changed.is_none() {
            finish_pdf(&mut builder);
            eprintln!("[{}] stopped", clock());
            return Ok(());
        }
    }
}

/// What a bug (a panic) caught in watch mode is reported as.
fn internal_error() -> diag::Diagnostic {
    diag::Diagnostic::error(None, "internal error in lectern (please report it)")
}

/// Writes the last draft PDF tagged, if there is one (see `BuildRequest::draft_pdf`); a
/// failure is reported and watching goes on.
fn finish_pdf(builder: &mut Builder) {
    let finished = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| builder.finish_pdf()));
    let diagnostics = match finished {
        Ok(None | Some(Ok(_))) => return,
        Ok(Some(Err(diagnostics))) => diagnostics,
        Err(_) => vec![internal_error()],
    };
    diag::print(&Default::default(), &diagnostics);
    eprintln!("[{}] the PDF stays without its tag tree and page labels", clock());
}

/// Blocks until a dependency changes (`Some`) or a stop is requested (`None`); calls
/// `quiet` once if no dependency has changed within [`FINISH_AFTER`] of the call.
fn wait_for_change(
    rx: &Receiver<Message>,
    deps: &BTreeSet<PathBuf>,
    output: &Path,
    quiet: impl FnOnce(),
) -> Option<()> {
    let relevant = |paths: &[PathBuf]| paths.iter().any(|p| p != output && deps.contains(&absolute(p)));
    let mut quiet = Some(quiet);
    let quiet_at = Instant::now() + FINISH_AFTER;
    loop {
        let message = if quiet.is_some() {
            match rx.recv_timeout(quiet_at.saturating_duration_since(Instant::now())) {
                Ok(message) => message,
                Err(RecvTimeoutError::Timeout) => {
                    quiet.take().expect("not called yet")();
                    continue;
                }
                Err(RecvTimeoutError::Disconnected) => return None,
            }
        } else {
            rx.recv().ok()?
        };
        match message {
            Message::Stop => return None,
            Message::Changed(paths) if relevant(&paths) => break,
            Message::Changed(_) => {}
        }
    }
    // Fold a burst of events (write, truncate, rename) into one rebuild.
    let first = Instant::now();
    loop {
        let left = MAX_DELAY.saturating_sub(first.elapsed());
        match rx.recv_timeout(QUIET.min(left)) {
            Ok(Message::Stop) => return None,
            Ok(Message::Changed(_)) if !left.is_zero() => continue,
            Ok(Message::Changed(_)) | Err(RecvTimeoutError::Timeout) => return Some(()),
            Err(RecvTimeoutError::Disconnected) => return None,
        }
    }
}

fn describe_changes(changed: &[usize], total: usize, first: bool) -> String {
    if first || changed.is_empty() {
        return String::new();
    }
    if changed.len() == total {
        return ", every slide changed".to_string();
    }
    let list: Vec<String> = changed.iter().take(5).map(usize::to_string).collect();
    let more = if changed.len() > 5 { ", …" } else { "" };
    let noun = if changed.len() == 1 { "slide" } else { "slides" };
    format!(", changed {noun} {}{more}", list.join(", "))
}

fn absolute(path: &Path) -> PathBuf {
    crate::paths::normalize(&std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()))
}

fn clock() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    format!("{:02}:{:02}:{:02}", secs / 3600 % 24, secs / 60 % 60, secs % 60)
}

/// `lectern serve`: watch mode plus a live preview at http://127.0.0.1:3000 (localhost
/// only) showing every slide as SVG; browsers reload after each rebuild.
pub fn serve(request: &BuildRequest, port: Option<u16>, open: bool) -> Result<(), String> {
    let title = request.deck.display().to_string();
    let server = crate::preview::PreviewServer::new(&title, port)?;
    let url = format!("http://{}", server.addr());
    eprintln!("live preview at {url} (Ctrl-C stops)");
    if open {
        open_viewer(Path::new(&url));
    }
    let mut request = request.clone();
    request.svg_pages = true;
    let mut last_pages: Vec<String> = Vec::new();
    watch(&request, false, |result| {
        let error = match result {
            Ok(report) => {
                last_pages = report.svg.clone();
                None
            }
            Err(error) => Some(error.render()),
        };
        server.set_html(preview_html(&title, &last_pages, error.as_deref()));
    })
}

/// The preview page: slides stacked, each an inline SVG, and the build error if any.
fn preview_html(title: &str, pages: &[String], error: Option<&str>) -> String {
    let escape = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    let mut html = format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{}</title><style>\
         body{{background:#3a3d42;margin:0;padding:24px;font-family:sans-serif}}\
         .slide{{max-width:1100px;margin:0 auto 24px;box-shadow:0 4px 18px #0008;background:#fff}}\
         .slide svg{{width:100%;height:auto;display:block}}\
         pre{{max-width:1100px;margin:0 auto 24px;background:#fff3f0;color:#7a1600;padding:16px;white-space:pre-wrap}}\
         </style></head><body>",
        escape(title)
    );
    if let Some(error) = error {
        html.push_str(&format!("<pre>{}</pre>", escape(error)));
    }
    for page in pages {
        html.push_str("<div class=\"slide\">");
        html.push_str(page);
        html.push_str("</div>");
    }
    html.push_str("</body></html>");
    html
}

/// Opens the PDF in the system's viewer, once (`--open`).
fn open_viewer(path: &Path) {
    let program = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    if let Err(e) = std::process::Command::new(program).arg(path).spawn() {
        eprintln!("warning: cannot open {} with {program}: {e}", path.display());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deck() -> PathBuf {
        absolute(Path::new("deck.md"))
    }

    /// The outcome of a wait that finds `message` waiting, and how often it finished the PDF.
    fn wait_on(message: Message) -> (Option<()>, usize) {
        let (tx, rx) = mpsc::channel();
        tx.send(message).unwrap();
        let mut finished = 0;
        let outcome = wait_for_change(&rx, &[deck()].into(), Path::new("/out.pdf"), || finished += 1);
        (outcome, finished)
    }

    #[test]
    fn a_stop_or_a_change_of_the_deck_ends_the_wait_without_finishing_the_pdf() {
        assert_eq!(wait_on(Message::Stop), (None, 0));
        assert_eq!(wait_on(Message::Changed(vec![deck()])), (Some(()), 0));
    }

    #[test]
    fn the_pdf_is_finished_once_a_second_after_the_wait_began_whatever_else_changes() {
        let (tx, rx) = mpsc::channel();
        let sender = std::thread::spawn(move || {
            // Files that are not the deck's (the PDF itself, another file in its folder)
            // change all the time: they neither end the wait nor put off the finishing.
            for other in ["/out.pdf", "notes.txt", "/out.pdf", "notes.txt", "/out.pdf"] {
                tx.send(Message::Changed(vec![absolute(Path::new(other))])).unwrap();
                std::thread::sleep(Duration::from_millis(400));
            }
            tx.send(Message::Stop).unwrap();
        });
        let started = Instant::now();
        let mut finished_after = Vec::new();
        let outcome =
            wait_for_change(&rx, &[deck()].into(), Path::new("/out.pdf"), || finished_after.push(started.elapsed()));
        assert!(outcome.is_none(), "ended by the stop");
        assert_eq!(finished_after.len(), 1, "finished once");
        assert!(finished_after[0] >= FINISH_AFTER, "{:?}", finished_after[0]);
        sender.join().unwrap();
    }

    #[test]
    fn change_descriptions() {
        assert_eq!(describe_changes(&[3], 10, false), ", changed slide 3");
        assert_eq!(describe_changes(&[1, 2], 10, false), ", changed slides 1, 2");
        assert_eq!(describe_changes(&[1, 2], 2, false), ", every slide changed");
        assert_eq!(describe_changes(&[], 2, false), "");
    }
}
