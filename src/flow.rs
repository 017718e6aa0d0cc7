//! ```flow diagrams: `A -> B -> C`, `A -> B: label`, `direction:`, `group name: A, B`,
//! `**A**` for emphasis. Laid out here in layers (longest path, then barycentre sweeps
//! to reduce crossings; long edges pass through dummy points) and drawn by
//! `themes/lib/charts.typ`.

use std::collections::HashMap;

use crate::diag::{Diagnostic, Span, did_you_mean};

#[derive(Debug, Clone, PartialEq)]
pub struct Flow {
    pub direction: Direction,
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    pub groups: Vec<Group>,
    pub layers: usize,
    pub slots: usize,
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
    pub layer: usize,
    pub slot: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    pub from: String,
    pub to: String,
    pub label: Option<String>,
    /// Dummy points `(layer, slot)` between the two nodes, in drawing order.
    pub via: Vec<(usize, f64)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub label: String,
    pub nodes: Vec<String>,
}

const OPTIONS: [&str; 2] = ["direction", "group"];

/// Parses the block's text; `line_span(n)` is the deck span of the block's n-th line.
pub fn parse(text: &str, line_span: &dyn Fn(usize) -> Span, block: Span) -> Result<Flow, Diagnostic> {
    let mut direction = Direction::Right;
    let mut labels: Vec<String> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut emphasis = Vec::new();
    let mut edges: Vec<(usize, usize, Option<String>)> = Vec::new();
    let mut groups: Vec<(String, Vec<String>, usize)> = Vec::new();

    let mut node = |raw: &str, labels: &mut Vec<String>, emphasis: &mut Vec<bool>| -> usize {
        let raw = raw.trim();
        let (name, strong) = match raw.strip_prefix("**").and_then(|r| r.strip_suffix("**")) {
            Some(inner) => (inner.trim(), true),
            None => (raw, false),
        };
        let i = *index.entry(name.to_string()).or_insert_with(|| {
            labels.push(name.to_string());
            emphasis.push(false);
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
            let ids: Vec<usize> = parts.iter().map(|p| node(p, &mut labels, &mut emphasis)).collect();
            for (k, pair) in ids.windows(2).enumerate() {
                let label = if k == ids.len() - 2 { label.clone() } else { None };
                edges.push((pair[0], pair[1], label));
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
        node(line, &mut labels, &mut emphasis);
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
        group_list.push(Group { label, nodes: members.iter().map(|m| format!("n{}", index[m])).collect() });
    }
    Ok(layout(direction, labels, emphasis, edges, group_list))
}

fn layout(
    direction: Direction,
    labels: Vec<String>,
    emphasis: Vec<bool>,
    edges: Vec<(usize, usize, Option<String>)>,
    groups: Vec<Group>,
) -> Flow {
    let n = labels.len();
    // Reverse back edges (found by DFS) so the graph is acyclic for layering.
    let mut forward: Vec<(usize, usize)> = Vec::new();
    {
        let mut adjacency = vec![vec![]; n];
        for (i, (u, v, _)) in edges.iter().enumerate() {
            adjacency[*u].push((*v, i));
        }
        let mut state = vec![0u8; n]; // 0 new, 1 on stack, 2 done
        let mut reversed = vec![false; edges.len()];
        fn dfs(u: usize, adj: &[Vec<(usize, usize)>], state: &mut [u8], reversed: &mut [bool]) {
            state[u] = 1;
            for &(v, e) in &adj[u] {
                match state[v] {
                    0 => dfs(v, adj, state, reversed),
                    1 => reversed[e] = true,
                    _ => {}
                }
            }
            state[u] = 2;
        }
        for u in 0..n {
            if state[u] == 0 {
                dfs(u, &adjacency, &mut state, &mut reversed);
            }
        }
        for (i, (u, v, _)) in edges.iter().enumerate() {
            if u != v {
                forward.push(if reversed[i] { (*v, *u) } else { (*u, *v) });
            }
        }
    }
    // Longest-path layering.
    let mut layer = vec![0usize; n];
    for _ in 0..n {
        let mut changed = false;
        for &(u, v) in &forward {
            if layer[v] < layer[u] + 1 {
                layer[v] = layer[u] + 1;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let layers = layer.iter().max().map_or(1, |m| m + 1);

    // Vertices: real nodes, then dummies for edges longer than one layer.
    let mut vertex_layer: Vec<usize> = layer.clone();
    let mut chains: Vec<Vec<usize>> = Vec::new(); // per forward edge: vertices from u to v
    for &(u, v) in &forward {
        let mut chain = vec![u];
        for l in layer[u] + 1..layer[v] {
            vertex_layer.push(l);
            chain.push(vertex_layer.len() - 1);
        }
        chain.push(v);
        chains.push(chain);
    }
    let count = vertex_layer.len();
    let mut order: Vec<Vec<usize>> = vec![vec![]; layers];
    for v in 0..count {
        order[vertex_layer[v]].push(v);
    }
    let mut up = vec![vec![]; count];
    let mut down = vec![vec![]; count];
    for chain in &chains {
        for pair in chain.windows(2) {
            down[pair[0]].push(pair[1]);
            up[pair[1]].push(pair[0]);
        }
    }
    // Barycentre sweeps, down then up, a few times.
    let mut position = vec![0.0f64; count];
    let set_positions = |order: &Vec<Vec<usize>>, position: &mut Vec<f64>| {
        for layer in order {
            for (i, &v) in layer.iter().enumerate() {
                position[v] = i as f64;
            }
        }
    };
    set_positions(&order, &mut position);
    for round in 0..6 {
        let downward = round % 2 == 0;
        let range: Vec<usize> =
            if downward { (1..layers).collect() } else { (0..layers.saturating_sub(1)).rev().collect() };
        for l in range {
            let neighbours = if downward { &up } else { &down };
            let mut keyed: Vec<(f64, usize)> = order[l]
                .iter()
                .map(|&v| {
                    let ns = &neighbours[v];
                    let key = if ns.is_empty() {
                        position[v]
                    } else {
                        ns.iter().map(|&w| position[w]).sum::<f64>() / ns.len() as f64
                    };
                    (key, v)
                })
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(position[a.1].total_cmp(&position[b.1])));
            order[l] = keyed.into_iter().map(|(_, v)| v).collect();
            for (i, &v) in order[l].iter().enumerate() {
                position[v] = i as f64;
            }
        }
    }
    // Centre each layer across the widest one.
    let slots = order.iter().map(Vec::len).max().unwrap_or(1).max(1);
    let mut slot = vec![0.0f64; count];
    for layer in &order {
        let offset = (slots - layer.len()) as f64 / 2.0;
        for (i, &v) in layer.iter().enumerate() {
            slot[v] = i as f64 + offset;
        }
    }

    let nodes = (0..n)
        .map(|i| Node {
            id: format!("n{i}"),
            label: labels[i].clone(),
            emphasis: emphasis[i],
            layer: layer[i],
            slot: slot[i],
        })
        .collect();
    let mut chain_of: HashMap<(usize, usize), &Vec<usize>> = HashMap::new();
    for (k, &(u, v)) in forward.iter().enumerate() {
        chain_of.entry((u, v)).or_insert(&chains[k]);
    }
    let edges = edges
        .into_iter()
        .filter(|(u, v, _)| u != v)
        .map(|(u, v, label)| {
            let via = match chain_of.get(&(u, v)) {
                Some(chain) => chain[1..chain.len() - 1].iter().map(|&d| (vertex_layer[d], slot[d])).collect(),
                None => chain_of
                    .get(&(v, u))
                    .map(|chain| chain[1..chain.len() - 1].iter().rev().map(|&d| (vertex_layer[d], slot[d])).collect())
                    .unwrap_or_default(),
            };
            Edge { from: format!("n{u}"), to: format!("n{v}"), label, via }
        })
        .collect();
    Flow { direction, nodes, edges, groups, layers, slots }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::FileIdx;

    fn flow(text: &str) -> Result<Flow, Diagnostic> {
        let span = Span::new(FileIdx(0), 0..1);
        parse(text, &|_| span, span)
    }

    #[test]
    fn chain_makes_one_layer_per_step() {
        let f = flow("偵察 -> 初期アクセス -> **管理者資格の取得** -> 発見").unwrap();
        let layers: Vec<usize> = f.nodes.iter().map(|n| n.layer).collect();
        assert_eq!(layers, [0, 1, 2, 3]);
        assert!(f.nodes[2].emphasis && !f.nodes[1].emphasis);
        assert_eq!(f.nodes[2].label, "管理者資格の取得");
        assert_eq!(f.edges.len(), 3);
    }

    #[test]
    fn long_edges_get_dummy_points_and_labels() {
        let f = flow("direction: down\nA -> B -> C -> D\nA -> D: 直接\n").unwrap();
        assert_eq!(f.direction, Direction::Down);
        let long = f.edges.iter().find(|e| e.from == "n0" && e.to == "n3").unwrap();
        assert_eq!(long.label.as_deref(), Some("直接"));
        assert_eq!(long.via.iter().map(|v| v.0).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(f.slots, 2);
    }

    #[test]
    fn cycles_still_lay_out() {
        let f = flow("A -> B\nB -> C\nC -> A").unwrap();
        assert_eq!(f.nodes.len(), 3);
        assert_eq!(f.edges.len(), 3);
    }

    #[test]
    fn crossing_reduction_orders_children_under_parents() {
        // Without reordering, X's child would sit under Y and lines would cross.
        let f = flow("X -> X1\nY -> Y1\nY1 -> Z\nX1 -> Z\nX -> Y1").unwrap();
        let slot = |label: &str| f.nodes.iter().find(|n| n.label == label).unwrap().slot;
        assert!((slot("X") < slot("Y")) == (slot("X1") < slot("Y1")));
    }

    #[test]
    fn errors() {
        assert!(flow("directon: down\nA -> B").unwrap_err().hints.iter().any(|h| h.contains("direction")));
        assert!(flow("A -> ").unwrap_err().message.contains("both sides"));
        assert!(flow("A -> B\ngroup g: A, Q").unwrap_err().message.contains("no box named `Q`"));
        assert!(flow("").unwrap_err().message.contains("empty"));
    }
}
