"""Nested stacks as CloudFormation runs them (server.py, patch 17).

moto creates an AWS::CloudFormation::Stack's stack from its TemplateURL, but:
- Ref of it is the nested stack's name; AWS gives its stack ID (AWS::CloudFormation::Stack,
  CloudFormation template reference, "Return values": "Ref returns the stack ID");
- Fn::GetAtt `Outputs.<name>` is an error; AWS gives the nested stack's output (same page:
  "Outputs.NestedStackOutputName ... the output value from the nested stack");
- an update deletes the nested stack and creates another, resources and all; AWS updates the
  nested stack in place ("Nested stacks" of the CloudFormation User Guide: updating the root
  stack updates the nested stacks that changed);
- a nested stack whose resource failed (patch 10) leaves the parent's resource created; AWS
  fails it: "Embedded stack <stack ID> was not successfully created: The following resource(s)
  failed to create: [<ids>]." (the parent's event, as the CloudFormation console shows it);
- DescribeStacks gives a nested stack no ParentId or RootId; AWS gives both (DescribeStacks
  API reference, Stack: "ParentId ... the stack ID of the direct parent of this stack",
  "RootId ... the stack ID of the top-level stack").
Patch: all five as AWS does. The nested stack is named `<parent>-<logical id>-<suffix>`, as
moto (and AWS) name generated resources.
"""

from moto.cloudformation import models as cfn_models
from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.cloudformation.utils import get_stack_from_s3_url
from moto.utilities.utils import get_partition

from .failures import Refused

_STACK_TYPE = "AWS::CloudFormation::Stack"


def _backend(account_id, region_name):
    return cfn_models.cloudformation_backends[account_id][region_name]


def _parent_of(kwargs, backend):
    stack_id = kwargs.get("StackId")
    return backend.stacks.get(stack_id) if stack_id else None


def _template_of(properties, account_id, region_name):
    return get_stack_from_s3_url(
        properties["TemplateURL"], account_id=account_id, partition=get_partition(region_name)
    )


def _parameters_of(properties):
    return {k: str(v) for k, v in (properties.get("Parameters") or {}).items()}


def _failed_resources(stack, status):
    return [
        e.logical_resource_id
        for e in stack.events
        if e.resource_status == status and e.logical_resource_id != stack.name
    ]


def _create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    backend = _backend(account_id, region_name)
    properties = cloudformation_json["Properties"]
    template = _template_of(properties, account_id, region_name)
    stack = backend.create_stack(
        name=resource_name, template=template, parameters=_parameters_of(properties)
    )
    parent = _parent_of(kwargs, backend)
    if parent is not None:
        stack.parent_id = parent.stack_id
        stack.root_id = getattr(parent, "root_id", None) or parent.stack_id
    if stack.status != "CREATE_COMPLETE":
        failed = ", ".join(_failed_resources(stack, "CREATE_FAILED"))
        raise Refused(
            f"Embedded stack {stack.stack_id} was not successfully created: "
            f"The following resource(s) failed to create: [{failed}]. "
        )
    return stack


def _update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
    backend = _backend(account_id, region_name)
    properties = cloudformation_json["Properties"]
    template = _template_of(properties, account_id, region_name)
    stack = original_resource
    stack.cross_stack_resources = backend.exports
    stack.resource_map.cross_stack_resources = backend.exports
    stack.update(template, parameters=_parameters_of(properties))
    if stack.status != "UPDATE_COMPLETE":
        failed = ", ".join(_failed_resources(stack, "UPDATE_FAILED"))
        raise Refused(
            f"Embedded stack {stack.stack_id} was not successfully updated. Currently in "
            f"{stack.status} with reason: The following resource(s) failed to update: [{failed}]."
        )
    # its exports follow its outputs, as after any update (patch 1)
    for name, export in list(backend.exports.items()):
        if export.exporting_stack_id == stack.stack_id:
            del backend.exports[name]
    backend.exports.update({e.name: e for e in stack.exports})
    return stack


def _delete(cls, resource_name, cloudformation_json, account_id, region_name):
    _backend(account_id, region_name).delete_stack(resource_name)


def _get_cfn_attribute(self, attribute_name):
    if attribute_name.startswith("Outputs."):
        wanted = attribute_name[len("Outputs."):]
        for output in self.output_map.values():
            if output.key == wanted:
                return output.value
    raise UnformattedGetAttTemplateException()


cfn_models.Stack.create_from_cloudformation_json = classmethod(_create)
cfn_models.Stack.update_from_cloudformation_json = classmethod(_update)
cfn_models.Stack.delete_from_cloudformation_json = classmethod(_delete)
cfn_models.Stack.get_cfn_attribute = _get_cfn_attribute
# Ref of a nested stack is its stack ID; moto passes that back to delete it
cfn_models.Stack.physical_resource_id = property(lambda self: self.stack_id)
cfn_models.Stack.parent_id = None
cfn_models.Stack.root_id = None
