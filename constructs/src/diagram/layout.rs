//! The layered layout (Sugiyama's four steps) of each scope, frames laid out from the inside
//! out: a frame's box is as large as what it holds.

use super::build::{GNode, Graph};
use super::{Diagram, Edge, Node, NodeKind};

/// The average width of a character of a box's name (12 px sans-serif).
pub(super) const CHAR: f64 = 7.2;
/// The average width of a character of a detail or a label (10 px).
pub(super) const SMALL_CHAR: f64 = 6.0;
const NODE_SEP: f64 = 28.0;
const DUMMY_SEP: f64 = 10.0;
const LAYER_GAP: f64 = 16.0;
const FRAME_PAD: f64 = 16.0;
/// The height of a frame's title band.
pub(super) const FRAME_TITLE: f64 = 28.0;
const BRANCH_GAP: f64 = 24.0;
const LABEL_HEIGHT: f64 = 16.0;
const MARGIN: f64 = 16.0;
/// Rounds of the crossing reduction and of the placement.
const ROUNDS: usize = 8;
/// The most ranks a line is drawn across; a longer one is a jump (a bound on the bend points,
/// which would otherwise grow as the square of a long machine's states).
const MAX_RANKS: usize = 6;

/// A scope laid out, its top-left corner at (0, 0).
struct Placed {
    width: f64,
    height: f64,
    nodes: Vec<Node>,
    edges: Vec<Edge>,
}

impl Placed {
    /// Moves everything by (dx, dy), keeping two decimals (what the SVG writes).
    fn shift(&mut self, dx: f64, dy: f64) {
        for n in &mut self.nodes {
            n.x = round2(n.x + dx);
            n.y = round2(n.y + dy);
        }
        for e in &mut self.edges {
            for p in &mut e.points {
                *p = (round2(p.0 + dx), round2(p.1 + dy));
            }
            if let Some(l) = &mut e.label_at {
                *l = (round2(l.0 + dx), round2(l.1 + dy));
            }
        }
    }
}

pub(super) fn lay_out(g: &Graph) -> Diagram {
    let mut placed = place_scope(g, 0);
    placed.shift(MARGIN, MARGIN);
    Diagram {
        width: (placed.width + 2.0 * MARGIN).ceil(),
        height: (placed.height + 2.0 * MARGIN).ceil(),
        nodes: placed.nodes,
        edges: placed.edges,
    }
}

/// The text width of a box's lines.
fn text_width(node: &GNode) -> f64 {
    let name = node.name.chars().count() as f64 * CHAR;
    let mut detail = node.detail.as_deref().map_or(0, |d| d.chars().count());
    if node.retriers > 0 {
        detail += 10;
    }
    name.max(detail as f64 * SMALL_CHAR)
}

/// The size of a box, a frame's from what it holds.
fn size_of(node: &GNode, inner: &[Placed]) -> (f64, f64) {
    match node.kind {
        NodeKind::Start | NodeKind::End => (64.0, 28.0),
        NodeKind::Parallel | NodeKind::Map { .. } => {
            let held: f64 = inner.iter().map(|p| p.width).sum::<f64>()
                + BRANCH_GAP * inner.len().saturating_sub(1) as f64;
            // the name on the left of the title band, the kind (and detail) on its right
            let name = node.name.chars().count() as f64 * CHAR;
            let badge = 16 + node.detail.as_deref().map_or(0, |d| d.chars().count() + 3);
            let title = name + badge as f64 * SMALL_CHAR + 40.0;
            let width = held.max(title) + 2.0 * FRAME_PAD;
            let height =
                FRAME_TITLE + inner.iter().map(|p| p.height).fold(0.0, f64::max) + FRAME_PAD;
            (width, height)
        }
        NodeKind::Construct => {
            let lines: Vec<&str> = node
                .detail
                .as_deref()
                .map_or(Vec::new(), |d| d.lines().collect());
            let widest = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0) as f64;
            let name = node.name.chars().count() as f64 * CHAR;
            let width = (name.max(widest * SMALL_CHAR) + 28.0).max(96.0).ceil();
            (width, 28.0 + 13.0 * lines.len() as f64)
        }
        kind => {
            let extra = if kind == NodeKind::Choice { 44.0 } else { 28.0 };
            let width = (text_width(node) + extra).max(96.0).ceil();
            let two_lines = node.detail.is_some() || node.retriers > 0;
            (width, if two_lines { 44.0 } else { 32.0 })
        }
    }
}

