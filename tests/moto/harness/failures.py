"""Resource failures as CloudFormation reports them (server.py, patch 10).

A patch that refuses what AWS refuses raises `Refused` with AWS's reason. moto has no resource
failures of its own: an exception in a resource's creation escapes as an HTTP 500 of
ExecuteChangeSet and leaves the stack in CREATE_IN_PROGRESS. Here the failed resource gets a
CREATE_FAILED (UPDATE_FAILED) event with the reason, and the stack ends as CloudFormation
ends it: a create rolls back (its resources deleted) to ROLLBACK_COMPLETE, or stays
CREATE_FAILED with DisableRollback; an update rolls back to UPDATE_ROLLBACK_COMPLETE (the
previous template restored as far as moto can update back), or stays UPDATE_FAILED.
A service error moto raises while creating a resource (an API Gateway BadRequest, say) fails
the resource the same way, in the words CloudFormation uses for a handler's error.
"""

import os
import threading
import time

from moto.cloudformation import models as cfn_models
from moto.cloudformation import parsing
from moto.cloudformation import responses as cfn_responses
from moto.core.exceptions import ServiceException, _RESTError


class Refused(Exception):
    """A resource CloudFormation would fail: the reason AWS gives; the logical id and type are
    filled in where the resource is known."""

    def __init__(self, reason, logical_id=None, resource_type=None, stack_level=False):
        super().__init__(reason)
        self.reason = reason
        self.logical_id = logical_id
        self.resource_type = resource_type
        # a refusal of the stack itself (an export), reported on the stack's rollback event
        # rather than on a resource's failure
        self.stack_level = stack_level


def handler_message(message, service, status=400):
    """How CloudFormation words a resource handler's error (its events read
    `Resource handler returned message: "<the service's message> (Service: <service>, Status
    Code: 400, Request ID: ...)" (RequestToken: ..., HandlerErrorCode: InvalidRequest)`)."""
    return (
        f'Resource handler returned message: "{message} (Service: {service}, Status Code: '
        f'{status})" (HandlerErrorCode: InvalidRequest)'
    )


def _service_of(resource_type):
    parts = str(resource_type).split("::")
    return parts[1] if len(parts) == 3 else str(resource_type)


def _refused_from(error, logical_id, resource_type):
    """A service error moto raised while creating a resource, as the resource's failure."""
    message = getattr(error, "message", None) or str(error)
    status = getattr(error, "code", 400)
    if not isinstance(status, int):
        status = 400
    return Refused(handler_message(message, _service_of(resource_type), status), logical_id, resource_type)


# checks that run before a resource is created or updated (the property schema check)
CHECKS = []

# CloudFormation's time to create or delete a resource, which moto does in microseconds: with
# RCDK_HARNESS_RESOURCE_SECONDS set (scripts/bench-deploy), each takes that long, so that
# stacks deployed side by side can be measured against one at a time. Unset: no wait.
try:
    RESOURCE_SECONDS = max(0.0, float(os.environ.get("RCDK_HARNESS_RESOURCE_SECONDS") or 0))
except ValueError:
    RESOURCE_SECONDS = 0.0

_create = parsing.parse_and_create_resource
_update = parsing.parse_and_update_resource


def _create_or_refuse(logical_id, resource_json, resources_map, account_id, region_name):
    condition = resource_json.get("Condition")
    if condition and not resources_map.lazy_condition_map[condition]:
        return _create(logical_id, resource_json, resources_map, account_id, region_name)
    resource_type = resource_json.get("Type")
    if RESOURCE_SECONDS:
        time.sleep(RESOURCE_SECONDS)
    try:
        for check in CHECKS:
            check(logical_id, resource_json)
        return _create(logical_id, resource_json, resources_map, account_id, region_name)
    except Refused as refused:
        if refused.logical_id is None:
            refused.logical_id, refused.resource_type = logical_id, resource_type
        raise
    except (ServiceException, _RESTError) as error:
        raise _refused_from(error, logical_id, resource_type) from error


def _update_or_refuse(logical_id, resource_json, resources_map, account_id, region_name):
    resource_type = resource_json.get("Type")
    try:
        for check in CHECKS:
            check(logical_id, resource_json)
        return _update(logical_id, resource_json, resources_map, account_id, region_name)
    except Refused as refused:
        if refused.logical_id is None:
            refused.logical_id, refused.resource_type = logical_id, resource_type
        raise
    except (ServiceException, _RESTError) as error:
        raise _refused_from(error, logical_id, resource_type) from error


