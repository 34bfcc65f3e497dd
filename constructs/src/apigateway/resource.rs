//! The resource tree (`/`, `/status`, `/orders/{id}`) and the methods on it.

use indexmap::IndexMap;

use crate::core::error::{InvalidValue, Problem};
use crate::core::stack::Stack;
use crate::core::token::{fns, ResourceRef};
use crate::core::value::Value;

use super::authorizer::{Authorizer, AuthorizerType};
use super::integration::Integration;
use super::{CorsOptions, RestApi};
use crate::l1::apigateway::{self as l1, method as cfn};

/// A node of the API's resource tree (`/`, `/status`, `/orders/{id}`).
///
/// # Examples
///
/// ```
/// use constructs::apigateway::{RestApi, RestApiProps};
/// # use constructs::assertions::Template;
/// # use constructs::Stack;
/// # use serde_json::json;
///
/// let mut stack = Stack::new("Shop");
/// let api = RestApi::new(&mut stack, "Api", RestApiProps::new());
/// let orders = api.root().add_resource(&mut stack, "orders");
/// let order = orders.add_resource(&mut stack, "{id}");
/// assert_eq!(order.path(), "/orders/{id}");
///
/// let template = Template::from_stack(&stack);
/// let parents = template.find_resources("AWS::ApiGateway::Resource", json!({"PathPart": "orders"}));
/// let orders_id = parents.into_keys().next().unwrap();
/// template.has_resource_properties("AWS::ApiGateway::Resource", json!({
///     "PathPart": "{id}",
///     "ParentId": {"Ref": orders_id},
/// }));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ApiResource {
    pub(super) api: RestApi,
    /// The resource's path, `/` for the root.
    pub(super) path: String,
    /// The `AWS::ApiGateway::Resource`, `None` for the root.
    pub(super) resource: Option<ResourceRef>,
    /// The construct id the resource's children and methods go under.
    pub(super) id: String,
    /// The API's default CORS, which the resource's methods follow.
    pub(super) cors: Option<CorsOptions>,
}

/// An HTTP verb: a method's `HttpMethod`, or an HTTP integration's
/// `IntegrationHttpMethod`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpMethod {
    /// `GET`.
    Get,
    /// `POST`.
    Post,
    /// `PUT`.
    Put,
    /// `PATCH`.
    Patch,
    /// `DELETE`.
    Delete,
    /// `HEAD`.
    Head,
    /// `OPTIONS` (taken by the CORS preflight when the API has default CORS).
    Options,
    /// `ANY`: every verb.
    Any,
}

impl HttpMethod {
    /// The verb as API Gateway writes it (`GET`, `ANY`).
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
            HttpMethod::Put => "PUT",
            HttpMethod::Patch => "PATCH",
            HttpMethod::Delete => "DELETE",
            HttpMethod::Head => "HEAD",
            HttpMethod::Options => "OPTIONS",
            HttpMethod::Any => "ANY",
        }
    }
}

/// How callers are authorized (`AuthorizationType`, `AuthorizerId`, `AuthorizationScopes`).
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Authorization {
    /// Anyone may call (`NONE`), the default.
    #[default]
    None,
    /// Signed requests, checked against the caller's IAM rights (`execute-api:Invoke`).
    Iam,
    /// An authorizer of the same API: `CUSTOM` for a Lambda authorizer,
    /// `COGNITO_USER_POOLS` (any valid token of the pools) for a Cognito one.
    Custom(Authorizer),
    /// A Cognito authorizer of the same API, requiring an access token that claims one of
    /// the OAuth scopes (`AuthorizationScopes`), such as `orders/read`; scopes with a Lambda
    /// authorizer are reported at synth.
    Cognito {
        /// The Cognito authorizer.
        authorizer: Authorizer,
        /// The scopes, any one of which the token must claim.
        scopes: Vec<String>,
    },
}

impl Authorization {
    /// An authorizer of the same API ([`Authorization::Custom`]).
    pub fn custom(authorizer: &Authorizer) -> Self {
        Authorization::Custom(authorizer.clone())
    }

