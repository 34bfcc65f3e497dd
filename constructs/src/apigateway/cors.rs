//! CORS on a REST API: the preflight (an OPTIONS mock answering the `Access-Control-Allow-*`
//! headers) on every resource that has methods, and the allowed origin (with the exposed
//! headers and the credentials flag, when set) on every answer of those methods: declared on
//! each method response, mapped by each integration response. A browser drops an answer
//! without `Access-Control-Allow-Origin`, so a preflight alone is not enough.

use indexmap::IndexMap;

use crate::core::error::{InvalidValue, Problem};
use crate::core::stack::Stack;
use crate::core::value::Value;

use super::integration::{Integration, IntegrationOptions, IntegrationResponse, Template};
use super::resource::{ApiResource, HttpMethod, MethodOptions, MethodResponse};

/// The origin a CORS answer allows: `Access-Control-Allow-Origin` holds one origin, or `*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AllowOrigin {
    /// `*`: any origin (browsers refuse it for requests with credentials).
    Any,
    /// One origin: scheme, host and optional port (`https://app.example.com`).
    Origin(String),
}

impl AllowOrigin {
    /// One origin; one that is not scheme, host and optional port is reported at synth.
    pub fn origin(origin: impl Into<String>) -> Self {
        AllowOrigin::Origin(origin.into())
    }

    /// The header's value.
    pub fn as_str(&self) -> &str {
        match self {
            AllowOrigin::Any => "*",
            AllowOrigin::Origin(o) => o,
        }
    }

    fn check(&self) -> Result<(), InvalidValue> {
        let AllowOrigin::Origin(o) = self else {
            return Ok(());
        };
        let host = o
            .strip_prefix("https://")
            .or_else(|| o.strip_prefix("http://"));
        let ok = host.is_some_and(|h| {
            !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        });
        if ok {
            Ok(())
        } else {
            Err(InvalidValue::new(
                "origin",
                o,
                format!(
                    "the allowed origin {o:?} is not an origin: scheme, host and optional port, such as https://app.example.com (one origin; AllowOrigin::Any for *)"
                ),
            ))
        }
    }
}

/// CORS settings of an API: the preflight's answer, and the headers every method's answers
/// carry.
#[derive(Debug, Clone, PartialEq)]
pub struct CorsOptions {
    /// The origin allowed (`Access-Control-Allow-Origin` on the preflight and on every
    /// answer); default: any.
    pub allow_origin: AllowOrigin,
    /// The verbs the preflight allows (`Access-Control-Allow-Methods`); default: `*`.
    pub allow_methods: Vec<String>,
    /// The request headers the preflight allows (`Access-Control-Allow-Headers`); default:
    /// `Content-Type`, `X-Amz-Date`, `Authorization`, `X-Api-Key`.
    pub allow_headers: Vec<String>,
    /// The response headers a browser lets scripts read (`Access-Control-Expose-Headers` on
    /// every method's answers); none by default.
    pub expose_headers: Vec<String>,
    /// `Access-Control-Allow-Credentials: true` on the preflight and on every answer.
    pub allow_credentials: bool,
    /// How long a browser may cache the preflight's answer (`Access-Control-Max-Age`);
    /// default: the browser's choice.
    pub max_age_seconds: Option<u32>,
    /// The preflight's status: 204 (the default) or 200.
    pub status_code: u16,
}

impl Default for CorsOptions {
    fn default() -> Self {
        CorsOptions {
            allow_origin: AllowOrigin::Any,
            allow_methods: vec!["*".into()],
            allow_headers: vec![
                "Content-Type".into(),
                "X-Amz-Date".into(),
                "Authorization".into(),
                "X-Api-Key".into(),
            ],
            expose_headers: Vec::new(),
            allow_credentials: false,
            max_age_seconds: None,
            status_code: 204,
        }
    }
}

