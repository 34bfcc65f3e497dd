"""Custom resources as CloudFormation runs them (server.py, patch 16).

moto sends a custom resource's function a Create only, with a ResponseURL without a scheme;
it ignores a FAILED answer (the stack stays CREATE_IN_PROGRESS), takes the physical id of its
own making instead of the answer's, and sends no Delete, so a resource is never cleaned up.

CloudFormation (User Guide, "Custom resources": request objects, response objects, and
AWS::CloudFormation::CustomResource's ServiceTimeout) invokes the function asynchronously
with a Create, Update or Delete request naming a presigned ResponseURL, and waits for one
response object PUT there, for at most ServiceTimeout seconds (default 3600):
- SUCCESS: the resource's physical id (Ref) is the answer's PhysicalResourceId, its
  Fn::GetAtt attributes are the answer's Data;
- FAILED: the resource fails with "Received response status [FAILED] from custom resource.
  Message returned: <Reason> (RequestId: <id>)", and a create is rolled back: the rollback sends
  a Delete with the physical id of the FAILED answer;
- no answer in time fails it too; a response object over 4,096 bytes is refused ("Response
  object is too long.");
- deleting the stack sends each custom resource a Delete; a FAILED one fails the deletion
  (DELETE_FAILED), and the stack stays.
Property values reach the function as strings, as CloudFormation passes them.

Patch: the above, synchronously within the request that creates or deletes the stack, for a
function whose handler the test registered (lambda_runtime.py, patch 11; a provider's by its
code object key, since CloudFormation creates it in the same stack): the ResponseURL is
this server's `/rcdk-harness/cfn-response/<request id>`. A provider without a registered
handler fails the resource saying so, rather than wait for an answer that cannot come.
Not as AWS: Update requests are not sent (moto updates a custom resource by replacing its
model); the timeout's wording is the harness's.
"""

import json
import os
import threading
import uuid

from moto.awslambda.utils import get_backend as get_lambda_backend
from moto.cloudformation import custom_model
from moto.cloudformation import models as cfn_models
from moto.cloudformation import parsing

from . import lambda_runtime
from .failures import Refused

MAX_RESPONSE_BYTES = 4096

# request id -> {"done": threading.Event, "body": bytes}
_pending = {}
_lock = threading.Lock()
# stack id -> [(function, event, physical id)] of creates answered FAILED, for the rollback
_failed_creates = {}
# every response object received, in order, with its request's type: what CloudFormation was
# told (GET /rcdk-harness/cfn-responses)
_answers = []


def answers():
    """The response objects received so far."""
    with _lock:
        return list(_answers)


def reset():
    """Forgets the answers and the failed creates (moto's reset)."""
    with _lock:
        _answers.clear()
        _failed_creates.clear()


def respond(request_id, body):
    """A response object PUT to a request's URL: (HTTP status, answer)."""
    with _lock:
        waiter = _pending.get(request_id)
    if waiter is None or waiter["done"].is_set():
        return 404, {"message": f"no request {request_id} waits for a response"}
    waiter["body"] = body
    waiter["done"].set()
    return 200, {}


