//! Cognito user pools from a user's app: the pool as Cognito takes it, triggers with their
//! permission, app clients, the hosted domain and resource servers, the pool as the issuer of
//! an HTTP API's JWT authorizer and a REST API's Cognito authorizer; and each refusal with its
//! construct path and property.
//!
//! Expected values come from AWS's documentation: AWS::Cognito::UserPool and
//! UserPoolClient (CloudFormation resource reference); the password policy's 6 to 99
//! characters and temporary passwords of at most 365 days; token validity (access and ID
//! tokens 5 minutes to 1 day, refresh tokens 60 minutes to 10 years); "Scopes, M2M, and APIs
//! with resource servers" (client credentials take custom scopes and need a secret);
//! "Configuring a user pool app client" (callback URLs must be HTTPS except
//! http://localhost, without a fragment; phone, email and profile need openid); "Using the
//! prefix domain" (lower-case letters, digits and hyphens; not aws, amazon or cognito); a
//! Lambda trigger needs a resource-based policy letting cognito-idp.amazonaws.com invoke it
//! from the pool's ARN; the issuer of a pool's tokens is
//! `https://cognito-idp.<region>.amazonaws.com/<pool id>`.

mod common;

use common::{assert_contains_all, problems_in, workspace};

use constructs::apigateway::{CognitoAuthorizerProps, RestApi, RestApiProps};
use constructs::apigatewayv2::{HttpApi, HttpApiProps, JwtAuthorizerProps};
use constructs::assertions::Template;
use constructs::cognito::{
    AccountRecovery, AuthFlows, Mfa, OAuthSettings, PasswordPolicy, SignInAliases, Trigger,
    UserPool, UserPoolClientProps, UserPoolProps,
};
use constructs::lambda::{Function, FunctionProps};
use constructs::Stack;
use serde_json::json;