    /// A Cognito authorizer with OAuth scopes ([`Authorization::Cognito`]).
    pub fn cognito<S: Into<String>>(
        authorizer: &Authorizer,
        scopes: impl IntoIterator<Item = S>,
    ) -> Self {
        Authorization::Cognito {
            authorizer: authorizer.clone(),
            scopes: scopes.into_iter().map(Into::into).collect(),
        }
    }

    /// The method's `AuthorizationType`, `AuthorizerId` and `AuthorizationScopes`; what API
    /// Gateway would refuse is reported on `method_path`.
    fn render(
        &self,
        stack: &mut Stack,
        method_path: &str,
        api: &ResourceRef,
    ) -> (&'static str, Option<Value>, Option<Vec<String>>) {
        let (authorizer, scopes) = match self {
            Authorization::None => return ("NONE", None, None),
            Authorization::Iam => return ("AWS_IAM", None, None),
            Authorization::Custom(a) => (a, None),
            Authorization::Cognito { authorizer, scopes } => (authorizer, Some(scopes)),
        };
        if &authorizer.api != api {
            stack.add_problem(
                Problem::new(
                    method_path,
                    format!(
                        "the authorizer {} belongs to another API ({}): a method can use the authorizers of its own API only",
                        authorizer.resource().path, authorizer.api.path
                    ),
                )
                .property("AuthorizerId"),
            );
        }
        let kind = authorizer.kind();
        if let Some(scopes) = scopes {
            if kind != AuthorizerType::CognitoUserPools && !scopes.is_empty() {
                stack.add_problem(
                    Problem::new(
                        method_path,
                        format!(
                            "authorization scopes are for COGNITO_USER_POOLS authorizers; {} is a {} authorizer",
                            authorizer.resource().path,
                            kind.as_str()
                        ),
                    )
                    .property("AuthorizationScopes"),
                );
            }
            for scope in scopes {
                if let Err(e) = check_scope(scope) {
                    stack.add_problem(
                        Problem::new(method_path, e.to_string()).property("AuthorizationScopes"),
                    );
                }
            }
        }
        (
            kind.method_authorization_type(),
            Some(authorizer.authorizer_id()),
            scopes.filter(|s| !s.is_empty()).cloned(),
        )
    }
}

/// Checks an OAuth scope: one or more visible ASCII characters but `"` and `\` (RFC 6749,
/// section 3.3), such as `email` or `orders/read`.
pub fn check_scope(scope: &str) -> Result<(), InvalidValue> {
    let ok = !scope.is_empty()
        && scope
            .chars()
            .all(|c| ('!'..='~').contains(&c) && c != '"' && c != '\\');
    if ok {
        Ok(())
    } else {
        Err(InvalidValue::new(
            "OAuth scope",
            scope,
            format!(
                "{scope:?} is not an OAuth scope: visible ASCII characters without spaces, quotes or backslashes, such as orders/read"
            ),
        ))
    }
}

/// A method response (`MethodResponses` item): status, header declarations, models per
/// content type.
#[derive(Debug, Clone, PartialEq)]
pub struct MethodResponse {
    /// The HTTP status it declares (`StatusCode`).
    pub status_code: String,
    /// The headers it may carry (`ResponseParameters`): `method.response.header.X` ->
    /// required.
    pub response_parameters: IndexMap<String, bool>,
    /// Content type -> model name, `Empty` or a model's (`ResponseModels`).
    pub response_models: IndexMap<String, Value>,
}

impl MethodResponse {
    /// A response of this status, without headers or models.
    pub fn new(status_code: u16) -> Self {
        MethodResponse {
            status_code: status_code.to_string(),
            response_parameters: IndexMap::new(),
            response_models: IndexMap::new(),
        }
    }
    /// Declares a response header (`Access-Control-Allow-Origin`).
    pub fn header(mut self, name: &str) -> Self {
        self.response_parameters
            .insert(format!("method.response.header.{name}"), false);
        self
    }
    /// The model of the body for a content type: `Empty`, or the name
    /// [`RestApi::add_model`] returns.
    pub fn model(mut self, content_type: &str, model: impl Into<Value>) -> Self {
        self.response_models
            .insert(content_type.to_string(), model.into());
        self
    }
}

