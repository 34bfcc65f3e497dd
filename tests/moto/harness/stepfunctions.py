"""AWS::StepFunctions::StateMachine as CloudFormation creates it (server.py, patches 3 and 4).

moto reads only DefinitionString, RoleArn, StateMachineName and Tags, drops nulls while
resolving the template (and `"ResultPath": null` means "keep the input"), and creates the
machine in a backend that cannot execute. Here the definition is built as AWS's own resource
handler builds it (aws-cloudformation/aws-cloudformation-resource-providers-stepfunctions,
statemachine/.../ResourceHandler.java, processDefinition): exactly one of Definition,
DefinitionString and DefinitionS3Location (else its "Property validation failed" messages); a
Definition object written as JSON with its keys sorted (Jackson's ORDER_MAP_ENTRIES_BY_KEYS),
its intrinsic functions resolved and its nulls kept; then DefinitionSubstitutions replaced as
text by StringUtils.replaceEachRepeatedly (a replaced value's own `${Key}` replaced in turn;
a `${Key}` the map has no key for stays as it is, as text). That text is what Step Functions
validates: here our own ASL parser and validator (tests/moto/asl_check.rs, built as the
`asl-check` example) do it, and a definition they refuse fails the resource with Step
Functions' `Invalid State Machine Definition: '...'` (InvalidDefinition, the CreateStateMachine
API reference); a Task `Resource` left as `${Key}` is refused as Step Functions refuses it,
`SCHEMA_VALIDATION_FAILED: Value is not a valid resource ARN at /States/<name>/Resource`.
The machine is created in moto's executing backend, with its StateMachineType; a definition
our parser accepts and moto's own parser refuses (a Distributed Map's ItemBatcher, say) is
stored as written, valid but not executable on moto (patch 4).
"""

import functools
import json
import os
import re
import subprocess

from moto.cloudformation import parsing
from moto.stepfunctions import models as sfn_models

from moto.stepfunctions import responses as sfn_responses
from moto.stepfunctions.exceptions import AWSError

from .failures import Refused

_TYPE = "AWS::StepFunctions::StateMachine"
# stands for a null of a Definition object while moto resolves its intrinsic functions
_NULL = "\u0000rcdk-harness-null\u0000"
# tests/moto/harness/<this file> -> the repository
_REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
# what the handler's Constants.java says when the definition is missing or given twice
_MISSING = (
    "Property validation failed. Required key [DefinitionS3Location], [Definition] or "
    "[DefinitionString] not found."
)
_REDUNDANT = (
    "Property validation failed. Please use either [DefinitionS3Location], [Definition] or "
    "[DefinitionString] but not both."
)


_parse_resource = parsing.parse_resource


def _parse_resource_keeping_nulls(resource_json, resources_map):
    # CloudFormation resolves a Definition's intrinsic functions and keeps its nulls; moto's
    # resolution drops every null: resolve with a stand-in for each, then put the nulls back
    if resource_json.get("Type") == _TYPE:
        properties = resource_json.get("Properties") or {}
        if "Definition" in properties:
            resource_json = dict(resource_json)
            resource_json["Properties"] = dict(properties)
            resource_json["Properties"]["Definition"] = _nulls_to_stand_ins(properties["Definition"])
    return _parse_resource(resource_json, resources_map)


