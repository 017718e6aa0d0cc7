//! Typst compilation with diagnostics mapped back to the Markdown, the missing-glyph
//! check, and PDF export.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use typst::World;
use typst::WorldExt;
use typst::diag::{Severity as TypstSeverity, SourceDiagnostic, SourceResult, Warned};
use typst::foundations::{Datetime, Smart};
use typst::syntax::FileId;
use typst::text::FontBook;
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, Timestamp};

use crate::diag::{Diagnostic, Severity, Sources, Span};
use crate::emit::SourceMap;
use crate::world::LecternWorld;

/// Compiles the prepared world. Errors and warnings come back at Markdown lines.
/// `trim`: no rebuild follows and most slides are fitted by searching, so Typst's cache
/// of layouts is trimmed as it grows (see [`compile_trimming`]).
pub fn compile(
    world: &LecternWorld,
    map: &SourceMap,
    sources: &mut Sources,
    trim: bool,
) -> (Result<PagedDocument, Vec<Diagnostic>>, Vec<Diagnostic>) {
    let trace = std::env::var_os("LECTERN_TRACE");
    if trace.is_some() {
        typst_timing::enable();
    }
    let result = if trim { compile_trimming(world) } else { typst::compile::<PagedDocument>(world) };
    if let Some(path) = trace {
        write_trace(world, std::path::Path::new(&path));
    }
    let mut files = HashMap::new();
    let warnings = result
        .warnings
        .iter()
        .filter(|w| !fallback_font_missing(world, w))
        .map(|w| translate(world, w, map, sources, &mut files))
        .collect();
    let output =
        result.output.map_err(|errors| errors.iter().map(|e| translate(world, e, map, sources, &mut files)).collect());
    (output, warnings)
}

/// Resident memory above which [`compile_trimming`] trims (a first build of 120 slides
/// stays below it); `LECTERN_TRIM_ABOVE_MB` sets another.
const TRIM_ABOVE_MB: u64 = 192;
/// How often [`compile_trimming`] looks (more often costs more layouts done again).
const TRIM_EVERY: Duration = Duration::from_millis(50);

/// Typst keeps every layout it makes (each measurement of a first build's fitting
/// searches too) until the compile ends, for a later compile to reuse: ~450 MB for the
/// first build of a 370-slide deck. A compile that no rebuild follows reuses little of
/// what the searches measured, so above [`TRIM_ABOVE_MB`] resident it drops, every
/// [`TRIM_EVERY`], what went unused since the look before (anything asked for again is
/// laid out again: the same pages, ~5 % slower). Not for a compile with hints: what it
/// keeps it mostly reuses, and trimming makes it much slower without making it smaller.
/// Only where the resident size can be read (Linux).
fn compile_trimming(world: &LecternWorld) -> Warned<SourceResult<PagedDocument>> {
    if resident_bytes().is_none() {
        return typst::compile::<PagedDocument>(world);
    }
    let above_mb = std::env::var("LECTERN_TRIM_ABOVE_MB").ok().and_then(|v| v.parse().ok()).unwrap_or(TRIM_ABOVE_MB);
    let (done, wait) = std::sync::mpsc::channel::<()>();
    std::thread::scope(|scope| {
        scope.spawn(move || {
            while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = wait.recv_timeout(TRIM_EVERY) {
                if resident_bytes().is_some_and(|bytes| bytes > above_mb << 20) {
                    typst::comemo::evict(1);
                }
            }
        });
        let result = typst::compile::<PagedDocument>(world);
        drop(done);
        result
    })
}

/// The process's resident memory, where the system tells (Linux: `/proc/self/status`).
fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find_map(|l| l.strip_prefix("VmRSS:"))?;
    let kib: u64 = line.trim().strip_suffix("kB")?.trim().parse().ok()?;
    Some(kib * 1024)
}

