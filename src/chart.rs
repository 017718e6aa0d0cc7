//! ```chart blocks: the YAML spec, its data (CSV, YAML or inline), validation with errors
//! at the deck's lines, nice axis ticks and number formatting. Drawing is Typst's job
//! (`themes/lib/charts.typ`); this module hands it plain numbers and labels.

use std::path::Path;

use serde::Deserialize;

use crate::diag::{Diagnostic, Span, did_you_mean};
pub use crate::yaml::OneOrMany;
use crate::yaml::{Schema, Unknown, Yaml};

/// What a chart draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    Bar,
    Hbar,
    Line,
    Pie,
    Donut,
    Stacked,
}

impl ChartKind {
    pub const ALL: [ChartKind; 6] =
        [ChartKind::Bar, ChartKind::Hbar, ChartKind::Line, ChartKind::Pie, ChartKind::Donut, ChartKind::Stacked];

    pub fn parse(name: &str) -> Option<ChartKind> {
        ChartKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The name authors write (`type: hbar`) and `charts.typ` takes.
    pub const fn name(self) -> &'static str {
        match self {
            ChartKind::Bar => "bar",
            ChartKind::Hbar => "hbar",
            ChartKind::Line => "line",
            ChartKind::Pie => "pie",
            ChartKind::Donut => "donut",
            ChartKind::Stacked => "stacked",
        }
    }

    /// Pie and donut show shares of a whole, not values on an axis.
    pub fn is_round(self) -> bool {
        matches!(self, ChartKind::Pie | ChartKind::Donut)
    }
}

/// The chart type names, for messages and the directive parser.
pub const KINDS: [&str; ChartKind::ALL.len()] = {
    let mut names = [""; ChartKind::ALL.len()];
    let mut i = 0;
    while i < names.len() {
        names[i] = ChartKind::ALL[i].name();
        i += 1;
    }
    names
};

/// How a chart writes its numbers: every label is made here, once, and passed to Typst.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberFormat {
    /// `1,234`
    Plain,
    /// `1,234`, then `3.5万` and `6862億` past ten thousand.
    Ja,
    /// `12.5%`
    Percent,
}

impl NumberFormat {
    pub fn parse(name: &str) -> Option<NumberFormat> {
        match name {
            "plain" => Some(NumberFormat::Plain),
            "ja" => Some(NumberFormat::Ja),
            "percent" => Some(NumberFormat::Percent),
            _ => None,
        }
    }

    /// `ja` for Japanese decks, else `plain`.
    pub fn default_for(lang_ja: bool) -> NumberFormat {
        if lang_ja { NumberFormat::Ja } else { NumberFormat::Plain }
    }
}

/// The spec as written in the block.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ChartSpec {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub title: Option<String>,
    pub data: Option<String>,
    pub columns: Option<Vec<String>>,
    pub rows: Option<Vec<Vec<serde_yaml::Value>>>,
    pub x: Option<String>,
    pub y: Option<OneOrMany>,
    pub x_label: Option<String>,
    pub y_label: Option<String>,
    pub unit: Option<String>,
    /// `plain` (1,234), `ja` (万/億), `percent`; default: `ja` for Japanese decks.
    pub format: Option<String>,
    pub value_labels: Option<bool>,
    pub highlight: Option<serde_yaml::Value>,
    pub annotations: Option<Vec<Annotation>>,
    pub legend: Option<bool>,
}

