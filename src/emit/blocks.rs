//! Model blocks → Typst: paragraphs, lists, quotes, code, tables, images, columns, math.

use std::fmt::Write;

use super::Emitter;
use crate::model::*;

impl<'d> Emitter<'d> {
    pub(super) fn block(&mut self, block: &'d Block) {
        self.mapped(block.span(), |e| e.block_inner(block));
    }

    fn blocks(&mut self, blocks: &'d [Block]) {
        for block in blocks {
            self.block(block);
        }
    }

    fn block_inner(&mut self, block: &'d Block) {
        match block {
            Block::Chart(chart) => match &chart.chart {
                Some(c) => self.chart(c),
                None => unreachable!("resolve fills every chart before emit"),
            },
            Block::Flow { flow, .. } => self.flow(flow),
            Block::Paragraph { inlines, .. } | Block::SourceLine { inlines, .. } => {
                self.inlines(inlines);
                self.w("\n\n");
            }
            Block::Heading { level, inlines, .. } => {
                let _ = write!(self.out, "#heading(level: {}, outlined: false, bookmarked: false)[", level.max(&3));
                self.inlines(inlines);
                self.w("]\n");
            }
            Block::List(list) => {
                if list.ordered {
                    let _ = write!(self.out, "#enum(tight: {}, start: {}", list.tight, list.start);
                } else {
                    let _ = write!(self.out, "#list(tight: {}", list.tight);
                    // A pure task list: the check boxes are the markers.
                    if list.items.iter().all(|i| i.task.is_some()) {
                        self.w(", marker: []");
                    }
                }
                for item in &list.items {
                    self.w(", [");
                    if let Some(done) = item.task {
                        let _ = write!(self.out, "#lectern-task({done}) ");
                    }
                    for (i, block) in item.blocks.iter().enumerate() {
                        if i > 0 && !list.tight {
                            self.w("\n\n");
                        }
                        match block {
                            // Tight items hold bare text, so no paragraph spacing is added.
                            Block::Paragraph { inlines, span } if list.tight => {
                                self.mapped(*span, |e| e.inlines(inlines));
                                self.w("\n");
                            }
                            other => self.block(other),
                        }
                    }
                    self.w("]");
                }
                self.w(")\n");
            }
            Block::Quote { blocks, attribution, .. } => {
                self.w("#theme.blockquote(attribution: ");
                match attribution {
                    Some(a) => {
                        self.w("[");
                        self.inlines(a);
                        self.w("]");
                    }
                    None => self.w("none"),
                }
                self.w(")[\n");
                self.blocks(blocks);
                self.w("]\n");
            }
            Block::Code { lang, text, .. } => {
                self.w("#theme.code-block(raw(block: true, lang: ");
                match lang {
                    Some(l) => self.str_arg(l),
                    None => self.w("none"),
                }
                self.w(", ");
                if let Some(span) = self.spans.last() {
                    self.visible.push((text.clone(), *span));
                }
                self.str_arg(text);
                self.w("))\n");
            }
            Block::Table(table) => self.table(table),
            Block::Image { image, .. } => {
                self.w("#theme.figure-image(");
                self.image_call(image, false);
                self.w(", caption: ");
                self.opt_text_content(image.caption.as_deref(), image.span);
                self.w(")\n");
            }
            Block::Columns { columns, .. } => {
                let given: f64 = columns.iter().filter_map(|c| c.width_percent).sum();
                let unsized_count = columns.iter().filter(|c| c.width_percent.is_none()).count();
                let share = if unsized_count > 0 { ((100.0 - given) / unsized_count as f64).max(10.0) } else { 0.0 };
                self.w("#theme.columns-block(widths: (");
                for c in columns {
                    let _ = write!(self.out, "{}fr, ", fmt_num(c.width_percent.unwrap_or(share)));
                }
                self.w("), cells: (");
                for c in columns {
                    self.w("[\n");
                    self.blocks(&c.blocks);
                    self.w("], ");
                }
                self.w("))\n");
            }
            Block::Math { text, span } => {
                self.math(text, *span, true);
                self.w("\n");
            }
            Block::Rule { .. } => self.w("#line(length: 100%, stroke: 0.5pt + luma(160))\n"),
            Block::Pause { .. } => {}
        }
    }

