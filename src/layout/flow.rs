//! Lays out a ```flow diagram: boxes in layers (longest path, then barycentre sweeps to
//! reduce crossings; long edges pass through dummy points), groups in bands of slots of
//! their own, long chains wrapped into rows. The theme turns layers and slots into
//! positions (`themes/lib/charts.typ`).

use std::collections::HashMap;

use crate::flow::{Direction, EdgePlace, Flow, NodePlace, Placement};

/// Layers and slots for every box of `flow`, dummy points for every arrow.
pub fn place(flow: &Flow) -> Placement {
    let n = flow.nodes.len();
    let index: HashMap<&str, usize> = flow.nodes.iter().enumerate().map(|(i, node)| (node.id.as_str(), i)).collect();
    let edges: Vec<(usize, usize)> =
        flow.edges.iter().map(|e| (index[e.from.as_str()], index[e.to.as_str()])).collect();
    let groups = &flow.groups;
    // Reverse back edges (found by DFS) so the graph is acyclic for layering.
    let mut forward: Vec<(usize, usize)> = Vec::new();
    {
        let mut adjacency = vec![vec![]; n];
        for (i, (u, v)) in edges.iter().enumerate() {
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
        for (i, (u, v)) in edges.iter().enumerate() {
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
    let (slot, slots) = if groups.is_empty() {
        // Centre each layer across the widest one.
        let slots = order.iter().map(Vec::len).max().unwrap_or(1).max(1);
        let mut slot = vec![0.0f64; count];
        for layer in &order {
            let offset = (slots - layer.len()) as f64 / 2.0;
            for (i, &v) in layer.iter().enumerate() {
                slot[v] = i as f64 + offset;
            }
        }
        (slot, slots)
    } else {
        let group_of = |v: usize| groups.iter().position(|g| g.nodes.contains(&format!("n{v}")));
        let members: Vec<Option<usize>> = (0..count)
            .map(|v| {
                if v < n {
                    return group_of(v);
                }
                // A dummy belongs to a group only when both ends of its edge do.
                let chain = chains.iter().find(|c| c.contains(&v))?;
                let (first, last) = (group_of(chain[0]), group_of(chain[chain.len() - 1]));
                if first == last { first } else { None }
            })
            .collect();
        banded_slots(&order, &position, &members, groups.len(), &up, &down)
    };

    let nodes = (0..n).map(|i| NodePlace { layer: layer[i], slot: slot[i] }).collect();
    let mut chain_of: HashMap<(usize, usize), &Vec<usize>> = HashMap::new();
    for (k, &(u, v)) in forward.iter().enumerate() {
        chain_of.entry((u, v)).or_insert(&chains[k]);
    }
    let edges = edges
        .into_iter()
        .map(|(u, v)| {
            if u == v {
                return None;
            }
            let via = match chain_of.get(&(u, v)) {
                Some(chain) => chain[1..chain.len() - 1].iter().map(|&d| (vertex_layer[d], slot[d])).collect(),
                None => chain_of
                    .get(&(v, u))
                    .map(|chain| chain[1..chain.len() - 1].iter().rev().map(|&d| (vertex_layer[d], slot[d])).collect())
                    .unwrap_or_default(),
            };
            Some(EdgePlace { via, wrap: false })
        })
        .collect();
    let placement = Placement { layers, slots, nodes, edges };
    wrap_long_chain(flow, placement)
}

/// Slots when there are groups: each group takes a band of slots of its own across the
/// layers it spans (so its members are contiguous and its frame holds no other box), and
/// groups whose layers overlap never share slots (so frames never overlap). Boxes outside
/// any group go to the free slots of their layer nearest where their neighbours are.
fn banded_slots(
    order: &[Vec<usize>],
    position: &[f64],
    members: &[Option<usize>],
    group_count: usize,
    up: &[Vec<usize>],
    down: &[Vec<usize>],
) -> (Vec<f64>, usize) {
    let count = position.len();
    let layer_of = |v: usize| order.iter().position(|l| l.contains(&v)).unwrap_or(0);
    // Per group: layer range, widest layer, and where its members sit on average.
    struct Band {
        first: usize,
        last: usize,
        width: usize,
        key: f64,
        offset: f64,
    }
    let mut bands: Vec<Band> = (0..group_count)
        .map(|g| {
            let vs: Vec<usize> = (0..count).filter(|&v| members[v] == Some(g)).collect();
            let layers: Vec<usize> = vs.iter().map(|&v| layer_of(v)).collect();
            let width = order.iter().map(|l| l.iter().filter(|&&v| members[v] == Some(g)).count()).max().unwrap_or(0);
            let key = vs.iter().map(|&v| position[v]).sum::<f64>() / vs.len().max(1) as f64;
            Band {
                first: layers.iter().copied().min().unwrap_or(0),
                last: layers.iter().copied().max().unwrap_or(0),
                width,
                key,
                offset: 0.0,
            }
        })
        .collect();
    let mut placed: Vec<usize> = Vec::new();
    let mut by_key: Vec<usize> = (0..group_count).filter(|&g| bands[g].width > 0).collect();
    // A band across three layers or more goes first, to the edge, so the boxes beside it
    // are all on one side and no arrow has to get past its frame; the rest by where
    // their members are.
    let long = |g: usize| if bands[g].last >= bands[g].first + 2 { bands[g].last - bands[g].first } else { 0 };
    by_key.sort_by(|&a, &b| long(b).cmp(&long(a)).then(bands[a].key.total_cmp(&bands[b].key)));
    for g in by_key {
        // First fit, left to right, clear of every band sharing a layer.
        let clashes: Vec<(f64, f64)> = placed
            .iter()
            .filter(|&&h| bands[h].first <= bands[g].last && bands[g].first <= bands[h].last)
            .map(|&h| (bands[h].offset, bands[h].offset + bands[h].width as f64))
            .collect();
        let width = bands[g].width as f64;
        let mut offset = 0.0;
        while let Some(&(_, end)) = clashes.iter().find(|(a, b)| offset < *b && *a < offset + width) {
            offset = end;
        }
        bands[g].offset = offset;
        placed.push(g);
    }
    let mut slot = vec![0.0f64; count];
    for layer in order {
        for (g, band) in bands.iter().enumerate() {
            let mine: Vec<usize> = layer.iter().copied().filter(|&v| members[v] == Some(g)).collect();
            let centre = (band.width - mine.len()) as f64 / 2.0;
            for (i, &v) in mine.iter().enumerate() {
                slot[v] = band.offset + centre + i as f64;
            }
        }
    }
    for (l, layer) in order.iter().enumerate() {
        // Free cells of this layer: not inside a band that spans it.
        let blocked: Vec<(f64, f64)> = bands
            .iter()
            .filter(|b| b.width > 0 && b.first <= l && l <= b.last)
            .map(|b| (b.offset, b.offset + b.width as f64))
            .collect();
        let free: Vec<usize> = layer.iter().copied().filter(|&v| members[v].is_none()).collect();
        if free.is_empty() {
            continue;
        }
        let limit = bands.iter().map(|b| b.offset + b.width as f64).fold(0.0, f64::max) as usize + free.len();
        let cells: Vec<f64> = (0..=limit)
            .map(|c| c as f64)
            .filter(|c| !blocked.iter().any(|(a, b)| *c + 0.5 > *a && *c + 0.5 < *b))
            .collect();
        // Where each would like to be: over its placed neighbours, else in order.
        let wish: Vec<f64> = free
            .iter()
            .enumerate()
            .map(|(i, &v)| {
                let placed: Vec<f64> = up[v]
                    .iter()
                    .chain(&down[v])
                    .filter(|&&w| layer_of(w) < l || members[w].is_some())
                    .map(|&w| slot[w])
                    .collect();
                if placed.is_empty() { i as f64 } else { placed.iter().sum::<f64>() / placed.len() as f64 }
            })
            .collect();
        // In order, each to a distinct free cell, least total distance from the wishes.
        let (k, m) = (free.len(), cells.len());
        let mut cost = vec![vec![f64::INFINITY; m + 1]; k + 1];
        for row in cost.iter_mut().take(1) {
            row.iter_mut().for_each(|c| *c = 0.0);
        }
        for i in 1..=k {
            for j in 1..=m {
                let take = cost[i - 1][j - 1] + (cells[j - 1] - wish[i - 1]).abs();
                cost[i][j] = cost[i][j - 1].min(take);
            }
        }
        let mut j = m;
        for i in (1..=k).rev() {
            while j > i && cost[i][j] == cost[i][j - 1] {
                j -= 1;
            }
            slot[free[i - 1]] = cells[j - 1];
            j -= 1;
        }
    }
    // Start at slot 0.
    let min = slot.iter().copied().fold(f64::INFINITY, f64::min);
    let min = if min.is_finite() { min } else { 0.0 };
    slot.iter_mut().for_each(|s| *s -= min);
    let slots = slot.iter().map(|s| s.floor() as usize + 1).max().unwrap_or(1);
    let bands_end = bands.iter().map(|b| (b.offset + b.width as f64 - min).ceil() as usize).max().unwrap_or(0);
    (slot, slots.max(bands_end).max(1))
}

/// A long left-to-right chain (six boxes or more, no branches, no groups) wraps into
/// rows read left to right, rather than shrinking into a thin strip: two rows up to ten
/// boxes, three beyond. The edge from a row's end to the next row's start is a `wrap`.
fn wrap_long_chain(flow: &Flow, mut placement: Placement) -> Placement {
    let n = flow.nodes.len();
    let index = |id: &str| flow.nodes.iter().position(|node| node.id == id);
    let is_chain = flow.direction == Direction::Right
        && n >= 6
        && flow.groups.is_empty()
        && flow.edges.len() == n - 1
        && placement.nodes.iter().enumerate().all(|(i, node)| node.layer == i)
        && flow.edges.iter().all(|e| matches!((index(&e.from), index(&e.to)), (Some(a), Some(b)) if b == a + 1));
    if !is_chain {
        return placement;
    }
    let rows = if n <= 10 { 2 } else { 3 };
    let per_row = n.div_ceil(rows);
    for (i, node) in placement.nodes.iter_mut().enumerate() {
        node.layer = i % per_row;
        node.slot = (i / per_row) as f64;
    }
    for (edge, place) in flow.edges.iter().zip(&mut placement.edges) {
        if let (Some(place), Some(a), Some(b)) = (place, index(&edge.from), index(&edge.to)) {
            place.wrap = a / per_row != b / per_row;
        }
    }
    placement.layers = per_row;
    placement.slots = rows;
    placement
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{FileIdx, Span};

    /// The parsed flow with its placement: nodes as `(label, layer, slot, emphasis)`.
    struct Laid {
        flow: Flow,
        placement: Placement,
    }

    impl Laid {
        fn slot(&self, label: &str) -> f64 {
            let i = self.flow.nodes.iter().position(|n| n.label == label).unwrap();
            self.placement.nodes[i].slot
        }
        fn edge(&self, from: &str, to: &str) -> &EdgePlace {
            let id = |l: &str| self.flow.nodes.iter().find(|n| n.label == l).unwrap().id.clone();
            let k = self.flow.edges.iter().position(|e| e.from == id(from) && e.to == id(to)).unwrap();
            self.placement.edges[k].as_ref().unwrap()
        }
    }

    fn flow(text: &str) -> Laid {
        let span = Span::new(FileIdx(0), 0..1);
        let flow = crate::flow::parse(text, &|_| span, span).unwrap();
        let placement = place(&flow);
        Laid { flow, placement }
    }

    #[test]
    fn chain_makes_one_layer_per_step() {
        let f = flow("偵察 -> 初期アクセス -> **管理者資格の取得** -> 発見");
        let layers: Vec<usize> = f.placement.nodes.iter().map(|n| n.layer).collect();
        assert_eq!(layers, [0, 1, 2, 3]);
        assert_eq!(f.placement.edges.len(), 3);
    }

    #[test]
    fn long_edges_get_dummy_points_and_labels() {
        let f = flow("direction: down\nA -> B -> C -> D\nA -> D: 直接\n");
        let long = f.edge("A", "D");
        assert_eq!(long.via.iter().map(|v| v.0).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(f.placement.slots, 2);
    }

    #[test]
    fn cycles_still_lay_out() {
        let f = flow("A -> B\nB -> C\nC -> A\nC -> C");
        assert_eq!(f.placement.nodes.len(), 3);
        assert_eq!(f.placement.edges.iter().filter(|e| e.is_some()).count(), 3, "the loop on C is not drawn");
        assert!(f.placement.edges[3].is_none());
    }

    #[test]
    fn crossing_reduction_orders_children_under_parents() {
        // Without reordering, X's child would sit under Y and lines would cross.
        let f = flow("X -> X1\nY -> Y1\nY1 -> Z\nX1 -> Z\nX -> Y1");
        let slot = |label: &str| f.slot(label);
        assert!((slot("X") < slot("Y")) == (slot("X1") < slot("Y1")));
    }

    #[test]
    fn a_chain_of_eight_wraps_into_two_rows() {
        let f = flow("A -> B -> C -> D -> E -> F -> G -> H");
        assert_eq!((f.placement.layers, f.placement.slots), (4, 2));
        let rows: Vec<f64> = f.placement.nodes.iter().map(|n| n.slot).collect();
        assert_eq!(rows, [0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0]);
        assert_eq!(f.placement.edges.iter().flatten().filter(|e| e.wrap).count(), 1);
        assert!(f.edge("D", "E").wrap);
        // Short chains stay on one line.
        assert_eq!(flow("A -> B -> C -> D").placement.slots, 1);
    }

    #[test]
    fn group_members_are_contiguous_and_bands_do_not_clash() {
        let text = "P -> X\nQ -> X\nQ -> Y\nR -> Y\nX -> T\nY -> T\nS -> U\nU -> Z\nS -> V\nT -> Z\n\
                    group G1: P, Q, R\ngroup G2: X, Y\ngroup G3: S, V, U";
        let laid = flow(text);
        let f = &laid.flow;
        let at = |id: &str| laid.placement.nodes[f.nodes.iter().position(|n| n.id == id).unwrap()];
        let band = |g: usize| {
            let ms: Vec<NodePlace> = f.groups[g].nodes.iter().map(|id| at(id)).collect();
            let (l0, l1) = (ms.iter().map(|n| n.layer).min().unwrap(), ms.iter().map(|n| n.layer).max().unwrap());
            let (s0, s1) = (
                ms.iter().map(|n| n.slot).fold(f64::MAX, f64::min),
                ms.iter().map(|n| n.slot).fold(f64::MIN, f64::max),
            );
            (l0, l1, s0, s1)
        };
        for g in 0..3 {
            let (l0, l1, s0, s1) = band(g);
            // No other box inside a group's rectangle.
            for n in &f.nodes {
                if f.groups[g].nodes.contains(&n.id) {
                    continue;
                }
                let p = at(&n.id);
                let inside = p.layer >= l0 && p.layer <= l1 && p.slot >= s0 - 0.01 && p.slot <= s1 + 0.01;
                assert!(!inside, "{} sits inside group {}", n.label, f.groups[g].label);
            }
        }
        // Rectangles of groups sharing a layer do not overlap.
        for a in 0..3 {
            for b in a + 1..3 {
                let (a0, a1, as0, as1) = band(a);
                let (b0, b1, bs0, bs1) = band(b);
                if a0 <= b1 && b0 <= a1 {
                    assert!(as1 < bs0 || bs1 < as0, "groups {a} and {b} overlap");
                }
            }
        }
        assert!(laid.slot("T") >= 0.0);
    }

    #[test]
    fn a_group_across_many_layers_keeps_the_other_boxes_on_one_side() {
        // G spans layers 0 to 3; P, Q, X, B, Y and Z share those layers and are joined to each
        // other and to G: with boxes on both sides of G, arrows would have to get past it.
        // H's one box comes first but must not push G off the edge.
        let laid =
            flow("P -> Q\nX -> Y -> Z\nA -> B -> C -> D\nA -> Y\nY -> D\nB -> Z\nX -> B\ngroup H: P\ngroup G: A, C, D");
        let (lo, hi) =
            ["A", "C", "D"].iter().map(|m| laid.slot(m)).fold((f64::MAX, f64::MIN), |(a, b), s| (a.min(s), b.max(s)));
        let others = ["P", "Q", "X", "B", "Y", "Z"];
        let sides: Vec<bool> = others.iter().map(|m| laid.slot(m) > hi).collect();
        for m in others {
            assert!(laid.slot(m) > hi || laid.slot(m) < lo, "{m} sits inside G's slots");
        }
        assert!(sides.iter().all(|&s| s == sides[0]), "boxes on both sides of G: {sides:?}");
    }
}