/// A box of the layered graph: a state, or a bend point of an edge that spans layers (its
/// label's place when it is the first one).
struct LNode {
    width: f64,
    height: f64,
    real: Option<usize>,
    layer: usize,
}

fn place_scope(g: &Graph, s: usize) -> Placed {
    let scope = &g.scopes[s];
    let inners: Vec<Vec<Placed>> = scope
        .nodes
        .iter()
        .map(|n| n.scopes.iter().map(|&c| place_scope(g, c)).collect())
        .collect();
    let count = scope.nodes.len();
    let edges = &scope.edges;

    // 1. the edges that close loops, found depth first from the start, are reversed
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); count];
    for (i, e) in edges.iter().enumerate() {
        out[e.from].push(i);
    }
    let mut reversed = vec![false; edges.len()];
    let mut state = vec![0u8; count]; // 0 new, 1 on the path, 2 done
    for root in 0..count {
        if state[root] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        state[root] = 1;
        while let Some(top) = stack.last_mut() {
            let (v, next) = *top;
            if next < out[v].len() {
                top.1 += 1;
                let e = out[v][next];
                let w = edges[e].to;
                match state[w] {
                    0 => {
                        state[w] = 1;
                        stack.push((w, 0));
                    }
                    1 => reversed[e] = true,
                    _ => {}
                }
            } else {
                state[v] = 2;
                stack.pop();
            }
        }
    }
    let dag = |i: usize| {
        let e = &edges[i];
        if reversed[i] {
            (e.to, e.from)
        } else {
            (e.from, e.to)
        }
    };

    // 2. layers by longest path
    let mut indegree = vec![0usize; count];
    let mut succ: Vec<Vec<usize>> = vec![Vec::new(); count];
    for i in 0..edges.len() {
        let (a, b) = dag(i);
        if a != b {
            succ[a].push(b);
            indegree[b] += 1;
        }
    }
    let mut rank = vec![0usize; count];
    let mut ready: Vec<usize> = (0..count).filter(|&v| indegree[v] == 0).rev().collect();
    while let Some(v) = ready.pop() {
        for &w in &succ[v] {
            rank[w] = rank[w].max(rank[v] + 1);
            indegree[w] -= 1;
            if indegree[w] == 0 {
                ready.push(w);
            }
        }
    }
    if let Some(end) = scope.nodes.iter().position(|n| n.kind == NodeKind::End) {
        let deepest = (0..count)
            .filter(|&v| v != end)
            .map(|v| rank[v])
            .max()
            .unwrap_or(0);
        rank[end] = deepest + 1;
    }

    // 3. real boxes on even layers, a bend point on each layer an edge crosses
    let sizes: Vec<(f64, f64)> = scope
        .nodes
        .iter()
        .zip(&inners)
        .map(|(n, inner)| size_of(n, inner))
        .collect();
    let mut lnodes: Vec<LNode> = (0..count)
        .map(|v| LNode {
            width: sizes[v].0,
            height: sizes[v].1,
            real: Some(v),
            layer: 2 * rank[v],
        })
        .collect();
    let mut chains: Vec<Vec<usize>> = Vec::with_capacity(edges.len());
    let mut preds: Vec<Vec<usize>> = vec![Vec::new(); count];
    let mut succs: Vec<Vec<usize>> = vec![Vec::new(); count];
    // a line over more layers than this is a jump: to a label below its source
    let mut jumps: Vec<Option<String>> = vec![None; edges.len()];
    for i in 0..edges.len() {
        let (a, b) = dag(i);
        if a == b {
            chains.push(vec![a]);
            continue;
        }
        if lnodes[b].layer - lnodes[a].layer > 2 * MAX_RANKS {
            let (from, to) = (edges[i].from, edges[i].to);
            let arrow = if reversed[i] { '↑' } else { '↓' };
            let text = match &edges[i].label {
                Some(l) => format!("{l} {arrow} {}", scope.nodes[to].name),
                None => format!("{arrow} {}", scope.nodes[to].name),
            };
            let label = super::build::shorten(&text);
            lnodes.push(LNode {
                width: label.chars().count() as f64 * SMALL_CHAR + 8.0,
                height: LABEL_HEIGHT,
                real: None,
                layer: lnodes[from].layer + 1,
            });
            let d = lnodes.len() - 1;
            preds.push(vec![from]);
            succs.push(Vec::new());
            succs[from].push(d);
            chains.push(vec![from, d]);
            jumps[i] = Some(text);
            continue;
        }
        let mut chain = vec![a];
        for layer in lnodes[a].layer + 1..lnodes[b].layer {
            let labelled = layer == lnodes[a].layer + 1 && edges[i].label.is_some();
            let width = match (&edges[i].label, labelled) {
                (Some(l), true) => l.chars().count() as f64 * SMALL_CHAR + 8.0,
                _ => 2.0,
            };
            lnodes.push(LNode {
                width,
                height: if labelled { LABEL_HEIGHT } else { 0.0 },
                real: None,
                layer,
            });
            preds.push(Vec::new());
            succs.push(Vec::new());
            chain.push(lnodes.len() - 1);
        }
        chain.push(b);
        for pair in chain.windows(2) {
            succs[pair[0]].push(pair[1]);
            preds[pair[1]].push(pair[0]);
        }
        chains.push(chain);
    }
    let layer_count = lnodes.iter().map(|n| n.layer).max().unwrap_or(0) + 1;

    // 4. the order within each layer: first as met depth first from the start, then by
    // barycenters, down and up, keeping the order with the fewest crossings
    let mut layers: Vec<Vec<usize>> = vec![Vec::new(); layer_count];
    let mut seen = vec![false; lnodes.len()];
    for root in 0..lnodes.len() {
        let mut stack = vec![root];
        while let Some(v) = stack.pop() {
            if seen[v] {
                continue;
            }
            seen[v] = true;
            layers[lnodes[v].layer].push(v);
            for &w in succs[v].iter().rev() {
                if !seen[w] {
                    stack.push(w);
                }
            }
        }
    }
    let mut pos = vec![0usize; lnodes.len()];
    let index = |layers: &[Vec<usize>], pos: &mut [usize]| {
        for layer in layers {
            for (i, &v) in layer.iter().enumerate() {
                pos[v] = i;
            }
        }
    };
    index(&layers, &mut pos);
    let mut best = layers.clone();
    let mut best_crossings = crossings(&layers, &succs, &pos);
    for round in 0..ROUNDS {
        if best_crossings == 0 {
            break;
        }
        let (down, order) = sweep(round, layer_count);
        for l in order {
            let neighbours = if down { &preds } else { &succs };
            let mut keyed: Vec<(f64, usize, usize)> = layers[l]
                .iter()
                .map(|&v| {
                    let n = &neighbours[v];
                    let key = if n.is_empty() {
                        pos[v] as f64
                    } else {
                        n.iter().map(|&u| pos[u] as f64).sum::<f64>() / n.len() as f64
                    };
                    (key, pos[v], v)
                })
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            layers[l] = keyed.into_iter().map(|(_, _, v)| v).collect();
            for (i, &v) in layers[l].iter().enumerate() {
                pos[v] = i;
            }
        }
        let c = crossings(&layers, &succs, &pos);
        if c < best_crossings {
            best_crossings = c;
            best = layers.clone();
        }
    }
    let layers = best;
    index(&layers, &mut pos);

    // 5. x: each box toward the median of its neighbours, boxes of a layer kept apart
    let mut x = vec![0.0f64; lnodes.len()];
    for layer in &layers {
        let mut left = 0.0;
        for (i, &v) in layer.iter().enumerate() {
            if i > 0 {
                left += separation(&lnodes, layer[i - 1], v);
            }
            x[v] = left + lnodes[v].width / 2.0;
            left += lnodes[v].width;
        }
    }
    for round in 0..ROUNDS {
        let (down, order) = sweep(round, layer_count);
        for l in order {
            let neighbours = if down { &preds } else { &succs };
            let desired: Vec<f64> = layers[l]
                .iter()
                .map(|&v| median(neighbours[v].iter().map(|&u| x[u])).unwrap_or(x[v]))
                .collect();
            place(&layers[l], &desired, &lnodes, &mut x);
        }
    }

    // 6. y: each layer as tall as its tallest box
    let mut layer_top = vec![0.0f64; layer_count];
    let mut layer_height = vec![0.0f64; layer_count];
    let mut y = 0.0;
    for l in 0..layer_count {
        let h = layers[l]
            .iter()
            .map(|&v| lnodes[v].height)
            .fold(0.0, f64::max)
            .max(if l % 2 == 0 { 0.0 } else { 6.0 });
        layer_top[l] = y;
        layer_height[l] = h;
        y += h + LAYER_GAP;
    }
    let height = (y - LAYER_GAP).max(0.0);
    let min_x = (0..lnodes.len())
        .map(|v| x[v] - lnodes[v].width / 2.0)
        .fold(f64::INFINITY, f64::min);
    let max_x = (0..lnodes.len())
        .map(|v| x[v] + lnodes[v].width / 2.0)
        .fold(f64::NEG_INFINITY, f64::max);
    let (min_x, max_x) = if min_x.is_finite() {
        (min_x, max_x)
    } else {
        (0.0, 0.0)
    };
    let center_y = |v: usize| layer_top[lnodes[v].layer] + layer_height[lnodes[v].layer] / 2.0;

    // the boxes, each frame followed by what it holds
    let mut placed = Placed {
        width: max_x - min_x,
        height,
        nodes: Vec::new(),
        edges: Vec::new(),
    };
    let mut inners = inners;
    for (v, node) in scope.nodes.iter().enumerate() {
        let (w, h) = sizes[v];
        let left = x[v] - w / 2.0 - min_x;
        let top = center_y(v) - h / 2.0;
        placed.nodes.push(Node {
            path: node.path.clone(),
            name: node.name.clone(),
            kind: node.kind,
            detail: node.detail.clone(),
            retriers: node.retriers,
            parent: scope.parent.clone(),
            x: round2(left),
            y: round2(top),
            width: w,
            height: h,
        });
        if node.kind.is_frame() {
            let held: f64 = inners[v].iter().map(|p| p.width).sum::<f64>()
                + BRANCH_GAP * inners[v].len().saturating_sub(1) as f64;
            let mut bx = left + (w - held) / 2.0;
            for mut inner in std::mem::take(&mut inners[v]) {
                let inner_width = inner.width;
                inner.shift(bx, top + FRAME_TITLE);
                placed.nodes.extend(inner.nodes);
                placed.edges.extend(inner.edges);
                bx += inner_width + BRANCH_GAP;
            }
        }
    }

    // the lines: through their bend points, leaving and entering boxes at ports spread along
    // the side they use
    let top_of = |v: usize| center_y(v) - lnodes[v].height / 2.0;
    let bottom_of = |v: usize| center_y(v) + lnodes[v].height / 2.0;
    let mut lines: Vec<Vec<(f64, f64)>> = Vec::with_capacity(edges.len());
    let mut label_at: Vec<Option<(f64, f64)>> = vec![None; edges.len()];
    // (node, bottom side?, edge, (index of the end point, of its stub, x of the point beyond))
    let band_bottom = |v: usize| layer_top[lnodes[v].layer] + layer_height[lnodes[v].layer];
    let band_top = |v: usize| layer_top[lnodes[v].layer];
    #[allow(clippy::type_complexity)]
    let mut ports: Vec<(usize, bool, usize, (usize, Option<usize>, f64))> = Vec::new();
    for (i, chain) in chains.iter().enumerate() {
        let e = &edges[i];
        if chain.len() == 1 {
            // a state that goes to itself: a loop on its right side
            let v = chain[0];
            let right = x[v] + lnodes[v].width / 2.0 - min_x;
            let (t, b) = (top_of(v), bottom_of(v));
            let (y1, y2) = (t + (b - t) * 0.3, t + (b - t) * 0.7);
            lines.push(vec![
                (right, y1),
                (right + 18.0, y1),
                (right + 18.0, y2),
                (right, y2),
            ]);
            if e.label.is_some() {
                label_at[i] = Some((right + 24.0, (y1 + y2) / 2.0));
            }
            continue;
        }
        if jumps[i].is_some() {
            // down from its source to the label naming its target
            let (from, d) = (chain[0], chain[1]);
            label_at[i] = Some((x[d] - min_x, center_y(d)));
            let mut points = vec![(x[from] - min_x, bottom_of(from))];
            let stub = band_bottom(from) - bottom_of(from) > 0.5;
            if stub {
                points.push((x[from] - min_x, band_bottom(from)));
            }
            points.push((x[d] - min_x, top_of(d)));
            ports.push((from, true, i, (0, stub.then_some(1), x[d] - min_x)));
            lines.push(points);
            continue;
        }
        // out of its source's box straight down to the bottom of the source's layer, and
        // into its target's straight down from the top of the target's layer: a box shorter
        // than its layer's tallest leaves no slanted line across a taller neighbour
        let first = chain[0];
        let last = chain[chain.len() - 1];
        let mut points = Vec::with_capacity(chain.len() * 2 + 2);
        points.push((x[first] - min_x, bottom_of(first)));
        let first_stub = band_bottom(first) - bottom_of(first) > 0.5;
        if first_stub {
            points.push((x[first] - min_x, band_bottom(first)));
        }
        // through each layer it crosses straight down its band, bending only between layers,
        // so that it passes beside the boxes of the layer, never across one
        for &d in &chain[1..chain.len() - 1] {
            let l = lnodes[d].layer;
            let (top, height) = (layer_top[l], layer_height[l]);
            if label_at[i].is_none() && e.label.is_some() {
                label_at[i] = Some((x[d] - min_x, center_y(d)));
            }
            points.push((x[d] - min_x, top));
            if height > 0.0 {
                points.push((x[d] - min_x, top + height));
            }
        }
        let last_stub = top_of(last) - band_top(last) > 0.5;
        if last_stub {
            points.push((x[last] - min_x, band_top(last)));
        }
        points.push((x[last] - min_x, top_of(last)));
        let n = points.len();
        // (the end point, the stub beside it if any, the x of the next point beyond)
        let out_port = (
            0,
            first_stub.then_some(1),
            points[if first_stub { 2 } else { 1 }].0,
        );
        let in_port = (
            n - 1,
            last_stub.then_some(n - 2),
            points[if last_stub { n - 3 } else { n - 2 }].0,
        );
        if reversed[i] {
            // drawn in its own direction: up, from the top of its source to the bottom of its
            // target
            points.reverse();
            let flip = |(k, stub, nx): (usize, Option<usize>, f64)| {
                (n - 1 - k, stub.map(|s| n - 1 - s), nx)
            };
            ports.push((last, false, i, flip(in_port)));
            ports.push((first, true, i, flip(out_port)));
        } else {
            ports.push((first, true, i, out_port));
            ports.push((last, false, i, in_port));
        }
        lines.push(points);
    }
    ports.sort_by(|a, b| {
        (a.0, a.1)
            .cmp(&(b.0, b.1))
            .then(a.3 .2.total_cmp(&b.3 .2))
            .then(a.2.cmp(&b.2))
    });
    let mut i = 0;
    while i < ports.len() {
        let mut j = i;
        while j < ports.len() && ports[j].0 == ports[i].0 && ports[j].1 == ports[i].1 {
            j += 1;
        }
        let v = ports[i].0;
        let k = (j - i) as f64;
        let (w, left) = (lnodes[v].width, x[v] - lnodes[v].width / 2.0 - min_x);
        // a hexagon's (a choice's) sides slope: its ports stay on the flat middle
        let inset = if scope.nodes[v].kind == NodeKind::Choice {
            18.0
        } else {
            0.0
        };
        for (n, port) in ports[i..j].iter().enumerate() {
            let px = left + inset + (w - 2.0 * inset) * (n as f64 + 1.0) / (k + 1.0);
            let (at, stub, _) = port.3;
            lines[port.2][at].0 = px;
            if let Some(s) = stub {
                lines[port.2][s].0 = px;
            }
        }
        i = j;
    }
    for (i, points) in lines.into_iter().enumerate() {
        let e = &edges[i];
        let (label, title) = match &jumps[i] {
            Some(text) => {
                let short = super::build::shorten(text);
                let title = (short != *text).then(|| text.clone());
                (Some(short), title)
            }
            None => (e.label.clone(), e.title.clone()),
        };
        placed.edges.push(Edge {
            from: scope.nodes[e.from].path.clone(),
            to: scope.nodes[e.to].path.clone(),
            kind: e.kind,
            jump: jumps[i].is_some(),
            label,
            title,
            label_at: label_at[i].map(|(a, b)| (round2(a), round2(b))),
            points: points
                .into_iter()
                .map(|(a, b)| (round2(a), round2(b)))
                .collect(),
        });
    }
    placed
}

