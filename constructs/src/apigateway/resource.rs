//! The resource tree (`/`, `/status`, `/orders/{id}`) and the methods on it.

use indexmap::IndexMap;

use crate::core::error::Problem;
use crate::core::stack::Stack;
use crate::core::token::{fns, ResourceRef};
use crate::core::value::Value;

use super::cfn;
use super::integration::Integration;
use super::{CorsOptions, RestApi};

/// A node of the API's resource tree (`/`, `/status`, `/orders/{id}`).
#[derive(Debug, Clone, PartialEq)]
pub struct ApiResource {
    pub(super) api: RestApi,
    /// The resource's path, `/` for the root.
    pub(super) path: String,
    /// The `AWS::ApiGateway::Resource`, `None` for the root.
    pub(super) resource: Option<ResourceRef>,
    /// The construct id the resource's children and methods go under.
    pub(super) id: String,
    pub(super) cors: Option<CorsOptions>,
}

/// An HTTP verb.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpMethod {
    Get,
    Post,
    Put,
    Patch,
    Delete,
    Head,
    Options,
    Any,
}

impl HttpMethod {
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

/// How callers are authorized.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Authorization {
    #[default]
    None,
    /// Signed requests, checked against the caller's IAM rights (`execute-api:Invoke`).
    Iam,
}

/// A method response: status, header declarations, models per content type.
#[derive(Debug, Clone, PartialEq)]
pub struct MethodResponse {
    pub status_code: String,
    /// `method.response.header.X` -> required.
    pub response_parameters: IndexMap<String, bool>,
    /// content type -> model name (`Empty`, or a model's name).
    pub response_models: IndexMap<String, Value>,
}

impl MethodResponse {
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
    pub fn model(mut self, content_type: &str, model: impl Into<Value>) -> Self {
        self.response_models
            .insert(content_type.to_string(), model.into());
        self
    }
}

/// What a request validator checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Validation {
    pub body: bool,
    pub parameters: bool,
}

/// Options of a method.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MethodOptions {
    pub authorization: Authorization,
    pub api_key_required: bool,
    pub operation_name: Option<String>,
    /// `method.request.querystring.x` / `method.request.header.x` / `method.request.path.x`
    /// -> required.
    pub request_parameters: IndexMap<String, bool>,
    /// content type -> model name.
    pub request_models: IndexMap<String, Value>,
    pub request_validator: Option<Validation>,
    pub method_responses: Vec<MethodResponse>,
}

/// A method added to a resource.
#[derive(Debug, Clone, PartialEq)]
pub struct Method {
    resource: ResourceRef,
    api: ResourceRef,
    verb: HttpMethod,
    path: String,
}

impl Method {
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

fn check_path_part(part: &str) -> Result<(), String> {
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
        Err(format!(
            "\"{part}\" is not a path part: letters, digits and . _ - :, or a parameter such as {{id}} or {{proxy+}}"
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
                Problem::new(stack.path_of(&format!("{id}/Resource")), e).property("PathPart"),
            );
        }
        let props = cfn::CfnResourceProps {
            parent_id: self.resource_id(),
            path_part: path_part.into(),
            rest_api_id: self.api.api_id(),
        };
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
        let method = cfn::CfnMethod {
            api_key_required: options.api_key_required.then_some(true),
            authorization_type: Some(
                match options.authorization {
                    Authorization::None => "NONE",
                    Authorization::Iam => "AWS_IAM",
                }
                .into(),
            ),
            http_method: verb.as_str().into(),
            integration: Some(rendered),
            method_responses: (!options.method_responses.is_empty()).then(|| {
                options
                    .method_responses
                    .iter()
                    .map(|r| cfn::MethodResponse {
                        response_models: (!r.response_models.is_empty())
                            .then(|| r.response_models.clone()),
                        response_parameters: (!r.response_parameters.is_empty())
                            .then(|| r.response_parameters.clone()),
                        status_code: r.status_code.as_str().into(),
                    })
                    .collect()
            }),
            operation_name: options.operation_name,
            request_models: (!options.request_models.is_empty()).then_some(options.request_models),
            request_parameters: (!options.request_parameters.is_empty())
                .then_some(options.request_parameters),
            request_validator_id: validator,
            resource_id: self.resource_id(),
            rest_api_id: self.api.api_id(),
            ..Default::default()
        };
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
