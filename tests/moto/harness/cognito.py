"""14. User pools from CloudFormation (server.py): moto models Cognito's user pool API but not
its CloudFormation types, so a stack's pool, app clients, domain and resource servers were
not created, and a Lambda permission or an authorizer naming the pool named nothing.

AWS (AWS::Cognito::UserPool, ::UserPoolClient, ::UserPoolDomain, ::UserPoolResourceServer,
CloudFormation resource reference): Ref of a pool is its id (`<region>_<suffix>`), Fn::GetAtt
Arn its ARN, ProviderURL `https://cognito-idp.<region>.amazonaws.com/<id>` and ProviderName
`cognito-idp.<region>.amazonaws.com/<id>`; Ref of a client is its id; of a domain, the
domain; of a resource server, its identifier. Their properties are the API's parameters
(CreateUserPool takes PoolName where CloudFormation has UserPoolName). Patch: each is created
in moto's Cognito backend from its properties, so DescribeUserPool, DescribeUserPoolClient and
the like answer what the stack made; a UserPoolId naming no pool fails the resource as
Cognito's ResourceNotFoundException does, and a client naming a custom scope no resource
server of its pool has yet fails as Cognito's ScopeDoesNotExistException does (CreateUserPoolClient
API reference), so a client created before its resource server is caught.
"""

from moto.cloudformation import parsing
from moto.cognitoidp.exceptions import ResourceNotFoundError
from moto.cognitoidp.models import cognitoidp_backends
from moto.core.common_models import CloudFormationModel

from .failures import Refused, handler_message
from .model import Model


def _backend(account_id, region_name):
    return cognitoidp_backends[account_id][region_name]


def _pool_id(account_id, region_name, properties):
    pool_id = str(properties.get("UserPoolId", ""))
    try:
        _backend(account_id, region_name).describe_user_pool(pool_id)
    except ResourceNotFoundError:
        raise Refused(handler_message(f"User pool {pool_id} does not exist.", "CognitoIdentityProvider"))
    return pool_id


class _UserPool(Model, CloudFormationModel):
    TYPE = "AWS::Cognito::UserPool"
    ATTRIBUTES = ("Arn", "ProviderName", "ProviderURL", "UserPoolId")

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        p = dict(cloudformation_json.get("Properties", {}))
        name = p.pop("UserPoolName", None) or resource_name
        pool = _backend(account_id, region_name).create_user_pool(name, p)
        provider = f"cognito-idp.{region_name}.amazonaws.com/{pool.id}"
        return cls(
            pool.id,
            {
                "Arn": pool.arn,
                "ProviderName": provider,
                "ProviderURL": f"https://{provider}",
                "UserPoolId": pool.id,
            },
        )

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        backend = _backend(account_id, region_name)
        if resource_name in backend.user_pools:
            backend.user_pools.pop(resource_name)


class _Client(Model, CloudFormationModel):
    TYPE = "AWS::Cognito::UserPoolClient"
    ATTRIBUTES = ("ClientId", "ClientSecret", "Name")

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        p = dict(cloudformation_json.get("Properties", {}))
        pool_id = _pool_id(account_id, region_name, p)
        p.pop("UserPoolId", None)
        generate = str(p.pop("GenerateSecret", "false")).lower() == "true"
        # a custom scope must be one of the pool's resource servers' (Cognito's
        # ScopeDoesNotExistException: "Invalid scope requested")
        pool = _backend(account_id, region_name).describe_user_pool(pool_id)
        known = {
            f"{identifier}/{scope.get('ScopeName')}"
            for identifier, server in getattr(pool, "resource_servers", {}).items()
            for scope in (server.scopes or [])
        }
        for scope in p.get("AllowedOAuthScopes") or []:
            if "/" in scope and scope not in known:
                raise Refused(handler_message(f"Invalid scope requested: {scope}", "CognitoIdentityProvider"))
        client = _backend(account_id, region_name).create_user_pool_client(pool_id, generate, p)
        return cls(
            client.id,
            {"ClientId": client.id, "ClientSecret": client.secret, "Name": p.get("ClientName")},
        )


class _Domain(Model, CloudFormationModel):
    TYPE = "AWS::Cognito::UserPoolDomain"
    ATTRIBUTES = ("CloudFrontDistribution",)

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        p = cloudformation_json.get("Properties", {})
        pool_id = _pool_id(account_id, region_name, p)
        domain = _backend(account_id, region_name).create_user_pool_domain(
            pool_id, p.get("Domain"), p.get("CustomDomainConfig")
        )
        return cls(domain.domain, {"CloudFrontDistribution": f"{domain.domain}.cloudfront.net"})


class _ResourceServer(Model, CloudFormationModel):
    TYPE = "AWS::Cognito::UserPoolResourceServer"

    @classmethod
    def create_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        p = cloudformation_json.get("Properties", {})
        pool_id = _pool_id(account_id, region_name, p)
        server = _backend(account_id, region_name).create_resource_server(
            pool_id, p.get("Identifier"), p.get("Name"), p.get("Scopes") or []
        )
        return cls(server.identifier, {})


for _model in (_UserPool, _Client, _Domain, _ResourceServer):
    _model.__module__ = "moto.rcdk_harness"
parsing.get_model_map.cache_clear()
