"""The generated L1 layer: one Rust module per CloudFormation service (constructs/src/l1/),
written from the same registry schemas as constructs/src/registry/schemas.rs, and the
every_type example that adds a minimal instance of every type. Called by
scripts/generate-registry; deterministic (same schemas, same bytes).

Per resource type `AWS::Svc::Name`: `svc::CfnName`, its required properties in `new(..)`, a
setter per writable property, `svc::name::*` for its nested property types (structs with
`new(required..)` and setters) and enums (with `Other(Value)` for values newer than the
schema), and a typed accessor on `L1Ref<CfnName>` per attribute (`attr_arn()`). The every_type
example is l1gen_samples.py's, the typed metrics l1gen_metrics.py's.
"""

import json
import os
import re

KEYWORDS = set(
    "as break const continue crate else enum extern false fn for if impl in let loop match mod "
    "move mut pub ref return self Self static struct super trait true type unsafe use where while "
    "async await dyn abstract become box do final macro override priv typeof unsized virtual "
    "yield try gen union".split()
)
# names the generated modules use from core::l1 (as `t::..`), which a type may not shadow
RESERVED_TYPES = {"Self", "Option", "Some", "None", "Vec", "String", "From", "Into", "Default"}

# the services the hand-written L2s stand on: on by default, and compiled whatever the
# features (the L2s need them)
DEFAULT_SERVICES = [
    "apigateway", "apigatewayv2", "certificatemanager", "cloudfront", "cloudwatch", "cognito",
    "dynamodb", "events", "iam", "kms", "lambda", "logs", "route53", "s3", "scheduler",
    "secretsmanager", "sns", "sqs", "ssm", "stepfunctions",
]
L2_SERVICES = DEFAULT_SERVICES


def snake(name):
    s = re.sub(r"[^0-9A-Za-z]+", "_", name)
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", s)
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s)
    s = re.sub(r"_+", "_", s).strip("_").lower()
    if not s:
        s = "value"
    if s[0].isdigit():
        s = "n" + s
    if s in KEYWORDS:
        s += "_"
    return s


def camel(name):
    out = ""
    for p in re.split(r"[^0-9A-Za-z]+", name):
        if not p:
            continue
        if p.isupper() or p.islower():
            p = p.lower()
        out += p[0].upper() + p[1:]
    if not out:
        out = "Empty"
    if out[0].isdigit():
        out = "V" + out
    if out in RESERVED_TYPES:
        out += "_"
    return out


def service_of(type_name):
    ns, svc, _ = type_name.split("::")
    name = svc.lower() if ns == "AWS" else f"{ns.lower()}_{svc.lower()}"
    if name in KEYWORDS:
        name += "_"
    return name


def doc_lines(text, limit=300):
    """The first paragraph of a schema description, safe as a doc comment (no code blocks,
    no HTML), cut at a sentence near `limit`."""
    if not text:
        return []
    para = re.split(r"\n\s*\n", text.strip())[0]
    para = " ".join(line.strip() for line in para.splitlines() if line.strip())
    para = para.replace("```", "`").replace("~~~", "~").replace("<", "&lt;").replace(">", "&gt;")
    para = re.sub(r"`{2,}", "`", para)
    if para.count("`") % 2:
        para = para.replace("`", "'")
    if len(para) > limit:
        cut = para.rfind(". ", 0, limit)
        para = para[: cut + 1] if cut > 80 else para[:limit].rsplit(" ", 1)[0] + " …"
        if para.count("`") % 2:
            para = para.replace("`", "'")
    words, lines, line = para.split(" "), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > 120:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}" if line else w
    if line:
        lines.append(line)
    return lines


def doc(indent, text, extra=None):
    lines = doc_lines(text)
    if extra:
        if lines:
            lines.append("")
        lines.extend(extra)
    if not lines:
        return ""
    return "".join(f"{indent}///{(' ' + l) if l else ''}\n" for l in lines)


def rust_str(s):
    return json.dumps(s, ensure_ascii=False)


class Module:
    """The nested types of one resource type: structs and enums named uniquely."""

    def __init__(self, resource_schema):
        self.schema = resource_schema
        self.defs = resource_schema.get("definitions", {}) or {}
        self.names = set()
        self.items = []  # rendered Rust items, in creation order
        self.by_def = {}  # definition name -> (kind, rust type name)
        self.by_enum = {}  # (name, values) -> enum name
        self.by_shape = {}  # an object's schema (JSON) -> struct name

    def unique(self, base):
        name = camel(base)
        n, candidate = 1, name
        while candidate in self.names:
            n += 1
            candidate = f"{name}{n}"
        self.names.add(candidate)
        return candidate


