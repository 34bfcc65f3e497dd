//! REST API authorizers: Lambda TOKEN and REQUEST authorizers with their invoke permission,
//! Cognito user-pool authorizers, the methods that use them, and what API Gateway would
//! refuse.

mod common;

use constructs::apigateway::*;
use constructs::assertions::Template as T;
use constructs::core::stack::Parameter;
use constructs::lambda::{Function, FunctionProps};
use constructs::{App, Stack};
use serde_json::{json, Value as Json};

use common::{assert_contains_all, problems_in, workspace};

const POOL: &str = "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbC123";

fn function(s: &mut Stack, id: &str) -> Function {
    Function::new(s, id, FunctionProps::new("one"))
}

fn mock() -> Integration {
    Integration::mock(
        IntegrationOptions::new()
            .request_template("application/json", Template::new("{\"statusCode\": 200}"))
            .response(IntegrationResponse::new(200)),
    )
}

/// The properties of the one resource of this type whose logical id starts with `prefix`.
fn props(t: &T, type_name: &str, prefix: &str) -> Json {
    let found: Vec<Json> = t
        .find_resources(type_name, json!({}))
        .into_iter()
        .filter(|(id, _)| id.starts_with(prefix))
        .map(|(_, r)| r["Properties"].clone())
        .collect();
    assert_eq!(found.len(), 1, "{type_name} {prefix}: {found:#?}");
    found[0].clone()
}

fn method(t: &T, verb: &str) -> Json {
    let found = t.find_resources("AWS::ApiGateway::Method", json!({"HttpMethod": verb}));
    assert_eq!(found.len(), 1, "{verb}: {found:#?}");
    found.values().next().unwrap()["Properties"].clone()
}

fn uri(function_id: &str) -> Json {
    json!({"Fn::Sub": ["arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Function}/invocations",
                       {"Function": {"Fn::GetAtt": [function_id, "Arn"]}}]})
}

#[test]
fn a_token_authorizer_has_api_gateways_defaults_and_a_permission_for_itself_alone() {
    let ws = workspace();
    let mut s = Stack::new("S");
    let check = function(&mut s, "Check");
    let api = RestApi::new(&mut s, "Api", RestApiProps::new());
    let auth = api.add_token_authorizer(&mut s, "Auth", &check, TokenAuthorizerProps::new());
    assert_eq!(auth.kind(), AuthorizerType::Token);
    api.root().add_method(
        &mut s,
        HttpMethod::Get,
        mock(),
        MethodOptions::new().authorization(Authorization::custom(&auth)),
    );
    api.deploy(&mut s, StageOptions::new("live"));
    let t = T::from_stack_in(ws.path(), &s);
    let api_id = t.logical_id_of_type("AWS::ApiGateway::RestApi");
    let fn_id = t.logical_id_of_type("AWS::Lambda::Function");
    let auth_id = t.logical_id_of_type("AWS::ApiGateway::Authorizer");
    assert!(auth_id.starts_with("ApiAuth"), "{auth_id}");
    assert_eq!(
        props(&t, "AWS::ApiGateway::Authorizer", "ApiAuth"),
        json!({
            "AuthorizerResultTtlInSeconds": 300,
            "AuthorizerUri": uri(&fn_id),
            "IdentitySource": "method.request.header.Authorization",
            "Name": "Auth",
            "RestApiId": {"Ref": api_id},
            "Type": "TOKEN"
        })
    );
    // API Gateway may invoke the function for this authorizer, and for nothing else
    t.resource_count_is("AWS::Lambda::Permission", 1);
    assert_eq!(
        props(&t, "AWS::Lambda::Permission", ""),
        json!({
            "Action": "lambda:InvokeFunction",
            "FunctionName": {"Fn::GetAtt": [fn_id, "Arn"]},
            "Principal": "apigateway.amazonaws.com",
            "SourceArn": {"Fn::Sub": ["arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${RestApi}/authorizers/${Authorizer}",
                                      {"RestApi": {"Ref": api_id}, "Authorizer": {"Ref": auth_id}}]}
        })
    );
    let get = method(&t, "GET");
    assert_eq!(get["AuthorizationType"], "CUSTOM");
    assert_eq!(get["AuthorizerId"], json!({"Ref": auth_id}));
    assert!(get.get("AuthorizationScopes").is_none(), "{get:#}");
}