/// The keys a chart block may have.
pub fn options() -> &'static [&'static str] {
    crate::yaml::field_names::<ChartSpec>()
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Annotation {
    pub at: serde_yaml::Value,
    pub text: String,
}

/// A table of strings: the data before any column is chosen.
#[derive(Debug, Clone, Default)]
pub struct DataTable {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Name of the file the data came from (for messages), or `None` when inline.
    pub origin: Option<String>,
    /// Line of each row: in the data file (CSV), or in the deck (a Markdown table, see
    /// `lines_in_deck`); empty when unknown.
    pub row_lines: Vec<usize>,
    pub lines_in_deck: bool,
}

/// Everything the drawing needs, checked.
#[derive(Debug, Clone)]
pub struct Chart {
    pub kind: ChartKind,
    pub title: Option<String>,
    pub categories: Vec<String>,
    pub series: Vec<Series>,
    pub ticks: Vec<(f64, String)>,
    pub min: f64,
    pub max: f64,
    pub x_label: Option<String>,
    pub y_label: Option<String>,
    pub unit: Option<String>,
    pub value_labels: bool,
    pub highlight: Option<usize>,
    pub annotations: Vec<(usize, String)>,
    pub legend: Option<bool>,
    /// Stacked charts: each category's total, written like the values.
    pub totals: Vec<String>,
    /// Pie and donut: each slice's share of the whole (`23%`, `<1%`).
    pub shares: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Series {
    pub name: String,
    /// `None`: no data for that category (`—`, `-` or an empty cell).
    pub values: Vec<Option<f64>>,
    pub labels: Vec<String>,
}

/// Where a chart block's YAML sits, to turn a YAML line into the deck's line.
pub struct BlockPlace<'a> {
    pub span: Span,
    pub line_span: &'a dyn Fn(usize) -> Span,
}

pub fn parse_spec(yaml: &str, place: &BlockPlace) -> Result<ChartSpec, Diagnostic> {
    if yaml.trim().is_empty() {
        return Err(Diagnostic::error(place.span, "empty chart block").with_hint("give at least `type:` and `data:`"));
    }
    let text = Yaml { text: yaml, line_span: place.line_span };
    let spec: ChartSpec = text.strict(&Schema {
        keys: options(),
        key_noun: "chart option",
        syntax: "chart block",
        types: "chart block",
        not_mapping: "a chart block holds `key: value` lines",
        empty_ok: false,
        list_keys_always: true,
        unknown: Unknown::Error,
    })?;
    let kind = spec.kind.as_deref().unwrap_or("bar");
    if ChartKind::parse(kind).is_none() {
        let mut d = Diagnostic::error(text.key_span("type"), format!("unknown chart type `{kind}`"));
        if let Some(s) = did_you_mean(kind, KINDS) {
            d = d.with_hint(format!("did you mean `{s}`?"));
        }
        return Err(d.with_hint(format!("the types are: {}", KINDS.join(", "))));
    }
    if spec.data.is_some() && (spec.rows.is_some() || spec.columns.is_some()) {
        return Err(Diagnostic::error(
            text.key_span("data"),
            "give either `data:` (a file) or inline `columns:` + `rows:`, not both",
        ));
    }
    if spec.data.is_none() && spec.rows.is_none() {
        return Err(Diagnostic::error(place.span, "the chart has no data")
            .with_hint("add `data: figures/file.csv`, or inline `columns: [..]` and `rows: [[..], ..]`"));
    }
    Ok(spec)
}

/// Inline `columns:` + `rows:` as a table of strings.
pub fn inline_table(spec: &ChartSpec) -> DataTable {
    let rows: Vec<Vec<String>> = spec.rows.iter().flatten().map(|row| row.iter().map(yaml_scalar).collect()).collect();
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    let columns = spec.columns.clone().unwrap_or_else(|| (1..=width).map(|i| format!("column {i}")).collect());
    DataTable { columns, rows, ..Default::default() }
}

fn yaml_scalar(v: &serde_yaml::Value) -> String {
    match v {
        serde_yaml::Value::String(s) => s.clone(),
        serde_yaml::Value::Number(n) => n.to_string(),
        serde_yaml::Value::Bool(b) => b.to_string(),
        serde_yaml::Value::Null => String::new(),
        other => serde_yaml::to_string(other).unwrap_or_default().trim().to_string(),
    }
}

/// Reads a CSV or YAML data file (`name` as the author wrote it, for messages).
pub fn read_data_file(path: &Path, name: &str) -> Result<DataTable, String> {
    let bytes = crate::limits::read_input(path, &crate::limits::FILE_BYTES).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            format!("data file `{name}` not found")
        } else {
            format!("data file `{name}` cannot be read: {e}")
        }
    })?;
    let text = String::from_utf8(bytes).map_err(|_| format!("data file `{name}` is not UTF-8 text"))?;
    let text = text.trim_start_matches('\u{feff}');
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    let mut table = match ext.as_str() {
        "yaml" | "yml" => yaml_table(text, name)?,
        "csv" | "tsv" | "txt" => {
            let delimiter = if ext == "tsv" { b'\t' } else { b',' };
            let mut reader = csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).from_reader(text.as_bytes());
            let columns = reader
                .headers()
                .map_err(|e| format!("data file `{name}`: {e}"))?
                .iter()
                .map(|h| h.trim().to_string())
                .collect();
            let (mut rows, mut row_lines) = (Vec::new(), Vec::new());
            for record in reader.records() {
                let record = record.map_err(|e| format!("data file `{name}`: {e}"))?;
                if record.iter().all(|c| c.trim().is_empty()) {
                    continue;
                }
                row_lines.push(record.position().map_or(0, |p| p.line() as usize));
                rows.push(record.iter().map(|c| c.trim().to_string()).collect());
            }
            DataTable { columns, rows, row_lines, ..Default::default() }
        }
        _ => return Err(format!("data file `{name}` must be .csv, .tsv, .yaml or .yml")),
    };
    table.origin = Some(name.to_string());
    Ok(table)
}