/// What a request validator checks (`AWS::ApiGateway::RequestValidator`); the API creates
/// one validator of each kind used, shared by its methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Validation {
    /// The body against the method's request model (`ValidateRequestBody`).
    pub body: bool,
    /// The required request parameters are present (`ValidateRequestParameters`).
    pub parameters: bool,
}

/// Options of a method: `MethodOptions::new()` then builder methods.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MethodOptions {
    /// How callers are authorized (`AuthorizationType`); default: anyone.
    pub authorization: Authorization,
    /// Callers must send an API key of a usage plan (`ApiKeyRequired`); default: false.
    pub api_key_required: bool,
    /// The method's name in generated SDKs (`OperationName`).
    pub operation_name: Option<String>,
    /// The request parameters (`RequestParameters`): `method.request.querystring.x`,
    /// `method.request.header.x` or `method.request.path.x` -> required.
    pub request_parameters: IndexMap<String, bool>,
    /// Content type -> model name, for the request body (`RequestModels`).
    pub request_models: IndexMap<String, Value>,
    /// What API Gateway checks before calling the integration (`RequestValidatorId`).
    pub request_validator: Option<Validation>,
    /// The answers the method declares (`MethodResponses`); one is added for the status of
    /// every integration response that has none.
    pub method_responses: Vec<MethodResponse>,
}

impl MethodOptions {
    /// The defaults: no authorization, no API key, no parameters, models or validator.
    pub fn new() -> Self {
        Self::default()
    }
    /// How callers are authorized (`AuthorizationType`).
    pub fn authorization(mut self, authorization: Authorization) -> Self {
        self.authorization = authorization;
        self
    }
    /// Callers must send an API key of a usage plan (`ApiKeyRequired: true`).
    pub fn api_key_required(mut self) -> Self {
        self.api_key_required = true;
        self
    }
    /// The method's name in generated SDKs (`OperationName`).
    pub fn operation_name(mut self, name: impl Into<String>) -> Self {
        self.operation_name = Some(name.into());
        self
    }
    /// Declares a request parameter (`method.request.path.id`), required or not
    /// (`RequestParameters`).
    pub fn request_parameter(mut self, name: impl Into<String>, required: bool) -> Self {
        self.request_parameters.insert(name.into(), required);
        self
    }
    /// The model of the request body for a content type (`RequestModels`).
    pub fn request_model(
        mut self,
        content_type: impl Into<String>,
        model: impl Into<Value>,
    ) -> Self {
        self.request_models
            .insert(content_type.into(), model.into());
        self
    }
    /// What API Gateway checks before calling the integration (`RequestValidatorId`).
    pub fn request_validator(mut self, validation: Validation) -> Self {
        self.request_validator = Some(validation);
        self
    }
    /// Declares an answer of the method (`MethodResponses`).
    pub fn method_response(mut self, response: MethodResponse) -> Self {
        self.method_responses.push(response);
        self
    }
}

/// A method added to a resource: its verb and path, for grants and ARNs.
///
/// # Examples
///
/// ```
/// use constructs::apigateway::{Authorization, HttpMethod, Integration, IntegrationOptions};
/// use constructs::apigateway::{IntegrationResponse, MethodOptions, RestApi, RestApiProps};
/// # use constructs::assertions::Template;
/// # use constructs::Stack;
/// # use serde_json::json;
///
/// let mut stack = Stack::new("Shop");
/// let api = RestApi::new(&mut stack, "Api", RestApiProps::new());
/// let status = constructs::apigateway::Template::new(r#"{"statusCode": 200}"#);
/// let mock = Integration::mock(IntegrationOptions::new()
///     .request_template("application/json", status)
///     .response(IntegrationResponse::new(200)));
/// let options = MethodOptions::new().authorization(Authorization::Iam);
/// api.root().add_method(&mut stack, HttpMethod::Get, mock, options);
///
/// Template::from_stack(&stack).has_resource_properties("AWS::ApiGateway::Method", json!({
///     "AuthorizationType": "AWS_IAM",
///     "Integration": {"Type": "MOCK", "IntegrationResponses": [{"StatusCode": "200"}]},
///     "MethodResponses": [{"StatusCode": "200"}], // made for the integration response
/// }));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Method {
    resource: ResourceRef,
    api: ResourceRef,
    verb: HttpMethod,
    path: String,
}