#[test]
fn every_option_of_the_three_kinds_and_the_methods_using_them() {
    let ws = workspace();
    let mut s = Stack::new("S");
    let check = function(&mut s, "Check");
    let gate = function(&mut s, "Gate");
    let pool_param = s.add_parameter("PoolArn", Parameter::string());
    let api = RestApi::new(&mut s, "Api", RestApiProps::new());
    let token = api.add_token_authorizer(
        &mut s,
        "Token",
        &check,
        TokenAuthorizerProps::new()
            .name("bearer")
            .identity_source(IdentitySource::header("X-Token"))
            .validation_regex("^Bearer [-0-9a-zA-Z._]+$")
            .results_cache_ttl_seconds(0),
    );
    let request = api.add_request_authorizer(
        &mut s,
        "Request",
        &gate,
        RequestAuthorizerProps::new()
            .name("tenant")
            .identity_source(IdentitySource::header("X-Tenant"))
            .identity_source(IdentitySource::query_string("key"))
            .identity_source(IdentitySource::context("sourceIp"))
            .identity_source(IdentitySource::stage_variable("env"))
            .results_cache_ttl_seconds(MAX_RESULTS_CACHE_TTL_SECONDS),
    );
    // without caching, a REQUEST authorizer may read no identity source
    let uncached = api.add_request_authorizer(
        &mut s,
        "Uncached",
        &gate,
        RequestAuthorizerProps::new().results_cache_ttl_seconds(0),
    );
    let cognito = api.add_cognito_authorizer(
        &mut s,
        "Users",
        CognitoAuthorizerProps::new(POOL)
            .user_pool(pool_param.clone())
            .name("users")
            .identity_source(IdentitySource::header("X-Id-Token"))
            .results_cache_ttl_seconds(60),
    );
    assert_eq!(request.kind(), AuthorizerType::Request);
    assert_eq!(cognito.kind(), AuthorizerType::CognitoUserPools);
    let root = api.root();
    let cases = [
        (HttpMethod::Get, Authorization::custom(&token)),
        (HttpMethod::Post, Authorization::custom(&request)),
        (HttpMethod::Put, Authorization::custom(&cognito)),
        (
            HttpMethod::Patch,
            Authorization::cognito(&cognito, ["orders/write", "email"]),
        ),
        (HttpMethod::Delete, Authorization::custom(&uncached)),
    ];
    for (verb, authorization) in cases {
        root.add_method(
            &mut s,
            verb,
            mock(),
            MethodOptions::new().authorization(authorization),
        );
    }
    let t = T::from_stack_in(ws.path(), &s);
    let api_id = json!({"Ref": t.logical_id_of_type("AWS::ApiGateway::RestApi")});
    let fn_id = |prefix: &str| {
        t.find_resources("AWS::Lambda::Function", json!({}))
            .into_keys()
            .find(|id| id.starts_with(prefix))
            .unwrap()
    };
    let auth_id = |prefix: &str| {
        t.find_resources("AWS::ApiGateway::Authorizer", json!({}))
            .into_keys()
            .find(|id| id.starts_with(prefix))
            .unwrap()
    };
    assert_eq!(
        props(&t, "AWS::ApiGateway::Authorizer", "ApiToken"),
        json!({
            "AuthorizerResultTtlInSeconds": 0,
            "AuthorizerUri": uri(&fn_id("Check")),
            "IdentitySource": "method.request.header.X-Token",
            "IdentityValidationExpression": "^Bearer [-0-9a-zA-Z._]+$",
            "Name": "bearer",
            "RestApiId": api_id,
            "Type": "TOKEN"
        })
    );
    assert_eq!(
        props(&t, "AWS::ApiGateway::Authorizer", "ApiRequest"),
        json!({
            "AuthorizerResultTtlInSeconds": 3600,
            "AuthorizerUri": uri(&fn_id("Gate")),
            "IdentitySource": "method.request.header.X-Tenant,method.request.querystring.key,context.sourceIp,stageVariables.env",
            "Name": "tenant",
            "RestApiId": api_id,
            "Type": "REQUEST"
        })
    );
    assert_eq!(
        props(&t, "AWS::ApiGateway::Authorizer", "ApiUncached"),
        json!({
            "AuthorizerResultTtlInSeconds": 0,
            "AuthorizerUri": uri(&fn_id("Gate")),
            "Name": "Uncached",
            "RestApiId": api_id,
            "Type": "REQUEST"
        })
    );
    // Cognito: no function, so no URI and no permission
    assert_eq!(
        props(&t, "AWS::ApiGateway::Authorizer", "ApiUsers"),
        json!({
            "AuthorizerResultTtlInSeconds": 60,
            "IdentitySource": "method.request.header.X-Id-Token",
            "Name": "users",
            "ProviderARNs": [POOL, {"Ref": "PoolArn"}],
            "RestApiId": api_id,
            "Type": "COGNITO_USER_POOLS"
        })
    );
    // one permission per Lambda authorizer, each for its own authorizer
    let permissions = t.find_resources("AWS::Lambda::Permission", json!({}));
    let mut for_authorizers: Vec<(Json, Json)> = permissions
        .values()
        .map(|p| {
            let p = &p["Properties"];
            assert_eq!(p["Principal"], "apigateway.amazonaws.com");
            (
                p["FunctionName"]["Fn::GetAtt"][0].clone(),
                p["SourceArn"]["Fn::Sub"][1]["Authorizer"]["Ref"].clone(),
            )
        })
        .collect();
    for_authorizers.sort_by_key(|(f, a)| format!("{f}{a}"));
    let mut expected = vec![
        (json!(fn_id("Check")), json!(auth_id("ApiToken"))),
        (json!(fn_id("Gate")), json!(auth_id("ApiRequest"))),
        (json!(fn_id("Gate")), json!(auth_id("ApiUncached"))),
    ];
    expected.sort_by_key(|(f, a)| format!("{f}{a}"));
    assert_eq!(for_authorizers, expected);

    let expect = |verb: &str, kind: &str, authorizer: &str, scopes: Option<Json>| {
        let m = method(&t, verb);
        assert_eq!(m["AuthorizationType"], kind, "{verb}");
        assert_eq!(
            m["AuthorizerId"],
            json!({"Ref": auth_id(authorizer)}),
            "{verb}"
        );
        assert_eq!(m.get("AuthorizationScopes"), scopes.as_ref(), "{verb}");
    };
    expect("GET", "CUSTOM", "ApiToken", None);
    expect("POST", "CUSTOM", "ApiRequest", None);
    expect("PUT", "COGNITO_USER_POOLS", "ApiUsers", None);
    expect(
        "PATCH",
        "COGNITO_USER_POOLS",
        "ApiUsers",
        Some(json!(["orders/write", "email"])),
    );
    expect("DELETE", "CUSTOM", "ApiUncached", None);
}

