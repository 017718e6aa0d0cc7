//! HTML comments: directive blocks (`<!-- key: value -->`), `pause`, and speaker notes.

use super::{Include, Parser};
use crate::chart;
use crate::diag::{Diagnostic, Span};
use crate::model::*;

/// Directives written as HTML comments (`<!-- key: value -->`), Marp style.
const DIRECTIVES: &[&str] = &[
    "layout",
    "chart",
    "include",
    "class",
    "paginate",
    "header",
    "footer",
    "backgroundColor",
    "color",
    "backgroundImage",
    "headingDivider",
    "theme",
    "size",
    "style",
    "transition",
];

impl<'s> Parser<'s> {
    /// A comment is a directive block (`key: value` lines), `pause`, or a speaker note.
    pub(super) fn comment(&mut self, inner: &str, span: Span) {
        let text = inner.trim();
        if text == "pause" {
            self.current_slide(span).blocks.push(Block::Pause { span });
            return;
        }
        let lines: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        let parsed: Vec<Option<(&str, &str)>> = lines
            .iter()
            .map(|l| {
                let (k, v) = l.split_once(':')?;
                let k = k.trim();
                let bare = k.strip_prefix('_').unwrap_or(k);
                DIRECTIVES.contains(&bare).then_some((k, v.trim()))
            })
            .collect();
        if lines.is_empty() || !parsed.iter().all(Option::is_some) {
            self.current_slide(span).notes.push(Note { text: text.to_string(), span });
            return;
        }
        for (key, value) in parsed.into_iter().flatten() {
            // Marp writes `<!-- _footer: "" -->`: YAML quotes are not part of the value.
            let value = value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
                .unwrap_or(value);
            self.directive(key, value, span);
        }
    }

    fn directive(&mut self, key: &str, value: &str, span: Span) {
        let local = key.starts_with('_');
        let bare = key.trim_start_matches('_');
        match bare {
            "include" => {
                // The included slides stand between this deck's slides.
                self.finish_slide();
                self.includes.push(Include { position: self.slides.len(), target: value.to_string(), span });
            }
            "chart" => self.table_chart(value, span),
            "layout" => match Layout::from_name(value) {
                Some(layout) => self.current_slide(span).layout = Some(layout),
                None => {
                    let names: Vec<&str> = Layout::ALL.iter().map(|l| l.name()).collect();
                    let mut d = Diagnostic::error(span, format!("unknown layout `{value}`"));
                    if let Some(s) = crate::diag::did_you_mean(value, names.iter().copied()) {
                        d = d.with_hint(format!("did you mean `{s}`?"));
                    }
                    self.error(d.with_hint(format!("the layouts are: {}", names.join(", "))));
                }
            },
            "headingDivider" | "theme" | "size" | "style" => {
                self.warn(Diagnostic::warning(
                    span,
                    format!("the `{bare}` directive only works in the front matter; it is ignored here"),
                ));
            }
            "transition" | "backgroundImage" => {
                self.warn(
                    Diagnostic::warning(span, format!("Marp's `{bare}` has no effect in a PDF; it is ignored"))
                        .with_hint(if bare == "backgroundImage" {
                            "use `![bg](file.png)` for a background image"
                        } else {
                            ""
                        }),
                );
            }
            _ => {
                self.current_slide(span);
                let list = self.slide_directives.last_mut().expect("slide directives follow slides");
                list.push((bare.to_string(), value.to_string(), local));
            }
        }
    }

    /// `<!-- chart: line x=年 y=件数 hide-table -->` right after a table plots it.
    fn table_chart(&mut self, args: &str, span: Span) {
        let slide = self.current_slide(span);
        let Some(position) = slide.blocks.iter().rposition(|b| matches!(b, Block::Table(_))) else {
            self.error(
                Diagnostic::error(span, "`<!-- chart: … -->` must come right after a Markdown table")
                    .with_hint("or draw from a file with a ```chart block"),
            );
            return;
        };
        let Block::Table(table) = &slide.blocks[position] else { unreachable!() };
        let data = chart::DataTable {
            columns: table.header.iter().map(|c| plain_text(c)).collect(),
            rows: table.rows.iter().map(|r| r.iter().map(|c| plain_text(c)).collect()).collect(),
            origin: Some("the table above".into()),
        };
        let mut spec = chart::ChartSpec::default();
        let mut hide_table = false;
        for token in split_args(args) {
            let (key, value) = match token.split_once('=') {
                Some((k, v)) => (k.to_string(), v.to_string()),
                None if chart::KINDS.contains(&token.as_str()) => ("type".into(), token.clone()),
                None if token == "hide-table" => {
                    hide_table = true;
                    continue;
                }
                None => (token.clone(), String::new()),
            };
            let list =
                |v: &str| v.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect::<Vec<_>>();
            match key.as_str() {
                "type" => spec.kind = Some(value),
                "x" => spec.x = Some(value),
                "y" => spec.y = Some(chart::OneOrMany::Many(list(&value))),
                "title" => spec.title = Some(value),
                "unit" => spec.unit = Some(value),
                "format" => spec.format = Some(value),
                "x-label" => spec.x_label = Some(value),
                "y-label" => spec.y_label = Some(value),
                "highlight" => spec.highlight = Some(serde_yaml::Value::String(value)),
                "value-labels" => spec.value_labels = Some(value != "false"),
                "legend" => spec.legend = Some(value != "false"),
                other => {
                    const KEYS: [&str; 11] = [
                        "type",
                        "x",
                        "y",
                        "title",
                        "unit",
                        "format",
                        "x-label",
                        "y-label",
                        "highlight",
                        "value-labels",
                        "legend",
                    ];
                    let mut d = Diagnostic::error(span, format!("unknown chart option `{other}`"));
                    if let Some(s) = crate::diag::did_you_mean(other, KEYS.iter().copied().chain(chart::KINDS)) {
                        d = d.with_hint(format!("did you mean `{s}`?"));
                    }
                    self.error(d.with_hint(format!(
                        "write e.g. `<!-- chart: line x=年 y=件数 -->`; types: {}",
                        chart::KINDS.join(", ")
                    )));
                    return;
                }
            }
        }
        if let Some(kind) = &spec.kind
            && !chart::KINDS.contains(&kind.as_str())
        {
            self.error(
                Diagnostic::error(span, format!("unknown chart type `{kind}`"))
                    .with_hint(format!("the types are: {}", chart::KINDS.join(", "))),
            );
            return;
        }
        let (first_line, _) = self.sources.line_col(self.file, span.start);
        let block = Block::Chart(Box::new(ChartBlock {
            spec,
            table: Some(data),
            chart: None,
            first_line,
            yaml: String::new(),
            span,
        }));
        let slide = self.current.as_mut().expect("current slide exists");
        if hide_table {
            slide.blocks[position] = block;
        } else {
            slide.blocks.insert(position + 1, block);
        }
    }
}

/// `line x=年 title="年間 推移"` → tokens, keeping quoted values whole.
fn split_args(args: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in args.chars() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if !current.is_empty() {
                    tokens.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        tokens.push(current);
    }
    tokens
}