def _strings(value):
    """Property values as the function receives them: scalars as strings."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, dict):
        return {k: _strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_strings(v) for v in value]
    return value


def _service_timeout(properties):
    try:
        return max(1, min(3600, int(properties.get("ServiceTimeout", 3600))))
    except (TypeError, ValueError):
        return 3600


def _function(properties, account_id, region_name):
    token = properties.get("ServiceToken")
    if not isinstance(token, str) or not token:
        raise Refused("Property validation failed: ServiceToken is required")
    try:
        function = get_lambda_backend(account_id, region_name).get_function(token)
    except Exception as error:  # moto's ResourceNotFound
        raise Refused(f"the ServiceToken {token} names no function: {error}") from error
    if not lambda_runtime.has_handler(function):
        raise Refused(
            f"(harness) no handler is registered for {function.function_name}: register the "
            "provider's executable by its code key before deploying"
        )
    return function


def _ask(function, event, timeout):
    """Invokes `function` with `event` as CloudFormation does and waits for the response
    object: the parsed answer, or Refused."""
    request_id = event["RequestId"]
    port = os.environ.get("MOTO_PORT", "5000")
    event["ResponseURL"] = (
        f"http://127.0.0.1:{port}/rcdk-harness/cfn-response/{request_id}?X-Amz-Signature=harness"
    )
    waiter = {"done": threading.Event(), "body": None}
    with _lock:
        _pending[request_id] = waiter
    try:
        get_lambda_backend(function.account_id, function.region).invoke(
            function.function_name, None, json.dumps(event), {"X-Amz-Invocation-Type": "Event"}, {}
        )
        if not waiter["done"].wait(timeout):
            raise Refused(
                "CloudFormation did not receive a response from your Custom Resource within its "
                f"ServiceTimeout of {timeout} seconds. Please check your logs for requestId [{request_id}]."
            )
    finally:
        with _lock:
            _pending.pop(request_id, None)
    body = waiter["body"] or b""
    try:
        received = json.loads(body)
    except ValueError:
        received = body.decode("utf-8", "replace")
    with _lock:
        _answers.append({"RequestType": event["RequestType"], "Response": received})
    if len(body) > MAX_RESPONSE_BYTES:
        raise Refused("Response object is too long.")
    try:
        answer = json.loads(body)
    except ValueError as error:
        raise Refused(f"Invalid response object: {error}") from error
    if not isinstance(answer, dict) or answer.get("Status") not in ("SUCCESS", "FAILED"):
        raise Refused("Invalid response object: Status must be SUCCESS or FAILED")
    for key in ("StackId", "RequestId", "LogicalResourceId"):
        if answer.get(key) != event[key]:
            raise Refused(f"Invalid response object: {key} {answer.get(key)!r} is not the request's")
    physical = answer.get("PhysicalResourceId")
    if not isinstance(physical, str) or not physical or len(physical.encode()) > 1024:
        raise Refused("Invalid PhysicalResourceId")
    return answer


def _failed(answer, request_id):
    return Refused(
        "Received response status [FAILED] from custom resource. Message returned: "
        f"{answer.get('Reason', '')} (RequestId: {request_id})"
    )


def _event(kind, info, physical=None):
    event = {
        "RequestType": kind,
        "ServiceToken": info["properties"].get("ServiceToken"),
        "StackId": info["stack_id"],
        "RequestId": str(uuid.uuid4()),
        "LogicalResourceId": info["logical_id"],
        "ResourceType": info["type"],
        "ResourceProperties": _strings(info["properties"]),
    }
    if physical is not None:
        event["PhysicalResourceId"] = physical
    return event


@classmethod
def _create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    properties = cloudformation_json.get("Properties") or {}
    info = {
        "properties": properties,
        "stack_id": kwargs["StackId"],
        "logical_id": kwargs["LogicalId"],
        "type": kwargs["ResourceType"],
    }
    function = _function(properties, account_id, region_name)
    event = _event("Create", info)
    answer = _ask(function, event, _service_timeout(properties))
    if answer["Status"] == "FAILED":
        with _lock:
            _failed_creates.setdefault(info["stack_id"], []).append(
                (function, info, answer["PhysicalResourceId"])
            )
        raise _failed(answer, event["RequestId"])
    model = custom_model.CustomModel(region_name, event["RequestId"], info["logical_id"], answer["PhysicalResourceId"])
    model.set_data(answer.get("Data") or {})
    model.rcdk = dict(info, function=function)
    return model


def _delete(self, account_id, region_name):
    info = getattr(self, "rcdk", None)
    if info is None or info.get("deleted"):
        return
    if info.get("refused") is not None:  # asked once per deletion
        raise info["refused"]
    event = _event("Delete", info, self.physical_resource_id)
    try:
        answer = _ask(info["function"], event, _service_timeout(info["properties"]))
        if answer["Status"] == "FAILED":
            raise _failed(answer, event["RequestId"])
    except Refused as refused:
        refused.logical_id, refused.resource_type = info["logical_id"], info["type"]
        info["refused"] = refused
        raise
    info["deleted"] = True


custom_model.CustomModel.create_from_cloudformation_json = _create
custom_model.CustomModel.delete = _delete

# the rollback of a create: a Delete for each custom resource whose create answered FAILED;
# and custom resources deleted before what they depend on (moto deletes in no order, so a
# provider's function could go first; CloudFormation deletes in reverse dependency order)
_map_delete = parsing.ResourceMap.delete


def _delete_map(self):
    with _lock:
        failed = _failed_creates.pop(self.stack_id, [])
    for function, info, physical in failed:
        try:
            _ask(function, _event("Delete", info, physical), _service_timeout(info["properties"]))
        except Refused:
            pass  # CloudFormation would end in ROLLBACK_FAILED; the stack's rollback goes on
    for logical_id, resource in list(self._parsed_resources.items()):
        template = self._resource_json_map.get(logical_id, {})
        if isinstance(resource, custom_model.CustomModel) and template.get("DeletionPolicy") != "Retain":
            # a new deletion asks again (a DeleteStack retried after DELETE_FAILED)
            getattr(resource, "rcdk", {}).pop("refused", None)
            resource.delete(self._account_id, self._region_name)
    return _map_delete(self)


parsing.ResourceMap.delete = _delete_map


# a deletion that fails leaves the stack, DELETE_FAILED, with the reason
class _DeleteFailed(Exception):
    pass


_stack_delete = cfn_models.Stack.delete


def _stack_delete_or_fail(self):
    try:
        _stack_delete(self)
    except Exception as error:
        reason = getattr(error, "reason", None) or str(error)
        logical_id = getattr(error, "logical_id", None)
        if logical_id:
            self._add_stack_event("DELETE_FAILED", resource_status_reason=f"The following resource(s) failed to delete: [{logical_id}]. {reason}")
        else:
            self._add_stack_event("DELETE_FAILED", resource_status_reason=reason)
        self.status = "DELETE_FAILED"
        raise _DeleteFailed() from error


cfn_models.Stack.delete = _stack_delete_or_fail
_backend_delete = cfn_models.CloudFormationBackend.delete_stack


def _backend_delete_keeping_failed(self, name_or_stack_id):
    stack = self.stacks.get(name_or_stack_id) or next(
        (s for s in self.stacks.values() if s.name == name_or_stack_id), None
    )
    try:
        return _backend_delete(self, name_or_stack_id)
    except _DeleteFailed:
        if stack is not None:
            self.stacks[stack.stack_id] = stack
            self.deleted_stacks.pop(stack.stack_id, None)


cfn_models.CloudFormationBackend.delete_stack = _backend_delete_keeping_failed


# S3 refuses to delete a bucket that holds objects (DeleteBucket: BucketNotEmpty, 409, "The
# bucket you tried to delete is not empty"); moto's resource deletion skipped it silently and
# reported the stack deleted with the bucket still there
from moto.s3 import models as s3_models  # noqa: E402

from .failures import handler_message  # noqa: E402

_bucket_delete = s3_models.FakeBucket.delete_from_cloudformation_json.__func__


@classmethod
def _bucket_delete_if_empty(cls, resource_name, cloudformation_json, account_id, region_name):
    backend = s3_models.s3_backends[account_id][parsing.get_partition(region_name)]
    bucket = backend.buckets.get(resource_name)
    if bucket is not None and bucket.keys:
        raise Refused(handler_message("The bucket you tried to delete is not empty", "S3", 409))
    return _bucket_delete(cls, resource_name, cloudformation_json, account_id, region_name)


s3_models.FakeBucket.delete_from_cloudformation_json = _bucket_delete_if_empty


# a bucket's VersioningConfiguration (AWS::S3::Bucket, CloudFormation resource reference),
# which moto's resource ignores: the bucket was created unversioned
_bucket_create = s3_models.FakeBucket.create_from_cloudformation_json.__func__


@classmethod
def _bucket_create_versioned(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    bucket = _bucket_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)
    status = ((cloudformation_json.get("Properties") or {}).get("VersioningConfiguration") or {}).get("Status")
    if status in ("Enabled", "Suspended"):
        bucket.versioning_status = status
    return bucket


s3_models.FakeBucket.create_from_cloudformation_json = _bucket_create_versioned