#[test]
fn cors_preflights_stay_open_while_their_methods_need_the_authorizer() {
    let ws = workspace();
    let mut s = Stack::new("S");
    let check = function(&mut s, "Check");
    let api = RestApi::new(
        &mut s,
        "Api",
        RestApiProps::new().default_cors_preflight(CorsOptions::new()),
    );
    let auth = api.add_token_authorizer(&mut s, "Auth", &check, TokenAuthorizerProps::new());
    let orders = api.root().add_resource(&mut s, "orders");
    orders.add_method(
        &mut s,
        HttpMethod::Get,
        mock(),
        MethodOptions::new().authorization(Authorization::custom(&auth)),
    );
    let t = T::from_stack_in(ws.path(), &s);
    // a browser's preflight carries no credentials: API Gateway must answer it unauthorized
    let options = method(&t, "OPTIONS");
    assert_eq!(options["AuthorizationType"], "NONE");
    assert!(options.get("AuthorizerId").is_none());
    assert_eq!(method(&t, "GET")["AuthorizationType"], "CUSTOM");
}

fn deployment_id(ttl: u32, identity_header: &str) -> String {
    let ws = workspace();
    let mut s = Stack::new("S");
    let check = function(&mut s, "Check");
    let api = RestApi::new(&mut s, "Api", RestApiProps::new());
    let auth = api.add_token_authorizer(
        &mut s,
        "Auth",
        &check,
        TokenAuthorizerProps::new()
            .identity_source(IdentitySource::header(identity_header))
            .results_cache_ttl_seconds(ttl),
    );
    api.root().add_method(
        &mut s,
        HttpMethod::Get,
        mock(),
        MethodOptions::new().authorization(Authorization::custom(&auth)),
    );
    api.deploy(&mut s, StageOptions::new("live"));
    T::from_stack_in(ws.path(), &s).logical_id_of_type("AWS::ApiGateway::Deployment")
}

