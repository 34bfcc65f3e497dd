"""moto's smaller gaps (server.py, patches 1, 2, 6, 7, 8 and 15): each fills in what AWS does and
moto does not, and accepts nothing AWS refuses."""

from moto.cloudformation import models as cfn_models
from moto.cloudformation import parsing
from moto.core.common_models import CloudFormationModel
from moto.events import models as events_models
from moto.sqs import models as sqs_models

from .failures import Refused

# 1. a stack deployed through a change set takes the change set's template and its outputs,
# resolves its imports against the account's exports and registers its own exports, under
# the rules of cross-stack references (Fn::ImportValue, CloudFormation template reference:
# "For each AWS account, Export names must be unique within a Region." and "After another
# stack imports an output value, you can't delete the stack that is exporting the output value
# or modify the exported output value. All the imports must be removed before you can delete
# the exporting stack or modify the output value."): an export name another stack exports,
# and an export removed or changed while a stack imports it, fail the stack and roll it back,
# in the words AWS's rollback reason uses ("Export <name> cannot be deleted as it is in use by
# <stack>", recorded in aws/aws-cdk#7602; "... cannot be updated as it is in use by ...",
# recorded in linz/geostore#630; the duplicate name in moto's own CreateStack words, as
# AWS's documentation gives the rule but not the message). An import is seen when its name is
# written as a string (`{"Fn::ImportValue": "name"}`, what rcdk writes); a name computed by
# another function is not followed.
_apply = cfn_models.ChangeSet.apply
# stacks whose imports hold nothing: never deployed, rolled back from their creation, deleted
_NOT_LIVE = ("REVIEW_IN_PROGRESS", "ROLLBACK_COMPLETE", "DELETE_COMPLETE")
_MAX_DEPTH = 64


def _import_names(value, out, depth=0):
    if depth > _MAX_DEPTH:
        return
    if isinstance(value, dict):
        name = value.get("Fn::ImportValue")
        if len(value) == 1 and isinstance(name, str):
            out.add(name)
            return
        for inner in value.values():
            _import_names(inner, out, depth + 1)
    elif isinstance(value, list):
        for inner in value:
            _import_names(inner, out, depth + 1)


def importers(backend, but_stack_id=None):
    """Export name -> the names of the live stacks (other than `but_stack_id`) importing it."""
    found = {}
    for other in list(backend.stacks.values()):
        if other.stack_id == but_stack_id or other.status in _NOT_LIVE:
            continue
        names = set()
        _import_names(getattr(other, "template_dict", None) or {}, names)
        for name in names:
            found.setdefault(name, []).append(other.name)
    return found


def _stack_name_of(backend, stack_id):
    other = backend.stacks.get(stack_id)
    return other.name if other is not None else stack_id


def _apply_and_refresh_outputs(self):
    backend = cfn_models.cloudformation_backends[self.stack.account_id][self.stack.region_name]
    self.stack.cross_stack_resources = backend.exports
    self.stack.resource_map.cross_stack_resources = backend.exports
    _apply(self)
    stack = self.stack
    new = parsing.OutputMap(stack.resource_map, stack.parse_template(self.template), stack.stack_id)
    exports = {export.name: export for export in new.exports}
    for name in exports:
        owner = backend.exports.get(name)
        if owner is not None and owner.exporting_stack_id != stack.stack_id:
            raise Refused(
                f"Export names must be unique across a given region: {name} is exported by stack "
                f"{_stack_name_of(backend, owner.exporting_stack_id)}",
                stack_level=True,
            )
    using = importers(backend, stack.stack_id)
    for name, old in list(backend.exports.items()):
        if old.exporting_stack_id != stack.stack_id or name not in using:
            continue
        if name not in exports:
            raise Refused(f"Export {name} cannot be deleted as it is in use by {using[name][0]}", stack_level=True)
        if exports[name].value != old.value:
            raise Refused(f"Export {name} cannot be updated as it is in use by {using[name][0]}", stack_level=True)
    stack.template = self.template
    stack._parse_template()
    stack.output_map = stack._create_output_map()
    for name, export in list(backend.exports.items()):
        if export.exporting_stack_id == stack.stack_id and name not in exports:
            del backend.exports[name]
    backend.exports.update({name: export for name, export in ((e.name, e) for e in stack.exports)})


cfn_models.ChangeSet.apply = _apply_and_refresh_outputs


# and a stack whose export another stack imports is not deleted: the deletion fails, the stack
# keeps its status, and its event says why (recorded in rlister/stax#40: "Export <name> cannot
# be deleted as it is in use by <stack>" on the exporting stack, which stays UPDATE_COMPLETE)
_delete_stack = cfn_models.CloudFormationBackend.delete_stack