def resolve(module, node):
    """Follows a local `$ref` (one level at a time) to the definition; returns (name, node)."""
    seen = 0
    name = None
    while isinstance(node, dict) and "$ref" in node and seen < 10:
        ref = node["$ref"]
        if not ref.startswith("#/definitions/"):
            return name, {}
        name = ref[len("#/definitions/"):]
        node = module.defs.get(name, {})
        seen += 1
    return name, node


def is_tag_shape(node):
    props = node.get("properties") or {}
    return (
        node.get("type") in ("object", None)
        and set(props) == {"Key", "Value"}
        and all((props[k].get("type") == "string") for k in props)
    )


def type_of(module, node, hint, path):
    """The Rust type a setter takes for schema `node` (a property), creating nested structs
    and enums in `module` as needed. `hint` names a type made for an inline node."""
    def_name, node = resolve(module, node)
    if not isinstance(node, dict):
        return "t::Json"
    if def_name and def_name in module.by_def:
        return module.by_def[def_name]
    ty = node.get("type")
    if isinstance(ty, list):
        ty = ty[0] if len(ty) == 1 else None
    if "properties" not in node and ty in (None, "object"):
        union = {}
        for key in ("oneOf", "anyOf"):
            for b in node.get(key) or []:
                if isinstance(b, dict) and isinstance(b.get("properties"), dict):
                    for k, v in b["properties"].items():
                        union.setdefault(k, v)
        if union:
            node = dict(node)
            node["properties"] = union
            ty = "object"
    if ty is None and "properties" in node:
        ty = "object"
    if ty is None and "items" not in node:
        # a list or a JSON string (DynamoDB's KeySchema): typed as the first form
        for key in ("oneOf", "anyOf"):
            branches = [b for b in node.get(key) or [] if isinstance(b, dict)]
            if branches and ("$ref" in branches[0] or branches[0].get("type") == "array"):
                first = type_of(module, branches[0], hint, path)
                if first != "t::Json":
                    return first
    if ty is None and "items" in node:
        ty = "array"
    if ty == "string":
        values = node.get("enum")
        if values and all(isinstance(v, str) for v in values) and len(set(values)) == len(values):
            key = (def_name or hint, tuple(values))
            if key in module.by_enum:
                return module.by_enum[key]
            name = module.unique(def_name or qualified_hint(module, hint, path))
            module.by_enum[key] = name
            if def_name:
                module.by_def[def_name] = name
            module.items.append(("enum", name, node, values))
            return name
        return "t::Str"
    if ty == "integer":
        return "t::Int"
    if ty == "number":
        return "t::Num"
    if ty == "boolean":
        return "t::Bool"
    if ty == "array":
        items = node.get("items")
        if not isinstance(items, dict):
            return "t::List<t::Json>"
        inner = type_of(module, items, singular(def_name or hint), path + "/*")
        if def_name:
            module.by_def[def_name] = f"t::List<{inner}>"
        return f"t::List<{inner}>"
    if ty == "object":
        props = node.get("properties")
        if props and isinstance(props, dict):
            if is_tag_shape(node) and (def_name or hint) in ("Tag", "Tags"):
                if def_name:
                    module.by_def[def_name] = "t::Tag"
                return "t::Tag"
            shape = json.dumps(node, sort_keys=True)
            if shape in module.by_shape:  # the same object written out twice: one struct
                if def_name:
                    module.by_def[def_name] = module.by_shape[shape]
                return module.by_shape[shape]
            name = module.unique(def_name or qualified_hint(module, hint, path))
            if def_name:
                module.by_def[def_name] = name
            module.by_shape[shape] = name
            slot = len(module.items)
            module.items.append(None)  # reserve the place: a struct may refer to itself
            fields = struct_fields(module, node, path, set())
            module.items[slot] = ("struct", name, node, fields)
            return name
        pattern = node.get("patternProperties")
        if isinstance(pattern, dict) and len(pattern) == 1:
            (value,) = pattern.values()
            inner = type_of(module, value, hint + "Value", path + "/*")
            return f"t::Map<{inner}>"
        extra = node.get("additionalProperties")
        if isinstance(extra, dict) and extra:
            inner = type_of(module, extra, hint + "Value", path + "/*")
            return f"t::Map<{inner}>"
        return "t::Json"
    return "t::Json"


