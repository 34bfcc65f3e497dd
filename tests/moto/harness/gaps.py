"""moto's smaller gaps (server.py, patches 1, 2, 6, 7 and 8): each fills in what AWS does and
moto does not, and accepts nothing AWS refuses."""

from moto.cloudformation import models as cfn_models
from moto.cloudformation import parsing
from moto.core.common_models import CloudFormationModel
from moto.events import models as events_models
from moto.sqs import models as sqs_models

# 1. a stack deployed through a change set takes the change set's template and its outputs,
# resolves its imports against the account's exports and registers its own exports
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


# 2. stand-ins for the types moto does not model: a physical id and the documented attributes;
# their properties are checked against the type's schema like every resource's (patch 9)
class _StandIn:
    """What the stand-ins do (a mixin: moto registers only direct subclasses of
    CloudFormationModel)."""

    TYPE = ""
    ATTRIBUTES: dict = {}

    def __init__(self, name, properties, region, account_id):
        self.name = name
        self.properties = properties
        self.region = region
        self.account_id = account_id

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
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        return cls(resource_name, cloudformation_json.get("Properties", {}), region_name, account_id)

    @classmethod
    def update_from_cloudformation_json(
        cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name
    ):
        original_resource.properties = cloudformation_json.get("Properties", {})
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
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


def _alias_arn(r):
    function = str(r.properties.get("FunctionName", ""))
    if not function.startswith("arn:"):
        function = f"arn:aws:lambda:{r.region}:{r.account_id}:function:{function}"
    return f"{function}:{r.properties.get('Name', r.name)}"


# Ref of a registry type is its primary identifier (the type's schema: primaryIdentifier)
_stand_in(
    "AWS::Lambda::Url",
    {
        "FunctionUrl": lambda r: f"https://{r.name.lower()}.lambda-url.{r.region}.on.aws/",
        "FunctionArn": lambda r: str(r.properties.get("TargetFunctionArn", "")),
    },
    physical=lambda r: str(r.properties.get("TargetFunctionArn", r.name)),
)
_stand_in("AWS::ApiGateway::Stage", physical=lambda r: r.properties.get("StageName", r.name))
_stand_in("AWS::ApiGateway::Account")
_stand_in("AWS::S3::BucketPolicy")
_stand_in("AWS::Lambda::Alias", {"AliasArn": _alias_arn}, physical=_alias_arn)
parsing.get_model_map.cache_clear()


# 6. a FIFO queue's generated name ends in .fifo (80 characters at most)
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
events_models.EventBus.physical_resource_id = property(lambda bus: bus.name)


# 8. PutEvents is not failed by targets moto does not deliver to (they get nothing)
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