impl CorsOptions {
    /// The defaults: any origin, any verb, the usual request headers, no credentials, a 204
    /// preflight.
    pub fn new() -> Self {
        Self::default()
    }
    /// The origin allowed (`Access-Control-Allow-Origin`).
    pub fn allow_origin(mut self, origin: AllowOrigin) -> Self {
        self.allow_origin = origin;
        self
    }
    /// The verbs the preflight allows (`Access-Control-Allow-Methods`), instead of `*`.
    pub fn allow_methods<S: Into<String>>(mut self, methods: impl IntoIterator<Item = S>) -> Self {
        self.allow_methods = methods.into_iter().map(Into::into).collect();
        self
    }
    /// The request headers the preflight allows (`Access-Control-Allow-Headers`), instead of
    /// the default ones.
    pub fn allow_headers<S: Into<String>>(mut self, headers: impl IntoIterator<Item = S>) -> Self {
        self.allow_headers = headers.into_iter().map(Into::into).collect();
        self
    }
    /// The response headers scripts may read (`Access-Control-Expose-Headers` on every
    /// method's answers).
    pub fn expose_headers<S: Into<String>>(mut self, headers: impl IntoIterator<Item = S>) -> Self {
        self.expose_headers = headers.into_iter().map(Into::into).collect();
        self
    }
    /// Allows requests with credentials (`Access-Control-Allow-Credentials: true`); the
    /// origin, verbs and headers must then be named, not `*`.
    pub fn allow_credentials(mut self) -> Self {
        self.allow_credentials = true;
        self
    }
    /// How long a browser may cache the preflight's answer (`Access-Control-Max-Age`).
    pub fn max_age_seconds(mut self, seconds: u32) -> Self {
        self.max_age_seconds = Some(seconds);
        self
    }
    /// The preflight's status: 200 or 204 (another is reported at synth).
    pub fn status_code(mut self, status: u16) -> Self {
        self.status_code = status;
        self
    }
}

/// `'a,b'`: a list as the literal of a header mapping.
fn literal(values: &[String]) -> String {
    format!("'{}'", values.join(","))
}

impl CorsOptions {
    /// What would make the headers wrong or unusable, each as a sentence.
    pub(super) fn check(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if let Err(e) = self.allow_origin.check() {
            problems.push(e.to_string());
        }
        if self.allow_credentials {
            if self.allow_origin == AllowOrigin::Any {
                problems.push("allow_credentials with AllowOrigin::Any: browsers refuse * for requests with credentials; name the origin".into());
            }
            for (what, values) in [
                ("allow_methods", &self.allow_methods),
                ("allow_headers", &self.allow_headers),
                ("expose_headers", &self.expose_headers),
            ] {
                if values.iter().any(|v| v == "*") {
                    problems.push(format!("allow_credentials with * in {what}: browsers take * literally for requests with credentials; name them"));
                }
            }
        }
        for (what, values) in [
            ("allow_methods", &self.allow_methods),
            ("allow_headers", &self.allow_headers),
            ("expose_headers", &self.expose_headers),
        ] {
            if let Some(v) = values
                .iter()
                .find(|v| v.is_empty() || v.contains(['\'', ',', ' ']))
            {
                problems.push(format!(
                    "{what} holds {v:?}: each entry is one name, without quotes, commas or spaces"
                ));
            }
        }
        if !matches!(self.status_code, 200 | 204) {
            problems.push(format!(
                "the preflight's status {} is not 200 or 204",
                self.status_code
            ));
        }
        problems
    }

    /// The headers of every answer of a method (not the preflight): name -> literal.
    pub(super) fn answer_headers(&self) -> IndexMap<String, String> {
        let mut headers = IndexMap::new();
        headers.insert(
            "Access-Control-Allow-Origin".to_string(),
            format!("'{}'", self.allow_origin.as_str()),
        );
        if !self.expose_headers.is_empty() {
            headers.insert(
                "Access-Control-Expose-Headers".to_string(),
                literal(&self.expose_headers),
            );
        }
        if self.allow_credentials {
            headers.insert(
                "Access-Control-Allow-Credentials".to_string(),
                "'true'".to_string(),
            );
        }
        headers
    }