/// A round of a sweep over the layers: down on even rounds (each layer after the one above
/// it), up on odd ones.
fn sweep(round: usize, layer_count: usize) -> (bool, Vec<usize>) {
    if round % 2 == 0 {
        (true, (1..layer_count).collect())
    } else {
        (false, (0..layer_count.saturating_sub(1)).rev().collect())
    }
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// The distance between the centers' gap of two neighbours: boxes further apart than bend
/// points.
fn separation(lnodes: &[LNode], a: usize, b: usize) -> f64 {
    if lnodes[a].real.is_some() && lnodes[b].real.is_some() {
        NODE_SEP
    } else {
        DUMMY_SEP
    }
}

fn median(values: impl Iterator<Item = f64>) -> Option<f64> {
    let mut v: Vec<f64> = values.collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    Some(if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    })
}

/// Places the boxes of a layer, in their order, as near their desired centers as they can be
/// (least squares) without two closer than their separation: neighbours that would overlap
/// are merged into a block placed at the mean of its members' wishes.
fn place(layer: &[usize], desired: &[f64], lnodes: &[LNode], x: &mut [f64]) {
    struct Block {
        first: usize,
        last: usize,
        /// sum over members of (desired left edge - offset in the block)
        q: f64,
        n: f64,
        width: f64,
    }
    let mut blocks: Vec<Block> = Vec::new();
    for (k, &v) in layer.iter().enumerate() {
        let mut cur = Block {
            first: k,
            last: k,
            q: desired[k] - lnodes[v].width / 2.0,
            n: 1.0,
            width: lnodes[v].width,
        };
        while let Some(prev) = blocks.pop() {
            let gap = separation(lnodes, layer[prev.last], layer[cur.first]);
            if prev.q / prev.n + prev.width + gap <= cur.q / cur.n {
                blocks.push(prev);
                break;
            }
            let shift = prev.width + gap;
            cur = Block {
                first: prev.first,
                last: cur.last,
                q: prev.q + cur.q - cur.n * shift,
                n: prev.n + cur.n,
                width: shift + cur.width,
            };
        }
        blocks.push(cur);
    }
    for b in blocks {
        let mut left = b.q / b.n;
        for k in b.first..=b.last {
            let v = layer[k];
            x[v] = left + lnodes[v].width / 2.0;
            if k < b.last {
                left += lnodes[v].width + separation(lnodes, v, layer[k + 1]);
            }
        }
    }
}

/// The crossings between adjacent layers (each pair of segments that cross once), counted
/// with a Fenwick tree: O(E log V).
fn crossings(layers: &[Vec<usize>], succs: &[Vec<usize>], pos: &[usize]) -> usize {
    let mut total = 0;
    for l in 0..layers.len().saturating_sub(1) {
        let mut segments: Vec<(usize, usize)> = layers[l]
            .iter()
            .flat_map(|&u| succs[u].iter().map(move |&w| (pos[u], pos[w])))
            .collect();
        segments.sort_unstable();
        let size = layers[l + 1].len() + 1;
        let mut tree = vec![0usize; size + 1];
        for (seen, (_, b)) in segments.into_iter().enumerate() {
            // segments already added whose end is right of b cross this one
            let mut i = b + 1;
            let mut at_or_left = 0;
            while i > 0 {
                at_or_left += tree[i];
                i &= i - 1;
            }
            total += seen - at_or_left;
            let mut i = b + 1;
            while i <= size {
                tree[i] += 1;
                i += i & i.wrapping_neg();
            }
        }
    }
    total
}