#[test]
fn a_changed_authorizer_is_deployed_again() {
    let base = deployment_id(300, "Authorization");
    assert!(base.starts_with("ApiDeployment"), "{base}");
    assert_eq!(deployment_id(300, "Authorization"), base);
    // API Gateway applies an authorizer's change with the next deployment only: the
    // deployment's logical id follows the authorizer
    assert_ne!(deployment_id(60, "Authorization"), base);
    assert_ne!(deployment_id(300, "X-Token"), base);
}

#[test]
fn an_authorizer_function_that_also_serves_the_api_makes_no_cycle() {
    let ws = workspace();
    let mut s = Stack::new("S");
    let handler = function(&mut s, "Handler");
    let api = RestApi::new(&mut s, "Api", RestApiProps::new());
    let auth = api.add_request_authorizer(
        &mut s,
        "Auth",
        &handler,
        RequestAuthorizerProps::new().identity_source(IdentitySource::header("Authorization")),
    );
    api.root().add_method(
        &mut s,
        HttpMethod::Any,
        Integration::lambda_proxy(&handler),
        MethodOptions::new().authorization(Authorization::custom(&auth)),
    );
    let stage = api.deploy(&mut s, StageOptions::new("live"));
    s.add_output("Url", stage.url());
    let mut app = App::new(ws.path());
    app.add_stack(s.clone());
    let assembly = app.synth().expect("no cycle, nothing missing");
    let t = T::from_json(assembly.stacks[0].template.clone());
    // two permissions of the one function: the method's and the authorizer's
    let mut arns: Vec<String> = t
        .find_resources("AWS::Lambda::Permission", json!({}))
        .values()
        .map(|p| {
            p["Properties"]["SourceArn"]["Fn::Sub"][0]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    arns.sort();
    assert_eq!(
        arns,
        [
            "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}/*/*/",
            "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${RestApi}/authorizers/${Authorizer}",
        ]
    );
    // an authorizer function that names the API's URL is a cycle through the authorizer
    // (function -> stage -> deployment -> method -> authorizer -> function), which synth names
    let mut s = Stack::new("S");
    let check = function(&mut s, "Check");
    let api = RestApi::new(&mut s, "Api", RestApiProps::new());
    let auth = api.add_token_authorizer(&mut s, "Auth", &check, TokenAuthorizerProps::new());
    api.root().add_method(
        &mut s,
        HttpMethod::Get,
        mock(),
        MethodOptions::new().authorization(Authorization::custom(&auth)),
    );
    let stage = api.deploy(&mut s, StageOptions::new("live"));
    let check_ref = check.resource().clone();
    s.add_property_override(&check_ref, "Environment.Variables.URL", stage.url());
    let all = problems_in(ws.path(), s);
    assert_contains_all(
        &all,
        &[
            "S/Check/Resource: the resources depend on each other in a cycle: S/Check/Resource -> S/Api/Stagelive/Resource -> S/Api/Deployment",
            "S/Api/Default/GET/Resource -> S/Api/Auth/Resource -> S/Check/Resource",
        ],
    );
}

/// One stack with a function and two APIs; `mistake` adds one thing API Gateway refuses.
fn mistake(mistake: &str) -> String {
    let ws = workspace();
    let mut s = Stack::new("S");
    let check = function(&mut s, "Check");
    let api = RestApi::new(&mut s, "Api", RestApiProps::new());
    let other = RestApi::new(&mut s, "Other", RestApiProps::new());
    let token = |props: TokenAuthorizerProps, s: &mut Stack| {
        api.add_token_authorizer(s, "Auth", &check, props)
    };
    let mut authorization = Authorization::None;
    match mistake {
        "ttl" => {
            token(
                TokenAuthorizerProps::new().results_cache_ttl_seconds(3601),
                &mut s,
            );
        }
        "token from a query string" => {
            token(
                TokenAuthorizerProps::new().identity_source(IdentitySource::query_string("token")),
                &mut s,
            );
        }
        "empty regex" => {
            token(TokenAuthorizerProps::new().validation_regex(" "), &mut s);
        }
        "empty name" => {
            token(TokenAuthorizerProps::new().name(""), &mut s);
        }
        "same name" => {
            token(TokenAuthorizerProps::new().name("auth"), &mut s);
            api.add_request_authorizer(
                &mut s,
                "Second",
                &check,
                RequestAuthorizerProps::new()
                    .name("auth")
                    .identity_source(IdentitySource::header("A")),
            );
        }
        "cached request without source" => {
            api.add_request_authorizer(&mut s, "Auth", &check, RequestAuthorizerProps::new());
        }
        "request source" => {
            api.add_request_authorizer(
                &mut s,
                "Auth",
                &check,
                RequestAuthorizerProps::new()
                    .identity_source("method.request.path.id")
                    .identity_source(IdentitySource::header("A"))
                    .identity_source(IdentitySource::header("A")),
            );
        }
        "pool arn" => {
            api.add_cognito_authorizer(
                &mut s,
                "Auth",
                CognitoAuthorizerProps::new(
                    "arn:aws:cognito-identity:eu-west-1:123456789012:identitypool/eu-west-1:x",
                ),
            );
        }
        "no pool" => {
            let mut props = CognitoAuthorizerProps::new(POOL);
            props.user_pool_arns.clear();
            api.add_cognito_authorizer(&mut s, "Auth", props);
        }
        "cognito from a context variable" => {
            api.add_cognito_authorizer(
                &mut s,
                "Auth",
                CognitoAuthorizerProps::new(POOL).identity_source(IdentitySource::context("x")),
            );
        }
        "scopes on a lambda authorizer" => {
            let auth = token(TokenAuthorizerProps::new(), &mut s);
            authorization = Authorization::cognito(&auth, ["orders/read"]);
        }
        "bad scope" => {
            let auth =
                api.add_cognito_authorizer(&mut s, "Auth", CognitoAuthorizerProps::new(POOL));
            authorization = Authorization::cognito(&auth, ["orders read", "ok/scope"]);
        }
        "another api's authorizer" => {
            let auth =
                other.add_token_authorizer(&mut s, "Auth", &check, TokenAuthorizerProps::new());
            authorization = Authorization::custom(&auth);
        }
        _ => unreachable!("{mistake}"),
    }
    api.root().add_method(
        &mut s,
        HttpMethod::Get,
        mock(),
        MethodOptions::new().authorization(authorization),
    );
    other
        .root()
        .add_method(&mut s, HttpMethod::Get, mock(), MethodOptions::new());
    problems_in(ws.path(), s)
}

#[test]
fn what_api_gateway_would_refuse_fails_synth_naming_the_construct_and_property() {
    let cases = [
        ("ttl", "S/Api/Auth/Resource [AuthorizerResultTtlInSeconds]: a results cache TTL of 3601 s is over API Gateway's 3600 (1 hour)"),
        ("token from a query string", "S/Api/Auth/Resource [IdentitySource]: the identity source \"method.request.querystring.token\" must be a header, method.request.header.<name>"),
        ("empty regex", "S/Api/Auth/Resource [IdentityValidationExpression]: the validation regex is empty"),
        ("empty name", "S/Api/Auth/Resource [Name]: the authorizer's name is empty"),
        ("same name", "S/Api/Second/Resource [Name]: the authorizer name \"auth\" is also given to S/Api/Auth/Resource"),
        ("cached request without source", "S/Api/Auth/Resource [IdentitySource]: a REQUEST authorizer that caches its answers (300 s) needs at least one identity source"),
        ("request source", "S/Api/Auth/Resource [IdentitySource]: the identity source \"method.request.path.id\" must start with method.request.header., method.request.querystring., context., stageVariables."),
        ("request source", "S/Api/Auth/Resource [IdentitySource]: the identity source \"method.request.header.A\" is given twice"),
        ("pool arn", "S/Api/Auth/Resource [ProviderARNs]: \"arn:aws:cognito-identity:eu-west-1:123456789012:identitypool/eu-west-1:x\" is not a Cognito user pool ARN"),
        ("no pool", "S/Api/Auth/Resource [ProviderARNs]: a Cognito authorizer needs at least one user pool"),
        ("cognito from a context variable", "S/Api/Auth/Resource [IdentitySource]: the identity source \"context.x\" must be a header"),
        ("scopes on a lambda authorizer", "S/Api/Default/GET/Resource [AuthorizationScopes]: authorization scopes are for COGNITO_USER_POOLS authorizers; S/Api/Auth/Resource is a TOKEN authorizer"),
        ("bad scope", "S/Api/Default/GET/Resource [AuthorizationScopes]: \"orders read\" is not an OAuth scope"),
        ("another api's authorizer", "S/Api/Default/GET/Resource [AuthorizerId]: the authorizer S/Other/Auth/Resource belongs to another API (S/Other/Resource): a method can use the authorizers of its own API only"),
    ];
    for (case, expected) in cases {
        let all = mistake(case);
        assert_contains_all(&all, &[expected]);
        // the one mistake, and nothing else
        let count = all.lines().count();
        let wanted = cases.iter().filter(|(c, _)| *c == case).count();
        assert_eq!(count, wanted, "{case}:\n{all}");
    }
}

#[test]
fn more_authorizers_than_the_default_quota_is_a_warning() {
    let ws = workspace();
    let mut s = Stack::new("S");
    let api = RestApi::new(&mut s, "Api", RestApiProps::new());
    let mut last = None;
    for i in 0..=AUTHORIZERS_PER_API {
        last = Some(api.add_cognito_authorizer(
            &mut s,
            &format!("Auth{i}"),
            CognitoAuthorizerProps::new(POOL),
        ));
    }
    api.root().add_method(
        &mut s,
        HttpMethod::Get,
        mock(),
        MethodOptions::new().authorization(Authorization::custom(&last.unwrap())),
    );
    let mut app = App::new(ws.path());
    app.add_stack(s);
    let warnings: Vec<(String, String)> = app
        .synth()
        .unwrap()
        .warnings
        .into_iter()
        .filter(|w| w.message.contains("authorizers"))
        .map(|w| (w.path, w.message))
        .collect();
    assert_eq!(
        warnings,
        [(
            "S/Api/Auth10/Resource".to_string(),
            "the API has more than 10 authorizers, API Gateway's default quota: ask AWS Support for an increase before deploying".to_string()
        )]
    );
}

/// The book's Cognito example ("APIs", book/src/apis.md), the same calls: `Authorization::cognito`
/// takes the authorizer `add_cognito_authorizer` made, not a user pool (the README used to
/// pass `&pool`, which does not compile).
#[test]
fn the_readme_cognito_example_requires_the_scope_through_the_authorizer() {
    use constructs::dynamodb::{Attribute, AttributeType, Table, TableProps};
    let mut stack = Stack::new("S");
    let table = Table::new(
        &mut stack,
        "Orders",
        TableProps::new(Attribute::new("id", AttributeType::String)),
    );
    let api = RestApi::new(&mut stack, "Api", RestApiProps::new());
    let orders = api.root().add_resource(&mut stack, "orders");
    // from here, as in the book
    let pool_arn = "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123";
    let users =
        api.add_cognito_authorizer(&mut stack, "Users", CognitoAuthorizerProps::new(pool_arn));
    orders.add_method(
        &mut stack,
        HttpMethod::Delete,
        DynamoDb::scan(&table).into(),
        MethodOptions::new().authorization(Authorization::cognito(&users, ["orders/admin"])),
    );
    // to here
    let t = T::from_stack(&stack);
    let authorizer = t.logical_id_of_type("AWS::ApiGateway::Authorizer");
    t.has_resource_properties(
        "AWS::ApiGateway::Authorizer",
        json!({"Type": "COGNITO_USER_POOLS", "ProviderARNs": [pool_arn]}),
    );
    t.has_resource_properties(
        "AWS::ApiGateway::Method",
        json!({
            "HttpMethod": "DELETE",
            "AuthorizationType": "COGNITO_USER_POOLS",
            "AuthorizerId": {"Ref": authorizer},
            "AuthorizationScopes": ["orders/admin"]
        }),
    );
}
