//! The SVG of a laid-out diagram: one self-contained document, its style inside, every box a
//! group with the state's path (`data-path`) so that a page can find it.

use std::fmt::Write;

use super::layout::{FRAME_TITLE, SMALL_CHAR};
use super::{Diagram, EdgeKind, Node, NodeKind};

const STYLE: &str = "\
svg{font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif}\
.state .shape{stroke-width:1.5}\
.state text{font-size:12px;fill:#1f2328;text-anchor:middle}\
.state text.detail{font-size:10px;fill:#57606a}\
.task .shape{fill:#e8f1fb;stroke:#2f6fb3}\
.pass .shape{fill:#f3f4f6;stroke:#8a8f98}\
.wait .shape{fill:#f3ecfb;stroke:#7a4fb3}\
.choice .shape{fill:#fff4e0;stroke:#c97a00}\
.succeed .shape{fill:#e6f6ea;stroke:#2e8540}\
.fail .shape{fill:#fdecea;stroke:#c0392b}\
.start .shape,.end .shape{fill:#f6f8fa;stroke:#57606a}\
.parallel>.shape,.map>.shape{fill:#fbfbfd;stroke:#6b7a90;stroke-dasharray:6 4}\
.map.distributed>.shape{stroke:#9a3412}\
text.frame-title{text-anchor:start;font-weight:600}\
text.badge{font-size:10px;text-anchor:end;fill:#57606a}\
.map.distributed text.badge{fill:#9a3412;font-weight:600}\
.edge path{fill:none;stroke:#57606a;stroke-width:1.3}\
.edge.catch path{stroke:#c0392b;stroke-dasharray:5 3}\
.edge.default path{stroke-dasharray:2 3}\
.edge text{font-size:10px;fill:#1f2328;text-anchor:middle}\
.edge.catch text{fill:#c0392b}\
.construct .shape{fill:#ffffff;stroke:#424a53}\
.stack .shape{fill:#f6f8fa;stroke:#57606a;stroke-dasharray:4 3}\
.edge.grant path{stroke:#1a7f37;stroke-dasharray:6 3}\
.edge.grant text{fill:#1a7f37}\
.edge.integration path{stroke:#0969da;stroke-width:1.6}\
.edge.event-source path{stroke:#8250df;stroke-width:1.6}\
.edge.subscription path{stroke:#bc4c00;stroke-width:1.6}\
.edge.export path{stroke:#57606a;stroke-dasharray:2 3}\
.edge rect{fill:#ffffff;opacity:0.9}\
.edge.jump rect{fill:#f6f8fa;stroke:#8a8f98;stroke-width:0.8;opacity:1}";

/// Text as XML (or HTML) character data or an attribute value; control characters other than
/// tab and newline become U+FFFD.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if (c as u32) < 0x20 && c != '\t' && c != '\n' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

pub(super) fn render(d: &Diagram, title: &str) -> String {
    let mut s = String::with_capacity(512 + d.nodes.len() * 400 + d.edges.len() * 200);
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{t}\">\n<title>{t}</title>\n<style>{STYLE}</style>\n<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto-start-reverse\"><path d=\"M0,0L10,5L0,10z\" fill=\"#57606a\"/></marker><marker id=\"arrow-catch\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto-start-reverse\"><path d=\"M0,0L10,5L0,10z\" fill=\"#c0392b\"/></marker></defs>\n",
        w = d.width,
        h = d.height,
        t = escape(title),
    );
    // frames first (behind), then the lines, then the boxes over them
    for (i, n) in d
        .nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| n.kind.is_frame())
    {
        node(&mut s, i, n);
    }
    for e in &d.edges {
        let class = e.kind.class();
        let jump = if e.jump { " jump" } else { "" };
        let _ = write!(
            s,
            "<g class=\"edge {class}{jump}\" data-from=\"{}\" data-to=\"{}\">",
            escape(&e.from),
            escape(&e.to)
        );
        if let Some(t) = e.title.as_deref().or(e.label.as_deref()) {
            let _ = write!(s, "<title>{}</title>", escape(t));
        }
        let path = rounded(&e.points);
        let marker = if e.kind == EdgeKind::Catch {
            "arrow-catch"
        } else {
            "arrow"
        };
        let _ = write!(s, "<path d=\"{path}\" marker-end=\"url(#{marker})\"/>");
        if let (Some(label), Some((x, y))) = (&e.label, e.label_at) {
            let w = label.chars().count() as f64 * SMALL_CHAR + 8.0;
            let _ = write!(
                s,
                "<rect x=\"{}\" y=\"{}\" width=\"{w}\" height=\"14\" rx=\"3\"/><text x=\"{x}\" y=\"{}\">{}</text>",
                round2(x - w / 2.0),
                round2(y - 7.0),
                round2(y + 3.5),
                escape(label)
            );
        }
        s.push_str("</g>\n");
    }
    for (i, n) in d
        .nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| !n.kind.is_frame())
    {
        node(&mut s, i, n);
    }
    s.push_str("</svg>\n");
    s
}

