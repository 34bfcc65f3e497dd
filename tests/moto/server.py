"""moto server for rcdk's end-to-end tests, with the gaps of moto 5.2.5 that ../shared/TESTING.md
lists patched, so the tests exercise rcdk rather than moto's omissions.

Usage: python tests/moto/server.py PORT   (binds 127.0.0.1 only)

What it patches, and why (moto is a test double of AWS; each patch makes it answer the way AWS
does for what rcdk's templates use, nothing more):

1. Stacks created or updated through a change set get no Outputs (the change set updates the
   resources but not the stack's template or output map). AWS gives them outputs; deploy
   prints and writes them. Patch: after a change set is applied, the stack takes the change
   set's template and rebuilds its outputs. Nor are their exports registered (moto does that
   in CreateStack only), so another stack's Fn::ImportValue of one fails ("No export named
   ..."); AWS makes an output's Export.Name importable by the stacks of the account and
   region once the stack is created or updated (CloudFormation User Guide, "Get exported
   outputs from a deployed CloudFormation stack"); and a stack made by a change set resolves
   its own imports against an empty table. Patch: the stack resolves imports against the
   account's exports, and its exports are registered (those it no longer makes dropped),
   when its change set is applied.
2. AWS::Lambda::Url, AWS::ApiGateway::Stage, AWS::ApiGateway::Account, AWS::S3::BucketPolicy
   and AWS::Lambda::Alias are not modelled: they are reported created, and Fn::GetAtt on one
   makes the server answer HTTP 500. Patch: an inert stand-in resource per type, with a
   physical id and the attributes AWS documents (FunctionUrl, ...).
3. AWS::StepFunctions::StateMachine reads only DefinitionString: a Definition object becomes
   an empty definition and DefinitionSubstitutions and StateMachineType are ignored; and the
   machine lands in the backend that cannot execute. Patch: the definition is the Definition
   object (or DefinitionString) with the substitutions applied, as CloudFormation does, the
   type is kept, and the machine is created in the executing backend (moto's ASL
   interpreter, turned on at start with Lambda's Docker off). The Definition is taken as
   written: moto's intrinsic resolution drops nulls, and `"ResultPath": null` matters.
4. AWS::ApiGateway::Method requires Integration.IntegrationHttpMethod and Uri, which a MOCK
   integration does not have (KeyError, HTTP 500). Patch: both default to none.
5. AWS::SQS::Queue with FifoQueue and no QueueName: CloudFormation generates a name ending in
   .fifo; moto generates one without, and SQS then refuses the queue ("Queue name must end in
   .fifo"). Patch: the generated name of a FIFO queue ends in .fifo (80 characters at most).
6. moto's ASL parser predates parts of the language (a Distributed Map's ItemBatcher, say) and
   refuses such a machine, failing the whole stack. Patch: a machine created by CloudFormation
   that the parser refuses is stored as written (rcdk and asl-validator checked it at synth);
   it cannot run on moto, and the tests that run machines on moto use none of those parts.
7. AWS::Events::EventBus has no physical id, so a Ref of it (a rule's EventBusName) is the
   Python object and creating the rule fails (HTTP 500). AWS documents Ref as the bus's name.
   Patch: the physical id is the name.
8. PutEvents delivers to a matching rule's targets at once, and a target moto cannot deliver
   to (a function, a state machine, a topic) makes PutEvents itself fail (HTTP 500). AWS
   accepts the event and delivers it later, apart from the call. Patch: such targets are
   skipped; queues, buses, log groups and archives still receive the event.
"""

import functools
import json
import sys

from moto.cloudformation import models as cfn_models
from moto.cloudformation import parsing
from moto.core.common_models import CloudFormationModel
from moto.core.config import default_user_config
from moto.stepfunctions import models as sfn_models


# 1. outputs of stacks deployed through change sets
_apply = cfn_models.ChangeSet.apply