def qualified_hint(module, hint, path):
    """An inline type's name: the property's, or, when a type of the module already has it,
    the property's prefixed by its parent's (`VersioningConfigurationStatus`)."""
    parts = [p for p in path.split("/") if p and p != "*"]
    if camel(hint) in module.names and len(parts) >= 2:
        return parts[-2] + camel(hint)
    return hint


def singular(name):
    if name.endswith("ies"):
        return name[:-3] + "y"
    if name.endswith("sses"):
        return name[:-2]
    if name.endswith("s") and not name.endswith("ss"):
        return name[:-1]
    return name + "Item"


def struct_fields(module, node, path, skip):
    """(method, cfn name, rust type, required, schema) per property of an object node."""
    props = node.get("properties") or {}
    required = [r for r in (node.get("required") or []) if isinstance(r, str) and r in props]
    fields, methods = [], {"new", "default", "clone", "from", "into", "eq", "fmt"}
    for name in sorted(props):
        if name in skip:
            continue
        method = snake(name)
        while method in methods:
            method += "_"
        methods.add(method)
        ty = type_of(module, props[name], name, f"{path}/{name}")
        fields.append((method, name, ty, name in required, props[name]))
    return fields


def render_setters(fields):
    out = []
    for method, name, ty, required, schema in fields:
        if required:
            continue
        text = schema.get("description") if isinstance(schema, dict) else None
        out.append(doc("    ", f"`{name}`: {text}" if text else f"`{name}`."))
        out.append(
            f"    pub fn {method}(mut self, v: impl Into<{ty}>) -> Self "
            f"{{ self.0.put::<{ty}>({rust_str(name)}, v.into()); self }}\n"
        )
    return "".join(out)


def render_new(fields, doc_text):
    req = [f for f in fields if f[3]]
    params = ", ".join(f"{m}: impl Into<{ty}>" for m, _, ty, _, _ in req)
    body = "".join(
        f"        p.put::<{ty}>({rust_str(name)}, {m}.into());\n" for m, name, ty, _, _ in req
    )
    allow = "    #[allow(clippy::too_many_arguments)]\n" if len(req) > 7 else ""
    mut = "mut " if req else ""
    inline = "" if req else "    #[inline]\n"
    return (
        f"    /// {doc_text}\n{allow}{inline}"
        f"    pub fn new({params}) -> Self {{\n"
        f"        let {mut}p = t::Props::default();\n{body}"
        "        Self(p)\n    }\n"
    )


def render_struct(name, node, fields):
    derive = "Debug, Clone, PartialEq" + ("" if any(f[3] for f in fields) else ", Default")
    out = doc("", node.get("description"), [f"A property type: {len(fields)} properties."])
    out += f"#[derive({derive})]\npub struct {name}(t::Props);\n\n"
    req = [f[1] for f in fields if f[3]]
    what = "With its required properties " + ", ".join(f"`{r}`" for r in req) + "." if req else "Empty."
    out += f"impl {name} {{\n" + render_new(fields, what) + render_setters(fields) + "}\n\n"
    out += (
        f"impl From<{name}> for t::Value {{ #[inline] fn from(v: {name}) -> t::Value {{ v.0.into_value() }} }}\n"
        f"// the whole property as a value: a token (`fns::if_`), or an object written by hand\n"
        f"impl From<t::Value> for {name} {{ #[inline] fn from(v: t::Value) -> {name} {{ {name}(t::Props::from_value(v)) }} }}\n\n"
    )
    return out


def render_enum(name, node, values):
    out = doc("", node.get("description"), ["One of the values the schema lists."])
    out += f"#[derive(Debug, Clone, PartialEq)]\npub enum {name} {{\n"
    variants, used = [], {"Other"}
    for v in values:
        var = "Wildcard" if v == "*" else camel(v)
        if var.endswith("_"):
            var = var[:-1] + "Value"
        base, n = var, 1
        while var in used:
            n += 1
            var = f"{base}{n}"
        used.add(var)
        variants.append((var, v))
        out += f"    #[doc = {rust_str('`' + v.replace('`', '') + '`')}] {var},\n"
    out += "    /// A value the schema does not list (newer than rcdk's schemas), or a token.\n"
    out += "    Other(t::Value),\n}\n\n"
    out += f"impl From<{name}> for t::Value {{\n    #[inline]\n    fn from(v: {name}) -> t::Value {{\n"
    out += "        t::Value::from(match v {\n"
    for var, v in variants:
        out += f"            {name}::{var} => {rust_str(v)},\n"
    out += f"            {name}::Other(v) => return v,\n        }})\n    }}\n}}\n\n"
    return out, variants