/// `LECTERN_TRACE=trace.json`: Typst's own timing events of the compilation (as
/// `typst compile --timings` writes them, for chrome://tracing or Perfetto), each with
/// the file and line of the Typst code it ran; for finding where the theme spends time.
fn write_trace(world: &LecternWorld, path: &std::path::Path) {
    typst_timing::disable();
    let Ok(file) = std::fs::File::create(path) else { return };
    let _ = typst_timing::export_json(std::io::BufWriter::new(file), |raw| {
        let span = typst::syntax::Span::from_raw(raw);
        let Some(id) = span.id() else { return ("?".into(), 0) };
        let line = world.range(span).and_then(|r| world.source(id).ok().and_then(|s| s.lines().byte_to_line(r.start)));
        (id.vpath().get_without_slash().to_string(), line.map_or(0, |l| l as u32 + 1))
    });
}

/// A theme lists fonts for every platform (Noto on Linux, Hiragino on macOS, Yu Gothic on
/// Windows), so that most of them are missing on any one machine is expected. Only those
/// families are let pass: a family nobody listed is still reported. (Typst gives its
/// warnings no code, so the family is read from the message.)
fn fallback_font_missing(world: &LecternWorld, warning: &typst::diag::SourceDiagnostic) -> bool {
    let Some(family) = warning.message.strip_prefix("unknown font family: ") else { return false };
    world.font_families_listed().iter().any(|f| f.eq_ignore_ascii_case(family.trim()))
}

/// One Typst diagnostic, placed in the author's file.
fn translate(
    world: &LecternWorld,
    d: &SourceDiagnostic,
    map: &SourceMap,
    sources: &mut Sources,
    files: &mut HashMap<FileId, crate::diag::FileIdx>,
) -> Diagnostic {
    let severity = match d.severity {
        TypstSeverity::Error => Severity::Error,
        TypstSeverity::Warning => Severity::Warning,
    };
    let mut place = |span: typst::syntax::DiagSpan, sources: &mut Sources| -> Option<Span> {
        let id = span.id()?;
        let range = world.range(span)?;
        if world.is_deck_file(id) {
            return world.deck_offset(id, range.start).and_then(|at| map.lookup(at));
        }
        // lectern's own code (charts, built-in themes, files made in memory) is no file
        // the author wrote: blame the Markdown that called it instead (from the trace).
        if crate::safety::is_internal_vpath(id.vpath().get_with_slash()) {
            return None;
        }
        // A theme or data file: point into it, loading its text for the excerpt.
        let file = match files.get(&id) {
            Some(f) => *f,
            None => {
                let text = world.source(id).ok()?.text().to_string();
                let name = display_name(world, id);
                let f = sources.add(name, text);
                files.insert(id, f);
                f
            }
        };
        Some(Span::new(file, range))
    };
    let span = place(d.span, sources);
    let mut out = Diagnostic {
        severity,
        message: crate::safety::author_terms(&d.message, world.root()),
        span: span.or_else(|| d.trace.iter().find_map(|t| place(t.span.into(), sources))),
        hints: d.hints.iter().map(|h| crate::safety::author_terms(&h.v, world.root())).collect(),
    };
    // An error inside the theme: also say which slide triggered it.
    if span.is_some_and(|s| Some(s) != d.trace.iter().find_map(|t| place(t.span.into(), sources)))
        && let Some(slide) = d
            .trace
            .iter()
            .rev()
            .filter(|t| t.span.id().is_some_and(|id| world.is_deck_file(id)))
            .find_map(|t| place(t.span.into(), sources))
    {
        out.hints.push(format!("while building the slide at {}", sources.location(slide)));
    }
    out
}

fn display_name(world: &LecternWorld, id: FileId) -> String {
    let vpath = id.vpath().get_with_slash();
    if let Some(rest) = vpath.strip_prefix(crate::vpaths::BUILTIN_THEMES) {
        return format!("theme {rest}");
    }
    if let Some(file) = world.theme_file(vpath) {
        return file.display().to_string();
    }
    world.root().join(id.vpath().get_without_slash()).display().to_string()
}

