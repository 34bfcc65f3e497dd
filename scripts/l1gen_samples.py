"""The every_type example of the generated L1 layer (see l1gen.py): a minimal instance of every
resource type, its required properties (and the ones a oneOf/anyOf/requiredXor/dependency of
the schema asks for) filled with values that satisfy the schema's constraints and cfn-lint's
formats; scripts/every-type-values.json gives the values the schema alone does not."""

import json
import re
import warnings

from l1gen import HEADER, camel, render_enum, resolve, rust_str

# the schemas' JavaScript patterns make Python's parser warn about '[[' and '--'
warnings.filterwarnings("ignore", category=FutureWarning)

try:
    import regex as _regex  # cfn-lint's own regex engine (it checks patterns with it)
except ImportError:  # pragma: no cover
    _regex = None
try:
    from re import _parser as _sre  # Python 3.11+
except ImportError:  # pragma: no cover
    import sre_parse as _sre

ACCOUNT = "123456789012"
UUID = "12345678-1234-1234-1234-123456789012"
# values for cfn-lint's formats (cfnlint/data/schemas/other/formats and its format checkers)
FORMATS = {
    "date-time": "2026-01-01T00:00:00Z",
    "timestamp": "2026-01-01T00:00:00Z",
    "AWS::IAM::Role.Arn": f"arn:aws:iam::{ACCOUNT}:role/sample",
    "AWS::KMS::Key.Arn": f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{UUID}",
    "AWS::KMS::Key.Id": UUID,
    "AWS::KMS::Alias.AliasName": "alias/sample",
    "AWS::EC2::SecurityGroup.Id": "sg-12345678",
    "AWS::EC2::SecurityGroup.Ids": "sg-12345678",
    "AWS::EC2::SecurityGroup.Name": "sample",
    "AWS::EC2::SecurityGroup.Names": "sample",
    "AWS::S3::Bucket.Name": "sample-bucket",
    "AWS::EC2::Subnet.Id": "subnet-12345678",
    "AWS::EC2::Subnet.Ids": "subnet-12345678",
    "AWS::EC2::VPC.Id": "vpc-12345678",
    "AWS::EC2::Image.Id": "ami-12345678",
    "AWS::SNS::Topic.Arn": f"arn:aws:sns:us-east-1:{ACCOUNT}:sample",
    "AWS::SQS::Queue.Arn": f"arn:aws:sqs:us-east-1:{ACCOUNT}:sample",
    "AWS::Lambda::Function.Arn": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:sample",
    "AWS::Logs::LogGroup.Name": "sample",
    "AWS::ACM::Certificate.Arn": f"arn:aws:acm:us-east-1:{ACCOUNT}:certificate/{UUID}",
    "AWS::Route53::AliasTarget.HostedZoneId": "Z2FDTNDATAQYW2",
    "AWS::Route53::HostedZone.Id": "Z2FDTNDATAQYW2",
    "ipv4-network": "10.0.0.0/16",
    "ipv6-network": "2001:db8::/32",
    "uri": "https://example.com",
    "json": "{}",
    "password": "Sample-password-1",
}
GENERIC = ["sample", "Sample", "a", "1", "sample-1", f"arn:aws:iam::{ACCOUNT}:role/sample", "https://example.com"]


def _walk(parsed, groups, optional=0):
    out = ""
    for op, av in parsed:
        name = str(op)
        if name == "LITERAL":
            out += chr(av)
        elif name == "NOT_LITERAL":
            out += "a" if chr(av) != "a" else "b"
        elif name == "ANY":
            out += "a"
        elif name == "IN":
            out += _pick_in(av)
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            lo, hi, sub = av
            n = lo if lo > 0 else (optional if hi != 0 else 0)
            out += "".join(_walk(sub, groups, optional) for _ in range(min(n, 64)))
        elif name == "SUBPATTERN":
            group, _, _, sub = av
            text = _walk(sub, groups, optional)
            if group:
                groups[group] = text
            out += text
        elif name == "BRANCH":
            out += _walk(av[1][0], groups, optional)
        elif name == "GROUPREF":
            out += groups.get(av, "")
        elif name == "CATEGORY":
            out += _category(str(av))
        elif name == "ATOMIC_GROUP":
            out += _walk(av, groups, optional)
        # AT (anchors), ASSERT, ASSERT_NOT, GROUPREF_EXISTS: nothing
    return out