/// YAML data: `columns:` + `rows:`, or a list of mappings (one per row).
fn yaml_table(text: &str, name: &str) -> Result<DataTable, String> {
    let value: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| format!("data file `{name}`: {e}"))?;
    if let Some(list) = value.as_sequence() {
        let mut columns: Vec<String> = Vec::new();
        for item in list {
            for key in item.as_mapping().into_iter().flat_map(|m| m.keys()) {
                let key = yaml_scalar(key);
                if !columns.contains(&key) {
                    columns.push(key);
                }
            }
        }
        let rows = list
            .iter()
            .map(|item| columns.iter().map(|c| item.get(c.as_str()).map(yaml_scalar).unwrap_or_default()).collect())
            .collect();
        return Ok(DataTable { columns, rows, ..Default::default() });
    }
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Inline {
        columns: Vec<String>,
        rows: Vec<Vec<serde_yaml::Value>>,
    }
    let inline: Inline = serde_yaml::from_value(value)
        .map_err(|e| format!("data file `{name}` must hold `columns:` and `rows:`, or a list of rows: {e}"))?;
    Ok(DataTable {
        columns: inline.columns,
        rows: inline.rows.iter().map(|r| r.iter().map(yaml_scalar).collect()).collect(),
        ..Default::default()
    })
}

/// Largest magnitude a chart value may have.
pub const MAX_VALUE: f64 = 1e15;

/// A table cell that is not a number: what to remove to make it one.
#[derive(Debug, Clone, PartialEq)]
pub struct NotANumber {
    /// The characters lectern does not read, in order of appearance (e.g. `件`).
    pub to_remove: Vec<String>,
}

/// Cells that mean "no data" in published tables.
fn is_no_data(cell: &str) -> bool {
    matches!(cell, "" | "-" | "—" | "–" | "―" | "－" | "ー" | "‐" | "…" | "n/a" | "N/A" | "NA")
}

/// A number as published tables write it: `1,234`, `１２３`, `12.5%`, `−3`, `▲3` (minus),
/// `約 631.6 億`, `およそ1.2万`, `6,862億`, `1億2,000万`. `Ok(None)` is a cell with no data
/// (`—`, `-`, empty).
pub fn parse_cell(cell: &str) -> Result<Option<f64>, NotANumber> {
    let normalized: String = cell
        .trim()
        .chars()
        .filter_map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
            '，' | ',' | '_' | ' ' | '\u{a0}' | '\u{3000}' | '\u{2009}' | '\u{202f}' => None,
            '．' => Some('.'),
            '−' | '－' | '–' | '▲' | '△' => Some('-'),
            '＋' => Some('+'),
            '％' => Some('%'),
            c => Some(c),
        })
        .collect();
    if is_no_data(cell.trim()) || is_no_data(&normalized) {
        return Ok(None);
    }
    let body = ["約", "およそ", "概ね", "おおよそ", "~", "〜", "～"]
        .iter()
        .find_map(|p| normalized.strip_prefix(p))
        .unwrap_or(&normalized);
    let body = body.strip_suffix('%').unwrap_or(body);
    let body = body.strip_suffix("程度").or_else(|| body.strip_suffix("強")).unwrap_or(body);
    if let Some(value) = magnitudes(body) {
        return Ok(Some(value));
    }
    Err(NotANumber { to_remove: stray_text(cell) })
}

