//! ```flow diagrams: `A -> B -> C`, `A -> B: label`, `direction:`, `group name: A, B`,
//! `**A**` for emphasis. Parsed here into boxes, arrows and groups with their Markdown
//! lines; laid out in layers and slots by `layout::flow` and drawn by
//! `themes/lib/charts.typ`.

use std::collections::HashMap;

use crate::diag::{Diagnostic, Span, did_you_mean};

#[derive(Debug, Clone, PartialEq)]
pub struct Flow {
    pub direction: Direction,
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    pub groups: Vec<Group>,
    /// Where the boxes and arrows go; `None` until the layout stage has run.
    pub placement: Option<Placement>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Right,
    Down,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub id: String,
    pub label: String,
    pub emphasis: bool,
    /// The line that first names the box.
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    pub from: String,
    pub to: String,
    pub label: Option<String>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub label: String,
    /// Node ids.
    pub nodes: Vec<String>,
    pub span: Span,
}

/// The layout of a flow: each box in a layer (along the direction of the arrows) and a
/// slot (across it); `nodes` and `edges` line up with `Flow::nodes` and `Flow::edges`.
#[derive(Debug, Clone, PartialEq)]
pub struct Placement {
    pub layers: usize,
    pub slots: usize,
    pub nodes: Vec<NodePlace>,
    /// `None` for an arrow from a box to itself, which is not drawn.
    pub edges: Vec<Option<EdgePlace>>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NodePlace {
    pub layer: usize,
    pub slot: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EdgePlace {
    /// Dummy points `(layer, slot)` between the two nodes, in drawing order.
    pub via: Vec<(usize, f64)>,
    /// The edge from the end of one row of a wrapped chain to the start of the next.
    pub wrap: bool,
}

const OPTIONS: [&str; 2] = ["direction", "group"];

/// Parses the block's text; `line_span(n)` is the deck span of the block's n-th line.
pub fn parse(text: &str, line_span: &dyn Fn(usize) -> Span, block: Span) -> Result<Flow, Diagnostic> {
    let mut direction = Direction::Right;
    let mut labels: Vec<String> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut emphasis = Vec::new();
    let mut first_line: Vec<usize> = Vec::new();
    let mut edges: Vec<(usize, usize, Option<String>, usize)> = Vec::new();
    let mut groups: Vec<(String, Vec<String>, usize)> = Vec::new();

    let mut node = |raw: &str, labels: &mut Vec<String>, emphasis: &mut Vec<bool>, line_no: usize| -> usize {
        let raw = raw.trim();
        let (name, strong) = match raw.strip_prefix("**").and_then(|r| r.strip_suffix("**")) {
            Some(inner) => (inner.trim(), true),
            None => (raw, false),
        };
        let i = *index.entry(name.to_string()).or_insert_with(|| {
            labels.push(name.to_string());
            emphasis.push(false);
            first_line.push(line_no);
            labels.len() - 1
        });
        emphasis[i] |= strong;
        i
    };

    for (n, line) in text.lines().enumerate() {
        let line_no = n + 1;
        let line = line.trim();
        if line.is_empty() || line.starts_with("//") {
            continue;
        }
        if line.contains("->") {
            let (chain, label) = match line.rsplit_once("->") {
                Some((_, last)) if last.contains(':') => {
                    let cut = line.rfind(':').unwrap();
                    (&line[..cut], Some(line[cut + 1..].trim().to_string()).filter(|l| !l.is_empty()))
                }
                _ => (line, None),
            };
            let parts: Vec<&str> = chain.split("->").collect();
            if parts.iter().any(|p| p.trim().is_empty() || p.trim() == "****") {
                return Err(Diagnostic::error(line_span(line_no), "an arrow needs a box on both sides")
                    .with_hint("write `A -> B`, `A -> B -> C` or `A -> B: label`"));
            }
            let ids: Vec<usize> = parts.iter().map(|p| node(p, &mut labels, &mut emphasis, line_no)).collect();
            for (k, pair) in ids.windows(2).enumerate() {
                let label = if k == ids.len() - 2 { label.clone() } else { None };
                edges.push((pair[0], pair[1], label, line_no));
            }
            continue;
        }
        if let Some(rest) = line.strip_prefix("group ") {
            let Some((name, members)) = rest.split_once(':') else {
                return Err(Diagnostic::error(line_span(line_no), "a group is written `group 名前: A, B, C`"));
            };
            let members = members.split([',', '、']).map(|m| m.trim().trim_matches('*').trim().to_string());
            groups.push((name.trim().to_string(), members.filter(|m| !m.is_empty()).collect(), line_no));
            continue;
        }
        if let Some((key, value)) = line.split_once(':') {
            let key = key.trim();
            match key {
                "direction" => {
                    direction = match value.trim() {
                        "right" | "lr" | "LR" => Direction::Right,
                        "down" | "td" | "TD" | "tb" | "TB" => Direction::Down,
                        other => {
                            return Err(Diagnostic::error(line_span(line_no), format!("unknown direction `{other}`"))
                                .with_hint("use `direction: right` or `direction: down`"));
                        }
                    };
                    continue;
                }
                _ if !key.contains(' ') => {
                    let mut d = Diagnostic::error(line_span(line_no), format!("unknown flow option `{key}`"));
                    if let Some(s) = did_you_mean(key, OPTIONS) {
                        d = d.with_hint(format!("did you mean `{s}`?"));
                    }
                    return Err(d.with_hint(
                        "lines are `A -> B`, `A -> B: label`, `direction: right|down` or `group 名前: A, B`",
                    ));
                }
                _ => {}
            }
        }
        // A lone box.
        node(line, &mut labels, &mut emphasis, line_no);
    }
    if crate::limits::FLOW_NODES.exceeded(labels.len() as u64) {
        return Err(crate::limits::FLOW_NODES.error(block, format!("this flow diagram has {} boxes", labels.len())));
    }
    if labels.is_empty() {
        return Err(Diagnostic::error(block, "the flow diagram is empty").with_hint("write `A -> B`"));
    }
    let mut group_list = Vec::new();
    for (label, members, line_no) in groups {
        for m in &members {
            if !index.contains_key(m) {
                return Err(Diagnostic::error(line_span(line_no), format!("group `{label}`: no box named `{m}`"))
                    .with_hint(format!("the boxes are: {}", labels.join(", "))));
            }
        }
        group_list.push(Group {
            label,
            nodes: members.iter().map(|m| format!("n{}", index[m])).collect(),
            span: line_span(line_no),
        });
    }
    let nodes = labels
        .into_iter()
        .zip(emphasis)
        .zip(first_line)
        .enumerate()
        .map(|(i, ((label, emphasis), line))| Node { id: format!("n{i}"), label, emphasis, span: line_span(line) })
        .collect();
    let edges = edges
        .into_iter()
        .map(|(u, v, label, line)| Edge { from: format!("n{u}"), to: format!("n{v}"), label, span: line_span(line) })
        .collect();
    Ok(Flow { direction, nodes, edges, groups: group_list, placement: None })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::FileIdx;

    fn flow(text: &str) -> Result<Flow, Diagnostic> {
        let span = |n: usize| Span::new(FileIdx(0), n..n + 1);
        parse(text, &span, span(0))
    }

    #[test]
    fn boxes_arrows_and_groups_keep_their_lines() {
        let f = flow("偵察 -> 初期アクセス -> **管理者資格の取得**\n\n初期アクセス -> 発見: 横展開\ngroup 内部: 発見")
            .unwrap();
        let labels: Vec<&str> = f.nodes.iter().map(|n| n.label.as_str()).collect();
        assert_eq!(labels, ["偵察", "初期アクセス", "管理者資格の取得", "発見"]);
        assert!(f.nodes[2].emphasis && !f.nodes[1].emphasis);
        assert_eq!(f.nodes[3].span.start, 3);
        assert_eq!(f.edges.len(), 3);
        assert_eq!((f.edges[2].label.as_deref(), f.edges[2].span.start), (Some("横展開"), 3));
        assert_eq!((f.groups[0].nodes.clone(), f.groups[0].span.start), (vec!["n3".to_string()], 4));
        assert!(f.placement.is_none());
    }

    #[test]
    fn errors() {
        assert!(flow("directon: down\nA -> B").unwrap_err().hints.iter().any(|h| h.contains("direction")));
        assert!(flow("A -> ").unwrap_err().message.contains("both sides"));
        assert!(flow("A -> B\ngroup g: A, Q").unwrap_err().message.contains("no box named `Q`"));
        assert!(flow("").unwrap_err().message.contains("empty"));
    }
}