def _category(name):
    if "NOT_DIGIT" in name or "NOT_SPACE" in name:
        return "a"
    if "DIGIT" in name:
        return "1"
    if "NOT_WORD" in name:
        return "-"
    if "SPACE" in name:
        return " "
    return "a"


def _pick_in(items):
    allowed, negate = [], False
    for op, av in items:
        name = str(op)
        if name == "NEGATE":
            negate = True
        elif name == "LITERAL":
            allowed.append(chr(av))
        elif name == "RANGE":
            lo, hi = av
            for pref in "a1A":
                if lo <= ord(pref) <= hi:
                    allowed.append(pref)
                    break
            else:
                allowed.append(chr(lo))
        elif name == "CATEGORY":
            allowed.append(_category(str(av)))
    if negate:
        for c in "a1A-_.":
            if c not in allowed:
                return c
        return "~"
    for pref in "a1A":
        if pref in allowed:
            return pref
    return allowed[0] if allowed else "a"


def _pythonic(pattern):
    p = re.sub(r"\\p\{[A-Za-z_]+\}", r"\\w", pattern)
    p = re.sub(r"\\P\{[A-Za-z_]+\}", r"\\W", p)
    p = p.replace("(?<", "(?P<").replace("(?P<=", "(?<=").replace("(?P<!", "(?<!")
    return p


def _matches(pattern, text):
    try:
        if _regex is not None:
            return _regex.search(pattern, text) is not None
        return re.search(pattern, text) is not None
    except Exception:
        return False


def sample_string(node, seed=""):
    branches = [b for k in ("anyOf", "oneOf") for b in (node.get(k) or []) if isinstance(b, dict)]
    for b in [node] + branches:
        values = b.get("enum") or b.get("enumCaseInsensitive")
        if values and isinstance(values[0], str):
            return values[0]
    for b in branches or [{}]:
        spec = dict(node)
        spec.update(b)
        text = _sample_plain(spec, seed, [node.get("pattern")] if branches else [])
        if text is not None:
            return text
    return "sample"


def _sample_plain(node, seed, also):
    fmt = node.get("format")
    pattern = node.get("pattern")
    patterns = [p for p in [pattern] + also if isinstance(p, str)]
    lo = node.get("minLength", 0) or 0
    hi = node.get("maxLength")
    candidates = []
    if fmt in FORMATS:
        candidates.append(FORMATS[fmt])
    for p in patterns:
        for optional in (1, 0):
            try:
                candidates.append(_walk(_sre.parse(_pythonic(p)), {}, optional))
            except Exception:
                pass
    candidates += GENERIC
    for c in candidates:
        if seed and not patterns and not fmt:
            c = c + seed
        for pad in dict.fromkeys([c[-1:] or "a", "a", "1", "0"]):
            text = c + pad * (lo - len(c)) if len(c) < lo else c
            if hi is not None and len(text) > hi:
                text = text[:hi]
            if all(_matches(p, text) for p in patterns):
                return text
    return None


def sample_number(node, integer):
    lo = node.get("minimum")
    if "exclusiveMinimum" in node and isinstance(node["exclusiveMinimum"], (int, float)):
        lo = node["exclusiveMinimum"] + 1
    hi = node.get("maximum")
    v = 1
    if lo is not None and v < lo:
        v = lo
    if hi is not None and v > hi:
        v = hi
    if integer:
        v = int(v)
        return f"{v}i64" if abs(v) > 2**31 - 1 else str(v)
    return f"{float(v)!r}"