def _apply_and_refresh_outputs(self):
    backend = cfn_models.cloudformation_backends[self.stack.account_id][self.stack.region_name]
    self.stack.cross_stack_resources = backend.exports
    self.stack.resource_map.cross_stack_resources = backend.exports
    _apply(self)
    stack = self.stack
    stack.template = self.template
    stack._parse_template()
    stack.output_map = stack._create_output_map()
    exports = {export.name: export for export in stack.exports}
    for name, export in list(backend.exports.items()):
        if export.exporting_stack_id == stack.stack_id and name not in exports:
            del backend.exports[name]
    backend.exports.update(exports)


cfn_models.ChangeSet.apply = _apply_and_refresh_outputs


# 2. stand-ins for resource types moto does not model
class _StandIn:
    """What the stand-ins do (a mixin: moto registers only direct subclasses of
    CloudFormationModel)."""

    TYPE = ""
    ATTRIBUTES: dict = {}

    def __init__(self, name, properties, region):
        self.name = name
        self.properties = properties
        self.region = region

    @staticmethod
    def cloudformation_name_type():
        return ""

    @classmethod
    def cloudformation_type(cls):
        return cls.TYPE

    @classmethod
    def has_cfn_attr(cls, attr):
        return attr in cls.ATTRIBUTES

    @property
    def physical_resource_id(self):
        return self.name

    def get_cfn_attribute(self, attribute_name):
        make = self.ATTRIBUTES.get(attribute_name)
        if make is None:
            from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

            raise UnformattedGetAttTemplateException()
        return make(self)

    @classmethod
    def create_from_cloudformation_json(
        cls, resource_name, cloudformation_json, account_id, region_name, **kwargs
    ):
        return cls(resource_name, cloudformation_json.get("Properties", {}), region_name)

    @classmethod
    def update_from_cloudformation_json(
        cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name
    ):
        original_resource.properties = cloudformation_json.get("Properties", {})
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name, cloudformation_json, account_id, region_name
    ):
        return None


def _stand_in(type_name, attributes=None, physical=None):
    cls = type(
        "StandIn" + type_name.replace(":", ""),
        (_StandIn, CloudFormationModel),
        {"TYPE": type_name, "ATTRIBUTES": attributes or {}, "__module__": "moto.rcdk_harness"},
    )
    if physical is not None:
        cls.physical_resource_id = property(physical)
    return cls


_stand_in(
    "AWS::Lambda::Url",
    {
        "FunctionUrl": lambda r: f"https://{r.name.lower()}.lambda-url.{r.region}.on.aws/",
        "FunctionArn": lambda r: str(r.properties.get("TargetFunctionArn", "")),
    },
)
_stand_in("AWS::ApiGateway::Stage", physical=lambda r: r.properties.get("StageName", r.name))
_stand_in("AWS::ApiGateway::Account")
_stand_in("AWS::S3::BucketPolicy")
_stand_in("AWS::Lambda::Alias", {"AliasArn": lambda r: r.name})
parsing.get_model_map.cache_clear()


# 4. MOCK integrations
from moto.apigateway import models as apigw_models

_create_method = apigw_models.Method.create_from_cloudformation_json.__func__


