"""AWS::ApiGateway::Method and ::Deployment as API Gateway takes them (server.py, patch 5).

moto's Method reads Integration.IntegrationHttpMethod and Integration.Uri unconditionally (a
KeyError, HTTP 500, for a MOCK integration, which has neither) and a method without an
Integration fails the same way; its CreateDeployment refuses an API only when no method at
all has an integration. AWS (AWS::ApiGateway::Method Integration, in the CloudFormation
resource reference):
- IntegrationHttpMethod: "For the Type property, if you specify MOCK, this property is
  optional. ... For all other types, you must specify this property." Without it PutIntegration
  answers "Enumeration value for HttpMethod must be non-empty" (BadRequestException, recorded
  in aws/aws-cdk#6404);
- Uri: required for the AWS, AWS_PROXY, HTTP and HTTP_PROXY types ("Invalid integration URI
  specified" otherwise);
- a method may exist without an integration (PutMethod), but CreateDeployment of its API then
  fails: `CREATE_FAILED AWS::ApiGateway::Deployment ... Resource handler returned message: "No
  integration defined for method (Service: ApiGateway, Status Code: 400, ...)"` (recorded in
  serverless/serverless#11748 and aws/serverless-application-model#54), and an API with no
  method at all: "The REST API doesn't contain any methods" (moto's NoMethodDefined).
So a MOCK integration gets no method or URI, a method without an integration is created
without one, and the deployment of an API with such a method fails as AWS fails it.
"""

from moto.apigateway import models as apigw_models

from .failures import Refused, handler_message

_NEEDS_URI = ("AWS", "AWS_PROXY", "HTTP", "HTTP_PROXY")

_create_method = apigw_models.Method.create_from_cloudformation_json.__func__


@classmethod
def _create_method_as_aws(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    properties = cloudformation_json["Properties"]
    properties.setdefault("AuthorizationType", "NONE")
    integration = properties.get("Integration")
    if integration is None:
        backend = apigw_models.apigateway_backends[account_id][region_name]
        return backend.put_method(
            function_id=properties["RestApiId"],
            resource_id=properties["ResourceId"],
            method_type=properties["HttpMethod"],
            authorization_type=properties["AuthorizationType"],
            api_key_required=properties.get("ApiKeyRequired"),
        )
    kind = str(integration.get("Type", ""))
    if kind != "MOCK" and not integration.get("IntegrationHttpMethod"):
        raise Refused(handler_message("Enumeration value for HttpMethod must be non-empty", "ApiGateway"))
    if kind in _NEEDS_URI and not integration.get("Uri"):
        raise Refused(handler_message("Invalid integration URI specified", "ApiGateway"))
    integration.setdefault("IntegrationHttpMethod", None)
    integration.setdefault("Uri", None)
    return _create_method(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)


apigw_models.Method.create_from_cloudformation_json = _create_method_as_aws

_create_deployment = apigw_models.Deployment.create_from_cloudformation_json.__func__


@classmethod
def _create_deployment_as_aws(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
    properties = cloudformation_json["Properties"]
    backend = apigw_models.apigateway_backends[account_id][region_name]
    api = backend.get_rest_api(properties["RestApiId"])
    methods = [m for r in api.resources.values() for m in r.resource_methods.values()]
    if not methods:
        raise Refused(handler_message("The REST API doesn't contain any methods", "ApiGateway"))
    if any(m.method_integration is None for m in methods):
        raise Refused(handler_message("No integration defined for method", "ApiGateway"))
    return _create_deployment(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs)


apigw_models.Deployment.create_from_cloudformation_json = _create_deployment_as_aws
