"""Typed CloudWatch metrics for the generated L1 layer (see l1gen.py), from the AWS CDK's
service spec (@aws-cdk/aws-service-spec's db.json.gz: each resource type's metrics with their
namespace, default statistic and the dimension sets they are published under). Per resource
type with metrics, `<type>::metrics` holds one struct per dimension set
(`queue::metrics::Queue::new(queue_name)`) whose methods are the metrics published under it."""

import gzip
import json
import re

from l1gen import camel, rust_str, snake

STATISTICS = {
    "Sum": "Statistic::Sum",
    "Average": "Statistic::Average",
    "Maximum": "Statistic::Maximum",
    "Minimum": "Statistic::Minimum",
    "SampleCount": "Statistic::SampleCount",
}


def load_metrics(path):
    """{CloudFormation type: [(set name, [dimension names], [(metric, namespace, statistic)])]}"""
    with gzip.open(path, "rt", encoding="utf-8") as f:
        d = json.load(f)["schema"]
    res = {e["$id"]: e for e in d["resource"]["entities"]}
    met = {e["$id"]: e for e in d["metric"]["entities"]}
    dims = {e["$id"]: e for e in d["dimensionSet"]["entities"]}
    rhm = d["resourceHasMetric"]["forward"]
    rhd = d["resourceHasDimensionSet"]["forward"]
    mud = d["usesDimensionSet"]["forward"]
    out = {}
    for rid in sorted(rhm, key=lambda r: res[r]["cloudFormationType"]):
        own = {x["$id"] for x in rhd.get(rid, [])}
        groups = {}
        for m in rhm[rid]:
            metric = met[m["$id"]]
            for ds in mud.get(m["$id"], []):
                if ds["$id"] not in own:
                    continue
                dset = dims[ds["$id"]]
                key = tuple(x["name"] for x in dset["dimensions"])
                g = groups.setdefault(key, (dset["name"], {}))
                g[1].setdefault(metric["name"], (metric["namespace"], metric["statistic"]))
        if groups:
            out[res[rid]["cloudFormationType"]] = [
                (name, list(key), sorted((n, ns, st) for n, (ns, st) in ms.items()))
                for key, (name, ms) in sorted(groups.items(), key=lambda kv: (kv[1][0], kv[0]))
            ]
    return out


def statistic(text):
    if text in STATISTICS:
        return STATISTICS[text]
    m = re.fullmatch(r"p(\d+(\.\d+)?)", text)
    if m:
        return f"Statistic::Percentile({float(m.group(1))!r})"
    raise SystemExit(f"error: the service spec names a statistic rcdk does not know: {text}")


def render_metrics(type_name, groups):
    out = [
        f"/// The CloudWatch metrics of `{type_name}`, by the dimensions they are published under\n"
        "/// (the AWS CDK's service spec): `Struct::new(dimension values..).metric_name()`.\n"
        "pub mod metrics {\n"
        "    use crate::cloudwatch::{Metric, Statistic};\n"
        "    #[allow(unused_imports)]\n    use crate::core::l1 as t;\n\n"
    ]
    names = set()
    for set_name, dims, metrics in groups:
        name = camel(set_name) or "Account"
        base, n = name, 1
        while name in names:
            n += 1
            name = f"{base}{n}"
        names.add(name)
        by = ", ".join(f"`{d}`" for d in dims) if dims else "no dimension (the account)"
        out.append(
            f"    /// The metrics of `{type_name}` by {by}.\n"
            f"    #[derive(Debug, Clone, PartialEq{', Default' if not dims else ''})]\n    pub struct {name} {{\n"
            "        dimensions: Vec<(&'static str, t::Value)>,\n    }\n\n"
            f"    impl {name} {{\n"
        )
        params = ", ".join(f"{snake(d)}: impl Into<t::Value>" for d in dims)
        values = ", ".join(f"({rust_str(d)}, {snake(d)}.into())" for d in dims)
        out.append(
            f"        /// The metrics with these dimension values (names, ids or tokens).\n"
            f"        pub fn new({params}) -> Self {{\n"
            f"            Self {{ dimensions: vec![{values}] }}\n        }}\n"
        )
        used = {"new"}
        for metric, namespace, stat in metrics:
            method = snake(metric)
            if method[0] == "n" and metric[:1].isdigit():
                method = "metric_" + method[1:]
            while method in used:
                method += "_"
            used.add(method)
            out.append(
                f"        /// `{metric}` in `{namespace}` ({stat} by default).\n"
                f"        #[inline]\n        pub fn {method}(&self) -> Metric {{\n"
                f"            Metric::published({rust_str(namespace)}, {rust_str(metric)}, {statistic(stat)}, &self.dimensions)\n"
                "        }\n"
            )
        out.append("    }\n\n")
    out[-1] = out[-1].rstrip("\n") + "\n"
    out.append("}\n")
    return "".join(out)