    fn table(&mut self, table: &'d Table) {
        let columns =
            table.align.len().max(table.header.len()).max(table.rows.iter().map(Vec::len).max().unwrap_or(0)).max(1);
        // The theme's `data-table` sizes it (see `crate::table`); `header`/`rows` are cells.
        let _ = write!(
            self.out,
            "#lectern-table(deck: lectern-deck, fill: {}, header-column: {}",
            self.fill_tables, table.header_column
        );
        let hinted = self.table_hint();
        self.probe_arg(hinted, |e| e.table_cells(table, columns));
        self.w(", align: (");
        for i in 0..columns {
            let a = match table.align.get(i).copied().unwrap_or(Align::None) {
                Align::None | Align::Left => "start",
                Align::Center => "center",
                Align::Right => "end",
            };
            let _ = write!(self.out, "{a}, ");
        }
        self.w("),\n  ");
        self.table_cells(table, columns);
        self.w(", min-widths: (");
        for em in crate::table::min_widths_em(table) {
            let _ = write!(self.out, "{}em, ", fmt_num(em));
        }
        self.w("), max-widths: (");
        for em in crate::table::max_widths_em(table) {
            let _ = write!(self.out, "{}em, ", fmt_num(em));
        }
        self.w("))\n");
    }

    /// `header: (…), rows: (…), notes: (…)`: a table's cells and notes.
    fn table_cells(&mut self, table: &'d Table, columns: usize) {
        self.w("header: (");
        for i in 0..columns {
            self.w("[");
            if let Some(cell) = table.header.get(i) {
                self.inlines(cell);
            }
            self.w("], ");
        }
        self.w("),\n  rows: (\n");
        for row in &table.rows {
            self.w("  (");
            for i in 0..columns {
                self.w("[");
                if let Some(cell) = row.get(i) {
                    self.inlines(cell);
                }
                self.w("], ");
            }
            self.w("),\n");
        }
        self.w("  ), notes: (");
        for note in &table.notes {
            self.w("[");
            self.inlines(note);
            self.w("], ");
        }
        self.w(")");
    }

    pub(super) fn image_call(&mut self, image: &Image, fill: bool) {
        if image.path.is_empty() {
            return self.image_placeholder(image, fill);
        }
        self.w("image(");
        self.str_arg(&image.path);
        if !image.alt.is_empty() {
            self.w(", alt: ");
            self.str_arg(&image.alt);
        }
        if fill {
            let fit = if image.fit == Some(Fit::Contain) { "contain" } else { "cover" };
            let _ = write!(self.out, ", width: 100%, height: 100%, fit: \"{fit}\"");
        } else {
            if let Some(w) = &image.width {
                let _ = write!(self.out, ", width: {}", fmt_length(w));
            }
            if let Some(h) = &image.height {
                let _ = write!(self.out, ", height: {}", fmt_length(h));
            }
            if image.fit == Some(Fit::Cover) {
                self.w(", fit: \"cover\"");
            }
        }
        self.w(")");
    }
}

impl Emitter<'_> {
    /// A missing or remote image: a box with its address and alt text, so the author sees
    /// on the slide what is not there.
    pub(super) fn image_placeholder(&mut self, image: &Image, fill: bool) {
        self.w("box(stroke: 0.8pt + luma(150), radius: 3pt, inset: 0.5em, ");
        if fill {
            self.w("width: 100%, height: 100%, ");
        } else if let Some(w) = &image.width {
            let _ = write!(self.out, "width: {}, ", fmt_length(w));
        }
        self.w("text(size: 0.6em, fill: luma(90), [");
        self.w("#");
        self.str_arg(&image.src);
        if !image.alt.is_empty() {
            self.w(" #linebreak() #");
            self.str_arg(&image.alt);
        }
        self.w("]))");
    }
}

fn fmt_num(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn fmt_length(l: &Length) -> String {
    match l {
        Length::Percent(p) => format!("{}%", fmt_num(*p)),
        Length::Pt(p) => format!("{}pt", fmt_num(*p)),
    }
}
