"""moto server for rcdk's end-to-end tests: moto 5.2.5 with the gaps ../shared/TESTING.md lists
patched, so the tests exercise rcdk rather than moto's omissions, and with nothing accepted
that AWS refuses.

Usage: python tests/moto/server.py PORT   (binds 127.0.0.1 only)

Each patch (the modules of tests/moto/harness/) makes moto answer as AWS does for what the
templates use, on the AWS documentation named here; where moto cannot check something at all
(resource policies, event delivery, IAM evaluation), the tests say so rather than assert
moto's stand-in answer.

1. Outputs of change-set stacks (gaps.py). A stack created or updated through a change set
   gets no Outputs in moto. AWS gives every stack its outputs (CloudFormation API reference,
   DescribeStacks: Outputs, "A list of output structures"). Patch: after a change set is
   applied, the stack takes its template and rebuilds its outputs Nor are their exports registered
   (moto does that in CreateStack only), so another stack's Fn::ImportValue of one fails ("No
   export named ..."), and a stack made by a change set resolves its own imports against an
   empty table. AWS makes an output's Export.Name importable by the stacks of the account and
   region once the stack is created or updated (CloudFormation User Guide, "Get exported
   outputs from a deployed CloudFormation stack"). Patch: the stack resolves imports against
   the account's exports, and its exports are registered (those it no longer makes dropped),
   when its change set is applied, under AWS's rules (Fn::ImportValue, template reference:
   "Export names must be unique within a Region"; "After another stack imports an output
   value, you can't delete the stack that is exporting the output value or modify the exported
   output value"): a name another stack exports, an export removed or changed while another
   stack imports it, fail the change set's stack and roll it back ("Export <name> cannot be
   deleted as it is in use by <stack>", recorded in aws/aws-cdk#7602), and DeleteStack of a
   stack whose export is imported deletes nothing (recorded in rlister/stax#40); moto alone
   overwrote, dropped and deleted them.
2. Stand-ins (gaps.py). AWS::Lambda::Url, AWS::ApiGateway::Stage, AWS::ApiGateway::Account,
   AWS::S3::BucketPolicy, AWS::Lambda::Alias, AWS::CloudFront::Distribution,
   ::OriginAccessControl, ::ResponseHeadersPolicy and AWS::CertificateManager::Certificate are
   not modelled: reported created, and
   Fn::GetAtt on one is an HTTP 500. Patch: an inert resource per type whose Ref is the
   type's primary identifier and whose Fn::GetAtt gives its read-only properties, as the
   type's registry schema names them (primaryIdentifier, readOnlyProperties; the
   CloudFormation resource reference's "Return values": AWS::Lambda::Url's Ref and FunctionArn
   are the target function's ARN, FunctionUrl its URL; AWS::ApiGateway::Stage's Ref its
   StageName; AWS::Lambda::Alias's Ref and AliasArn the alias's ARN; a distribution's Ref
   its id and DomainName `<id>.cloudfront.net`; a certificate's Ref its ARN). Their properties are
   checked like every resource's (patch 9); nothing else of them is: a bucket policy's
   statements, a URL's authorization, a stage's settings, a distribution's configuration and
   a certificate's validation are not enforced (the tests say so).
3. State machines (stepfunctions.py). moto reads only DefinitionString (a Definition object
   becomes empty; DefinitionSubstitutions and StateMachineType are ignored; nulls are
   dropped) and creates the machine where it cannot run. Patch: the definition is built as
   AWS's resource handler builds it (aws-cloudformation-resource-providers-stepfunctions,
   ResourceHandler.processDefinition: one of Definition, DefinitionString,
   DefinitionS3Location, else "Property validation failed. Required key ... not found" or
   "... but not both"; a Definition object as JSON; DefinitionSubstitutions replaced by
   StringUtils.replaceEachRepeatedly, so a `${Key}` with no such key stays as text, as in
   AWS), with its type, in moto's executing backend.
4. Definitions are validated (stepfunctions.py, tests/moto/asl_check.rs). Step Functions
   refuses an invalid definition (CreateStateMachine API reference: InvalidDefinition, "The
   provided Amazon States Language definition is invalid"), and CloudFormation fails the
   resource with `Invalid State Machine Definition: '...'`; moto's parser refuses parts of
   the language it predates (ItemBatcher, ...). Patch: our own parser and validator (the
   `asl-check` example, constructs' ASL parser) check every definition; one they refuse fails
   the resource in those words (and a CreateStateMachine or UpdateStateMachine call, the
   hotswap's path, fails with InvalidDefinition and that message, as the API does), a Task
   Resource that is not an ARN (a `${Key}` left
   unreplaced) as "SCHEMA_VALIDATION_FAILED: Value is not a valid resource ARN at
   /States/<name>/Resource" (Step Functions' answer, recorded in
   aws/aws-sam-cli-app-templates#185). A definition ours accepts and moto's refuses is stored
   as written: valid, not executable on moto (no test runs such a machine there).
5. API Gateway methods and deployments (apigateway.py). moto needs IntegrationHttpMethod and
   Uri even for a MOCK integration (HTTP 500) and deploys an API whose methods lack an
   integration as long as one has one. AWS (AWS::ApiGateway::Method Integration,
   CloudFormation resource reference): IntegrationHttpMethod is optional for MOCK only, Uri
   required for AWS, AWS_PROXY, HTTP and HTTP_PROXY; CreateDeployment fails with "No
   integration defined for method" when a method has none (recorded in
   serverless/serverless#11748). Patch: MOCK integrations without them are accepted, a
   method without an integration is created without one (no MOCK is invented), and the
   deployment of its API fails as AWS fails it.
6. FIFO queue names (gaps.py). With FifoQueue and no QueueName, moto generates a name without
   .fifo and SQS then refuses the queue. AWS::SQS::Queue, QueueName: "the name of your FIFO
   queue must end with the .fifo suffix ... If you don't specify a name, CFN generates a
   unique physical ID and uses that ID for the queue name." Patch: the generated name of a
   FIFO queue ends in .fifo, 80 characters at most (SQS's limit on a queue's name).
7. Ref of an event bus (gaps.py). moto gives AWS::Events::EventBus no physical id, so a Ref
   of it is a Python object and the rule naming it fails (HTTP 500). AWS::Events::EventBus's
   registry schema: primaryIdentifier /properties/Name, which Ref returns. Patch: the
   physical id is the name.
8. PutEvents and its targets (gaps.py). moto delivers a matching rule's events at once, and
   a target it cannot deliver to (a function, a state machine, a topic) fails PutEvents
   itself (HTTP 500). AWS accepts the event and delivers it apart from the call (EventBridge
   API reference, PutEvents: FailedEntryCount counts entries that failed to be ingested).
   Patch: such targets get nothing, silently; queues, buses, log groups and archives still
   receive the event. Delivery to a function, a state machine or a topic is therefore never
   checked on moto, and the tests that put events say so.
9. Properties against the registry schemas (schemas.py). moto takes any properties.
   CloudFormation validates them against the type's registry schema and fails the resource
   with "Properties validation failed for resource <id> with message: #/<path>: extraneous
   key [<key>] is not permitted" or "... required key [<key>] not found" (recorded in
   aws-cloudformation/cloudformation-coverage-roadmap#1514). Patch: every resource's
   properties are checked against the schema cfn-lint ships for its type (unknown and
   required keys at every level the schema closes; not value types).
10. Resource failures (failures.py). moto has none: an exception while creating a resource
    is an HTTP 500 and the stack stays CREATE_IN_PROGRESS. Patch: a refused resource gets a
    CREATE_FAILED or UPDATE_FAILED event with AWS's reason, and the stack rolls back as
    CloudFormation's does (ROLLBACK_COMPLETE, UPDATE_ROLLBACK_COMPLETE; CREATE_FAILED or
    UPDATE_FAILED with DisableRollback: "Stack status codes" of the CloudFormation user
    guide); a service error moto raises while creating a resource fails it the same way.
11. Lambda code (lambda_runtime.py). moto without Docker echoes Invoke's payload. Patch: a
    function whose handler binary a test registers (built for this machine, inside target/)
    runs under a Lambda Runtime API served here (the runtime API reference of the Lambda
    developer guide), with Lambda's defined environment variables and the function's own,
    and Invoke answers what the handler answered (or its error, with X-Amz-Function-Error);
    its output lines go to its log group. Invoke of a function that does not exist answers
    ResourceNotFound as Lambda does, not an echo. Others keep moto's echo, which no test
    asserts as a handler's answer.

12. Keys and secrets (secrets.py). moto's AWS::KMS::Key keeps a KeyPolicy object as a dict
    (every KMS call that checks the policy, DescribeKey first, is then an HTTP 500) and
    requires it; AWS::KMS::Key (CloudFormation resource reference): KeyPolicy is an object or
    a string, optional (KMS's default policy without it), and GetKeyPolicy answers a JSON
    string. moto models Secrets Manager's API but not AWS::SecretsManager::Secret, so a
    stack's secret was not created and a grant naming it became a statement without
    resources. AWS::SecretsManager::Secret: Ref and Fn::GetAtt Id are the secret's ARN;
    SecretString or GenerateSecretString, not both; SecretStringTemplate only with
    GenerateStringKey, the generated password added to it under that key. Patch: the key
    policy is stored as JSON text (the default one when absent); the secret is created in
    moto's Secrets Manager backend with a value its GetRandomPassword generates under the
    given options, so GetSecretValue answers as on AWS; deleting the stack deletes it (unless
    retained) without a recovery window.

13. HTTP APIs (apigatewayv2.py). moto models API Gateway v2's API but not its CloudFormation
    types, so a stack's HTTP API, routes, integrations, authorizers and stages were not
    created. AWS::ApiGatewayV2::* (CloudFormation resource reference): Ref of an Api, Route,
    Integration or Authorizer is its id (of a Stage its name), Fn::GetAtt ApiEndpoint the
    API's `https://<id>.execute-api.<region>.amazonaws.com`; the service's answers use
    camelCase members (API Gateway v2 API reference). Patch: each is created in moto's
    backend from its properties, so GetApi, GetRoutes, GetIntegrations, GetAuthorizers and
    GetStages answer what the stack made; an ApiId naming no API fails the resource
    ("Invalid API identifier specified", API Gateway's NotFoundException); a Deployment,
    which moto does not model, is an inert id, refused for an API without routes as
    CreateDeployment refuses it; a DomainName and an ApiMapping are created in moto's backend
    (which refuses a mapping to an unknown domain or API), the domain's regional name and
    zone given as API Gateway gives them. Not checked: requests and WebSocket connections through the
    API (moto serves no execute-api endpoint).

14. User pools (cognito.py). moto models Cognito's user pool API but not its CloudFormation
    types. AWS::Cognito::UserPool, ::UserPoolClient, ::UserPoolDomain,
    ::UserPoolResourceServer (CloudFormation resource reference): Ref of a pool is its id,
    Fn::GetAtt Arn its ARN and ProviderURL `https://cognito-idp.<region>.amazonaws.com/<id>`;
    Ref of a client its id, of a domain the domain, of a resource server its identifier; the
    properties are CreateUserPool's and CreateUserPoolClient's parameters (PoolName for
    UserPoolName). Patch: each is created in moto's Cognito backend, so DescribeUserPool and
    DescribeUserPoolClient answer what the stack made; a UserPoolId naming no pool fails the
    resource ("User pool <id> does not exist.", Cognito's ResourceNotFoundException), and a
    client naming a custom scope its pool has no resource server for yet fails
    (ScopeDoesNotExistException, CreateUserPoolClient API reference). Not checked: sign-in
    through the hosted domain (moto serves none).
15. Distributions and stack resources by logical id (gaps.py). A stand-in distribution
    (patch 2) is no distribution of moto's CloudFront API, so CreateInvalidation on it is
    NoSuchDistribution; AWS answers CloudFront's calls for a distribution a stack created
    (CloudFront API reference, CreateInvalidation, GetInvalidation). Patch: the stand-in is
    also registered in moto's CloudFront backend under its id, with its origins, default
    behaviour, root object and comment (nothing is served through it), and removed when the
    stack deletes it. moto's DescribeStackResource fails with an HTTP 500 when an entry moto
    keeps for a type it does not create comes before the one asked for; AWS answers for any
    resource of the stack (DescribeStackResource API reference). Patch: such entries are
    passed over.
16. Custom resources (custom_resources.py). moto sends a custom resource's function a Create
    only, ignores a FAILED answer (the stack waits forever), and sends no Delete; it deletes
    a stack whose bucket holds objects, leaving the bucket, and creates a bucket unversioned
    whatever its VersioningConfiguration. Patch: the bucket's versioning as the template
    says; Create and Delete requests
    as CloudFormation sends them (User Guide, "Custom resources"), answered at this server's
    `/rcdk-harness/cfn-response/<id>` (what it received is listed at `GET
    /rcdk-harness/cfn-responses`), within ServiceTimeout; a FAILED answer fails the
    resource in CloudFormation's words and a create's rollback sends its Delete; a failed
    Delete, or a bucket that is not empty, leaves the stack DELETE_FAILED.
17. Nested stacks (nested_stacks.py). moto creates an AWS::CloudFormation::Stack's stack,
    but its Ref is the name (AWS: the stack ID), Fn::GetAtt `Outputs.<name>` is an error
    (AWS: the nested stack's output), an update deletes it and creates another (AWS updates
    it in place), a nested stack whose resource failed leaves the parent's resource created
    (AWS fails it: "Embedded stack <id> was not successfully created: ..."), and DescribeStacks
    gives it no ParentId or RootId. Patch: each as the AWS::CloudFormation::Stack reference
    and the DescribeStacks API reference say.

Nothing here evaluates IAM policies or resource policies: moto does not, and the tests name
that gap where it matters rather than assert what moto lets through.
"""