impl Method {
    /// The `AWS::ApiGateway::Method` resource, to override a property or depend on it.
    pub fn resource(&self) -> &ResourceRef {
        &self.resource
    }

    /// `arn:...:execute-api:<region>:<account>:<api>/<stage>/<VERB>/<path>` for any stage.
    pub fn execute_arn(&self) -> Value {
        execute_arn(&self.api, "*", self.verb, &self.path)
    }
}

pub(super) fn execute_arn(api: &ResourceRef, stage: &str, verb: HttpMethod, path: &str) -> Value {
    let verb = if verb == HttpMethod::Any {
        "*"
    } else {
        verb.as_str()
    };
    fns::sub_with(
        format!("arn:${{AWS::Partition}}:execute-api:${{AWS::Region}}:${{AWS::AccountId}}:${{Api}}/{stage}/{verb}{path}"),
        [("Api", api.reference())],
    )
}

fn check_path_part(part: &str) -> Result<(), InvalidValue> {
    let inner = part
        .strip_prefix('{')
        .and_then(|p| p.strip_suffix('}'))
        .map(|p| p.strip_suffix('+').unwrap_or(p));
    let ok = match inner {
        Some(name) => {
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        }
        None => {
            !part.is_empty()
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._-:".contains(c))
        }
    };
    if ok {
        Ok(())
    } else {
        Err(InvalidValue::new(
            "path part",
            part,
            format!(
                "\"{part}\" is not a path part: letters, digits and . _ - :, or a parameter such as {{id}} or {{proxy+}}"
            ),
        ))
    }
}

impl ApiResource {
    /// The resource's path (`/status`).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The `ResourceId` to put methods and children on.
    fn resource_id(&self) -> Value {
        match &self.resource {
            Some(r) => r.reference(),
            None => self.api.resource.get_att("RootResourceId"),
        }
    }

    /// A child resource: a path part, or a parameter (`{id}`, `{proxy+}`). With the API's
    /// default CORS, it gets its preflight (OPTIONS) with its first method.
    pub fn add_resource(&self, stack: &mut Stack, path_part: &str) -> ApiResource {
        let id = format!("{}/{}", self.id, path_part);
        if let Err(e) = check_path_part(path_part) {
            stack.add_problem(
                Problem::new(stack.path_of(&format!("{id}/Resource")), e.to_string())
                    .property("PathPart"),
            );
        }
        let props = l1::CfnResource::new(self.resource_id(), path_part, self.api.api_id());
        self.api.changed_after_deploy(
            stack,
            &stack.path_of(&format!("{id}/Resource")),
            "a resource",
        );
        let resource = stack.add(&format!("{id}/Resource"), &props);
        let path = if self.path == "/" {
            format!("/{path_part}")
        } else {
            format!("{}/{path_part}", self.path)
        };
        ApiResource {
            api: self.api.clone(),
            path,
            resource: Some(resource),
            id,
            cors: self.cors.clone(),
        }
    }

