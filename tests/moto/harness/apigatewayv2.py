"""13. HTTP APIs from CloudFormation (server.py): moto models API Gateway v2's API (CreateApi,
CreateRoute, GetRoutes, ...) but not its CloudFormation types, so a stack's HTTP API, its
routes, integrations, authorizers and stages were not created, and a Lambda permission naming
the API named nothing.

AWS (AWS::ApiGatewayV2::Api, ::Route, ::Integration, ::Authorizer, ::Stage, CloudFormation
resource reference): Ref of an Api is its id and Fn::GetAtt ApiEndpoint its
`https://<id>.execute-api.<region>.amazonaws.com`; Ref of a Route, an Integration and an
Authorizer is its id, of a Stage its name; each names its API by ApiId. The API's own
answers (GetApi, GetRoutes, ...) use camelCase members (API Gateway v2 API reference). Patch:
each is created in moto's API Gateway v2 backend from its properties (their names turned to
the API's camelCase), so the service's API answers what the stack made; an ApiId naming no
API fails the resource as API Gateway's NotFoundException ("Invalid API identifier
specified"). A Deployment (which moto does not model) is an inert id, refused when its API
has no route, as CreateDeployment refuses it. A DomainName and an ApiMapping are created in
moto's backend; Ref of a domain is its name, Fn::GetAtt RegionalDomainName and
RegionalHostedZoneId what API Gateway gives a regional domain.
"""

import random
import string

from moto.apigatewayv2.exceptions import ApiNotFound
from moto.apigatewayv2.models import apigatewayv2_backends
from moto.cloudformation import parsing
from moto.core.common_models import CloudFormationModel

from .failures import Refused, handler_message
from .model import Model


def _camel(value):
    """CloudFormation's PascalCase members as the API's camelCase, at every level (the keys of
    RequestParameters and the like are names, not members, and stay)."""
    if isinstance(value, dict):
        return {k[:1].lower() + k[1:]: _camel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_camel(v) for v in value]
    return value


def _backend(account_id, region_name):
    return apigatewayv2_backends[account_id][region_name]


def _api(account_id, region_name, properties):
    try:
        return _backend(account_id, region_name).get_api(str(properties.get("ApiId", "")))
    except ApiNotFound:
        raise Refused(handler_message("Invalid API identifier specified", "ApiGatewayV2", 404))


class _Api(Model, CloudFormationModel):
    TYPE = "AWS::ApiGatewayV2::Api"
    ATTRIBUTES = {"ApiEndpoint": None, "ApiId": None}

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        p = cloudformation_json.get("Properties", {})
        api = _backend(account_id, region_name).create_api(
            api_key_selection_expression=p.get("ApiKeySelectionExpression"),
            cors_configuration=_camel(p.get("CorsConfiguration")),
            description=p.get("Description"),
            disable_schema_validation=p.get("DisableSchemaValidation"),
            disable_execute_api_endpoint=p.get("DisableExecuteApiEndpoint"),
            name=p.get("Name", resource_name),
            protocol_type=p.get("ProtocolType"),
            route_selection_expression=p.get("RouteSelectionExpression"),
            tags=p.get("Tags") or {},
            version=p.get("Version"),
        )
        return cls(api.api_id, {"ApiEndpoint": api.api_endpoint, "ApiId": api.api_id})

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        _backend(account_id, region_name).delete_api(resource_name)


class _Integration(Model, CloudFormationModel):
    TYPE = "AWS::ApiGatewayV2::Integration"
    ATTRIBUTES = {"IntegrationId": None}

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        p = cloudformation_json.get("Properties", {})
        api = _api(account_id, region_name, p)
        integration = api.create_integration(
            connection_type=p.get("ConnectionType"),
            description=p.get("Description"),
            integration_method=p.get("IntegrationMethod"),
            integration_type=p.get("IntegrationType"),
            integration_uri=p.get("IntegrationUri"),
            credentials_arn=p.get("CredentialsArn"),
            payload_format_version=p.get("PayloadFormatVersion"),
            integration_subtype=p.get("IntegrationSubtype"),
            request_parameters=p.get("RequestParameters"),
            timeout_in_millis=p.get("TimeoutInMillis"),
        )
        return cls(integration.id, {"IntegrationId": integration.id})


class _Route(Model, CloudFormationModel):
    TYPE = "AWS::ApiGatewayV2::Route"
    ATTRIBUTES = {"RouteId": None}

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        p = cloudformation_json.get("Properties", {})
        api = _api(account_id, region_name, p)
        route = api.create_route(
            api_key_required=bool(p.get("ApiKeyRequired", False)),
            authorization_scopes=p.get("AuthorizationScopes") or [],
            route_key=p.get("RouteKey"),
            target=p.get("Target"),
            authorization_type=p.get("AuthorizationType"),
            authorizer_id=p.get("AuthorizerId"),
            operation_name=p.get("OperationName"),
        )
        return cls(route.route_id, {"RouteId": route.route_id})


