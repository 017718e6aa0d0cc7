//! Which files a build writes besides the deck's PDF: asked for by the deck (front matter
//! `outputs:`) and by the command line (`--handout N`, `--notes-pdf`, `--pdfpc`, `--all`).
//! The two add up; where both set the same thing (pages a sheet, paper, …) the command
//! line wins, as it does for `theme:` and `--theme`. The handout's settings (mode, paper,
//! skipped kinds) live here, not in `handout`, so the front matter can name them without
//! the parse stage importing the export stage.
//!
//! ```yaml
//! outputs: all                              # every output
//! outputs: [pdf, handout, notes, pdfpc]     # by name
//! outputs:                                  # with settings
//!   handout: {per-page: 6, paper: letter, notes: true, skip: [section, end], theme: keep}
//!   notes: {paper: letter}
//!   pdfpc: true
//! ```

use serde_yaml::Value;

use crate::diag::{Diagnostic, Span, did_you_mean};

/// Paper for handouts and the notes PDF.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Paper {
    A4,
    Letter,
}

impl Paper {
    /// Portrait width and height in pt.
    pub fn size(self) -> (f64, f64) {
        match self {
            Paper::A4 => (595.28, 841.89),
            Paper::Letter => (612.0, 792.0),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Paper::A4 => "A4",
            Paper::Letter => "Letter",
        }
    }
}

/// Slides a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Mode {
    /// One slide a page, notes or lines filling the rest
    #[value(name = "1")]
    One,
    /// Two slides a page
    #[value(name = "2")]
    Two,
    /// Three slides a page, with notes or ruled lines beside each
    #[value(name = "3")]
    Three,
    /// Four a page (2 × 2, landscape when that prints them larger)
    #[value(name = "4")]
    Four,
    /// Six a page
    #[value(name = "6")]
    Six,
    /// Nine a page, landscape: a reference sheet (notes follow each page)
    #[value(name = "9")]
    Nine,
}

impl Mode {
    pub const ALL: [Mode; 6] = [Mode::One, Mode::Two, Mode::Three, Mode::Four, Mode::Six, Mode::Nine];

    pub fn per_page(self) -> usize {
        match self {
            Mode::One => 1,
            Mode::Two => 2,
            Mode::Three => 3,
            Mode::Four => 4,
            Mode::Six => 6,
            Mode::Nine => 9,
        }
    }
}

/// Slides a handout can leave out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Skip {
    Title,
    Agenda,
    Section,
    End,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HandoutOptions {
    pub mode: Mode,
    pub paper: Paper,
    pub notes: bool,
    pub lines: bool,
    /// Keep the deck's colours (else print colours: white pages, no filled areas).
    pub keep_theme: bool,
    pub skip: Vec<Skip>,
    /// Notes text size in pt.
    pub note_size: f64,
}

impl HandoutOptions {
    pub fn new(mode: Mode) -> Self {
        HandoutOptions {
            mode,
            paper: Paper::A4,
            notes: false,
            lines: false,
            keep_theme: false,
            skip: vec![],
            note_size: 9.0,
        }
    }

    /// The speaker-notes PDF: each slide with its notes under it at 12 pt.
    pub fn notes_document(paper: Paper) -> Self {
        HandoutOptions { paper, notes: true, note_size: 12.0, ..HandoutOptions::new(Mode::One) }
    }
}

/// What lectern can write besides the slides (`pdf`, the deck, is always written).
pub const NAMES: [&str; 5] = ["pdf", "handout", "notes", "pdfpc", "all"];
/// Keys of `handout: {…}`.
pub const HANDOUT_KEYS: [&str; 6] = ["per-page", "paper", "notes", "lines", "skip", "theme"];
/// Keys of `notes: {…}`.
pub const NOTES_KEYS: [&str; 2] = ["paper", "theme"];

/// Settings of a handout; `None` where nothing was said.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HandoutSettings {
    pub mode: Option<Mode>,
    pub paper: Option<Paper>,
    pub notes: Option<bool>,
    pub lines: Option<bool>,
    pub skip: Option<Vec<Skip>>,
    /// `theme: keep` (the deck's colours) or `print`.
    pub keep_theme: Option<bool>,
}

impl HandoutSettings {
    /// These settings, with what they leave unset taken from `other`.
    fn or(self, other: &HandoutSettings) -> HandoutSettings {
        HandoutSettings {
            mode: self.mode.or(other.mode),
            paper: self.paper.or(other.paper),
            notes: self.notes.or(other.notes),
            lines: self.lines.or(other.lines),
            skip: self.skip.or(other.skip.clone()),
            keep_theme: self.keep_theme.or(other.keep_theme),
        }
    }
}