    /// The preflight: a mock answering the `Access-Control-Allow-*` headers.
    pub(super) fn preflight(&self) -> (Integration, MethodOptions) {
        let mut headers: IndexMap<String, Value> = IndexMap::new();
        let mut put = |name: &str, value: String| {
            headers.insert(format!("method.response.header.{name}"), value.into());
        };
        put("Access-Control-Allow-Headers", literal(&self.allow_headers));
        put("Access-Control-Allow-Methods", literal(&self.allow_methods));
        put(
            "Access-Control-Allow-Origin",
            format!("'{}'", self.allow_origin.as_str()),
        );
        if self.allow_credentials {
            put("Access-Control-Allow-Credentials", "'true'".into());
        }
        if let Some(age) = self.max_age_seconds {
            put("Access-Control-Max-Age", format!("'{age}'"));
        }
        let mut response = MethodResponse::new(self.status_code);
        for name in headers.keys() {
            response.response_parameters.insert(name.clone(), false);
        }
        let integration = Integration::Mock(
            IntegrationOptions::new()
                .request_template(
                    "application/json",
                    Template::new(format!("{{ \"statusCode\": {} }}", self.status_code)),
                )
                .response(IntegrationResponse {
                    status_code: self.status_code.to_string(),
                    selection_pattern: None,
                    response_parameters: headers,
                    response_templates: IndexMap::new(),
                }),
        );
        (integration, MethodOptions::new().method_response(response))
    }

    /// Puts the answer headers on a method: declared on every method response, mapped by
    /// every integration response. A proxy integration has no integration responses (its
    /// backend answers with its own headers): a warning says the backend must send them.
    pub(super) fn apply(
        &self,
        stack: &mut Stack,
        method_path: &str,
        integration: &mut Integration,
        method_responses: &mut [MethodResponse],
    ) {
        let headers = self.answer_headers();
        for response in method_responses.iter_mut() {
            for name in headers.keys() {
                response
                    .response_parameters
                    .entry(format!("method.response.header.{name}"))
                    .or_insert(false);
            }
        }
        let Some(responses) = integration.responses_mut() else {
            let sent: Vec<String> = headers
                .iter()
                .map(|(name, value)| format!("{name}: {}", value.trim_matches('\'')))
                .collect();
            stack.add_warning(
                method_path,
                format!(
                    "a proxy integration answers with its backend's headers: under the API's CORS, the backend must send {} itself",
                    sent.join(", ")
                ),
            );
            return;
        };
        for response in responses.iter_mut() {
            for (name, value) in &headers {
                let key = format!("method.response.header.{name}");
                match response.response_parameters.get(&key) {
                    None => {
                        response
                            .response_parameters
                            .insert(key, Value::from(value.as_str()));
                    }
                    Some(Value::String(mapped)) if mapped == value => {}
                    Some(other) => stack.add_problem(
                        Problem::new(
                            method_path,
                            format!(
                                "the integration response {} maps {name} to {}, but the API's CORS sets it to {value}",
                                response.status_code,
                                other.as_str().unwrap_or("a computed value")
                            ),
                        )
                        .property("Integration.IntegrationResponses"),
                    ),
                }
            }
        }
    }
}