class _Authorizer(Model, CloudFormationModel):
    TYPE = "AWS::ApiGatewayV2::Authorizer"
    ATTRIBUTES = {"AuthorizerId": None}

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        p = cloudformation_json.get("Properties", {})
        api = _api(account_id, region_name, p)
        authorizer = api.create_authorizer(
            auth_creds_arn=p.get("AuthorizerCredentialsArn"),
            auth_payload_format_version=p.get("AuthorizerPayloadFormatVersion"),
            auth_result_ttl=p.get("AuthorizerResultTtlInSeconds"),
            authorizer_type=p.get("AuthorizerType"),
            authorizer_uri=p.get("AuthorizerUri"),
            enable_simple_response=p.get("EnableSimpleResponses"),
            identity_source=p.get("IdentitySource"),
            identity_validation_expr=p.get("IdentityValidationExpression"),
            jwt_config=_camel(p.get("JwtConfiguration")),
            name=p.get("Name"),
        )
        return cls(authorizer.id, {"AuthorizerId": authorizer.id})


class _Stage(Model, CloudFormationModel):
    TYPE = "AWS::ApiGatewayV2::Stage"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        p = cloudformation_json.get("Properties", {})
        api = _api(account_id, region_name, p)
        config = _camel({k: v for k, v in p.items() if k != "ApiId"})
        stage = api.create_stage(config)
        return cls(stage.name, {})


class _Deployment(Model, CloudFormationModel):
    """moto's API Gateway v2 has no deployments: an inert one, refused as API Gateway refuses
    the deployment of an API without routes (CreateDeployment: BadRequestException)."""

    TYPE = "AWS::ApiGatewayV2::Deployment"
    ATTRIBUTES = {"DeploymentId": None}

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        p = cloudformation_json.get("Properties", {})
        api = _api(account_id, region_name, p)
        if not api.routes:
            raise Refused(handler_message("At least one route is required before deploying the Api.", "ApiGatewayV2"))
        deployment_id = "".join(random.choices(string.ascii_lowercase + string.digits, k=6))
        return cls(deployment_id, {"DeploymentId": deployment_id})


class _DomainName(Model, CloudFormationModel):
    """A custom domain: Ref is the name, Fn::GetAtt RegionalDomainName the
    `d-<id>.execute-api.<region>.amazonaws.com` API Gateway gives a regional domain and
    RegionalHostedZoneId the zone of the region's execute-api endpoints (us-east-1's is
    Z1UJRXOUMOOFQ8, "Amazon API Gateway endpoints and quotas")."""

    TYPE = "AWS::ApiGatewayV2::DomainName"
    ATTRIBUTES = {"RegionalDomainName": None, "RegionalHostedZoneId": None, "DomainNameArn": None}

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        p = cloudformation_json.get("Properties", {})
        domain = _backend(account_id, region_name).create_domain_name(
            domain_name=p.get("DomainName"),
            domain_name_configurations=_camel(p.get("DomainNameConfigurations") or []),
            mutual_tls_authentication=_camel(p.get("MutualTlsAuthentication") or {}),
            tags=p.get("Tags") or {},
        )
        suffix = "".join(random.choices(string.ascii_lowercase + string.digits, k=10))
        return cls(
            domain.domain_name,
            {
                "RegionalDomainName": f"d-{suffix}.execute-api.{region_name}.amazonaws.com",
                "RegionalHostedZoneId": "Z1UJRXOUMOOFQ8",
                "DomainNameArn": domain.domain_name_arn,
            },
        )


class _ApiMapping(Model, CloudFormationModel):
    TYPE = "AWS::ApiGatewayV2::ApiMapping"
    ATTRIBUTES = {"ApiMappingId": None}

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        p = cloudformation_json.get("Properties", {})
        api = _api(account_id, region_name, p)
        mapping = _backend(account_id, region_name).create_api_mapping(
            api_id=api.api_id,
            api_mapping_key=p.get("ApiMappingKey") or "",
            domain_name=p.get("DomainName"),
            stage=p.get("Stage"),
        )
        return cls(mapping.api_mapping_id, {"ApiMappingId": mapping.api_mapping_id})


for _model in (_Api, _Integration, _Route, _Authorizer, _Stage, _Deployment, _DomainName, _ApiMapping):
    _model.__module__ = "moto.rcdk_harness"
parsing.get_model_map.cache_clear()