parsing.parse_and_create_resource = _create_or_refuse
parsing.parse_and_update_resource = _update_or_refuse

_delete_resource = parsing.ResourceMap._delete_resource


def _delete_resource_in_time(self, parsed_resource, resource_json):
    if RESOURCE_SECONDS:
        time.sleep(RESOURCE_SECONDS)
    return _delete_resource(self, parsed_resource, resource_json)


parsing.ResourceMap._delete_resource = _delete_resource_in_time


# ExecuteChangeSet's DisableRollback, which moto's backend is not given
_request = threading.local()
_execute_response = cfn_responses.CloudFormationResponse.execute_change_set


def _execute_response_reading_rollback(self):
    _request.disable_rollback = str(self._get_param("DisableRollback", "false")).lower() == "true"
    try:
        return _execute_response(self)
    finally:
        _request.disable_rollback = False


cfn_responses.CloudFormationResponse.execute_change_set = _execute_response_reading_rollback


def _event(stack, logical_id, resource_type, status, reason):
    stack.events.append(
        cfn_models.Event(
            stack_id=stack.stack_id,
            stack_name=stack.name,
            logical_resource_id=logical_id,
            physical_resource_id="",
            resource_type=resource_type,
            resource_status=status,
            resource_status_reason=reason,
            resource_properties=None,
        )
    )


def _failed(stack, refused, creating, previous_template):
    """Records the failure and ends the stack as CloudFormation does."""
    verb = "CREATE" if creating else "UPDATE"
    if refused.stack_level:
        failed = refused.reason
    else:
        _event(stack, refused.logical_id or stack.name, refused.resource_type or "", f"{verb}_FAILED", refused.reason)
        failed = f"The following resource(s) failed to {verb.lower()}: [{refused.logical_id}]."
    if getattr(_request, "disable_rollback", False):
        stack._add_stack_event(f"{verb}_FAILED", resource_status_reason=failed)
        stack.status = f"{verb}_FAILED"
        return
    if creating:
        stack._add_stack_event("ROLLBACK_IN_PROGRESS", resource_status_reason=f"{failed} Rollback requested by user.")
        try:
            stack.resource_map.delete()
        except Exception:  # what moto cannot delete stays; AWS would have deleted it
            pass
        stack._add_stack_event("ROLLBACK_COMPLETE")
        stack.status = "ROLLBACK_COMPLETE"
    else:
        stack._add_stack_event("UPDATE_ROLLBACK_IN_PROGRESS", resource_status_reason=failed)
        try:
            stack.resource_map.update(stack.parse_template(previous_template), stack.parameters)
        except Exception:  # moto could not update back; AWS would have
            pass
        stack._add_stack_event("UPDATE_ROLLBACK_COMPLETE")
        stack.status = "UPDATE_ROLLBACK_COMPLETE"


def _change_set(backend, name):
    if name in backend.change_sets:
        return backend.change_sets[name]
    for change_set in backend.change_sets.values():
        if change_set.change_set_name == name:
            return change_set
    return None


_execute = cfn_models.CloudFormationBackend.execute_change_set


def _execute_or_fail(self, change_set_name, stack_name=None):
    change_set = _change_set(self, change_set_name)
    stack = self.stacks.get(change_set.stack_id) if change_set else None
    previous = stack.template if stack else None
    try:
        return _execute(self, change_set_name, stack_name)
    except Refused as refused:
        creating = change_set.change_set_type == "CREATE"
        _failed(stack, refused, creating, previous)
        change_set.execution_status = "EXECUTE_FAILED"
        return None


cfn_models.CloudFormationBackend.execute_change_set = _execute_or_fail

# CreateStack and UpdateStack, without a change set
_create_resources = cfn_models.Stack.create_resources


def _create_resources_or_fail(self):
    try:
        return _create_resources(self)
    except Refused as refused:
        _failed(self, refused, True, None)
        return None


cfn_models.Stack.create_resources = _create_resources_or_fail

_update_stack = cfn_models.Stack.update


def _update_stack_or_fail(self, template, role_arn=None, parameters=None, tags=None):
    previous = self.template
    try:
        return _update_stack(self, template, role_arn=role_arn, parameters=parameters, tags=tags)
    except Refused as refused:
        self.template = previous
        self._parse_template()
        _failed(self, refused, False, previous)
        return None


cfn_models.Stack.update = _update_stack_or_fail