impl ApiResource {
    /// The CORS preflight of this resource, added once, before its first method.
    pub(super) fn ensure_cors_preflight(&self, stack: &mut Stack, cors: &CorsOptions) {
        let id = format!("{}/{}/Resource", self.id, HttpMethod::Options.as_str());
        if stack.resources.contains_key(&stack.path_of(&id)) {
            return;
        }
        let (integration, options) = cors.preflight();
        self.put_method(stack, HttpMethod::Options, integration, options);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app_origin() -> CorsOptions {
        CorsOptions::new()
            .allow_origin(AllowOrigin::origin("https://app.example.com"))
            .allow_methods(["GET", "POST"])
            .expose_headers(["X-Request-Id", "ETag"])
            .allow_credentials()
            .max_age_seconds(600)
    }

    #[test]
    fn an_allowed_origin_is_one_origin() {
        assert_eq!(AllowOrigin::Any.as_str(), "*");
        assert!(AllowOrigin::Any.check().is_ok());
        for ok in [
            "https://app.example.com",
            "http://localhost:3000",
            "http://[::1]:8080",
        ] {
            assert!(AllowOrigin::origin(ok).check().is_ok(), "{ok}");
        }
        for bad in [
            "app.example.com",
            "https://a.example.com,https://b.example.com",
            "https://a.example.com/",
            "https://",
            "https://a'b",
            "*",
        ] {
            let e = AllowOrigin::origin(bad).check().unwrap_err();
            assert_eq!(e.value, bad);
            assert!(
                e.message.contains(&format!("{bad:?} is not an origin")),
                "{e}"
            );
        }
    }

    #[test]
    fn answers_carry_the_origin_the_exposed_headers_and_the_credentials_flag() {
        assert_eq!(
            CorsOptions::new().answer_headers(),
            IndexMap::from([("Access-Control-Allow-Origin".to_string(), "'*'".to_string())])
        );
        assert_eq!(
            app_origin().answer_headers(),
            IndexMap::from([
                (
                    "Access-Control-Allow-Origin".to_string(),
                    "'https://app.example.com'".to_string()
                ),
                (
                    "Access-Control-Expose-Headers".to_string(),
                    "'X-Request-Id,ETag'".to_string()
                ),
                (
                    "Access-Control-Allow-Credentials".to_string(),
                    "'true'".to_string()
                ),
            ])
        );
        assert!(app_origin().check().is_empty());
        assert!(CorsOptions::new().check().is_empty());
    }

    #[test]
    fn settings_a_browser_would_refuse_are_problems() {
        let cors = CorsOptions::new()
            .allow_credentials()
            .allow_headers(["Content-Type", "X-A, X-B"])
            .status_code(302);
        assert_eq!(
            cors.check(),
            vec![
                "allow_credentials with AllowOrigin::Any: browsers refuse * for requests with credentials; name the origin".to_string(),
                "allow_credentials with * in allow_methods: browsers take * literally for requests with credentials; name them".to_string(),
                "allow_headers holds \"X-A, X-B\": each entry is one name, without quotes, commas or spaces".to_string(),
                "the preflight's status 302 is not 200 or 204".to_string(),
            ]
        );
    }

    #[test]
    fn the_preflight_answers_every_allow_header() {
        let (integration, options) = app_origin().preflight();
        let headers = [
            (
                "Access-Control-Allow-Headers",
                "'Content-Type,X-Amz-Date,Authorization,X-Api-Key'",
            ),
            ("Access-Control-Allow-Methods", "'GET,POST'"),
            ("Access-Control-Allow-Origin", "'https://app.example.com'"),
            ("Access-Control-Allow-Credentials", "'true'"),
            ("Access-Control-Max-Age", "'600'"),
        ];
        assert_eq!(
            integration,
            Integration::Mock(
                IntegrationOptions::new()
                    .request_template("application/json", Template::new("{ \"statusCode\": 204 }"))
                    .response(IntegrationResponse {
                        status_code: "204".into(),
                        selection_pattern: None,
                        response_parameters: headers
                            .iter()
                            .map(|(h, v)| (format!("method.response.header.{h}"), Value::from(*v)))
                            .collect(),
                        response_templates: IndexMap::new(),
                    })
            )
        );
        assert_eq!(
            options,
            MethodOptions::new().method_response(MethodResponse {
                status_code: "204".into(),
                response_parameters: headers
                    .iter()
                    .map(|(h, _)| (format!("method.response.header.{h}"), false))
                    .collect(),
                response_models: IndexMap::new(),
            })
        );
    }
}