#[test]
fn a_pool_with_its_defaults_triggers_clients_domain_and_resource_server() {
    let ws = workspace();
    let mut s = Stack::new("S");
    let welcome = Function::new(&mut s, "Welcome", FunctionProps::new("one"));
    let pool = UserPool::new(
        &mut s,
        "Users",
        UserPoolProps::new()
            .self_sign_up()
            .mfa(Mfa::Optional)
            .trigger(Trigger::PostConfirmation, &welcome),
    );
    let scopes = pool.add_resource_server(&mut s, "Orders", "orders", &[("read", "read orders")]);
    assert_eq!(scopes, ["orders/read"]);
    pool.add_client(
        &mut s,
        "Web",
        UserPoolClientProps::new().oauth(
            OAuthSettings::code("https://shop.example.com/callback")
                .scope("email")
                .logout_url("https://shop.example.com/"),
        ),
    );
    pool.add_client(
        &mut s,
        "Backend",
        UserPoolClientProps::new()
            .generate_secret()
            .oauth(OAuthSettings::client_credentials(scopes))
            .token_validity(15, 15, 1),
    );
    let domain = pool.add_domain(&mut s, "shop-login");
    s.add_output("SignIn", domain);
    let t = Template::from_stack_in(ws.path(), &s);
    let pool_id = t.logical_id_of_type("AWS::Cognito::UserPool");
    t.has_resource(
        "AWS::Cognito::UserPool",
        json!({
            "Properties": {
                "UsernameAttributes": ["email"],
                "AutoVerifiedAttributes": ["email"],
                "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": false},
                "Policies": {"PasswordPolicy": {
                    "MinimumLength": 8, "RequireLowercase": true, "RequireNumbers": true,
                    "RequireSymbols": true, "RequireUppercase": true,
                    "TemporaryPasswordValidityDays": 7
                }},
                "AccountRecoverySetting": {"RecoveryMechanisms": [{"Name": "verified_email", "Priority": 1}]},
                "MfaConfiguration": "OPTIONAL",
                "EnabledMfas": ["SOFTWARE_TOKEN_MFA"],
                "EmailConfiguration": {"EmailSendingAccount": "COGNITO_DEFAULT"},
                "DeletionProtection": "ACTIVE",
                "LambdaConfig": {"PostConfirmation": {"Fn::GetAtt": [t.logical_id_of_type("AWS::Lambda::Function"), "Arn"]}}
            },
            "DeletionPolicy": "Retain"
        }),
    );
    t.has_resource_properties(
        "AWS::Lambda::Permission",
        json!({"Principal": "cognito-idp.amazonaws.com", "SourceArn": {"Fn::GetAtt": [pool_id, "Arn"]}}),
    );
    t.has_resource_properties(
        "AWS::Cognito::UserPoolClient",
        json!({
            "ClientName": "Web",
            "UserPoolId": {"Ref": pool_id},
            "GenerateSecret": false,
            "AllowedOAuthFlowsUserPoolClient": true,
            "AllowedOAuthFlows": ["code"],
            "AllowedOAuthScopes": ["openid", "email"],
            "CallbackURLs": ["https://shop.example.com/callback"],
            "LogoutURLs": ["https://shop.example.com/"],
            "SupportedIdentityProviders": ["COGNITO"],
            "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            "PreventUserExistenceErrors": "ENABLED",
            "AccessTokenValidity": 60,
            "IdTokenValidity": 60,
            "RefreshTokenValidity": 30,
            "TokenValidityUnits": {"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "days"}
        }),
    );
    t.has_resource_properties(
        "AWS::Cognito::UserPoolClient",
        json!({
            "ClientName": "Backend",
            "GenerateSecret": true,
            "AllowedOAuthFlows": ["client_credentials"],
            "AllowedOAuthScopes": ["orders/read"],
            "AccessTokenValidity": 15
        }),
    );
    // the client naming the server's scope waits for the server
    let server = t.logical_id_of_type("AWS::Cognito::UserPoolResourceServer");
    let backend = t
        .find_resources(
            "AWS::Cognito::UserPoolClient",
            json!({"ClientName": "Backend"}),
        )
        .into_values()
        .next()
        .expect("the backend client");
    assert_eq!(backend["DependsOn"], json!([server]));
    t.has_resource_properties(
        "AWS::Cognito::UserPoolResourceServer",
        json!({"Identifier": "orders", "Scopes": [{"ScopeName": "read", "ScopeDescription": "read orders"}]}),
    );
    t.has_resource_properties(
        "AWS::Cognito::UserPoolDomain",
        json!({"Domain": "shop-login", "UserPoolId": {"Ref": pool_id}}),
    );
    t.has_output(
        "SignIn",
        json!({"Value": {"Fn::Sub": "https://shop-login.auth.${AWS::Region}.amazoncognito.com"}}),
    );
}

#[test]
fn a_pool_is_the_issuer_of_api_authorizers_without_an_arn_by_hand() {
    let mut s = Stack::new("S");
    let pool = UserPool::new(&mut s, "Users", UserPoolProps::new());
    let web = pool.add_client(&mut s, "Web", UserPoolClientProps::new());
    let http = HttpApi::new(&mut s, "Http", HttpApiProps::new());
    http.add_jwt_authorizer(
        &mut s,
        "Users",
        JwtAuthorizerProps::user_pool(&pool, &[&web]),
    );
    let rest = RestApi::new(&mut s, "Rest", RestApiProps::new());
    rest.add_cognito_authorizer(&mut s, "Users", CognitoAuthorizerProps::of_user_pool(&pool));
    let t = Template::from_stack(&s);
    let pool_id = t.logical_id_of_type("AWS::Cognito::UserPool");
    let client_id = t.logical_id_of_type("AWS::Cognito::UserPoolClient");
    t.has_resource_properties(
        "AWS::ApiGatewayV2::Authorizer",
        json!({"JwtConfiguration": {
            "Audience": [{"Ref": client_id}],
            "Issuer": {"Fn::Sub": ["https://cognito-idp.${AWS::Region}.amazonaws.com/${Pool}", {"Pool": {"Ref": pool_id}}]}
        }}),
    );
    t.has_resource_properties(
        "AWS::ApiGateway::Authorizer",
        json!({"Type": "COGNITO_USER_POOLS", "ProviderARNs": [{"Fn::GetAtt": [pool_id, "Arn"]}]}),
    );
}