def attributes(schema):
    attrs = []
    for p in schema.get("readOnlyProperties") or []:
        if not p.startswith("/properties/") or "*" in p:
            continue
        attrs.append(".".join(p[len("/properties/"):].split("/")))
    return sorted(set(attrs))


def read_only_top(schema):
    out = set()
    for p in schema.get("readOnlyProperties") or []:
        parts = p.split("/")
        if len(parts) == 3 and parts[1] == "properties":
            out.add(parts[2])
    return out


def doc_url(type_name):
    slug = type_name.lower().replace("::", "-")
    return f"https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/{slug}.html"


class Resource:
    def __init__(self, type_name, schema, metrics=None):
        self.type_name = type_name
        self.metrics = metrics
        self.schema = schema
        self.name = type_name.split("::")[2]
        self.struct = "Cfn" + camel(self.name)
        self.module_name = snake(self.name)
        self.module = Module(schema)
        self.module.names.add(self.struct)
        readonly = read_only_top(schema)
        self.fields = struct_fields(self.module, schema, "", readonly)
        self.attrs = attributes(schema)

    def render(self, shared):
        """The resource's Rust; `shared` maps a nested type's name to (its text, the module
        that has it) across the service, so a type another resource of the service already
        has, with the same text and the same for every type it names, is re-exported from
        there instead of written again."""
        s = self.schema
        out = doc("", s.get("description"), [f"`{self.type_name}` ([CloudFormation reference]({doc_url(self.type_name)}))."])
        derive = "Debug, Clone, PartialEq" + ("" if any(f[3] for f in self.fields) else ", Default")
        out += f"#[derive({derive})]\npub struct {self.struct}(t::Props);\n\n"
        req = [f[1] for f in self.fields if f[3]]
        what = (
            "With its required properties " + ", ".join(f"`{r}`" for r in req) + "."
            if req else "With no property set (none is required)."
        )
        m = self.module_name
        fields = [(a, b, qualify(c, m), d, e) for a, b, c, d, e in self.fields]
        out += f"impl {self.struct} {{\n" + render_new(fields, what) + render_setters(fields) + "}\n\n"
        out += (
            f"impl t::CfnProps for {self.struct} {{\n"
            f"    const TYPE: &'static str = {rust_str(self.type_name)};\n"
            f"    const REQUIRED: &'static [&'static str] = &[{', '.join(rust_str(r) for r in req)}];\n}}\n\n"
            f"impl t::ToCfn for {self.struct} {{\n"
            "    #[inline]\n    fn to_cfn(&self) -> Option<t::Value> {\n        Some(self.0.to_value())\n    }\n}\n\n"
        )
        if self.attrs:
            out += f"/// The attributes of `{self.type_name}` (`Fn::GetAtt`).\nimpl t::L1Ref<{self.struct}> {{\n"
            methods = set()
            for a in self.attrs:
                meth = "attr_" + snake(a.replace(".", "_")).rstrip("_")
                while meth in methods:
                    meth += "_"
                methods.add(meth)
                out += f"    /// `Fn::GetAtt` `{a}`.\n    #[inline]\n    pub fn {meth}(&self) -> t::Value {{\n        self.get_att({rust_str(a)})\n    }}\n"
            out += "}\n\n"
        from l1gen_metrics import render_metrics

        nested = render_metrics(self.type_name, self.metrics) + "\n" if self.metrics else ""
        texts = {}
        for item in self.module.items:
            if item[0] == "struct":
                texts[item[1]] = render_struct(item[1], item[2], item[3])
            else:
                texts[item[1]] = render_enum(item[1], item[2], item[3])[0]
        reused = reusable(texts, shared)
        for name, text in texts.items():
            if name in reused:
                nested += f"pub use super::{reused[name]}::{name};\n\n"
            else:
                nested += text
                shared.setdefault(name, (text, m))
        if nested:
            out += (
                f"/// The property types, enums and metrics of `{self.type_name}`.\npub mod {m} {{\n"
                "    #[allow(unused_imports)]\n    use crate::core::l1 as t;\n\n"
                + indent(nested) + "}\n\n"
            )
        return out


