//! HTML comments: directive blocks (`<!-- key: value -->`), `pause`, and speaker notes.

use super::{Include, Parser, dialect::Dialect};
use crate::chart;
use crate::diag::{Diagnostic, Span};
use crate::model::*;

/// Whether an HTML block is `<!-- pause -->`.
pub(super) fn is_pause(html: &str) -> bool {
    html.trim().strip_prefix("<!--").and_then(|s| s.strip_suffix("-->")).is_some_and(|s| s.trim() == "pause")
}

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
                self.includes.push(Include {
                    position: self.slides.len(),
                    target: value.to_string(),
                    span,
                    slidev: self.dialect == Dialect::Slidev,
                });
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
        let (table_span, row_count) = (table.span, table.rows.len());
        let mut data = chart::DataTable {
            columns: table.header.iter().map(|c| plain_text(c)).collect(),
            rows: table.rows.iter().map(|r| r.iter().map(|c| plain_text(c)).collect()).collect(),
            origin: Some("the table above".into()),
            row_lines: Vec::new(),
            lines_in_deck: true,
        };
        // Rows follow the header and delimiter lines.
        let table_line = self.sources.line_col(table_span.file, table_span.start).0;
        data.row_lines = (0..row_count).map(|r| table_line + 2 + r).collect();
        let (spec, hide_table) = match table_chart_spec(args, span) {
            Ok(parsed) => parsed,
            Err(d) => {
                self.error(d);
                return;
            }
        };
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

/// The options of `<!-- chart: line x=年 y=件数 title="…" hide-table -->`: the same as a
/// ```chart block's (checked by the same code), less the data keys, plus `hide-table`.
/// A bare chart type stands for `type=…`, a bare flag for `flag=true`; `y=a,b` lists
/// columns; `annotations="2020: コロナ禍; 2023: 法案"` (or YAML) annotates categories.
fn table_chart_spec(args: &str, span: Span) -> Result<(chart::ChartSpec, bool), Diagnostic> {
    let mut map = serde_yaml::Mapping::new();
    let mut hide_table = false;
    let options: Vec<&str> =
        chart::options().iter().copied().filter(|o| !["data", "columns", "rows"].contains(o)).collect();
    for token in split_args(args) {
        let (key, value) = match token.split_once('=') {
            Some((k, v)) => (k.trim().to_string(), Some(v.to_string())),
            None if chart::KINDS.contains(&token.as_str()) => ("type".into(), Some(token.clone())),
            None => (token.clone(), None),
        };
        if key == "hide-table" {
            hide_table = value.is_none_or(|v| v != "false");
            continue;
        }
        if ["data", "columns", "rows"].contains(&key.as_str()) {
            return Err(Diagnostic::error(span, format!("`{key}` has no place here: the data is the table above"))
                .with_hint("to plot a file, use a ```chart block with `data:`"));
        }
        if !options.contains(&key.as_str()) {
            let mut d = Diagnostic::error(span, format!("unknown chart option `{key}`"));
            let candidates = options.iter().copied().chain(["hide-table"]).chain(chart::KINDS);
            if let Some(s) = crate::diag::did_you_mean(&key, candidates) {
                d = d.with_hint(format!("did you mean `{s}`?"));
            }
            return Err(d.with_hint(format!(
                "the options are: {}, hide-table (and a bare chart type: {})",
                options.join(", "),
                chart::KINDS.join(", ")
            )));
        }
        use serde_yaml::Value;
        let value = match (key.as_str(), value) {
            ("value-labels" | "legend", None) => Value::Bool(true),
            ("value-labels" | "legend", Some(v)) => Value::Bool(v != "false"),
            (_, None) => {
                return Err(Diagnostic::error(span, format!("chart option `{key}` needs a value"))
                    .with_hint(format!("write `{key}=…`")));
            }
            ("y", Some(v)) => Value::Sequence(
                v.split(',').map(|s| s.trim()).filter(|s| !s.is_empty()).map(|s| Value::String(s.into())).collect(),
            ),
            ("annotations", Some(v)) if v.trim_start().starts_with('[') => serde_yaml::from_str(&v).map_err(|e| {
                Diagnostic::error(span, format!("chart option `annotations`: {e}"))
                    .with_hint("write `annotations=\"2020: コロナ禍; 2023: 法案\"`")
            })?,
            ("annotations", Some(v)) => Value::Sequence(
                v.split([';', '；'])
                    .filter(|part| !part.trim().is_empty())
                    .map(|part| {
                        let (at, text) = part.split_once([':', '：']).ok_or_else(|| {
                            Diagnostic::error(span, format!("annotation `{}` has no `:`", part.trim()))
                                .with_hint("write `annotations=\"2020: コロナ禍; 2023: 法案\"`")
                        })?;
                        let mut entry = serde_yaml::Mapping::new();
                        entry.insert("at".into(), Value::String(at.trim().into()));
                        entry.insert("text".into(), Value::String(text.trim().into()));
                        Ok(Value::Mapping(entry))
                    })
                    .collect::<Result<_, Diagnostic>>()?,
            ),
            (_, Some(v)) => Value::String(v),
        };
        map.insert(Value::String(key), value);
    }
    let spec: chart::ChartSpec = serde_yaml::from_value(serde_yaml::Value::Mapping(map))
        .map_err(|e| Diagnostic::error(span, format!("chart: {e}")))?;
    if let Some(kind) = &spec.kind
        && !chart::KINDS.contains(&kind.as_str())
    {
        let mut d = Diagnostic::error(span, format!("unknown chart type `{kind}`"));
        if let Some(s) = crate::diag::did_you_mean(kind, chart::KINDS) {
            d = d.with_hint(format!("did you mean `{s}`?"));
        }
        return Err(d.with_hint(format!("the types are: {}", chart::KINDS.join(", "))));
    }
    Ok((spec, hide_table))
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