    /// Adds a method with its integration. An AWS service integration gets its credentials
    /// role (the one given, or a new one allowed exactly its action); a Lambda proxy gets the
    /// invoke permission for this method's execute-api ARN. Every integration response gets
    /// the method response of its status (API Gateway answers nothing through an integration
    /// response without one). With the API's CORS, the resource gets its preflight before its
    /// first method, and the method's answers carry the allowed origin.
    pub fn add_method(
        &self,
        stack: &mut Stack,
        verb: HttpMethod,
        integration: Integration,
        options: MethodOptions,
    ) -> Method {
        let mut integration = integration;
        let mut options = options;
        if let Some(responses) = integration.responses_mut() {
            for r in responses.iter() {
                if !options
                    .method_responses
                    .iter()
                    .any(|m| m.status_code == r.status_code)
                {
                    options.method_responses.push(MethodResponse {
                        status_code: r.status_code.clone(),
                        response_parameters: IndexMap::new(),
                        response_models: IndexMap::new(),
                    });
                }
            }
        }
        if let Some(cors) = &self.cors {
            let method_path = stack.path_of(&format!("{}/{}/Resource", self.id, verb.as_str()));
            if verb == HttpMethod::Options {
                stack.add_problem(
                    Problem::new(
                        method_path,
                        "the API's CORS answers OPTIONS on this resource (the preflight): add no OPTIONS method of your own, or set no default_cors_preflight",
                    )
                    .property("HttpMethod"),
                );
            } else {
                self.ensure_cors_preflight(stack, cors);
                cors.apply(
                    stack,
                    &method_path,
                    &mut integration,
                    &mut options.method_responses,
                );
            }
        }
        self.put_method(stack, verb, integration, options)
    }

    /// The `AWS::ApiGateway::Method`, as given.
    pub(super) fn put_method(
        &self,
        stack: &mut Stack,
        verb: HttpMethod,
        integration: Integration,
        options: MethodOptions,
    ) -> Method {
        let id = format!("{}/{}", self.id, verb.as_str());
        let method_path = stack.path_of(&format!("{id}/Resource"));
        let execute = execute_arn(
            &self.api.resource,
            "*",
            verb,
            if self.path == "/" { "/" } else { &self.path },
        );
        let rendered = integration.render(stack, &id, &method_path, execute);
        let validator = options
            .request_validator
            .map(|v| self.api.validator(stack, v));
        let (authorization_type, authorizer_id, authorization_scopes) = options
            .authorization
            .render(stack, &method_path, &self.api.resource);
        let flags = |m: &IndexMap<String, bool>| {
            m.iter()
                .map(|(k, v)| (k.clone(), Value::from(*v)))
                .collect::<IndexMap<_, _>>()
        };
        let mut method = l1::CfnMethod::new(verb.as_str(), self.resource_id(), self.api.api_id())
            .api_key_required(options.api_key_required.then_some(true))
            .authorization_type(authorization_type)
            .authorizer_id(authorizer_id)
            .integration(rendered)
            .operation_name(options.operation_name)
            .request_validator_id(validator);
        if let Some(scopes) = authorization_scopes {
            method = method.authorization_scopes(scopes);
        }
        if !options.method_responses.is_empty() {
            method = method.method_responses(
                options
                    .method_responses
                    .iter()
                    .map(|r| {
                        let mut m = cfn::MethodResponse::new(r.status_code.as_str());
                        if !r.response_models.is_empty() {
                            m = m.response_models(r.response_models.clone());
                        }
                        if !r.response_parameters.is_empty() {
                            m = m.response_parameters(flags(&r.response_parameters));
                        }
                        m
                    })
                    .collect::<Vec<_>>(),
            );
        }
        if !options.request_models.is_empty() {
            method = method.request_models(options.request_models);
        }
        if !options.request_parameters.is_empty() {
            method = method.request_parameters(flags(&options.request_parameters));
        }
        self.api
            .changed_after_deploy(stack, &stack.path_of(&format!("{id}/Resource")), "a method");
        let resource = stack.add(&format!("{id}/Resource"), &method);
        Method {
            resource,
            api: self.api.resource.clone(),
            verb,
            path: if self.path == "/" {
                "/".into()
            } else {
                self.path.clone()
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_parts() {
        assert!(check_path_part("status").is_ok());
        assert!(check_path_part("{id}").is_ok());
        assert!(check_path_part("{proxy+}").is_ok());
        assert!(check_path_part("a/b").is_err());
        assert!(check_path_part("{}").is_err());
        assert!(check_path_part("").is_err());
    }
}
