//! Author-facing diagnostics: every error and warning names a place in a file the
//! author wrote (deck, theme, data file), never only the generated Typst.

use std::fmt;
use std::io::{IsTerminal, Write};
use std::ops::Range;

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::termcolor::{ColorChoice, StandardStream, WriteColor};
use codespan_reporting::term::{self, Config};

/// Index of a file registered in [`Sources`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileIdx(pub u32);

/// A byte range in a registered source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Span {
    pub file: FileIdx,
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(file: FileIdx, range: Range<usize>) -> Self {
        Span { file, start: range.start, end: range.end }
    }

    pub fn range(&self) -> Range<usize> {
        self.start..self.end
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub severity: Severity,
    pub message: String,
    pub span: Option<Span>,
    pub hints: Vec<String>,
}

impl Diagnostic {
    pub fn error(span: impl Into<Option<Span>>, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Error, message: message.into(), span: span.into(), hints: vec![] }
    }

    pub fn warning(span: impl Into<Option<Span>>, message: impl Into<String>) -> Self {
        Diagnostic { severity: Severity::Warning, message: message.into(), span: span.into(), hints: vec![] }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Every file a build read that a diagnostic may point into, with its text, so a
/// message can quote the author's line.
#[derive(Debug, Default, Clone)]
pub struct Sources {
    files: Vec<SourceFile>,
}

#[derive(Debug, Clone)]
struct SourceFile {
    name: String,
    text: String,
    line_starts: Vec<usize>,
}

impl Sources {
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileIdx {
        let text = text.into();
        let line_starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        self.files.push(SourceFile { name: name.into(), text, line_starts });
        FileIdx(self.files.len() as u32 - 1)
    }

    pub fn name(&self, file: FileIdx) -> &str {
        &self.files[file.0 as usize].name
    }

    pub fn text(&self, file: FileIdx) -> &str {
        &self.files[file.0 as usize].text
    }

    /// Byte offset of a 1-based line and 1-based byte column.
    pub fn offset(&self, file: FileIdx, line: usize, column: usize) -> usize {
        let f = &self.files[file.0 as usize];
        let start = f.line_starts.get(line.saturating_sub(1)).copied().unwrap_or(f.text.len());
        (start + column.saturating_sub(1)).min(f.text.len())
    }

    /// The span of a whole 1-based line, without its line break.
    pub fn line_span(&self, file: FileIdx, line: usize) -> Span {
        let f = &self.files[file.0 as usize];
        let start = f.line_starts.get(line.saturating_sub(1)).copied().unwrap_or(f.text.len());
        let end = f.text[start..].find('\n').map_or(f.text.len(), |i| start + i);
        let end = if f.text[..end].ends_with('\r') { end - 1 } else { end };
        Span::new(file, start..end)
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, file: FileIdx, offset: usize) -> (usize, usize) {
        let f = &self.files[file.0 as usize];
        let line = f.line_starts.partition_point(|&s| s <= offset).max(1);
        let start = f.line_starts[line - 1];
        let col = f.text.get(start..offset.min(f.text.len())).map_or(1, |s| s.chars().count() + 1);
        (line, col)
    }

    /// `file:line:col` of a span, for one-line messages and tests.
    pub fn location(&self, span: Span) -> String {
        let (line, col) = self.line_col(span.file, span.start);
        format!("{}:{}:{}", self.name(span.file), line, col)
    }
}

/// Where diagnostics go: stderr, coloured only on a terminal and without `NO_COLOR`.
pub fn color_choice() -> ColorChoice {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    if !no_color && std::io::stderr().is_terminal() { ColorChoice::Auto } else { ColorChoice::Never }
}

pub fn print(sources: &Sources, diagnostics: &[Diagnostic]) {
    let stream = StandardStream::stderr(color_choice());
    let mut lock = stream.lock();
    write_to(&mut lock, sources, diagnostics);
    let _ = lock.flush();
}

pub fn write_to(out: &mut dyn WriteColor, sources: &Sources, diagnostics: &[Diagnostic]) {
    // Decks come from strangers: no escape sequence of theirs reaches the terminal.
    let clean = terminal_safe;
    let mut files = SimpleFiles::new();
    for f in &sources.files {
        files.add(clean(&f.name), clean(&f.text));
    }
    let config = Config::default();
    for d in diagnostics {
        let mut cs = match d.severity {
            Severity::Error => CsDiagnostic::error(),
            Severity::Warning => CsDiagnostic::warning(),
        }
        .with_message(clean(&d.message))
        .with_notes(d.hints.iter().map(|h| format!("hint: {}", clean(h))).collect());
        if let Some(span) = d.span {
            cs = cs.with_labels(vec![Label::primary(span.file.0 as usize, span.range())]);
        }
        if term::emit(out, &config, &files, &cs).is_err() {
            let _ = writeln!(out, "{}", clean(&d.message));
        }
    }
}

/// Plain text of diagnostics (no colour), for tests and logs.
pub fn render_plain(sources: &Sources, diagnostics: &[Diagnostic]) -> String {
    let mut buf = codespan_reporting::term::termcolor::NoColor::new(Vec::new());
    write_to(&mut buf, sources, diagnostics);
    String::from_utf8_lossy(&buf.into_inner()).into_owned()
}

/// Errors that end a build: the diagnostics to print (at least one error).
#[derive(Debug)]
pub struct Failure(pub Vec<Diagnostic>);

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            writeln!(f, "{}", d.message)?;
        }
        Ok(())
    }
}

