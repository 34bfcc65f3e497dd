//! CORS: the preflight (an OPTIONS mock answering the `Access-Control-Allow-*` headers).

use indexmap::IndexMap;

use crate::core::stack::Stack;
use crate::core::value::Value;

use super::integration::{Integration, IntegrationOptions, IntegrationResponse, Template};
use super::resource::{ApiResource, HttpMethod, Method, MethodOptions, MethodResponse};

/// CORS settings: the preflight OPTIONS method (a mock) and its headers.
#[derive(Debug, Clone, PartialEq)]
pub struct CorsOptions {
    pub allow_origins: Vec<String>,
    pub allow_methods: Vec<String>,
    pub allow_headers: Vec<String>,
    pub allow_credentials: bool,
    pub max_age_seconds: Option<u32>,
    /// The preflight's status: 204 (the default) or 200.
    pub status_code: u16,
}

impl Default for CorsOptions {
    fn default() -> Self {
        CorsOptions {
            allow_origins: vec!["*".into()],
            allow_methods: vec!["*".into()],
            allow_headers: vec![
                "Content-Type".into(),
                "X-Amz-Date".into(),
                "Authorization".into(),
                "X-Api-Key".into(),
            ],
            allow_credentials: false,
            max_age_seconds: None,
            status_code: 204,
        }
    }
}

impl ApiResource {
    /// The CORS preflight: an OPTIONS method answered by a mock integration with the
    /// `Access-Control-Allow-*` headers.
    pub fn add_cors_preflight(&self, stack: &mut Stack, cors: CorsOptions) -> Method {
        let quote = |v: &[String]| format!("'{}'", v.join(","));
        let mut headers: IndexMap<String, Value> = IndexMap::new();
        headers.insert(
            "method.response.header.Access-Control-Allow-Headers".into(),
            quote(&cors.allow_headers).into(),
        );
        headers.insert(
            "method.response.header.Access-Control-Allow-Methods".into(),
            quote(&cors.allow_methods).into(),
        );
        headers.insert(
            "method.response.header.Access-Control-Allow-Origin".into(),
            quote(&cors.allow_origins).into(),
        );
        if cors.allow_credentials {
            headers.insert(
                "method.response.header.Access-Control-Allow-Credentials".into(),
                "'true'".into(),
            );
        }
        if let Some(age) = cors.max_age_seconds {
            headers.insert(
                "method.response.header.Access-Control-Max-Age".into(),
                format!("'{age}'").into(),
            );
        }
        let mut response = MethodResponse::new(cors.status_code);
        for name in headers.keys() {
            response.response_parameters.insert(name.clone(), false);
        }
        let integration = Integration::Mock(
            IntegrationOptions::default()
                .request_template(
                    "application/json",
                    Template::new(format!("{{ \"statusCode\": {} }}", cors.status_code)),
                )
                .response(IntegrationResponse {
                    status_code: cors.status_code.to_string(),
                    selection_pattern: None,
                    response_parameters: headers,
                    response_templates: IndexMap::new(),
                }),
        );
        self.add_method(
            stack,
            HttpMethod::Options,
            integration,
            MethodOptions {
                method_responses: vec![response],
                ..Default::default()
            },
        )
    }
}