#[test]
fn what_cognito_refuses_is_reported_with_path_and_property() {
    let ws = workspace();
    let mut s = Stack::new("S");
    let f = Function::new(&mut s, "F", FunctionProps::new("one"));
    let pool = UserPool::new(
        &mut s,
        "Users",
        UserPoolProps::new()
            .sign_in(SignInAliases {
                username: false,
                email: false,
                phone: false,
                preferred_username: true,
            })
            .password_policy(PasswordPolicy {
                min_length: 5,
                temporary_password_validity_days: 400,
                ..PasswordPolicy::default()
            })
            .account_recovery(AccountRecovery::PhoneThenEmail)
            .trigger(Trigger::PreSignUp, &f)
            .trigger(Trigger::PreSignUp, &f),
    );
    pool.add_client(
        &mut s,
        "Mixed",
        UserPoolClientProps::new()
            .auth_flows(AuthFlows::default())
            .oauth(OAuthSettings {
                code: true,
                client_credentials: true,
                scopes: vec!["email".into(), "orders".into()],
                callback_urls: vec!["http://shop.example.com/#done".into()],
                ..OAuthSettings::default()
            })
            .token_validity(2, 60, 4000),
    );
    pool.add_client(
        &mut s,
        "NoCallback",
        UserPoolClientProps::new().oauth(OAuthSettings {
            code: true,
            scopes: vec!["openid".into()],
            ..OAuthSettings::default()
        }),
    );
    pool.add_resource_server(&mut s, "Orders", "orders", &[("read", "read orders")]);
    pool.add_client(
        &mut s,
        "Scoped",
        UserPoolClientProps::new()
            .generate_secret()
            .oauth(OAuthSettings::client_credentials([
                "orders/write",
                "billing/read",
            ])),
    );
    pool.add_domain(&mut s, "my-cognito");
    let all = problems_in(ws.path(), s);
    assert_contains_all(
        &all,
        &[
            "S/Users/Resource [UsernameAttributes]: users must sign in with a username, an email or a phone number",
            "S/Users/Resource [AliasAttributes]: a preferred username is an alias of a username",
            "S/Users/Resource [Policies.PasswordPolicy.MinimumLength]: a minimum length of 5 is outside Cognito's 6..=99",
            "S/Users/Resource [Policies.PasswordPolicy.TemporaryPasswordValidityDays]: 400 days is over Cognito's 365",
            "S/Users/Resource [AccountRecoverySetting]: recovery by phone needs phone numbers",
            "S/Users/Resource [LambdaConfig]: the trigger PreSignUp is given twice",
            "S/Users/Mixed/Resource [AccessTokenValidity]: 2 minutes is outside Cognito's 5 minutes to 1 day",
            "S/Users/Mixed/Resource [RefreshTokenValidity]: 4000 days is outside Cognito's 1 day to 10 years",
            "S/Users/Mixed/Resource [AllowedOAuthFlows]: client credentials cannot be combined with the code or implicit flow",
            "S/Users/Mixed/Resource [GenerateSecret]: client credentials need a client secret",
            "S/Users/Mixed/Resource [AllowedOAuthScopes]: client credentials take resource server scopes only, not \"email\"",
            "S/Users/Mixed/Resource [AllowedOAuthScopes]: \"orders\" is neither a standard scope nor a resource server's",
            "S/Users/Mixed/Resource [AllowedOAuthScopes]: the email, phone and profile scopes need openid too",
            "S/Users/Mixed/Resource [CallbackURLs]: \"http://shop.example.com/#done\" is not https://",
            "S/Users/Mixed/Resource [CallbackURLs]: \"http://shop.example.com/#done\" has a fragment",
            "S/Users/NoCallback/Resource [CallbackURLs]: the code and implicit flows need a callback URL",
            "S/Users/Domain [Domain]: the domain prefix \"my-cognito\" contains \"cognito\"",
            "S/Users/Scoped/Resource [AllowedOAuthScopes]: the scope \"orders/write\": the resource server \"orders\" has no scope \"write\"",
            "S/Users/Scoped/Resource [AllowedOAuthScopes]: the scope \"billing/read\" names no resource server of the pool",
        ],
    );
}