impl From<Diagnostic> for Failure {
    fn from(d: Diagnostic) -> Self {
        Failure(vec![d])
    }
}

/// The "did you mean" candidate for a misspelt name, if one is close enough.
pub fn did_you_mean<'a>(given: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(given, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// The kind of a message: its text with every `quoted` part left out, so "unknown key
/// `css`" and "unknown key `width`" are one kind.
fn message_kind(message: &str) -> String {
    message.split('`').step_by(2).collect::<Vec<_>>().join("`…`")
}

/// Warnings grouped for the terminal: one per kind per file, the first one shown with
/// how many more there are. Errors are never grouped.
pub fn group_warnings(diagnostics: &[Diagnostic]) -> Vec<Diagnostic> {
    let mut groups: Vec<(Option<FileIdx>, String, Diagnostic, usize)> = Vec::new();
    let mut out_of_group = Vec::new();
    for d in diagnostics {
        if d.is_error() {
            out_of_group.push(d.clone());
            continue;
        }
        let key = (d.span.map(|s| s.file), message_kind(&d.message));
        match groups.iter_mut().find(|g| g.0 == key.0 && g.1 == key.1) {
            Some(group) => group.3 += 1,
            None => groups.push((key.0, key.1, d.clone(), 0)),
        }
    }
    out_of_group.extend(groups.into_iter().map(|(_, _, d, more)| {
        if more == 0 {
            d
        } else {
            let s = if more == 1 { "" } else { "s" };
            d.with_hint(format!("and {more} more warning{s} like this in this file (`-v` lists them all)"))
        }
    }));
    out_of_group
}

/// `--strict`: every warning becomes an error, at the same place.
pub fn strict(diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    diagnostics
        .into_iter()
        .map(|d| {
            Diagnostic { severity: Severity::Error, ..d }.with_hint("an error because of --strict / `strict: true`")
        })
        .collect()
}

#[cfg(test)]
mod grouping_tests {
    use super::*;

    #[test]
    fn one_line_per_kind() {
        let at = |n| Span::new(FileIdx(0), n..n + 1);
        let ws = vec![
            Diagnostic::warning(at(1), "unknown key `a`"),
            Diagnostic::warning(at(5), "unknown key `b`"),
            Diagnostic::warning(at(9), "image `x` not found"),
        ];
        let grouped = group_warnings(&ws);
        assert_eq!(grouped.len(), 2);
        assert_eq!(grouped[0].span, Some(at(1)));
        assert!(grouped[0].hints[0].contains("1 more warning like this"));
    }
}

/// Text safe to print on a terminal: control characters (ESC and the rest, but tab and
/// line breaks) become `?`, C1 controls `¿`, each of the same length in UTF-8 so byte
/// offsets into the text stay valid.
pub fn terminal_safe(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            '\0'..='\x1f' | '\x7f' => '?',
            '\u{80}'..='\u{9f}' => '¿',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_escapes_are_neutralised_in_place() {
        let text = "a\x1b[2Jb\u{9b}c\td";
        let safe = terminal_safe(text);
        assert_eq!(safe, "a?[2Jb¿c\td");
        assert_eq!(safe.len(), text.len());
    }
}