def _delete_stack_unless_imported(self, name_or_stack_id):
    stack = self.stacks.get(name_or_stack_id)
    if stack is None:
        stack = next((s for s in self.stacks.values() if s.name == name_or_stack_id), None)
    if stack is not None:
        using = importers(self, stack.stack_id)
        for export in stack.exports:
            if export.name in using:
                stack._add_stack_event(
                    stack.status,
                    resource_status_reason=f"Export {export.name} cannot be deleted as it is in use by "
                    f"{using[export.name][0]}",
                )
                return None
    return _delete_stack(self, name_or_stack_id)


cfn_models.CloudFormationBackend.delete_stack = _delete_stack_unless_imported


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


def _id_of(r):
    """A stable id of a stand-in (CloudFront's are 14 upper-case letters and digits)."""
    import hashlib

    return "E" + hashlib.sha256(f"{r.account_id}/{r.region}/{r.name}".encode()).hexdigest()[:13].upper()


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
# a distribution's Ref is its id and Fn::GetAtt DomainName `<id>.cloudfront.net`; Ref of an
# origin access control or a response headers policy is its id (Fn::GetAtt Id too); Ref of a
# certificate its ARN (the CloudFront and ACM resource references)
_Distribution = _stand_in(
    "AWS::CloudFront::Distribution",
    {"DomainName": lambda r: f"{_id_of(r)}.cloudfront.net", "Id": _id_of},
    physical=_id_of,
)


# 15. a distribution stand-in is also a distribution of moto's CloudFront API, under the
# stand-in's id, so that CloudFront's calls about it (CreateInvalidation, GetInvalidation,
# GetDistribution) are answered as AWS would for a deployed distribution; only its origins
# (id and domain), default behaviour, root object and comment are carried over
def _cloudfront(account_id):
    from moto.cloudfront.models import cloudfront_backends

    return cloudfront_backends[account_id]["global"]


@classmethod
def _create_distribution(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    from moto.cloudfront.models import Distribution

    stand_in = cls(resource_name, cloudformation_json.get("Properties", {}), region_name, account_id)
    config = stand_in.properties.get("DistributionConfig") or {}
    behavior = config.get("DefaultCacheBehavior") or {}
    dist = Distribution(
        account_id,
        "us-east-1",
        {
            "CallerReference": str(resource_name),
            "Comment": config.get("Comment", ""),
            "Enabled": config.get("Enabled", True),
            "DefaultRootObject": config.get("DefaultRootObject", ""),
            "Origins": {
                "Items": [
                    {"Id": o.get("Id"), "DomainName": str(o.get("DomainName"))}
                    for o in config.get("Origins") or []
                ]
            },
            "DefaultCacheBehavior": {
                "TargetOriginId": behavior.get("TargetOriginId"),
                "ViewerProtocolPolicy": behavior.get("ViewerProtocolPolicy"),
            },
        },
    )
    dist.distribution_id = dist.id = _id_of(stand_in)
    dist.arn = dist.arn.rsplit("/", 1)[0] + "/" + dist.id
    _cloudfront(account_id).distributions[dist.id] = dist
    return stand_in


@classmethod
def _delete_distribution(cls, resource_name, cloudformation_json, account_id, region_name):
    # moto names the resource by its physical id (the distribution's id) here
    _cloudfront(account_id).distributions.pop(str(resource_name), None)


_Distribution.create_from_cloudformation_json = _create_distribution
_Distribution.delete_from_cloudformation_json = _delete_distribution
_stand_in("AWS::CloudFront::OriginAccessControl", {"Id": _id_of}, physical=_id_of)
_stand_in("AWS::CloudFront::ResponseHeadersPolicy", {"Id": _id_of}, physical=_id_of)
_stand_in(
    "AWS::CertificateManager::Certificate",
    physical=lambda r: f"arn:aws:acm:{r.region}:{r.account_id}:certificate/{_id_of(r).lower()}",
)
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


# 15. DescribeStackResource finds a resource by its logical id past the entries moto keeps for
# types it does not create, instead of failing on them with an internal error (AWS answers for
# any resource of the stack)
def _logical_id_of(resource):
    return getattr(resource, "logical_resource_id", None)


def _describe_stack_resource(self, stack_name, logical_resource_id):
    from moto.cloudformation.exceptions import ValidationError

    stack = self.get_stack(stack_name)
    for resource in stack.stack_resources:
        if _logical_id_of(resource) == logical_resource_id:
            return stack, resource
    raise ValidationError(
        stack_name, f"Resource {logical_resource_id} does not exist for stack {stack_name}"
    )


cfn_models.CloudFormationBackend.describe_stack_resource = _describe_stack_resource