/// The outputs a deck's front matter asks for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeckOutputs {
    pub handout: Option<HandoutSettings>,
    /// The speaker-notes PDF (only its paper and theme can be set).
    pub notes_pdf: Option<HandoutSettings>,
    pub pdfpc: bool,
}

impl DeckOutputs {
    pub fn is_empty(&self) -> bool {
        *self == DeckOutputs::default()
    }
}

/// The outputs the command line asks for, and the settings it gives any handout.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RequestedOutputs {
    /// `--handout N` (or `--all`: a handout, 3 a page unless the deck or `--handout` says).
    pub handout: bool,
    pub notes_pdf: bool,
    pub pdfpc: bool,
    /// `--handout N`, `--paper`, `--handout-notes`, …: for whichever handout is written.
    pub settings: HandoutSettings,
}

/// The outputs a build writes, every setting decided.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Resolved {
    pub handout: Option<HandoutOptions>,
    pub notes_pdf: Option<HandoutOptions>,
    pub pdfpc: bool,
}

impl RequestedOutputs {
    /// Every output the command line or the deck asks for (the command line's settings first).
    pub fn resolve(&self, deck: &DeckOutputs) -> Resolved {
        let handout = match (&deck.handout, self.handout) {
            (Some(from_deck), _) => Some(self.settings.clone().or(from_deck)),
            (None, true) => Some(self.settings.clone()),
            (None, false) => None,
        };
        let handout = handout.map(|s| HandoutOptions {
            paper: s.paper.unwrap_or(Paper::A4),
            notes: s.notes.unwrap_or(false),
            lines: s.lines.unwrap_or(false),
            keep_theme: s.keep_theme.unwrap_or(false),
            skip: s.skip.unwrap_or_default(),
            ..HandoutOptions::new(s.mode.unwrap_or(Mode::Three))
        });
        let notes_pdf = match (&deck.notes_pdf, self.notes_pdf) {
            (Some(from_deck), _) => Some(from_deck.clone()),
            (None, true) => Some(HandoutSettings::default()),
            (None, false) => None,
        };
        // The command line's paper and colours are for every paper output.
        let notes_pdf = notes_pdf.map(|s| HandoutOptions {
            keep_theme: self.settings.keep_theme.or(s.keep_theme).unwrap_or(false),
            ..HandoutOptions::notes_document(self.settings.paper.or(s.paper).unwrap_or(Paper::A4))
        });
        Resolved { handout, notes_pdf, pdfpc: self.pdfpc || deck.pdfpc }
    }
}

/// Reads `outputs:`. `yaml` is the front matter's text and `line_span` turns its 1-based
/// lines into spans, so every mistake is reported at its own line.
pub fn parse(value: &Value, yaml: &str, line_span: &dyn Fn(usize) -> Span) -> Result<DeckOutputs, Diagnostic> {
    let first = crate::yaml::key_line(yaml, "outputs");
    // The lines of the `outputs:` entry: its own and the indented ones below it.
    let last = yaml
        .lines()
        .enumerate()
        .skip(first)
        .find(|(_, l)| !l.trim().is_empty() && !l.starts_with([' ', '\t', '-']))
        .map_or(yaml.lines().count(), |(i, _)| i);
    let line_of = |word: &str| -> Span {
        let at = yaml.lines().enumerate().take(last).skip(first - 1).find(|(_, l)| l.contains(word));
        line_span(at.map_or(first, |(i, _)| i + 1))
    };
    let reader = Reader { line_of: &line_of };
    let mut outputs = DeckOutputs::default();
    match value {
        Value::String(name) => reader.add(&mut outputs, name, &Value::Bool(true))?,
        Value::Sequence(items) => {
            for item in items {
                match item {
                    Value::String(name) => reader.add(&mut outputs, name, &Value::Bool(true))?,
                    // `- handout: {per-page: 6}`
                    Value::Mapping(map) if map.len() == 1 => {
                        let (name, settings) = map.iter().next().expect("one entry");
                        reader.add(&mut outputs, &reader.name(name)?, settings)?;
                    }
                    other => return Err(reader.not_an_output(other)),
                }
            }
        }
        Value::Mapping(map) => {
            for (name, settings) in map {
                reader.add(&mut outputs, &reader.name(name)?, settings)?;
            }
        }
        Value::Null => {}
        other => return Err(reader.not_an_output(other)),
    }
    Ok(outputs)
}

/// A YAML value as the author wrote it (`6`, `true`, `x`).
fn scalar_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => serde_yaml::to_string(other).unwrap_or_default().trim().to_string(),
    }
}

struct Reader<'a> {
    line_of: &'a dyn Fn(&str) -> Span,
}