def wanted(node):
    """The properties a minimal instance of an object sets: required, plus the first choice of
    each oneOf/anyOf/requiredXor/requiredOr (in allOf too), plus what those depend on."""
    props = node.get("properties") or {}
    want = []

    def collect(sub):
        want.extend(r for r in (sub.get("required") or []) if isinstance(r, str))
        for key in ("oneOf", "anyOf"):
            choices = [c for c in (sub.get(key) or []) if isinstance(c, dict)]
            if not choices:
                continue
            first = choices[0]
            if first.get("required") or first.get("allOf") or first.get("oneOf") or first.get("anyOf"):
                collect(first)
            elif isinstance(first.get("properties"), dict):
                want.extend(sorted(first["properties"])[:1])
        for c in sub.get("allOf") or []:
            if isinstance(c, dict):
                collect(c)
        for key in ("requiredXor", "requiredOr"):
            choices = sub.get(key)
            if isinstance(choices, list) and choices:
                want.append(choices[0])

    collect(node)
    if node.get("minProperties") and not any(w in props for w in want):
        want.extend(sorted(props)[:1])
    deps = dict(node.get("dependentRequired") or {})
    for k, v in (node.get("dependencies") or {}).items():
        if isinstance(v, list):
            deps[k] = v
    changed = True
    while changed:
        changed = False
        for k, v in deps.items():
            if k in want:
                for d in v:
                    if d not in want:
                        want.append(d)
                        changed = True
    seen, out = set(), []
    for w in want:
        if w in props and w not in seen:
            seen.add(w)
            out.append(w)
    return out


class Sampler:
    def __init__(self, svc, resource, overrides):
        self.svc = svc
        self.r = resource
        self.items = {i[1]: i for i in resource.module.items}
        self.overrides = overrides
        self.variant = 0  # >0 inside the n-th item of a list, so items differ

    def vary(self, node, text):
        if not self.variant:
            return text
        digits = str(self.variant)
        pattern, hi = node.get("pattern"), node.get("maxLength")
        for c in (text + digits, text[: -len(digits)] + digits, digits):
            if (hi is None or len(c) <= hi) and len(c) >= (node.get("minLength") or 0) and (
                not isinstance(pattern, str) or _matches(pattern, c)
            ):
                return c
        return text

    def path_type(self, name):
        return f"l1::{self.svc}::{self.r.module_name}::{name}"

    def value(self, ty, node, path, depth):
        if path in self.overrides:
            return self.literal(ty, self.overrides[path])
        _, node = resolve(self.r.module, node)
        if not isinstance(node, dict):
            node = {}
        if ty == "t::Str":
            return rust_str(self.vary(node, sample_string(node)))
        if ty == "t::Int":
            return sample_number(node, True)
        if ty == "t::Num":
            return sample_number(node, False)
        if ty == "t::Bool":
            return "true"
        if ty == "t::Json":
            t = node.get("type")
            if t == "string" or (isinstance(t, list) and "string" in t and "object" not in t):
                return f"serde_json::json!({rust_str(sample_string(node))})"
            if t in ("integer", "number"):
                return f"serde_json::json!({sample_number(node, t == 'integer')})"
            if t == "array":
                return "serde_json::json!([])"
            if node.get("minProperties"):
                return 'serde_json::json!({"sample": "sample"})'
            return "serde_json::json!({})"
        if ty == "t::Tag":
            return 'l1::Tag::new("sample", "sample")'
        m = re.fullmatch(r"t::List<(.*)>", ty)
        if m:
            inner = node.get("items") if isinstance(node.get("items"), dict) else {}
            n = max(1, node.get("minItems", 1) or 1)
            vals = []
            for i in range(min(n, 5)):
                outer, self.variant = self.variant, self.variant * 10 + i
                vals.append(self.value(m.group(1), inner, path + "/*", depth))
                self.variant = outer
            if m.group(1) == "t::Json":
                return f"vec![{', '.join(vals)}]"
            return f"vec![{', '.join(vals)}]"
        m = re.fullmatch(r"t::Map<(.*)>", ty)
        if m:
            pattern = node.get("patternProperties")
            if isinstance(pattern, dict) and len(pattern) == 1:
                (key_pattern, inner), = pattern.items()
                key = sample_string({"pattern": key_pattern})
            else:
                inner, key = node.get("additionalProperties") or {}, "sample"
            inner = inner if isinstance(inner, dict) else {}
            return f"vec![({rust_str(key)}, {self.value(m.group(1), inner, path + '/*', depth)})]"
        item = self.items.get(ty)
        if item is None:
            return "Default::default()"
        if item[0] == "enum":
            _, variants = render_enum(item[1], item[2], item[3])
            return f"{self.path_type(ty)}::{variants[0][0]}"
        return self.struct(ty, item[2], item[3], path, depth + 1)

    def literal(self, ty, v):
        if ty == "t::Json":
            return f"serde_json::json!({json.dumps(v)})"
        if isinstance(v, (dict, list)) and re.fullmatch(r"t::(List|Map)<.*>", ty):
            return f"constructs::Value::from(serde_json::json!({json.dumps(v)}))"
        if isinstance(v, str):
            if ty in self.items and self.items[ty][0] == "enum":
                _, variants = render_enum(self.items[ty][1], self.items[ty][2], self.items[ty][3])
                for var, val in variants:
                    if val == v:
                        return f"{self.path_type(ty)}::{var}"
            return rust_str(v)
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (int, float)):
            return repr(v)
        if isinstance(v, list):
            m = re.fullmatch(r"t::List<(.*)>", ty)
            inner = m.group(1) if m else "t::Json"
            return f"vec![{', '.join(self.literal(inner, x) for x in v)}]"
        return f"serde_json::json!({json.dumps(v)})"

    def struct(self, name, node, fields, path, depth):
        if depth > 8:
            return f"{self.path_type(name)}::new()"
        want = wanted(node)
        by_name = {f[1]: f for f in fields}
        args = [self.value(ty, f[4], f"{path}/{f[1]}", depth) for f in fields if f[3] for ty in [f[2]]]
        expr = f"{self.path_type(name)}::new({', '.join(args)})"
        for w in want:
            f = by_name.get(w)
            if f and not f[3]:
                expr += f".{f[0]}({self.value(f[2], f[4], f'{path}/{w}', depth)})"
        for p, v in self.overrides.items():
            if p.startswith(path + "/") and "/" not in p[len(path) + 1:]:
                f = by_name.get(p[len(path) + 1:])
                if f and not f[3] and f[1] not in want:
                    expr += f".{f[0]}({self.literal(f[2], v)})"
        return expr

    def resource(self):
        r = self.r
        want = wanted(r.schema)
        by_name = {f[1]: f for f in r.fields}
        args = [self.value(f[2], f[4], f"/{f[1]}", 0) for f in r.fields if f[3]]
        expr = f"l1::{self.svc}::{r.struct}::new({', '.join(args)})"
        for w in want:
            f = by_name.get(w)
            if f and not f[3]:
                expr += f".{f[0]}({self.value(f[2], f[4], '/' + w, 0)})"
        for p, v in self.overrides.items():
            name = p[1:]
            if "/" not in name:
                f = by_name.get(name)
                if f and not f[3] and name not in want:
                    expr += f".{f[0]}({self.literal(f[2], v)})"
        return expr