def reusable(texts, shared):
    """{name: module} of the types in `texts` that can be re-exported from another resource's
    module: the same text there, and every type of this module they name reusable from that
    same module."""
    names = set(texts)
    refs = {
        n: {m for m in re.findall(r"\b[A-Z][A-Za-z0-9_]*\b", t) if m in names and m != n}
        for n, t in texts.items()
    }
    reused = {n: shared[n][1] for n, t in texts.items() if n in shared and shared[n][0] == t}
    changed = True
    while changed:
        changed = False
        for n in list(reused):
            if any(reused.get(r) != reused[n] for r in refs[n]):
                del reused[n]
                changed = True
    return reused


def qualify(ty, module):
    """A nested type name as the service module sees it (`key::KeySpec`)."""
    def q(name):
        return name if name.startswith("t::") else f"{module}::{name}"
    m = re.fullmatch(r"t::(List|Map)<(.*)>", ty)
    if m:
        return f"t::{m.group(1)}<{qualify(m.group(2), module)}>"
    return q(ty)


def indent(text):
    return "".join(("    " + l if l.strip() else l) for l in text.splitlines(True))


HEADER = "// @generated by scripts/generate-registry (scripts/l1gen.py): do not edit.\n"


def generate(provider, load_schema, source, metrics):
    """Returns {relative path: text} for every file of the L1 layer; `metrics` is what
    load_metrics read."""
    services = {}
    for type_name in sorted(provider):
        services.setdefault(service_of(type_name), []).append(type_name)
    files = {}
    resources = {}
    total_types = total_nested = 0
    for svc, types in sorted(services.items()):
        body = ""
        names = set()
        shared = {}
        for type_name in types:
            r = Resource(type_name, load_schema(type_name), metrics.get(type_name))
            while r.module_name in names or r.struct in names:
                r.module_name += "_"
            names.update((r.module_name, r.struct))
            resources[type_name] = r
            body += r.render(shared)
            total_types += 1
            total_nested += len(r.module.items)
        ns, name = types[0].split("::")[:2]
        text = (
            HEADER
            + f"//! `{ns}::{name}`: {len(types)} resource type(s), generated from the registry schemas of {source}.\n\n"
            "#![allow(clippy::enum_variant_names, clippy::should_implement_trait, clippy::doc_lazy_continuation)]\n"
            "#![allow(rustdoc::bare_urls, rustdoc::broken_intra_doc_links, rustdoc::invalid_html_tags)]\n\n"
            "#[allow(unused_imports)]\nuse crate::core::l1 as t;\n\n" + body
        )
        files[f"constructs/src/l1/{svc}.rs"] = text.rstrip("\n") + "\n"
    mods = "".join(
        (f"// always compiled: the L2s use it\n" if svc in L2_SERVICES else f'#[cfg(feature = "{svc}")]\n')
        + f"#[rustfmt::skip]\npub mod {svc};\n"
        for svc in sorted(services)
    )
    files["constructs/src/l1/mod.rs"] = (
        HEADER
        + "//! The L1 layer: every CloudFormation resource type CloudFormation has in us-east-1\n"
        f"//! ({total_types} types of {len(services)} services, {total_nested} property types and enums),\n"
        f"//! generated from {source}.\n//!\n"
        "//! One module per service, behind the cargo feature of the same name. On by default: the\n"
        "//! services of the L2s (compiled whatever the features, since the L2s stand on them);\n"
        "//! `all` turns on every one.\n//!\n"
        "//! ```\n"
        "//! use constructs::{l1::sqs, Stack};\n"
        "//!\n"
        "//! let mut stack = Stack::new(\"Jobs\");\n"
        "//! let queue = stack.add_l1(\"Jobs\", sqs::CfnQueue::new().visibility_timeout(60));\n"
        "//! stack.add_output(\"JobsArn\", queue.attr_arn());\n"
        "//! ```\n\n"
        "pub use crate::core::l1::{L1Ref, List, Map, Tag};\n\n" + mods
    )
    overrides_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "every-type-values.json")
    with open(overrides_path, encoding="utf-8") as f:
        overrides = json.load(f)
    from l1gen_samples import every_type_example

    files["constructs/examples/every_type/generated.rs"] = every_type_example(services, resources, overrides)
    return files, services, resources, total_types, total_nested


def cargo_features(services):
    lines = ["# BEGIN generated by scripts/generate-registry: one feature per service of the L1 layer\n"]
    lines.append("default = [" + ", ".join(rust_str(s) for s in DEFAULT_SERVICES) + "]\n")
    lines.append("all = [\n" + "".join(f"    {rust_str(s)},\n" for s in sorted(services)) + "]\n")
    lines.extend(f"{s} = []\n" for s in sorted(services))
    lines.append("# END generated\n")
    return "".join(lines)