/// `1億2000万`, `6862億`, `1.2万`, `-3.5` → number; `None` for anything else.
fn magnitudes(text: &str) -> Option<f64> {
    let (sign, text) = match text.strip_prefix('-') {
        Some(rest) => (-1.0, rest),
        None => (1.0, text.strip_prefix('+').unwrap_or(text)),
    };
    if text.is_empty() {
        return None;
    }
    let mut total = 0.0;
    let mut rest = text;
    let mut last_scale = f64::INFINITY;
    while !rest.is_empty() {
        let end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        let number: f64 = rest[..end].parse().ok().filter(|_| rest[..end].starts_with(|c: char| c.is_ascii_digit()))?;
        rest = &rest[end..];
        let scale = match rest.chars().next() {
            Some('兆') => 1e12,
            Some('億') => 1e8,
            Some('万') => 1e4,
            Some('千') => 1e3,
            None => 1.0,
            Some(_) => return None,
        };
        // Each part is smaller than the one before (`1億2000万`, not `2000万1億`).
        if scale >= last_scale {
            return None;
        }
        last_scale = scale;
        if let Some(c) = rest.chars().next() {
            rest = &rest[c.len_utf8()..];
        }
        total += number * scale;
    }
    // Bounded, so sums, ranges and scales stay finite (1e301億 would be infinite).
    Some(sign * total).filter(|v| v.is_finite() && v.abs() <= MAX_VALUE)
}