import json
import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from moto.core.config import default_user_config  # noqa: E402

from harness import failures  # noqa: E402,F401  (patch 10; the others raise its Refused)
from harness import gaps  # noqa: E402,F401  (patches 1, 2, 6, 7, 8, 15)
from harness import schemas  # noqa: E402,F401  (patch 9)
from harness import stepfunctions  # noqa: E402,F401  (patches 3, 4)
from harness import apigateway  # noqa: E402,F401  (patch 5)
from harness import lambda_runtime  # noqa: E402  (patch 11)
from harness import secrets  # noqa: E402,F401  (patch 12)
from harness import apigatewayv2  # noqa: E402,F401  (patch 13)
from harness import cognito  # noqa: E402,F401  (patch 14)
from harness import custom_resources  # noqa: E402  (patch 16)
from harness import nested_stacks  # noqa: E402,F401  (patch 17)

default_user_config["stepfunctions"] = {"execute_state_machine": True}
default_user_config.setdefault("lambda", {})["use_docker"] = False


class Harness:
    """The harness's own routes in front of moto: registering a function's handler
    (`POST /rcdk-harness/lambda-code`), and moto's reset also stopping the handlers."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "")
        if path == "/rcdk-harness/lambda-code":
            if method != "POST":
                return self._answer(start_response, "405 Method Not Allowed", {"message": "POST only"})
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            body = environ["wsgi.input"].read(min(max(length, 0), 65536))
            try:
                registered = lambda_runtime.register(body, environ.get("CONTENT_TYPE", ""))
            except lambda_runtime.Registration as refused:
                return self._answer(start_response, "400 Bad Request", {"message": str(refused)})
            return self._answer(start_response, "200 OK", registered)
        if path.startswith("/rcdk-harness/cfn-response/"):
            if method != "PUT":
                return self._answer(start_response, "405 Method Not Allowed", {"message": "PUT only"})
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            # one byte over CloudFormation's limit is enough to refuse it
            body = environ["wsgi.input"].read(min(max(length, 0), custom_resources.MAX_RESPONSE_BYTES + 1))
            status, answer = custom_resources.respond(path.rsplit("/", 1)[-1], body)
            return self._answer(start_response, "200 OK" if status == 200 else "404 Not Found", answer)
        if path == "/rcdk-harness/cfn-responses" and method == "GET":
            return self._answer(start_response, "200 OK", custom_resources.answers())
        if path == "/moto-api/reset" and method == "POST":
            lambda_runtime.reset()
            custom_resources.reset()
        return self.app(environ, start_response)

    @staticmethod
    def _answer(start_response, status, body):
        data = json.dumps(body).encode("utf-8")
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
        return [data]


def main(port):
    from werkzeug.serving import run_simple

    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app

    # moto's interpreter calls moto back (lambda:invoke) on this port
    os.environ.setdefault("MOTO_PORT", str(port))

    def stop(signum, frame):
        lambda_runtime.reset()
        sys.exit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    app = DomainDispatcherApplication(create_backend_app)
    app.debug = True
    run_simple("127.0.0.1", port, Harness(app), threaded=True, request_handler=MotoRequestHandler)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