impl Reader<'_> {
    fn name(&self, key: &Value) -> Result<String, Diagnostic> {
        match key {
            Value::String(s) => Ok(s.clone()),
            other => Err(self.not_an_output(other)),
        }
    }

    fn not_an_output(&self, value: &Value) -> Diagnostic {
        let text = scalar_text(value);
        Diagnostic::error((self.line_of)(&text), format!("`outputs:` cannot hold `{}`", text.trim()))
            .with_hint(format!("list output names ({}), or map each to true, false or its settings", NAMES.join(", ")))
    }

    /// Adds the output `name` with `settings` (`true`, `false`, a number for a handout's
    /// slides a page, or a mapping of settings).
    fn add(&self, outputs: &mut DeckOutputs, name: &str, settings: &Value) -> Result<(), Diagnostic> {
        let at = (self.line_of)(name);
        let wanted = match settings {
            Value::Bool(b) => Some(*b),
            Value::Null => Some(true),
            _ => None,
        };
        match name {
            "pdf" if wanted == Some(false) => {
                Err(Diagnostic::error(at, "the deck's PDF cannot be left out: every other output is made from it")
                    .with_hint("remove `pdf: false`; the PDF is always written"))
            }
            "pdf" if wanted.is_some() => Ok(()),
            "pdfpc" if wanted.is_some() => {
                outputs.pdfpc = wanted == Some(true);
                Ok(())
            }
            "all" if wanted.is_some() => {
                if wanted == Some(true) {
                    outputs.handout.get_or_insert_with(HandoutSettings::default);
                    outputs.notes_pdf.get_or_insert_with(HandoutSettings::default);
                    outputs.pdfpc = true;
                }
                Ok(())
            }
            "handout" => {
                outputs.handout = match settings {
                    Value::Bool(false) => None,
                    Value::Number(_) => Some(HandoutSettings { mode: Some(self.mode(settings, "handout")?), ..Default::default() }),
                    Value::Mapping(map) => Some(self.settings(map, "handout", &HANDOUT_KEYS)?),
                    _ if wanted.is_some() => Some(HandoutSettings::default()),
                    other => return Err(self.bad_value("handout", other, "true, a number of slides a page (1, 2, 3, 4, 6, 9) or {per-page, paper, notes, lines, skip, theme}")),
                };
                Ok(())
            }
            "notes" | "notes-pdf" => {
                outputs.notes_pdf = match settings {
                    Value::Bool(false) => None,
                    Value::Mapping(map) => Some(self.settings(map, "notes", &NOTES_KEYS)?),
                    _ if wanted.is_some() => Some(HandoutSettings::default()),
                    other => return Err(self.bad_value("notes", other, "true, false or {paper, theme}")),
                };
                Ok(())
            }
            "pdf" | "pdfpc" | "all" => Err(self.bad_value(name, settings, "true or false")),
            unknown => {
                let mut d = Diagnostic::error(at, format!("unknown output `{unknown}` in `outputs:`"));
                if let Some(s) = did_you_mean(unknown, NAMES) {
                    d = d.with_hint(format!("did you mean `{s}`?"));
                }
                Err(d.with_hint(format!("the outputs are: {}", NAMES.join(", "))))
            }
        }
    }

    fn bad_value(&self, name: &str, value: &Value, want: &str) -> Diagnostic {
        let text = scalar_text(value);
        Diagnostic::error((self.line_of)(name), format!("`{name}:` in `outputs:` cannot be `{}`", text.trim()))
            .with_hint(format!("write {want}"))
    }

    fn mode(&self, value: &Value, key: &str) -> Result<Mode, Diagnostic> {
        let n = value.as_u64().unwrap_or(0);
        Mode::ALL.into_iter().find(|m| m.per_page() as u64 == n).ok_or_else(|| {
            Diagnostic::error(
                (self.line_of)(key),
                format!("a handout cannot have {} slides a page", scalar_text(value).trim()),
            )
            .with_hint("write 1, 2, 3, 4, 6 or 9")
        })
    }

    fn settings(&self, map: &serde_yaml::Mapping, output: &str, keys: &[&str]) -> Result<HandoutSettings, Diagnostic> {
        let mut settings = HandoutSettings::default();
        for (key, value) in map {
            let key = self.name(key)?;
            let flag = |v: &Value| v.as_bool().ok_or_else(|| self.bad_value(&key, v, "true or false"));
            match key.as_str() {
                k if !keys.contains(&k) => {
                    let mut d = Diagnostic::error(
                        (self.line_of)(k),
                        format!("unknown `{output}:` setting `{k}` in `outputs:`"),
                    );
                    if let Some(s) = did_you_mean(k, keys.iter().copied()) {
                        d = d.with_hint(format!("did you mean `{s}`?"));
                    }
                    return Err(d.with_hint(format!("the settings are: {}", keys.join(", "))));
                }
                "per-page" => settings.mode = Some(self.mode(value, "per-page")?),
                "paper" => {
                    settings.paper = Some(match value.as_str().map(str::to_ascii_lowercase).as_deref() {
                        Some("a4") => Paper::A4,
                        Some("letter") => Paper::Letter,
                        _ => return Err(self.bad_value("paper", value, "a4 or letter")),
                    })
                }
                "theme" => {
                    settings.keep_theme = Some(match value.as_str() {
                        Some("keep") => true,
                        Some("print") => false,
                        _ => {
                            return Err(self.bad_value(
                                "theme",
                                value,
                                "print (white pages, the default) or keep (the deck's colours)",
                            ));
                        }
                    })
                }
                "notes" => settings.notes = Some(flag(value)?),
                "lines" => settings.lines = Some(flag(value)?),
                _ => {
                    // `skip: [section, end]` or `skip: section, end`
                    let names: Vec<String> = match value {
                        Value::Sequence(items) => items.iter().map(scalar_text).collect(),
                        other => scalar_text(other).split(',').map(str::to_string).collect(),
                    };
                    let mut skip = Vec::new();
                    for name in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
                        use clap::ValueEnum;
                        match Skip::from_str(name, true) {
                            Ok(kind) => skip.push(kind),
                            Err(_) => {
                                let kinds = ["title", "agenda", "section", "end"];
                                let mut d = Diagnostic::error(
                                    (self.line_of)(name),
                                    format!("a handout cannot skip `{name}` slides"),
                                );
                                if let Some(s) = did_you_mean(name, kinds) {
                                    d = d.with_hint(format!("did you mean `{s}`?"));
                                }
                                return Err(d.with_hint(format!("the kinds are: {}", kinds.join(", "))));
                            }
                        }
                    }
                    settings.skip = Some(skip);
                }
            }
        }
        Ok(settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::FileIdx;

    fn read(yaml: &str) -> Result<DeckOutputs, Diagnostic> {
        let value: serde_yaml::Value = serde_yaml::from_str(yaml).unwrap();
        let line_span = |line: usize| Span::new(FileIdx(0), line..line + 1);
        parse(&value["outputs"], yaml, &line_span)
    }

    #[test]
    fn names_lists_and_settings() {
        let all = read("outputs: all\n").unwrap();
        assert!(all.handout.is_some() && all.notes_pdf.is_some() && all.pdfpc);
        assert_eq!(read("outputs: [pdf, handout, notes, pdfpc]\n").unwrap(), all);
        let set =
            read("title: x\noutputs:\n  handout: {per-page: 6, paper: letter, skip: [section, end]}\n  pdfpc: true\n")
                .unwrap();
        let handout = set.handout.unwrap();
        assert_eq!((handout.mode, handout.paper), (Some(Mode::Six), Some(Paper::Letter)));
        assert_eq!(handout.skip, Some(vec![Skip::Section, Skip::End]));
        assert!(set.notes_pdf.is_none() && set.pdfpc);
        assert_eq!(read("outputs:\n  - handout: 2\n").unwrap().handout.unwrap().mode, Some(Mode::Two));
    }

    #[test]
    fn mistakes_are_errors_at_their_line_with_a_suggestion() {
        let e = read("title: x\noutputs:\n  - pdf\n  - handuot\n").unwrap_err();
        assert!(e.message.contains("handuot") && e.hints.iter().any(|h| h.contains("`handout`")), "{e:?}");
        assert_eq!(e.span.unwrap().start, 4);
        let e = read("outputs:\n  handout:\n    per-page: 3\n    papr: a4\n").unwrap_err();
        assert!(e.hints.iter().any(|h| h.contains("`paper`")), "{e:?}");
        assert_eq!(e.span.unwrap().start, 4);
        assert!(read("outputs: {handout: 5}\n").unwrap_err().message.contains("5 slides"));
        assert!(read("outputs: {pdf: false}\n").is_err());
        assert!(read("outputs: {notes: {paper: a3}}\n").is_err());
    }

    #[test]
    fn the_command_line_adds_outputs_and_wins_on_settings() {
        let deck = read("outputs:\n  handout: {per-page: 6, paper: letter, notes: true}\n").unwrap();
        let cli = RequestedOutputs {
            pdfpc: true,
            settings: HandoutSettings { paper: Some(Paper::A4), ..Default::default() },
            ..Default::default()
        };
        let resolved = cli.resolve(&deck);
        let handout = resolved.handout.unwrap();
        assert_eq!((handout.mode, handout.paper, handout.notes), (Mode::Six, Paper::A4, true));
        assert!(resolved.pdfpc && resolved.notes_pdf.is_none());
        let nothing = RequestedOutputs::default().resolve(&DeckOutputs::default());
        assert_eq!(nothing, Resolved::default());
    }
}