def _nulls_to_stand_ins(value):
    if value is None:
        return _NULL
    if isinstance(value, dict):
        return {k: _nulls_to_stand_ins(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nulls_to_stand_ins(v) for v in value]
    return value


def _stand_ins_to_nulls(value):
    if isinstance(value, str) and value == _NULL:
        return None
    if isinstance(value, dict):
        return {k: _stand_ins_to_nulls(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_stand_ins_to_nulls(v) for v in value]
    return value


parsing.parse_resource = _parse_resource_keeping_nulls


def _text_value(value):
    """A substitution's value as the handler's Map<String, String> holds it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def substitute(text, substitutions):
    """StringUtils.replaceEachRepeatedly over `${Key}` for each key: the leftmost match first
    (the first key of the map on a tie), every pass over the result again until nothing
    changes; more passes than keys is a loop, which the handler answers with an internal
    failure."""
    if not substitutions:
        return text
    keys = ["${" + k + "}" for k in substitutions]
    values = {"${" + k + "}": _text_value(v) for k, v in substitutions.items()}
    pattern = re.compile("|".join(re.escape(k) for k in keys))
    for _ in range(len(keys) + 1):
        replaced = pattern.sub(lambda m: values[m.group(0)], text)
        if replaced == text:
            return text
        text = replaced
    raise Refused("Internal Failure")


def _s3_definition(location, account_id):
    from moto.s3.models import s3_backends

    bucket, key = location.get("Bucket"), location.get("Key")
    try:
        found = s3_backends[account_id]["aws"].get_object(bucket, key, version_id=location.get("Version"))
    except Exception as error:
        raise Refused(f"DefinitionS3Location s3://{bucket}/{key}: {error}") from error
    if found is None:
        raise Refused(f"DefinitionS3Location s3://{bucket}/{key}: no such object")
    if len(found.value) > 1048576:
        raise Refused("State Machine definition file cannot exceed 1MB.")
    return found.value.decode("utf-8", errors="replace")


def definition_text(properties, account_id):
    """The definition text CloudFormation hands Step Functions."""
    given = [k for k in ("Definition", "DefinitionString", "DefinitionS3Location") if k in properties]
    if not given:
        raise Refused(_MISSING)
    if len(given) > 1:
        raise Refused(_REDUNDANT)
    if "Definition" in properties:
        text = json.dumps(
            _stand_ins_to_nulls(properties["Definition"]), sort_keys=True, indent=2, ensure_ascii=False
        )
    elif "DefinitionString" in properties:
        text = str(properties["DefinitionString"])
    else:
        text = _s3_definition(properties["DefinitionS3Location"] or {}, account_id)
    return substitute(text, properties.get("DefinitionSubstitutions") or {})


def checker():
    """The asl-check binary: RCDK_ASL_CHECK, else the repository's debug example."""
    return os.environ.get("RCDK_ASL_CHECK") or os.path.join(_REPO, "target", "debug", "examples", "asl-check")


def validate(text, express):
    """Step Functions' validation of a definition, done by our own parser and validator; a
    refusal is CloudFormation's reason (the SDK exception's text, service and code appended)."""
    found = findings(text, express)
    if found:
        raise Refused(
            _invalid(found) + " (Service: AWSStepFunctions; Status Code: 400; Error Code: InvalidDefinition)"
        )


def _invalid(found):
    """Step Functions' message of an invalid definition."""
    return "Invalid State Machine Definition: '" + ", ".join(found) + "'"


def findings(text, express):
    """What our parser and validator find wrong with a definition (none: it is valid)."""
    path = checker()
    if not os.path.isfile(path):
        raise Refused(
            f"the harness cannot validate the definition: its ASL check {path} is not built "
            "(cargo build --example asl-check)"
        )
    try:
        run = subprocess.run(
            [path] + (["--express"] if express else []),
            input=text.encode("utf-8"),
            capture_output=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise Refused(f"the harness's ASL check {path} failed to run: {error}") from error
    if run.returncode == 0:
        return []
    if run.returncode != 1:
        raise Refused(
            f"the harness's ASL check {path} failed (exit {run.returncode}): "
            + run.stderr.decode("utf-8", errors="replace").strip()
        )
    return [line for line in run.stdout.decode("utf-8", errors="replace").splitlines() if line.strip()]


def _backend(account_id, region_name):
    from moto.stepfunctions.responses import get_backend

    return get_backend(account_id, region_name)


def _machine_type(properties):
    return str(properties.get("StateMachineType", "STANDARD"))


@classmethod
def _create_state_machine(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    properties = cloudformation_json["Properties"]
    name = properties.get("StateMachineName", resource_name)
    text = definition_text(properties, account_id)
    validate(text, _machine_type(properties) == "EXPRESS")
    backend = _backend(account_id, region_name)
    create = backend.create_state_machine
    try:
        backend._validate_definition(definition=text)
    except AttributeError:
        pass
    except Exception:
        # patch 4: valid (our parser accepted it) but beyond moto's parser: stored as written,
        # not executable here
        create = functools.partial(sfn_models.StepFunctionBackend.create_state_machine, backend)
    return create(
        name,
        text,
        properties.get("RoleArn", ""),
        tags=sfn_models.cfn_to_api_tags(properties.get("Tags", [])),
        sm_type=_machine_type(properties),
    )


@classmethod
def _update_state_machine(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
    properties = cloudformation_json.get("Properties", {})
    name = properties.get("StateMachineName", original_resource.name)
    backend = _backend(account_id, region_name)
    if name != original_resource.name:
        new = cls.create_from_cloudformation_json(name, cloudformation_json, account_id, region_name)
        backend.delete_state_machine(original_resource.arn)
        return new
    text = definition_text(properties, account_id)
    validate(text, _machine_type(properties) == "EXPRESS")
    return backend.update_state_machine(
        original_resource.arn,
        definition=text,
        role_arn=properties.get("RoleArn"),
    )


@classmethod
def _delete_state_machine(cls, resource_name, cloudformation_json, account_id, region_name):
    _backend(account_id, region_name).delete_state_machine(resource_name)


sfn_models.StateMachine.create_from_cloudformation_json = _create_state_machine
sfn_models.StateMachine.update_from_cloudformation_json = _update_state_machine
sfn_models.StateMachine.delete_from_cloudformation_json = _delete_state_machine


class InvalidDefinition(AWSError):
    """CreateStateMachine's and UpdateStateMachine's error for a definition Step Functions
    refuses (their API references: InvalidDefinition, "The provided Amazon States Language
    definition is invalid", HTTP 400)."""

    TYPE = "InvalidDefinition"
    STATUS = 400


def _checked(call, express):
    """The API action `call`, its request's definition validated first (moto stored any)."""

    @functools.wraps(call)
    def checked(self):
        definition = self._get_param("definition")
        if definition is not None:
            try:
                found = findings(str(definition), express(self))
            except Refused as error:
                # the check itself could not run: the call fails, it does not pass unchecked
                raise AWSError(str(error), "ServiceUnavailable", 503) from error
            if found:
                raise InvalidDefinition(_invalid(found))
        return call(self)

    return checked


def _express_of_update(self):
    arn = self._get_param("stateMachineArn")
    try:
        return self.stepfunction_backend.describe_state_machine(arn).type == "EXPRESS"
    except Exception:
        # an unknown machine: moto's own call answers StateMachineDoesNotExist
        return False


# patch 4 for the API: a definition sent by CreateStateMachine or UpdateStateMachine (the
# hotswap's path) is validated as CloudFormation's are
sfn_responses.StepFunctionResponse.create_state_machine = _checked(
    sfn_responses.StepFunctionResponse.create_state_machine,
    lambda self: self._get_param("type") == "EXPRESS",
)
sfn_responses.StepFunctionResponse.update_state_machine = _checked(
    sfn_responses.StepFunctionResponse.update_state_machine, _express_of_update
)