/// The SVG path of a line through `points`, its bends rounded (a quadratic curve across each,
/// at most 10 px from the bend point).
fn rounded(points: &[(f64, f64)]) -> String {
    let mut path = String::new();
    let Some(&(x0, y0)) = points.first() else {
        return path;
    };
    let _ = write!(path, "M{x0},{y0}");
    for k in 1..points.len() {
        let (x, y) = points[k];
        match points.get(k + 1) {
            Some(&(nx, ny)) => {
                let (px, py) = points[k - 1];
                let toward = |(ax, ay): (f64, f64), (bx, by): (f64, f64)| {
                    let len = ((bx - ax).powi(2) + (by - ay).powi(2)).sqrt();
                    let r = (len / 2.0).min(10.0);
                    if len == 0.0 {
                        (ax, ay)
                    } else {
                        (ax + (bx - ax) * r / len, ay + (by - ay) * r / len)
                    }
                };
                let (bx, by) = toward((x, y), (px, py));
                let (ax, ay) = toward((x, y), (nx, ny));
                let _ = write!(
                    path,
                    "L{},{}Q{x},{y} {},{}",
                    round2(bx),
                    round2(by),
                    round2(ax),
                    round2(ay)
                );
            }
            None => {
                let _ = write!(path, "L{x},{y}");
            }
        }
    }
    path
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

fn node(s: &mut String, i: usize, n: &Node) {
    let (x, y, w, h) = (n.x, n.y, n.width, n.height);
    let _ = write!(
        s,
        "<g class=\"state {}\" id=\"n{i}\" data-path=\"{}\"><title>{}</title>",
        n.kind.class(),
        escape(&n.path),
        escape(&n.path)
    );
    match n.kind {
        NodeKind::Choice => {
            let k = 14.0;
            let _ = write!(
                s,
                "<path class=\"shape\" d=\"M{},{}L{},{}L{},{}L{},{}L{},{}L{},{}z\"/>",
                round2(x + k),
                y,
                round2(x + w - k),
                y,
                round2(x + w),
                round2(y + h / 2.0),
                round2(x + w - k),
                round2(y + h),
                round2(x + k),
                round2(y + h),
                x,
                round2(y + h / 2.0)
            );
        }
        kind => {
            let r = match kind {
                NodeKind::Start | NodeKind::End | NodeKind::Succeed | NodeKind::Fail => h / 2.0,
                NodeKind::Parallel | NodeKind::Map { .. } => 8.0,
                _ => 6.0,
            };
            let _ = write!(
                s,
                "<rect class=\"shape\" x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"{h}\" rx=\"{r}\"/>"
            );
        }
    }
    if n.kind.is_frame() {
        let badge = match n.kind {
            NodeKind::Parallel => "Parallel",
            NodeKind::Map { distributed: true } => "Distributed Map",
            _ => "Map",
        };
        let badge = match &n.detail {
            Some(d) => format!("{badge} · {d}"),
            None => badge.to_string(),
        };
        let _ = write!(
            s,
            "<text class=\"frame-title\" x=\"{}\" y=\"{}\">{}</text><text class=\"badge\" x=\"{}\" y=\"{}\">{}</text>",
            round2(x + 12.0),
            round2(y + FRAME_TITLE / 2.0 + 4.0),
            escape(&n.name),
            round2(x + w - 12.0),
            round2(y + FRAME_TITLE / 2.0 + 4.0),
            escape(&badge),
        );
        s.push_str("</g>\n");
        return;
    }
    let cx = round2(x + w / 2.0);
    if n.kind == NodeKind::Construct {
        let _ = write!(
            s,
            "<text x=\"{cx}\" y=\"{}\" style=\"font-weight:600\">{}</text>",
            round2(y + 18.0),
            escape(&n.name)
        );
        for (k, line) in n.detail.as_deref().unwrap_or_default().lines().enumerate() {
            let _ = write!(
                s,
                "<text class=\"detail\" x=\"{cx}\" y=\"{}\">{}</text>",
                round2(y + 34.0 + 13.0 * k as f64),
                escape(line)
            );
        }
        s.push_str("</g>\n");
        return;
    }
    let detail = match (&n.detail, n.retriers) {
        (Some(d), 0) => Some(d.clone()),
        (Some(d), r) => Some(format!("{d} · retry ×{r}")),
        (None, 0) => None,
        (None, r) => Some(format!("retry ×{r}")),
    };
    match detail {
        Some(d) => {
            let _ = write!(
                s,
                "<text x=\"{cx}\" y=\"{}\">{}</text><text class=\"detail\" x=\"{cx}\" y=\"{}\">{}</text>",
                round2(y + 18.0),
                escape(&n.name),
                round2(y + 33.0),
                escape(&d)
            );
        }
        None => {
            let _ = write!(
                s,
                "<text x=\"{cx}\" y=\"{}\">{}</text>",
                round2(y + h / 2.0 + 4.0),
                escape(&n.name)
            );
        }
    }
    s.push_str("</g>\n");
}
