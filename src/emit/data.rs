//! Data drawn by our Typst libraries: charts, flow diagrams and QR codes.

use std::fmt::Write;

use super::{Emitter, lit};

impl<'d> Emitter<'d> {
    pub(super) fn chart(&mut self, chart: &crate::chart::Chart) {
        let _ = write!(self.out, "#charts.chart(kind: {}, title: ", lit(chart.kind.name()));
        self.opt_content(chart.title.as_deref());
        self.w(", categories: (");
        for c in &chart.categories {
            self.content(c);
            self.w(", ");
        }
        self.w("), series: (");
        for s in &chart.series {
            self.w("(name: ");
            self.content(&s.name);
            self.w(", values: (");
            for v in &s.values {
                match v {
                    Some(v) => {
                        let _ = write!(self.out, "{v:?}, ");
                    }
                    None => self.w("none, "),
                }
            }
            self.w("), labels: ");
            self.str_array(s.labels.iter().map(String::as_str));
            self.w("), ");
        }
        self.w("), ticks: (");
        for (value, label) in &chart.ticks {
            let _ = write!(self.out, "(value: {value:?}, label: ");
            self.str_arg(label);
            self.w("), ");
        }
        let _ = write!(self.out, "), min: {:?}, max: {:?}, x-label: ", chart.min, chart.max);
        self.opt_content(chart.x_label.as_deref());
        self.w(", y-label: ");
        self.opt_content(chart.y_label.as_deref());
        self.w(", unit: ");
        self.opt_content(chart.unit.as_deref());
        let _ = write!(self.out, ", value-labels: {}, highlight: ", chart.value_labels);
        match chart.highlight {
            Some(i) => {
                let _ = write!(self.out, "{i}");
            }
            None => self.w("none"),
        }
        self.w(", annotations: (");
        for (category, text) in &chart.annotations {
            let _ = write!(self.out, "(category: {category}, text: ");
            self.content(text);
            self.w("), ");
        }
        self.w("), legend: ");
        match chart.legend {
            Some(b) => {
                let _ = write!(self.out, "{b}");
            }
            None => self.w("auto"),
        }
        if !chart.totals.is_empty() {
            self.w(", totals: ");
            self.str_array(chart.totals.iter().map(String::as_str));
        }
        if !chart.shares.is_empty() {
            self.w(", shares: ");
            self.str_array(chart.shares.iter().map(String::as_str));
        }
        self.w(", style: lectern-chart-style)\n");
    }

    pub(super) fn flow(&mut self, flow: &crate::flow::Flow) {
        let placement = flow.placement.as_ref().expect("the layout stage places every flow diagram");
        let direction = if flow.direction == crate::flow::Direction::Down { "down" } else { "right" };
        let _ = write!(
            self.out,
            "#charts.flow(direction: \"{direction}\", layers: {}, slots: {}, nodes: (",
            placement.layers, placement.slots
        );
        for (node, place) in flow.nodes.iter().zip(&placement.nodes) {
            let _ = write!(self.out, "(id: \"{}\", label: ", node.id);
            self.content(&node.label);
            let _ = write!(
                self.out,
                ", layer: {}, slot: {:?}, emphasis: {}, group: ",
                place.layer, place.slot, node.emphasis
            );
            match flow.groups.iter().position(|g| g.nodes.contains(&node.id)) {
                Some(g) => {
                    let _ = write!(self.out, "{g}");
                }
                None => self.w("none"),
            }
            self.w("), ");
        }
        self.w("), edges: (");
        for (edge, place) in flow.edges.iter().zip(&placement.edges) {
            let Some(place) = place else { continue };
            let _ = write!(self.out, "(from: \"{}\", to: \"{}\", wrap: {}, label: ", edge.from, edge.to, place.wrap);
            self.opt_content(edge.label.as_deref());
            self.w(", via: (");
            for (layer, slot) in &place.via {
                let _ = write!(self.out, "(layer: {layer}, slot: {slot:?}), ");
            }
            self.w(")), ");
        }
        self.w("), groups: (");
        for group in &flow.groups {
            self.w("(label: ");
            self.content(&group.label);
            self.w(", nodes: (");
            for id in &group.nodes {
                let _ = write!(self.out, "\"{id}\", ");
            }
            self.w(")), ");
        }
        self.w("), style: lectern-chart-style)\n");
    }

    /// A QR code drawn as vector rectangles (one per run of dark modules in a row).
    pub(super) fn qr(&mut self, data: &str) {
        let Ok(code) = qrcode::QrCode::with_error_correction_level(data.as_bytes(), qrcode::EcLevel::M) else {
            self.w("none");
            return;
        };
        let width = code.width();
        let colors = code.to_colors();
        let _ = write!(self.out, "lectern-qr({width}, (");
        for y in 0..width {
            let mut x = 0;
            while x < width {
                if colors[y * width + x] == qrcode::Color::Dark {
                    let start = x;
                    while x < width && colors[y * width + x] == qrcode::Color::Dark {
                        x += 1;
                    }
                    let _ = write!(self.out, "({start}, {y}, {}), ", x - start);
                } else {
                    x += 1;
                }
            }
        }
        self.w("))");
    }
}