def every_type_example(services, resources, overrides):
    out = [
        HEADER,
        "//! A minimal instance of every resource type of the L1 layer, one stack per service\n"
        "//! (see main.rs).\n\n",
        "use constructs::{l1, App, Stack};\n\n",
        "/// Adds one stack per service to `app`; returns the number of resources added.\n",
        "pub fn add_all(app: &mut App) -> usize {\n    let mut count = 0;\n",
    ]
    for svc in sorted(services):
        stack = "EveryType" + camel(svc)
        out.append(f'    let mut stack = Stack::new("{stack}");\n    count += {svc}(&mut stack);\n    app.add_stack(stack);\n')
    out.append("    count\n}\n")
    for svc, types in sorted(services.items()):
        body = []
        for type_name in types:
            r = resources[type_name]
            values = dict(overrides.get(type_name, {}))
            ignore = values.pop("$cfn-lint-ignore", {})
            expr = Sampler(svc, r, values).resource()
            if ignore:
                rules = ", ".join(rust_str(k) for k in sorted(ignore))
                why = "; ".join(ignore[k] for k in sorted(ignore))
                body.append(
                    f"    // {why}\n"
                    f'    let r = stack.add_l1("{camel(r.name)}", {expr});\n'
                    f"    crate::lint_ignore(stack, &r, &[{rules}]);\n"
                )
            else:
                body.append(f'    stack.add_l1("{camel(r.name)}", {expr});\n')
        out.append(f"\nfn {svc}(stack: &mut Stack) -> usize {{\n" + "".join(body) + f"    {len(types)}\n}}\n")
    return "".join(out)
