"""Resource properties checked against the CloudFormation registry schemas (server.py, patch 9).

moto takes any properties: an unknown key is ignored, a missing required one is a KeyError
(HTTP 500) or, for the types it does not model, nothing at all. CloudFormation validates a
resource's properties against its type's registry schema before its handler runs, and fails
the resource with `Properties validation failed for resource <id> with message: #/<path>:
extraneous key [<key>] is not permitted` or `#/<path>: required key [<key>] not found`
(recorded in aws-cloudformation/cloudformation-coverage-roadmap#1514 and #1005). The schemas
are the registry's, as cfn-lint ships them (cfnlint/data/schemas, us-east-1). The check
covers every object level the schema closes (`additionalProperties: false`) and its required
keys, through `$ref` definitions and array items; it does not check value types or patterns
(intrinsic functions stand for values until they are resolved) and skips any value that is an
intrinsic function. For a few legacy types CloudFormation only warns on such a property
(cloudformation-coverage-roadmap#1514); this check fails them all, stricter there than AWS,
never looser.
"""

import functools
import json
import os

import cfnlint

from .failures import CHECKS, Refused

_SCHEMAS = os.path.join(os.path.dirname(cfnlint.__file__), "data", "schemas")
# deeper than any template nests; a deeper value is not walked (bounded recursion)
_MAX_DEPTH = 64


@functools.lru_cache(maxsize=1)
def _index():
    with open(os.path.join(_SCHEMAS, "providers", "us-east-1.json"), encoding="utf-8") as f:
        return json.load(f)


@functools.lru_cache(maxsize=None)
def schema(resource_type):
    """The registry schema of a resource type, or None (a custom resource, an unknown type)."""
    name = _index().get(resource_type)
    if not isinstance(name, str):
        return None
    with open(os.path.join(_SCHEMAS, "resources", f"{name}.json"), encoding="utf-8") as f:
        return json.load(f)


def _intrinsic(value):
    """`{"Ref": ...}`, `{"Fn::GetAtt": ...}`, ...: a value CloudFormation resolves later."""
    if not isinstance(value, dict) or len(value) != 1:
        return False
    key = next(iter(value))
    return key in ("Ref", "Condition") or key.startswith("Fn::")


def _resolve(node, root, seen=0):
    while isinstance(node, dict) and isinstance(node.get("$ref"), str) and seen < _MAX_DEPTH:
        ref = node["$ref"]
        if not ref.startswith("#/"):
            return {}
        target = root
        for part in ref[2:].split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        node = target
        seen += 1
    return node if isinstance(node, dict) else {}


def problems(properties, type_schema):
    """What CloudFormation's validation would say of `properties`, in its words."""
    out = []
    _walk(properties, type_schema, type_schema, "#", out, 0)
    return out


def _walk(value, node, root, at, out, depth):
    if depth > _MAX_DEPTH or _intrinsic(value):
        return
    node = _resolve(node, root)
    for inner in node.get("allOf") or []:
        _walk(value, inner, root, at, out, depth + 1)
    alternatives = [
        a for a in (node.get("oneOf") or node.get("anyOf") or []) if _fits(value, _resolve(a, root))
    ]
    if alternatives:
        # valid when one alternative of the value's kind is; else that first one's problems
        found = []
        for a in alternatives:
            mine = []
            _walk(value, a, root, at, mine, depth + 1)
            if not mine:
                return
            found.append(mine)
        out.extend(found[0])
        return
    if isinstance(value, dict) and isinstance(node.get("properties"), dict):
        known = node["properties"]
        for key in node.get("required", []):
            if key not in value:
                out.append(f"{at}: required key [{key}] not found")
        patterns = node.get("patternProperties") or {}
        for key, inner in value.items():
            if key in known:
                _walk(inner, known[key], root, f"{at}/{key}", out, depth + 1)
            elif node.get("additionalProperties") is False and not patterns:
                out.append(f"{at}: extraneous key [{key}] is not permitted")
    elif isinstance(value, list) and isinstance(node.get("items"), dict):
        for i, item in enumerate(value):
            _walk(item, node["items"], root, f"{at}/{i}", out, depth + 1)


def _fits(value, node):
    """Whether a schema alternative is about values of this kind (an object, an array)."""
    if isinstance(value, dict):
        return isinstance(node.get("properties"), dict)
    if isinstance(value, list):
        return isinstance(node.get("items"), dict)
    return False


def check(logical_id, resource_json):
    type_schema = schema(resource_json.get("Type", ""))
    if type_schema is None:
        return
    properties = resource_json.get("Properties", {})
    if not isinstance(properties, dict):
        return
    found = problems(properties, type_schema)
    if found:
        raise Refused(
            f"Properties validation failed for resource {logical_id} with message: "
            + " ".join(found),
            logical_id,
            resource_json.get("Type"),
        )


CHECKS.append(check)