@classmethod
def _create_method_with_mock(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    integration = cloudformation_json["Properties"].setdefault("Integration", {"Type": "MOCK"})
    integration.setdefault("IntegrationHttpMethod", None)
    integration.setdefault("Uri", None)
    return _create_method(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)


apigw_models.Method.create_from_cloudformation_json = _create_method_with_mock


# 5. generated names of FIFO queues
from moto.sqs import models as sqs_models

_create_queue = sqs_models.Queue.create_from_cloudformation_json.__func__


@classmethod
def _create_queue_fifo_named(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    properties = cloudformation_json.get("Properties", {})
    fifo = str(properties.get("FifoQueue", "false")).lower() == "true"
    name = str(resource_name)
    if fifo and "QueueName" not in properties and not name.endswith(".fifo"):
        resource_name = name[: 80 - len(".fifo")] + ".fifo"
    return _create_queue(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)


sqs_models.Queue.create_from_cloudformation_json = _create_queue_fifo_named


# 7. a Ref of an event bus is its name
from moto.events import models as events_models

events_models.EventBus.physical_resource_id = property(lambda bus: bus.name)


# 8. PutEvents is not failed by targets moto does not deliver to
_send_to_targets = events_models.Rule.send_to_targets
_DELIVERED = ("sqs", "events", "logs")


def _deliverable(target):
    parts = str(target.get("Arn", "")).split(":")
    return len(parts) > 2 and parts[2] in _DELIVERED


def _send_to_deliverable_targets(self, *args, **kwargs):
    targets = self.targets
    self.targets = [t for t in targets if _deliverable(t)]
    try:
        return _send_to_targets(self, *args, **kwargs)
    finally:
        self.targets = targets


events_models.Rule.send_to_targets = _send_to_deliverable_targets


# 3. state machines: Definition objects, substitutions, type, executing backend
_RAW = "RcdkRawDefinition"
_parse_resource = parsing.parse_resource


def _parse_resource_keeping_definition(resource_json, resources_map):
    # moto's intrinsic resolution drops every null, and `"ResultPath": null` means "keep the
    # input" in ASL: keep the Definition as written (rcdk moves every token out of it into
    # DefinitionSubstitutions, so it needs no resolution)
    if resource_json.get("Type") == "AWS::StepFunctions::StateMachine":
        definition = resource_json.get("Properties", {}).get("Definition")
        if definition is not None:
            resource_json = dict(resource_json)
            resource_json["Properties"] = dict(resource_json["Properties"])
            resource_json["Properties"][_RAW] = json.dumps(definition)
    return _parse_resource(resource_json, resources_map)


parsing.parse_resource = _parse_resource_keeping_definition


def _definition(properties):
    definition = properties.get("Definition")
    if _RAW in properties:
        text = properties[_RAW]
    elif definition is not None:
        text = json.dumps(definition)
    else:
        text = properties.get("DefinitionString", "")
    for key, value in (properties.get("DefinitionSubstitutions") or {}).items():
        text = text.replace("${" + key + "}", str(value))
    return text


def _backend(account_id, region_name):
    from moto.stepfunctions.responses import get_backend

    return get_backend(account_id, region_name)


@classmethod
def _create_state_machine(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    properties = cloudformation_json["Properties"]
    name = properties.get("StateMachineName", resource_name)
    backend = _backend(account_id, region_name)
    create = backend.create_state_machine
    try:
        backend._validate_definition(definition=_definition(properties))
    except AttributeError:
        pass
    except Exception:
        # 6. beyond moto's ASL parser: stored as written, not executable here
        create = functools.partial(sfn_models.StepFunctionBackend.create_state_machine, backend)
    return create(
        name,
        _definition(properties),
        properties.get("RoleArn", ""),
        tags=sfn_models.cfn_to_api_tags(properties.get("Tags", [])),
        sm_type=properties.get("StateMachineType", "STANDARD"),
    )


@classmethod
def _update_state_machine(
    cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name
):
    properties = cloudformation_json.get("Properties", {})
    name = properties.get("StateMachineName", original_resource.name)
    backend = _backend(account_id, region_name)
    if name != original_resource.name:
        new = cls.create_from_cloudformation_json(name, cloudformation_json, account_id, region_name)
        backend.delete_state_machine(original_resource.arn)
        return new
    return backend.update_state_machine(
        original_resource.arn,
        definition=_definition(properties),
        role_arn=properties.get("RoleArn"),
    )


@classmethod
def _delete_state_machine(cls, resource_name, cloudformation_json, account_id, region_name):
    _backend(account_id, region_name).delete_state_machine(resource_name)


sfn_models.StateMachine.create_from_cloudformation_json = _create_state_machine
sfn_models.StateMachine.update_from_cloudformation_json = _update_state_machine
sfn_models.StateMachine.delete_from_cloudformation_json = _delete_state_machine

default_user_config["stepfunctions"] = {"execute_state_machine": True}
default_user_config.setdefault("lambda", {})["use_docker"] = False


if __name__ == "__main__":
    from moto.server import main

    port = sys.argv[1] if len(sys.argv) > 1 else "5000"
    main(["-H", "127.0.0.1", "-p", port])