/// Characters that are never drawn, so need no font.
fn needs_glyph(c: char) -> bool {
    !(c.is_whitespace()
        || c.is_control()
        || matches!(c as u32, 0x200B..=0x200F | 0x2060..=0x206F | 0xFE00..=0xFE0F | 0xE0100..=0xE01EF | 0xAD | 0xFEFF))
}

/// Fails on any character no installed font covers: Typst would silently draw tofu.
pub fn check_glyphs(book: &FontBook, visible: &[(String, Span)], sources: &Sources) -> Vec<Diagnostic> {
    let fonts: Vec<_> = (0..).map_while(|i| book.info(i)).collect();
    // A coverage lookup walks the font's ranges, and a CJK character lies past every range of
    // every Latin font: ask the font that had the last character first (text runs in one script).
    let mut last_hit = 0;
    let mut has_font = |c: char| {
        if fonts.get(last_hit).is_some_and(|info| info.coverage.contains(c as u32)) {
            return true;
        }
        let hit = fonts.iter().position(|info| info.coverage.contains(c as u32));
        last_hit = hit.unwrap_or(last_hit);
        hit.is_some()
    };
    // Each character is looked at once: a deck's text is hundreds of thousands of
    // characters, a few thousand distinct (a table for the Basic Multilingual Plane, as
    // hashing every character cost more than the lookups).
    let mut seen_bmp = vec![false; 0x10000];
    let mut seen_beyond: HashSet<char> = HashSet::new();
    let mut errors = Vec::new();
    for (text, span) in visible {
        for c in text.chars() {
            let first_time = match seen_bmp.get_mut(c as usize) {
                Some(seen) => !std::mem::replace(seen, true),
                None => seen_beyond.insert(c),
            };
            // Seen before: drawn, or reported once already.
            if !first_time || !needs_glyph(c) || has_font(c) {
                continue;
            }
            let source = &sources.text(span.file)[span.range()];
            let at =
                source.find(c).map_or(*span, |i| Span::new(span.file, span.start + i..span.start + i + c.len_utf8()));
            errors.push(
                Diagnostic::error(at, format!("no installed font has the character '{c}' (U+{:04X})", c as u32))
                    .with_hint("on Debian/Ubuntu install fonts-noto-cjk (and fonts-noto-color-emoji for emoji), or pass --font-path DIR with a font that has it"),
            );
            if errors.len() >= 10 {
                return errors;
            }
        }
    }
    errors
}

/// PDF bytes with a stable identifier and a timestamp only from SOURCE_DATE_EPOCH, so the
/// same inputs give byte-identical files. `tagged`: with the tag tree (the document's
/// structure for screen readers and reflow; about a third of the export's time).
pub fn export_pdf(doc: &PagedDocument, ident: &str, tagged: bool) -> Result<Vec<u8>, Vec<Diagnostic>> {
    let timestamp = crate::clock::source_date_epoch().and_then(datetime_from_epoch).map(Timestamp::new_utc);
    let options = PdfOptions {
        ident: Smart::Custom(ident.to_string()),
        creator: Smart::Custom(Some(format!("lectern {} (Typst 0.15)", env!("CARGO_PKG_VERSION")))),
        timestamp,
        tagged,
        ..PdfOptions::default()
    };
    typst_pdf::pdf(doc, &options).map_err(|errors| {
        errors.iter().map(|e| Diagnostic::error(None, format!("PDF export: {}", e.message))).collect()
    })
}

fn datetime_from_epoch(secs: i64) -> Option<Datetime> {
    let utc = time::OffsetDateTime::from_unix_timestamp(secs).ok()?;
    Some(Datetime::Datetime(time::PrimitiveDateTime::new(utc.date(), utc.time())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_to_date() {
        let d = datetime_from_epoch(1_700_000_000).unwrap();
        assert_eq!((d.year(), d.month(), d.day()), (Some(2023), Some(11), Some(14)));
    }
}