/// The runs of characters in `cell` that no number is written with (`件`, `円`, `(推計)`).
fn stray_text(cell: &str) -> Vec<String> {
    let numeric = |c: char| {
        c.is_ascii_digit()
            || ('０'..='９').contains(&c)
            || ",.，．%％+-−－▲△ \u{a0}\u{3000}".contains(c)
            || "約およそ概ね兆億万千".contains(c)
    };
    let mut runs: Vec<String> = Vec::new();
    let mut current = String::new();
    for c in cell.trim().chars() {
        if numeric(c) {
            if !current.is_empty() {
                runs.push(std::mem::take(&mut current));
            }
        } else {
            current.push(c);
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs
}

/// The number in a cell, if it holds one (no data and text are both `None`).
pub fn parse_number(cell: &str) -> Option<f64> {
    parse_cell(cell).ok().flatten()
}

/// Chooses columns and builds the checked chart. Errors name columns and rows; `at`
/// gives the line to blame for a key (the block, or the `x:`/`y:` line), `deck_line` the
/// span of a deck line (a Markdown table's row). Every cell that is not a number is
/// reported, each at its own row.
pub fn build(
    spec: &ChartSpec,
    table: &DataTable,
    default_format: NumberFormat,
    at: &dyn Fn(&str) -> Span,
    deck_line: &dyn Fn(usize) -> Span,
) -> Result<Chart, Vec<Diagnostic>> {
    let source = table.origin.as_deref().map_or("the inline data".to_string(), |o| format!("`{o}`"));
    if table.rows.is_empty() {
        return Err(vec![Diagnostic::error(at("data"), format!("{source} has no rows"))]);
    }
    let available = || format!("the columns are: {}", table.columns.join(", "));
    let column = |name: &str, key: &str| -> Result<usize, Diagnostic> {
        table.columns.iter().position(|c| c == name).ok_or_else(|| {
            let mut d = Diagnostic::error(at(key), format!("column `{name}` not found in {source}"));
            if let Some(s) = did_you_mean(name, table.columns.iter().map(String::as_str)) {
                d = d.with_hint(format!("did you mean `{s}`?"));
            }
            d.with_hint(available())
        })
    };
    let x = match &spec.x {
        Some(name) => column(name, "x").map_err(|d| vec![d])?,
        None => 0,
    };
    // A column of numbers with a stray typo is still a number column: the typo is then
    // reported by row and column instead of the column silently vanishing.
    let numeric = |i: usize| {
        let cells = table.rows.iter().map(|r| r.get(i).map_or(Ok(None), |c| parse_cell(c)));
        let (mut parsed, mut filled) = (0, 0);
        for cell in cells {
            match cell {
                Ok(Some(_)) => (parsed, filled) = (parsed + 1, filled + 1),
                Ok(None) => {}
                Err(_) => filled += 1,
            }
        }
        parsed > 0 && parsed * 2 >= filled
    };
    let ys: Vec<usize> = match &spec.y {
        Some(OneOrMany::One(name)) => vec![column(name, "y").map_err(|d| vec![d])?],
        Some(OneOrMany::Many(names)) => {
            names.iter().map(|n| column(n, "y")).collect::<Result<_, _>>().map_err(|d| vec![d])?
        }
        None => (0..table.columns.len()).filter(|&i| i != x && numeric(i)).collect(),
    };
    if ys.is_empty() {
        return Err(vec![
            Diagnostic::error(at("y"), format!("{source} has no numeric column to plot"))
                .with_hint(available())
                .with_hint("name the values with `y:`"),
        ]);
    }
    let format = match spec.format.as_deref() {
        None => default_format,
        Some(name) => NumberFormat::parse(name).ok_or_else(|| {
            vec![
                Diagnostic::error(at("format"), format!("unknown number format `{name}`"))
                    .with_hint("use plain (1,234), ja (万/億) or percent"),
            ]
        })?,
    };
    let values = table.rows.len().saturating_mul(ys.len()) as u64;
    if crate::limits::CHART_VALUES.exceeded(values) {
        return Err(vec![crate::limits::CHART_VALUES.error(at("data"), format!("{source} gives {values} values"))]);
    }
    // A unit that is a magnitude (`億`, `万人`) is printed once, on the axis: the values
    // are shown in it (`6,862` under `（億）`), not as `6862億` again on every label. A
    // cell written with the magnitude (`6,862億`) is converted; a bare one (`6,862`) is
    // already in the unit.
    let unit_scale = spec.unit.as_deref().and_then(|u| match u.chars().next() {
        Some('兆') => Some(1e12),
        Some('億') => Some(1e8),
        Some('万') => Some(1e4),
        Some('千') => Some(1e3),
        _ => None,
    });
    let format = if unit_scale.is_some()
        || (spec.unit.as_deref().is_some_and(|u| u == "%" || u == "％") && format == NumberFormat::Percent)
    {
        NumberFormat::Plain
    } else {
        format
    };
    let mut series = Vec::new();
    let mut errors = Vec::new();
    for &col in &ys {
        let mut values = Vec::new();
        for (r, row) in table.rows.iter().enumerate() {
            let cell = row.get(col).map(String::as_str).unwrap_or("");
            match parse_cell(cell) {
                Ok(value) => values.push(match unit_scale {
                    Some(scale) if cell.contains(['兆', '億', '万', '千']) => value.map(|v| v / scale),
                    _ => value,
                }),
                Err(bad) => {
                    let line = table.row_lines.get(r).copied().filter(|&l| l > 0);
                    let (span, place) = match (line, table.lines_in_deck) {
                        (Some(line), true) => (deck_line(line), format!("row {}", r + 1)),
                        (Some(line), false) => (at("data"), format!("line {line}")),
                        (None, _) => (at("data"), format!("row {}", r + 1)),
                    };
                    let mut d = Diagnostic::error(
                        span,
                        format!(
                            "{source}, {place} (`{}`), column `{}`: `{cell}` is not a number",
                            row.get(x).map(String::as_str).unwrap_or(""),
                            table.columns[col]
                        ),
                    );
                    d = match bad.to_remove.as_slice() {
                        [] => d.with_hint(
                            "write it as a number such as `1,234`, `6,862億`, `79.5%` (at most 10¹⁵ in size)",
                        ),
                        parts => d.with_hint(format!(
                            "remove {} (put a unit in `unit:`); `—`, `-` or an empty cell mean no data",
                            parts.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ")
                        )),
                    };
                    errors.push(d);
                    values.push(None);
                }
            }
        }
        series.push(Series { name: table.columns[col].clone(), values, labels: vec![] });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let categories: Vec<String> = table.rows.iter().map(|r| r.get(x).cloned().unwrap_or_default()).collect();
    // The spec was checked when parsed; a table directive's type is checked there too.
    let kind = spec.kind.as_deref().and_then(ChartKind::parse).unwrap_or(ChartKind::Bar);

    let (lo, hi) = if kind == ChartKind::Stacked {
        let value = |s: &Series, i: usize| s.values[i].unwrap_or(0.0);
        let totals = (0..categories.len()).map(|i| series.iter().map(|s| value(s, i).max(0.0)).sum::<f64>());
        let negatives = (0..categories.len()).map(|i| series.iter().map(|s| value(s, i).min(0.0)).sum::<f64>());
        (negatives.fold(0.0, f64::min), totals.fold(0.0, f64::max))
    } else {
        let all = series.iter().flat_map(|s| s.values.iter().flatten().copied());
        all.fold((0.0f64, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)))
    };
    if kind.is_round() && series[0].values.iter().flatten().any(|&v| v < 0.0) {
        return Err(vec![Diagnostic::error(at("data"), "a pie chart cannot show negative values")]);
    }
    let (min, max, step) = nice_range(lo, hi, 6);
    let ticks = tick_values(min, max, step).into_iter().map(|v| (v, format_number(v, format, step))).collect();
    for s in &mut series {
        s.labels =
            s.values.iter().map(|v| v.map_or(String::new(), |v| format_number(v, format, value_step(v)))).collect();
    }
    let totals = if kind == ChartKind::Stacked {
        (0..categories.len())
            .map(|i| series.iter().map(|s| s.values[i].unwrap_or(0.0)).sum::<f64>())
            .map(|total| format_number(total, format, value_step(total)))
            .collect()
    } else {
        vec![]
    };
    let shares = if kind.is_round() {
        shares(&series[0].values.iter().map(|v| v.unwrap_or(0.0)).collect::<Vec<_>>())
    } else {
        vec![]
    };
    let find_category = |v: &serde_yaml::Value, key: &str| -> Result<usize, Diagnostic> {
        let name = yaml_scalar(v);
        categories.iter().position(|c| *c == name).ok_or_else(|| {
            Diagnostic::error(at(key), format!("`{key}: {name}` is not a category of the chart"))
                .with_hint(format!("the categories are: {}", categories.join(", ")))
        })
    };
    let highlight = spec.highlight.as_ref().map(|v| find_category(v, "highlight")).transpose().map_err(|d| vec![d])?;
    let annotations = spec
        .annotations
        .iter()
        .flatten()
        .map(|a| Ok((find_category(&a.at, "annotations")?, a.text.clone())))
        .collect::<Result<_, Diagnostic>>()
        .map_err(|d| vec![d])?;
    Ok(Chart {
        kind,
        title: spec.title.clone(),
        categories,
        series,
        ticks,
        min,
        max,
        x_label: spec.x_label.clone(),
        y_label: spec.y_label.clone(),
        unit: spec.unit.clone(),
        value_labels: spec.value_labels.unwrap_or(true),
        highlight,
        annotations,
        legend: spec.legend,
        totals,
        shares,
    })
}

/// Each value's share of the sum, in whole percent; a sliver shows as `<1%`.
fn shares(values: &[f64]) -> Vec<String> {
    let total: f64 = values.iter().map(|v| v.max(0.0)).sum();
    values
        .iter()
        .map(|v| {
            let p = if total > 0.0 { v.max(0.0) / total * 100.0 } else { 0.0 };
            if p > 0.0 && p < 1.0 { "<1%".to_string() } else { format!("{}%", p.round()) }
        })
        .collect()
}

/// Axis range including zero, on ticks of 1, 2 or 5 × 10ⁿ, with about `target` intervals
/// and little wasted range.
pub fn nice_range(lo: f64, hi: f64, target: usize) -> (f64, f64, f64) {
    let (lo, hi) = (lo.min(0.0), hi.max(0.0));
    if hi - lo <= f64::EPSILON || !(hi - lo).is_finite() {
        return (0.0, 1.0, 0.2);
    }
    let span = hi - lo;
    let exp = (span / target as f64).log10().floor() as i32;
    let mut best = (f64::INFINITY, 0.0, 1.0, 0.2);
    for e in exp - 1..=exp + 1 {
        for m in [1.0, 2.0, 5.0] {
            let step = m * 10f64.powi(e);
            let (min, max) = ((lo / step).floor() * step, (hi / step).ceil() * step);
            let intervals = ((max - min) / step).round();
            let waste = (max - min - span) / (max - min);
            let score = (intervals - target as f64).abs() + 4.0 * waste;
            if score < best.0 {
                best = (score, min, max, step);
            }
        }
    }
    (best.1, best.2, best.3)
}

fn tick_values(min: f64, max: f64, step: f64) -> Vec<f64> {
    let n = ((max - min) / step).round() as i64;
    (0..=n).map(|i| min + i as f64 * step).map(|v| if v.abs() < step * 1e-9 { 0.0 } else { v }).collect()
}

/// Decimal places needed to tell values `step` apart.
fn decimals_for(step: f64) -> usize {
    if step <= 0.0 || step >= 1.0 { 0 } else { (-step.log10().floor()) as usize }
}

/// The precision a value is written with: `1440` stays `1,440`, `631.6` keeps one decimal.
fn value_step(v: f64) -> f64 {
    let close = |x: f64| (x - x.round()).abs() < 1e-9;
    if close(v) {
        1.0
    } else if close(v * 10.0) {
        0.1
    } else {
        0.01
    }
}

/// Thousands separators; for `ja`, 万 and 億 past ten thousand.
pub fn format_number(value: f64, format: NumberFormat, step: f64) -> String {
    let text = match format {
        NumberFormat::Percent => format!("{}%", group(value, decimals_for(step))),
        NumberFormat::Ja if value.abs() >= 1e12 => format!("{}兆", ja_mantissa(value / 1e12, 2)),
        NumberFormat::Ja if value.abs() >= 1e8 => format!("{}億", ja_mantissa(value / 1e8, 2)),
        NumberFormat::Ja if value.abs() >= 1e4 => format!("{}万", ja_mantissa(value / 1e4, 1)),
        _ => group(value, decimals_for(step)),
    };
    // The minus sign, as Typst writes negative numbers (not a hyphen).
    text.replacen('-', "\u{2212}", 1)
}

/// `6862.0` → `6,862`, `631.6` → `631.6`: the number before 万/億/兆, with separators.
fn ja_mantissa(value: f64, max_decimals: usize) -> String {
    let rounded = trim_zeros(&format!("{value:.max_decimals$}"));
    let decimals = rounded.split_once('.').map_or(0, |(_, f)| f.len());
    group(value, decimals)
}

fn trim_zeros(s: &str) -> String {
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s.to_string() }
}

/// `1234567.5` → `1,234,567.5`.
fn group(value: f64, decimals: usize) -> String {
    let text = format!("{:.*}", decimals, value.abs());
    let (int, frac) = text.split_once('.').map_or((text.as_str(), None), |(i, f)| (i, Some(f)));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    if value < 0.0 && value.abs() >= 0.5 * 10f64.powi(-(decimals as i32)) {
        out.insert(0, '-');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(parse_number("1,234"), Some(1234.0));
        assert_eq!(parse_number("１２３"), Some(123.0));
        assert_eq!(parse_number("−3.5"), Some(-3.5));
        assert_eq!(parse_number("12%"), Some(12.0));
        assert_eq!(parse_number("3億"), Some(3e8));
        assert_eq!(parse_number("abc"), None);
    }

    #[test]
    fn numbers_as_published_tables_write_them() {
        let cases: &[(&str, f64)] = &[
            ("約 631.6 億", 631.6e8),
            ("約631.6億", 631.6e8),
            ("およそ 700億", 700e8),
            ("6,862億", 6862e8),
            ("1.2万", 12_000.0),
            ("79.5%", 79.5),
            ("７９．５％", 79.5),
            ("２７０，９７３", 270_973.0),
            ("1億2,000万", 1.2e8),
            ("3兆", 3e12),
            ("▲12", -12.0),
            ("+5", 5.0),
        ];
        for &(cell, want) in cases {
            let got = parse_cell(cell).unwrap_or_else(|e| panic!("{cell}: {e:?}")).unwrap();
            assert!((got - want).abs() < want.abs() * 1e-12, "{cell}: {got} != {want}");
        }
        for cell in ["—", "-", "", "  ", "－", "–"] {
            assert_eq!(parse_cell(cell), Ok(None), "{cell:?} is no data");
        }
        let bad = |cell: &str| parse_cell(cell).unwrap_err().to_remove;
        assert_eq!(bad("631件"), ["件"]);
        assert_eq!(bad("6,862億円"), ["円"]);
        assert_eq!(bad("(推計) 5"), ["(推計)"]);
        assert_eq!(bad("2000万1億"), Vec::<String>::new());
    }

    #[test]
    fn ticks_are_nice_and_include_zero() {
        assert_eq!(nice_range(0.0, 6862.0, 6), (0.0, 7000.0, 1000.0));
        let (min, max, step) = nice_range(-30.0, 45.0, 6);
        assert!(min <= -30.0 && max >= 45.0 && min < 0.0 && [10.0, 20.0].contains(&step), "{min} {max} {step}");
        let (min, max, step) = nice_range(545.0, 6862.0, 6);
        assert_eq!(min, 0.0);
        assert!(tick_values(min, max, step).iter().all(|v| (v / step).fract().abs() < 1e-9));
    }

    #[test]
    fn formats() {
        assert_eq!(format_number(1234567.0, NumberFormat::Plain, 1.0), "1,234,567");
        assert_eq!(format_number(-1500.0, NumberFormat::Plain, 500.0), "\u{2212}1,500");
        assert_eq!(format_number(0.25, NumberFormat::Plain, 0.05), "0.25");
        assert_eq!(format_number(686_200_000_000.0, NumberFormat::Ja, 1.0), "6,862億");
        assert_eq!(format_number(63_160_000_000.0, NumberFormat::Ja, 1.0), "631.6億");
        assert_eq!(format_number(35_000.0, NumberFormat::Ja, 1.0), "3.5万");
        assert_eq!(format_number(950.0, NumberFormat::Ja, 1.0), "950");
    }

    fn table() -> DataTable {
        DataTable {
            columns: vec!["年".into(), "件数".into(), "備考".into()],
            rows: vec![vec!["2023".into(), "243".into(), "x".into()], vec!["2024".into(), "166".into(), "y".into()]],
            origin: Some("figures/t.csv".into()),
            ..Default::default()
        }
    }

    fn at(_: &str) -> Span {
        Span::new(crate::diag::FileIdx(0), 0..1)
    }

    fn line(n: usize) -> Span {
        Span::new(crate::diag::FileIdx(0), n..n + 1)
    }

    #[test]
    fn a_magnitude_unit_is_printed_once() {
        let table = DataTable {
            columns: vec!["年".into(), "被害額".into()],
            rows: vec![vec!["2015".into(), "約 631.6 億".into()], vec!["2016".into(), "6,862".into()]],
            ..Default::default()
        };
        let spec = ChartSpec { unit: Some("億".into()), ..Default::default() };
        let chart = build(&spec, &table, NumberFormat::Ja, &at, &line).unwrap();
        assert_eq!(chart.series[0].labels, ["631.6", "6,862"]);
        assert!(chart.ticks.iter().all(|(_, label)| !label.contains('億')), "{:?}", chart.ticks);
        let chart = build(&ChartSpec::default(), &table, NumberFormat::Ja, &at, &line).unwrap();
        assert_eq!(chart.series[0].labels, ["631.6億", "6,862"]);
    }

    #[test]
    fn y_defaults_to_numeric_columns() {
        let chart = build(&ChartSpec::default(), &table(), NumberFormat::Plain, &at, &line).unwrap();
        assert_eq!(chart.categories, ["2023", "2024"]);
        assert_eq!(chart.series.len(), 1);
        assert_eq!(chart.series[0].name, "件数");
        assert_eq!(chart.series[0].values, [Some(243.0), Some(166.0)]);
    }

    #[test]
    fn missing_and_non_numeric_columns() {
        let spec = ChartSpec { y: Some(OneOrMany::One("件".into())), ..Default::default() };
        let e = build(&spec, &table(), NumberFormat::Plain, &at, &line).unwrap_err().remove(0);
        assert!(e.message.contains("column `件` not found in `figures/t.csv`"), "{}", e.message);
        assert!(e.hints.iter().any(|h| h.contains("年, 件数, 備考")));
        let spec = ChartSpec { y: Some(OneOrMany::One("備考".into())), ..Default::default() };
        let e = build(&spec, &table(), NumberFormat::Plain, &at, &line).unwrap_err();
        assert_eq!(e.len(), 2, "every bad cell is reported");
        let e = &e[0];
        assert!(e.message.contains("row 1 (`2023`), column `備考`: `x` is not a number"), "{}", e.message);
    }
}
